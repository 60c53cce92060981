"""The key bar at the bottom of a screen: the keys that work now, drawn as one line.

Textual's ``Footer`` mounts a widget per key and rebuilds them all whenever focus moves; with
the thirty-odd keys of the browse screen that cost ~0.2 s at start and a recompose on every
Tab between panes. This bar is a single widget that renders the same line, keeps the command
palette key on the right, answers clicks, and highlights the key under the mouse.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar

from textual import events
from textual.content import Content
from textual.widget import Widget

PALETTE_EDGE = "▏"


@dataclass(frozen=True)
class KeyHint:
    """One key shown in the bar."""

    key: str
    shown: str
    description: str
    enabled: bool
    tooltip: str

    @cached_property
    def width(self) -> int:
        return Content(self.cells()).cell_length

    def cells(self) -> str:
        return f" {self.shown} {self.description} " if self.description else f" {self.shown} "


class KeyBar(Widget, can_focus=False):
    """The bindings of the focused widget, its screen and the app, with the palette key last."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "key-bar--key",
        "key-bar--description",
        "key-bar--hover",
        "key-bar--edge",
    }
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        width: 1fr;
        text-wrap: nowrap;
        color: $footer-foreground;
        background: $footer-background;
        .key-bar--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .key-bar--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        .key-bar--hover {
            color: $footer-key-foreground;
            background: $block-hover-background;
        }
        .key-bar--edge {
            color: $foreground 20%;
        }
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._hints: list[KeyHint] = []
        self._palette: KeyHint | None = None
        self._spans: list[tuple[int, int, KeyHint]] = []
        self._hover: KeyHint | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._collect()

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    @property
    def hints(self) -> list[KeyHint]:
        """The keys shown, left to right (the palette key not included)."""
        return list(self._hints)

    def _bindings_changed(self, screen: Any) -> None:
        if self.is_attached and screen is self.screen:
            self._collect()

    def _collect(self) -> None:
        app = self.app
        active = self.screen.active_bindings
        hints: list[KeyHint] = []
        seen_actions: set[str] = set()
        palette_key = app.COMMAND_PALETTE_BINDING if app.ENABLE_COMMAND_PALETTE else None
        for key, (_node, binding, enabled, tooltip) in active.items():
            if not binding.show or key == palette_key or binding.action in seen_actions:
                continue
            seen_actions.add(binding.action)
            hints.append(self._hint(key, binding, enabled, tooltip))
        palette = None
        if palette_key is not None and palette_key in active:
            _node, binding, enabled, tooltip = active[palette_key]
            palette = self._hint(palette_key, binding, enabled, tooltip or binding.tooltip)
        if hints != self._hints or palette != self._palette:
            self._hints, self._palette = hints, palette
            self._hover = None
            self.refresh()

    def _hint(self, key: str, binding: Any, enabled: bool, tooltip: str) -> KeyHint:
        shown = self.app.get_key_display(binding)
        return KeyHint(key, shown, binding.description, enabled, tooltip or binding.description)

    def render(self) -> Content:
        width = self.size.width
        key_style = self.get_visual_style("key-bar--key")
        text_style = self.get_visual_style("key-bar--description")
        hover_style = self.get_visual_style("key-bar--hover")
        palette = self._palette
        if palette is not None and 1 + palette.width > width:
            palette = None
        room = width - (1 + palette.width if palette is not None else 0)
        parts: list[Any] = []
        spans: list[tuple[int, int, KeyHint]] = []
        used = 0
        for hint in self._hints:
            if used + hint.width > room:
                break
            parts += self._parts(hint, key_style, text_style, hover_style)
            spans.append((used, used + hint.width, hint))
            used += hint.width
        parts.append(" " * (room - used))
        if palette is not None:
            spans.append((room + 1, width, palette))
            parts.append((PALETTE_EDGE, self.get_visual_style("key-bar--edge")))
            parts += self._parts(palette, key_style, text_style, hover_style)
        self._spans = spans
        return Content.assemble(*parts)

    def _parts(self, hint: KeyHint, key_style: Any, text_style: Any, hover_style: Any) -> list[Any]:
        if not hint.enabled:
            return [(hint.cells(), "dim")]
        if hint is self._hover:
            return [(hint.cells(), hover_style)]
        parts: list[Any] = [(f" {hint.shown} ", key_style)]
        if hint.description:
            parts.append((f"{hint.description} ", text_style))
        return parts

    def hint_at(self, x: int) -> KeyHint | None:
        """The key drawn at column ``x`` of the bar, if any."""
        for start, end, hint in self._spans:
            if start <= x < end:
                return hint
        return None

    def on_click(self, event: events.Click) -> None:
        event.stop()
        hint = self.hint_at(event.x)
        if hint is None:
            return
        if hint.enabled:
            self.app.simulate_key(hint.key)
        else:
            self.app.bell()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self._set_hover(self.hint_at(event.x))

    def on_leave(self, event: events.Leave) -> None:
        self._set_hover(None)

    def _set_hover(self, hint: KeyHint | None) -> None:
        if hint is self._hover:
            return
        self._hover = hint
        self.tooltip = hint.tooltip if hint is not None else None
        self.refresh()

"""The first frame: the browse screen's outline while the app connects.

It is drawn from a few light widgets, so it appears before the network stack and the real
screens are imported; the browse screen replaces it once the session is ready. The panes and
the task queue are one widget that draws their frames line by line: a frame drawn from a dozen
nested widgets took Textual about 30 ms more to paint, a fifth of the whole first frame.
"""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.app import ComposeResult
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget

from gtui.tui.widgets.key_bar import KeyBar
from gtui.tui.widgets.title_bar import TitleBar

QUEUE_ROWS = 9  # the task queue's height on the browse screen (gtui.tcss, #queue)


class PanesOutline(Widget):
    """Two pane frames over the task queue's frame, each pane saying what it waits for."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "panes-outline--border",
        "panes-outline--body",
        "panes-outline--bar",
        "panes-outline--queue",
    }
    DEFAULT_CSS = """
    PanesOutline {
        height: 1fr;
        .panes-outline--border { color: $border-blurred; background: $surface; }
        .panes-outline--body { background: $surface; }
        .panes-outline--bar { color: $text-muted; background: $panel; }
        .panes-outline--queue { color: $border-blurred; background: $background; }
    }
    """

    def __init__(self, waiting_for: str) -> None:
        super().__init__()
        self.waiting_for = waiting_for

    def say(self, text: str) -> None:
        self.waiting_for = text
        self.refresh()

    def render_line(self, y: int) -> Strip:
        width, height = self.size
        if width < 4 or height < 1:
            return Strip.blank(width)
        queue_top = max(height - QUEUE_ROWS, 0)
        if y >= queue_top:
            return self._queue_line(y - queue_top, height - queue_top, width)
        half = width // 2
        segments = [
            *self._pane_line(y, queue_top, half),
            *self._pane_line(y, queue_top, width - half),
        ]
        return Strip(segments, width)

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"panes-outline--{name}")

    def _pane_line(self, y: int, height: int, width: int) -> list[Segment]:
        border = self._style("border")
        inner = width - 2
        if y == 0:
            return [Segment("╭" + "─" * inner + "╮", border)]
        if y == height - 1:
            return [Segment("╰" + "─" * inner + "╯", border)]
        if y == 1:
            text, style = "", self._style("bar")
        elif y == height - 2:
            text, style = f" {self.waiting_for}", self._style("bar")
        else:
            text, style = "", self._style("body")
        return [
            Segment("│", border),
            Segment(text[:inner].ljust(inner), style),
            Segment("│", border),
        ]

    def _queue_line(self, y: int, height: int, width: int) -> Strip:
        style = self._style("queue")
        inner = width - 2
        if y == 0:
            title = " Tasks "
            line = "╭─" + title + "─" * max(inner - len(title) - 1, 0) + "╮"
            return Strip([Segment(line[:width], style)], width)
        if y == height - 1:
            return Strip([Segment("╰" + "─" * inner + "╯", style)], width)
        return Strip([Segment("│" + " " * inner + "│", style)], width)


class StartingScreen(Screen[None]):
    """The title bar, the outline of the panes and queue, and the key bar."""

    def __init__(self, waiting_for: str = "Connecting to Globus…") -> None:
        super().__init__(id="starting")
        self._waiting_for = waiting_for

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield PanesOutline(self._waiting_for)
        yield KeyBar()

    def say(self, text: str) -> None:
        """Change what both panes say they are waiting for."""
        self._waiting_for = text
        for outline in self.query(PanesOutline):  # none yet before the screen is composed
            outline.say(text)

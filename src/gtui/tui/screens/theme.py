"""Choosing a theme: the app previews each one as the cursor moves; Enter keeps it and writes
it to ``config.toml`` so the next start looks the same; Escape goes back to the old one."""

from __future__ import annotations

import logging
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from gtui.config import ConfigError, Settings, update_config
from gtui.tui.context import gtui

log = logging.getLogger(__name__)


def remember_theme(settings: Settings, name: str) -> None:
    """Write the theme to the config file: only that line changes, the user's comments stay
    (and environment overrides never get written into the file)."""
    if name == settings.general.theme:
        return
    settings.general.theme = name
    try:
        update_config({"general": {"theme": name}})
    except ConfigError as exc:
        log.warning("not saving the theme: %s", exc)
    except OSError as exc:
        log.warning("could not save the theme: %s", exc)


class ThemeScreen(ModalScreen[str | None]):
    """Every registered theme, previewed live."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="theme_cancel"),
    ]

    def __init__(self) -> None:
        super().__init__(classes="dialog-screen", id="theme-picker")
        self.original = ""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog themes"):
            yield Label("Theme", classes="dialog-title")
            yield OptionList(id="theme-list")
            yield Static(
                "↑↓ preview · Enter keep (saved in config.toml) · Esc back",
                classes="dialog-hint",
            )

    def on_mount(self) -> None:
        self.original = self.app.theme
        names = sorted(self.app.available_themes)
        option_list = self.query_one(OptionList)
        option_list.add_options([Option(name, id=name) for name in names])
        if self.original in names:
            option_list.highlighted = names.index(self.original)
        option_list.focus()

    @on(OptionList.OptionHighlighted)
    def _preview(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id:
            self.app.theme = event.option.id

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        name = event.option.id or self.original
        self.app.theme = name
        remember_theme(gtui(self).settings, name)
        self.dismiss(name)

    def action_cancel(self) -> None:
        self.app.theme = self.original
        self.dismiss(None)

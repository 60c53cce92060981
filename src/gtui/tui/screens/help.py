"""F1 / ?: every key and mouse action, generated from the bindings so it never goes stale.

Cells are plain ``Text``: keys such as ``[`` must not be read as markup.
"""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from gtui.tui.keys import MOUSE_HELP, iter_help_rows, own_bindings


class HelpScreen(ModalScreen[None]):
    """All keys, by where they work."""

    def __init__(self) -> None:
        super().__init__(classes="dialog-screen")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,question_mark,q", "close", "Close", id="help_close"),
    ]

    def compose(self) -> ComposeResult:
        self.rows = list(iter_help_rows(self.app, own_bindings(HelpScreen)))
        table = Table(box=None, expand=True, show_header=False, padding=(0, 1))
        table.add_column("keys", style="bold", min_width=14, ratio=1)
        table.add_column("does", ratio=3)
        group = None
        for where, keys, description in self.rows:
            if where != group:
                group = where
                table.add_row("", "")
                table.add_row(Text(where, style="underline"), "")
            table.add_row(Text(keys), Text(description))
        table.add_row("", "")
        table.add_row(Text("Mouse", style="underline"), "")
        for gesture, effect in MOUSE_HELP:
            table.add_row(Text(gesture), Text(effect))
        self.table = table
        with Vertical(classes="dialog help"):
            yield Label("Keys", classes="dialog-title")
            with VerticalScroll():
                yield Static(table)

    def action_close(self) -> None:
        self.dismiss(None)

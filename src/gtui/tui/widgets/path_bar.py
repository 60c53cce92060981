"""The editable path of a pane: Enter goes there, Tab completes folder names."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Input

COMPLETIONS_SHOWN = 8


class PathBar(Input):
    """An ``Input`` for a Globus path; completion candidates come from the screen."""

    DEFAULT_CSS = """
    PathBar {
        border: none;
        height: 1;
        padding: 0 1;
        background: $boost;
        &:focus { border: none; background: $primary 20%; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab", "complete", "Complete folder", show=False, id="path_complete"),
        Binding("escape", "cancel", "Back to the list", show=False, id="path_cancel"),
    ]

    @dataclass
    class CompletionRequested(Message):
        """Tab was pressed: list ``folder`` and offer its subfolders starting with ``prefix``."""

        path_bar: PathBar
        folder: str
        prefix: str

    @dataclass
    class Cancelled(Message):
        """Escape: put the shown path back and return to the listing."""

        path_bar: PathBar

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(placeholder="/path/to/folder/", id=id, select_on_focus=False)
        self.shown_path = ""

    def show_path(self, path: str) -> None:
        """Show where the pane is (without firing ``Changed`` handlers that matter)."""
        self.shown_path = path
        self.value = path
        self.cursor_position = len(path)

    def action_complete(self) -> None:
        folder, _, prefix = self.value.rpartition("/")
        self.post_message(self.CompletionRequested(self, (folder or "") + "/", prefix))

    def action_cancel(self) -> None:
        self.show_path(self.shown_path)
        self.post_message(self.Cancelled(self))

    def complete_with(self, folder: str, prefix: str, names: Iterable[str]) -> list[str]:
        """Extend the typed path with the common start of the matching folder names."""
        if self.value != folder + prefix:
            return []
        matches = sorted(name for name in names if name.startswith(prefix))
        if not matches:
            self.app.bell()
            self.notify(f"No folder in {folder} starts with “{prefix}”.", timeout=2, markup=False)
            return []
        common = os.path.commonprefix(matches)
        self.value = folder + common + ("/" if len(matches) == 1 else "")
        self.cursor_position = len(self.value)
        if len(matches) > 1:
            shown = ", ".join(matches[:COMPLETIONS_SHOWN])
            more = (
                f" and {len(matches) - COMPLETIONS_SHOWN:,} more"
                if len(matches) > COMPLETIONS_SHOWN
                else ""
            )
            self.notify(f"{len(matches):,} folders match: {shown}{more}", timeout=4, markup=False)
        return matches

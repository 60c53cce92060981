"""One line of text from the user: a new folder's name, a new name, a selection pattern."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static
from textual.widgets.input import Selection


def valid_name(value: str) -> str | None:
    """Why a file or folder name is not acceptable, or None when it is."""
    if not value.strip():
        return "A name cannot be empty."
    if "/" in value:
        return "A name cannot contain “/”."
    if value in (".", ".."):
        return "“.” and “..” are not names."
    return None


class PromptScreen(ModalScreen[str | None]):
    """Ask for a line of text; Enter accepts (if ``check`` finds no problem), Escape cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="prompt_cancel"),
    ]

    def __init__(
        self,
        title: str,
        *,
        value: str = "",
        placeholder: str = "",
        hint: str = "",
        check: Callable[[str], str | None] | None = None,
    ) -> None:
        super().__init__(classes="dialog-screen")
        self.title_text = title
        self.initial = value
        self.placeholder = placeholder
        self.hint = hint
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog prompt"):
            yield Label(self.title_text, classes="dialog-title", markup=False)
            yield Input(self.initial, placeholder=self.placeholder, id="prompt-input")
            yield Static(self.hint, classes="dialog-hint", markup=False)

    def on_mount(self) -> None:
        box = self.query_one(Input)
        box.focus()
        stem, dot, _ = self.initial.rpartition(".")
        box.selection = Selection(0, len(stem) if dot and stem else len(self.initial))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        problem = self.check(event.value) if self.check else None
        if problem:
            hint = self.query_one(".dialog-hint", Static)
            hint.update(problem)
            hint.add_class("-error")
            return
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)

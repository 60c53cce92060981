"""A yes/no question that lists exactly what it is about (for deletes and cancels)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

MAX_LISTED = 200


class ConfirmScreen(ModalScreen[bool]):
    """Ask before something that cannot be undone; ``y``/Enter says yes, ``n``/Escape no."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", id="confirm_yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm_no"),
    ]

    def __init__(
        self,
        title: str,
        message: str,
        items: Sequence[str] = (),
        *,
        yes: str = "Yes",
        no: str = "No",
        danger: bool = True,
    ) -> None:
        super().__init__(classes="dialog-screen")
        self.title_text = title
        self.message = message
        self.items = list(items)
        self.yes, self.no, self.danger = yes, no, danger

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog confirm"):
            yield Label(self.title_text, classes="dialog-title", markup=False)
            yield Static(self.message, classes="dialog-message", markup=False)
            if self.items:
                with VerticalScroll(classes="dialog-items"):
                    shown = self.items[:MAX_LISTED]
                    more = len(self.items) - len(shown)
                    text = "\n".join(f"• {item}" for item in shown)
                    if more:
                        text += f"\n… and {more:,} more"
                    yield Static(text, markup=False, classes="items")
            with Horizontal(classes="dialog-buttons"):
                yield Button(
                    self.yes, id="yes", variant="error" if self.danger else "primary", compact=True
                )
                yield Button(self.no, id="no", compact=True)

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)

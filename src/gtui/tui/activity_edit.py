"""The dialog that changes a running task's label and deadline (Transfer's ``update_task``).

A deadline is written the way the transfer dialog takes one (``12h``, ``2d``, an ISO date)
or the way a timer's start is (``tomorrow 9:30``, ``in 2h``, ``18:00``), in local time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static
from textual.widgets.input import Selection

from gtui.core.models import Task
from gtui.tui.schedule_input import parse_when
from gtui.tui.screens.transfer_options import LABEL_LIMIT, parse_deadline

DEADLINE_HINT = "12h · 2d · tomorrow 18:00 · in 3h · 2026-12-24 18:00 (empty: unchanged)"


@dataclass(frozen=True)
class TaskEdit:
    label: str
    deadline: datetime | None
    """None: leave the deadline as it is."""


def parse_deadline_words(text: str, now: datetime) -> datetime | None:
    """A new deadline from words, in UTC; empty is None (unchanged)."""
    if not text.strip():
        return None
    try:
        return parse_deadline(text, now)
    except ValueError as first:
        try:
            return parse_when(text, now, what="deadline")
        except ValueError:
            raise first from None


class TaskEditScreen(ModalScreen[TaskEdit | None]):
    """A running task's label and deadline; Enter saves, Escape leaves them."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="task_edit_cancel"),
    ]

    def __init__(self, task: Task, now: datetime) -> None:
        super().__init__(classes="dialog-screen")
        self.edited = task
        self.now = now

    def compose(self) -> ComposeResult:
        task = self.edited
        deadline = task.deadline.astimezone().strftime("%Y-%m-%d %H:%M") if task.deadline else ""
        with Vertical(classes="dialog task-edit"):
            yield Label("Change the task", classes="dialog-title")
            yield Static(
                f"{task.source_name} → {task.destination_name} · deadline now {deadline or 'none'}",
                classes="dialog-hint",
                markup=False,
            )
            with Grid(classes="options-grid"):
                yield Label("Label")
                yield Input(task.label or "", id="edit-label", max_length=LABEL_LIMIT, compact=True)
                yield Label("Deadline")
                yield Input(placeholder=DEADLINE_HINT, id="edit-deadline", compact=True)
            with Horizontal(classes="dialog-buttons"):
                yield Static("", id="edit-error", classes="dialog-hint -error")
                yield Button("Save", id="edit-save", variant="primary", compact=True)
                yield Button("Cancel", id="edit-cancel", compact=True)

    def on_mount(self) -> None:
        label = self.query_one("#edit-label", Input)
        label.focus()
        label.selection = Selection(0, len(label.value))

    @on(Input.Submitted)
    @on(Button.Pressed, "#edit-save")
    def _save(self, event: Input.Submitted | Button.Pressed) -> None:
        event.stop()
        label = self.query_one("#edit-label", Input).value.strip()
        try:
            deadline = parse_deadline_words(self.query_one("#edit-deadline", Input).value, self.now)
        except ValueError as exc:
            self.query_one("#edit-error", Static).update(str(exc))
            return
        self.dismiss(TaskEdit(label, deadline))

    @on(Button.Pressed, "#edit-cancel")
    def _cancel_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)

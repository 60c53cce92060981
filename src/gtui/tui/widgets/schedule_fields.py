"""The Schedule part of the transfer dialog: now (a task), once at a time, or repeating.

Only the rows that mean something for the choice are shown: "Start" for a timer, "Every"
and "Ends" for a repeating one, and the end's own field for "after N runs" or "on a date".
"""

from __future__ import annotations

from datetime import datetime

from textual import on
from textual.app import ComposeResult
from textual.containers import Grid
from textual.message import Message
from textual.widgets import Input, Label, Select

from gtui.tui.schedule_input import EVERY_HINT, START_HINT, ScheduleChoice, parse_schedule

WHEN_CHOICES = (
    ("Now, as one task", "now"),
    ("Once, at a time (a timer)", "once"),
    ("Repeat (a timer)", "repeat"),
)
END_CHOICES = (
    ("Never", "never"),
    ("After a number of runs", "count"),
    ("On a date", "time"),
)
END_LABELS = {"count": "Runs", "time": "Until"}
END_HINTS = {"count": "how many runs, such as 30", "time": "2027-01-31 · in 30d"}


class ScheduleFields(Grid):
    """Label and field rows, in the grid shape of the dialog's other options."""

    class Changed(Message):
        """The kind of schedule changed (the dialog renames its button)."""

        def __init__(self, kind: str) -> None:
            super().__init__()
            self.kind = kind

    def __init__(
        self, *, id: str | None = None, classes: str | None = None, repeat_every: str | None = None
    ) -> None:
        """``repeat_every``: open on a repeating timer with this interval (``1d``)."""
        super().__init__(id=id, classes=classes)
        self.repeat_every = repeat_every

    def compose(self) -> ComposeResult:
        yield Label("Schedule")
        kind = "repeat" if self.repeat_every else "now"
        yield Select(WHEN_CHOICES, value=kind, allow_blank=False, id="when", compact=True)
        yield Label("First run", id="first-run-label")
        yield Input(placeholder=START_HINT, id="first-run", compact=True)
        yield Label("Every", id="every-label")
        yield Input(self.repeat_every or "", placeholder=EVERY_HINT, id="every", compact=True)
        yield Label("Ends", id="ends-label")
        yield Select(END_CHOICES, value="never", allow_blank=False, id="ends", compact=True)
        yield Label("Runs", id="end-value-label")
        yield Input(id="end-value", compact=True)

    def on_mount(self) -> None:
        self._show_rows()

    @property
    def kind(self) -> str:
        return str(self.query_one("#when", Select).value)

    @on(Select.Changed)
    def _changed(self, event: Select.Changed) -> None:
        event.stop()
        self._show_rows()
        self.post_message(self.Changed(self.kind))

    def _show_rows(self) -> None:
        kind = self.kind
        ends = str(self.query_one("#ends", Select).value)
        timer, repeat = kind != "now", kind == "repeat"
        shown = {
            "first-run": timer,
            "every": repeat,
            "ends": repeat,
            "end-value": repeat and ends in END_LABELS,
        }
        for name, visible in shown.items():
            self.query_one(f"#{name}-label").display = visible
            self.query_one(f"#{name}").display = visible
        if ends in END_LABELS:
            self.query_one("#end-value-label", Label).update(END_LABELS[ends])
            self.query_one("#end-value", Input).placeholder = END_HINTS[ends]

    def choice(self, now: datetime) -> ScheduleChoice | None:
        """The schedule chosen (None: run now); raises ValueError with a sentence."""
        return parse_schedule(
            self.kind,
            self.query_one("#first-run", Input).value,
            self.query_one("#every", Input).value,
            str(self.query_one("#ends", Select).value),
            self.query_one("#end-value", Input).value,
            now,
        )

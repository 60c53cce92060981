"""The Activity view's filter dialog: which kinds and statuses, a label pattern, a date
range, a collection and free text. Enter applies it, Escape keeps the one before."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from gtui.core.activity import KINDS, STATUSES
from gtui.core.activity_filter import ActivityFilter
from gtui.tui.activity_words import parse_day_or_time
from gtui.tui.widgets.checkbox import Checkbox


def _local(moment: datetime | None) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment else ""


def _field_id(prefix: str, value: str) -> str:
    return f"{prefix}-{value.lower().replace(' ', '-')}"


class ActivityFiltersScreen(ModalScreen[ActivityFilter | None]):
    """Choose what the Activity view shows."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "apply", "Apply", id="activity_filter_apply"),
        Binding("escape", "cancel", "Cancel", id="activity_filter_cancel"),
    ]

    def __init__(self, current: ActivityFilter, now: datetime) -> None:
        super().__init__(classes="dialog-screen")
        self.current = current
        self.now = now

    def compose(self) -> ComposeResult:
        c = self.current
        with VerticalScroll(classes="dialog activity-filters"):
            yield Label("Filter activity", classes="dialog-title")
            with Grid(classes="activity-kinds"):
                for kind in KINDS:
                    yield Checkbox(kind, kind in c.kinds, id=_field_id("kind", kind), compact=True)
            with Grid(classes="activity-statuses"):
                for status in STATUSES:
                    yield Checkbox(
                        status.lower(),
                        status in c.statuses,
                        id=_field_id("status", status),
                        compact=True,
                    )
            yield Static("No status ticked: any status.", classes="dialog-hint")
            with Grid(classes="options-grid activity-fields"):
                for name, title, value, hint in (
                    ("label", "Label", c.label, "words, or * wildcards"),
                    ("since", "From", _local(c.since), "2026-11-01, yesterday, 7d"),
                    ("until", "To", _local(c.until), "2026-11-30, today"),
                    ("collection", "Collection", c.collection, "name or id"),
                    ("text", "Text", c.text, "in labels, collections, ids"),
                ):
                    yield Label(title)
                    yield Input(value, placeholder=hint, id=f"f-{name}", compact=True)
            with Horizontal(classes="dialog-buttons"):
                yield Static("", id="filter-error", classes="dialog-hint")
                yield Button("Apply", id="filter-apply", variant="primary", compact=True)
                yield Button("Clear", id="filter-clear", compact=True)
                yield Button("Cancel", id="filter-cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#f-label", Input).focus()

    def chosen(self) -> ActivityFilter:
        """The filter the dialog shows (raises ValueError for a date it cannot read)."""

        def ticked(prefix: str, value: str) -> bool:
            return self.query_one(f"#{_field_id(prefix, value)}", Checkbox).value

        def text(field: str) -> str:
            return self.query_one(f"#f-{field}", Input).value.strip()

        kinds = frozenset(kind for kind in KINDS if ticked("kind", kind))
        if not kinds:
            raise ValueError("Tick at least one kind.")
        return ActivityFilter(
            kinds=kinds,
            statuses=frozenset(s for s in STATUSES if ticked("status", s)),
            label=text("label"),
            since=parse_day_or_time(text("since"), self.now, end=False),
            until=parse_day_or_time(text("until"), self.now, end=True),
            collection=text("collection"),
            text=text("text"),
        )

    def action_apply(self) -> None:
        try:
            chosen = self.chosen()
        except ValueError as exc:
            error = self.query_one("#filter-error", Static)
            error.update(str(exc))
            error.add_class("-error")
            return
        self.dismiss(chosen)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_apply()

    @on(Button.Pressed, "#filter-apply")
    def _apply_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_apply()

    @on(Button.Pressed, "#filter-clear")
    def _clear_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(ActivityFilter())

    @on(Button.Pressed, "#filter-cancel")
    def _cancel_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)

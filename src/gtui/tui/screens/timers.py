"""The timers mode: every scheduled and recurring transfer, its next run and how runs went."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Static

from gtui.core.errors import GlobusError
from gtui.core.timer_models import Timer, schedule_in_words
from gtui.tui import timer_actions
from gtui.tui.context import gtui
from gtui.tui.format import plural
from gtui.tui.session_flows import with_consent_repair
from gtui.tui.timer_actions import TimerAction
from gtui.tui.timer_words import (
    last_run_words,
    needs_consent,
    next_run_words,
    runs_words,
    status_words,
)
from gtui.tui.widgets.key_bar import KeyBar
from gtui.tui.widgets.row_table import RowTable
from gtui.tui.widgets.title_bar import TitleBar

REFRESH_SECONDS = 5.0
WIDE = 130
MIN_NAME = 14
CELL_PADDING = 2
WIDE_COLUMNS = (
    ("schedule", "Schedule", 44),
    ("status", "Status", 13),
    ("next", "Next run", 28),
    ("last", "Last run", 20),
    ("runs", "Runs", 12),
)
NARROW_COLUMNS = (("status", "Status", 13), ("next", "Next run", 20), ("runs", "Runs", 9))
STATUS_STYLE = {"Needs consent": "bold", "Paused": "italic", "Finished": "dim", "Retrying": "bold"}
EMPTY = (
    "No timers yet. To make one, copy with F5 in the browser and choose a Schedule "
    "(once at a time, or repeat)."
)


class TimersScreen(Screen[None]):
    """My timers: Enter opens one; p pauses, r resumes, a repairs consent, F2 renames."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.switch_mode('browse')", "Browse", id="timers_back"),
        Binding("enter", "open_timer", "Open", id="timers_open"),
        Binding("p", "act('pause')", "Pause", id="timers_pause"),
        Binding("r", "act('resume')", "Resume", id="timers_resume"),
        Binding("a", "act('repair')", "Repair consent", id="timers_repair"),
        Binding("f2", "act('rename')", "Rename", id="timers_rename"),
        Binding("delete,d", "act('delete')", "Delete", id="timers_delete"),
        Binding("ctrl+r", "reload", "Refresh", id="timers_refresh"),
    ]

    def __init__(self) -> None:
        super().__init__(id="timers")
        self.rows: dict[str, Timer] = {}
        self._columns: tuple[tuple[str, str, int], ...] = ()

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static("Loading your timers…", id="timers-status", classes="screen-status")
        table: DataTable[Any] = RowTable(id="timers-table")
        yield table
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        gtui(self).timers.changed.subscribe(self, self._timers_changed)
        self.set_interval(REFRESH_SECONDS, self._refresh_if_shown)
        self.action_reload()

    def on_resize(self) -> None:
        if self._columns:
            self.show_timers(list(self.rows.values()))

    @staticmethod
    def columns_for(width: int, cells: list[dict[str, str]]) -> tuple[tuple[str, str, int], ...]:
        """(key, title, width) of the columns a screen this wide shows: each as wide as its
        longest cell (up to its limit), the name the rest. Narrow screens leave the schedule
        and the last run to the timer's detail."""
        fixed = WIDE_COLUMNS if width >= WIDE else NARROW_COLUMNS
        sized = []
        for key, title, limit in fixed:
            longest = max((len(row[key]) for row in cells), default=0)
            sized.append((key, title, max(len(title), min(limit, longest))))
        used = sum(w for _, _, w in sized) + CELL_PADDING * (len(sized) + 1)
        return (("name", "Timer", max(MIN_NAME, width - used - 2)), *sized)

    def on_screen_resume(self) -> None:
        if self.rows:
            self.action_reload()

    def _refresh_if_shown(self) -> None:
        if self.is_current:
            self.action_reload()

    # -- loading ----------------------------------------------------------------------------

    @work(group="timers-load", exclusive=True, exit_on_error=False)
    async def action_reload(self) -> None:
        app = gtui(self)
        try:
            await with_consent_repair(self, app.timers.load)
        except GlobusError as exc:
            self.query_one("#timers-status", Static).update("Could not load your timers.")
            app.report_error(exc, "Loading your timers")

    def _timers_changed(self, _changed: list[Timer]) -> None:
        self.show_timers(list(gtui(self).timers.timers.values()))

    def show_timers(self, timers: list[Timer]) -> None:
        table = self.query_one(DataTable)
        current = self.selected_timer()
        now = gtui(self).clock()
        timers.sort(key=lambda t: (t.status == "deleted", t.name.casefold(), t.job_id))
        self.rows = {t.job_id: t for t in timers}
        wide = self.size.width >= WIDE
        rows = [
            {
                "name": timer.name,
                "schedule": schedule_in_words(timer, now, with_runs=False),
                "status": status_words(timer),
                "next": next_run_words(timer, now, short=not wide),
                "last": last_run_words(timer, now),
                "runs": runs_words(timer),
            }
            for timer in timers
        ]
        columns = self.columns_for(self.size.width, rows)
        if columns != self._columns:
            table.clear(columns=True)
            for key, title, width in columns:
                table.add_column(title, key=key, width=width)
            self._columns = columns
        else:
            table.clear()
        for timer, row in zip(timers, rows, strict=True):
            cells: dict[str, Any] = dict(row)
            cells["name"] = Text(row["name"])
            cells["status"] = Text(row["status"], style=STATUS_STYLE.get(row["status"], ""))
            table.add_row(*(cells[key] for key, _, _ in columns), key=timer.job_id)
        if current is not None and current.job_id in self.rows:
            table.move_cursor(row=table.get_row_index(current.job_id))
        waiting = sum(1 for t in timers if needs_consent(t))
        text = plural(len(timers), "timer") if timers else EMPTY
        if waiting:
            text += f" · {waiting} need{'s' if waiting == 1 else ''} your consent (a repairs)"
        self.query_one("#timers-status", Static).update(text)

    def selected_timer(self) -> Timer | None:
        table = self.query_one(DataTable)
        if not self.rows or table.cursor_row < 0 or table.cursor_row >= table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.rows.get(key or "")

    # -- actions ----------------------------------------------------------------------------

    @on(DataTable.RowSelected, "#timers-table")
    def _row_chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_timer()

    def action_open_timer(self) -> None:
        from gtui.tui.screens.timer_detail import TimerDetailScreen

        timer = self.selected_timer()
        if timer is not None:
            self.app.push_screen(TimerDetailScreen(timer.job_id))

    @work(group="timers-action", exclusive=True, exit_on_error=False)
    async def action_act(self, name: str) -> None:
        timer = self.selected_timer()
        if timer is None:
            return
        action: TimerAction = getattr(timer_actions, name)
        await action(self, timer)

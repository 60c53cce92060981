"""One timer in full: what it copies, its schedule and state, and every run, each opening the
task that run started."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Static

from gtui.core.errors import GlobusAPIError, GlobusError
from gtui.core.timer_models import Timer, schedule_in_words
from gtui.tui import timer_actions
from gtui.tui.context import gtui
from gtui.tui.format import plural
from gtui.tui.session_flows import with_consent_repair
from gtui.tui.timer_actions import TimerAction
from gtui.tui.timer_words import (
    local_time,
    next_run_words,
    run_result,
    runs_words,
    status_words,
    why_inactive,
)
from gtui.tui.widgets.key_bar import KeyBar
from gtui.tui.widgets.row_table import RowTable
from gtui.tui.widgets.title_bar import TitleBar

REFRESH_SECONDS = 3.0


class TimerDetailScreen(Screen[None]):
    """A timer and its runs; Enter opens a run's task."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="timer_back"),
        Binding("enter", "open_run", "Open run's task", id="timer_open_run"),
        Binding("p", "act('pause')", "Pause", id="timer_pause"),
        Binding("r", "act('resume')", "Resume", id="timer_resume"),
        Binding("a", "act('repair')", "Repair consent", id="timer_repair"),
        Binding("f2", "act('rename')", "Rename", id="timer_rename"),
        Binding("delete,d", "act('delete')", "Delete", id="timer_delete"),
        Binding("ctrl+r", "reload", "Refresh", show=False, id="timer_refresh"),
    ]

    def __init__(self, job_id: str) -> None:
        super().__init__(classes="timer-detail")
        self.job_id = job_id
        self.timer: Timer | None = None
        self.names: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Vertical(id="timer-summary"):
            yield Static("Loading the timer…", id="timer-head", markup=False)
            yield Static("", id="timer-why", classes="dialog-warning", markup=False)
            yield Static("", id="timer-fields", markup=False)
        table: DataTable[Any] = RowTable(id="timer-runs")
        yield table
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Ran at", key="ran_at", width=17)
        table.add_column("Result", key="result", width=30)
        table.add_column("Task", key="task")
        table.focus()
        known = gtui(self).timers.timers.get(self.job_id)
        if known is not None:
            self.show(known)
        gtui(self).timers.changed.subscribe(self, self._timers_changed)
        self.set_interval(REFRESH_SECONDS, self._refresh_if_shown)
        self.action_reload()

    def _refresh_if_shown(self) -> None:
        if self.is_current:
            self.action_reload()

    def _timers_changed(self, changed: list[Timer]) -> None:
        timer = gtui(self).timers.timers.get(self.job_id)
        if timer is None and self.timer is not None and self.is_current:
            self.dismiss()
        elif timer is not None and timer is not self.timer:
            self.show(timer)

    @work(group="timer-load", exclusive=True, exit_on_error=False)
    async def action_reload(self) -> None:
        app = gtui(self)
        try:
            timer = await with_consent_repair(self, lambda: app.timers.refresh(self.job_id))
        except GlobusError as exc:
            if isinstance(exc, GlobusAPIError) and exc.http_status == 404:
                self.query_one("#timer-head", Static).update("This timer no longer exists.")
                return
            app.report_error(exc, "Reading the timer")
            return
        await self._learn_names(timer)
        self.show(timer)

    async def _learn_names(self, timer: Timer) -> None:
        transfer = gtui(self).session.transfer
        for collection_id in timer.collection_ids:
            if collection_id in self.names:
                continue
            try:
                doc = (await transfer.get_endpoint(collection_id)).document()
            except GlobusError:
                continue
            self.names[collection_id] = str(doc.get("display_name") or collection_id)

    def _where(self, collection_id: str | None, path: str | None) -> str:
        name = self.names.get(collection_id or "", collection_id or "?")
        return f"{name}:{path or '/'}"

    def show(self, timer: Timer) -> None:
        self.timer = timer
        now = gtui(self).clock()
        head = f"{timer.name}\n{schedule_in_words(timer, now)} · {status_words(timer)}"
        self.query_one("#timer-head", Static).update(head)
        why = why_inactive(timer, self.names)
        self.query_one("#timer-why", Static).update(why)
        self.query_one("#timer-why").display = bool(why)
        items = timer.items
        first = items[0] if items else None
        source = self._where(timer.source_collection_id, first.source_path if first else None)
        target = self._where(
            timer.destination_collection_id, first.destination_path if first else None
        )
        more = f" and {plural(len(items) - 1, 'more item')}" if len(items) > 1 else ""
        fields = [
            f"Copies     {source}{more}",
            f"       to  {target}",
            f"Next run   {next_run_words(timer, now)}",
            f"Runs       {runs_words(timer)}",
            f"Created    {local_time(timer.submitted_at)}",
        ]
        self.query_one("#timer-fields", Static).update("\n".join(fields))
        self._show_runs(timer)

    def _show_runs(self, timer: Timer) -> None:
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        for index, run in enumerate(timer.runs):
            result = run_result(run)
            style = "dim" if run.skipped else ("bold" if run.task_id is None else "")
            table.add_row(
                local_time(run.ran_at),
                Text(result, style=style),
                Text(run.label or (run.task_id or "no task"), style="dim" if run.skipped else ""),
                key=str(index),
            )
        if not timer.runs:
            table.add_row("", Text("No runs yet", style="dim"), "", key="none")
        if 0 <= row < table.row_count:
            table.move_cursor(row=row)

    # -- actions ----------------------------------------------------------------------------

    def action_back(self) -> None:
        self.dismiss()

    @on(DataTable.RowSelected, "#timer-runs")
    def _row_chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_run()

    def action_open_run(self) -> None:
        timer = self.timer
        table = self.query_one(DataTable)
        if timer is None or not 0 <= table.cursor_row < len(timer.runs):
            return
        run = timer.runs[table.cursor_row]
        if run.task_id is None:
            what = "was skipped" if run.skipped else "did not start a task"
            self.notify(f"This run {what}.", timeout=3)
            return
        gtui(self).open_task(run.task_id)

    @work(group="timer-action", exclusive=True, exit_on_error=False)
    async def action_act(self, name: str) -> None:
        if self.timer is None:
            return
        action: TimerAction = getattr(timer_actions, name)
        await action(self, self.timer)

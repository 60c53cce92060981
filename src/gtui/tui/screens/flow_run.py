"""One run of a flow: its state, flow, label and times, and its log as a timeline that grows
while the run goes on. An entry of a Transfer action names its task, and Enter on it opens
that task's detail. c cancels the run (asked first), r resumes a waiting one (giving the
consent it waits for), F2 relabels it.
"""

from __future__ import annotations

import functools
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Static

from gtui.core.errors import GlobusAPIError, GlobusError
from gtui.core.flow_models import FlowRun, RunLogEntry, log_entries_from_response, transfer_states
from gtui.tui import flow_actions
from gtui.tui.context import gtui
from gtui.tui.flow_words import (
    clock_time,
    entry_state,
    entry_words,
    local_time,
    run_summary,
    status_words,
)
from gtui.tui.session_flows import with_consent_repair
from gtui.tui.widgets.key_bar import KeyBar
from gtui.tui.widgets.row_table import RowTable
from gtui.tui.widgets.title_bar import TitleBar

POLL_SECONDS = 1.0
LOG_PAGE = 100
WIDE = 110


class FlowRunScreen(Screen[None]):
    """A run and its log; Enter on an entry of a Transfer action opens its task."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="flow_run_back"),
        Binding("enter", "open_task", "Open task", id="flow_run_open_task"),
        Binding("c", "act('cancel')", "Cancel run", id="flow_run_cancel"),
        Binding("r", "act('resume')", "Resume", id="flow_run_resume"),
        Binding("f2", "act('relabel')", "Relabel", id="flow_run_relabel"),
        Binding("ctrl+r", "reload", "Refresh", show=False, id="flow_run_refresh"),
    ]

    def __init__(self, run_id: str, *, run: FlowRun | None = None) -> None:
        super().__init__(classes="flow-run")
        self.run_id = run_id
        self.run: FlowRun | None = run
        self.entries: list[RunLogEntry] = []
        self._pages: list[tuple[str | None, int]] = []
        """Each log page read: the marker it was asked with, and how many entries it held."""
        self._transfer_states: frozenset[str] | None = None

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Vertical(id="flow-run-summary"):
            yield Static("Loading the run…", id="flow-run-head", markup=False)
            yield Static("", id="flow-run-why", classes="dialog-warning", markup=False)
            yield Static("", id="flow-run-fields", markup=False)
        table: DataTable[Any] = RowTable(id="flow-run-log")
        yield table
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Time", key="time", width=8)
        table.add_column("State", key="state", width=self._state_width())
        table.add_column("What happened", key="what")
        table.focus()
        self.query_one("#flow-run-why").display = False
        if self.run is not None:
            self.show_run(self.run)
        self.set_interval(POLL_SECONDS, self._poll)
        self.action_reload()

    def _state_width(self) -> int:
        return 18 if (self.app.size.width or 80) >= WIDE else 12

    def on_resize(self) -> None:
        if self.entries:
            self.show_entries()

    def _poll(self) -> None:
        if self.is_current and (self.run is None or not self.run.is_finished):
            self.action_reload()

    # -- loading ----------------------------------------------------------------------------

    @work(group="flow-run-load", exclusive=True, exit_on_error=False)
    async def action_reload(self) -> None:
        app = gtui(self)
        flows = app.session.flows
        try:
            run = await flow_actions.refresh(self, self.run_id)
            if self._transfer_states is None:
                self._transfer_states = await self._read_transfer_states()
            await self._read_new_entries(flows)
        except GlobusError as exc:
            if isinstance(exc, GlobusAPIError) and exc.http_status == 404:
                self.query_one("#flow-run-head", Static).update("This run no longer exists.")
                return
            app.report_error(exc, "Reading the run")
            return
        self.show_run(run)
        self.show_entries()
        self._follow_tasks()

    def _follow_tasks(self) -> None:
        """The tasks the run's actions started join the queue, followed live like the user's
        own (the queue otherwise learns of a task it did not submit only when it reloads)."""
        gtui(self).feed.follow(entry.task_id for entry in self.entries if entry.task_id)

    async def _read_transfer_states(self) -> frozenset[str]:
        """The run's states that call Transfer, from the definition it runs (so an action's
        id on them is a task's)."""
        flows = gtui(self).session.flows
        try:
            response = await with_consent_repair(
                self, lambda: flows.get_run_definition(self.run_id)
            )
        except GlobusError:
            return frozenset()
        definition = response.get("definition")
        return transfer_states(definition) if isinstance(definition, dict) else frozenset()

    async def _read_new_entries(self, flows: Any) -> None:
        """The log from the last page read on (asked again: it may have grown), then each
        page after it, following the service's marker."""
        if self._pages:
            marker, count = self._pages.pop()
            del self.entries[len(self.entries) - count :]
        else:
            marker = None
        seen: set[str] = set()
        while True:
            asked_with = marker
            response = await with_consent_repair(
                self, functools.partial(self._log_page, flows, asked_with)
            )
            page = log_entries_from_response(
                response, transfer_state_names=self._transfer_states or frozenset()
            )
            self.entries.extend(page)
            self._pages.append((asked_with, len(page)))
            marker = response.get("marker")
            if not response.get("has_next_page") or not isinstance(marker, str) or marker in seen:
                return
            seen.add(marker)

    async def _log_page(self, flows: Any, marker: str | None) -> Any:
        return await flows.get_run_logs(self.run_id, limit=LOG_PAGE, marker=marker)

    # -- drawing ----------------------------------------------------------------------------

    def show_run(self, run: FlowRun) -> None:
        self.run = run
        title = run.label or run.flow_title or run.run_id
        status = status_words(run)
        self.query_one("#flow-run-head", Static).update(f"{title}\n{status} · {run_summary(run)}")
        why = ""
        if run.status == "INACTIVE":
            why = (
                "This run waits for a consent. Press r to give it and resume the run."
                if run.inactive_requirement() is not None
                else "This run waits. Press r to resume it."
            )
        line = self.query_one("#flow-run-why", Static)
        line.update(why)
        line.display = bool(why)
        started = local_time(run.start_time, seconds=True) or "—"
        ended = local_time(run.completion_time, seconds=True) or "—"
        fields = [
            f"Flow     {run.flow_title or run.flow_id}",
            f"Label    {run.label or '—'}" + (f" · tags {', '.join(run.tags)}" if run.tags else ""),
            f"Started  {started} · ended {ended}",
            f"Run id   {run.run_id}",
        ]
        self.query_one("#flow-run-fields", Static).update("\n".join(fields))

    def show_entries(self) -> None:
        table = self.query_one(DataTable)
        row = table.cursor_row
        at_end = row >= table.row_count - 1
        table.clear()
        short = (self.app.size.width or 80) < WIDE
        for index, entry in enumerate(self.entries):
            style = "bold" if entry.is_failure else ("underline" if entry.task_id else "")
            table.add_row(
                clock_time(entry.time),
                Text(entry_state(entry), style="dim" if not entry.state_name else ""),
                Text(entry_words(entry, short_ids=short), style=style),
                key=str(index),
            )
        if not self.entries:
            table.add_row("", "", Text("Nothing logged yet", style="dim"), key="none")
        # The cursor follows the newest entry unless the user moved it up to read.
        target = table.row_count - 1 if at_end else row
        if 0 <= target < table.row_count:
            table.move_cursor(row=target)

    def selected_entry(self) -> RunLogEntry | None:
        table = self.query_one(DataTable)
        if not 0 <= table.cursor_row < len(self.entries):
            return None
        return self.entries[table.cursor_row]

    # -- actions ----------------------------------------------------------------------------

    def action_back(self) -> None:
        self.dismiss()

    @on(DataTable.RowSelected, "#flow-run-log")
    def _row_chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_task()

    def action_open_task(self) -> None:
        entry = self.selected_entry()
        if entry is None:
            return
        if entry.task_id is None:
            self.notify("This entry names no transfer task.", timeout=3)
            return
        gtui(self).open_task(entry.task_id)

    @work(group="flow-run-action", exclusive=True, exit_on_error=False)
    async def action_act(self, name: str) -> None:
        if self.run is None:
            return
        action = getattr(flow_actions, name)
        changed = await action(self, self.run)
        if isinstance(changed, FlowRun):
            self.show_run(changed)
            self.action_reload()

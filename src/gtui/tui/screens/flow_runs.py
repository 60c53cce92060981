"""Recent runs: of one flow (r on the Flows screen) or of every flow I ran (m), newest first;
Enter opens one."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Static

from gtui.core.errors import GlobusError
from gtui.core.flow_models import Flow, FlowRun, runs_from_response
from gtui.tui import flow_actions
from gtui.tui.context import gtui
from gtui.tui.flow_words import local_time, status_words
from gtui.tui.format import plural
from gtui.tui.session_flows import with_consent_repair
from gtui.tui.widgets.key_bar import KeyBar
from gtui.tui.widgets.row_table import RowTable
from gtui.tui.widgets.title_bar import TitleBar

REFRESH_SECONDS = 5.0
MAX_RUNS = 500
STATUS_STYLE = {"Needs consent": "bold", "Failed": "bold", "Running": "", "Canceled": "dim"}


def newest_first(runs: list[FlowRun]) -> list[FlowRun]:
    never = datetime.min.replace(tzinfo=UTC)
    return sorted(runs, key=lambda run: run.start_time or never, reverse=True)


class FlowRunsScreen(Screen[None]):
    """Runs of a flow (or all mine); Enter opens one, c cancels, F2 relabels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="flow_runs_back"),
        Binding("enter", "open_run", "Open", id="flow_runs_open"),
        Binding("c", "act('cancel')", "Cancel run", id="flow_runs_cancel"),
        Binding("f2", "act('relabel')", "Relabel", id="flow_runs_relabel"),
        Binding("ctrl+r", "reload", "Refresh", id="flow_runs_refresh"),
    ]

    def __init__(self, flow: Flow | None) -> None:
        super().__init__(classes="flow-runs")
        self.flow = flow
        self.runs: list[FlowRun] = []

    def compose(self) -> ComposeResult:
        yield TitleBar()
        what = f"Runs of “{self.flow.title}”" if self.flow else "My runs of every flow"
        yield Static(what, id="flow-runs-title", classes="section-title", markup=False)
        yield Static("Loading the runs…", id="flow-runs-status", classes="screen-status")
        table: DataTable[Any] = RowTable(id="flow-runs-table")
        yield table
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Started", key="started", width=16)
        table.add_column("Status", key="status", width=13)
        table.add_column("Label", key="label")
        if self.flow is None:
            table.add_column("Flow", key="flow")
        table.focus()
        self.set_interval(REFRESH_SECONDS, self._refresh_if_shown)
        self.action_reload()

    def on_screen_resume(self) -> None:
        if self.runs:
            self.action_reload()

    def _refresh_if_shown(self) -> None:
        if self.is_current:
            self.action_reload()

    @work(group="flow-runs-load", exclusive=True, exit_on_error=False)
    async def action_reload(self) -> None:
        app = gtui(self)
        flows = app.session.flows
        flow_id = self.flow.id if self.flow is not None else None

        async def fetch() -> list[FlowRun]:
            found: list[FlowRun] = []
            pages = flows.paginated.list_runs(
                filter_flow_id=flow_id, filter_roles=None if flow_id else "run_owner"
            )
            async for page in pages:
                found.extend(runs_from_response(page))
                if len(found) >= MAX_RUNS:
                    break
            return found

        try:
            runs = await with_consent_repair(self, fetch)
        except GlobusError as exc:
            self.query_one("#flow-runs-status", Static).update("Could not load the runs.")
            app.report_error(exc, "Loading the runs")
            return
        self.show(newest_first(runs))

    def show(self, runs: list[FlowRun]) -> None:
        table = self.query_one(DataTable)
        current = self.selected_run()
        self.runs = runs
        table.clear()
        for run in runs:
            status = status_words(run)
            cells: list[Any] = [
                local_time(run.start_time),
                Text(status, style=STATUS_STYLE.get(status, "")),
                Text(run.label or "—"),
            ]
            if self.flow is None:
                cells.append(Text(run.flow_title or run.flow_id, style="dim"))
            table.add_row(*cells, key=run.run_id)
        if current is not None and any(r.run_id == current.run_id for r in runs):
            table.move_cursor(row=table.get_row_index(current.run_id))
        running = sum(1 for run in runs if not run.is_finished)
        text = plural(len(runs), "run") if runs else "No runs yet. Start one with Enter on a flow."
        if running:
            text += f" · {running} not finished"
        self.query_one("#flow-runs-status", Static).update(text)

    def selected_run(self) -> FlowRun | None:
        table = self.query_one(DataTable)
        if not self.runs or not 0 <= table.cursor_row < table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((run for run in self.runs if run.run_id == key), None)

    def action_back(self) -> None:
        self.dismiss()

    @on(DataTable.RowSelected, "#flow-runs-table")
    def _row_chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_run()

    def action_open_run(self) -> None:
        from gtui.tui.screens.flow_run import FlowRunScreen

        run = self.selected_run()
        if run is not None:
            self.app.push_screen(FlowRunScreen(run.run_id, run=run))

    @work(group="flow-runs-action", exclusive=True, exit_on_error=False)
    async def action_act(self, name: str) -> None:
        run = self.selected_run()
        if run is None:
            return
        changed = await getattr(flow_actions, name)(self, run)
        if changed is not None:
            self.action_reload()

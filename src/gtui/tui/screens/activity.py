"""The activity mode: every transfer and delete task, timer run and flow run, newest first,
filtered and searched over the whole history, as the Globus web app's Activity page.

Rows come from ``gtui.core.activity_pager`` a page at a time: the first page when the
screen opens or the filter changes, the next as the cursor nears the end. Enter opens a
row (a task's detail; a timer run's task; a flow run's detail); ``e`` changes a running
task's label and deadline, ``r`` resubmits a finished task's failed files, ``x`` writes
the whole view to a CSV or JSON file.
"""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Input, Static
from textual.widgets.input import Selection

from gtui.core.activity import ActivityRow, row_from_flow_run
from gtui.core.activity_filter import ActivityFilter
from gtui.core.activity_pager import ActivityPager
from gtui.core.errors import GlobusError
from gtui.core.models import Task
from gtui.tui import activity_actions
from gtui.tui.activity_list import ActivityList
from gtui.tui.activity_words import filter_words
from gtui.tui.context import gtui
from gtui.tui.format import plural
from gtui.tui.session_flows import with_consent_repair
from gtui.tui.widgets.key_bar import KeyBar
from gtui.tui.widgets.title_bar import TitleBar

PAGE_ROWS = 60
RUN_POLL_SECONDS = 5.0
MAX_RUNS_POLLED = 20
"""Running flow runs read again per tick, newest first (a request each)."""
EMPTY = "Nothing yet: transfers, deletes, timer runs and flow runs show here."
NOTHING_MATCHES = "Nothing matches the filter (f changes it, c clears it)."


class ActivityScreen(Screen[None]):
    """Everything gtui and Globus ran for me; Enter opens, f filters, / searches."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Browse", id="activity_back"),
        Binding("slash", "search", "Search", id="activity_search"),
        Binding("f", "filters", "Filter", id="activity_filters"),
        Binding("c", "clear_filters", "Clear filter", show=False, id="activity_clear"),
        Binding("e", "edit", "Edit", id="activity_edit"),
        Binding("r", "resubmit_failed", "Resubmit failed", id="activity_resubmit"),
        Binding("x", "export", "Export", id="activity_export"),
        Binding("ctrl+r", "reload", "Refresh", id="activity_refresh"),
    ]

    def __init__(self) -> None:
        super().__init__(id="activity")
        self.wanted = ActivityFilter()
        self.pager: ActivityPager | None = None
        self._flow_runs: activity_actions.FlowRunsReader | None = None
        self._reading = False

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static("Loading your activity…", id="activity-status", classes="screen-status")
        yield Input(
            placeholder="Search labels, collections and ids (/ here, Enter to search)",
            id="activity-search",
            compact=True,
        )
        yield ActivityList(id="activity-list")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(ActivityList).focus()
        gtui(self).feed.changed.subscribe(self, self._tasks_changed)
        self.set_interval(RUN_POLL_SECONDS, self._poll_runs)
        self.action_reload()

    def _poll_runs(self) -> None:
        if self.is_current and self.activity_list.running_flow_run_ids():
            self._read_running_runs()

    @work(group="activity-runs", exclusive=True, exit_on_error=False)
    async def _read_running_runs(self) -> None:
        """The running flow runs among the rows, read again (the feed follows tasks only):
        their rows show a run's end without Ctrl+R. Quiet on failure: the next tick tries."""
        flows = gtui(self).session.flows
        for run_id in self.activity_list.running_flow_run_ids()[:MAX_RUNS_POLLED]:
            try:
                document = (await flows.get_run(run_id)).data
            except GlobusError:
                return
            if not isinstance(document, dict):
                continue
            if self.activity_list.replace_row(row_from_flow_run(document)):
                self._say_counts()

    def _tasks_changed(self, tasks: list[Task]) -> None:
        """The feed's news of tasks: their rows show it at once (a running task's status,
        bytes and end), as the queue does."""
        if self.activity_list.update_tasks(tasks):
            self._say_counts()

    def _follow_running(self) -> None:
        """The running tasks among the rows are followed by the feed while the view is open,
        so their rows move on by themselves (the queue follows only the recent ones)."""
        known = gtui(self).feed.follow(self.activity_list.running_task_ids())
        self.activity_list.update_tasks(known)

    def on_screen_resume(self) -> None:
        """Back from another mode or a task's detail: what ran meanwhile shows too."""
        if self.pager is not None:
            self.action_reload()

    @property
    def activity_list(self) -> ActivityList:
        return self.query_one(ActivityList)

    # -- reading ----------------------------------------------------------------------------

    @work(group="activity-load", exclusive=True, exit_on_error=False)
    async def action_reload(self) -> None:
        """Read the first page again (a new filter, or ctrl+r)."""
        pager, self._flow_runs = activity_actions.new_pager(self, self.wanted)
        self.pager = pager
        self._reading = True
        self._say("Reading your activity…")
        try:
            rows = await with_consent_repair(self, lambda: pager.more(PAGE_ROWS))
        except GlobusError as exc:
            self._say("Could not read your activity.")
            gtui(self).report_error(exc, "Reading your activity")
            return
        finally:
            self._reading = False
        if self.pager is pager:
            listed = self.activity_list
            current = listed.cursor_row
            listed.set_rows(rows)
            listed.move_to(current.id if current else None)
            self._follow_running()
            self._say_counts()

    @on(ActivityList.MoreWanted)
    def _more_wanted(self, event: ActivityList.MoreWanted) -> None:
        event.stop()
        if self.pager is not None and not self.pager.exhausted and not self._reading:
            self._read_more()

    @work(group="activity-more", exclusive=True, exit_on_error=False)
    async def _read_more(self) -> None:
        pager = self.pager
        if pager is None:
            return
        self._reading = True
        self._say_counts(reading=True)
        try:
            rows = await with_consent_repair(self, lambda: pager.more(PAGE_ROWS))
        except GlobusError as exc:
            gtui(self).report_error(exc, "Reading more of your activity")
            return
        finally:
            self._reading = False
        if self.pager is pager:
            self.activity_list.add_rows(rows)
            self._follow_running()
            self._say_counts()

    # -- what the status line says ------------------------------------------------------------

    def _say(self, text: str) -> None:
        self.query_one("#activity-status", Static).update(text)

    def _say_counts(self, *, reading: bool = False) -> None:
        listed = self.activity_list
        pager = self.pager
        count = len(listed.rows)
        more = pager is not None and not pager.exhausted
        parts = [
            plural(count, "row")
            + (", reading more…" if reading else ", more below" if more else "")
        ]
        words = filter_words(self.wanted)
        if words:
            parts.append("filter: " + words)
        if self._flow_runs is not None and self._flow_runs.missing_consent:
            parts.append("no flow runs: Flows not consented (6)")
        elif self._flow_runs is not None and self._flow_runs.unavailable:
            parts.append("no flow runs: Flows did not answer (Ctrl+R to try again)")
        hidden = listed.columns.hidden_caption
        if hidden:
            parts.append(hidden)
        self._say(" · ".join(parts))
        listed.empty_text = NOTHING_MATCHES if not self.wanted.is_default else EMPTY
        listed.refresh()

    def on_resize(self) -> None:
        if self.pager is not None and not self._reading:
            self._say_counts()

    # -- filters ----------------------------------------------------------------------------

    def apply_filter(self, wanted: ActivityFilter) -> None:
        """Show the rows ``wanted`` matches, from the newest."""
        self.wanted = wanted
        search = self.query_one("#activity-search", Input)
        if search.value != wanted.text:
            search.value = wanted.text
        self.action_reload()

    def action_search(self) -> None:
        """Focus the search box, its words selected (typing replaces them)."""
        search = self.query_one("#activity-search", Input)
        search.focus()
        search.selection = Selection(0, len(search.value))

    @on(Input.Submitted, "#activity-search")
    def _searched(self, event: Input.Submitted) -> None:
        event.stop()
        self.apply_filter(_with_text(self.wanted, event.value.strip()))
        self.activity_list.focus()

    @work(group="activity-dialog", exclusive=True, exit_on_error=False)
    async def action_filters(self) -> None:
        from gtui.tui.activity_filters import ActivityFiltersScreen
        from gtui.tui.screen_wait import wait_for_screen

        chosen = await wait_for_screen(
            self.app, ActivityFiltersScreen(self.wanted, gtui(self).clock())
        )
        if chosen is not None:
            self.apply_filter(chosen)

    def action_clear_filters(self) -> None:
        if not self.wanted.is_default:
            self.apply_filter(ActivityFilter())

    def action_back(self) -> None:
        search = self.query_one("#activity-search", Input)
        if search.has_focus:
            self.activity_list.focus()
            return
        self.app.switch_mode("browse")

    # -- a row ------------------------------------------------------------------------------

    @on(ActivityList.RowChosen)
    def _row_chosen(self, event: ActivityList.RowChosen) -> None:
        event.stop()
        self.open_row(event.row)

    def open_row(self, row: ActivityRow) -> None:
        if row.kind == "flow run":
            activity_actions.open_flow_run(self, row)
        elif row.task_id:
            gtui(self).open_task(row.task_id)
        else:
            self.notify("This timer run started no task.", severity="warning", timeout=4)

    @work(group="activity-action", exclusive=True, exit_on_error=False)
    async def action_edit(self) -> None:
        row = self.activity_list.cursor_row
        if row is None:
            return
        changed = await activity_actions.edit_task(self, row)
        if changed is not None:
            self.activity_list.replace_row(changed)

    @work(group="activity-action", exclusive=True, exit_on_error=False)
    async def action_resubmit_failed(self) -> None:
        row = self.activity_list.cursor_row
        if row is not None:
            await activity_actions.resubmit_failed(self, row)

    @work(group="activity-action", exclusive=True, exit_on_error=False)
    async def action_export(self) -> None:
        await activity_actions.export_view(self, self.wanted)


def _with_text(wanted: ActivityFilter, text: str) -> ActivityFilter:
    return replace(wanted, text=text)

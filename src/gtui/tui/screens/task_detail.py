"""One task in full: a summary that fits the screen, its events as sentences, the files it moved
or skipped, pause info, and every field of the task document.

On a short terminal the summary shrinks to the lines that matter (status and progress, the
route, what went wrong) and the full field list moves to its own tab, so the events stay in
view. An event's raw details are folded: Enter shows them for the event under the cursor.
An INACTIVE task says what it waits for, and the repair key gives it that consent.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import OptionList, Static, TabbedContent, TabPane
from textual.widgets.option_list import Option

from gtui.core.errors import GlobusError
from gtui.core.models import SkippedError, SuccessfulTransfer, Task, TaskEvent
from gtui.tui import task_submission
from gtui.tui.context import gtui
from gtui.tui.screens.confirm import ConfirmScreen
from gtui.tui.service_words import clean_message
from gtui.tui.task_events import details_text, event_clock, event_sentence, event_time, final_event
from gtui.tui.task_inactive import REPAIR_KEY
from gtui.tui.task_summary import compact_summary, summary_table
from gtui.tui.widgets.key_bar import KeyBar
from gtui.tui.widgets.title_bar import TitleBar

LIST_LIMIT = 1000
REFRESH_SECONDS = 2.0
# Rows the screen needs besides the summary: header, the summary's border, tabs, key bar.
SUMMARY_CHROME = 6
# The full summary is shown only when at least this many rows are left for the events.
MIN_EVENT_ROWS = 10


class TaskDetailScreen(Screen[None]):
    """Everything about one task, refreshed while it runs."""

    DEFAULT_CSS = """
    #task-events {
        height: 1fr;
        border: none;
    }
    #event-details {
        height: auto;
        max-height: 50%;
        padding: 0 1;
        color: $text-muted;
        overflow-y: auto;
    }
    #event-details.-open {
        border-top: solid $border-blurred;
        color: $text;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="detail_back"),
        Binding("enter", "toggle_details", "Event details", id="detail_event_details"),
        Binding("x", "cancel_task", "Cancel task", id="detail_cancel"),
        Binding("r", "resubmit", "Resubmit", id="detail_resubmit"),
        Binding(REPAIR_KEY, "repair_consent", "Repair consent", id="detail_repair"),
        Binding("y", "copy_id", "Copy id", id="detail_copy"),
        Binding("ctrl+r", "reload", "Refresh", show=False, id="detail_refresh"),
    ]

    def __init__(self, task_id: str) -> None:
        super().__init__(classes="task-detail")
        self.task_id = task_id
        self.task_doc: Task | None = None
        self.events: list[TaskEvent] = []
        self.shown_events: list[TaskEvent] = []
        self.details_open = False
        self.compact = False

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static("Loading…", id="task-summary")
        with TabbedContent(id="task-tabs"):
            with TabPane("Events", id="tab-events"):
                yield OptionList(id="task-events")
                yield Static("", id="event-details")
            with TabPane("Transferred", id="tab-done"), VerticalScroll():
                yield Static("", id="task-done")
            with TabPane("Skipped errors", id="tab-skipped"), VerticalScroll():
                yield Static("", id="task-skipped")
            with TabPane("Pause info", id="tab-pause"), VerticalScroll():
                yield Static("", id="task-pause")
            with TabPane("All fields", id="tab-fields"), VerticalScroll():
                yield Static("", id="task-fields")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#task-events", OptionList).focus()
        feed = gtui(self).feed
        known = feed.tasks.get(self.task_id)
        if known is not None:
            self._show_task(known)
        feed.changed.subscribe(self, self._tasks_changed)
        feed.watch(self.task_id)
        self.reload()
        self.set_interval(REFRESH_SECONDS, self._tick)

    def on_resize(self, event: events.Resize) -> None:
        if self.task_doc is not None:
            self._show_task(self.task_doc)

    def _tasks_changed(self, tasks: list[Task]) -> None:
        if not self.is_attached:
            return
        for task in tasks:
            if task.task_id == self.task_id:
                self._show_task(task)

    def _tick(self) -> None:
        if self.task_doc is None or not self.task_doc.is_finished:
            self.reload()

    # -- the summary ------------------------------------------------------------------------

    def _show_task(self, task: Task) -> None:
        app = gtui(self)
        was_inactive = self.task_doc is not None and self.task_doc.status == "INACTIVE"
        self.task_doc = task
        if not self.is_attached:
            return
        if was_inactive != (task.status == "INACTIVE"):
            self.refresh_bindings()
        self.sub_title = task.label or task.title
        expected = app.feed.expected_bytes.get(task.task_id)
        width = max(self.size.width - 4, 20)
        full = summary_table(task, app.clock(), expected, value_width=max(width // 2 - 20, 12))
        self.compact = not self._fits(full, width)
        summary: RenderableType = compact_summary(task, expected, width) if self.compact else full
        self.query_one("#task-summary", Static).update(summary)
        self.query_one("#task-fields", Static).update(full)
        tabs = self.query_one(TabbedContent)
        if task.type == "DELETE":
            # Nothing is transferred by a delete: an empty "Transferred (0)" tab would read
            # as if it had failed. Its counts are in the summary.
            tabs.hide_tab("tab-done")
        if self.compact:
            tabs.show_tab("tab-fields")
        else:
            if tabs.active == "tab-fields":
                tabs.active = "tab-events"
            tabs.hide_tab("tab-fields")

    def _fits(self, table: Table, width: int) -> bool:
        """Whether the full summary leaves the events enough rows at this height."""
        if not self.size.height:
            return True
        console = self.app.console
        rows = len(console.render_lines(table, console.options.update_width(width), pad=False))
        return self.size.height - rows - SUMMARY_CHROME >= MIN_EVENT_ROWS

    # -- loading ----------------------------------------------------------------------------

    @work(group="task-detail", exclusive=True, exit_on_error=False)
    async def reload(self) -> None:
        app = gtui(self)
        client = app.session.transfer
        try:
            task = Task.from_api((await client.get_task(self.task_id)).document())
            events = [
                TaskEvent.from_api(doc)
                async for doc in client.paginated.task_event_list(self.task_id).items()
            ]
            done = [] if task.type == "DELETE" else await self._successful(task.task_id)
            skipped = [
                SkippedError.from_api(doc)
                async for doc in client.paginated.task_skipped_errors(self.task_id).items()
            ]
            pause = (await client.task_pause_info(self.task_id)).data if task.is_paused else None
        except GlobusError as exc:
            app.report_error(exc, "Loading the task")
            return
        app.feed.publish([task])
        self._show_task(task)
        self._show_events(events)
        self._show_done(done)
        self._show_skipped(skipped)
        self._show_pause(task, pause)

    async def _successful(self, task_id: str) -> list[SuccessfulTransfer]:
        """The first files a transfer moved (Transfer keeps no such list for a delete)."""
        done = []
        client = gtui(self).session.transfer
        async for doc in client.paginated.task_successful_transfers(task_id).items():
            done.append(SuccessfulTransfer.from_api(doc))
            if len(done) >= LIST_LIMIT:
                break
        return done

    # -- events -----------------------------------------------------------------------------

    def _show_events(self, events: list[TaskEvent]) -> None:
        """The events newest first, one sentence each, errors marked with a red ✗."""
        self.events = events
        ordered = sorted(events, key=event_time, reverse=True)
        self.query_one(TabbedContent).get_tab("tab-events").label = f"Events ({len(events)})"
        listing = self.query_one("#task-events", OptionList)
        if ordered == self.shown_events and listing.option_count:
            return
        kept = listing.highlighted
        old = self.shown_events[kept] if kept is not None and self.shown_events else None
        self.shown_events = ordered
        final = final_event(self.task_doc, ordered)
        finished = self.task_doc is not None and self.task_doc.is_finished
        deleting = self.task_doc is not None and self.task_doc.type == "DELETE"
        now = gtui(self).clock()
        listing.clear_options()
        if not ordered:
            listing.add_option(Option(Text("No events yet.", style="dim"), disabled=True))
            self._show_details()
            return
        listing.add_options(
            Option(self._event_row(e, now, final=e is final, finished=finished, deleting=deleting))
            for e in ordered
        )
        # A cursor left on the newest event follows the news; one moved (or reading the
        # details) stays on its event.
        follow = kept == 0 and not self.details_open
        listing.highlighted = ordered.index(old) if old in ordered and not follow else 0
        self._show_details()

    @staticmethod
    def _event_row(
        event: TaskEvent, now: datetime, *, final: bool, finished: bool, deleting: bool
    ) -> Table:
        row = Table.grid(padding=(0, 1))
        row.add_column(width=12, no_wrap=True, style="dim")
        row.add_column(width=1, no_wrap=True)
        row.add_column(ratio=1)
        sentence = event_sentence(event, final=final, finished=finished, deleting=deleting)
        style = "bold red" if event.is_error else ""
        marker = Text("✗", style="bold red") if event.is_error else Text(" ")
        row.add_row(event_clock(event, now), marker, Text(sentence, style=style))
        return row

    @on(OptionList.OptionHighlighted, "#task-events")
    def _event_highlighted(self) -> None:
        self._show_details()

    @on(OptionList.OptionSelected, "#task-events")
    def _event_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_toggle_details()

    def action_toggle_details(self) -> None:
        """Unfold (or fold) the raw details of the event under the cursor."""
        self.details_open = not self.details_open
        self._show_details()

    def _show_details(self) -> None:
        pane = self.query_one("#event-details", Static)
        index = self.query_one("#task-events", OptionList).highlighted
        opened = self.details_open and index is not None and index < len(self.shown_events)
        pane.set_class(opened, "-open")
        if opened and index is not None:
            pane.update(details_text(self.shown_events[index]))
        else:
            pane.update("enter: show the details of the event under the cursor")
        pane.display = bool(self.shown_events)

    # -- the other tabs ---------------------------------------------------------------------

    def _show_done(self, done: list[SuccessfulTransfer]) -> None:
        lines = "\n".join(f"{d.source_path}  →  {d.destination_path}" for d in done)
        if len(done) >= LIST_LIMIT:
            lines += f"\n… (first {LIST_LIMIT:,} shown)"
        self.query_one("#task-done", Static).update(Text(lines or "No files transferred yet."))
        self.query_one(TabbedContent).get_tab("tab-done").label = f"Transferred ({len(done)})"

    def _show_skipped(self, skipped: list[SkippedError]) -> None:
        table = Table(box=None, expand=True, padding=(0, 1))
        table.add_column("Path", ratio=1)
        table.add_column("Error", no_wrap=True)
        table.add_column("Details", ratio=1)
        for item in skipped:
            table.add_row(
                item.source_path,
                Text(item.error_code, style="bold red"),
                clean_message(item.error_details),
            )
        self.query_one("#task-skipped", Static).update(table if skipped else "No skipped errors.")
        self.query_one(TabbedContent).get_tab(
            "tab-skipped"
        ).label = f"Skipped errors ({len(skipped)})"

    def _show_pause(self, task: Task, pause: object) -> None:
        if not task.is_paused:
            text = "The task is not paused."
        else:
            rules = (pause or {}).get("pause_rules", []) if isinstance(pause, dict) else []
            messages = [r.get("message") or "(no message)" for r in rules if isinstance(r, dict)]
            admin = (pause or {}).get("message") if isinstance(pause, dict) else None
            text = "\n".join(filter(None, [admin, *messages])) or "Paused by an administrator."
        self.query_one("#task-pause", Static).update(Text(text))

    # -- actions ----------------------------------------------------------------------------

    def action_back(self) -> None:
        self.dismiss(None)

    def action_reload(self) -> None:
        self.reload()

    def action_repair_consent(self) -> None:
        gtui(self).repair_task(self.task_id)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The repair key is offered only while the task is INACTIVE."""
        if action == "repair_consent":
            return self.task_doc is not None and self.task_doc.status == "INACTIVE"
        return True

    def action_copy_id(self) -> None:
        self.app.copy_to_clipboard(self.task_id)
        self.notify(f"Copied task id {self.task_id}", timeout=2)

    @work(group="task-action", exclusive=True, exit_on_error=False)
    async def action_cancel_task(self) -> None:
        task = self.task_doc
        if task is None or task.is_finished:
            self.notify("This task has already finished.", severity="warning")
            return
        ok = await self.app.push_screen_wait(
            ConfirmScreen(
                "Cancel this task?", task.label or task.title, yes="Cancel task", no="Keep running"
            )
        )
        if not ok:
            return
        app = gtui(self)
        try:
            response = await app.session.transfer.cancel_task(self.task_id)
        except GlobusError as exc:
            app.report_error(exc, "Cancelling the task")
            return
        self.notify(response.get("message") or "Cancel requested.", timeout=3)
        self.reload()

    @work(group="task-action", exclusive=True, exit_on_error=False)
    async def action_resubmit(self) -> None:
        task = self.task_doc
        if task is None:
            return
        new_id = await task_submission.resubmit(self, task)
        if new_id:
            self.notify("Resubmitted with sync by checksum.", timeout=3)

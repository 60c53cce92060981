"""One task in full: every field, its event log, the files it moved or skipped, pause info."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Static, TabbedContent, TabPane

from gtui.core.errors import GlobusError
from gtui.core.models import SkippedError, SuccessfulTransfer, Task, TaskEvent
from gtui.core.tasks import derive_progress
from gtui.tui import task_submission
from gtui.tui.context import gtui
from gtui.tui.format import human_duration, human_rate, human_size, relative_time, short_time
from gtui.tui.screens.confirm import ConfirmScreen
from gtui.tui.widgets.key_bar import KeyBar
from gtui.tui.widgets.task_queue import status_name

SYNC_NAMES = {0: "exists", 1: "size", 2: "mtime", 3: "checksum"}
LIST_LIMIT = 1000
REFRESH_SECONDS = 2.0


def summary_table(task: Task, now: datetime, expected_bytes: int | None = None) -> Table:
    """Two columns of label/value pairs covering the whole task document."""
    progress = derive_progress(task, total_bytes=expected_bytes)
    status = status_name(task)
    nice = task.nice_status_short_description or task.nice_status or ""
    pairs: list[tuple[str, str]] = [
        ("Task id", task.task_id),
        ("Type", task.type.title()),
        ("Label", task.label or "—"),
        ("Status", status + (f" — {nice}" if nice and nice.lower() != status.lower() else "")),
        ("Source", f"{task.source_name}"),
        ("Destination", task.destination_name if task.type != "DELETE" else "—"),
        ("Requested", f"{short_time(task.request_time)} ({relative_time(task.request_time, now)})"),
        ("Completed", short_time(task.completion_time) or "—"),
        ("Deadline", short_time(task.deadline) or "—"),
        ("Bytes", human_size(task.bytes_transferred)),
        ("Checksummed", human_size(task.bytes_checksummed)),
        ("Rate", human_rate(task.effective_bytes_per_second) or "—"),
        ("Progress", "—" if progress.fraction is None else f"{progress.fraction:.0%}"),
        ("ETA", "—" if task.is_finished else human_duration(progress.eta_seconds) or "—"),
        ("Files", f"{task.files_transferred:,} of {task.files:,}"),
        ("Folders", f"{task.directories:,}"),
        ("Skipped", f"{task.files_skipped:,}"),
        ("Faults", f"{task.faults:,}"),
        (
            "Subtasks",
            f"{task.subtasks_succeeded:,} done, {task.subtasks_pending:,} pending, "
            f"{task.subtasks_retrying:,} retrying, {task.subtasks_failed:,} failed",
        ),
        (
            "Sync",
            SYNC_NAMES.get(task.sync_level, "always copy")
            if task.sync_level is not None
            else "always copy",
        ),
        ("Verify checksum", _yes(task.verify_checksum)),
        ("Preserve mtime", _yes(task.preserve_timestamp)),
        ("Encrypt", _yes(task.encrypt_data)),
        ("Skip source errors", _yes(task.skip_source_errors)),
        ("Fail on quota", _yes(task.fail_on_quota_errors)),
        ("Delete extra", _yes(task.delete_destination_extra)),
        ("Paused", _yes(task.is_paused)),
        ("Owner", task.username or task.owner_id or "—"),
    ]
    if task.fatal_error_text:
        pairs.append(("Fatal error", task.fatal_error_text))
    if task.canceled_by_admin:
        pairs.append(("Canceled by admin", task.canceled_by_admin_message or "yes"))
    table = Table(box=None, expand=True, show_header=False, padding=(0, 1))
    for _ in range(2):
        table.add_column(style="bold", no_wrap=True)
        table.add_column(ratio=1)
    half = (len(pairs) + 1) // 2
    for left, right in zip(pairs[:half], [*pairs[half:], ("", "")], strict=False):
        table.add_row(left[0], left[1], right[0], right[1])
    return table


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def _event_time(event: TaskEvent) -> datetime:
    """Events newest first; one without a time sorts last."""
    return event.time or datetime.min.replace(tzinfo=UTC)


class TaskDetailScreen(Screen[None]):
    """Everything about one task, refreshed while it runs."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="detail_back"),
        Binding("x", "cancel_task", "Cancel task", id="detail_cancel"),
        Binding("r", "resubmit", "Resubmit", id="detail_resubmit"),
        Binding("y", "copy_id", "Copy id", id="detail_copy"),
        Binding("ctrl+r", "reload", "Refresh", show=False, id="detail_refresh"),
    ]

    def __init__(self, task_id: str) -> None:
        super().__init__(classes="task-detail")
        self.task_id = task_id
        self.task_doc: Task | None = None
        self.events: list[TaskEvent] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading…", id="task-summary")
        with TabbedContent(id="task-tabs"):
            with TabPane("Events", id="tab-events"), VerticalScroll():
                yield Static("", id="task-events")
            with TabPane("Transferred", id="tab-done"), VerticalScroll():
                yield Static("", id="task-done")
            with TabPane("Skipped errors", id="tab-skipped"), VerticalScroll():
                yield Static("", id="task-skipped")
            with TabPane("Pause info", id="tab-pause"), VerticalScroll():
                yield Static("", id="task-pause")
        yield KeyBar()

    def on_mount(self) -> None:
        feed = gtui(self).feed
        known = feed.tasks.get(self.task_id)
        if known is not None:
            self._show_task(known)
        feed.changed.subscribe(self, self._tasks_changed)
        feed.watch(self.task_id)
        self.reload()
        self.set_interval(REFRESH_SECONDS, self._tick)

    def _tasks_changed(self, tasks: list[Task]) -> None:
        if not self.is_attached:
            return
        for task in tasks:
            if task.task_id == self.task_id:
                self._show_task(task)

    def _tick(self) -> None:
        if self.task_doc is None or not self.task_doc.is_finished:
            self.reload()

    def _show_task(self, task: Task) -> None:
        app = gtui(self)
        self.task_doc = task
        if not self.is_attached:
            return
        self.sub_title = task.label or task.title
        self.query_one("#task-summary", Static).update(
            summary_table(task, app.clock(), app.feed.expected_bytes.get(task.task_id))
        )

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
            done = []
            async for doc in client.paginated.task_successful_transfers(self.task_id).items():
                done.append(SuccessfulTransfer.from_api(doc))
                if len(done) >= LIST_LIMIT:
                    break
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

    def _show_events(self, events: list[TaskEvent]) -> None:
        self.events = events
        table = Table(box=None, expand=True, padding=(0, 1))
        table.add_column("Time", no_wrap=True)
        table.add_column("Code", no_wrap=True)
        table.add_column("Description", ratio=1)
        for event in sorted(events, key=_event_time, reverse=True):
            style = "bold red" if event.is_error else ""
            details = f" — {event.details}" if event.details else ""
            table.add_row(
                short_time(event.time),
                Text(event.code, style=style),
                Text(event.description + details, style=style),
            )
        self.query_one("#task-events", Static).update(table if events else "No events yet.")
        self.query_one(TabbedContent).get_tab("tab-events").label = f"Events ({len(events)})"

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
                item.source_path, Text(item.error_code, style="bold red"), item.error_details
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

"""The user's tasks as the app knows them, kept current: one object, one change signal.

Tasks keep running on the service when gtui quits, so at start the feed loads the user's
recent tasks and the core's ``TaskMonitor`` follows every one still running. Tasks gtui
submitted keep their known total size (saved with the app's state), so their progress stays
in bytes; a running one whose size was not found yet is sized again (``gtui.tui.sizing``).

Widgets that show tasks (the queue, the task detail) subscribe to ``changed``; nothing else
of the feed's state lives on the app.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime

from textual.app import App
from textual.notifications import SeverityLevel
from textual.signal import Signal

from gtui.config import TaskSettings
from gtui.core.errors import GlobusError, LoginRequired
from gtui.core.models import Task
from gtui.core.session import GlobusSession
from gtui.core.tasks import PollFailed, Progress, TaskMonitor, TaskUpdate, derive_progress
from gtui.tui.sizing import SizingItem, SizingScans, sizing_items
from gtui.tui.state import AppState
from gtui.tui.task_inactive import inactive_reason, repair_hint
from gtui.tui.task_status import status_name

log = logging.getLogger(__name__)

ErrorReporter = Callable[[BaseException, str], None]

RECENT_RELOAD_SECONDS = 60.0
"""How often the recent tasks are listed again, for tasks gtui did not start: one request."""


class TaskFeed:
    """Task documents, live progress, fault flags and expected sizes, by task id."""

    def __init__(
        self,
        host: App[int],
        session: GlobusSession,
        *,
        settings: TaskSettings,
        state: AppState,
        report_error: ErrorReporter,
    ) -> None:
        self.host = host
        self.session = session
        self.settings = settings
        self.state = state
        self.report_error = report_error
        self.tasks: dict[str, Task] = {}
        self.progress: dict[str, Progress] = {}
        self.flags: dict[str, frozenset[str]] = {}
        self.expected_bytes: dict[str, int] = {}
        self.started_by_timer: dict[str, str] = {}
        """Task id → the name of the timer that started it (``TimerBook`` fills it)."""
        self.changed: Signal[list[Task]] = Signal(host, "tasks-changed")
        self.sizing = SizingScans(
            host, session.transfer, on_total=self.apply_total, on_change=self._redraw
        )
        self._monitor: TaskMonitor | None = None

    # -- following tasks --------------------------------------------------------------------

    @property
    def monitor(self) -> TaskMonitor:
        """The one monitor, running as a worker of the app so it ends with the app."""
        if self._monitor is None:
            self._monitor = TaskMonitor(
                self.session.transfer,
                fast_interval=self.settings.poll_fast_seconds,
                slow_interval=max(self.settings.poll_slow_seconds, self.settings.poll_fast_seconds),
            )
            self._monitor.subscribe(self._on_monitor_event)
            self.host.run_worker(self._monitor.run(), group="task-monitor", exit_on_error=False)
        return self._monitor

    @property
    def started(self) -> bool:
        return self._monitor is not None

    def start(self) -> None:
        """Load the recent tasks, then follow the running ones; look again now and then for
        tasks started elsewhere (a flow's, a timer's, another client's)."""
        for task_id, total in self.state.total_bytes.items():
            self.expected_bytes.setdefault(task_id, total)
        self.load_recent()
        self.host.set_interval(RECENT_RELOAD_SECONDS, self._look_for_new_tasks)

    def load_recent(self) -> None:
        """(Re)load the recent tasks from ``task_list`` in a worker."""
        self.host.run_worker(
            self._load_recent(), group="task-list", exclusive=True, exit_on_error=False
        )

    def _look_for_new_tasks(self) -> None:
        self.host.run_worker(
            self._load_recent(quiet=True), group="task-list", exclusive=True, exit_on_error=False
        )

    async def _load_recent(self, *, quiet: bool = False) -> None:
        """``quiet``: a look nobody asked for; a failure is logged, not told (the next look,
        or the monitor's own polls, will tell of a lasting one)."""
        monitor = self.monitor
        try:
            tasks = await monitor.load_recent_tasks(self.settings.recent_limit)
        except GlobusError as exc:
            if quiet:
                log.info("looking for new tasks failed: %s", type(exc).__name__)
                return
            self.report_error(exc, "Loading recent tasks")
            return
        for task in tasks:
            total = self.expected_bytes.get(task.task_id)
            if total is not None and not task.is_finished:
                monitor.set_total_bytes(task.task_id, total)
        self.publish(tasks)
        self._resume_sizing(tasks)
        monitor.poll_now()

    def watch(self, task_id: str, *, expected_bytes: int | None = None) -> None:
        """Follow a task closely (just submitted, or opened in the detail screen)."""
        if expected_bytes:
            self.expected_bytes[task_id] = expected_bytes
        self.monitor.watch(task_id, total_bytes=self.expected_bytes.get(task_id))

    def follow(self, task_ids: Iterable[str]) -> list[Task]:
        """Tasks a screen shows though gtui did not submit them (a flow's, Activity's running
        rows): the ones not known yet are watched, so they join the feed and its news; the
        ones already known are answered as the feed has them."""
        known = []
        for task_id in dict.fromkeys(task_ids):
            task = self.tasks.get(task_id)
            if task is None:
                self.watch(task_id)
            else:
                known.append(task)
        return known

    def publish(self, tasks: Iterable[Task]) -> None:
        """New task documents arrived (from ``task_list``, the monitor, a submit, a detail).

        A task seen running that now has ended, or now waits for the user (INACTIVE), is
        news, told once, whichever way its new document came; a task first seen so (an old
        one opened) is not.
        """
        batch = list(tasks)
        ended = []
        stalled = []
        for task in batch:
            before = self.tasks.get(task.task_id)
            self.tasks[task.task_id] = task
            if before is None:
                continue
            if task.is_finished and not before.is_finished:
                ended.append(task)
            elif task.status == "INACTIVE" and before.status == "ACTIVE":
                stalled.append(task)
        if batch:
            self.changed.publish(batch)
        for task in ended:
            self._announce_end(task)
        for task in stalled:
            self._announce_inactive(task)

    def _on_monitor_event(self, event: TaskUpdate | PollFailed) -> None:
        if isinstance(event, TaskUpdate):
            self.progress[event.task_id] = event.progress
            self.flags[event.task_id] = event.flags
            self.publish([event.task])
            if event.final:
                self.sizing.cancel(event.task_id)
        elif isinstance(event.error, LoginRequired):
            self.report_error(event.error, "Following tasks")
        elif event.failures == 1:
            self.host.notify(
                f"Task updates paused: {event.error} — retrying in {event.retry_in:.0f}s.",
                severity="warning",
                timeout=6,
                markup=False,
            )

    def _announce_end(self, task: Task) -> None:
        status = status_name(task)
        words = {"Succeeded": "finished", "Canceled": "cancelled"}.get(status, status.lower())
        calm = status in ("Succeeded", "Canceled")
        severity: SeverityLevel = "information" if calm else "warning"
        self.host.notify(f"Task {words}: {task.title}", severity=severity, timeout=5, markup=False)

    def _announce_inactive(self, task: Task) -> None:
        reason = inactive_reason(task)
        self.host.notify(
            f"Task waiting: {task.title} {reason}. "
            f"Select it in the task queue and {repair_hint(task)}.",
            severity="warning",
            timeout=8,
            markup=False,
        )

    # -- submitted tasks ----------------------------------------------------------------------

    def add_submitted(
        self,
        task: Task,
        document: Mapping[str, object],
        known_sizes: Mapping[str, int] | None = None,
    ) -> None:
        """A task gtui just submitted: show it at once, poll it fast, then size it.

        A transfer's total size is found after the submit (so sizing never delays it): from
        ``known_sizes`` (source path → bytes, from the listing the user chose in) and a walk of
        every folder submitted.
        """
        self.state.remember_submission(task.task_id, dict(document))
        self.publish([task])
        self.watch(task.task_id)
        if task.type == "TRANSFER" and task.source_endpoint_id:
            items = sizing_items(document, known_sizes or {})
            self.sizing.start(task.task_id, task.source_endpoint_id, items)

    def apply_total(self, task_id: str, total: int) -> None:
        """Progress of ``task_id`` from now on in bytes: monitor, queue and saved state."""
        if total <= 0:
            return
        self.expected_bytes[task_id] = total
        self.state.remember_total_bytes(task_id, total)
        if self._monitor is not None:
            self._monitor.set_total_bytes(task_id, total)
            self._monitor.poll_now()
        task = self.tasks.get(task_id)
        if task is not None:
            previous = self.progress.get(task_id)
            rate = previous.bytes_per_second if previous is not None else None
            self.progress[task_id] = derive_progress(task, total_bytes=total, bytes_per_second=rate)

    def _resume_sizing(self, tasks: list[Task]) -> None:
        """Size again the running transfers gtui submitted whose total was not found before."""
        scans = self.sizing
        for task in tasks:
            task_id = task.task_id
            if task.is_finished or task.type != "TRANSFER" or task_id in self.expected_bytes:
                continue
            if task_id in scans.sizing or task_id in scans.failed:
                continue
            document = self.state.submitted_items(task_id)
            if document and task.source_endpoint_id:
                items: list[SizingItem] = sizing_items(document, {})
                scans.start(task_id, task.source_endpoint_id, items)

    def _redraw(self, task_id: str) -> None:
        task = self.tasks.get(task_id)
        if task is not None:
            self.publish([task])


def placeholder_task(
    task_id: str,
    *,
    kind: str,
    label: str | None,
    source: tuple[str, str],
    destination: tuple[str, str] | None,
) -> Task:
    """The row a just-submitted task shows until the monitor's first answer replaces it."""
    return Task.from_api(
        {
            "task_id": task_id,
            "type": kind,
            "status": "ACTIVE",
            "label": label,
            "source_endpoint_id": source[0],
            "source_endpoint_display_name": source[1],
            "destination_endpoint_id": destination[0] if destination else None,
            "destination_endpoint_display_name": destination[1] if destination else None,
            "request_time": datetime.now(UTC).isoformat(),
        }
    )

"""The background scheduler: runs each user's tasks, at most three at a time, to their end.

Tasks beyond a user's three running ones stay ACTIVE with ``nice_status`` "Queued", as on the
real service. The loop also enforces deadlines, records periodic PROGRESS events, suspends the
tasks whose owner lost a consent they need and wakes them when it is back (credentials.py),
and on shutdown stops running jobs without finishing their tasks, so they resume on the next
start.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from gtui.sim.settings import SimSettings
from gtui.sim.transfer import credentials
from gtui.sim.transfer.copier import Stopped
from gtui.sim.transfer.credentials import ConsentCheck
from gtui.sim.transfer.delete_job import DeleteJob
from gtui.sim.transfer.jobs import Fatal, Job
from gtui.sim.transfer.model import Task, iso_time
from gtui.sim.transfer.store import TransferStore
from gtui.sim.transfer.transfer_job import TransferJob
from gtui.sim.world import Collection, World

if TYPE_CHECKING:
    from gtui.sim.transfer.access_policy import AccessPolicy

log = logging.getLogger(__name__)

MAX_ACTIVE_PER_USER = 3
JOB_THREADS = 64
TICK_SECONDS = 0.1
PROGRESS_INTERVAL_SECONDS = 2.0
CREDENTIAL_CHECK_SECONDS = 0.5
CANCELED = "CANCELED"
EXPIRED = "EXPIRED"
SHUTDOWN = "SHUTDOWN"
INACTIVE = "INACTIVE"
# Stop reasons that end a task win over those that only pause it.
FINAL_REASONS = (CANCELED, EXPIRED)
PAUSING_REASONS = (SHUTDOWN, INACTIVE)
PROGRESS_FIELDS = (
    "bytes_transferred",
    "files_transferred",
    "files",
    "directories",
    "effective_bytes_per_second",
)


class Engine:
    """Schedules and runs the tasks in a store."""

    def __init__(
        self,
        settings: SimSettings,
        world: World,
        store: TransferStore,
        holds_consent: ConsentCheck = credentials.always_held,
    ) -> None:
        self.settings = settings
        self.world = world
        self.store = store
        self.holds_consent = holds_consent
        # Who may use which path of a collection (set with the Transfer routes); every job
        # checks its paths with it.
        self.access: AccessPolicy | None = None
        self.progress_interval = PROGRESS_INTERVAL_SECONDS
        self._suspending: dict[str, Collection] = {}
        self._last_credential_check = 0.0
        self._running: dict[str, asyncio.Task[None]] = {}
        self._stops: dict[str, threading.Event] = {}
        self._last_progress: dict[str, float] = {}
        self._wake = asyncio.Event()
        self._loop_task: asyncio.Task[None] | None = None
        self._executor: ThreadPoolExecutor | None = None

    async def start(self) -> None:
        self._executor = ThreadPoolExecutor(JOB_THREADS, thread_name_prefix="transfer-job")
        for task in self.store.active_tasks():
            if task.status != "ACTIVE":
                continue
            with task.lock:
                task.doc.update(nice_status="Queued", nice_status_short_description="Queued")
            task.mark_changed()
        self._wake = asyncio.Event()
        self._loop_task = asyncio.create_task(self._loop(), name="transfer-engine")

    async def stop(self) -> None:
        if self._loop_task is not None:
            self._loop_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop_task
            self._loop_task = None
        for task_id, event in list(self._stops.items()):
            task = self.store.live_task(task_id)
            if task is not None and task.stop_reason is None:
                task.stop_reason = SHUTDOWN
            event.set()
        if self._running:
            await asyncio.gather(*self._running.values(), return_exceptions=True)
        if self._executor is not None:
            self._executor.shutdown(wait=False)
            self._executor = None

    def wake(self) -> None:
        self._wake.set()

    def running_ids(self) -> set[str]:
        return set(self._running)

    async def cancel(self, task: Task) -> None:
        """Cancel a task: a queued one ends now, a running one once its job has stopped."""
        self._request_stop(task, CANCELED)
        runner = self._running.get(task.task_id)
        if runner is not None:
            with contextlib.suppress(Exception):
                await asyncio.shield(runner)
        elif not task.is_final:
            self._finish(task, CANCELED, None)

    def _request_stop(self, task: Task, reason: str) -> None:
        current = task.stop_reason
        if current is None or (reason in FINAL_REASONS and current in PAUSING_REASONS):
            task.stop_reason = reason
        event = self._stops.get(task.task_id)
        if event is not None:
            event.set()

    async def _loop(self) -> None:
        while True:
            self._check_credentials()
            self._schedule()
            self._enforce_deadlines()
            self._record_progress()
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), TICK_SECONDS)

    def _schedule(self) -> None:
        per_user: dict[str, int] = {}
        for task_id in self._running:
            task = self.store.live[task_id]
            per_user[task.owner_id] = per_user.get(task.owner_id, 0) + 1
        for task in self.store.active_tasks():
            if task.task_id in self._running or task.stop_reason is not None:
                continue
            if task.status != "ACTIVE":
                continue
            if per_user.get(task.owner_id, 0) >= MAX_ACTIVE_PER_USER:
                continue
            per_user[task.owner_id] = per_user.get(task.owner_id, 0) + 1
            self._launch(task)

    def _enforce_deadlines(self) -> None:
        now = time.time()
        for task in self.store.active_tasks():
            if task.deadline_seconds > now:
                continue
            if task.task_id in self._running:
                self._request_stop(task, EXPIRED)
            elif not task.is_final:
                self._finish(task, EXPIRED, None)

    def _check_credentials(self) -> None:
        """Suspend the tasks whose owner lost a consent they need; wake those that have it
        again. A running task is suspended once its job has stopped (``_run``)."""
        now = time.monotonic()
        if now - self._last_credential_check < CREDENTIAL_CHECK_SECONDS:
            return
        self._last_credential_check = now
        faults = self.settings.faults
        if not faults.consent_collections:
            return
        held: dict[tuple[str, str], bool] = {}

        def holds(identity_id: str, scope: str) -> bool:
            key = (identity_id, scope)
            if key not in held:
                held[key] = self.holds_consent(identity_id, scope)
            return held[key]

        for task in self.store.active_tasks():
            missing = credentials.missing_consent(task, self.world.collections, faults, holds)
            if task.status == INACTIVE:
                if missing is None:
                    credentials.resume(task)
                    self._wake.set()
            elif missing is not None and task.stop_reason is None:
                if task.task_id in self._running:
                    self._suspending[task.task_id] = missing
                    self._request_stop(task, INACTIVE)
                else:
                    credentials.suspend(task, missing)

    def _record_progress(self) -> None:
        now = time.monotonic()
        for task_id in self._running:
            last = self._last_progress.get(task_id, now)
            self._last_progress.setdefault(task_id, now)
            if now - last < self.progress_interval:
                continue
            self._last_progress[task_id] = now
            task = self.store.live[task_id]
            with task.lock:
                details = {name: task.doc[name] for name in PROGRESS_FIELDS}
            task.add_event("PROGRESS", "progress", json.dumps(details))

    def _launch(self, task: Task) -> None:
        stop = threading.Event()
        self._stops[task.task_id] = stop
        self._last_progress[task.task_id] = time.monotonic()
        self._running[task.task_id] = asyncio.create_task(
            self._run(task, stop), name=f"transfer-task-{task.task_id}"
        )

    def _job(self, task: Task, stop: threading.Event) -> Job:
        doc = task.doc
        job: Job
        if doc["type"] == "DELETE":
            endpoint = self.world.collections[doc["source_endpoint_id"]]
            job = DeleteJob(task, self.settings, stop, task.mark_changed, endpoint)
        else:
            job = TransferJob(
                task,
                self.settings,
                stop,
                task.mark_changed,
                self.world.collections[doc["source_endpoint_id"]],
                self.world.collections[doc["destination_endpoint_id"]],
            )
        job.access = self.access
        return job

    def _begin(self, task: Task) -> None:
        """Start (or resume) a task from the top: counters and file lists begin afresh."""
        started = self.store.has_event(task, "STARTED")
        with task.lock:
            for name in (
                "bytes_transferred",
                "bytes_checksummed",
                "files",
                "directories",
                "symlinks",
                "files_transferred",
                "files_skipped",
                "subtasks_total",
                "subtasks_pending",
                "subtasks_retrying",
                "subtasks_succeeded",
                "subtasks_skipped_errors",
                "effective_bytes_per_second",
            ):
                task.doc[name] = 0
            task.doc.update(nice_status="OK", nice_status_short_description="OK", is_ok=True)
        task.mark_changed()
        if not started:
            task.add_event("STARTED", "started", json.dumps({"type": task.doc["type"]}))
        self.store.restart(task)

    async def _run(self, task: Task, stop: threading.Event) -> None:
        outcome: str | None = None
        fatal: Fatal | None = None
        try:
            self._begin(task)
            job = self._job(task, stop)
            assert self._executor is not None, "the engine is not started"
            await asyncio.get_running_loop().run_in_executor(self._executor, job.run)
            outcome = "SUCCEEDED"
        except Stopped:
            outcome = task.stop_reason
        except Fatal as exc:
            outcome, fatal = "FATAL", exc
        except Exception as exc:
            log.exception("task %s failed unexpectedly", task.task_id)
            outcome, fatal = "FATAL", Fatal("GENERAL_ERROR", f"{type(exc).__name__}: {exc}")
        finally:
            self._running.pop(task.task_id, None)
            self._stops.pop(task.task_id, None)
            self._last_progress.pop(task.task_id, None)
            missing = self._suspending.pop(task.task_id, None)
            if outcome == INACTIVE and missing is not None:
                credentials.suspend(task, missing)
                task.stop_reason = None
            elif outcome is None or outcome in PAUSING_REASONS:
                with task.lock:
                    task.doc.update(nice_status="Queued", nice_status_short_description="Queued")
                task.mark_changed()
                task.stop_reason = SHUTDOWN if outcome == SHUTDOWN else None
            else:
                self._finish(task, outcome, fatal)
            self._wake.set()

    def _finish(self, task: Task, outcome: str, fatal: Fatal | None) -> None:
        """Move a task to its final state, record the event that says why, and commit both."""
        with task.lock:
            doc = task.doc
            pending = doc["subtasks_pending"]
            doc.update(
                completion_time=iso_time(),
                nice_status=None,
                nice_status_short_description=None,
                nice_status_details=None,
                nice_status_expires_in=None,
                subtasks_pending=0,
                subtasks_retrying=0,
            )
            if outcome == "SUCCEEDED":
                doc.update(status="SUCCEEDED", is_ok=None, fatal_error=None)
            else:
                doc.update(status="FAILED", is_ok=False)
                if outcome == CANCELED:
                    doc["subtasks_canceled"] += pending
                    doc["fatal_error"] = {"code": CANCELED, "description": "canceled"}
                elif outcome == EXPIRED:
                    doc["subtasks_expired"] += pending
                    doc["fatal_error"] = {"code": EXPIRED, "description": "deadline expired"}
                else:
                    doc["subtasks_failed"] += max(pending, 1)
                    code = fatal.code if fatal else "FAILED"
                    doc["fatal_error"] = {
                        "code": code,
                        "description": fatal.description if fatal else code,
                    }
            summary = {name: doc[name] for name in PROGRESS_FIELDS}
        if outcome == "SUCCEEDED":
            task.add_event("SUCCEEDED", "succeeded", json.dumps(summary))
        elif outcome == CANCELED:
            task.add_event(CANCELED, "canceled", "The task was canceled by its owner")
        elif outcome == EXPIRED:
            task.add_event(
                EXPIRED,
                "deadline expired",
                f"The task did not complete by its deadline {task.doc['deadline']}",
                is_error=True,
            )
        else:
            task.add_event(
                fatal.code if fatal else "FAILED",
                "failed",
                fatal.description if fatal else "",
                is_error=True,
            )
        self.store.finish(task)

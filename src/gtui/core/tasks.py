"""The task monitor: one poller for every watched task, and honest progress for each.

Each poll is ONE ``task_list`` request filtered by ``task_id:<id1>,<id2>,...`` (split into
chunks of ``chunk_size`` ids), whatever the number of tasks watched. Polling is fast right
after a submit and while tasks are young, slower for long-running ones, backs off while the
service cannot be reached, and stops for a task after its final update.

The task document has no total byte count (features.md §1.4), so progress is derived from
what is known: bytes when the caller knows the total (e.g. from a recursive pre-scan), else
files, else subtasks, else it is indeterminate. No number is ever invented.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from gtui.core.errors import GlobusError
from gtui.core.models import Task

log = logging.getLogger(__name__)

Basis = Literal["bytes", "files", "subtasks", "none"]
Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[Any]]
WallClock = Callable[[], datetime]

FLAG_FAULTS = "faults"
FLAG_INACTIVE = "inactive"
FLAG_NEAR_DEADLINE = "near deadline"
FLAG_PAUSED = "paused"
TASK_TYPES_FILTER = "TRANSFER,DELETE"


@dataclass(frozen=True)
class Progress:
    """How far a task is, on which basis, how fast and how long to go (None when unknown)."""

    basis: Basis
    done: int | None = None
    total: int | None = None
    fraction: float | None = None
    bytes_per_second: float | None = None
    eta_seconds: float | None = None

    @property
    def percent(self) -> float | None:
        return None if self.fraction is None else round(self.fraction * 100, 1)

    @property
    def indeterminate(self) -> bool:
        return self.fraction is None


def _basis(task: Task, total_bytes: int | None) -> tuple[Basis, int | None, int | None]:
    # A delete moves no bytes, and its ``files`` counts what it removed while
    # ``files_transferred`` stays 0: only its subtasks (one per item) say how far it is.
    deleting = task.type == "DELETE"
    if total_bytes is not None and total_bytes > 0 and not deleting:
        return "bytes", task.bytes_transferred, total_bytes
    if task.files > 0 and not deleting:
        return "files", task.files_transferred + task.files_skipped, task.files
    if task.subtasks_total > 0:
        settled = task.subtasks_total - task.subtasks_pending - task.subtasks_retrying
        return "subtasks", max(settled, 0), task.subtasks_total
    return "none", None, None


def derive_progress(
    task: Task,
    *,
    total_bytes: int | None = None,
    units_per_second: float | None = None,
    bytes_per_second: float | None = None,
) -> Progress:
    """Progress of ``task``: the fraction on the best basis known, the rate and the ETA.

    ``units_per_second`` is the measured speed in the basis's own units (bytes, files or
    subtasks); ``bytes_per_second`` a measured byte rate. Without a measured rate the ETA uses
    the service's ``effective_bytes_per_second`` only on the bytes basis.
    """
    basis, done, total = _basis(task, total_bytes)
    rate = bytes_per_second
    if rate is None and task.effective_bytes_per_second > 0:
        rate = float(task.effective_bytes_per_second)
    if basis == "none" or done is None or not total:
        return Progress("none", bytes_per_second=rate)
    if task.status == "SUCCEEDED":
        return Progress(basis, done, total, 1.0, rate, 0.0)
    fraction = min(max(done / total, 0.0), 1.0)
    speed = units_per_second
    if speed is None and basis == "bytes":
        speed = rate
    eta = None
    if not task.is_finished and speed and speed > 0:
        eta = max(total - done, 0) / speed
    return Progress(basis, done, total, fraction, rate, eta)


@dataclass(frozen=True)
class TaskUpdate:
    """A fresh view of one watched task; ``final`` is the last one the monitor sends for it."""

    task: Task
    progress: Progress
    flags: frozenset[str] = frozenset()
    final: bool = False

    @property
    def task_id(self) -> str:
        return self.task.task_id


@dataclass(frozen=True)
class PollFailed:
    """A poll could not reach the service (offline); the monitor retries after ``retry_in``."""

    error: GlobusError
    failures: int
    retry_in: float


Event = TaskUpdate | PollFailed
Subscriber = Callable[[Event], Any] | asyncio.Queue[Event]
# 2.0**1024 overflows; after this many doublings every backoff is at its cap anyway.
_MAX_DOUBLINGS = 1000


@dataclass
class _Watched:
    task_id: str
    total_bytes: int | None = None
    fast_until: float = 0.0
    samples: deque[tuple[float, int, int]] = field(default_factory=lambda: deque(maxlen=20))
    last_faults: int | None = None
    faults_grew_at: float | None = None


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class TaskMonitor:
    """Polls the watched tasks and publishes ``TaskUpdate``/``PollFailed`` to subscribers."""

    def __init__(
        self,
        transfer_client: Any,
        *,
        fast_interval: float = 2.0,
        slow_interval: float = 15.0,
        young_age: float = 120.0,
        submit_burst: float = 30.0,
        max_backoff: float = 120.0,
        chunk_size: int = 100,
        fault_window: float = 300.0,
        near_deadline: timedelta = timedelta(minutes=10),
        rate_window: float = 60.0,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        wall_clock: WallClock = lambda: datetime.now(UTC),
    ) -> None:
        if not 0 < fast_interval <= slow_interval:
            raise ValueError("intervals must satisfy 0 < fast_interval <= slow_interval")
        self.client = transfer_client
        self.fast_interval = fast_interval
        self.slow_interval = slow_interval
        self.young_age = young_age
        self.submit_burst = submit_burst
        self.max_backoff = max_backoff
        self.chunk_size = chunk_size
        self.fault_window = fault_window
        self.near_deadline = near_deadline
        self.rate_window = rate_window
        self._clock = clock
        self._sleep = sleep
        self._wall_clock = wall_clock
        self._watched: dict[str, _Watched] = {}
        self._subscribers: list[Subscriber] = []
        self._wake = asyncio.Event()
        self._runner: asyncio.Task[None] | None = None
        self.failures = 0
        self.last_error: GlobusError | None = None

    # Watching

    @property
    def watched(self) -> frozenset[str]:
        return frozenset(self._watched)

    @property
    def offline(self) -> bool:
        return self.failures > 0

    def watch(
        self, task_id: str, *, total_bytes: int | None = None, just_submitted: bool = True
    ) -> None:
        """Follow a task; right after a submit it is polled fast for a while, starting now."""
        now = self._clock()
        state = self._watched.get(task_id)
        if state is None:
            state = self._watched[task_id] = _Watched(task_id)
        if total_bytes is not None:
            self.set_total_bytes(task_id, total_bytes)
        if just_submitted:
            state.fast_until = now + self.submit_burst
            self._wake.set()

    def set_total_bytes(self, task_id: str, total_bytes: int | None) -> None:
        """Give the monitor the task's total size (e.g. from a recursive pre-scan).

        The rate samples taken so far are kept, restated in the new basis's units, so the
        first ETA in bytes is not computed from a difference of files and bytes.
        """
        state = self._watched.get(task_id)
        if state is None or state.total_bytes == total_bytes:
            return
        state.total_bytes = total_bytes
        if total_bytes is not None and total_bytes > 0:
            state.samples = deque(
                ((when, sent, sent) for when, sent, _ in state.samples),
                maxlen=state.samples.maxlen,
            )
        else:
            state.samples.clear()

    def unwatch(self, task_id: str) -> None:
        self._watched.pop(task_id, None)

    def poll_now(self) -> None:
        """Poll at once instead of waiting for the current interval to end."""
        self._wake.set()

    # Subscribers

    def subscribe(self, subscriber: Subscriber) -> Callable[[], None]:
        """Receive every event: a callable (sync or async) or an ``asyncio.Queue``."""
        self._subscribers.append(subscriber)

        def unsubscribe() -> None:
            if subscriber in self._subscribers:
                self._subscribers.remove(subscriber)

        return unsubscribe

    async def _publish(self, event: Event) -> None:
        for subscriber in list(self._subscribers):
            try:
                if isinstance(subscriber, asyncio.Queue):
                    subscriber.put_nowait(event)
                    continue
                result = subscriber(event)
                if inspect.isawaitable(result):
                    await result
            except Exception:
                log.exception("a task monitor subscriber failed")

    # Polling

    def next_interval(self) -> float:
        """Fast while any task is young or just submitted, slow otherwise; backoff when offline."""
        now = self._clock()
        young = any(now < s.fast_until for s in self._watched.values())
        base = self.fast_interval if young else self.slow_interval
        if self.failures:
            doubling = 2.0 ** min(self.failures, _MAX_DOUBLINGS)
            return min(max(base, self.fast_interval) * doubling, self.max_backoff)
        return base

    async def poll_once(self) -> list[TaskUpdate]:
        """Poll every watched task now (one request per chunk of ids) and publish the results."""
        ids = list(self._watched)
        if not ids:
            return []
        documents: list[dict[str, Any]] = []
        try:
            for chunk in _chunks(ids, self.chunk_size):
                response = await self.client.task_list(
                    filter=f"task_id:{','.join(chunk)}/type:{TASK_TYPES_FILTER}",
                    limit=len(chunk),
                )
                documents.extend(d for d in response.get("DATA") or [] if isinstance(d, dict))
        except GlobusError as error:
            self.failures += 1
            self.last_error = error
            await self._publish(PollFailed(error, self.failures, self.next_interval()))
            return []
        self.failures = 0
        self.last_error = None
        updates = []
        for doc in documents:
            task = Task.from_api(doc)
            state = self._watched.get(task.task_id)
            if state is None:
                continue
            update = self._update(state, task)
            if update.final:
                self._watched.pop(task.task_id, None)
            updates.append(update)
        for update in updates:
            await self._publish(update)
        return updates

    def _update(self, state: _Watched, task: Task) -> TaskUpdate:
        now = self._clock()
        if task.request_time is not None:
            age = (self._wall_clock() - task.request_time).total_seconds()
            if age < self.young_age:
                state.fast_until = max(state.fast_until, now + self.young_age - age)
        basis, done, _ = _basis(task, state.total_bytes)
        state.samples.append((now, task.bytes_transferred, done or 0))
        while len(state.samples) > 2 and now - state.samples[0][0] > self.rate_window:
            state.samples.popleft()
        units_rate = bytes_rate = None
        first_time, first_bytes, first_done = state.samples[0]
        elapsed = now - first_time
        if elapsed > 0 and not task.is_finished:
            bytes_rate = max(task.bytes_transferred - first_bytes, 0) / elapsed
            if basis != "none" and (done or 0) > first_done:
                units_rate = ((done or 0) - first_done) / elapsed
        progress = derive_progress(
            task,
            total_bytes=state.total_bytes,
            units_per_second=units_rate,
            bytes_per_second=bytes_rate or None,
        )
        return TaskUpdate(task, progress, self._flags(state, task, now), final=task.is_finished)

    def _flags(self, state: _Watched, task: Task, now: float) -> frozenset[str]:
        flags = set()
        if state.last_faults is not None and task.faults > state.last_faults:
            state.faults_grew_at = now
        state.last_faults = task.faults
        grew = state.faults_grew_at
        if task.status == "ACTIVE" and grew is not None and now - grew <= self.fault_window:
            flags.add(FLAG_FAULTS)
        if task.status == "INACTIVE":
            flags.add(FLAG_INACTIVE)
        if task.is_paused:
            flags.add(FLAG_PAUSED)
        if (
            not task.is_finished
            and task.deadline is not None
            and task.deadline - self._wall_clock() < self.near_deadline
        ):
            flags.add(FLAG_NEAR_DEADLINE)
        return frozenset(flags)

    async def _wait(self, seconds: float | None) -> None:
        """Sleep ``seconds`` (forever when None), or less if woken by watch/poll_now."""
        if self._wake.is_set():
            self._wake.clear()
            return
        waker = asyncio.ensure_future(self._wake.wait())
        sleeper = asyncio.ensure_future(self._sleep(seconds)) if seconds is not None else None
        waiting = {waker} | ({sleeper} if sleeper else set())
        try:
            await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for pending in waiting:
                pending.cancel()
            self._wake.clear()

    async def run(self) -> None:
        """Poll until cancelled; idle (no requests) while nothing is watched."""
        while True:
            if not self._watched:
                await self._wait(None)
                continue
            self._wake.clear()
            await self.poll_once()
            if self._watched:
                await self._wait(self.next_interval())

    def start(self) -> asyncio.Task[None]:
        if self._runner is None or self._runner.done():
            self._runner = asyncio.create_task(self.run())
        return self._runner

    async def stop(self) -> None:
        if self._runner is not None:
            self._runner.cancel()
            try:
                await self._runner
            except asyncio.CancelledError:
                pass
            self._runner = None

    # Start-up

    async def load_recent_tasks(
        self, limit: int = 50, *, watch_unfinished: bool = True
    ) -> list[Task]:
        """The most recent transfers and deletes for the queue; unfinished ones get watched."""
        response = await self.client.task_list(
            filter=f"type:{TASK_TYPES_FILTER}", orderby="request_time DESC", limit=limit
        )
        tasks = [Task.from_api(d) for d in response.get("DATA") or [] if isinstance(d, dict)]
        if watch_unfinished:
            for task in tasks:
                if not task.is_finished:
                    self.watch(task.task_id, just_submitted=False)
        return tasks

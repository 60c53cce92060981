"""The scheduler: one loop that starts the runs that are due, by the service's clock.

Each pass reads the due timers from the database and sleeps until the next one is due (in
real seconds, at the clock's speed), or until it is woken: by a new or resumed timer, a run
that ended, or the clock jumping. A user's timers together start at most one run a minute;
a run waiting for its turn starts when the minute is up. Each run's submit is a task of its
own, so one slow or crashing run holds up no other: a crash is logged and the timer rests
for a while. The loop also keeps the clock's time and drops history past 90 days.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gtui.sim.clock import SimClock
    from gtui.sim.timers.model import Timer
    from gtui.sim.timers.runs import Runs
    from gtui.sim.timers.store import TimerStore

log = logging.getLogger(__name__)

PACE_SECONDS = 60.0
HISTORY_SECONDS = 90 * 86_400
CRASH_REST_SECONDS = 60.0
MAX_SLEEP_SECONDS = 1.0
KEEP_EVERY_SECONDS = 1.0


class Scheduler:
    """Runs on the service's event loop between ``start`` and ``stop``."""

    def __init__(self, store: TimerStore, clock: SimClock, runs: Runs) -> None:
        self.store = store
        self.clock = clock
        self.runs = runs
        self._loop: asyncio.AbstractEventLoop | None = None
        self._woken = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._attempts: dict[str, asyncio.Task[None]] = {}
        self._last_starts: dict[str, float] = {}
        self._resting: dict[str, float] = {}
        self._kept_at = 0.0
        self._unsubscribe: Callable[[], None] | None = None

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._woken = asyncio.Event()
        self._last_starts = await asyncio.to_thread(self.store.last_starts)
        self._unsubscribe = self.clock.subscribe(self.wake)
        self._task = asyncio.create_task(self._run(), name="timers-scheduler")

    async def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        tasks = [t for t in (self._task, *self._attempts.values()) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._task = None
        self._attempts.clear()
        self._keep(force=True)

    def wake(self) -> None:
        """Look at the timers again now (callable from any thread)."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(self._woken.set)

    async def _run(self) -> None:
        while True:
            self._woken.clear()
            try:
                sleep = self._pass()
            except Exception:
                log.exception("the timers scheduler failed a pass; it tries again shortly")
                sleep = MAX_SLEEP_SECONDS
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._woken.wait(), timeout=sleep)

    def _pass(self) -> float:
        """Start what is due; the real seconds until something may be due next."""
        self._keep()
        self.store.load_new()
        now = self.clock.now()
        self._resting = {j: t for j, t in self._resting.items() if t > now}
        waiting: dict[str, float] = dict(self._resting)
        for timer in self.store.due(now):
            if timer.job_id in self._attempts or timer.job_id in self._resting:
                continue
            try:
                turn = self._dispatch(timer, now)
            except Exception:
                log.exception("timer %s could not be run; it rests a while", timer.job_id)
                turn = self._resting[timer.job_id] = now + CRASH_REST_SECONDS
            if turn is not None:
                waiting[timer.job_id] = turn
        wakes = list(waiting.values())
        following = self.store.next_wake(excluding={*self._attempts, *waiting})
        if following is not None:
            wakes.append(following)
        if not wakes:
            return MAX_SLEEP_SECONDS
        return min(MAX_SLEEP_SECONDS, self.clock.real_seconds(min(wakes) - now))

    def _dispatch(self, timer: Timer, now: float) -> float | None:
        """Act on a due timer; when it must wait for its owner's turn, until when."""
        missing = self.runs.missing_consents(timer)
        if timer.in_run:
            if missing:
                self.runs.deactivate(timer, missing, now)
            else:
                self._spawn(timer.job_id)
            return None
        running = self.runs.unfinished_task(timer)
        if running is not None:
            self.runs.skip(timer, running, now)
            return None
        if missing:
            self.runs.deactivate(timer, missing, now)
            return None
        turn = self._last_starts.get(timer.owner_id, float("-inf")) + PACE_SECONDS
        if turn > now:
            return turn
        self.runs.begin(timer, now)
        self._last_starts[timer.owner_id] = now
        self._spawn(timer.job_id)
        return None

    def _spawn(self, job_id: str) -> None:
        task = asyncio.create_task(self.runs.attempt(job_id), name=f"timer-run-{job_id}")
        self._attempts[job_id] = task
        task.add_done_callback(lambda done: self._attempt_done(job_id, done))

    def _attempt_done(self, job_id: str, task: asyncio.Task[None]) -> None:
        if self._attempts.get(job_id) is task:
            del self._attempts[job_id]
        if not task.cancelled() and task.exception() is not None:
            log.error(
                "a run of timer %s failed; it rests a while", job_id, exc_info=task.exception()
            )
            self._resting[job_id] = self.clock.now() + CRASH_REST_SECONDS
        self._woken.set()

    def _keep(self, *, force: bool = False) -> None:
        """Now and then: write the clock's time (when it runs ahead of real time: else a
        restart starts from real time anyway), drop history past 90 days."""
        if not force and time.monotonic() - self._kept_at < KEEP_EVERY_SECONDS:
            return
        self._kept_at = time.monotonic()
        now = self.clock.now()
        if force or now - time.time() > KEEP_EVERY_SECONDS:
            self.clock.save()
        self.store.forget_runs_before(now - HISTORY_SECONDS)

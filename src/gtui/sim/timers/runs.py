"""One run of a timer, from the decision to its record in the history.

A due run is skipped (409 ``RunSkipped``) while the task of the run before is unfinished, and
does not count. Otherwise it begins: its start, submission id and how long it may be retried
are written first, so a restart tries the same run again and Transfer makes one task of it
however many tries it takes. Transient failures are tried again with backoff for up to half
the interval (at most 45 minutes; 45 minutes for a once timer), and the timer's activity is
``retrying`` meanwhile; then the run is recorded, submitted or failed, and the timer moves on
to its next run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gtui.sim.timers.body import run_label
from gtui.sim.timers.consent import (
    ConsentCheck,
    collections_needing_consent,
    inactive_reason,
    missing_consents,
)
from gtui.sim.timers.documents import UNFINISHED, TaskDocument
from gtui.sim.timers.model import IDLE, INACTIVE, SKIPPED, SUBMITTED, Run, Timer
from gtui.sim.timers.submitter import Outcome, RunSubmitter, new_submission_id

if TYPE_CHECKING:
    from gtui.sim.clock import SimClock
    from gtui.sim.settings import SimSettings
    from gtui.sim.timers.store import TimerStore

MAX_RETRY_SECONDS = 45 * 60
FIRST_BACKOFF_SECONDS = 10.0
MAX_BACKOFF_SECONDS = 300.0


def retry_window(timer: Timer) -> float:
    """How long after its start a run may still be tried."""
    interval = timer.schedule.interval
    if interval is None:
        return MAX_RETRY_SECONDS
    return min(interval / 2, MAX_RETRY_SECONDS)


def backoff(attempts: int) -> float:
    """The wait before the next try, after ``attempts`` failed ones."""
    wait: float = FIRST_BACKOFF_SECONDS * 2.0 ** max(0, attempts - 1)
    return min(wait, MAX_BACKOFF_SECONDS)


class Runs:
    """Makes timers' runs and records them."""

    def __init__(
        self,
        store: TimerStore,
        clock: SimClock,
        settings: SimSettings,
        submitter: RunSubmitter,
        holds: ConsentCheck,
        task_document: TaskDocument,
    ) -> None:
        self.store = store
        self.clock = clock
        self.settings = settings
        self.submitter = submitter
        self.holds = holds
        self.task_document = task_document

    # -- before a run ---------------------------------------------------------------------
    def unfinished_task(self, timer: Timer) -> str | None:
        """The task of the run before, if it is still going."""
        if timer.last_task_id is None:
            return None
        task = self.task_document(timer.owner_id, timer.last_task_id)
        if task is not None and task.get("status") in UNFINISHED:
            return timer.last_task_id
        return None

    def missing_consents(self, timer: Timer) -> list[str]:
        collections = collections_needing_consent(
            timer.body, self.settings.faults.consent_collections
        )
        return missing_consents(timer.owner_id, collections, self.holds)

    def skip(self, timer: Timer, task_id: str, now: float) -> None:
        """Record the run as skipped and wait for the next one."""
        detail = f"Skipped: the previous run's task {task_id} was still running"
        run = Run(now, SKIPPED, errors=[{"code": "RunSkipped", "detail": detail}])
        slot, next_run = timer.schedule.following(timer.slot, now, timer.n_runs)
        self.store.add_run(timer.job_id, run, {"slot": slot, "next_run": next_run})

    def deactivate(self, timer: Timer, missing: list[str], now: float) -> None:
        """Inactive until the owner consents again and resumes it (no run is recorded)."""
        self.store.change(
            timer.job_id,
            {
                "status": INACTIVE,
                "inactive_reason": inactive_reason(missing),
                "inactive_since": now,
                **IDLE,
            },
        )

    def begin(self, timer: Timer, now: float) -> None:
        """Write that the run starts now (and with it the owner's pacing)."""
        changes: dict[str, Any] = {
            "run_started_at": now,
            "submission_id": new_submission_id(),
            "attempts": 0,
            "retry_at": None,
            "retry_until": now + retry_window(timer),
        }
        self.store.start_run(timer, changes, now)

    # -- the run --------------------------------------------------------------------------
    async def attempt(self, job_id: str) -> None:
        """Try to submit the run a timer has begun, and settle what came of it."""
        timer = self.store.get(job_id)
        if timer is None or timer.submission_id is None or timer.run_started_at is None:
            return
        document = {
            **timer.body,
            "submission_id": timer.submission_id,
            "label": run_label(timer.body, timer.name, timer.n_runs + 1),
        }
        outcome = await self.submitter.submit(timer.owner_id, document)
        self.settle(job_id, timer.submission_id, timer.run_started_at, outcome)

    def settle(self, job_id: str, submission_id: str, started: float, outcome: Outcome) -> None:
        """Record the run (or when to try it again). A run that made a task is recorded even
        if the timer was paused or deleted meanwhile: the task exists."""
        timer = self.store.get(job_id)
        if timer is None:
            return
        now = self.clock.now()
        if outcome.submitted:
            self._finish(timer, Run(started, SUBMITTED, outcome.task_id), now, failed=False)
            return
        if timer.submission_id != submission_id:
            return  # paused, deleted or inactive meanwhile: the run was given up
        retry_at = now + backoff(timer.attempts + 1)
        if outcome.transient and timer.retry_until is not None and retry_at <= timer.retry_until:
            self.store.change(job_id, {"attempts": timer.attempts + 1, "retry_at": retry_at})
            return
        errors = [{"code": outcome.code or "Error", "detail": outcome.detail or ""}]
        self._finish(timer, Run(started, outcome.status, errors=errors), now, failed=True)

    def _finish(self, timer: Timer, run: Run, now: float, *, failed: bool) -> None:
        """Record a run that happened and move the timer on to its next one."""
        n_runs = timer.n_runs + 1
        slot, next_run = timer.schedule.following(timer.slot, now, n_runs)
        changes: dict[str, Any] = {
            **IDLE,
            "n_runs": n_runs,
            "n_errors": timer.n_errors + int(failed),
            "last_ran_at": run.ran_at,
            "slot": slot,
            "next_run": next_run,
        }
        if run.task_id is not None:
            changes["last_task_id"] = run.task_id
        self.store.add_run(timer.job_id, run, changes)

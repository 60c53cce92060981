"""A timer and its runs as the service keeps them (one row each in the database)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gtui.sim.timers.schedule import Schedule

NEW = "new"
LOADED = "loaded"
INACTIVE = "inactive"
DELETED = "deleted"

SKIPPED = 409
SUBMITTED = 202


@dataclass
class Timer:
    """One transfer timer.

    ``slot`` is the number of the pending run (due at ``next_run``; None once the runs are
    over). While a run is being made ``run_started_at`` says since when and
    ``submission_id`` keeps it to one task however often it is tried; ``retry_at`` is set
    between tries of a transient failure, until ``retry_until``.
    """

    job_id: str
    owner_id: str
    name: str
    status: str
    schedule: Schedule
    body: dict[str, Any]
    submitted_at: float
    next_run: float | None
    slot: int = 0
    last_ran_at: float | None = None
    n_runs: int = 0
    n_errors: int = 0
    inactive_reason: dict[str, Any] | None = None
    inactive_since: float | None = None
    last_task_id: str | None = None
    run_started_at: float | None = None
    submission_id: str | None = None
    attempts: int = 0
    retry_at: float | None = None
    retry_until: float | None = None

    @property
    def in_run(self) -> bool:
        """A run was started and has no outcome yet (its tries may go on)."""
        return self.run_started_at is not None

    @property
    def retrying(self) -> bool:
        return self.retry_at is not None


@dataclass(frozen=True)
class Run:
    """One entry of a timer's history: a submitted, failed or skipped run."""

    ran_at: float
    status: int
    task_id: str | None = None
    errors: list[dict[str, str]] | None = None


IDLE: dict[str, Any] = {
    "run_started_at": None,
    "submission_id": None,
    "attempts": 0,
    "retry_at": None,
    "retry_until": None,
}
"""The changes that end a run, whatever became of it."""

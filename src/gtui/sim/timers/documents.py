"""The documents Timers answers with: the timer of ``/v2/timer`` (V2), the job of ``/jobs``
(V1, with its runs), and one run.

A run's ``data`` is the Transfer action it made, with the task document as it is now, read
when the answer is built (``TaskDocument``); times come from the service's clock.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from gtui.sim.timers.consent import collections_needing_consent, transfer_scope
from gtui.sim.timers.model import DELETED, INACTIVE, Run, Timer
from gtui.sim.timers.times import iso

TaskDocument = Callable[[str, str], "dict[str, Any] | None"]
"""``document(owner_id, task_id)``: the task as Transfer answers ``GET /task/{id}``."""

CALLBACK_URL = "https://transfer.actions.globus.org/transfer/run"
TIMER_TYPE = "transfer"
UNFINISHED = ("ACTIVE", "INACTIVE")
ACTION_STATUS = {"INACTIVE": "ACTIVE"}


def v2_timer(timer: Timer) -> dict[str, Any]:
    """The timer as ``POST /v2/timer`` answers it."""
    return {
        "job_id": timer.job_id,
        "name": timer.name,
        "timer_type": TIMER_TYPE,
        "status": timer.status,
        "submitted_at": iso(timer.submitted_at),
        "next_run": iso(timer.next_run),
        "last_ran_at": iso(timer.last_ran_at),
        "schedule": timer.schedule.to_doc(),
        "number_of_runs": timer.n_runs,
        "number_of_errors": timer.n_errors,
        "inactive_reason": timer.inactive_reason,
        "body": timer.body,
    }


def v1_job(
    timer: Timer,
    runs: list[Run],
    task_document: TaskDocument,
    consent_collections: Collection[str],
) -> dict[str, Any]:
    """The timer as ``/jobs`` answers it, with ``runs`` (newest first) as its results."""
    last_task = task_document(timer.owner_id, timer.last_task_id) if timer.last_task_id else None
    schedule = timer.schedule
    return {
        "job_id": timer.job_id,
        "name": timer.name,
        "timer_type": TIMER_TYPE,
        "status": timer.status,
        "start": iso(schedule.start),
        "interval": schedule.interval,
        "stop_after": schedule.stop_after(),
        "callback_url": CALLBACK_URL,
        "callback_body": {"body": timer.body},
        "scope": transfer_scope(collections_needing_consent(timer.body, consent_collections)),
        "submitted_at": iso(timer.submitted_at),
        "last_ran_at": iso(timer.last_ran_at),
        "next_run": iso(timer.next_run),
        "n_runs": timer.n_runs,
        "n_errors": timer.n_errors,
        "inactive_reason": timer.inactive_reason,
        "activity": activity(timer, last_task),
        "schedule": schedule.to_doc(),
        "results": {
            "data": [run_document(timer, run, task_document) for run in runs],
            "page_next": None,
        },
    }


def activity(timer: Timer, last_task: dict[str, Any] | None) -> dict[str, Any] | None:
    """What the timer is doing now; None once it has nothing left to do."""
    if timer.status == DELETED:
        return None
    if timer.status == INACTIVE:
        return _activity("paused", timer.inactive_since)
    if timer.retrying:
        return _activity("retrying", timer.run_started_at)
    if last_task is not None and last_task.get("status") == "ACTIVE":
        return _activity("run_in_progress", timer.last_ran_at)
    if timer.next_run is not None:
        return _activity("awaiting_next_run", timer.last_ran_at or timer.submitted_at)
    return None


def _activity(code: str, since: float | None) -> dict[str, Any]:
    return {"code": code, "start_timestamp": iso(since)}


def run_document(timer: Timer, run: Run, task_document: TaskDocument) -> dict[str, Any]:
    """One entry of ``results.data``."""
    data = None
    if run.task_id is not None:
        task = task_document(timer.owner_id, run.task_id)
        data = _action(timer, run, run.task_id, task)
    return {"ran_at": iso(run.ran_at), "status": run.status, "errors": run.errors, "data": data}


def _action(timer: Timer, run: Run, task_id: str, task: dict[str, Any] | None) -> dict[str, Any]:
    """The Transfer action a run made, as Timers reports it."""
    status = (task or {}).get("status", "ACTIVE")
    return {
        "action_id": task_id,
        "details": task,
        "status": ACTION_STATUS.get(status, status),
        "display_status": status,
        "label": (task or {}).get("label"),
        "start_time": iso(run.ran_at),
        "completion_time": (task or {}).get("completion_time"),
        "creator_id": f"urn:globus:auth:identity:{timer.owner_id}",
    }

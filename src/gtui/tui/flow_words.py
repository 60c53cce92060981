"""Flows, runs and run log entries in words: what a person reads on the Flows screens.

Kept out of the screens so the words are the same on the list of runs, a run's detail and
its timeline, and can be tested without drawing anything.
"""

from __future__ import annotations

from datetime import datetime

from gtui.core.flow_models import FlowRun, RunLogEntry

ROLE_WORDS = {
    "flow_owner": "owner",
    "flow_administrator": "admin",
    "flow_starter": "starter",
    "flow_viewer": "viewer",
    "run_owner": "owner",
    "run_manager": "manager",
    "run_monitor": "monitor",
}
STATUS_WORDS = {
    "ACTIVE": "Running",
    "INACTIVE": "Waiting",
    "SUCCEEDED": "Succeeded",
    "FAILED": "Failed",
    "ENDED": "Ended",
}
_IDENTITY_URN = "urn:globus:auth:identity:"
_CODE_WORDS = {
    "FlowStarted": "flow started",
    "FlowStarting": "flow starting",
    "FlowSucceeded": "flow succeeded",
    "FlowFailed": "flow failed",
    "FlowCanceled": "flow canceled",
    "FlowCancelled": "flow canceled",
    "FlowResumed": "flow resumed",
    "FlowInactive": "flow waiting",
    "ActionStarted": "started",
    "ActionCompleted": "completed",
    "ActionFailed": "failed",
    "ActionInactive": "waiting",
    "ActionPolled": "still running",
    "ActionTimedOut": "timed out",
    "ActionTimeout": "timed out",
    "PassStarted": "started",
    "PassCompleted": "done",
    "ChoiceStarted": "choosing",
    "ChoiceCompleted": "chose",
    "WaitStarted": "waiting",
    "WaitCompleted": "waited",
    "SucceedCompleted": "succeeded",
    "FailCompleted": "failed",
}


def role_words(role: str) -> str:
    """``flow_starter`` → ``starter``; unknown roles as they are, none as ``—``."""
    return ROLE_WORDS.get(role, role.replace("_", " ")) if role else "—"


def identity_id(urn: str) -> str:
    """The identity id of ``urn:globus:auth:identity:<id>`` (other principals unchanged)."""
    return urn[len(_IDENTITY_URN) :] if urn.startswith(_IDENTITY_URN) else urn


def status_words(run: FlowRun) -> str:
    """``Running``, ``Waiting for consent``, ``Succeeded``, ``Failed``, ``Canceled``…"""
    if run.status == "INACTIVE" and run.inactive_requirement() is not None:
        return "Needs consent"
    if run.code in ("FlowCanceled", "FlowCancelled"):
        return "Canceled"
    return STATUS_WORDS.get(run.status, run.display_status.capitalize() or "Unknown")


def local_time(moment: datetime | None, *, seconds: bool = False) -> str:
    """``2026-12-07 02:00`` (with ``:05`` seconds when asked) in local time; empty for none."""
    if moment is None:
        return ""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def clock_time(moment: datetime | None) -> str:
    """``14:02:05`` in local time: a timeline's entries are minutes apart, the day is above."""
    return moment.astimezone().strftime("%H:%M:%S") if moment is not None else ""


def entry_state(entry: RunLogEntry) -> str:
    """The state an entry is about (its name), or ``flow`` for the run's own entries."""
    return entry.state_name or ("flow" if entry.code.startswith("Flow") else "")


def entry_words(entry: RunLogEntry, *, short_ids: bool = False) -> str:
    """What happened, shortly: ``started``, ``completed · task 1f2e…``, or the service's
    description when gtui has no words for the code. ``short_ids`` cuts a task id to its
    first eight characters (a narrow screen; Enter opens the task)."""
    words = _CODE_WORDS.get(entry.code)
    if words is None:
        words = entry.description or entry.code
    elif entry.state_name and words.startswith("flow "):
        words = words[5:]
    if entry.task_id:
        shown = f"{entry.task_id[:8]}…" if short_ids and len(entry.task_id) > 9 else entry.task_id
        words += f" · task {shown}"
    cause = _cause(entry)
    if cause:
        words += f" — {cause}"
    return words


def _cause(entry: RunLogEntry) -> str:
    """Why an entry failed or waits, when its details say."""
    if not (entry.is_failure or entry.code in ("ActionInactive", "FlowInactive")):
        return ""
    for key in ("cause", "description", "error"):
        value = entry.details.get(key)
        if isinstance(value, str) and value:
            return value
    inner = entry.details.get("details")
    if isinstance(inner, dict):
        value = inner.get("description") or inner.get("cause")
        if isinstance(value, str):
            return value
    return ""


def run_summary(run: FlowRun) -> str:
    """The run's latest news in a sentence (its ``details``' description)."""
    description = run.description
    if run.status == "INACTIVE":
        requirement = run.inactive_requirement()
        inner = run.details.get("details")
        if isinstance(inner, dict) and isinstance(inner.get("description"), str):
            description = inner["description"]
        if requirement is not None:
            return f"Waits for a consent: {description or 'resume it to give it (r)'}"
    return description or run.code

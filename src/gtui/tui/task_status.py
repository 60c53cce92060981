"""A task's state in the words a person reads: Queued, Paused, Canceled; why it is stuck."""

from __future__ import annotations

from gtui.core.models import Task
from gtui.core.tasks import FLAG_FAULTS

STATUS_NAMES = {
    "ACTIVE": "Active",
    "INACTIVE": "Inactive",
    "SUCCEEDED": "Succeeded",
    "FAILED": "Failed",
    "CANCELED": "Canceled",
}


def fault_reason(task: Task, flags: frozenset[str]) -> str:
    """Why a running task keeps faulting, in a few words (``permission denied``), or ''."""
    if (
        task.is_finished
        or not task.faults
        or (task.is_ok is not False and FLAG_FAULTS not in flags)
    ):
        return ""
    return (task.nice_status_short_description or task.nice_status or "").lower()


def status_name(task: Task) -> str:
    """The status a person reads: Queued for accepted-but-waiting tasks, Paused, Canceled."""
    if task.status == "ACTIVE" and task.is_paused:
        return "Paused"
    if task.status == "ACTIVE" and (task.nice_status or "") == "Queued":
        return "Queued"
    fatal = task.fatal_error or {}
    nice = (task.nice_status or "").upper()
    if task.status == "FAILED" and "CANCELED" in (nice, str(fatal.get("code", "")).upper()):
        return "Canceled"
    return STATUS_NAMES.get(task.status, task.status.title())

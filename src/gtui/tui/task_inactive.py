"""Why an INACTIVE task waits, in words a person reads, and which collection it waits for.

Transfer suspends a task (status INACTIVE) when it may no longer act for its owner on a
collection: the owner's credentials there expired, or the consent was withdrawn. The task
says so in ``nice_status`` (``NO_CREDENTIALS``…) and names the collection in
``nice_status_details``, in the form of Transfer's error details ("Endpoint: NAME (ID)").
It goes on by itself once its owner consents again; ``task_repair`` runs that consent.
"""

from __future__ import annotations

from gtui.core.models import Task
from gtui.tui.service_words import named_collection, shown_name

CONSENT_WORDS = ("consent", "data_access")
NAME_WIDTH = 40
REPAIR_KEY = "a"


def waiting_collection(task: Task) -> tuple[str, str] | None:
    """The name and id of the collection an INACTIVE task waits for, when it names one."""
    if task.status != "INACTIVE":
        return None
    return named_collection(task.nice_status_details or "")


def needs_consent(task: Task) -> bool:
    """Whether an INACTIVE task waits for a consent (rather than for some other credential)."""
    if task.status != "INACTIVE":
        return False
    said = f"{task.nice_status_details or ''} {task.nice_status_short_description or ''}"
    return any(word in said.lower() for word in CONSENT_WORDS)


def inactive_reason(task: Task) -> str:
    """Why the task waits ("needs your consent for “Tape Archive”"); '' unless INACTIVE."""
    if task.status != "INACTIVE":
        return ""
    named = waiting_collection(task)
    where = f" for “{shown_name(named[0], NAME_WIDTH)}”" if named else ""
    if needs_consent(task):
        return f"needs your consent{where}"
    why = (task.nice_status_short_description or task.nice_status or "").replace("_", " ")
    return f"waiting for you: {why.lower() or 'suspended'}{where}"


def repair_hint(task: Task) -> str:
    """What to press to wake the task, said where its reason is shown."""
    action = "give it" if needs_consent(task) else "repair"
    return f"press {REPAIR_KEY} to {action}"

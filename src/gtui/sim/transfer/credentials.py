"""A task uses a collection that needs ``data_access`` consent only while its owner holds that
consent; without it the task is INACTIVE until the owner consents again.

Transfer documents INACTIVE as a task "suspended [that] will not continue without
intervention", which happens when its credentials expire. A task's credentials for such a
collection are its owner's live grants (``AuthService.holds_consent``): once the consent is
withdrawn, or every token of the grant has expired, the task stops copying, is INACTIVE and says
why, with ``NO_CREDENTIALS`` (one of Transfer's event codes) as its ``nice_status`` and an
error event naming the collection, in the shape of Transfer's error details ("Endpoint: NAME
(ID)"). When the owner holds the consent again the task is ACTIVE and queued, and runs again
from the top.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from gtui.sim.auth.scopes import data_access_scope
from gtui.sim.settings import FaultSettings
from gtui.sim.transfer.model import Task
from gtui.sim.world import Collection

ConsentCheck = Callable[[str, str], bool]
"""``holds(identity_id, scope)``: whether the identity holds that consent now."""

NO_CREDENTIALS = "NO_CREDENTIALS"
DESCRIPTION = "no credentials"
MESSAGE = "Missing required data_access consent"
SIDES = ("source_endpoint_id", "destination_endpoint_id")


def always_held(identity_id: str, scope: str) -> bool:
    """The check of an engine that was given none: every consent is held."""
    return True


def missing_consent(
    task: Task,
    collections: Mapping[str, Collection],
    faults: FaultSettings,
    holds: ConsentCheck,
) -> Collection | None:
    """The first collection of ``task`` whose ``data_access`` consent its owner lacks."""
    for side in SIDES:
        collection = collections.get(task.doc.get(side) or "")
        if collection is None or collection.id not in faults.consent_collections:
            continue
        if not holds(task.owner_id, data_access_scope(collection.id)):
            return collection
    return None


def details_for(collection: Collection) -> str:
    """What the task document and the event say about the missing consent."""
    return (
        f"{MESSAGE}\nEndpoint: {collection.display_name} ({collection.id})\n"
        f"Scope: {data_access_scope(collection.id)}"
    )


def suspend(task: Task, collection: Collection) -> None:
    """Make the task INACTIVE and record why (its job has stopped, or never started)."""
    details = details_for(collection)
    with task.lock:
        task.doc.update(
            status="INACTIVE",
            is_ok=False,
            nice_status=NO_CREDENTIALS,
            nice_status_short_description=DESCRIPTION,
            nice_status_details=details,
            nice_status_expires_in=-1,
            effective_bytes_per_second=0,
        )
    task.mark_changed()
    task.add_event(NO_CREDENTIALS, DESCRIPTION, details, is_error=True)


def resume(task: Task) -> None:
    """ACTIVE again and queued: the engine runs it from the top when its turn comes."""
    with task.lock:
        task.doc.update(
            status="ACTIVE",
            is_ok=True,
            nice_status="Queued",
            nice_status_short_description="Queued",
            nice_status_details=None,
        )
    task.mark_changed()

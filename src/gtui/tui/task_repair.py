"""Waking an INACTIVE task: the consent login for the collections it may no longer use.

Transfer resumes such a task by itself once its owner consents again, so gtui runs the same
consent dialog a ``ConsentRequired`` answer gets (``session_flows.ask_for_consent``) for the
``data_access`` scopes of the task's collections, then follows the task closely so that its
return shows at once.
"""

from __future__ import annotations

from typing import Any

from textual.app import App

from gtui.core.errors import AuthorizationRequirement, GlobusError
from gtui.core.models import Collection, Task
from gtui.core.scopes import transfer_scope_with_data_access
from gtui.core.session import GlobusSession
from gtui.tui.context import gtui
from gtui.tui.session_flows import ask_for_consent
from gtui.tui.task_inactive import waiting_collection


async def consent_collections(session: GlobusSession, task: Task) -> list[str]:
    """Ids of the collections whose ``data_access`` consent the task needs: the one it names,
    else those of its collections that take such a consent."""
    named = waiting_collection(task)
    if named is not None:
        return [named[1]]
    found: list[str] = []
    ends = (task.source_endpoint_id, task.destination_endpoint_id)
    for collection_id in dict.fromkeys(end for end in ends if end):
        try:
            response = await session.transfer.get_endpoint(collection_id)
        except GlobusError:
            continue
        if Collection.from_api(response.document()).requires_data_access:
            found.append(collection_id)
    return found


def consent_requirement(collection_ids: list[str]) -> AuthorizationRequirement:
    """What a ConsentRequired answer about these collections would ask for."""
    scope = transfer_scope_with_data_access(collection_ids)
    return AuthorizationRequirement(code="ConsentRequired", required_scopes=(scope,))


async def repair_task(app: App[Any], task_id: str) -> bool:
    """Ask for the consent an INACTIVE task waits for; True once it is given."""
    context = gtui(app)
    task = context.feed.tasks.get(task_id)
    if task is None or task.status != "INACTIVE":
        app.notify("This task is not waiting for anything from you.", timeout=3)
        return False
    collection_ids = await consent_collections(context.session, task)
    if not collection_ids:
        app.notify(
            "gtui cannot tell which consent this task waits for; its events may say.",
            severity="warning",
            timeout=6,
        )
        return False
    if not await ask_for_consent(app, context.session, consent_requirement(collection_ids)):
        return False
    context.feed.watch(task_id)
    return True

"""The handlers of the Search v1 routes that write or administer: ingest and deletes (each a
task), tasks, indexes (create, update, delete, reopen) and index roles.

Writes need a token with Search's ``all`` or ``ingest`` scope, administration its ``all``
scope (403 otherwise); who may do what on an index is the service's (``service.py``). Each
handler finds the index (404), checks the caller's role on it (403), then that the index is
open (409), then the document (400).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from gtui.sim.auth.scopes import SEARCH_RS
from gtui.sim.auth.tokens import Caller
from gtui.sim.errors import SimAPIError
from gtui.sim.search import documents
from gtui.sim.search.handlers import caller_of, service_of
from gtui.sim.search.query_options import SearchRequestError
from gtui.sim.search.results import matching_subjects
from gtui.sim.search.service import (
    ADMINS,
    DELETE_PENDING,
    OPEN,
    OWNERS,
    WRITERS,
    SearchService,
    forbidden,
    not_found,
)

ALL_SCOPE = f"urn:globus:auth:scope:{SEARCH_RS}:all"
INGEST_SCOPE = f"urn:globus:auth:scope:{SEARCH_RS}:ingest"


def _writer(request: Request, *, administer: bool = False) -> Caller:
    """The caller, if its token may write to Search (``all``, or ``ingest`` for data)."""
    caller = caller_of(request)
    allowed = {ALL_SCOPE} if administer else {ALL_SCOPE, INGEST_SCOPE}
    if allowed.isdisjoint(caller.scopes):
        scope = "all" if administer else "all or ingest"
        raise forbidden(f"This needs a token with Search's {scope} scope")
    return caller


def _checked_index(
    request: Request, caller: Caller, roles: frozenset[str], doing: str
) -> tuple[SearchService, str]:
    service = service_of(request)
    index_id = request.path_params["index_id"]
    service.index(index_id)
    service.require(index_id, caller.identity_id, roles, doing)
    service.open_index(index_id)
    return service, index_id


def _task_answer(task_id: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"task_id": task_id, **extra})


# -- data ---------------------------------------------------------------------------------------


async def ingest(request: Request) -> JSONResponse:
    caller = _writer(request)
    service, index_id = _checked_index(request, caller, WRITERS, "ingest into this index")
    entries = documents.ingest_entries(await documents.read_body(request))
    task = service.submit(index_id, "ingest", {"entries": entries})
    return _task_answer(task.id, acknowledged=True, success=True)


async def delete_by_query(request: Request) -> JSONResponse:
    caller = _writer(request)
    service, index_id = _checked_index(request, caller, ADMINS, "delete by query on this index")
    body = await documents.read_body(request)
    query = documents.delete_query(body)
    principals = service.visible_principals(
        index_id, caller.identity_id, body.get("bypass_visible_to") is True
    )
    try:
        matching_subjects([], principals, query)  # a bad query is refused now, not in the task
    except SearchRequestError as exc:
        raise SimAPIError(400, "BadRequest.InvalidQuery", str(exc)) from None
    payload = {"query": query, "principals": None if principals is None else sorted(principals)}
    return _task_answer(service.submit(index_id, "delete_by_query", payload).id)


async def batch_delete_by_subject(request: Request) -> JSONResponse:
    caller = _writer(request)
    service, index_id = _checked_index(request, caller, WRITERS, "delete from this index")
    subjects = (await documents.read_body(request)).get("subjects")
    if (
        not isinstance(subjects, list)
        or not subjects
        or not all(isinstance(s, str) and s for s in subjects)
    ):
        raise documents.invalid("subjects must be a non-empty list of subjects")
    task = service.submit(index_id, "delete_subject", {"subjects": list(dict.fromkeys(subjects))})
    return _task_answer(task.id)


async def delete_subject(request: Request) -> JSONResponse:
    caller = _writer(request)
    service, index_id = _checked_index(request, caller, WRITERS, "delete from this index")
    subject = request.query_params.get("subject", "")
    if not service.subject_entries(index_id, subject, None):
        raise not_found(f"No subject {subject!r} in this index")
    return _task_answer(service.submit(index_id, "delete_subject", {"subjects": [subject]}).id)


async def delete_entry(request: Request) -> JSONResponse:
    caller = _writer(request)
    service, index_id = _checked_index(request, caller, WRITERS, "delete from this index")
    subject = request.query_params.get("subject", "")
    entry_id = request.query_params.get("entry_id")
    entries = service.subject_entries(index_id, subject, None)
    if not any(e.get("entry_id") == entry_id for e in entries):
        raise not_found(f"No entry {entry_id!r} of subject {subject!r} in this index")
    payload = {"subject": subject, "entry_id": entry_id}
    return _task_answer(service.submit(index_id, "delete_entry", payload).id)


# -- tasks --------------------------------------------------------------------------------------


async def get_task(request: Request) -> JSONResponse:
    caller = _writer(request)
    service = service_of(request)
    task = service.task(request.path_params["task_id"])
    service.require(task.index_id, caller.identity_id, WRITERS, "see the tasks of this index")
    return JSONResponse(service.task_doc(task))


async def task_list(request: Request) -> JSONResponse:
    caller = _writer(request)
    service = service_of(request)
    index_id = request.path_params["index_id"]
    service.index(index_id)
    service.require(index_id, caller.identity_id, WRITERS, "see the tasks of this index")
    return JSONResponse({"tasks": [service.task_doc(t) for t in service.tasks_of(index_id)]})


# -- indexes ------------------------------------------------------------------------------------


async def create_index(request: Request) -> JSONResponse:
    caller = _writer(request, administer=True)
    service = service_of(request)
    fields = documents.index_fields(await documents.read_body(request), required=True)
    index = service.create_index(caller.identity_id, fields["display_name"], fields["description"])
    return JSONResponse(service.index_doc(index))


async def update_index(request: Request) -> JSONResponse:
    caller = _writer(request, administer=True)
    service, index_id = _checked_index(request, caller, ADMINS, "change this index")
    fields = documents.index_fields(await documents.read_body(request), required=False)
    return JSONResponse(service.index_doc(service.update_index(index_id, fields)))


async def delete_index(request: Request) -> JSONResponse:
    return _set_status(request, DELETE_PENDING, "delete this index")


async def reopen_index(request: Request) -> JSONResponse:
    return _set_status(request, OPEN, "reopen this index")


def _set_status(request: Request, status: str, doing: str) -> JSONResponse:
    caller = _writer(request, administer=True)
    service = service_of(request)
    index_id = request.path_params["index_id"]
    service.index(index_id)
    service.require(index_id, caller.identity_id, OWNERS, doing)
    service.set_status(index_id, status)
    return JSONResponse({"index_id": index_id, "acknowledged": True})


# -- roles --------------------------------------------------------------------------------------


async def role_list(request: Request) -> JSONResponse:
    caller = _writer(request, administer=True)
    service, index_id = _checked_index(request, caller, ADMINS, "see the roles of this index")
    return JSONResponse({"role_list": [r.to_doc() for r in service.role_list(index_id)]})


async def create_role(request: Request) -> JSONResponse:
    caller = _writer(request, administer=True)
    service, index_id = _checked_index(request, caller, ADMINS, "add roles to this index")
    role_name, principal = documents.role_document(await documents.read_body(request))
    made = service.create_role(index_id, caller.identity_id, principal, role_name)
    return JSONResponse(made.to_doc())


async def delete_role(request: Request) -> JSONResponse:
    caller = _writer(request, administer=True)
    service, index_id = _checked_index(request, caller, ADMINS, "remove roles of this index")
    deleted = service.delete_role(index_id, caller.identity_id, request.path_params["role_id"])
    return JSONResponse({"deleted": deleted.to_doc(), "success": True})

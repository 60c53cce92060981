"""The handlers of the Search v1 routes that read: queries, scrolls, subjects, entries and
indexes. Each reads the request, asks the service (``service.py``) and answers JSON."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from gtui.sim.auth.bearer import require_caller
from gtui.sim.auth.scopes import SEARCH_RS
from gtui.sim.auth.tokens import Caller
from gtui.sim.context import context_of
from gtui.sim.errors import SimAPIError
from gtui.sim.search.query_options import SearchRequestError
from gtui.sim.search.results import gmeta
from gtui.sim.search.service import ROLE_NAMES, SearchService, not_found

TRUE_WORDS = ("true", "1", "yes", "on")


def service_of(request: Request) -> SearchService:
    """The Search service, with every task that is due done (so reads see what it wrote)."""
    service = context_of(request).search.service
    if service is None:
        raise RuntimeError("the Search service was not attached with the Search routes")
    service.settle()
    return service


def caller_of(request: Request) -> Caller:
    return require_caller(request, SEARCH_RS)


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).lower() in TRUE_WORDS


def _run(
    request: Request, caller: Caller, query: dict[str, Any], *, scroll: bool = False
) -> JSONResponse:
    service = service_of(request)
    index_id = request.path_params["index_id"]
    service.index(index_id)
    principals = service.visible_principals(
        index_id, caller.identity_id, _flag(query.get("bypass_visible_to", False))
    )
    try:
        if scroll:
            return JSONResponse(service.scroll(index_id, principals, query))
        return JSONResponse(service.search(index_id, principals, query))
    except SearchRequestError as exc:
        raise SimAPIError(400, "BadRequest.InvalidQuery", str(exc)) from None


async def get_search(request: Request) -> JSONResponse:
    caller = caller_of(request)
    params = request.query_params
    query: dict[str, Any] = {
        "q": params.get("q", "*"),
        "advanced": params.get("advanced", "false").lower() in TRUE_WORDS,
        "offset": params.get("offset"),
        "limit": params.get("limit"),
        "bypass_visible_to": params.get("bypass_visible_to", "false"),
    }
    return _run(request, caller, query)


async def _query_document(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body() or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise SimAPIError(400, "BadRequest", "The body is not valid JSON") from None
    if not isinstance(body, dict):
        raise SimAPIError(400, "BadRequest", "The body must be a query document")
    for name in ("advanced", "bypass_visible_to"):
        if not isinstance(body.get(name, False), bool):
            raise SimAPIError(400, "BadRequest", f"{name} must be true or false")
    return body


async def post_search(request: Request) -> JSONResponse:
    caller = caller_of(request)
    return _run(request, caller, await _query_document(request))


async def scroll(request: Request) -> JSONResponse:
    caller = caller_of(request)
    return _run(request, caller, await _query_document(request), scroll=True)


async def get_index(request: Request) -> JSONResponse:
    caller = caller_of(request)
    service = service_of(request)
    index = service.index(request.path_params["index_id"])
    return JSONResponse(service.index_doc(index, service.permissions(index.id, caller.identity_id)))


async def index_list(request: Request) -> JSONResponse:
    caller = caller_of(request)
    raw = request.query_params.get("filter_roles")
    wanted = {r.strip() for r in raw.split(",") if r.strip()} if raw else None
    if wanted is not None and not wanted <= set(ROLE_NAMES):
        raise SimAPIError(
            400,
            "BadRequest.ValidationError",
            f"filter_roles takes {', '.join(ROLE_NAMES)}, not {', '.join(sorted(wanted))}",
        )
    return JSONResponse({"index_list": service_of(request).index_list(caller.identity_id, wanted)})


async def get_subject(request: Request) -> JSONResponse:
    caller = caller_of(request)
    service = service_of(request)
    index_id = request.path_params["index_id"]
    subject = request.query_params.get("subject", "")
    principals = service.principals(caller.identity_id)
    entries = service.subject_entries(index_id, subject, principals)
    if not entries:
        raise not_found(f"No subject {subject!r} in this index")
    return JSONResponse(gmeta(subject, entries, principals))


async def get_entry(request: Request) -> JSONResponse:
    caller = caller_of(request)
    service = service_of(request)
    index_id = request.path_params["index_id"]
    subject = request.query_params.get("subject", "")
    entry_id = request.query_params.get("entry_id")
    principals = service.principals(caller.identity_id)
    found = [
        e
        for e in service.subject_entries(index_id, subject, principals)
        if e.get("entry_id") == entry_id
    ]
    if not found:
        raise not_found(f"No entry {entry_id!r} of subject {subject!r} in this index")
    return JSONResponse(gmeta(subject, found, principals))

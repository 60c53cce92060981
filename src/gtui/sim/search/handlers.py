"""The handlers of the Search v1 routes: read the request, ask the index, answer JSON."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from gtui.sim.auth.bearer import require_caller
from gtui.sim.auth.scopes import SEARCH_RS
from gtui.sim.context import context_of
from gtui.sim.errors import SimAPIError
from gtui.sim.search.index import SearchIndex
from gtui.sim.search.query_options import SearchRequestError

TRUE_WORDS = ("true", "1", "yes", "on")


def _index(request: Request) -> SearchIndex:
    index = context_of(request).search
    if request.path_params.get("index_id", index.index_id) != index.index_id:
        raise SimAPIError(
            404,
            "NotFound.NoSuchIndex",
            f"There is no index named {request.path_params['index_id']}",
        )
    return index


def _run(index: SearchIndex, identity_id: str, query: dict[str, Any]) -> JSONResponse:
    try:
        return JSONResponse(index.search(identity_id, query))
    except SearchRequestError as exc:
        raise SimAPIError(400, "BadRequest.InvalidQuery", str(exc)) from None


async def get_search(request: Request) -> JSONResponse:
    caller = require_caller(request, SEARCH_RS)
    params = request.query_params
    query: dict[str, Any] = {
        "q": params.get("q", "*"),
        "advanced": params.get("advanced", "false").lower() in TRUE_WORDS,
        "offset": params.get("offset"),
        "limit": params.get("limit"),
    }
    return _run(_index(request), caller.identity_id, query)


async def _query_document(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body() or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise SimAPIError(400, "BadRequest", "The body is not valid JSON") from None
    if not isinstance(body, dict):
        raise SimAPIError(400, "BadRequest", "The body must be a query document")
    if not isinstance(body.get("advanced", False), bool):
        raise SimAPIError(400, "BadRequest", "advanced must be true or false")
    return body


async def post_search(request: Request) -> JSONResponse:
    caller = require_caller(request, SEARCH_RS)
    body = await _query_document(request)
    return _run(_index(request), caller.identity_id, body)


async def scroll(request: Request) -> JSONResponse:
    caller = require_caller(request, SEARCH_RS)
    body = await _query_document(request)
    try:
        return JSONResponse(_index(request).scroll(caller.identity_id, body))
    except SearchRequestError as exc:
        raise SimAPIError(400, "BadRequest.InvalidQuery", str(exc)) from None


async def get_index(request: Request) -> JSONResponse:
    require_caller(request, SEARCH_RS)
    return JSONResponse(_index(request).index_doc())


async def index_list(request: Request) -> JSONResponse:
    require_caller(request, SEARCH_RS)
    index = context_of(request).search
    return JSONResponse({"index_list": [index.index_doc()]})


async def get_subject(request: Request) -> JSONResponse:
    caller = require_caller(request, SEARCH_RS)
    subject = request.query_params.get("subject", "")
    found = _index(request).subject(subject, caller.identity_id)
    if found is None:
        raise SimAPIError(404, "NotFound.Generic", f"No subject {subject!r} in this index")
    return JSONResponse(found)

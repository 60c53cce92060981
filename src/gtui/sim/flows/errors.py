"""Errors of the Flows API, in its own shape: ``{"error": {"code", "detail", …}, "debug_id"}``.

``detail`` is a sentence, or for a document that failed validation a list of
``{"loc", "msg", "type"}`` beside a ``message`` (the SDK's ``FlowsAPIError`` reads the list's
``msg`` as its messages). A missing consent adds ``authorization_parameters``
(``session_message``, ``required_scopes``) inside ``error`` and at the top, where the SDK's
``to_gare`` and globus-cli find a Globus Auth requirement. The Flows application
(``routes.flows_app``) answers every error raised in it in this shape.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response

from gtui.sim.errors import SimAPIError

log = logging.getLogger(__name__)

HTTP_CODES = {400: "BAD_REQUEST", 404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}


def error_document(status: int, code: str, detail: Any, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "detail": detail, **extra}, "debug_id": str(uuid.uuid4())}


def not_found(kind: str, item_id: str) -> SimAPIError:
    return SimAPIError(404, "NOT_FOUND", f"No {kind} with id value {item_id} was found.")


def forbidden(kind: str, item_id: str, missing: str) -> SimAPIError:
    return SimAPIError(
        403,
        "FORBIDDEN",
        "You do not have the necessary permissions to perform this action on the"
        f" {kind} with id value {item_id}. Missing permissions: {missing}.",
    )


def unprocessable(problems: list[tuple[list[str | int], str]]) -> SimAPIError:
    """422: a document that failed validation, one ``loc`` and sentence per problem."""
    count = len(problems)
    worded = "; ".join(f"{_path(loc)}: {msg}" for loc, msg in problems)
    return SimAPIError(
        422,
        "UNPROCESSABLE_ENTITY",
        f"{count} validation error{'s' if count != 1 else ''} in body. {worded}",
        detail=[{"loc": loc, "msg": msg, "type": "value_error"} for loc, msg in problems],
    )


def _path(loc: list[str | int]) -> str:
    text = "$"
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


async def api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SimAPIError)
    extra = dict(exc.extra)
    detail: Any = exc.message
    if "detail" in extra:
        detail = extra.pop("detail")
        extra.setdefault("message", exc.message)
    body = error_document(exc.status, exc.code, detail, **extra)
    if "authorization_parameters" in extra:
        parameters = extra["authorization_parameters"]
        body["code"] = exc.code
        body["authorization_parameters"] = parameters
        if isinstance(parameters, dict) and "required_scopes" in parameters:
            body["required_scopes"] = parameters["required_scopes"]
    return JSONResponse(body, status_code=exc.status, headers=exc.headers or None)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    status = exc.status_code
    code = HTTP_CODES.get(status, f"HTTP_{status}")
    detail = f"No such resource: {request.url.path}" if status == 404 else str(exc.detail)
    return JSONResponse(error_document(status, code, detail), status_code=status)


async def client_gone(request: Request, exc: Exception) -> Response:
    """The client went away before its body arrived: no one to answer, nothing went wrong."""
    return Response(status_code=400)


async def internal_error(request: Request, exc: Exception) -> Response:
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    body = error_document(500, "INTERNAL_ERROR", "An internal error occurred")
    return JSONResponse(body, status_code=500)


ERROR_HANDLERS = {
    SimAPIError: api_error,
    HTTPException: http_error,
    ClientDisconnect: client_gone,
    Exception: internal_error,
}

"""What the newer JSON services (Timers, Flows) share: reading a request's JSON object, and
answering every error raised in the service's application in that service's error shape.

Each service names its own shape (``error_document``) and its own spelling of codes
(``BadRequest`` in Timers, ``BAD_REQUEST`` in Flows); the handlers are the same. A missing
consent's ``authorization_parameters`` also goes at the top of the body, where globus-cli looks
for a Globus Auth requirement (the SDK's ``to_gare`` finds it in either place).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response

from gtui.sim.errors import SimAPIError

log = logging.getLogger(__name__)

ErrorDocument = Callable[..., dict[str, Any]]
"""``(status, code, detail, **extra)`` → the body of an error answer."""
Handler = Callable[[Request, Exception], Awaitable[Response]]


@dataclass(frozen=True)
class ErrorShape:
    """How one service writes its errors."""

    document: ErrorDocument
    http_codes: Mapping[int, str]
    """Codes of the HTTP errors Starlette raises itself (404, 405…), by status."""
    other_http_code: Callable[[int], str]
    internal_code: str
    bad_request_code: str


async def read_json_object(
    request: Request, shape: ErrorShape, *, optional: bool = False
) -> dict[str, Any]:
    """The JSON object in the request body (``{}`` for an empty optional one), or a 400."""
    body = await request.body()
    if not body.strip() and optional:
        return {}
    try:
        data = json.loads(body) if body else None
    except (ValueError, UnicodeDecodeError):
        raise SimAPIError(
            400, shape.bad_request_code, "The request body is not valid JSON"
        ) from None
    if not isinstance(data, dict):
        raise SimAPIError(400, shape.bad_request_code, "The request body must be a JSON object")
    return data


def error_handlers(shape: ErrorShape) -> dict[Any, Handler]:
    """Starlette exception handlers answering every error in ``shape``.

    A ``SimAPIError`` whose extras carry ``detail`` (Flows' list of invalid fields) answers
    that as the detail, with the error's sentence kept as ``message``.
    """

    async def api_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SimAPIError)
        extra = dict(exc.extra)
        detail: Any = exc.message
        if "detail" in extra:
            detail = extra.pop("detail")
            extra.setdefault("message", exc.message)
        body = shape.document(exc.status, exc.code, detail, **extra)
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
        code = shape.http_codes.get(status) or shape.other_http_code(status)
        detail = f"No such resource: {request.url.path}" if status == 404 else str(exc.detail)
        return JSONResponse(shape.document(status, code, detail), status_code=status)

    async def client_gone(request: Request, exc: Exception) -> Response:
        """The client went away before its body arrived: no one to answer, nothing went wrong."""
        return Response(status_code=400)

    async def internal_error(request: Request, exc: Exception) -> Response:
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        body = shape.document(500, shape.internal_code, "An internal error occurred")
        return JSONResponse(body, status_code=500)

    return {
        SimAPIError: api_error,
        HTTPException: http_error,
        ClientDisconnect: client_gone,
        Exception: internal_error,
    }

"""Errors of the Timers API, in its own shape: ``{"error": {"code", "detail", "status"}}``.

The SDK's ``TimersAPIError`` reads that object as its one error, so its code and detail reach
the person; extra fields (a GARE's ``authorization_parameters``) sit beside them, where
``globus_sdk.gare.to_gare`` finds them, and a GARE's also at the top, where globus-cli does.
The Timers application (``routes.timer_app``) answers every error raised in it (a refused
token, an unknown path, a crash) in this shape.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response

from gtui.sim.errors import SimAPIError

log = logging.getLogger(__name__)

HTTP_CODES = {400: "BadRequest", 404: "NotFound", 405: "MethodNotAllowed"}


def error_document(status: int, code: str, detail: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "detail": detail, "status": status, **extra}}


async def api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SimAPIError)
    body = error_document(exc.status, exc.code, exc.message, **exc.extra)
    if "authorization_parameters" in exc.extra:
        # Also at the top, where globus-cli looks for a Globus Auth requirement (the SDK's
        # to_gare finds it in either place): the CLI then says which consent to give.
        parameters = exc.extra["authorization_parameters"]
        body["code"] = exc.code
        body["authorization_parameters"] = parameters
        if isinstance(parameters, dict) and "required_scopes" in parameters:
            body["required_scopes"] = parameters["required_scopes"]
    return JSONResponse(body, status_code=exc.status, headers=exc.headers or None)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    status = exc.status_code
    code = HTTP_CODES.get(status, f"HTTP{status}")
    detail = f"No such resource: {request.url.path}" if status == 404 else str(exc.detail)
    return JSONResponse(error_document(status, code, detail), status_code=status)


async def client_gone(request: Request, exc: Exception) -> Response:
    """The client went away before its body arrived: no one to answer, nothing went wrong."""
    return Response(status_code=400)


async def internal_error(request: Request, exc: Exception) -> Response:
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    body = error_document(500, "InternalError", "An internal error occurred")
    return JSONResponse(body, status_code=500)


ERROR_HANDLERS = {
    SimAPIError: api_error,
    HTTPException: http_error,
    ClientDisconnect: client_gone,
    Exception: internal_error,
}

"""Errors of the GCS Manager API, in its own shape: a ``result`` document with no data.

``{"DATA_TYPE": "result#1.0.0", "code": "permission_denied", "http_response_code": 403,
"detail": ..., "message": ..., "has_next_page": false, "data": []}`` (the SDK's fixtures). A
missing consent is ``code: "ConsentRequired"`` with ``required_scopes`` beside the message and
again under ``authorization_parameters``: the SDK's ``err.info.consent_required`` and its GARE
parser (which globus-cli uses) read either, and gtui's client core reads both.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from gtui.sim.errors import SimAPIError, snake_case

log = logging.getLogger(__name__)

RESULT_DATA_TYPE = "result#1.0.0"
_HTTP_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed"}


class GCSError(Exception):
    """An answer of the GCS Manager API other than success."""

    def __init__(
        self, status: int, code: str, message: str, *, detail: Any = None, **extra: Any
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.detail = detail
        self.extra = extra


def error_body(
    status: int, code: str, message: str, detail: Any = None, **extra: Any
) -> dict[str, Any]:
    return {
        "DATA_TYPE": RESULT_DATA_TYPE,
        "code": code,
        "http_response_code": status,
        "detail": detail,
        "message": message,
        "has_next_page": False,
        "data": [],
        **extra,
    }


def fault_document(status: int, code: str, message: str) -> dict[str, Any]:
    """An injected fault (``faults.py``) as the GCS Manager answers it: ``service_unavailable``…"""
    return error_body(status, snake_case(code), message)


def bad_request(message: str) -> GCSError:
    return GCSError(400, "invalid_parameter", message)


def not_found(message: str) -> GCSError:
    return GCSError(404, "not_found", message)


def permission_denied(message: str) -> GCSError:
    return GCSError(403, "permission_denied", message)


def conflict(message: str) -> GCSError:
    return GCSError(409, "conflict", message)


def consent_required(required_scope: str, message: str) -> GCSError:
    """403 ConsentRequired naming the scope (with its dependency) to log in for again."""
    return GCSError(
        403,
        "ConsentRequired",
        message,
        required_scopes=[required_scope],
        authorization_parameters={
            "session_message": message,
            "required_scopes": [required_scope],
        },
    )


async def gcs_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, GCSError)
    body = error_body(exc.status, exc.code, exc.message, exc.detail, **exc.extra)
    return JSONResponse(body, status_code=exc.status)


async def sim_error_handler(request: Request, exc: Exception) -> JSONResponse:
    """An error of a store the GCS Manager shares with Transfer (its roles), in GCS's shape."""
    assert isinstance(exc, SimAPIError)
    code = {404: "not_found", 409: "conflict", 403: "permission_denied"}.get(exc.status, exc.code)
    return JSONResponse(error_body(exc.status, code, exc.message), status_code=exc.status)


async def http_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    code = _HTTP_CODES.get(exc.status_code, f"http_{exc.status_code}")
    message = exc.detail or "Request failed"
    if exc.status_code == 404:
        message = f"No such resource: {request.url.path}"
    return JSONResponse(error_body(exc.status_code, code, message), status_code=exc.status_code)


async def client_gone_handler(request: Request, exc: Exception) -> Response:
    return Response(status_code=400)


async def internal_error_handler(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    body = error_body(500, "internal_error", "An internal error occurred")
    return JSONResponse(body, status_code=500)

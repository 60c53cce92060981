"""Errors of the embedded service, answered in the shapes the real services use.

Transfer: ``{"code", "message", "request_id", "resource"}``; Groups adds ``detail`` and
``status``; Search wraps the same in a ``GError`` document; Auth answers OAuth errors
(``{"error", "error_description"}``) and ``errors[]`` documents.
"""

from __future__ import annotations

import re
import secrets
import string
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

_ALPHABET = string.ascii_letters + string.digits


def new_request_id() -> str:
    """A short random id like the ones Transfer puts in its answers."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(9))


class SimAPIError(Exception):
    """An API error: the status, a service code, a message, and extra body fields."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra
        self.headers: dict[str, str] = {}


class OAuthError(Exception):
    """An OAuth2 error of the Auth service (``invalid_grant``, ``invalid_client``, ...)."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(f"{status} {error}: {description}")
        self.status = status
        self.error = error
        self.description = description


def snake_case(code: str) -> str:
    """``ServiceUnavailable`` → ``service_unavailable``: a code as Flows (upper-cased) and
    the GCS Manager spell theirs."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", code).lower()


def _service_of(path: str) -> str:
    return path.lstrip("/").split("/", 1)[0]


def _resource(path: str) -> str:
    """The path as the service sees it (Transfer reports it without its version prefix)."""
    parts = path.lstrip("/").split("/", 2)
    if len(parts) == 3 and parts[0] == "transfer" and parts[1].startswith("v0."):
        return "/" + parts[2]
    return path


def error_body(
    path: str, status: int, code: str, message: str, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The error document of the service that owns ``path``."""
    request_id = new_request_id()
    service = _service_of(path)
    extra = extra or {}
    if service == "auth":
        return {
            "errors": [
                {
                    "status": str(status),
                    "id": request_id,
                    "code": code,
                    "title": code,
                    "detail": message,
                }
            ],
            "error": code.lower(),
            "error_description": message,
            **extra,
        }
    body: dict[str, Any] = {
        "code": code,
        "message": message,
        "request_id": request_id,
        "resource": _resource(path),
    }
    if service == "groups":
        body.update({"detail": message, "status": status})
    elif service == "search":
        body = {
            "@datatype": "GError",
            "@version": "2017-09-01",
            "status": status,
            "error_data": None,
            **body,
        }
    body.update(extra)
    return body


def error_response(
    request: Request,
    status: int,
    code: str,
    message: str,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    return JSONResponse(
        error_body(request.url.path, status, code, message, extra),
        status_code=status,
        headers=headers,
    )


async def sim_api_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, SimAPIError)
    return error_response(request, exc.status, exc.code, exc.message, exc.extra, exc.headers)


async def oauth_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, OAuthError)
    body = {
        "error": exc.error,
        "error_description": exc.description,
        "errors": [
            {
                "status": str(exc.status),
                "id": new_request_id(),
                "code": exc.error.upper(),
                "title": exc.error,
                "detail": exc.description,
            }
        ],
    }
    headers = {"WWW-Authenticate": "Basic"} if exc.error == "invalid_client" else None
    return JSONResponse(body, status_code=exc.status, headers=headers)

"""Errors of the Timers API, in its own shape: ``{"error": {"code", "detail", "status"}}``.

The SDK's ``TimersAPIError`` reads that object as its one error, so its code and detail reach
the person; extra fields (a GARE's ``authorization_parameters``) sit beside them, where
``globus_sdk.gare.to_gare`` finds them, and a GARE's also at the top, where globus-cli does.
The Timers application (``routes.timer_app``) answers every error raised in it (a refused
token, an unknown path, a crash) in this shape.
"""

from __future__ import annotations

from typing import Any

from gtui.sim.json_api import ErrorShape, error_handlers

HTTP_CODES = {400: "BadRequest", 404: "NotFound", 405: "MethodNotAllowed"}


def error_document(status: int, code: str, detail: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "detail": detail, "status": status, **extra}}


def fault_document(status: int, code: str, detail: str) -> dict[str, Any]:
    """An injected fault (``faults.py``) as Timers answers it (its codes are CamelCase too)."""
    return error_document(status, code, detail)


SHAPE = ErrorShape(
    document=error_document,
    http_codes=HTTP_CODES,
    other_http_code=lambda status: f"HTTP{status}",
    internal_code="InternalError",
    bad_request_code="BadRequest",
)
ERROR_HANDLERS = error_handlers(SHAPE)

"""Errors of the Flows API, in its own shape: ``{"error": {"code", "detail", …}, "debug_id"}``.

``detail`` is a sentence, or for a document that failed validation a list of
``{"loc", "msg", "type"}`` beside a ``message`` (the SDK's ``FlowsAPIError`` reads the list's
``msg`` as its messages). A missing consent adds ``authorization_parameters``
(``session_message``, ``required_scopes``) inside ``error`` and at the top, where the SDK's
``to_gare`` and globus-cli find a Globus Auth requirement. The Flows application
(``routes.flows_app``) answers every error raised in it in this shape.
"""

from __future__ import annotations

import uuid
from typing import Any

from gtui.sim.errors import SimAPIError, snake_case
from gtui.sim.json_api import ErrorShape, error_handlers

HTTP_CODES = {400: "BAD_REQUEST", 404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}


def error_document(status: int, code: str, detail: Any, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "detail": detail, **extra}, "debug_id": str(uuid.uuid4())}


def fault_document(status: int, code: str, detail: str) -> dict[str, Any]:
    """An injected fault (``faults.py``) as Flows answers it: ``SERVICE_UNAVAILABLE``…"""
    return error_document(status, snake_case(code).upper(), detail)


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


SHAPE = ErrorShape(
    document=error_document,
    http_codes=HTTP_CODES,
    other_http_code=lambda status: f"HTTP_{status}",
    internal_code="INTERNAL_ERROR",
    bad_request_code="BAD_REQUEST",
)
ERROR_HANDLERS = error_handlers(SHAPE)

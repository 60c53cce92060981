"""Errors told to a person: what failed, in a sentence they can act on."""

from __future__ import annotations

from gtui.core.errors import GlobusAPIError, GlobusError, NetworkError


def describe_error(exc: BaseException, doing: str) -> str:
    """One sentence a person can act on: what failed, the service's words, the request id."""
    if isinstance(exc, GlobusAPIError):
        message = exc.message or exc.code or f"HTTP {exc.http_status}"
        text = f"{doing} failed: {message}"
        if exc.code and exc.code not in message:
            text += f" [{exc.code}]"
        if exc.request_id:
            text += f" (request {exc.request_id})"
        return text
    if isinstance(exc, (NetworkError, GlobusError)):
        return f"{doing} failed: {exc}"
    return f"{doing} failed: {type(exc).__name__}: {exc}"

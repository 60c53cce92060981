"""The check every API route makes first: the request's bearer token must prove a caller.

Each service answers a missing or unusable token with a 401 in its own shape.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gtui.sim.auth.scopes import AUTH_RS
from gtui.sim.context import context_of
from gtui.sim.errors import SimAPIError

if TYPE_CHECKING:
    from starlette.requests import Request

    from gtui.sim.auth.tokens import Caller


def bearer_token(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer ...`` header, if there is one."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def require_caller(request: Request, resource_server: str) -> Caller:
    """The caller proven by the request's bearer token, or a 401 in the service's shape."""
    auth = context_of(request).auth
    token = bearer_token(request)
    if token is None:
        raise _unauthorized(resource_server, "No Authorization header provided")
    caller = auth.caller_for(token, resource_server)
    if caller is None:
        raise _unauthorized(resource_server, "Token is not active, or not valid for this service")
    return caller


def _unauthorized(resource_server: str, message: str) -> SimAPIError:
    if resource_server == AUTH_RS:
        return SimAPIError(401, "UNAUTHORIZED", message)
    return SimAPIError(401, "AuthenticationFailed", message)

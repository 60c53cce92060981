"""Authorizers: where a ServiceClient gets its Authorization header, and how it recovers a 401."""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class Authorizer(Protocol):
    """Supplies the Authorization header; may renew credentials after a 401."""

    async def get_authorization_header(self) -> str | None: ...

    async def handle_missing_authorization(self) -> bool:
        """Called after a 401; True when new credentials make a retry worthwhile."""
        ...


class AccessTokenAuthorizer:
    """A fixed bearer token; a 401 cannot be repaired."""

    def __init__(self, access_token: str) -> None:
        self._access_token = access_token

    async def get_authorization_header(self) -> str | None:
        return f"Bearer {self._access_token}"

    async def handle_missing_authorization(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "AccessTokenAuthorizer(access_token=***)"

"""Authorizers: where a ServiceClient gets its Authorization header, and how it recovers a 401.

They need of Globus Auth only a token grant (`RefreshTokenGrantor`, `ClientCredentialsGrantor`),
so `AuthClient` satisfies them without this module depending on it.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from gtui.core.errors import AuthAPIError, LoginRequired
from gtui.core.http import Authorizer as Authorizer
from gtui.core.redact import get_logger

if TYPE_CHECKING:
    from gtui.core.tokens import TokenStore

log = get_logger(__name__)


class TokenGrant(Protocol):
    """What an authorizer reads of a token response (an `OAuthTokenResponse`)."""

    @property
    def by_resource_server(self) -> Mapping[str, dict[str, Any]]: ...


_GrantT = TypeVar("_GrantT", bound=TokenGrant)
_GrantT_co = TypeVar("_GrantT_co", bound=TokenGrant, covariant=True)


class RefreshTokenGrantor(Protocol[_GrantT_co]):
    """Something that trades a refresh token for new tokens (`AuthClient`)."""

    async def oauth2_refresh_token(self, refresh_token: str, /) -> _GrantT_co: ...


class ClientCredentialsGrantor(Protocol):
    """Something that grants a confidential client its tokens (`AuthClient`)."""

    async def oauth2_client_credentials_tokens(self, requested_scopes: str, /) -> TokenGrant: ...


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


EXPIRES_ADJUST_SECONDS = 60


def _expiring(token: Mapping[str, Any] | None, now: float) -> bool:
    if not token or not token.get("access_token"):
        return True
    expires_at = token.get("expires_at_seconds")
    return not isinstance(expires_at, int | float) or now > expires_at - EXPIRES_ADJUST_SECONDS


class RefreshTokenAuthorizer(Generic[_GrantT]):
    """Access tokens for one resource server, refreshed 60 s before they expire.

    One refresh at a time per authorizer (an asyncio lock) and per token file (the store's
    lock): under the lock the stored token is read again first, so a refresh another gtui
    process already made is adopted, and a refresh token it rotated is the one used.
    `on_refresh` gets the grantor's own response (an `OAuthTokenResponse` from `AuthClient`).
    """

    def __init__(
        self,
        auth_client: RefreshTokenGrantor[_GrantT],
        token_store: TokenStore,
        resource_server: str,
        *,
        on_refresh: Callable[[_GrantT], Any] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.auth_client = auth_client
        self.token_store = token_store
        self.resource_server = resource_server
        self.on_refresh = on_refresh
        self._clock = clock
        self._lock = asyncio.Lock()
        self._token: dict[str, Any] | None = None
        self._rejected_access_token: str | None = None

    def __repr__(self) -> str:
        return f"RefreshTokenAuthorizer(resource_server={self.resource_server!r})"

    def forget(self) -> None:
        """Drop the cached token, so the next call reads the store (e.g. after a new login)."""
        self._token = None
        self._rejected_access_token = None

    async def _load(self) -> dict[str, Any]:
        token = await asyncio.to_thread(self.token_store.get_token_data, self.resource_server)
        if not token or not token.get("refresh_token"):
            raise LoginRequired(f"No saved login for {self.resource_server}. Log in to continue.")
        return token

    def _usable(self, token: Mapping[str, Any] | None) -> bool:
        return (
            token is not None
            and not _expiring(token, self._clock())
            and token.get("access_token") != self._rejected_access_token
        )

    async def get_authorization_header(self) -> str | None:
        async with self._lock:
            if self._token is None:
                self._token = await self._load()
            if not self._usable(self._token):
                self._token = await self._refresh()
            return f"Bearer {self._token['access_token']}"

    async def handle_missing_authorization(self) -> bool:
        """After a 401 the current access token is spent: refresh on the next call."""
        async with self._lock:
            if self._token is None:
                return False
            self._rejected_access_token = self._token.get("access_token")
            return bool(self._token.get("refresh_token"))

    async def _refresh(self) -> dict[str, Any]:
        async with self.token_store.alock() as held:
            stored = await self._load()
            if self._usable(stored):
                return stored
            try:
                response = await self.auth_client.oauth2_refresh_token(stored["refresh_token"])
            except AuthAPIError as exc:
                if exc.http_status in (400, 401, 403) or exc.code == "invalid_grant":
                    raise LoginRequired(
                        "Your Globus login has expired or was revoked. Log in again."
                    ) from None
                raise
            new = response.by_resource_server.get(self.resource_server)
            if new is None:
                raise LoginRequired(
                    f"Globus Auth refreshed no token for {self.resource_server}. Log in again."
                )
            saved = await asyncio.to_thread(
                self.token_store.update_token, self.resource_server, new, held=held
            )
        log.debug("refreshed the access token for %s", self.resource_server)
        self._rejected_access_token = None
        if self.on_refresh is not None:
            result = self.on_refresh(response)
            if inspect.isawaitable(result):
                await result
        return saved


class ClientCredentialsAuthorizer:
    """Tokens for a confidential client (a service account), fetched again when they expire."""

    def __init__(
        self,
        auth_client: ClientCredentialsGrantor,
        scopes: str,
        resource_server: str,
        *,
        token_store: TokenStore | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.auth_client = auth_client
        self.scopes = scopes
        self.resource_server = resource_server
        self.token_store = token_store
        self._clock = clock
        self._lock = asyncio.Lock()
        self._token: dict[str, Any] | None = None

    def __repr__(self) -> str:
        return f"ClientCredentialsAuthorizer(resource_server={self.resource_server!r})"

    async def get_authorization_header(self) -> str | None:
        async with self._lock:
            if self._token is None and self.token_store is not None:
                self._token = await asyncio.to_thread(
                    self.token_store.get_token_data, self.resource_server
                )
            if _expiring(self._token, self._clock()):
                response = await self.auth_client.oauth2_client_credentials_tokens(self.scopes)
                token = response.by_resource_server.get(self.resource_server)
                if token is None:
                    raise LoginRequired(
                        f"The client credentials grant gave no token for {self.resource_server}."
                    )
                if self.token_store is not None:
                    await asyncio.to_thread(self.token_store.store_token_response, response)
                self._token = token
            assert self._token is not None
            return f"Bearer {self._token['access_token']}"

    async def handle_missing_authorization(self) -> bool:
        async with self._lock:
            self._token = None
            if self.token_store is not None:
                await asyncio.to_thread(self.token_store.remove_token_data, self.resource_server)
        return True

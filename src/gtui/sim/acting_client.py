"""How a service of the embedded server acts at Transfer for a person: over HTTP, as any client.

Timers' runs and flows' actions reach Transfer through the server's own ASGI application (no
socket), so they meet the same checks, faults and engine as a person's request, and copies
really happen on disk. Each request carries a token minted for the person by Auth, for
Transfer with the ``data_access`` consents the person still holds, under the acting
service's own client id, and revoked once the answer is in.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import httpx

from gtui.sim.auth.scopes import TRANSFER_ALL, TRANSFER_RS, Scope, data_access_scope

if TYPE_CHECKING:
    from starlette.types import ASGIApp

    from gtui.sim.auth.tokens import AuthService
    from gtui.sim.settings import SimSettings

TRANSFER_ROOT = "/transfer/v0.10"
TIMEOUT_SECONDS = 60.0


class ActingClient:
    """Requests to Transfer on behalf of identities; ``close`` when the service stops."""

    def __init__(
        self,
        app: ASGIApp,
        auth: AuthService,
        settings: SimSettings,
        client_id: str,
        base_url: str,
    ) -> None:
        self._auth = auth
        self._settings = settings
        self._client_id = client_id
        self._client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url=base_url, timeout=TIMEOUT_SECONDS
        )

    async def close(self) -> None:
        await self._client.aclose()

    async def transfer(
        self, method: str, path: str, owner_id: str, document: dict[str, Any] | None = None
    ) -> httpx.Response:
        """``method`` on Transfer's ``path`` (below ``/v0.10``) as ``owner_id``; transport
        errors are raised (``httpx.TransportError``) for the caller to word, an injected drop
        among them (in process there is no socket to abort: the fault raises instead)."""
        token = await asyncio.to_thread(self.mint, owner_id)
        try:
            return await self._client.request(
                method,
                TRANSFER_ROOT + path,
                json=document,
                headers={"Authorization": f"Bearer {token}"},
            )
        except ConnectionError as exc:
            raise httpx.RemoteProtocolError(f"Transfer dropped the connection: {exc}") from exc
        finally:
            await asyncio.to_thread(self._auth.revoke, token, self._client_id)

    def mint(self, owner_id: str) -> str:
        """A Transfer token of ``owner_id`` with the ``data_access`` consents they hold."""
        held = [
            Scope(data_access_scope(c), optional=True)
            for c in sorted(self._settings.faults.consent_collections)
            if self._auth.holds_consent(owner_id, data_access_scope(c))
        ]
        grouped = {TRANSFER_RS: [Scope(TRANSFER_ALL, dependencies=held)]}
        (token,) = self._auth.issue(owner_id, self._client_id, grouped, offline=False)
        access: str = token["access_token"]
        return access

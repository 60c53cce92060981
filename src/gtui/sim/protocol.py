"""uvicorn's h11 protocol, remembering each connection's transport so faults can drop it."""

from __future__ import annotations

import asyncio

from uvicorn.protocols.http.h11_impl import H11Protocol

from gtui.sim.faults import register_transport


class DroppingH11Protocol(H11Protocol):
    """Registers the transport of every open connection under (client, server) addresses."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        register_transport((self.client, self.server), transport)

    def connection_lost(self, exc: Exception | None) -> None:
        register_transport((self.client, self.server), None)
        super().connection_lost(exc)

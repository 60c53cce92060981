"""uvicorn's h11 protocol, remembering each connection's transport so faults can drop it.

It also turns Nagle's algorithm off: h11 writes headers and body separately, and with Nagle
on, each answer waits for the client's delayed ACK (about 40 ms on Linux).
"""

from __future__ import annotations

import asyncio
import socket

from uvicorn.protocols.http.h11_impl import H11Protocol

from gtui.sim.faults import register_transport


class DroppingH11Protocol(H11Protocol):
    """Registers the transport of every open connection under (client, server) addresses."""

    # uvicorn's H11Protocol narrows asyncio's BaseTransport parameter to Transport (with its
    # own ignore); an override must keep uvicorn's signature, so mypy sees the same clash.
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        register_transport((self.client, self.server), transport)

    def connection_lost(self, exc: Exception | None) -> None:
        register_transport((self.client, self.server), None)
        super().connection_lost(exc)

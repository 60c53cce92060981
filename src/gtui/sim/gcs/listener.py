"""The service's second listener: the GCS Manager API over TLS, in the same event loop.

A second uvicorn server on its own loopback socket, started and stopped by the main
application's lifespan (after Transfer starts, before it stops), so ``gtui sim serve``,
``start_in_thread`` and the demo's child process all run it without knowing. It leaves signals
to the main server: Ctrl-C stops the main server, whose shutdown stops this one.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Iterator
from typing import TYPE_CHECKING

import uvicorn

from gtui.sim.protocol import DroppingH11Protocol

if TYPE_CHECKING:
    from starlette.types import ASGIApp

    from gtui.sim.tls import TLSFiles

START_TIMEOUT_SECONDS = 30.0


class _TLSProtocol(DroppingH11Protocol):
    """At shutdown an idle connection is dropped at once: closing a TLS connection politely
    waits for the client's own close_notify, which a client idling in its pool never sends
    (asyncio would wait 30 s, uvicorn its whole grace period)."""

    def shutdown(self) -> None:
        idle = self.cycle is None or self.cycle.response_complete
        super().shutdown()
        if idle:
            self.transport.abort()


class _InnerServer(uvicorn.Server):
    """A uvicorn server that leaves the process's signal handlers alone, and stops as soon
    as it is told to (uvicorn's own loop looks every 0.1 s: a service started and stopped
    hundreds of times in tests would spend minutes waiting)."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.exit_now = asyncio.Event()

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

    async def main_loop(self) -> None:
        await self.exit_now.wait()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        """With no connection open there is nothing to wait for (uvicorn waits 0.1 s for
        connections to take their shutdown in any case)."""
        if self.server_state.connections or self.server_state.tasks:
            await super().shutdown(sockets)
            return
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()


class TLSListener:
    """Serves ``app`` over TLS on an already bound socket, once ``start`` is awaited."""

    def __init__(self, app: ASGIApp, sock: socket.socket, files: TLSFiles) -> None:
        self.sock = sock
        config = uvicorn.Config(
            app,
            log_level="warning",
            http=_TLSProtocol,
            lifespan="off",
            loop="asyncio",
            timeout_graceful_shutdown=5,
            access_log=False,
            ssl_certfile=str(files.cert_file),
            ssl_keyfile=str(files.key_file),
        )
        self.server = _InnerServer(config)
        self._task: asyncio.Task[None] | None = None

    @property
    def port(self) -> int:
        port: int = self.sock.getsockname()[1]
        return port

    async def start(self) -> None:
        """Serve, returning once connections are accepted (raises if it cannot start)."""
        self._task = asyncio.create_task(
            self.server.serve(sockets=[self.sock]), name="gcs-tls-listener"
        )
        loop = asyncio.get_running_loop()
        deadline = loop.time() + START_TIMEOUT_SECONDS
        while not self.server.started:
            if self._task.done():
                task, self._task = self._task, None
                error = task.exception()
                raise RuntimeError(f"the GCS Manager listener failed to start: {error!r}")
            if loop.time() > deadline:
                await self.stop()
                raise RuntimeError("the GCS Manager listener did not start in time")
            await asyncio.sleep(0.005)

    async def stop(self) -> None:
        """Stop accepting, let the requests in progress finish, then return."""
        task, self._task = self._task, None
        if task is None:
            return
        self.server.should_exit = True
        self.server.exit_now.set()
        await task

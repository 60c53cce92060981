"""The embedded service as one Starlette application: Auth, Transfer, Groups, Search, Timers
and Flows, and beside it the GCS Manager API of the GCSv5 endpoints on a TLS listener.

Each service is mounted under its own root (``/auth``, ``/transfer/v0.10``, ``/groups/v2``,
``/search/v1``, ``/timer``, ``/flows``), matching the ``GLOBUS_SDK_SERVICE_URL_*`` layout.
Shared state lives in the ``SimContext`` (``context.py``) on ``app.state.ctx``. The GCS Managers
(``gcs/``) answer on a second, TLS, socket when ``build_app`` is given one: the main
application's lifespan starts that listener once Transfer runs and stops it first.
"""

from __future__ import annotations

import contextlib
import logging
import socket
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount

from gtui.sim.auth import AuthService, auth_routes
from gtui.sim.auth.signing_key import SigningKey
from gtui.sim.clock import SimClock
from gtui.sim.context import SimContext
from gtui.sim.database import open_database
from gtui.sim.errors import (
    OAuthError,
    SimAPIError,
    error_response,
    oauth_error_handler,
    sim_api_error_handler,
)
from gtui.sim.faults import ConnectionDropped, FaultDice, FaultsMiddleware
from gtui.sim.flows import errors as flows_errors
from gtui.sim.flows.routes import flows_app
from gtui.sim.flows.service import FlowsService
from gtui.sim.gcs import GCSService, gcs_app
from gtui.sim.gcs import errors as gcs_errors
from gtui.sim.gcs.listener import TLSListener
from gtui.sim.groups import GroupsService, groups_routes
from gtui.sim.search import SearchIndex, search_routes
from gtui.sim.settings import SimSettings
from gtui.sim.state_lock import StateLock
from gtui.sim.timers import TimersService, timer_app
from gtui.sim.timers import errors as timers_errors
from gtui.sim.tls import ensure_certificates
from gtui.sim.transfer import TransferService, transfer_routes
from gtui.sim.world import World

log = logging.getLogger(__name__)

FAULT_DOCUMENTS = {
    "/timer/": timers_errors.fault_document,
    "/flows/": flows_errors.fault_document,
}
"""The services below the main listener whose error shape is their own (see ``faults.py``)."""
GCS_FAULT_ROOT = "/gcs"
"""Where the GCS Managers' paths sit for ``FaultSettings.only_paths``."""

_HTTP_CODES = {
    404: "ClientError.NotFound",
    405: "ClientError.BadMethod",
    400: "ClientError.BadRequest",
}


def build_context(settings: SimSettings) -> SimContext:
    """Load the world and open the service database (slow parts run here, before serving).

    The folder's state lock is taken first (one service per demo folder) and held until
    the service stops; it records where the service answers, for ``gtui --demo whoami`` and
    the like. Raises ``StateInUse`` when another service holds it.
    """
    settings.state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    lock = StateLock(settings.state_dir, settings.root, settings.base_url)
    with contextlib.ExitStack() as undo:
        lock.acquire()
        undo.callback(lock.release)
        db = open_database(settings.state_dir)
        undo.callback(db.close)
        clock = SimClock(settings.clock_speed, db=db, start=settings.clock_start)
        world = World.load(settings)
        key = SigningKey.load_or_create(settings.state_dir)
        auth = AuthService(settings, world, key)
        groups = GroupsService(
            settings, auth.username_of, lambda i: auth.identity_doc(i) is not None
        )
        ctx = SimContext(
            settings=settings,
            world=world,
            key=key,
            auth=auth,
            groups=groups,
            search=SearchIndex(world),
            db=db,
            clock=clock,
            lock=lock,
        )
        # After the search index: a guest collection's files are its mapped collection's.
        ctx.gcs = GCSService(settings, world, db, auth.username_of)
        undo.pop_all()
    return ctx


def build_app(
    settings: SimSettings,
    ctx: SimContext | None = None,
    *,
    gcs_socket: socket.socket | None = None,
) -> Starlette:
    """The ASGI application serving the services of the demo world; with ``gcs_socket`` (a
    bound loopback socket) its lifespan also serves the GCS Manager API there, over TLS with
    the certificates of ``tls.py``."""
    ctx = ctx or build_context(settings)
    routes: list[BaseRoute] = [
        Mount("/auth", routes=auth_routes(ctx)),
        Mount("/groups/v2", routes=groups_routes(ctx)),
        Mount("/search/v1", routes=search_routes(ctx)),
    ]
    try:
        transfer = ctx.transfer = TransferService(
            ctx.settings, ctx.world, ctx.db, holds_consent=ctx.auth.holds_consent
        )
        timers = ctx.timers = TimersService(
            ctx.settings, ctx.world, ctx.db, ctx.clock, ctx.auth, transfer
        )
        flows = ctx.flows = FlowsService(ctx.settings, ctx.db, ctx.clock, ctx.auth, transfer)
    except BaseException:
        _release(ctx)
        raise
    routes.append(Mount("/transfer/v0.10", routes=transfer_routes(ctx)))
    routes.append(Mount("/timer", app=timer_app(ctx)))
    routes.append(Mount("/flows", app=flows_app(ctx)))
    if ctx.gcs is not None:
        # A guest collection's roles are Transfer's; one in use by a task is not deleted.
        ctx.gcs.access = ctx.access
        ctx.gcs.active_tasks = transfer.store.active_tasks
    dice = FaultDice(settings, ctx.fault_counts)
    listener = _gcs_listener(ctx, gcs_socket, dice) if gcs_socket is not None else None

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Timers and flows submit to Transfer: they start after it and stop before it.
        await transfer.start()
        try:
            await timers.start(app)
            try:
                await flows.start(app)
                if listener is not None:
                    await listener.start()
                yield
            finally:
                if ctx.lock is not None:
                    ctx.lock.mark_stopping()
                try:
                    if listener is not None:
                        await listener.stop()
                finally:
                    try:
                        await flows.stop()
                    finally:
                        await timers.stop()
        finally:
            try:
                await transfer.stop()
            finally:
                try:
                    ctx.auth.flush()
                finally:
                    _release(ctx)

    app = Starlette(
        routes=routes,
        middleware=[Middleware(FaultsMiddleware, dice=dice, documents=FAULT_DOCUMENTS)],
        exception_handlers={
            SimAPIError: sim_api_error_handler,
            OAuthError: oauth_error_handler,
            HTTPException: _http_exception_handler,
            ClientDisconnect: _client_gone_handler,
            Exception: _internal_error_handler,
        },
        lifespan=lifespan,
    )
    app.state.ctx = ctx
    return app


def _gcs_listener(ctx: SimContext, sock: socket.socket, dice: FaultDice) -> TLSListener:
    """The TLS listener of the GCS Managers on ``sock``, its certificates made if needed;
    every path of it is API, faulted with the main listener's dice."""
    try:
        files = ensure_certificates(ctx.settings.state_dir)
        faulted = FaultsMiddleware(
            gcs_app(ctx),
            dice=dice,
            applies=lambda path: True,
            root=GCS_FAULT_ROOT,
            documents={"/": gcs_errors.fault_document},
        )
        return TLSListener(faulted, sock, files)
    except BaseException:
        _release(ctx)
        raise


def _release(ctx: SimContext) -> None:
    """Close the database, then let go of the folder (the last thing a service does)."""
    try:
        ctx.db.close()
    finally:
        if ctx.lock is not None:
            ctx.lock.release()


async def _http_exception_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    code = _HTTP_CODES.get(exc.status_code, f"ClientError.HTTP{exc.status_code}")
    message = exc.detail or "Request failed"
    if exc.status_code == 404:
        message = f"No such resource: {request.url.path}"
    return error_response(request, exc.status_code, code, message)


async def _client_gone_handler(request: Request, exc: Exception) -> Response:
    """The client went away before its body arrived (closed, killed): no one to answer, and
    nothing went wrong here, so no error is logged."""
    return Response(status_code=400)


async def _internal_error_handler(request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, ConnectionDropped):
        # An injected drop of an in-process request (``acting_client.py``): its caller
        # meets the exception itself; nothing went wrong here.
        return error_response(request, 500, "InternalError", "The connection was dropped")
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return error_response(request, 500, "InternalError", "An internal error occurred")

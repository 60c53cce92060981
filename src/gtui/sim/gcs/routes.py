"""The GCS Manager API of every GCSv5 endpoint of the demo world, as its own application.

It is served on the service's TLS listener (``listener.py``), each endpoint under its own
folder: a ``gcs_manager_url`` is ``https://127.0.0.1:PORT/<endpoint id>`` and clients (the
SDK's ``GCSClient``, the CLI) append ``/api``. It shares the service's state
(``app.state.ctx``) with the main application, whose lifespan starts and stops it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect
from starlette.routing import BaseRoute, Mount, Route

from gtui.sim.errors import SimAPIError
from gtui.sim.gcs import handlers
from gtui.sim.gcs.errors import (
    GCSError,
    client_gone_handler,
    gcs_error_handler,
    http_error_handler,
    internal_error_handler,
    sim_error_handler,
)

if TYPE_CHECKING:
    from gtui.sim.context import SimContext


def gcs_routes() -> list[BaseRoute]:
    """Every route of one endpoint's GCS Manager API, relative to its ``/api``."""
    return [
        Route("/info", handlers.info, methods=["GET"]),
        Route("/endpoint", handlers.get_endpoint, methods=["GET"]),
        Route("/collections", handlers.collection_list, methods=["GET"]),
        Route("/collections", handlers.create_collection, methods=["POST"]),
        Route("/collections/{collection_id}", handlers.get_collection, methods=["GET"]),
        Route("/collections/{collection_id}", handlers.update_collection, methods=["PATCH"]),
        Route("/collections/{collection_id}", handlers.delete_collection, methods=["DELETE"]),
        Route("/storage_gateways", handlers.storage_gateways, methods=["GET"]),
        Route("/storage_gateways/{gateway_id}", handlers.storage_gateway, methods=["GET"]),
        Route("/user_credentials", handlers.user_credentials, methods=["GET"]),
        Route("/user_credentials/{credential_id}", handlers.user_credential, methods=["GET"]),
        Route("/roles", handlers.role_list, methods=["GET"]),
        Route("/roles", handlers.create_role, methods=["POST"]),
        Route("/roles/{role_id}", handlers.get_role, methods=["GET"]),
        Route("/roles/{role_id}", handlers.delete_role, methods=["DELETE"]),
    ]


def gcs_app(ctx: SimContext) -> Starlette:
    """The application of the TLS listener: ``/<endpoint id>/api/...`` for each endpoint."""
    app = Starlette(
        routes=[Mount("/{endpoint_id}/api", routes=gcs_routes())],
        exception_handlers={
            GCSError: gcs_error_handler,
            SimAPIError: sim_error_handler,
            HTTPException: http_error_handler,
            ClientDisconnect: client_gone_handler,
            Exception: internal_error_handler,
        },
    )
    app.state.ctx = ctx
    return app

"""The Flows routes, relative to the service root (``/flows``).

Globus Flows answers at ``https://flows.automate.globus.org/`` with ``/flows`` and ``/runs``
below it; here the service root is ``<base>/flows/``, so the SDK's
``GLOBUS_SDK_SERVICE_URL_FLOWS=<base>/flows/`` reaches ``<base>/flows/flows`` and
``<base>/flows/runs``. The API is served by an application of its own (``flows_app``) so that
every error is answered in the Flows shape (``errors.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.routing import BaseRoute, Route

from gtui.sim.flows import flow_handlers as flows
from gtui.sim.flows import run_handlers as runs
from gtui.sim.flows.errors import ERROR_HANDLERS

if TYPE_CHECKING:
    from gtui.sim.context import SimContext


def flows_routes(ctx: SimContext) -> list[BaseRoute]:
    """Every route of the Flows API this service answers."""
    return [
        Route("/flows", flows.list_flows, methods=["GET"]),
        Route("/flows", flows.create_flow, methods=["POST"]),
        Route("/flows/validate", flows.validate_flow, methods=["POST"]),
        Route("/flows/{flow_id}", flows.get_flow, methods=["GET"]),
        Route("/flows/{flow_id}", flows.update_flow, methods=["PUT"]),
        Route("/flows/{flow_id}", flows.delete_flow, methods=["DELETE"]),
        Route("/flows/{flow_id}/run", flows.run_flow, methods=["POST"]),
        Route("/flows/{flow_id}/validate_run", flows.validate_run, methods=["POST"]),
        Route("/runs", runs.list_runs, methods=["GET"]),
        Route("/runs/{run_id}", runs.get_run, methods=["GET"]),
        Route("/runs/{run_id}", runs.update_run, methods=["PUT"]),
        Route("/runs/{run_id}", runs.release_run, methods=["DELETE"]),
        Route("/runs/{run_id}/log", runs.get_run_log, methods=["GET"]),
        Route("/runs/{run_id}/definition", runs.get_run_definition, methods=["GET"]),
        Route("/runs/{run_id}/cancel", runs.cancel_run, methods=["POST"]),
        Route("/runs/{run_id}/resume", runs.resume_run, methods=["POST"]),
        Route("/runs/{run_id}/release", runs.release_run, methods=["POST"]),
    ]


def flows_app(ctx: SimContext) -> Starlette:
    """The Flows API as an application to mount; it shares the service's context."""
    app = Starlette(routes=flows_routes(ctx), exception_handlers=dict(ERROR_HANDLERS))
    app.state.ctx = ctx
    return app

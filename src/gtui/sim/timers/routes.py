"""The Timers routes, relative to the service root (``/timer``).

Timers are made with the current API (``/v2/timer``) and read and changed with the older
one (``/jobs``), as the SDK and the CLI do. They are served by an application of their own
(``timer_app``) so that every error is answered in the Timers shape (``errors.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.routing import BaseRoute, Route

from gtui.sim.timers import create, jobs
from gtui.sim.timers.errors import ERROR_HANDLERS

if TYPE_CHECKING:
    from gtui.sim.context import SimContext


def timer_routes(ctx: SimContext) -> list[BaseRoute]:
    """Every route of the Timers API this service answers."""
    return [
        Route("/v2/timer", create.create_timer, methods=["POST"]),
        Route("/jobs/", jobs.list_jobs, methods=["GET"]),
        Route("/jobs", jobs.list_jobs, methods=["GET"]),
        Route("/jobs/{job_id}", jobs.get_job, methods=["GET"]),
        Route("/jobs/{job_id}", jobs.update_job, methods=["PATCH"]),
        Route("/jobs/{job_id}", jobs.delete_job, methods=["DELETE"]),
        Route("/jobs/{job_id}/pause", jobs.pause_job, methods=["POST"]),
        Route("/jobs/{job_id}/resume", jobs.resume_job, methods=["POST"]),
    ]


def timer_app(ctx: SimContext) -> Starlette:
    """The Timers API as an application to mount; it shares the service's context."""
    app = Starlette(routes=timer_routes(ctx), exception_handlers=dict(ERROR_HANDLERS))
    app.state.ctx = ctx
    return app

"""``/jobs``: a user's timers, read, renamed, deleted, paused and resumed.

A paused timer starts no run until it is resumed, and then goes on from its next run after
the resume (the runs it was paused through are not made up). A timer inactive for a consent
resumes only once its owner holds the consent again (``update_credentials``), else the resume
is refused with the same requirements; the run it missed then runs at once.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from gtui.sim.errors import SimAPIError
from gtui.sim.timers.common import answer, caller_of, read_document, service_of
from gtui.sim.timers.consent import AUTH_REQUIREMENTS, consent_required
from gtui.sim.timers.create import timer_name
from gtui.sim.timers.model import DELETED, IDLE, INACTIVE, LOADED, Timer
from gtui.sim.timers.service import LISTED_RUNS, TimersService
from gtui.sim.timers.store import ORDERS

USER_PAUSE = {"cause": "user", "detail": None}


def _owned(request: Request) -> tuple[TimersService, Timer]:
    caller = caller_of(request)
    service = service_of(request)
    return service, service.store.owned(caller.identity_id, request.path_params["job_id"])


def _order(text: str | None) -> tuple[str, bool]:
    """``order=submitted_at asc`` (the CLI's) as a column and whether it is descending."""
    words = (text or "submitted_at asc").split()
    field = words[0] if words else "submitted_at"
    direction = words[1].lower() if len(words) > 1 else "asc"
    if field not in ORDERS or direction not in ("asc", "desc") or len(words) > 2:
        raise SimAPIError(
            400, "BadRequest", f"Invalid order {text!r}: one of {', '.join(ORDERS)}, asc or desc"
        )
    return field, direction == "desc"


async def list_jobs(request: Request) -> Response:
    caller = caller_of(request)
    service = service_of(request)
    field, descending = _order(request.query_params.get("order"))
    timers = service.store.timers_of(caller.identity_id, field, descending)
    return answer({"jobs": [service.job(timer, LISTED_RUNS) for timer in timers]})


async def get_job(request: Request) -> Response:
    service, timer = _owned(request)
    return answer(service.job(timer))


async def update_job(request: Request) -> Response:
    service, timer = _owned(request)
    document = await read_document(request)
    if "name" in document:
        service.store.change(timer.job_id, {"name": timer_name(document["name"])})
    return answer(service.job(service.store.owned(timer.owner_id, timer.job_id)))


async def delete_job(request: Request) -> Response:
    service, timer = _owned(request)
    changes = {"status": DELETED, "next_run": None, **IDLE}
    service.store.change(timer.job_id, changes)
    return answer(service.job(dataclasses.replace(timer, **changes)))


async def pause_job(request: Request) -> Response:
    service, timer = _owned(request)
    service.store.change(
        timer.job_id,
        {
            "status": INACTIVE,
            "inactive_reason": USER_PAUSE,
            "inactive_since": service.clock.now(),
            **IDLE,
        },
    )
    return answer({"message": f"Successfully paused job {timer.job_id}."})


def _skip_paused_runs(timer: Timer, now: float) -> dict[str, Any]:
    """A repeating timer paused by its owner goes on from its next run after now: the runs
    it was paused through were not wanted (a missed once timer still runs)."""
    if timer.next_run is None or timer.next_run > now or timer.schedule.interval is None:
        return {}
    slot, next_run = timer.schedule.following(timer.slot - 1, now, timer.n_runs)
    return {"slot": slot, "next_run": next_run}


async def resume_job(request: Request) -> Response:
    service, timer = _owned(request)
    document = await read_document(request, optional=True)
    update_credentials = document.get("update_credentials")
    if update_credentials is not None and not isinstance(update_credentials, bool):
        raise SimAPIError(400, "BadRequest", "'update_credentials' must be true or false")
    if timer.status == INACTIVE:
        cause = (timer.inactive_reason or {}).get("cause")
        if update_credentials or (update_credentials is None and cause == AUTH_REQUIREMENTS):
            missing = service.missing_consents(timer)
            if missing:
                raise consent_required(missing)
        changes: dict[str, Any] = {
            "status": LOADED,
            "inactive_reason": None,
            "inactive_since": None,
        }
        if cause != AUTH_REQUIREMENTS:
            changes.update(_skip_paused_runs(timer, service.clock.now()))
        service.store.change(timer.job_id, changes)
        service.wake()
    return answer({"message": f"Successfully resumed job {timer.job_id}."})

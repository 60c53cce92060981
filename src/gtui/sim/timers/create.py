"""``POST /v2/timer``: make a transfer timer from a name, a schedule and a transfer body."""

from __future__ import annotations

import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from gtui.sim.timers.body import clean_body
from gtui.sim.timers.common import answer, caller_of, read_document, service_of
from gtui.sim.timers.documents import TIMER_TYPE, v2_timer
from gtui.sim.timers.model import NEW, Timer
from gtui.sim.timers.schedule import invalid, parse_schedule

DEFAULT_NAME = "Transfer timer"
MAX_NAME_LENGTH = 256


def timer_name(value: Any, field: str = "name") -> str:
    """A timer's name: a non-empty string of bounded length."""
    if not isinstance(value, str) or not value.strip():
        raise invalid(f"'{field}' must be a non-empty string")
    if len(value) > MAX_NAME_LENGTH:
        raise invalid(f"'{field}' must be at most {MAX_NAME_LENGTH} characters")
    return value


async def create_timer(request: Request) -> Response:
    caller = caller_of(request)
    service = service_of(request)
    document = await read_document(request)
    spec = document.get("timer")
    if not isinstance(spec, dict):
        raise invalid('The request must be {"timer": {...}}: a timer document')
    if spec.get("timer_type") != TIMER_TYPE:
        raise invalid(f"'timer.timer_type' must be '{TIMER_TYPE}': only transfer timers are served")
    name = timer_name(spec["name"], "timer.name") if "name" in spec else DEFAULT_NAME
    now = service.clock.now()
    schedule = parse_schedule(spec.get("schedule"), now)
    body = clean_body(spec.get("body"), service.world.collections)
    timer = Timer(
        job_id=str(uuid.uuid4()),
        owner_id=caller.identity_id,
        name=name,
        status=NEW,
        schedule=schedule,
        body=body,
        submitted_at=now,
        next_run=schedule.run_time(0),
    )
    service.store.add(timer)
    service.wake()
    return answer({"timer": v2_timer(timer)}, 201)

"""What every Timers route needs: the caller, the service, the request's document."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from gtui.sim.auth.bearer import require_caller
from gtui.sim.auth.scopes import TIMER_RS
from gtui.sim.context import context_of
from gtui.sim.json_api import read_json_object
from gtui.sim.timers.errors import SHAPE

if TYPE_CHECKING:
    from gtui.sim.auth.tokens import Caller
    from gtui.sim.timers.service import TimersService


def caller_of(request: Request) -> Caller:
    """The caller proven by a Timers token, or a 401."""
    return require_caller(request, TIMER_RS)


def service_of(request: Request) -> TimersService:
    """The Timers service of the application (``build_app`` makes it with the app)."""
    timers = context_of(request).timers
    if timers is None:
        raise RuntimeError("the Timers service was not made with the application")
    return timers


def answer(data: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(data, status_code=status)


async def read_document(request: Request, *, optional: bool = False) -> dict[str, Any]:
    """The JSON object in the request body (``{}`` for an empty optional one), or a 400."""
    return await read_json_object(request, SHAPE, optional=optional)

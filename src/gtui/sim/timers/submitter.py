"""A run reaches Transfer as any client's submit would: over HTTP, with a token of its own.

The request goes through ``acting_client.py`` (the service's own ASGI application, a token
minted for the timer's owner under the Timers service's own client id), so it meets the same
checks, faults and engine as a person's submit, and the copy really happens on disk.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx

from gtui.sim.acting_client import ActingClient

if TYPE_CHECKING:
    from starlette.types import ASGIApp

    from gtui.sim.auth.tokens import AuthService
    from gtui.sim.settings import SimSettings

TIMERS_CLIENT_ID = "3a5f46b8-0c40-4c5b-a1a5-6a7d1c3e9f02"
"""The client the Timers service acts as when it submits a run."""

BASE_URL = "http://timers.internal"


@dataclass(frozen=True)
class Outcome:
    """What Transfer answered a run's submit."""

    status: int
    task_id: str | None = None
    code: str | None = None
    detail: str | None = None

    @property
    def submitted(self) -> bool:
        return self.task_id is not None

    @property
    def transient(self) -> bool:
        """Worth trying again: Transfer was busy, failing, or not heard from."""
        return not self.submitted and (self.status >= 500 or self.status == 429)


class RunSubmitter:
    """Submits runs for timers' owners; ``close`` when the service stops."""

    def __init__(self, app: ASGIApp, auth: AuthService, settings: SimSettings) -> None:
        self._acting = ActingClient(app, auth, settings, TIMERS_CLIENT_ID, BASE_URL)

    async def close(self) -> None:
        await self._acting.close()

    async def submit(self, owner_id: str, document: dict[str, Any]) -> Outcome:
        """Submit ``document`` (a transfer with its submission id) as ``owner_id``."""
        try:
            answer = await self._acting.transfer("POST", "/transfer", owner_id, document)
        except (httpx.TransportError, ConnectionError) as exc:
            return Outcome(502, code="ConnectionError", detail=f"Transfer did not answer: {exc}")
        return _outcome(answer)


def _outcome(answer: httpx.Response) -> Outcome:
    try:
        body = answer.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    task_id = body.get("task_id")
    if answer.status_code in (200, 202) and isinstance(task_id, str):
        return Outcome(answer.status_code, task_id=task_id)
    return Outcome(
        answer.status_code,
        code=str(body.get("code") or f"HTTP{answer.status_code}"),
        detail=str(body.get("message") or answer.reason_phrase or "Transfer refused the run"),
    )


def new_submission_id() -> str:
    return str(uuid.uuid4())

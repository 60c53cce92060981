"""`TimersClient` for Globus Timers (globus-api.md §12), with the Globus SDK's method names.

Timers has two APIs: a timer is created with ``POST /v2/timer`` (the answer is the v2
document), and read, changed, paused, resumed and deleted through the older ``/jobs/`` API
(the v1 document). `gtui.core.timer_models.Timer.from_document` reads both.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar
from uuid import UUID

from gtui.core.errors import TimersAPIError
from gtui.core.http import ServiceClient
from gtui.core.response import GlobusResponse

ID = UUID | str


class TimersClient(ServiceClient):
    """Async client for Globus Timers; errors are `TimersAPIError`.

    A 403 with a Globus Auth requirement (a resume whose consent is gone) carries it as
    ``authorization_requirement``, so `GlobusSession.call_with_consent_repair` repairs it.
    """

    service_name: ClassVar[str] = "timer"
    base_path: ClassVar[str] = ""
    error_class: ClassVar[type[TimersAPIError]] = TimersAPIError

    async def create_timer(self, timer: Mapping[str, Any]) -> GlobusResponse:
        """``POST /v2/timer`` with a `TransferTimer` (or its dict); answers ``{"timer": ...}``.

        Timers takes no idempotency key: once the request may have reached the service it is
        not sent again (``OutcomeUnknown``), which could make two timers."""
        return await self.post("v2/timer", data={"timer": dict(timer)}, idempotent=False)

    async def list_jobs(self, *, query_params: Mapping[str, Any] | None = None) -> GlobusResponse:
        """``GET /jobs/``: the caller's timers as ``{"jobs": [...]}`` (v1 documents)."""
        return await self.get("jobs/", query_params=query_params)

    async def get_job(
        self, job_id: ID, *, query_params: Mapping[str, Any] | None = None
    ) -> GlobusResponse:
        """``GET /jobs/{id}``: one timer with its runs (``results``)."""
        return await self.get(f"jobs/{job_id}", query_params=query_params)

    async def update_job(self, job_id: ID, data: Mapping[str, Any]) -> GlobusResponse:
        """``PATCH /jobs/{id}`` with a partial document, e.g. ``{"name": ...}``."""
        return await self.patch(f"jobs/{job_id}", data=dict(data))

    async def delete_job(self, job_id: ID) -> GlobusResponse:
        """``DELETE /jobs/{id}``: answers the timer with ``status: "deleted"``."""
        return await self.delete(f"jobs/{job_id}")

    async def pause_job(self, job_id: ID) -> GlobusResponse:
        """``POST /jobs/{id}/pause``: no runs until resumed."""
        return await self.post(f"jobs/{job_id}/pause")

    async def resume_job(
        self, job_id: ID, *, update_credentials: bool | None = None
    ) -> GlobusResponse:
        """``POST /jobs/{id}/resume``; ``update_credentials=True`` gives the timer this call's
        credentials, which clears an inactive reason of missing consent (None: the service
        decides from why the timer stopped)."""
        body: dict[str, Any] = {}
        if update_credentials is not None:
            body["update_credentials"] = update_credentials
        return await self.post(f"jobs/{job_id}/resume", data=body)

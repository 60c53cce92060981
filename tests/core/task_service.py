"""A scripted task_list service and a simulated clock for the TaskMonitor tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from gtui.core.http import RetryPolicy
from gtui.core.tasks import TaskMonitor
from gtui.core.transfer import TransferClient

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
TASK_LIST = "/v0.10/task_list"


def task_doc(task_id: str, **fields: Any) -> dict[str, Any]:
    doc = {
        "DATA_TYPE": "task",
        "task_id": task_id,
        "type": "TRANSFER",
        "status": "ACTIVE",
        "request_time": (NOW - timedelta(hours=1)).isoformat(),
        "completion_time": None,
        "deadline": (NOW + timedelta(hours=23)).isoformat(),
        "bytes_transferred": 0,
        "files": 0,
        "files_transferred": 0,
        "files_skipped": 0,
        "subtasks_total": 0,
        "subtasks_pending": 0,
        "subtasks_retrying": 0,
        "faults": 0,
        "is_paused": False,
        "effective_bytes_per_second": 0,
        "source_endpoint_display_name": "Laptop",
        "destination_endpoint_display_name": "Scratch",
    }
    doc.update(fields)
    return doc


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


class TaskService:
    """Serves task_list filtered by task_id from a dict of task documents."""

    def __init__(self) -> None:
        self.tasks: dict[str, dict[str, Any]] = {}
        self.requests: list[httpx.Request] = []
        self.down = False
        self.fail_next = 0
        self.script: dict[str, list[dict[str, Any]]] = {}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.down or self.fail_next:
            self.fail_next = max(self.fail_next - 1, 0)
            raise httpx.ConnectError("no route to host", request=request)
        for task_id, states in self.script.items():
            self.tasks[task_id] = states.pop(0) if len(states) > 1 else states[0]
        clauses = dict(c.split(":", 1) for c in request.url.params.get("filter", "").split("/"))
        wanted = clauses.get("task_id")
        ids = wanted.split(",") if wanted else list(self.tasks)
        data = [self.tasks[i] for i in ids if i in self.tasks]
        limit = int(request.url.params.get("limit", 1000))
        return httpx.Response(
            200,
            json={
                "DATA_TYPE": "task_list",
                "DATA": data[:limit],
                "length": len(data[:limit]),
                "limit": limit,
                "offset": 0,
                "total": len(data),
            },
        )


@asynccontextmanager
async def monitor_on(
    service: TaskService, clock: Clock, **options: Any
) -> AsyncIterator[TaskMonitor]:
    """A TaskMonitor polling ``service`` on ``clock`` (no retries, no real sleeping)."""

    async def no_sleep(_s: float) -> None:
        return None

    async with httpx.AsyncClient(transport=httpx.MockTransport(service)) as http:
        client = TransferClient(
            base_url="https://transfer.test/",
            http_client=http,
            retry_policy=RetryPolicy(max_retries=0, sleep=no_sleep),
        )
        yield TaskMonitor(client, clock=clock, sleep=clock.sleep, wall_clock=lambda: NOW, **options)

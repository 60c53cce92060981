"""polling: 50 active tasks watched for 60 s (simulated time), requests made at equal freshness.

Fifty real transfer tasks are submitted to the embedded service (throttled, so they stay ACTIVE
— three running, the rest queued — for the whole run). gtui's ``TaskMonitor`` watches them
with a simulated clock (its sleeps advance the clock instead of waiting) while every request
goes to the service for real; the freshness it achieves is the longest time any task went
without a fresh state. The baseline polls each task with ``get_task`` (official SDK) as
``globus task wait`` does, every N seconds where N is gtui's freshness, over the same 60
simulated seconds. Two cases: tasks just submitted (gtui polls fast) and tasks running for an
hour (gtui polls slowly). Target: ≥ 20× fewer requests.
"""

from __future__ import annotations

import asyncio
import math
import os
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import benchlib

WINDOW = 60.0
TARGET_RATIO = 20
SOURCE_FILE = "/~/projects/climate-model/output/run_001.nc"


class SimulatedTime:
    """A monotonic clock that only moves when someone sleeps."""

    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 0.0)
        await asyncio.sleep(0)


def submit_tasks(service: Any, token: str, count: int) -> list[str]:
    """``count`` real transfers of a 24 MiB file, each its own task."""
    import globus_sdk

    from gtui.sim.world import GUEST_ID, LAPTOP_ID

    os.environ.update(service.env)
    tc = globus_sdk.TransferClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
    ids = []
    for i in range(count):
        data = globus_sdk.TransferData(
            source_endpoint=LAPTOP_ID, destination_endpoint=GUEST_ID, label=f"polling {i}"
        )
        data.add_item(SOURCE_FILE, f"/bench-polling/copy_{i:02d}.nc")
        ids.append(tc.submit_transfer(data)["task_id"])
    return ids


def cancel_tasks(token: str, ids: list[str]) -> None:
    import globus_sdk

    tc = globus_sdk.TransferClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
    for task_id in ids:
        tc.cancel_task(task_id)


async def run_gtui(service: Any, token: str, ids: list[str], *, age: timedelta) -> dict[str, Any]:
    """The real TaskMonitor on simulated time; returns requests and the worst staleness."""
    import httpx

    from gtui.core.authorizers import AccessTokenAuthorizer
    from gtui.core.http import new_http_client
    from gtui.core.tasks import TaskMonitor, TaskUpdate
    from gtui.core.transfer import TransferClient

    requests = 0

    async def count(_request: httpx.Request) -> None:
        nonlocal requests
        requests += 1

    sim_time = SimulatedTime()
    started = datetime.now(UTC) + age
    http = new_http_client(event_hooks={"request": [count]})
    client = TransferClient(
        base_url=service.service_urls["transfer"],
        authorizer=AccessTokenAuthorizer(token),
        http_client=http,
    )
    monitor = TaskMonitor(
        client,
        clock=sim_time.clock,
        sleep=sim_time.sleep,
        wall_clock=lambda: started + timedelta(seconds=sim_time.now),
    )
    seen: dict[str, list[float]] = {task_id: [] for task_id in ids}

    def record(event: Any) -> None:
        if isinstance(event, TaskUpdate) and event.task_id in seen:
            seen[event.task_id].append(sim_time.now)

    monitor.subscribe(record)
    for task_id in ids:
        monitor.watch(task_id, just_submitted=age == timedelta(0))
    runner = monitor.start()
    try:
        while sim_time.now < WINDOW:
            await asyncio.sleep(0.001)
            if runner.done():
                runner.result()
    finally:
        await monitor.stop()
        await http.aclose()
    staleness = 0.0
    finished = 0
    for times in seen.values():
        marks = [0.0, *[t for t in times if t <= WINDOW], WINDOW]
        staleness = max(staleness, *(b - a for a, b in zip(marks, marks[1:], strict=False)))
        finished += 0 if times else 1
    polls_in_window = sum(1 for t in seen[ids[0]] if t <= WINDOW)
    return {
        "requests": requests,
        "staleness": staleness,
        "polls": polls_in_window,
        "never_seen": finished,
    }


def run_baseline(token: str, ids: list[str], interval: float) -> int:
    """``globus task wait``'s loop for each task (get_task, sleep N), on simulated time."""
    import globus_sdk

    tc = globus_sdk.TransferClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
    requests = 0
    next_poll = dict.fromkeys(ids, 0.0)
    now = 0.0
    while now <= WINDOW:
        for task_id, due in next_poll.items():
            if due <= now:
                task = tc.get_task(task_id)
                requests += 1
                if task["status"] in ("SUCCEEDED", "FAILED"):
                    next_poll[task_id] = math.inf
                else:
                    next_poll[task_id] = now + interval
        now = min(next_poll.values())
        if now == math.inf:
            break
    return requests


def main() -> int:
    _, size = benchlib.parse_args(__doc__ or "")
    count = size.pick(50, 50, 10)
    fig = benchlib.figure
    benchlib.note(f"machine: {benchlib.machine()}")
    root = benchlib.WORK_DIR / "world-polling"
    with benchlib.serve_process(root, "--throttle", "1000") as service:
        token = benchlib.client_credentials_token(service)
        ids = submit_tasks(service, token, count)
        try:
            cases = []
            for label, age in (
                ("just submitted", timedelta(0)),
                ("running for an hour", timedelta(hours=1)),
            ):
                gtui = asyncio.run(run_gtui(service, token, ids, age=age))
                interval = gtui["staleness"]
                base = run_baseline(token, ids, interval)
                cases.append((label, gtui, base, interval))
        finally:
            cancel_tasks(token, ids)
    for label, gtui, base, interval in cases:
        benchlib.note(
            f"{count} tasks {label}, {fig(WINDOW)} s simulated: gtui {gtui['requests']} requests "
            f"(one task_list per poll, oldest state {fig(interval)} s old); "
            f"get_task every {fig(interval)} s per task: {base} requests "
            f"→ {fig(base / gtui['requests'])}× fewer"
        )
    _, gtui, base, _ = cases[0]
    print(benchlib.result_line("polling", gtui["requests"], base, "requests", TARGET_RATIO))
    return 0


if __name__ == "__main__":
    sys.exit(main())

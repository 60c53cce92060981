"""TaskMonitor: one request per poll, adaptive intervals, honest progress and flags."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from gtui.core.models import Task
from gtui.core.tasks import (
    FLAG_FAULTS,
    FLAG_INACTIVE,
    FLAG_NEAR_DEADLINE,
    FLAG_PAUSED,
    PollFailed,
    TaskMonitor,
    TaskUpdate,
    derive_progress,
)
from gtui.core.transfer import TransferClient
from tests.core.task_service import NOW, Clock, TaskService, monitor_on, task_doc


@pytest.fixture
def service() -> TaskService:
    return TaskService()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def monitor(service: TaskService, clock: Clock) -> AsyncIterator[TaskMonitor]:
    async with monitor_on(
        service,
        clock,
        fast_interval=2,
        slow_interval=20,
        young_age=120,
        submit_burst=30,
        max_backoff=100,
    ) as watching:
        yield watching


async def test_many_tasks_are_polled_with_one_request(service, monitor) -> None:
    for i in range(7):
        service.tasks[f"t{i}"] = task_doc(f"t{i}")
        monitor.watch(f"t{i}")
    updates = await monitor.poll_once()
    assert len(service.requests) == 1
    params = service.requests[0].url.params
    assert params["filter"] == "task_id:t0,t1,t2,t3,t4,t5,t6/type:TRANSFER,DELETE"
    assert params["limit"] == "7"
    assert sorted(u.task_id for u in updates) == [f"t{i}" for i in range(7)]


async def test_more_than_a_chunk_of_ids_is_split(service, monitor) -> None:
    for i in range(250):
        service.tasks[f"t{i}"] = task_doc(f"t{i}")
        monitor.watch(f"t{i}")
    updates = await monitor.poll_once()
    assert len(updates) == 250
    sizes = [len(r.url.params["filter"].split("/")[0][8:].split(",")) for r in service.requests]
    assert sizes == [100, 100, 50]


async def test_finished_tasks_get_one_final_update_then_are_dropped(service, monitor) -> None:
    service.tasks["done"] = task_doc("done", status="SUCCEEDED", files=3, files_transferred=3)
    service.tasks["running"] = task_doc("running")
    monitor.watch("done")
    monitor.watch("running")
    updates = {u.task_id: u for u in await monitor.poll_once()}
    assert updates["done"].final and not updates["running"].final
    assert updates["done"].progress.fraction == 1.0
    assert monitor.watched == {"running"}
    await monitor.poll_once()
    assert "done" not in service.requests[-1].url.params["filter"]
    monitor.unwatch("running")
    assert await monitor.poll_once() == []
    assert len(service.requests) == 2


async def test_interval_is_fast_after_submit_and_slow_for_long_running_tasks(
    service, monitor, clock
) -> None:
    service.tasks["t"] = task_doc("t")
    monitor.watch("t", just_submitted=True)
    await monitor.poll_once()
    assert monitor.next_interval() == 2
    clock.now += 31
    assert monitor.next_interval() == 20


async def test_young_tasks_are_polled_fast_until_they_age(service, monitor, clock) -> None:
    service.tasks["t"] = task_doc("t", request_time=(NOW - timedelta(seconds=100)).isoformat())
    monitor.watch("t", just_submitted=False)
    assert monitor.next_interval() == 20
    await monitor.poll_once()
    assert monitor.next_interval() == 2
    clock.now += 21
    assert monitor.next_interval() == 20


def test_progress_uses_bytes_when_the_total_is_known() -> None:
    task = Task.from_api(
        task_doc(
            "t", bytes_transferred=250, files=10, files_transferred=9, effective_bytes_per_second=50
        )
    )
    progress = derive_progress(task, total_bytes=1000)
    assert (progress.basis, progress.done, progress.total) == ("bytes", 250, 1000)
    assert progress.percent == 25.0
    assert progress.bytes_per_second == 50 and progress.eta_seconds == 15.0


def test_progress_falls_back_to_files_then_subtasks_then_nothing() -> None:
    files = derive_progress(
        Task.from_api(
            task_doc("t", files=8, files_transferred=3, files_skipped=1, bytes_transferred=10)
        )
    )
    assert (files.basis, files.done, files.total, files.fraction) == ("files", 4, 8, 0.5)
    assert files.eta_seconds is None
    subtasks = derive_progress(
        Task.from_api(
            task_doc(
                "t",
                subtasks_total=10,
                subtasks_pending=6,
                subtasks_retrying=1,
                subtasks_succeeded=3,
            )
        )
    )
    assert (subtasks.basis, subtasks.done, subtasks.total) == ("subtasks", 3, 10)
    nothing = derive_progress(Task.from_api(task_doc("t", bytes_transferred=123)))
    assert nothing.basis == "none" and nothing.fraction is None and nothing.indeterminate
    assert nothing.percent is None and nothing.eta_seconds is None


async def test_rate_and_eta_come_from_measured_progress(service, monitor, clock) -> None:
    service.tasks["t"] = task_doc("t", files=100, files_transferred=10, bytes_transferred=1000)
    monitor.watch("t")
    first = (await monitor.poll_once())[0]
    assert first.progress.eta_seconds is None and first.progress.bytes_per_second is None
    clock.now += 10
    service.tasks["t"] = task_doc("t", files=100, files_transferred=30, bytes_transferred=5000)
    second = (await monitor.poll_once())[0]
    assert second.progress.fraction == 0.3
    assert second.progress.bytes_per_second == 400
    assert second.progress.eta_seconds == 35


async def test_flags_faults_inactive_paused_and_deadline(service, monitor, clock) -> None:
    service.tasks["f"] = task_doc("f", faults=2)
    service.tasks["i"] = task_doc("i", status="INACTIVE", nice_status="Credentials expired")
    service.tasks["p"] = task_doc("p", is_paused=True)
    service.tasks["d"] = task_doc("d", deadline=(NOW + timedelta(minutes=9)).isoformat())
    for task_id in "fipd":
        monitor.watch(task_id)
    first = {u.task_id: u.flags for u in await monitor.poll_once()}
    assert first == {
        "f": frozenset(),
        "i": {FLAG_INACTIVE},
        "p": {FLAG_PAUSED},
        "d": {FLAG_NEAR_DEADLINE},
    }
    service.tasks["f"] = task_doc("f", faults=5)
    clock.now += 20
    growing = {u.task_id: u.flags for u in await monitor.poll_once()}
    assert growing["f"] == {FLAG_FAULTS}
    clock.now += 301
    stable = {u.task_id: u.flags for u in await monitor.poll_once()}
    assert stable["f"] == frozenset()


async def test_poll_errors_reach_subscribers_and_polling_backs_off(service, monitor, clock) -> None:
    queue: asyncio.Queue = asyncio.Queue()
    seen: list[Any] = []

    async def callback(event: Any) -> None:
        seen.append(event)

    monitor.subscribe(queue)
    monitor.subscribe(callback)
    service.tasks["t"] = task_doc("t")
    monitor.watch("t", just_submitted=False)
    service.down = True
    assert await monitor.poll_once() == []
    failed = queue.get_nowait()
    assert isinstance(failed, PollFailed) and failed.failures == 1 and monitor.offline
    assert "transfer.test" in str(failed.error)
    assert monitor.next_interval() == 40
    await monitor.poll_once()
    assert monitor.next_interval() == 80
    await monitor.poll_once()
    assert monitor.next_interval() == 100
    service.down = False
    await monitor.poll_once()
    assert not monitor.offline and monitor.next_interval() == 20
    assert isinstance(seen[-1], TaskUpdate) and seen[-1].task_id == "t"
    assert [type(e).__name__ for e in seen] == ["PollFailed"] * 3 + ["TaskUpdate"]


async def test_a_day_long_outage_keeps_backing_off_at_the_cap(service, clock) -> None:
    """After 1024 failed polls ``2**failures`` no longer fits a float: no OverflowError."""
    events: list[Any] = []
    async with monitor_on(service, clock, fast_interval=2.0, max_backoff=120.0) as monitor:
        monitor.subscribe(events.append)
        service.tasks["t"] = task_doc("t")
        monitor.watch("t", just_submitted=False)
        service.down = True
        monitor.failures = 1100
        assert await monitor.poll_once() == []
    assert isinstance(events[-1], PollFailed) and events[-1].failures == 1101
    assert events[-1].retry_in == 120.0 == monitor.next_interval()


async def test_run_loop_polls_on_its_intervals_and_survives_errors(service, monitor, clock) -> None:
    service.script["t"] = [task_doc("t"), task_doc("t", status="SUCCEEDED")]
    events: asyncio.Queue = asyncio.Queue()
    monitor.subscribe(events)
    monitor.subscribe(lambda event: 1 / 0)
    monitor.watch("t", just_submitted=True)
    service.fail_next = 1
    runner = monitor.start()
    try:
        first = await asyncio.wait_for(events.get(), 2)
        assert isinstance(first, PollFailed)
        update = await asyncio.wait_for(events.get(), 2)
        assert isinstance(update, TaskUpdate) and not update.final
        final = await asyncio.wait_for(events.get(), 2)
        assert isinstance(final, TaskUpdate) and final.final
        await asyncio.sleep(0.01)
        assert events.empty() and len(service.requests) == 3
    finally:
        await monitor.stop()
    assert runner.done()
    assert clock.sleeps[:2] == [4, 2]
    assert monitor.watched == frozenset()


async def test_poll_now_and_watch_wake_an_idle_loop(service) -> None:
    service.tasks["t"] = task_doc("t")
    async with httpx.AsyncClient(transport=httpx.MockTransport(service)) as http:
        client = TransferClient(base_url="https://transfer.test/", http_client=http)
        monitor = TaskMonitor(client, fast_interval=60, slow_interval=600)
        monitor.start()
        try:
            await asyncio.sleep(0.01)
            assert service.requests == []
            monitor.watch("t")
            await asyncio.wait_for(_until(lambda: len(service.requests) == 1), 2)
            monitor.poll_now()
            await asyncio.wait_for(_until(lambda: len(service.requests) == 2), 2)
        finally:
            await monitor.stop()


async def _until(condition) -> None:
    while not condition():
        await asyncio.sleep(0.005)


async def test_load_recent_tasks_lists_newest_first_and_watches_unfinished(
    service, monitor
) -> None:
    service.tasks["old"] = task_doc("old", status="SUCCEEDED")
    service.tasks["new"] = task_doc("new", status="ACTIVE", type="DELETE")
    tasks = await monitor.load_recent_tasks(25)
    assert {t.task_id for t in tasks} == {"old", "new"}
    params = service.requests[-1].url.params
    assert params["orderby"] == "request_time DESC" and params["limit"] == "25"
    assert params["filter"] == "type:TRANSFER,DELETE"
    assert monitor.watched == {"new"}
    assert monitor.next_interval() == 20


async def test_monitor_follows_a_real_transfer_on_the_embedded_service(sim_transfer) -> None:
    from gtui.core.transfer_data import TransferData
    from gtui.sim.world import LAPTOP_ID, SCRATCH_ID

    tdata = TransferData(LAPTOP_ID, SCRATCH_ID, label="monitor check")
    tdata.add_item("/home/demo/Documents/", "/home/demo/copied/", recursive=True)
    submitted = await sim_transfer.submit_transfer(tdata)
    monitor = TaskMonitor(sim_transfer, fast_interval=0.05, slow_interval=0.5)
    events: asyncio.Queue = asyncio.Queue()
    monitor.subscribe(events)
    monitor.watch(submitted["task_id"])
    monitor.start()
    try:
        final = None
        while final is None:
            event = await asyncio.wait_for(events.get(), 30)
            assert isinstance(event, TaskUpdate), event
            final = event if event.final else None
    finally:
        await monitor.stop()
    assert final.task.status == "SUCCEEDED" and final.task.label == "monitor check"
    assert final.progress.basis == "files" and final.progress.fraction == 1.0
    assert final.task.files_transferred + final.task.files_skipped == final.task.files > 0
    listing = await sim_transfer.operation_ls(SCRATCH_ID, path="/home/demo/copied/")
    assert len(listing["DATA"]) > 0

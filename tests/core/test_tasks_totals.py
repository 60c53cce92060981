"""TaskMonitor with a total size learned while the task runs (a pre-scan finishing late)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from gtui.core.tasks import TaskMonitor
from tests.core.task_service import NOW, Clock, TaskService, monitor_on, task_doc


@pytest.fixture
def service() -> TaskService:
    return TaskService()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def monitor(service: TaskService, clock: Clock) -> AsyncIterator[TaskMonitor]:
    async with monitor_on(service, clock, rate_window=600) as watching:
        yield watching


def running(bytes_done: int, files_done: int, **fields: object) -> dict[str, object]:
    return task_doc(
        "t1",
        files=10,
        files_transferred=files_done,
        bytes_transferred=bytes_done,
        **fields,
    )


async def test_a_total_learned_mid_task_switches_progress_to_bytes_with_an_honest_eta(
    service: TaskService, clock: Clock, monitor: TaskMonitor
) -> None:
    monitor.watch("t1")
    service.tasks["t1"] = running(1_000, 1)
    [first] = await monitor.poll_once()
    assert first.progress.basis == "files"
    assert first.progress.fraction == pytest.approx(0.1)

    monitor.set_total_bytes("t1", 100_000)
    clock.now += 10
    service.tasks["t1"] = running(21_000, 1)
    [second] = await monitor.poll_once()

    assert second.progress.basis == "bytes"
    assert second.progress.fraction == pytest.approx(0.21)
    assert second.progress.bytes_per_second == pytest.approx(2_000)
    assert second.progress.eta_seconds == pytest.approx(79_000 / 2_000)


async def test_forgetting_the_total_goes_back_to_files_without_mixing_units(
    service: TaskService, clock: Clock, monitor: TaskMonitor
) -> None:
    monitor.watch("t1", total_bytes=100_000)
    service.tasks["t1"] = running(50_000, 2)
    [first] = await monitor.poll_once()
    assert first.progress.basis == "bytes"

    monitor.set_total_bytes("t1", None)
    clock.now += 10
    service.tasks["t1"] = running(60_000, 3)
    [second] = await monitor.poll_once()
    assert second.progress.basis == "files"
    assert second.progress.fraction == pytest.approx(0.3)
    assert second.progress.eta_seconds is None

    clock.now += 10
    service.tasks["t1"] = running(70_000, 5)
    [third] = await monitor.poll_once()
    assert third.progress.eta_seconds == pytest.approx(5 / (2 / 10))


async def test_an_upper_bound_total_never_shows_more_than_done_and_completes_on_success(
    service: TaskService, clock: Clock, monitor: TaskMonitor
) -> None:
    monitor.watch("t1", total_bytes=10_000)
    service.tasks["t1"] = running(12_000, 9)
    [over] = await monitor.poll_once()
    assert over.progress.fraction == 1.0

    clock.now += 5
    service.tasks["t1"] = task_doc(
        "t1",
        status="SUCCEEDED",
        completion_time=NOW.isoformat(),
        files=10,
        files_transferred=4,
        files_skipped=6,
        bytes_transferred=3_000,
        sync_level=3,
    )
    monitor.set_total_bytes("t1", 30_000)
    [done] = await monitor.poll_once()
    assert done.final
    assert done.progress.basis == "bytes"
    assert done.progress.fraction == 1.0
    assert done.progress.percent == 100.0


async def test_setting_the_same_total_again_keeps_the_rate_samples(
    service: TaskService, clock: Clock, monitor: TaskMonitor
) -> None:
    monitor.watch("t1", total_bytes=100_000)
    service.tasks["t1"] = running(10_000, 1)
    await monitor.poll_once()
    monitor.watch("t1", total_bytes=100_000)
    clock.now += 4
    service.tasks["t1"] = running(30_000, 2)
    [update] = await monitor.poll_once()
    assert update.progress.bytes_per_second == pytest.approx(5_000)
    assert update.progress.eta_seconds == pytest.approx(70_000 / 5_000)

"""A folder copy's progress is in bytes: the folder is sized after the submit, the bar follows
the bytes while one large file copies, and a restarted gtui still knows the total."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest
from textual.worker import WorkerState

from gtui.config import Settings, TaskSettings
from gtui.core.recursive import RateLimiter
from gtui.sim.world import LAPTOP_ID
from gtui.tui.demo_login import demo_login
from gtui.tui.screens.transfer_options import TransferOptionsScreen
from gtui.tui.sizing import SizingItem, scan_total_bytes
from gtui.tui.widgets.task_queue import SIZING, TaskQueue, status_name
from tests.tui.tui_helpers import collection_path, new_session, pane, ready, wait_for

BIG = 3_000_000
SMALL = [1_000, 20_000, 35_000, 48_000, 52_000]
FAST_POLLS = Settings(tasks=TaskSettings(poll_fast_seconds=0.2, poll_slow_seconds=1.0))


def make_bundle(sim: Any, *, locked: bool = False) -> int:
    """A folder with one large file and several small ones (some nested); returns its bytes."""
    folder = collection_path(sim, LAPTOP_ID, "/~/bundle")
    (folder / "nested" / "deeper").mkdir(parents=True)
    (folder / "big.bin").write_bytes(bytes(range(256)) * (BIG // 256) + b"x" * (BIG % 256))
    for i, size in enumerate(SMALL):
        where = folder if i < 2 else folder / "nested" if i < 4 else folder / "nested" / "deeper"
        (where / f"small_{i}.dat").write_bytes(b"s" * size)
    if locked:
        (folder / "locked").mkdir()
        (folder / "locked" / "secret.dat").write_bytes(b"k" * 10)
    return sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())


def row_text(app: Any, task_id: str) -> str:
    queue = app.screen.query_one(TaskQueue)
    row = queue.row_of(task_id)
    assert row is not None
    return queue.render_line(row + 1).text


def drawn_task(app: Any, task_id: str) -> Any | None:
    """The task document the queue drew, once it has caught up with the latest one."""
    task = app.screen.query_one(TaskQueue).tasks.get(task_id)
    return task if task is not None and task is app.feed.tasks.get(task_id) else None


def shown_percent(app: Any, task_id: str) -> int | None:
    match = re.search(r"(\d+)%", row_text(app, task_id))
    return int(match.group(1)) if match else None


async def submit_bundle(pilot: Any, *, skip_source_errors: bool = False) -> str:
    app = pilot.app
    await ready(pilot)
    left = pane(app, "left")
    await wait_for(pilot, lambda: left.file_list.row_of("bundle") is not None)
    left.file_list.cursor = left.file_list.row_of("bundle")
    await pilot.press("f5")
    dialog = await wait_for(
        pilot, lambda: app.screen if isinstance(app.screen, TransferOptionsScreen) else None
    )
    if skip_source_errors:
        dialog.query_one("#skip_source_errors").value = True
    await pilot.press("enter")
    return await wait_for(pilot, lambda: next(iter(app.feed.tasks), None))


async def test_a_folder_copy_shows_percent_of_scanned_bytes_while_its_big_file_copies(
    make_app: Any, sim: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    total = make_bundle(sim)
    sim.settings.throttle_bytes_per_second = 1_000_000
    app = await make_app(settings=FAST_POLLS)
    client = app.session.transfer
    listing = client.operation_ls
    release = asyncio.Event()

    async def held_for_bundle(endpoint_id: str, path: str | None = None, **kw: Any) -> Any:
        if path and "/bundle" in path:
            await release.wait()
        return await listing(endpoint_id, path, **kw)

    monkeypatch.setattr(client, "operation_ls", held_for_bundle)
    async with app.run_test(size=(140, 40)) as pilot:
        task_id = await submit_bundle(pilot)
        assert task_id in app.feed.sizing.sizing
        await wait_for(pilot, lambda: SIZING in row_text(app, task_id))
        assert task_id not in app.feed.expected_bytes

        release.set()
        await wait_for(pilot, lambda: app.feed.expected_bytes.get(task_id) == total)
        await wait_for(pilot, lambda: SIZING not in row_text(app, task_id))

        seen: list[tuple[int, int, int, int]] = []
        while status_name(app.feed.tasks[task_id]) != "Succeeded":
            task = drawn_task(app, task_id)
            percent = shown_percent(app, task_id)
            if task and task.status == "ACTIVE" and task.bytes_transferred and percent is not None:
                assert percent == int(min(task.bytes_transferred / total, 1.0) * 100)
                seen.append((task.bytes_transferred, percent, task.files_transferred, task.files))
            await pilot.pause(0.05)
        during_big_file = [s for s in seen if 0 < s[1] < 100 and s[0] > sum(SMALL)]
        assert during_big_file, seen
        assert any(files and done_files * 100 // files != pct for _, pct, done_files, files in seen)
        await wait_for(pilot, lambda: shown_percent(app, task_id) == 100)
        assert "Succeeded" in row_text(app, task_id)
        assert app.state.total_bytes[task_id] == total


async def test_a_folder_that_cannot_be_sized_keeps_files_progress_quietly(
    make_app: Any, sim: Any
) -> None:
    make_bundle(sim, locked=True)
    sim.settings.throttle_bytes_per_second = 400_000
    sim.settings.faults.denied_paths = [f"{LAPTOP_ID}:/home/demo/bundle/locked/"]
    app = await make_app(settings=FAST_POLLS)
    notices: list[str] = []
    app.notify = lambda message, **kw: notices.append(str(message))  # type: ignore[method-assign]
    async with app.run_test(size=(140, 40)) as pilot:
        # The copy skips the refused folder (else Transfer fails the task on it at once).
        task_id = await submit_bundle(pilot, skip_source_errors=True)
        prescans = app.feed.sizing
        await wait_for(pilot, lambda: task_id in prescans.failed)
        assert task_id not in prescans.sizing
        assert task_id not in app.feed.expected_bytes
        assert "locked" in prescans.failed[task_id] or "denied" in prescans.failed[task_id].lower()
        await wait_for(pilot, lambda: app.feed.tasks[task_id].files > 0)
        await wait_for(pilot, lambda: app.feed.progress.get(task_id) is not None)
        assert app.feed.progress[task_id].basis == "files"
        assert SIZING not in row_text(app, task_id)
        assert not [n for n in notices if "siz" in n.lower() or "denied" in n.lower()]


async def test_a_restarted_app_shows_byte_progress_for_a_task_it_submitted_before(
    make_app: Any, sim: Any
) -> None:
    total = make_bundle(sim)
    sim.settings.throttle_bytes_per_second = 300_000
    first = await make_app(settings=FAST_POLLS)
    async with first.run_test(size=(140, 40)) as pilot:
        task_id = await submit_bundle(pilot)
        await wait_for(pilot, lambda: first.feed.expected_bytes.get(task_id) == total)
    await first.session.aclose()

    again = await make_app(settings=FAST_POLLS)
    async with again.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: task_id in again.feed.tasks)
        assert again.feed.expected_bytes[task_id] == total

        def in_bytes() -> Any:
            progress = again.feed.progress.get(task_id)
            if progress is None or progress.basis != "bytes" or not drawn_task(again, task_id):
                return None
            return progress

        progress = await wait_for(pilot, in_bytes)
        assert progress.total == total
        assert task_id not in again.feed.sizing.sizing
        assert again.feed.tasks[task_id].status == "ACTIVE"
        task = again.feed.tasks[task_id]
        shown = shown_percent(again, task_id)
        expected = int(min(task.bytes_transferred / total, 1.0) * 100)
        assert shown == expected, (row_text(again, task_id), task, again.feed.progress[task_id])


async def test_a_task_that_finishes_first_ends_its_scan_and_shows_complete(
    make_app: Any, sim: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_bundle(sim)
    app = await make_app(settings=FAST_POLLS)
    client = app.session.transfer
    listing = client.operation_ls
    held = asyncio.Event()

    async def never_for_bundle(endpoint_id: str, path: str | None = None, **kw: Any) -> Any:
        if path and "/bundle" in path:
            held.set()
            await asyncio.Event().wait()
        return await listing(endpoint_id, path, **kw)

    monkeypatch.setattr(client, "operation_ls", never_for_bundle)
    async with app.run_test(size=(140, 40)) as pilot:
        task_id = await submit_bundle(pilot)
        await wait_for(pilot, held.is_set)
        prescans = app.feed.sizing
        worker = prescans.scan_of(task_id)
        assert worker is not None
        await wait_for(pilot, lambda: status_name(app.feed.tasks[task_id]) == "Succeeded")
        await wait_for(pilot, lambda: worker.is_finished)
        assert worker.state == WorkerState.CANCELLED
        assert prescans.scan_of(task_id) is None
        assert task_id not in prescans.sizing
        assert task_id not in app.feed.expected_bytes
        assert shown_percent(app, task_id) == 100
        assert SIZING not in row_text(app, task_id)


async def test_a_sync_copy_that_skips_most_files_never_passes_100_and_completes_at_100(
    make_app: Any, sim: Any
) -> None:
    make_bundle(sim)
    app = await make_app(settings=FAST_POLLS)
    async with app.run_test(size=(140, 40)) as pilot:
        first = await submit_bundle(pilot)
        await wait_for(pilot, lambda: status_name(app.feed.tasks[first]) == "Succeeded")
        extra = collection_path(sim, LAPTOP_ID, "/~/bundle/extra.bin")
        extra.write_bytes(b"e" * 2_000_000)
        total = sum(p.stat().st_size for p in extra.parent.rglob("*") if p.is_file())
        sim.settings.throttle_bytes_per_second = 1_000_000
        pane(app, "left").file_list.focus()
        await pilot.press("f5")
        dialog = await wait_for(
            pilot, lambda: app.screen if isinstance(app.screen, TransferOptionsScreen) else None
        )
        assert dialog.defaults.sync_level == "checksum"
        await pilot.press("enter")
        second = await wait_for(
            pilot, lambda: next((t for t in app.feed.tasks if t != first), None)
        )
        await wait_for(pilot, lambda: app.feed.expected_bytes.get(second) == total)
        shown: list[int] = []
        while status_name(app.feed.tasks[second]) != "Succeeded":
            percent = shown_percent(app, second)
            if percent is not None and drawn_task(app, second):
                shown.append(percent)
            await pilot.pause(0.05)
        task = app.feed.tasks[second]
        assert task.files_skipped == task.files - 1 > 0
        assert task.bytes_transferred == 2_000_000 < total
        assert shown and max(shown) <= int(2_000_000 / total * 100)
        assert shown_percent(app, second) == 100


async def test_resubmitted_items_are_sized_from_listings_whatever_is_known(sim: Any) -> None:
    total = make_bundle(sim)
    session = new_session(sim)
    try:
        await demo_login(session)
        items = [
            SizingItem("/~/bundle/big.bin", size=BIG),
            SizingItem("/~/bundle/small_0.dat"),
            SizingItem("/~/bundle/small_1.dat", recursive=False),
            SizingItem("/~/bundle/nested"),
        ]
        sized = await scan_total_bytes(session.transfer, LAPTOP_ID, items, limiter=RateLimiter())
        assert sized == total
        whole = [SizingItem("/~/bundle/", recursive=True)]
        assert await scan_total_bytes(
            session.transfer, LAPTOP_ID, whole, limiter=RateLimiter()
        ) == (total)
    finally:
        await session.aclose()


async def test_a_restarted_app_sizes_a_running_task_whose_scan_never_finished(
    make_app: Any, sim: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    total = make_bundle(sim)
    sim.settings.throttle_bytes_per_second = 300_000
    first = await make_app(settings=FAST_POLLS)
    client = first.session.transfer
    listing = client.operation_ls
    held = asyncio.Event()

    async def never_for_bundle(endpoint_id: str, path: str | None = None, **kw: Any) -> Any:
        if path and "/bundle" in path:
            held.set()
            await asyncio.Event().wait()
        return await listing(endpoint_id, path, **kw)

    monkeypatch.setattr(client, "operation_ls", never_for_bundle)
    async with first.run_test(size=(140, 40)) as pilot:
        task_id = await submit_bundle(pilot)
        await wait_for(pilot, held.is_set)
    await first.session.aclose()
    assert task_id not in first.state.total_bytes

    again = await make_app(settings=FAST_POLLS)
    async with again.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: again.feed.expected_bytes.get(task_id) == total)
        assert again.feed.tasks[task_id].status == "ACTIVE"
        assert again.state.total_bytes[task_id] == total
        await wait_for(pilot, lambda: SIZING not in row_text(again, task_id))

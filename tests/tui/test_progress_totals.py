"""A folder copy's progress is in bytes: the folder is sized after the submit, the bar follows
the bytes while one large file copies, and a restarted gtui still knows the total."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest

from gtui.config import Settings, TaskSettings
from gtui.sim.world import LAPTOP_ID
from gtui.tui.prescan import prescans_of
from gtui.tui.screens.transfer_options import TransferOptionsScreen
from gtui.tui.widgets.task_queue import SIZING, TaskQueue, status_name
from tests.tui.tui_helpers import collection_path, pane, ready, wait_for

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


def shown_percent(app: Any, task_id: str) -> int | None:
    match = re.search(r"(\d+)%", row_text(app, task_id))
    return int(match.group(1)) if match else None


async def submit_bundle(pilot: Any) -> str:
    app = pilot.app
    await ready(pilot)
    left = pane(app, "left")
    await wait_for(pilot, lambda: left.file_list.row_of("bundle") is not None)
    left.file_list.cursor = left.file_list.row_of("bundle")
    await pilot.press("f5")
    await wait_for(pilot, lambda: isinstance(app.screen, TransferOptionsScreen))
    await pilot.press("enter")
    return await wait_for(pilot, lambda: next(iter(app.tasks), None))


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
        assert task_id in prescans_of(app).sizing
        await wait_for(pilot, lambda: SIZING in row_text(app, task_id))
        assert task_id not in app.expected_bytes

        release.set()
        await wait_for(pilot, lambda: app.expected_bytes.get(task_id) == total)
        await wait_for(pilot, lambda: SIZING not in row_text(app, task_id))

        seen: list[tuple[int, int, int, int]] = []
        while status_name(app.tasks[task_id]) != "Succeeded":
            task = app.tasks[task_id]
            percent = shown_percent(app, task_id)
            if task.status == "ACTIVE" and task.bytes_transferred and percent is not None:
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
        task_id = await submit_bundle(pilot)
        prescans = prescans_of(app)
        await wait_for(pilot, lambda: task_id in prescans.failed)
        assert task_id not in prescans.sizing
        assert task_id not in app.expected_bytes
        assert "locked" in prescans.failed[task_id] or "denied" in prescans.failed[task_id].lower()
        await wait_for(pilot, lambda: app.tasks[task_id].files > 0)
        await wait_for(pilot, lambda: app.task_progress.get(task_id) is not None)
        assert app.task_progress[task_id].basis == "files"
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
        await wait_for(pilot, lambda: first.expected_bytes.get(task_id) == total)
    await first.session.aclose()

    again = await make_app(settings=FAST_POLLS)
    async with again.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: task_id in again.tasks)
        assert again.expected_bytes[task_id] == total

        def in_bytes() -> Any:
            progress = again.task_progress.get(task_id)
            return progress if progress is not None and progress.basis == "bytes" else None

        progress = await wait_for(pilot, in_bytes)
        assert progress.total == total
        assert task_id not in prescans_of(again).sizing
        assert again.tasks[task_id].status == "ACTIVE"
        task = again.tasks[task_id]
        shown = shown_percent(again, task_id)
        assert shown == int(min(task.bytes_transferred / total, 1.0) * 100)

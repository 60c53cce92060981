"""The Activity view on the embedded service: an old task found among 2,000 by search and
by label, a running task's label and deadline changed, a finished task's failed files
resubmitted, the view exported, and the screen at 80×24 (also without colour)."""

from __future__ import annotations

import csv
import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from gtui.core.activity_pager import TaskSource
from gtui.core.transfer_data import TransferData
from gtui.sim.transfer import rows
from gtui.sim.transfer.model import Task as SimTask
from gtui.sim.transfer.model import iso_time, new_task_doc
from gtui.sim.world import DEMO_USER_ID, LAPTOP_ID, SCRATCH_ID
from gtui.tui.activity_list import ActivityList
from gtui.tui.screens.activity import PAGE_ROWS, ActivityScreen
from tests.tui.tui_helpers import collection_path, record_notifications, wait_for

HISTORY = 2_000
OLD = 37
"""The task looked for: the 38th oldest of the history, far beyond the first page."""
LAPTOP = {"id": LAPTOP_ID, "canonical_name": "laptop", "display_name": "Laptop"}
SCRATCH = {"id": SCRATCH_ID, "canonical_name": "scratch", "display_name": "Scratch"}


def seed_history(sim: Any, count: int = HISTORY) -> None:
    """``count`` finished transfers of the demo user, one a minute up to now, written through
    the service's own store (as if the service had run them)."""
    now = time.time()
    with sim.ctx.transfer.store.db.write() as conn:
        for n in range(count):
            requested = now - (count - n) * 60
            doc = new_task_doc(
                task_id=f"00000000-0000-4000-8000-{n:012d}",
                task_type="TRANSFER",
                owner_id=DEMO_USER_ID,
                username="demo",
                label="calibration 2019" if n == OLD else f"nightly {n}",
                source=dict(LAPTOP),
                destination=dict(SCRATCH),
                deadline=iso_time(requested + 86_400),
                options={},
            )
            doc.update(
                request_time=iso_time(requested),
                completion_time=iso_time(requested + 30),
                status="SUCCEEDED",
                nice_status=None,
                files=3,
                files_transferred=3,
                bytes_transferred=3_000 + n,
            )
            rows.insert_task(conn, SimTask(doc, {"items": []}, f"history-{n}"))


async def open_activity(pilot: Any) -> ActivityScreen:
    await pilot.press("7")
    screen = await wait_for(pilot, lambda: _activity(pilot.app))
    await wait_for(pilot, lambda: screen.pager is not None and not screen._reading)
    return screen


def _activity(app: Any) -> ActivityScreen | None:
    return app.screen if isinstance(app.screen, ActivityScreen) else None


def shown_ids(screen: ActivityScreen) -> list[str | None]:
    return [row.task_id for row in screen.query_one(ActivityList).rows]


def shown_ids_labels(screen: ActivityScreen) -> list[str]:
    return [row.label for row in screen.query_one(ActivityList).rows]


def task_pages(screen: ActivityScreen) -> int:
    """How many pages of ``task_list`` the view has read."""
    assert screen.pager is not None
    return sum(s.pages for s in screen.pager.sources if isinstance(s, TaskSource))


def line_texts(listed: ActivityList) -> list[str]:
    return [listed.render_line(y).text for y in range(listed.size.height)]


async def test_an_old_task_is_found_by_search_and_by_label_among_2000(
    make_app: Any, sim: Any
) -> None:
    seed_history(sim)
    old_id = f"00000000-0000-4000-8000-{OLD:012d}"
    app = await make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_activity(pilot)
        listed = screen.query_one(ActivityList)
        first = shown_ids(screen)
        assert first[0] == f"00000000-0000-4000-8000-{HISTORY - 1:012d}"
        assert old_id not in first and len(first) < HISTORY
        assert "more below" in str(screen.query_one("#activity-status").render())

        # Free text: Transfer cannot search collections and ids, so gtui reads page after
        # page (bounded by request time) until it has the row.
        await pilot.press("slash")
        await pilot.press(*"calibration")
        await pilot.press("enter")
        await wait_for(pilot, lambda: shown_ids(screen) == [old_id])
        assert task_pages(screen) >= 2
        assert screen.pager is not None and screen.pager.exhausted
        assert "calibration 2019" in listed.render_line(1).text

        # A label pattern: Transfer filters on its side, so one page holds the answer.
        await pilot.press("slash", "backspace", "enter")
        await wait_for(pilot, lambda: len(shown_ids(screen)) > 1)
        await pilot.press("f")
        await pilot.pause()
        await pilot.press(*"calib*")
        await pilot.press("enter")
        await wait_for(pilot, lambda: shown_ids(screen) == [old_id])
        assert task_pages(screen) == 1
        assert "label “calib*”" in str(screen.query_one("#activity-status").render())

        # Enter opens the task's detail.
        await pilot.press("enter")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "TaskDetailScreen")


async def test_the_end_of_the_list_reads_the_next_page(make_app: Any, sim: Any) -> None:
    seed_history(sim, 300)
    app = await make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_activity(pilot)
        before = len(shown_ids(screen))
        await pilot.press("end")
        await wait_for(pilot, lambda: len(shown_ids(screen)) > before and not screen._reading)
        ids = shown_ids(screen)
        assert len(ids) == len(set(ids))
        assert ids == sorted(ids, reverse=True)  # ids grow with request time


async def test_label_and_deadline_of_a_running_task_change_on_the_service(
    make_app: Any, sim: Any
) -> None:
    sim.settings.throttle_bytes_per_second = 1_000
    folder = collection_path(sim, LAPTOP_ID, "/~/slow")
    folder.mkdir()
    (folder / "big.bin").write_bytes(b"x" * 2_000_000)
    app = await make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        data = TransferData(LAPTOP_ID, SCRATCH_ID, label="slow copy")
        data.add_item("/~/slow/big.bin", "/~/slow-copy.bin")
        task_id = (await app.session.transfer.submit_transfer(data))["task_id"]
        try:
            screen = await open_activity(pilot)
            assert shown_ids(screen)[0] == task_id
            await pilot.press("e")
            await pilot.pause()
            # The app's clock is fixed for pictures; the service's is real, so the deadline
            # is a date and time two days from the real now.
            wanted = datetime.fromtimestamp(time.time() + 2 * 86_400).astimezone()
            await pilot.press(*"renamed copy", "tab", *f"{wanted:%Y-%m-%d %H:%M}", "enter")
            doc = sim.ctx.transfer.store.task_for(DEMO_USER_ID, task_id).doc
            await wait_for(pilot, lambda: doc["label"] == "renamed copy")
            deadline = doc["deadline"]
            assert deadline == wanted.replace(second=0, microsecond=0).astimezone(UTC).isoformat()
            await wait_for(
                pilot, lambda: "renamed copy" in screen.query_one(ActivityList).render_line(1).text
            )
        finally:
            await app.session.transfer.cancel_task(task_id)


async def test_a_running_task_row_moves_on_by_itself(make_app: Any, sim: Any) -> None:
    """The rows of running tasks follow the tasks live, as the queue does: no Ctrl+R."""
    sim.settings.throttle_bytes_per_second = 400_000
    folder = collection_path(sim, LAPTOP_ID, "/~/live")
    folder.mkdir()
    (folder / "part.bin").write_bytes(b"x" * 800_000)
    app = await make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        data = TransferData(LAPTOP_ID, SCRATCH_ID, label="live copy")
        data.add_item("/~/live/part.bin", "/~/live-copy.bin")
        task_id = (await app.session.transfer.submit_transfer(data))["task_id"]
        screen = await open_activity(pilot)
        listed = screen.query_one(ActivityList)
        assert listed.rows[0].task_id == task_id and listed.rows[0].status == "ACTIVE"
        await wait_for(pilot, lambda: listed.rows[0].status == "SUCCEEDED", timeout=30)
        row = listed.rows[0]
        assert row.bytes == 800_000 and row.ended is not None
        assert "Succeeded" in line_texts(listed)[1]


async def test_resubmitting_failed_files_sends_exactly_those_files(make_app: Any, sim: Any) -> None:
    folder = collection_path(sim, LAPTOP_ID, "/~/act")
    folder.mkdir()
    for name in ("a.dat", "b.dat", "c.dat", "d.dat", "e.dat"):
        (folder / name).write_bytes(name.encode() * 100)
    sim.settings.faults.denied_paths = [
        f"{LAPTOP_ID}:/home/demo/act/b.dat",
        f"{LAPTOP_ID}:/home/demo/act/d.dat",
    ]
    app = await make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        client = app.session.transfer
        data = TransferData(LAPTOP_ID, SCRATCH_ID, label="act copy", skip_source_errors=True)
        data.add_item("/~/act/", "/~/act-copy/", recursive=True)
        first = (await client.submit_transfer(data))["task_id"]
        await wait_for(pilot, lambda: sim.ctx.transfer.store.task_for(DEMO_USER_ID, first).is_final)
        sim.settings.faults.denied_paths = []
        screen = await open_activity(pilot)
        assert shown_ids(screen)[0] == first
        await pilot.press("r")
        await wait_for(pilot, lambda: len(sim.ctx.transfer.store.tasks_of(DEMO_USER_ID)) == 2)
        again = next(t for t in sim.ctx.transfer.store.tasks_of(DEMO_USER_ID) if t.task_id != first)
        await wait_for(
            pilot, lambda: sim.ctx.transfer.store.task_for(DEMO_USER_ID, again.task_id).is_final
        )
        copied = [
            doc["destination_path"]
            async for doc in client.paginated.task_successful_transfers(again.task_id).items()
        ]
        assert sorted(copied) == ["/home/demo/act-copy/b.dat", "/home/demo/act-copy/d.dat"]
        assert again.doc["label"] == "failed files of act copy"
        copy = collection_path(sim, SCRATCH_ID, "/~/act-copy")
        assert sorted(p.name for p in copy.iterdir()) == [
            "a.dat",
            "b.dat",
            "c.dat",
            "d.dat",
            "e.dat",
        ]


@pytest.mark.parametrize("suffix", ["csv", "json"])
async def test_export_writes_every_matching_row(
    make_app: Any, sim: Any, tmp_path: Path, suffix: str
) -> None:
    seed_history(sim, 150)
    app = await make_app()
    notices = record_notifications(app)
    target = tmp_path / f"view.{suffix}"
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_activity(pilot)
        await pilot.press("f")
        await pilot.pause()
        await pilot.press(*"nightly 1*", "enter")  # nightly 1, 10–19, 100–149
        # The view shows its first page; the export reads every page.
        await wait_for(pilot, lambda: len(shown_ids(screen)) == PAGE_ROWS)
        assert "nightly 1" not in shown_ids_labels(screen)  # the 61st, oldest
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("home", "shift+end", *str(target), "enter")
        await wait_for(pilot, target.exists)
        await wait_for(pilot, lambda: any(str(target) in n.message for n in notices))
    text = target.read_text()
    records = json.loads(text) if suffix == "json" else list(csv.DictReader(text.splitlines()))
    assert len(records) == 61
    assert {r["label"] for r in records} == {"nightly 1"} | {
        f"nightly {n}" for n in (*range(10, 20), *range(100, 150))
    }
    newest = records[0]
    assert newest["kind"] == "transfer" and newest["status"] == "SUCCEEDED"
    assert (newest["source"], newest["destination"]) == ("Laptop", "Scratch")
    assert str(newest["bytes"]) == "3149"


async def test_the_screen_fits_80_by_24_and_the_cursor_shows_without_colour(
    make_app: Any, sim: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    seed_history(sim, 40)
    app = await make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_activity(pilot)
        listed = screen.query_one(ActivityList)
        lines = line_texts(listed)
        header = lines[0]
        for title in ("Kind", "Status", "Label", "Source", "Started", "Bytes"):
            assert title in header
        assert "transfer" in lines[1] and "Succeeded" in lines[1] and "nightly 39" in lines[1]
        assert all(len(line) <= listed.size.width for line in lines)
        status = str(screen.query_one("#activity-status").render())
        assert "Destination, Ended hidden" in status
        cursor = listed.render_line(1)
        assert all(
            seg.style is not None and seg.style.reverse for seg in cursor if seg.text.strip()
        )
        assert not any(seg.style and seg.style.reverse for seg in listed.render_line(2))


def test_a_delete_row_shows_no_bytes_and_no_destination() -> None:
    """A delete moves no bytes: "0 B" beside it would read as if it had done nothing."""
    from gtui.core.activity import row_from_task
    from gtui.tui.activity_words import cell_text, layout_for

    delete = row_from_task(
        {
            "task_id": "d",
            "type": "DELETE",
            "status": "SUCCEEDED",
            "bytes_transferred": 0,
            "source_endpoint_id": LAPTOP_ID,
            "source_endpoint_display_name": "Demo Laptop",
        }
    )
    copy = row_from_task({"task_id": "t", "type": "TRANSFER", "status": "SUCCEEDED"})
    columns = {column.name: column for column in layout_for(160).shown}
    assert cell_text(delete, columns["bytes"]) == ""
    assert cell_text(delete, columns["destination"]) == ""
    assert cell_text(delete, columns["source"]) == "Demo Laptop"
    assert cell_text(copy, columns["bytes"]) == "0 B"

"""The task detail tells its events as sentences (raw details folded behind Enter) and keeps
them in view on a small terminal."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from textual.widgets import OptionList

from gtui.core.models import TaskEvent
from gtui.sim.world import LAPTOP_ID
from gtui.tui.screens.confirm import ConfirmScreen
from gtui.tui.screens.task_detail import TaskDetailScreen
from gtui.tui.screens.transfer_options import TransferOptionsScreen
from gtui.tui.task_events import event_sentence
from tests.tui.tui_helpers import collection_path, pane, ready, wait_for

WHEN = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
FTP_DENIED = (
    "Error (transfer)\nServer: laptop (Globus Connect)\nFile: /~/Downloads/plan.png\n"
    "Command: STOR ~/Downloads/plan.png\nMessage: Fatal FTP response\n---\n"
    "500 Command failed. : Path not allowed.\n"
)


def event(code: str, details: Any = "", *, error: bool = False, description: str = "") -> TaskEvent:
    text = details if isinstance(details, str) else json.dumps(details)
    return TaskEvent(code, description or code.lower(), text, error, WHEN)


SENTENCES = [
    (event("STARTED", {"type": "TRANSFER"}), {}, "Transfer started"),
    (
        event(
            "PROGRESS",
            {
                "bytes_transferred": 9_300_000,
                "files_transferred": 12,
                "files": 25,
                "directories": 3,
                "effective_bytes_per_second": 4_000_000,
            },
        ),
        {},
        "Progress: 12 of 25 files, 9.3 MB, 4.0 MB/s",
    ),
    (
        event("PROGRESS", {"bytes_transferred": 57_000_000, "duration": 10.0, "mbps": 45.6}),
        {},
        "Progress: 57.0 MB, 5.7 MB/s",
    ),
    (
        event("SUCCEEDED", {"bytes_transferred": 788, "files_transferred": 4, "files": 4}),
        {"finished": True},
        "Task succeeded: 4 of 4 files, 788 B",
    ),
    (event("CANCELED", "The task was canceled by its owner"), {"finished": True}, "Task canceled"),
    (
        event("PERMISSION_DENIED", {"path": "/~/x", "details": "denied"}, error=True),
        {},
        "Permission denied on /~/x (will retry)",
    ),
    (
        event("PERMISSION_DENIED", {"path": "/~/x", "details": "denied"}, error=True),
        {"finished": True},
        "Permission denied on /~/x (retried)",
    ),
    (
        event("PERMISSION_DENIED", FTP_DENIED, error=True),
        {},
        "Permission denied on /~/Downloads/plan.png (will retry)",
    ),
    (
        event("FILE_NOT_FOUND", {"path": "/~/gone.txt"}, error=True),
        {},
        "File not found on /~/gone.txt (will retry)",
    ),
    (
        event("CONNECT_FAILED", "", error=True),
        {},
        "Could not connect to the collection (will retry)",
    ),
    (
        event("CHECKSUM_MISMATCH", {"path": "/~/a.bin"}, error=True),
        {},
        "Checksum mismatch on /~/a.bin (will retry)",
    ),
    (event("SKIPPED_ERRORS", ""), {}, "Paths with errors were skipped (see Skipped errors)"),
    (
        event("QUOTA_EXCEEDED", "No space left", error=True, description="failed"),
        {"final": True, "finished": True},
        "Task failed: destination over quota",
    ),
    (
        event("EXPIRED", "The task did not complete by its deadline", error=True),
        {"final": True, "finished": True},
        "Task failed: the deadline passed before the task finished",
    ),
    (
        event("SOMETHING_NEW", {"path": "/~/q"}, error=True, description="odd thing"),
        {},
        "Odd thing on /~/q (will retry)",
    ),
]


@pytest.mark.parametrize(("item", "flags", "sentence"), SENTENCES)
def test_each_event_code_reads_as_a_sentence(
    item: TaskEvent, flags: dict[str, bool], sentence: str
) -> None:
    assert event_sentence(item, **flags) == sentence


def screen_text(app: Any) -> str:
    """The terminal's text, row by row, as the user sees it."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def events_text(detail: TaskDetailScreen) -> str:
    """The Events tab's rows as drawn, wrapped lines joined."""
    found = detail.query("#task-events")
    if not found:
        return ""
    listing = found.only_one(OptionList)
    return " ".join(
        " ".join(listing.render_line(y).text.split()) for y in range(listing.size.height)
    )


async def finished_task_detail(pilot: Any) -> TaskDetailScreen:
    """Copy Documents to the scratch collection, wait for success, open the task."""
    app = pilot.app
    await ready(pilot)
    left = pane(app, "left")
    left.file_list.cursor = left.file_list.row_of("Documents")
    await pilot.press("f5")
    await wait_for(pilot, lambda: isinstance(app.screen, TransferOptionsScreen))
    await pilot.press("enter")
    await wait_for(pilot, lambda: [t.status for t in app.feed.tasks.values()] == ["SUCCEEDED"])
    app.open_task(next(iter(app.feed.tasks)))
    detail = await wait_for(pilot, lambda: isinstance(app.screen, TaskDetailScreen) and app.screen)
    await wait_for(pilot, lambda: "Task succeeded" in events_text(detail))
    return detail


async def test_a_finished_task_shows_its_events_as_sentences_details_behind_enter(
    make_app: Any,
) -> None:
    app = await make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        detail = await finished_task_detail(pilot)
        shown = events_text(detail)
        assert "Task succeeded: 4 of 4 files" in shown
        assert "Transfer started" in shown
        assert "{" not in screen_text(app) and "bytes_transferred" not in screen_text(app)

        await pilot.press("enter")
        await wait_for(pilot, lambda: "bytes transferred:" in screen_text(app))
        assert "SUCCEEDED — succeeded" in screen_text(app)
        assert "{" not in screen_text(app)
        await pilot.press("down")
        await wait_for(pilot, lambda: "STARTED — started" in screen_text(app))
        await pilot.press("enter")
        await wait_for(pilot, lambda: "STARTED — started" not in screen_text(app))
        assert "bytes transferred:" not in screen_text(app)


async def test_at_80_by_24_the_events_stay_in_view_and_at_160_by_48_everything_shows(
    make_app: Any,
) -> None:
    app = await make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        detail = await finished_task_detail(pilot)
        await pilot.resize_terminal(80, 24)
        await wait_for(pilot, lambda: detail.compact)
        await wait_for(pilot, lambda: "Task succeeded" in screen_text(app))
        text = screen_text(app)
        assert "Transfer started" in text
        assert detail.query_one("#task-events", OptionList).size.height >= 8
        assert "Succeeded · 100%" in text and "→" in text
        assert "All fields" in text and "Verify checksum" not in text

        detail.query_one("#task-tabs").active = "tab-fields"
        await wait_for(pilot, lambda: "Verify checksum" in screen_text(app))
        task_id = detail.task_id
        id_row = next(row for row in screen_text(app).splitlines() if "Task id" in row)
        assert task_id not in id_row and task_id[:4] in id_row and "…" in id_row

        await pilot.resize_terminal(160, 48)
        await wait_for(pilot, lambda: not detail.compact)
        await wait_for(pilot, lambda: "Task succeeded" in screen_text(app))
        text = screen_text(app)
        for label in ("Task id", "Verify checksum", "Owner", "Subtasks", "Transfer started"):
            assert label in text
        assert task_id in text and "All fields" not in text


async def test_a_task_stuck_on_an_unreadable_folder_says_why_and_will_retry(
    make_app: Any, sim: Any
) -> None:
    locked = collection_path(sim, LAPTOP_ID, "/~/deep/level_01/level_02")
    locked.chmod(0)
    app = await make_app()
    try:
        async with app.run_test(size=(140, 40)) as pilot:
            await ready(pilot)
            left = pane(app, "left")
            left.file_list.cursor = left.file_list.row_of("deep")
            await pilot.press("f5")
            await wait_for(pilot, lambda: isinstance(app.screen, TransferOptionsScreen))
            await pilot.press("enter")
            await wait_for(pilot, lambda: app.feed.tasks)
            app.open_task(next(iter(app.feed.tasks)))
            detail = await wait_for(
                pilot, lambda: isinstance(app.screen, TaskDetailScreen) and app.screen
            )
            await pilot.resize_terminal(80, 24)
            await wait_for(pilot, lambda: "(will retry)" in events_text(detail), timeout=30)
            assert "Permission denied on /home/demo/deep/level_01/level_02/" in events_text(detail)
            await wait_for(pilot, lambda: "Not moving: permission denied" in screen_text(app))

            await pilot.press("x")
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            await pilot.press("y")
            await wait_for(pilot, lambda: "Task canceled" in events_text(detail), timeout=30)
            assert "(retried)" in events_text(detail)
            assert "(will retry)" not in events_text(detail)
    finally:
        locked.chmod(0o755)

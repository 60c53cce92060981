"""The collection picker's picture, and the queue's text after a real copy (the main screens'
pictures at 80×24 and 160×48 are in test_screens_at_sizes.py)."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from gtui.tui.screens.collection_picker import CollectionPickerScreen
from gtui.tui.screens.transfer_options import TransferOptionsScreen
from gtui.tui.widgets.task_queue import TaskQueue
from tests.tui.tui_helpers import logged_in_app, pane, ready, wait_for

SIZE = (140, 40)
FIXED_TASK_ID = "0f6b2c1e-5d7a-4c1b-9a43-2b8e1f3d7c55"


async def _on_documents(pilot: Pilot[Any]) -> None:
    await ready(pilot)
    left = pane(pilot.app, "left")
    left.file_list.cursor = left.file_list.row_of("Documents")
    await pilot.pause()


def test_collection_picker(snap_compare: Any, sim: Any) -> None:
    async def open_picker(pilot: Pilot[Any]) -> None:
        await ready(pilot)
        await pilot.press("o")
        picker = await wait_for(
            pilot,
            lambda: (
                pilot.app.screen if isinstance(pilot.app.screen, CollectionPickerScreen) else None
            ),
        )
        await wait_for(
            pilot, lambda: {"recent", "bookmarks", "mine", "shared", "sharing"} <= picker.loaded
        )
        await pilot.press("tab", "tab")
        await pilot.pause()

    assert snap_compare(logged_in_app(sim), terminal_size=SIZE, run_before=open_picker)


async def test_queue_row_shows_label_status_bar_and_files(make_app: Any) -> None:
    """The queue's text: one succeeded row with its label, a full bar and file counts."""
    app = await make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _on_documents(pilot)
        await pilot.press("f5")
        await wait_for(pilot, lambda: isinstance(app.screen, TransferOptionsScreen))
        await pilot.press("enter")
        queue = app.screen.query_one(TaskQueue)
        await wait_for(pilot, lambda: [t.status for t in queue.tasks.values()] == ["SUCCEEDED"])
        await pilot.pause()
        header, row = (queue.render_line(y).text for y in range(2))
    assert "Status" in header and "Files" in header
    assert "laptop:/~/Documents → scratch:/~/" in row
    assert "Succeeded" in row and "━━━━━━━━━━━━━━ 100%" in row and "4/4" in row

"""Pictures of the main screens (pytest-textual-snapshot), made deterministic: fixed file
times, a fixed clock, and for the task detail a fixed task id and times."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

from textual.pilot import Pilot
from textual.widgets import TabbedContent

from gtui.core.models import TaskEvent
from gtui.tui.screens.collection_picker import CollectionPickerScreen
from gtui.tui.screens.task_detail import TaskDetailScreen
from gtui.tui.screens.transfer_options import TransferOptionsScreen
from gtui.tui.widgets.task_queue import TaskQueue
from tests.tui.tui_helpers import FIXED_TIME, logged_in_app, pane, ready, wait_for

SIZE = (140, 40)
FIXED_TASK_ID = "0f6b2c1e-5d7a-4c1b-9a43-2b8e1f3d7c55"


async def _on_documents(pilot: Pilot[Any]) -> None:
    await ready(pilot)
    left = pane(pilot.app, "left")
    left.file_list.cursor = left.file_list.row_of("Documents")
    await pilot.pause()


def test_browse_screen(snap_compare: Any, sim: Any) -> None:
    app = logged_in_app(sim)
    assert snap_compare(app, terminal_size=SIZE, run_before=_on_documents)


def test_transfer_options_dialog(snap_compare: Any, sim: Any) -> None:
    async def open_dialog(pilot: Pilot[Any]) -> None:
        await _on_documents(pilot)
        await pilot.press("f5")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, TransferOptionsScreen))
        await pilot.pause()

    assert snap_compare(logged_in_app(sim), terminal_size=SIZE, run_before=open_dialog)


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
        await wait_for(pilot, lambda: {"recent", "bookmarks", "mine", "shared"} <= picker.loaded)
        await pilot.press("tab", "tab")
        await pilot.pause()

    assert snap_compare(logged_in_app(sim), terminal_size=SIZE, run_before=open_picker)


def test_task_detail(snap_compare: Any, sim: Any) -> None:
    async def finished_task(pilot: Pilot[Any]) -> None:
        app: Any = pilot.app
        await _on_documents(pilot)
        await pilot.press("f5")
        await wait_for(pilot, lambda: isinstance(app.screen, TransferOptionsScreen))
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: [t.status for t in app.feed.tasks.values()] == ["SUCCEEDED"], timeout=30
        )
        real = next(iter(app.feed.tasks.values()))
        app.push_screen(TaskDetailScreen(real.task_id))
        detail = await wait_for(
            pilot, lambda: app.screen if isinstance(app.screen, TaskDetailScreen) else None
        )
        await wait_for(pilot, lambda: detail.query(TabbedContent))
        tabs = detail.query_one(TabbedContent)
        await wait_for(pilot, lambda: str(tabs.get_tab("tab-events").label).startswith("Events ("))
        fixed = dataclasses.replace(
            detail.task_doc,
            task_id=FIXED_TASK_ID,
            request_time=FIXED_TIME - timedelta(seconds=40),
            completion_time=FIXED_TIME - timedelta(seconds=30),
            deadline=FIXED_TIME + timedelta(days=1),
            effective_bytes_per_second=4_000,
        )
        detail.task_id = FIXED_TASK_ID
        detail._show_task(fixed)
        detail._show_events(
            [
                TaskEvent("STARTED", "started", "", False, FIXED_TIME - timedelta(seconds=40)),
                TaskEvent("SUCCEEDED", "succeeded", "", False, FIXED_TIME - timedelta(seconds=30)),
            ]
        )
        app.clear_notifications()
        await pilot.pause()

    assert snap_compare(logged_in_app(sim), terminal_size=SIZE, run_before=finished_task)


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

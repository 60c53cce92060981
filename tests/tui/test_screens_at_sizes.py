"""Pictures of the main screens at 80×24 and 160×48, in the default theme and a light one.

80×24 is a supported size: these pictures are where a dialog that loses its buttons or a
queue that drops its columns without saying so shows up. Times, ids and rates are fixed so
the pictures are the same every run (a snapshot proves only that the screen did not change:
look at them when they do).
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import TabbedContent

from gtui.core.models import Task, TaskEvent
from gtui.tui.screens.help import HelpScreen
from gtui.tui.screens.task_detail import TaskDetailScreen
from gtui.tui.screens.transfer_options import TransferOptionsScreen
from tests.tui.tui_helpers import (
    FIXED_TIME,
    freeze_mtimes,
    listed,
    logged_in_app,
    pane,
    ready,
    wait_for,
)

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]
THEMES = ["textual-dark", "textual-light"]
FIXED_TASK_ID = "0f6b2c1e-5d7a-4c1b-9a43-2b8e1f3d7c55"


async def _start(pilot: Pilot[Any], theme: str) -> None:
    pilot.app.theme = theme
    await ready(pilot)
    left = pane(pilot.app, "left")
    left.file_list.cursor = left.file_list.row_of("Documents")
    await pilot.pause()


def _fixed(task: Task) -> Task:
    """The task with times and rate that do not change from run to run."""
    return dataclasses.replace(
        task,
        request_time=FIXED_TIME - timedelta(seconds=40),
        completion_time=FIXED_TIME - timedelta(seconds=30),
        deadline=FIXED_TIME + timedelta(days=1),
        effective_bytes_per_second=4_000,
    )


async def _copy_documents(pilot: Pilot[Any], sim: Any) -> Task:
    """Copy Documents/ to the scratch pane, wait for the task to succeed, and show the copy
    with the fixed file times of the rest of the world."""
    app: Any = pilot.app
    await pilot.press("f5")
    await wait_for(pilot, lambda: isinstance(app.screen, TransferOptionsScreen))
    await pilot.press("enter")
    task = await wait_for(
        pilot,
        lambda: next((t for t in app.feed.tasks.values() if t.status == "SUCCEEDED"), None),
        timeout=30,
    )
    fixed = _fixed(task)
    app.feed.publish([fixed])
    right = pane(app, "right")
    await wait_for(pilot, lambda: "Documents" in listed(app, "right") and not right.fetching)
    freeze_mtimes(sim.settings.root)
    app.screen.load(right, right.path)
    await wait_for(pilot, lambda: not right.fetching)
    app.clear_notifications()
    await pilot.pause()
    return fixed


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("size", SIZES)
def test_browse(snap_compare: Any, sim: Any, size: tuple[int, int], theme: str) -> None:
    async def steps(pilot: Pilot[Any]) -> None:
        await _start(pilot, theme)
        await _copy_documents(pilot, sim)
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(logged_in_app(sim), terminal_size=size, run_before=steps)


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("size", SIZES)
def test_transfer_dialog(snap_compare: Any, sim: Any, size: tuple[int, int], theme: str) -> None:
    async def steps(pilot: Pilot[Any]) -> None:
        await _start(pilot, theme)
        await pilot.press("f5")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, TransferOptionsScreen))
        await pilot.pause()

    assert snap_compare(logged_in_app(sim), terminal_size=size, run_before=steps)


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("size", SIZES)
def test_task_list(snap_compare: Any, sim: Any, size: tuple[int, int], theme: str) -> None:
    async def steps(pilot: Pilot[Any]) -> None:
        await _start(pilot, theme)
        await _copy_documents(pilot, sim)
        await pilot.press("2")
        await pilot.pause()
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(logged_in_app(sim), terminal_size=size, run_before=steps)


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("size", SIZES)
def test_task_detail(snap_compare: Any, sim: Any, size: tuple[int, int], theme: str) -> None:
    async def steps(pilot: Pilot[Any]) -> None:
        app: Any = pilot.app
        await _start(pilot, theme)
        task = await _copy_documents(pilot, sim)
        app.push_screen(TaskDetailScreen(task.task_id))
        detail = await wait_for(
            pilot, lambda: app.screen if isinstance(app.screen, TaskDetailScreen) else None
        )
        await wait_for(pilot, lambda: detail.query(TabbedContent))
        tabs = detail.query_one(TabbedContent)
        await wait_for(pilot, lambda: str(tabs.get_tab("tab-events").label).startswith("Events ("))
        detail.task_id = FIXED_TASK_ID
        detail._show_task(dataclasses.replace(_fixed(detail.task_doc), task_id=FIXED_TASK_ID))
        detail._show_events(
            [
                TaskEvent("STARTED", "started", "", False, FIXED_TIME - timedelta(seconds=40)),
                TaskEvent(
                    "PROGRESS",
                    "progress",
                    '{"files": 4, "files_transferred": 2, "bytes_transferred": 700}',
                    False,
                    FIXED_TIME - timedelta(seconds=35),
                ),
                TaskEvent("SUCCEEDED", "succeeded", "", False, FIXED_TIME - timedelta(seconds=30)),
            ]
        )
        app.clear_notifications()
        await pilot.pause()

    assert snap_compare(logged_in_app(sim), terminal_size=size, run_before=steps)


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("size", SIZES)
def test_help(snap_compare: Any, sim: Any, size: tuple[int, int], theme: str) -> None:
    async def steps(pilot: Pilot[Any]) -> None:
        await _start(pilot, theme)
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, HelpScreen))
        await pilot.pause()

    assert snap_compare(logged_in_app(sim), terminal_size=size, run_before=steps)

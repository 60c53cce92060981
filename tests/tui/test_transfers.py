"""Transfers by key and by drag, the queue following them, cancelling a slow one."""

from __future__ import annotations

from typing import Any

from textual.widgets import Checkbox

from gtui.sim.world import LAPTOP_ID, SCRATCH_ID
from gtui.tui.screens.confirm import ConfirmScreen
from gtui.tui.screens.task_detail import TaskDetailScreen
from gtui.tui.screens.transfer_options import TransferOptionsScreen
from gtui.tui.widgets.file_list import FileList
from gtui.tui.widgets.task_queue import TaskQueue, status_name
from tests.tui.tui_helpers import collection_path, files_under, pane, ready, wait_for


def queue_statuses(app: Any) -> list[str]:
    queue = app.screen.query_one(TaskQueue)
    return [status_name(queue.tasks[task_id]) for task_id in queue.order]


async def test_f5_copies_a_folder_and_the_queue_shows_it_succeed(make_app: Any, sim: Any) -> None:
    app = await make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot)
        left = pane(app, "left")
        left.file_list.cursor = left.file_list.row_of("Documents")
        await pilot.press("f5")
        dialog = await wait_for(
            pilot,
            lambda: app.screen if isinstance(app.screen, TransferOptionsScreen) else None,
        )
        assert dialog.defaults.label == "laptop:/~/Documents → scratch:/~/"
        assert dialog.query_one("#verify_checksum", Checkbox).value is True
        await pilot.press("enter")
        await wait_for(pilot, lambda: queue_statuses(app)[:1] == ["Active"] or queue_statuses(app))
        await wait_for(pilot, lambda: queue_statuses(app) == ["Succeeded"])
        source = collection_path(sim, LAPTOP_ID, "/~/Documents")
        target = collection_path(sim, SCRATCH_ID, "/~/Documents")
        assert files_under(target) == files_under(source) != set()
        await wait_for(pilot, lambda: "Documents" in [e.name for e in pane(app, "right").entries])
        task = next(iter(app.feed.tasks.values()))
        assert task.label == "laptop:/~/Documents → scratch:/~/"
        assert task.verify_checksum is True


async def test_dragging_to_the_other_pane_copies_the_selection(make_app: Any, sim: Any) -> None:
    app = await make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot)
        source = pane(app, "left").file_list
        target = pane(app, "right").file_list
        source.selected = {"deep", "Documents"}
        row = source.row_of("Documents")
        await pilot.mouse_down(source, offset=(6, row))
        await pilot.hover(target, offset=(10, 5))
        await wait_for(pilot, lambda: target.has_class("-drop-target"))
        assert not source.has_class("-drop-target")
        await pilot.mouse_up(target, offset=(10, 5))
        dialog = await wait_for(
            pilot,
            lambda: app.screen if isinstance(app.screen, TransferOptionsScreen) else None,
        )
        assert dialog.items == ["deep/", "Documents/"]
        assert app.mouse_captured is None
        assert not target.has_class("-drop-target")
        await pilot.press("enter")
        await wait_for(pilot, lambda: queue_statuses(app) == ["Succeeded"])
        assert files_under(collection_path(sim, SCRATCH_ID, "/~/deep"))
        assert files_under(collection_path(sim, SCRATCH_ID, "/~/Documents"))


async def test_a_click_without_movement_is_not_a_drop(make_app: Any) -> None:
    app = await make_app()
    messages: list[Any] = []
    async with app.run_test(size=(140, 40), message_hook=messages.append) as pilot:
        await ready(pilot)
        source = pane(app, "left").file_list
        row = source.row_of("projects")
        await pilot.mouse_down(source, offset=(6, row))
        await pilot.mouse_up(source, offset=(6, row))
        await pilot.pause()
        assert not isinstance(app.screen, TransferOptionsScreen)
        assert not any(isinstance(m, FileList.DropRequested) for m in messages)
        assert source.cursor_entry.name == "projects"
        assert app.focused is source


async def test_cancelling_a_throttled_transfer_ends_it_canceled(make_app: Any, sim: Any) -> None:
    sim.settings.throttle_bytes_per_second = 50_000
    app = await make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot)
        left = pane(app, "left")
        left.file_list.cursor = left.file_list.row_of("projects")
        await pilot.press("f5")
        await wait_for(pilot, lambda: isinstance(app.screen, TransferOptionsScreen))
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.feed.tasks)
        queue = app.screen.query_one(TaskQueue)
        await wait_for(pilot, lambda: any(t.bytes_transferred for t in app.feed.tasks.values()))
        queue.focus()
        await pilot.press("enter")
        detail = await wait_for(
            pilot, lambda: app.screen if isinstance(app.screen, TaskDetailScreen) else None
        )
        await pilot.press("x")
        confirm = await wait_for(
            pilot, lambda: app.screen if isinstance(app.screen, ConfirmScreen) else None
        )
        assert confirm.title_text == "Cancel this task?"
        await pilot.press("y")
        await wait_for(
            pilot,
            lambda: detail.task_doc is not None and status_name(detail.task_doc) == "Canceled",
        )
        await pilot.press("escape")
        await wait_for(pilot, lambda: queue_statuses(app) == ["Canceled"])
        copied = files_under(collection_path(sim, SCRATCH_ID, "/~/projects"))
        assert copied < files_under(collection_path(sim, LAPTOP_ID, "/~/projects"))

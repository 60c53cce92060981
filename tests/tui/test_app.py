"""Around the panes: recent tasks at start, help, the command palette, login, logging."""

from __future__ import annotations

import logging
from typing import Any

from textual.command import CommandList, CommandPalette

from gtui.config import Settings
from gtui.core.transfer_data import TransferData
from gtui.sim.world import LAPTOP_ID, SCRATCH_ID
from gtui.tui.app import GtuiApp
from gtui.tui.demo_login import demo_login
from gtui.tui.keys import MOUSE_HELP
from gtui.tui.launch import setup_logging
from gtui.tui.screens.help import HelpScreen
from gtui.tui.screens.onboarding import OnboardingScreen
from gtui.tui.screens.task_detail import TaskDetailScreen
from gtui.tui.widgets.task_queue import TaskQueue
from tests.tui.tui_helpers import build_app, new_session, pane, ready, wait_for


async def test_tasks_submitted_before_start_are_in_the_queue(sim: Any) -> None:
    session = new_session(sim)
    await demo_login(session)
    data = TransferData(LAPTOP_ID, SCRATCH_ID, label="submitted elsewhere")
    data.add_item("/~/Documents/", "/~/elsewhere/", recursive=True)
    task_id = (await session.transfer.submit_transfer(data))["task_id"]
    app = build_app(sim, session)
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot)
        queue = app.screen.query_one(TaskQueue)
        await wait_for(pilot, lambda: task_id in queue.tasks)
        await wait_for(pilot, lambda: queue.tasks[task_id].status == "SUCCEEDED")
        assert queue.tasks[task_id].label == "submitted elsewhere"


async def test_task_detail_lists_events_and_files_and_copies_the_id(sim: Any) -> None:
    session = new_session(sim)
    await demo_login(session)
    data = TransferData(LAPTOP_ID, SCRATCH_ID, label="for the detail")
    data.add_item("/~/Documents/", "/~/detail/", recursive=True)
    task_id = (await session.transfer.submit_transfer(data))["task_id"]
    app = build_app(sim, session)
    copied: list[str] = []
    app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot)
        queue = app.screen.query_one(TaskQueue)
        await wait_for(pilot, lambda: task_id in queue.tasks)
        queue.focus()
        queue.cursor = queue.row_of(task_id)
        await pilot.press("enter")
        detail = await wait_for(
            pilot, lambda: app.screen if isinstance(app.screen, TaskDetailScreen) else None
        )
        await wait_for(pilot, lambda: detail.task_doc is not None and detail.task_doc.is_finished)
        done = detail.query_one("#task-done")
        await wait_for(pilot, lambda: "budget 2026.csv" in str(done.render()))
        assert "detail/budget 2026.csv" in str(done.render())
        codes = [event.code for event in detail.events]
        assert "STARTED" in codes and "SUCCEEDED" in codes
        await pilot.press("y")
        assert copied == [task_id]
        await pilot.press("escape")
        assert not isinstance(app.screen, TaskDetailScreen)


async def test_help_lists_every_key_of_the_panes(make_app: Any) -> None:
    app = await make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot)
        await pilot.press("f1")
        help_screen = await wait_for(
            pilot, lambda: app.screen if isinstance(app.screen, HelpScreen) else None
        )
        text = " ".join(f"{keys} {what}" for _, keys, what in help_screen.rows)
        text += " ".join(gesture for gesture, _ in MOUSE_HELP)
        for needle in (
            "New folder",
            "Invert",
            "Reverse sort",
            "Hidden files",
            "Cancel task",
            "drag to the other pane",
            "Command palette",
        ):
            assert needle in text
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_the_command_palette_runs_pane_actions(make_app: Any) -> None:
    app = await make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot)
        assert ".bashrc" not in [e.name for e in pane(app, "left").file_list.visible_entries()]
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"Hidden files")

        def found() -> bool:
            option = app.screen.query_one(CommandList).highlighted_option
            return option is not None and "Hidden files" in str(option.prompt)

        await wait_for(pilot, found)
        await pilot.press("enter")
        await wait_for(pilot, lambda: pane(app, "left").show_hidden)
        assert ".bashrc" in [e.name for e in pane(app, "left").file_list.visible_entries()]


async def test_without_a_client_id_the_app_says_where_to_register_one(tui_dirs: Any) -> None:
    app = GtuiApp(
        session=None,
        settings=Settings(),
        environment="production",
        login_needed="No client id is configured yet.",
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, OnboardingScreen)
        text = app.screen.query_one("Markdown").source
        assert "https://app.globus.org/settings/developers" in text
        assert "Register a thick client or script" in text
        assert "client_id" in text and "gtui --demo" in text
        await pilot.press("escape")
    assert app.return_code == 0


async def test_demo_login_stores_tokens_and_logs_without_them(sim: Any, tui_dirs: Any) -> None:
    log_path = setup_logging("DEBUG")
    session = new_session(sim)
    await demo_login(session)
    token = session.token_store.get_token_data("transfer.api.globus.org")
    assert token and token["refresh_token"]
    response = await session.transfer.task_list(limit=1)
    assert response.http_status == 200
    await session.aclose()
    for handler in logging.getLogger("gtui").handlers:
        handler.flush()
    written = log_path.read_text(encoding="utf-8")
    assert token["access_token"] not in written and token["refresh_token"] not in written

"""A pane whose folder was deleted behind its back (by another task, a flow, another client)
goes up to the nearest folder that still exists when it is listed again, and says so; other
failures keep the pane where it is, with the error. A task gtui did not submit (a flow's, a
timer's, another client's) refreshes the panes it changed when it ends, as gtui's own do."""

from __future__ import annotations

import asyncio
import shutil
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from gtui.core.models import Task
from gtui.core.scopes import data_access_scope
from gtui.core.transfer_data import DeleteData
from gtui.sim.world import ARCHIVE_ID, DEMO_USER_ID, LAPTOP_ID
from gtui.tui import task_feed
from gtui.tui.app import PanePlace
from gtui.tui.demo_login import demo_login
from gtui.tui.screens.consent import ConsentScreen
from gtui.tui.task_touch import ended_since, touched_folders, touches
from tests.tui.test_consent import consent_screen, grant
from tests.tui.tui_helpers import (
    collection_path,
    listed,
    new_session,
    pane,
    ready,
    record_notifications,
    wait_for,
)


async def test_refreshing_a_deleted_folder_goes_up_to_the_nearest_one_left(
    make_app: Any, sim: Any
) -> None:
    inner = collection_path(sim, LAPTOP_ID, "/~/gone-soon/inner/")
    inner.mkdir(parents=True)
    (inner / "old.txt").write_text("old")
    app = await make_app(left=PanePlace(LAPTOP_ID, "/~/gone-soon/inner/"))
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot)
        left = pane(app, "left")
        assert left.path == "/~/gone-soon/inner/" and listed(app, "left") == ["old.txt"]
        shown = record_notifications(app)
        shutil.rmtree(collection_path(sim, LAPTOP_ID, "/~/gone-soon"))

        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: left.path == "/~/" and not left.fetching)
        assert "gone-soon" not in listed(app, "left") and "Documents" in listed(app, "left")
        assert left.error is None
        assert [n.message for n in shown] == [
            "/~/gone-soon/inner/ is no longer on Demo Laptop; this pane now shows /~/."
        ]
        assert all(n.severity != "error" for n in shown)
        assert app.state.pane_place("left").path == "/~/"


async def test_a_folder_that_cannot_be_read_keeps_the_pane_and_the_error(
    make_app: Any, sim: Any
) -> None:
    closed = collection_path(sim, LAPTOP_ID, "/~/closing/")
    closed.mkdir()
    (closed / "kept.txt").write_text("kept")
    app = await make_app(left=PanePlace(LAPTOP_ID, "/~/closing/"))
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot)
        left = pane(app, "left")
        shown = record_notifications(app)
        closed.chmod(0o000)  # the service decides by mode bits: unreadable even to root
        try:
            await pilot.press("ctrl+r")
            await wait_for(pilot, lambda: left.error is not None)
        finally:
            closed.chmod(0o755)
        assert left.path == "/~/closing/" and "kept.txt" in listed(app, "left")
        assert any(n.severity == "error" for n in shown)
        assert not any("no longer" in n.message for n in shown)


async def test_a_task_submitted_elsewhere_refreshes_the_panes_it_changed_when_it_ends(
    make_app: Any, sim: Any
) -> None:
    app = await make_app(left=PanePlace(LAPTOP_ID, "/~/"), right=PanePlace(LAPTOP_ID, "/~/deep/"))
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot)
        assert "deep" in listed(app, "left")
        right = pane(app, "right")
        assert right.path == "/~/deep/"
        shown = record_notifications(app)

        # Another client (as a flow's delete step or a timer would) deletes /~/deep/.
        other = new_session(sim)
        try:
            await demo_login(other)
            data = DeleteData(LAPTOP_ID, recursive=True, label="elsewhere")
            data.add_item("/~/deep/")
            task_id = (await other.transfer.submit_delete(data))["task_id"]
            for _ in range(600):
                status = (await other.transfer.get_task(task_id))["status"]
                if status != "ACTIVE":
                    break
                await asyncio.sleep(0.05)
        finally:
            await other.aclose()
        assert status == "SUCCEEDED"

        # The queue learns of it already over (as when the Tasks screen or the timers reload).
        app.feed.load_recent()
        await wait_for(pilot, lambda: task_id in app.feed.tasks)
        await wait_for(pilot, lambda: "deep" not in listed(app, "left"))
        await wait_for(pilot, lambda: right.path == "/~/" and not right.fetching)
        assert any("/~/deep/ is no longer on Demo Laptop" in n.message for n in shown)
        assert not any(n.severity == "error" for n in shown)


async def test_a_task_started_elsewhere_reaches_the_queue_by_itself(
    make_app: Any, sim: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The feed lists the recent tasks again now and then: a task another client (a flow, a
    timer) started shows in the queue with no reload asked for, and no error is told."""
    monkeypatch.setattr(task_feed, "RECENT_RELOAD_SECONDS", 0.3)
    app = await make_app(left=PanePlace(LAPTOP_ID, "/~/"))
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot)
        shown = record_notifications(app)
        other = new_session(sim)
        try:
            await demo_login(other)
            data = DeleteData(LAPTOP_ID, recursive=True, label="from elsewhere")
            data.add_item("/~/deep/")
            task_id = (await other.transfer.submit_delete(data))["task_id"]
        finally:
            await other.aclose()
        await wait_for(pilot, lambda: task_id in app.feed.tasks, timeout=10)
        await wait_for(pilot, lambda: "deep" not in listed(app, "left"))
        assert not any(n.severity == "error" for n in shown)


async def test_a_refresh_after_a_task_never_opens_the_consent_dialog(
    make_app: Any, sim: Any
) -> None:
    """A refresh the user did not ask for (a task ended) that meets a consent Globus now
    wants keeps the pane as it was: the dialog is for when the user lists the folder."""
    app = await make_app(right=PanePlace(ARCHIVE_ID, "/~/"))
    async with app.run_test(size=(140, 40)) as pilot:
        await grant(pilot, await wait_for(pilot, lambda: consent_screen(app)))
        await ready(pilot)
        right = pane(app, "right")
        before = listed(app, "right")
        sim.ctx.auth.revoke_consent(DEMO_USER_ID, data_access_scope(ARCHIVE_ID))

        ended = Task.from_api(
            {
                "task_id": "elsewhere",
                "type": "TRANSFER",
                "status": "SUCCEEDED",
                "destination_endpoint_id": ARCHIVE_ID,
                "completion_time": datetime.now(UTC).isoformat(),
            }
        )
        app.feed.publish([ended])
        await pilot.pause(1.0)
        assert not isinstance(app.screen, ConsentScreen)
        assert right.path == "/~/" and listed(app, "right") == before

        # Listing it on purpose asks.
        await pilot.click("#right-list")
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: consent_screen(app))


def test_a_finished_task_touches_the_panes_on_the_line_of_its_items() -> None:
    delete = Task.from_api({"task_id": "d", "type": "DELETE", "status": "SUCCEEDED"})
    document = {"DATA": [{"DATA_TYPE": "delete_item", "path": "/~/a/b/"}]}
    touched = touched_folders(delete, document)
    assert touched == ["/~/a/"]
    for folder in ("/~/a/", "/~/a/b/", "/~/a/b/c/", "/~/", "/"):
        assert touches(folder, touched), folder
    assert not touches("/~/x/", touched)
    # A task submitted elsewhere names no items: every pane on its collection.
    assert touched_folders(delete, None) is None and touches("/~/x/", None)


def test_only_a_task_that_ended_after_the_screen_opened_is_news() -> None:
    opened = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)

    def ended(at: datetime) -> Task:
        return Task.from_api(
            {
                "task_id": "t",
                "type": "TRANSFER",
                "status": "SUCCEEDED",
                "completion_time": at.isoformat(),
            }
        )

    assert ended_since(ended(opened + timedelta(seconds=5)), opened)
    assert ended_since(ended(opened - timedelta(seconds=1)), opened)  # whole seconds
    assert not ended_since(ended(opened - timedelta(minutes=5)), opened)

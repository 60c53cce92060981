"""What the app says, and when: a notification once per real change in the words of that
change, toasts that never hide the queue, a pane that keeps its frame while it loads, a
status line that tells the truth, Tab completion that shows its choices, panes that reopen
where they were."""

from __future__ import annotations

from typing import Any

from textual.widgets import Input

from gtui.sim.world import LAPTOP_ID, SCRATCH_ID
from gtui.tui.screens.confirm import ConfirmScreen
from gtui.tui.screens.task_detail import TaskDetailScreen
from gtui.tui.screens.transfer_options import TransferOptionsScreen
from gtui.tui.state import AppState, PanePlace
from gtui.tui.widgets.task_queue import TaskQueue
from tests.tui.tui_helpers import (
    build_app,
    new_session,
    pane,
    ready,
    record_notifications,
    wait_for,
)


async def _copy(app: Any, pilot: Any, name: str) -> None:
    left = pane(app, "left")
    left.file_list.cursor = left.file_list.row_of(name)
    await pilot.press("f5")
    await wait_for(pilot, lambda: isinstance(app.screen, TransferOptionsScreen))
    await pilot.press("enter")


async def test_a_task_ending_is_told_once_and_opening_an_old_one_tells_nothing(
    make_app: Any,
) -> None:
    app = await make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        shown = record_notifications(app)
        await ready(pilot)
        await _copy(app, pilot, "Documents")
        task = await wait_for(
            pilot,
            lambda: next((t for t in app.feed.tasks.values() if t.status == "SUCCEEDED"), None),
        )
        await wait_for(pilot, lambda: any("Task finished" in s.message for s in shown))
        app.open_task(task.task_id)
        detail = await wait_for(
            pilot, lambda: app.screen if isinstance(app.screen, TaskDetailScreen) else None
        )
        await wait_for(pilot, lambda: detail.task_doc is not None)
        await pilot.pause(0.5)
        finished = [s for s in shown if s.message.startswith("Task ")]
        assert len(finished) == 1, finished


async def test_a_cancelled_task_is_told_as_cancelled(make_app: Any, sim: Any) -> None:
    sim.settings.throttle_bytes_per_second = 50_000
    app = await make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        shown = record_notifications(app)
        await ready(pilot)
        await _copy(app, pilot, "projects")
        await wait_for(pilot, lambda: any(t.bytes_transferred for t in app.feed.tasks.values()))
        app.screen.query_one(TaskQueue).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TaskDetailScreen))
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        told = await wait_for(
            pilot, lambda: next((s for s in shown if s.message.startswith("Task c")), None)
        )
        assert told.message.startswith("Task cancelled:")
        assert told.severity == "information"
        assert not any("failed" in s.message for s in shown)


async def test_toasts_never_cover_the_task_queue(make_app: Any) -> None:
    app = await make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await ready(pilot)
        for n in range(4):
            app.notify(f"Message number {n} that is long enough to wrap once or twice " * 2)
        await pilot.pause(0.3)
        queue = app.screen.query_one(TaskQueue).region
        under = {
            type(app.screen.get_widget_at(x, y)[0]).__name__
            for x in range(queue.x, queue.right)
            for y in range(queue.y, queue.bottom)
        }
        assert "Toast" not in under
        assert type(app.screen.get_widget_at(queue.right - 5, 3)[0]).__name__ == "Toast"


async def test_a_pane_keeps_its_frame_while_a_listing_is_on_its_way(
    make_app: Any, sim: Any
) -> None:
    sim.settings.faults.latency_seconds = 0.6
    app = await make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot)
        left = pane(app, "left")
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: left.fetching)
        assert not left.loading  # Textual's loading indicator would cover the whole pane
        assert left.file_list.display and left.path_bar.display
        assert "Documents" in [e.name for e in left.file_list.visible_entries()]
        assert "loading" in left.status_text
        await wait_for(pilot, lambda: not left.fetching)


async def test_the_status_line_counts_in_words_and_forgets_an_old_error(make_app: Any) -> None:
    app = await make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot)
        left = pane(app, "left")
        assert "folders" in left.status_text and "0 files" not in left.status_text
        await pilot.press("g", "ctrl+a", "ctrl+k", *"/~/nope/", "enter")
        await wait_for(pilot, lambda: "could not list" in left.status_text)
        await pilot.press("j")
        assert "could not list" not in left.status_text
        await pilot.press("s")
        assert "size ↑" in left.status_text


async def test_tab_completion_shows_its_choices(make_app: Any) -> None:
    app = await make_app()
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        shown = record_notifications(app)
        await ready(pilot)
        left = pane(app, "left")
        await pilot.press("g", "ctrl+a", "ctrl+k", *"/~/d", "tab")
        told = await wait_for(
            pilot, lambda: next((s for s in shown if "folders match" in s.message), None)
        )
        assert "datasets" in told.message and "deep" in told.message
        assert left.path_bar.value == "/~/d"
        assert isinstance(app.focused, Input)


async def test_panes_reopen_where_they_were(make_app: Any, sim: Any) -> None:
    app = await make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot)
        left = pane(app, "left")
        left.file_list.cursor = left.file_list.row_of("projects")
        await pilot.press("enter")
        await wait_for(pilot, lambda: left.path == "/~/projects/" and not left.fetching)

    session = new_session(sim)
    from gtui.tui.demo_login import demo_login

    await demo_login(session)
    again = build_app(sim, session, state=AppState())
    async with again.run_test(size=(140, 40)) as pilot:
        await ready(pilot)
        assert pane(again, "left").path == "/~/projects/"
        assert pane(again, "left").collection.id == LAPTOP_ID
        assert pane(again, "right").collection.id == SCRATCH_ID


async def test_a_folder_gone_since_last_time_reopens_the_start_place(
    make_app: Any, sim: Any
) -> None:
    state = AppState()
    state.remember_listing("left", LAPTOP_ID, "Demo Laptop", "/~/was-here/")
    app = await make_app(state=state, left=PanePlace(LAPTOP_ID, "/~/"))
    async with app.run_test(size=(140, 40)) as pilot:
        shown = record_notifications(app)
        await ready(pilot)
        assert pane(app, "left").path == "/~/"
        assert not any(s.severity == "error" for s in shown)

"""Timers in the app, against the embedded service with its clock stepped: a recurring copy
made from the transfer dialog in a few keys, its runs on disk and on the Timers screen, a
skipped run, pause, resume, rename and delete, the consent repair of an inactive timer, and
all of it again after the service and the app restart."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Input, Select

from gtui.core.timer_models import Timer
from gtui.sim.serve import RunningSim, start_in_thread
from gtui.sim.world import ARCHIVE_ID, DEMO_USER_ID, LAPTOP_ID, SCRATCH_ID
from gtui.tui.screens.confirm import ConfirmScreen
from gtui.tui.screens.task_detail import TaskDetailScreen
from gtui.tui.screens.timer_detail import TimerDetailScreen
from gtui.tui.screens.timers import TimersScreen
from gtui.tui.screens.transfer_options import TransferOptionsScreen
from gtui.tui.state import PanePlace
from gtui.tui.widgets.task_queue import TIMER_MARK, TaskQueue
from tests.tui.test_consent import consent_screen, grant
from tests.tui.tui_helpers import (
    build_app,
    collection_path,
    files_under,
    freeze_mtimes,
    new_session,
    pane,
    ready,
    record_notifications,
    wait_for,
)

HOUR = 3600
SIZE = (160, 48)
DATA_ACCESS = f"https://auth.globus.org/scopes/{ARCHIVE_ID}/data_access"


pytestmark = pytest.mark.usefixtures("over_ssh")


@pytest.fixture
def sim(tui_dirs: Path) -> Iterator[RunningSim]:
    """The service, its clock stepped by the tests (it hardly moves by itself)."""
    running = start_in_thread(tui_dirs / "root", clock_speed=0.001)
    freeze_mtimes(tui_dirs / "root")
    try:
        yield running
    finally:
        running.stop()


async def open_dialog(app: Any, pilot: Any, name: str) -> TransferOptionsScreen:
    left = pane(app, "left")
    left.file_list.cursor = left.file_list.row_of(name)
    await pilot.press("f5")
    return await wait_for(
        pilot, lambda: app.screen if isinstance(app.screen, TransferOptionsScreen) else None
    )


async def schedule(
    pilot: Any, dialog: TransferOptionsScreen, kind: str, *, first: str = "", every: str = ""
) -> None:
    dialog.query_one("#when", Select).value = kind
    await pilot.pause()
    if first:
        dialog.query_one("#first-run", Input).value = first
    if every:
        dialog.query_one("#every", Input).value = every


def only_timer(app: Any) -> Timer:
    timers = list(app.timers.timers.values())
    assert len(timers) == 1, timers
    return timers[0]


async def step_to_next_run(sim: RunningSim, app: Any) -> None:
    """Move the service's clock past the timer's next run (as the service has it now)."""
    timer = await app.timers.refresh(only_timer(app).job_id)
    assert timer.next_run is not None, timer
    sim.ctx.clock.step(max(0.0, timer.next_run.timestamp() - sim.ctx.clock.now()) + 1)


async def runs_of(pilot: Any, app: Any, count: int) -> Timer:
    """Wait until the timer has ``count`` finished runs, reading it as the screens do."""

    async def finished() -> Timer | None:
        timer = await app.timers.refresh(only_timer(app).job_id)
        done = [r for r in timer.runs if r.task_status in ("SUCCEEDED", "FAILED") or r.skipped]
        return timer if len(done) >= count else None

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        timer = await finished()
        if timer is not None:
            return timer
        await pilot.pause(0.1)
    raise AssertionError(f"{count} runs did not finish: {only_timer(app).runs}")


async def test_a_recurring_copy_from_the_dialog_runs_three_times_and_stops(
    make_app: Any, sim: RunningSim
) -> None:
    app = await make_app()
    shown = record_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        dialog = await open_dialog(app, pilot, "Documents")
        await schedule(pilot, dialog, "repeat", every="1h")
        assert str(dialog.query_one("#start").label) == "Create timer"
        dialog.query_one("#ends", Select).value = "count"
        await pilot.pause()
        dialog.query_one("#end-value", Input).value = "3"
        await pilot.press("enter")
        # Scratch is a mapped collection: a timer copies there later, on the user's behalf,
        # so its data_access consent under the Timers scope is asked for now, once.
        consent = await wait_for(pilot, lambda: consent_screen(app))
        assert "Scratch" in str(consent.query_one("#login-reason").render())
        await grant(pilot, consent)
        await wait_for(pilot, lambda: app.timers.timers)
        await wait_for(pilot, lambda: any("created" in n.message for n in shown))
        note = next(n.message for n in shown if "created" in n.message)
        assert note.startswith("Timer “laptop:/~/Documents → scratch:/~/” created: its first run")
        source = collection_path(sim, LAPTOP_ID, "/~/Documents")
        target = collection_path(sim, SCRATCH_ID, "/~/Documents")

        timer = await runs_of(pilot, app, 1)
        assert files_under(target) == files_under(source) != set()
        for run in range(2, 4):
            for copied in target.rglob("*"):
                if copied.is_file():
                    copied.unlink()
            await step_to_next_run(sim, app)
            timer = await runs_of(pilot, app, run)
            assert files_under(target) == files_under(source), f"run {run}"
        assert timer.number_of_runs == 3
        assert timer.next_run is None
        assert [r.label for r in timer.runs] == [
            f"laptop:/~/Documents → scratch:/~/, run {n}" for n in (3, 2, 1)
        ]
        sim.ctx.clock.step(10 * HOUR)
        await pilot.pause(0.5)
        assert (await app.timers.refresh(timer.job_id)).number_of_runs == 3

        await pilot.press("5")
        screen = await wait_for(
            pilot, lambda: app.screen if isinstance(app.screen, TimersScreen) else None
        )
        table = screen.query_one(DataTable)
        await wait_for(pilot, lambda: table.row_count == 1)
        row = [str(cell) for cell in table.get_row_at(0)]
        assert row[0] == "laptop:/~/Documents → scratch:/~/"
        assert row[1].startswith("every hour")
        assert row[2] == "Finished"
        assert row[3] == "—"
        assert row[4].startswith("Succeeded")
        assert row[5] == "3 of 3"

        await pilot.press("enter")
        detail = await wait_for(
            pilot, lambda: app.screen if isinstance(app.screen, TimerDetailScreen) else None
        )
        runs = detail.query_one(DataTable)
        await wait_for(pilot, lambda: runs.row_count == 3)
        assert [str(runs.get_row_at(i)[1]) for i in range(3)] == ["Succeeded"] * 3
        await pilot.press("enter")
        task_screen = await wait_for(
            pilot, lambda: app.screen if isinstance(app.screen, TaskDetailScreen) else None
        )
        assert task_screen.task_id == timer.runs[0].task_id

        await pilot.press("escape", "escape", "1")
        queue = await wait_for(pilot, lambda: app.screen.query_one("#queue", TaskQueue))
        await wait_for(pilot, lambda: len(queue.order) == 3)
        await pilot.pause()
        rows = [queue.render_line(i + 1).text for i in range(3)]
        assert all(TIMER_MARK in row for row in rows), rows


async def make_timer(app: Any, pilot: Any, name: str, *, every: str = "1h") -> Timer:
    """F5 on ``name``, Schedule: repeat ``every``, never ending; the consent if asked."""
    dialog = await open_dialog(app, pilot, name)
    await schedule(pilot, dialog, "repeat", every=every)
    await pilot.press("enter")

    def made_or_asked() -> Any:
        return app.timers.timers or consent_screen(app)

    if not isinstance(await wait_for(pilot, made_or_asked), dict):
        await grant(pilot, app.screen)
    await wait_for(pilot, lambda: app.timers.timers)
    return only_timer(app)


async def timers_screen(app: Any, pilot: Any) -> TimersScreen:
    await pilot.press("5")
    screen = await wait_for(
        pilot, lambda: app.screen if isinstance(app.screen, TimersScreen) else None
    )
    await wait_for(pilot, lambda: screen.query_one(DataTable).row_count >= 1)
    return screen


def cells(screen: Any, row: int = 0) -> list[str]:
    return [str(cell) for cell in screen.query_one(DataTable).get_row_at(row)]


def status_line(screen: Any) -> str:
    return str(screen.query_one("#timers-status").render())


async def test_a_timer_that_lost_its_consent_says_why_and_is_repaired_from_its_screen(
    make_app: Any, sim: RunningSim
) -> None:
    app = await make_app(right=PanePlace(ARCHIVE_ID, "/~/"))
    async with app.run_test(size=SIZE) as pilot:
        await grant(pilot, await wait_for(pilot, lambda: consent_screen(app)))
        await ready(pilot)
        timer = await make_timer(app, pilot, "Documents")
        assert timer.schedule.interval_seconds == HOUR
        await runs_of(pilot, app, 1)
        target = sim.ctx.world.collections[ARCHIVE_ID].root / "home" / "demo" / "Documents"
        assert files_under(target) == files_under(collection_path(sim, LAPTOP_ID, "/~/Documents"))

        sim.ctx.auth.revoke_consent(DEMO_USER_ID, DATA_ACCESS)
        await step_to_next_run(sim, app)
        screen = await timers_screen(app, pilot)
        await wait_for(pilot, lambda: cells(screen)[2] == "Needs consent")
        assert "1 needs your consent (a repairs)" in status_line(screen)
        assert cells(screen)[3] == "—"

        await pilot.press("enter")
        detail = await wait_for(
            pilot, lambda: app.screen if isinstance(app.screen, TimerDetailScreen) else None
        )
        why = detail.query_one("#timer-why")
        await wait_for(pilot, lambda: "Tape Archive" in str(why.render()))
        assert str(why.render()) == (
            "This timer stopped because it no longer has your consent to use Tape Archive: "
            "press a to give it again and resume the timer."
        )
        for copied in target.rglob("*"):
            if copied.is_file():
                copied.unlink()
        await pilot.press("a")
        consent = await wait_for(pilot, lambda: consent_screen(app))
        assert "“Tape Archive”" in str(consent.query_one("#login-reason").render())
        await grant(pilot, consent)
        # Resumed with its new credentials, the timer makes the run it missed at once.
        timer = await runs_of(pilot, app, 2)
        assert timer.status == "loaded"
        assert timer.runs[0].task_status == "SUCCEEDED"
        await wait_for(pilot, lambda: not why.display)
        assert files_under(target) == files_under(collection_path(sim, LAPTOP_ID, "/~/Documents"))


async def test_skip_pause_resume_rename_and_a_restart_of_both_then_delete(
    make_app: Any, sim: RunningSim, tui_dirs: Path
) -> None:
    big = collection_path(sim, LAPTOP_ID, "/~/slow")
    big.mkdir()
    (big / "big.bin").write_bytes(bytes(range(256)) * 4096)
    sim.settings.throttle_bytes_per_second = 64 * 1024
    app = await make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        timer = await make_timer(app, pilot, "slow")
        await wait_for(pilot, lambda: sim.ctx.transfer.store.active_tasks())
        await step_to_next_run(sim, app)
        timer = await runs_of(pilot, app, 1)
        assert timer.runs[0].skipped
        assert timer.number_of_runs == 1
        sim.settings.throttle_bytes_per_second = 0
        timer = await runs_of(pilot, app, 2)

        screen = await timers_screen(app, pilot)
        await pilot.press("enter")
        detail = await wait_for(
            pilot, lambda: app.screen if isinstance(app.screen, TimerDetailScreen) else None
        )
        runs = detail.query_one(DataTable)
        await wait_for(pilot, lambda: runs.row_count == 2)
        assert [str(runs.get_row_at(i)[1]) for i in range(2)] == [
            "Skipped (the previous run was still going)",
            "Succeeded",
        ]
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)

        await pilot.press("p")
        await wait_for(pilot, lambda: cells(screen)[2] == "Paused")
        await step_to_next_run(sim, app)
        await pilot.pause(0.5)
        assert (await app.timers.refresh(timer.job_id)).number_of_runs == 1
        await pilot.press("r")
        await wait_for(pilot, lambda: cells(screen)[2] == "Waiting")
        # The run it was paused through is not made up: the next one is still to come.
        resumed = await app.timers.refresh(timer.job_id)
        assert resumed.number_of_runs == 1
        assert resumed.next_run is not None
        assert resumed.next_run.timestamp() > sim.ctx.clock.now()

        await pilot.press("f2")
        prompt = await wait_for(pilot, lambda: app.screen.query("#prompt-input") and app.screen)
        prompt.query_one("#prompt-input", Input).value = "nightly slow copy"
        await pilot.press("enter")
        await wait_for(pilot, lambda: cells(screen)[0] == "nightly slow copy")
        job_id = timer.job_id

    sim.stop()
    again = start_in_thread(tui_dirs / "root", port=sim.port, clock_speed=0.001)
    try:
        session = new_session(again)
        from gtui.tui.demo_login import demo_login

        await demo_login(session)
        app = build_app(again, session)
        async with app.run_test(size=SIZE) as pilot:
            await ready(pilot)
            screen = await timers_screen(app, pilot)
            assert cells(screen)[0] == "nightly slow copy"
            assert cells(screen)[5] == "1"
            runs_before = len(only_timer(app).runs)
            await step_to_next_run(again, app)
            timer = await runs_of(pilot, app, runs_before + 1)
            assert timer.number_of_runs == 2

            await pilot.press("d")
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            await pilot.press("y")
            await wait_for(pilot, lambda: not app.timers.timers)
            await wait_for(pilot, lambda: "No timers yet" in status_line(screen))
            listed = await app.session.timers.list_jobs()
            assert job_id not in [j["job_id"] for j in listed.documents("jobs")]
    finally:
        again.stop()

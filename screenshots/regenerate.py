"""Regenerate screenshots/*.svg from the demo: the real app on the embedded service.

Run from a checkout: ``python screenshots/regenerate.py [NAME…]`` (all pictures, or the named
ones). It uses a throwaway demo root and data folder, so nothing of yours is touched.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SIZE = (150, 42)
MOVE_FLOW = "Move (copy, then delete the source)"


async def _wait(pilot: Any, condition: Callable[[], Any], timeout: float = 60.0) -> Any:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not (result := condition()):
        if loop.time() > deadline:
            raise TimeoutError(f"gave up waiting for {condition}")
        await pilot.pause(0.05)
    return result


async def _shoot(sim: Any, name: str, steps: Callable[[Any], Awaitable[None]]) -> None:
    from gtui.core.session import GlobusSession
    from gtui.sim.world import DEMO_NATIVE_CLIENT_ID, DEMO_USERNAME, LAPTOP_ID, SCRATCH_ID
    from gtui.tui.app import GtuiApp, PanePlace
    from gtui.tui.demo_login import demo_login

    session = GlobusSession(DEMO_NATIVE_CLIENT_ID, environment="sim", service_urls=sim.service_urls)
    await demo_login(session)
    app = GtuiApp(
        session=session,
        environment="sim",
        username=DEMO_USERNAME,
        left=PanePlace(LAPTOP_ID, "/~/"),
        right=PanePlace(SCRATCH_ID, "/~/"),
    )
    app.animation_level = "none"
    async with app.run_test(size=SIZE) as pilot:
        await _wait(
            pilot, lambda: all(app.screen.query_one(f"#{s}").path for s in ("left", "right"))
        )
        await steps(pilot)
        await pilot.pause(0.3)
        (HERE / f"{name}.svg").write_text(app.export_screenshot(title=f"gtui — {name}"))
        print(f"wrote {HERE / (name + '.svg')}")


async def _browse(pilot: Any) -> None:
    pane = pilot.app.screen.query_one("#left")
    pane.file_list.cursor = pane.file_list.row_of("projects")
    await pilot.press("space")


async def _transferring(pilot: Any) -> None:
    from gtui.tui.screens.transfer_options import TransferOptionsScreen

    app = pilot.app
    pane = app.screen.query_one("#left")
    pane.file_list.cursor = pane.file_list.row_of("projects")
    await pilot.press("f5")
    await _wait(pilot, lambda: isinstance(app.screen, TransferOptionsScreen))
    await pilot.press("enter")
    await _wait(pilot, lambda: any(t.bytes_transferred for t in app.feed.tasks.values()))
    await pilot.pause(2.5)


async def _options(pilot: Any) -> None:
    from gtui.tui.screens.transfer_options import TransferOptionsScreen

    pane = pilot.app.screen.query_one("#left")
    pane.file_list.cursor = pane.file_list.row_of("Documents")
    await pilot.press("f5")
    await _wait(pilot, lambda: isinstance(pilot.app.screen, TransferOptionsScreen))


async def _picker(pilot: Any) -> None:
    from gtui.tui.screens.collection_picker import CollectionPickerScreen

    await pilot.press("o")
    picker = await _wait(
        pilot,
        lambda: pilot.app.screen if isinstance(pilot.app.screen, CollectionPickerScreen) else None,
    )
    await _wait(pilot, lambda: {"recent", "mine", "shared"} <= picker.loaded)
    await pilot.press("tab", "tab")


async def _help(pilot: Any) -> None:
    await pilot.press("f1")


async def _detail(pilot: Any) -> None:
    from gtui.tui.screens.task_detail import TaskDetailScreen

    await _transferring(pilot)
    app = pilot.app
    app.open_task(next(iter(app.feed.tasks)))
    await _wait(pilot, lambda: isinstance(app.screen, TaskDetailScreen))
    await pilot.pause(1.0)


async def _compare(pilot: Any) -> None:
    """The two datasets folders compared, one folder of differences opened."""
    from gtui.tui.screens.compare import CompareScreen
    from gtui.tui.widgets.compare_list import CompareList

    app = pilot.app
    for side in ("left", "right"):
        pane = app.screen.query_one(f"#{side}")
        pane.file_list.cursor = pane.file_list.row_of("datasets")
        pane.file_list.focus()
        await pilot.press("enter")
        await _wait(pilot, lambda pane=pane: pane.path.endswith("/datasets/") and not pane.fetching)
    await pilot.press("equals_sign")
    screen = await _wait(
        pilot, lambda: app.screen if isinstance(app.screen, CompareScreen) else None
    )
    await _wait(pilot, lambda: screen.comparison is not None and not screen.comparing)
    listing = screen.query_one(CompareList)
    await pilot.press("down", "enter")
    await pilot.pause(0.5)
    listing.focus()


async def _make_timer(pilot: Any, name: str, every: str, runs: str) -> None:
    """F5 on ``name``, Schedule: repeat ``every`` for ``runs`` runs (the demo's consent for
    Timers approved as the demo user when asked)."""
    from textual.widgets import Input, Select

    from gtui.tui.screens.consent import ConsentScreen
    from gtui.tui.screens.transfer_options import TransferOptionsScreen

    app = pilot.app
    before = len(app.timers.timers)
    pane = app.screen.query_one("#left")
    pane.file_list.cursor = pane.file_list.row_of(name)
    await pilot.press("f5")
    dialog = await _wait(
        pilot, lambda: app.screen if isinstance(app.screen, TransferOptionsScreen) else None
    )
    dialog.query_one("#when", Select).value = "repeat"
    await pilot.pause()
    dialog.query_one("#ends", Select).value = "count"
    await pilot.pause()
    dialog.query_one("#every", Input).value = every
    dialog.query_one("#end-value", Input).value = runs
    await pilot.press("enter")
    await _wait(
        pilot,
        lambda: len(app.timers.timers) > before or isinstance(app.screen, ConsentScreen),
    )
    if isinstance(app.screen, ConsentScreen):
        await pilot.press("f6")
    await _wait(pilot, lambda: len(app.timers.timers) > before)


def _timers(sim: Any) -> Callable[[Any], Awaitable[None]]:
    async def steps(pilot: Any) -> None:
        from gtui.tui.screens.timers import TimersScreen

        app = pilot.app
        await _make_timer(pilot, "Documents", "1d", "30")
        await _make_timer(pilot, "deep", "1w", "12")
        for _ in range(2):
            await pilot.pause(1.5)
            sim.ctx.clock.step(86400)
        await pilot.pause(2.0)
        await pilot.press("5")
        await _wait(pilot, lambda: isinstance(app.screen, TimersScreen))
        await pilot.pause(1.5)
        app.clear_notifications()

    return steps


def _timer_detail(sim: Any) -> Callable[[Any], Awaitable[None]]:
    async def steps(pilot: Any) -> None:
        from gtui.tui.screens.timer_detail import TimerDetailScreen

        await _timers(sim)(pilot)
        await pilot.press("down", "enter")
        await _wait(pilot, lambda: isinstance(pilot.app.screen, TimerDetailScreen))
        await pilot.pause(1.5)

    return steps


async def _flow_form(pilot: Any) -> None:
    """The Move flow's form, prefilled from the panes (Documents on the laptop → scratch)."""
    from textual.widgets import DataTable

    from gtui.tui.screens.flow_start import FlowStartScreen
    from gtui.tui.screens.flows import FlowsScreen

    app = pilot.app
    pane = app.screen.query_one("#left")
    if not pane.path.endswith("/Documents/"):  # the app reopens the folder it last showed
        pane.file_list.cursor = await _wait(pilot, lambda: pane.file_list.row_of("Documents"))
        await pilot.press("enter")
        await _wait(pilot, lambda: pane.path.endswith("/Documents/"))
    await pilot.press("6")
    flows = await _wait(pilot, lambda: isinstance(app.screen, FlowsScreen) and app.screen)
    await _wait(pilot, lambda: flows.shown)
    titles = [flow.title for flow in flows.shown]
    flows.query_one(DataTable).move_cursor(row=titles.index(MOVE_FLOW))
    await pilot.press("enter")
    await _wait(pilot, lambda: isinstance(app.screen, FlowStartScreen))
    await pilot.pause(0.5)


async def _flow_run(pilot: Any) -> None:
    """That form started: its consent approved, the run followed to FlowSucceeded."""
    from gtui.tui.screens.confirm import ConfirmScreen
    from gtui.tui.screens.consent import ConsentScreen
    from gtui.tui.screens.flow_run import FlowRunScreen

    app = pilot.app
    await _flow_form(pilot)
    await pilot.press("ctrl+s")
    await _wait(pilot, lambda: isinstance(app.screen, ConsentScreen | FlowRunScreen))
    if isinstance(app.screen, ConsentScreen):
        await pilot.press("f6")
    # The Move flow deletes its source: the question asked before it runs is answered yes.
    await _wait(pilot, lambda: isinstance(app.screen, ConfirmScreen | FlowRunScreen))
    if isinstance(app.screen, ConfirmScreen):
        await pilot.press("y")
    run = await _wait(pilot, lambda: isinstance(app.screen, FlowRunScreen) and app.screen)
    await _wait(pilot, lambda: any(e.code == "FlowSucceeded" for e in run.entries))
    await pilot.pause(0.5)


async def _activity(pilot: Any) -> None:
    """After a copy and a flow run: every task and run in one list."""
    from gtui.tui.screens.activity import ActivityScreen

    app = pilot.app
    await _transferring(pilot)
    await _flow_run(pilot)
    await pilot.press("escape")
    await pilot.pause(0.3)
    await pilot.press("escape")
    await pilot.pause(0.3)
    await pilot.press("7")
    await _wait(pilot, lambda: isinstance(app.screen, ActivityScreen))
    await pilot.pause(2.0)
    app.clear_notifications()


async def main(wanted: list[str]) -> None:
    from gtui.sim.serve import start_in_thread

    with tempfile.TemporaryDirectory() as scratch:
        for name in ("DATA", "CONFIG", "LOG"):
            os.environ[f"GTUI_{name}_DIR"] = str(Path(scratch) / name.lower())
        sim = start_in_thread(Path(scratch) / "root", throttle_bytes_per_second=3_000_000)
        try:
            shots = [
                ("browse", _browse),
                ("transfer-options", _options),
                ("collection-picker", _picker),
                ("transferring", _transferring),
                ("task-detail", _detail),
                ("help", _help),
                ("compare", _compare),
            ]
            # Each on a world of its own: a run of the Move flow moves the Documents folder.
            flow_shots = [
                ("flow-form", _flow_form),
                ("flow-run", _flow_run),
                ("activity", _activity),
            ]
            timer_shots = [("timers", _timers), ("timer-detail", _timer_detail)]
            for name, steps in shots:
                if not wanted or name in wanted:
                    await _shoot(sim, name, steps)
        finally:
            sim.stop()
        for name, steps in flow_shots:
            if wanted and name not in wanted:
                continue
            # and a data folder of its own, so the app does not reopen the last shot's folder.
            os.environ["GTUI_DATA_DIR"] = str(Path(scratch) / f"data-{name}")
            sim = start_in_thread(
                Path(scratch) / f"root-{name}", throttle_bytes_per_second=3_000_000
            )
            try:
                await _shoot(sim, name, steps)
            finally:
                sim.stop()
        for name, make in timer_shots:
            if wanted and name not in wanted:
                continue
            # A fresh service each: the pictures show the runs of their own timers.
            # Its clock starts two and a half days back, so the two days stepped through for
            # the runs end in the past of the app's own clock.
            sim = start_in_thread(
                Path(scratch) / f"root-{name}",
                clock_speed=0.001,
                clock_start=time.time() - 2.5 * 86400,
            )
            try:
                await _shoot(sim, name, make(sim))
            finally:
                sim.stop()


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))

"""Regenerate screenshots/*.svg from the demo: the real app on the embedded service.

Run from a checkout: ``python screenshots/regenerate.py``. It uses a throwaway demo root and
data folder, so nothing of yours is touched.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SIZE = (150, 42)


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


async def main() -> None:
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
            ]
            for name, steps in shots:
                await _shoot(sim, name, steps)
        finally:
            sim.stop()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))

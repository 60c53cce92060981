"""The Transfer side of the embedded service: its store, its engine, their lifetime."""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, Any

from gtui.sim.ids import DEMO_USER_ID, GUEST_ID, LAPTOP_ID, SCRATCH_ID
from gtui.sim.transfer.engine import Engine
from gtui.sim.transfer.store import TransferStore

if TYPE_CHECKING:
    from gtui.sim.settings import SimSettings
    from gtui.sim.world import World

SAVE_INTERVAL_SECONDS = 0.5
STATE_FILE_NAME = "transfer.json"


class TransferService:
    """Owns the task store and the engine; ``start``/``stop`` run in the app's lifespan."""

    def __init__(self, settings: SimSettings, world: World) -> None:
        self.settings = settings
        self.store = TransferStore(self.settings.state_dir / STATE_FILE_NAME)
        self.store.load()
        if not self.store.loaded_existing:
            for owner_id, bookmark in demo_bookmarks():
                self.store.put_bookmark(owner_id, bookmark)
        self.engine = Engine(self.settings, world, self.store)
        self._saver: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Resume the tasks that were active when the service last stopped, then run."""
        await self.engine.start()
        self._saver = asyncio.create_task(self._save_loop(), name="transfer-store-saver")

    async def stop(self) -> None:
        await self.engine.stop()
        if self._saver is not None:
            self._saver.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._saver
            self._saver = None
        await asyncio.to_thread(self.store.save)

    def wake(self) -> None:
        """Tell the engine that tasks were submitted or cancelled."""
        self.engine.wake()

    async def _save_loop(self) -> None:
        while True:
            await asyncio.sleep(SAVE_INTERVAL_SECONDS)
            if self.store.dirty:
                await asyncio.to_thread(self.store.save)


def demo_bookmarks() -> list[tuple[str, dict[str, Any]]]:
    """The bookmarks the demo user starts with."""
    marks = [
        ("Climate model output", LAPTOP_ID, "/home/demo/projects/climate-model/output/", True),
        ("Scratch datasets", SCRATCH_ID, "/home/demo/datasets/", False),
        ("Shared results", GUEST_ID, "/results/", False),
    ]
    return [
        (DEMO_USER_ID, {"name": name, "endpoint_id": endpoint, "path": path, "pinned": pinned})
        for name, endpoint, path, pinned in marks
    ]

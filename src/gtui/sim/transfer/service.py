"""The Transfer side of the embedded service: its stores, its engine, their lifetime."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from typing import TYPE_CHECKING, Any

from gtui.sim.errors import SimAPIError
from gtui.sim.ids import DEMO_USER_ID, GUEST_ID, LAPTOP_ID, SCRATCH_ID
from gtui.sim.transfer import legacy_state, schema
from gtui.sim.transfer.bookmark_store import BookmarkStore
from gtui.sim.transfer.credentials import ConsentCheck, always_held
from gtui.sim.transfer.engine import Engine
from gtui.sim.transfer.partial_files import remove_partial_files
from gtui.sim.transfer.store import TransferStore

if TYPE_CHECKING:
    from gtui.sim.database import Database
    from gtui.sim.settings import SimSettings
    from gtui.sim.world import World

log = logging.getLogger(__name__)

# How often what running tasks recorded (counters, events, files) is written.
FLUSH_INTERVAL_SECONDS = 1.0


class TransferService:
    """Owns the task and bookmark stores and the engine; ``start``/``stop`` run in the app's
    lifespan. The database is the application's: it outlives this service's stop.
    ``holds_consent`` is Auth's word on whether a task's owner still holds a consent."""

    def __init__(
        self,
        settings: SimSettings,
        world: World,
        db: Database,
        holds_consent: ConsentCheck = always_held,
    ) -> None:
        self.settings = settings
        self.world = world
        self.store = TransferStore(db)
        self.bookmarks = BookmarkStore(db)
        self._create_tables(db)
        self.store.load_live()
        self.engine = Engine(self.settings, world, self.store, holds_consent)
        self._flusher: asyncio.Task[None] | None = None

    def _create_tables(self, db: Database) -> None:
        """Bring the tables up to date; new ones get the old ``transfer.json`` if there is
        one, else the demo user's bookmarks."""
        legacy_path = self.settings.state_dir / legacy_state.FILE_NAME
        imported = False

        def first_contents(conn: sqlite3.Connection) -> None:
            nonlocal imported
            legacy = legacy_state.read_legacy(legacy_path)
            if legacy is not None:
                legacy_state.import_legacy(conn, legacy, self.bookmarks)
                imported = True
                return
            for owner_id, bookmark in demo_bookmarks():
                self.bookmarks.put_bookmark(owner_id, bookmark)

        db.migrate(schema.COMPONENT, schema.MIGRATIONS, on_create=first_contents)
        if imported:
            legacy_state.retire(legacy_path)

    async def start(self) -> None:
        """Clear what killed copies left, resume the tasks that were active, then run."""
        await asyncio.to_thread(
            remove_partial_files,
            self.store.active_tasks(),
            self.world.collections,
            self.settings.faults,
        )
        await self.engine.start()
        self._flusher = asyncio.create_task(self._flush_loop(), name="transfer-store-flush")

    async def stop(self) -> None:
        await self.engine.stop()
        if self._flusher is not None:
            self._flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher
            self._flusher = None
        await asyncio.to_thread(self.store.flush)

    def wake(self) -> None:
        """Tell the engine that tasks were submitted or cancelled."""
        self.engine.wake()

    def task_document(self, owner_id: str, task_id: str) -> dict[str, Any] | None:
        """A task as Transfer answers it now (None if it is gone): what Timers and Flows read
        of the tasks their runs made, in process."""
        try:
            return self.store.task_for(owner_id, task_id).public_doc()
        except SimAPIError:
            return None

    async def _flush_loop(self) -> None:
        while True:
            await asyncio.sleep(FLUSH_INTERVAL_SECONDS)
            if not self.store.has_unsaved():
                continue
            try:
                await asyncio.to_thread(self.store.flush)
            except sqlite3.Error:
                log.exception("could not write the running tasks' changes; trying again")


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

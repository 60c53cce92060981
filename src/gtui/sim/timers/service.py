"""The Timers side of the embedded service: its store, its scheduler, their lifetime.

Timers lean on the other services through narrow doors: Auth says whether an owner still holds
a consent and mints the tokens runs are submitted with; Transfer is reached over HTTP for
submits (``submitter.py``) and read in process for the task a run made (``TransferService.task_document``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gtui.sim.timers import documents
from gtui.sim.timers.consent import collections_needing_consent, missing_consents
from gtui.sim.timers.runs import Runs
from gtui.sim.timers.scheduler import Scheduler
from gtui.sim.timers.store import TimerStore
from gtui.sim.timers.submitter import RunSubmitter

if TYPE_CHECKING:
    from starlette.types import ASGIApp

    from gtui.sim.auth.tokens import AuthService
    from gtui.sim.clock import SimClock
    from gtui.sim.database import Database
    from gtui.sim.settings import SimSettings
    from gtui.sim.timers.model import Timer
    from gtui.sim.transfer.service import TransferService
    from gtui.sim.world import World

LISTED_RUNS = 10


class TimersService:
    """Owns the timer store and the scheduler; ``start``/``stop`` run in the app's lifespan,
    after Transfer starts and before it stops (runs submit to Transfer)."""

    def __init__(
        self,
        settings: SimSettings,
        world: World,
        db: Database,
        clock: SimClock,
        auth: AuthService,
        transfer: TransferService,
    ) -> None:
        self.settings = settings
        self.world = world
        self.clock = clock
        self.auth = auth
        self.transfer = transfer
        self.store = TimerStore(db)
        self.store.create_tables()
        self._submitter: RunSubmitter | None = None
        self._scheduler: Scheduler | None = None

    async def start(self, app: ASGIApp) -> None:
        """Start scheduling; runs are submitted through ``app`` (the service's own)."""
        self._submitter = RunSubmitter(app, self.auth, self.settings)
        runs = Runs(
            self.store,
            self.clock,
            self.settings,
            self._submitter,
            self.auth.holds_consent,
            self.transfer.task_document,
        )
        self._scheduler = Scheduler(self.store, self.clock, runs)
        await self._scheduler.start()

    async def stop(self) -> None:
        """Stop the scheduler and the runs being tried (a restart tries them again)."""
        try:
            if self._scheduler is not None:
                await self._scheduler.stop()
        finally:
            self._scheduler = None
            if self._submitter is not None:
                await self._submitter.close()
                self._submitter = None

    def wake(self) -> None:
        """Tell the scheduler that a timer was made or resumed."""
        if self._scheduler is not None:
            self._scheduler.wake()

    def missing_consents(self, timer: Timer) -> list[str]:
        """The consent collections of the timer whose consent its owner no longer holds."""
        collections = collections_needing_consent(
            timer.body, self.settings.faults.consent_collections
        )
        return missing_consents(timer.owner_id, collections, self.auth.holds_consent)

    def job(self, timer: Timer, runs: int | None = None) -> dict[str, Any]:
        """The timer as ``/jobs`` answers it, with its latest ``runs`` runs (all if None)."""
        return documents.v1_job(
            timer,
            self.store.runs(timer.job_id, runs),
            self.transfer.task_document,
            self.settings.faults.consent_collections,
        )

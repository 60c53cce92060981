"""The runs under way: one asyncio task per ACTIVE run, driving the interpreter.

A run's progress is saved after every step the interpreter takes (``save``) and its log as
it grows (``log``), each committed before the run goes on, so a service stopped or killed at
any point resumes every ACTIVE run from its last save when it starts again (an action already
started is asked about, not started again). An INACTIVE run has no task: it waits for a
resume. Stopping the service cancels the tasks and leaves their saves as they are.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Any

from gtui.sim.flows import asl
from gtui.sim.flows.model import ACTIVE, FAILED, FINISHED, Run

if TYPE_CHECKING:
    from gtui.sim.clock import SimClock
    from gtui.sim.flows.store import FlowStore

log = logging.getLogger(__name__)


def run_info(run: Run) -> asl.RunInfo:
    return asl.RunInfo(run.run_id, run.flow_id, run.owner_id, run.label)


class Runner:
    """Drives the service's runs between ``start`` and ``stop``."""

    def __init__(self, store: FlowStore, ports: asl.ActionPorts, clock: SimClock) -> None:
        self.store = store
        self.ports = ports
        self.clock = clock
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._started = False

    async def start(self) -> None:
        """Go on with every run that was ACTIVE when the service last stopped."""
        self._started = True
        for run in await asyncio.to_thread(self.store.runs, ACTIVE):
            self.drive(run.run_id)

    async def stop(self) -> None:
        self._started = False
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()

    def driving(self, run_id: str) -> bool:
        return run_id in self._tasks

    def drive(self, run_id: str) -> None:
        """Run ``run_id`` on from its last save (once: a run already driven is left alone)."""
        if not self._started or run_id in self._tasks:
            return
        task = asyncio.create_task(self._advance(run_id), name=f"flow-run-{run_id}")
        self._tasks[run_id] = task
        task.add_done_callback(lambda done: self._done(run_id, done))

    async def halt(self, run_id: str) -> None:
        """Stop driving ``run_id`` (its last save stays valid)."""
        task = self._tasks.pop(run_id, None)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _done(self, run_id: str, task: asyncio.Task[None]) -> None:
        if self._tasks.get(run_id) is task:
            del self._tasks[run_id]

    # -- one run ----------------------------------------------------------------------------
    def log_to(self, run_id: str) -> Any:
        def log_entry(entry: dict[str, Any]) -> None:
            self.store.add_log(run_id, entry)

        return log_entry

    def save_to(self, run_id: str) -> Any:
        def save(progress: dict[str, Any]) -> None:
            self.store.change_run(run_id, self.progress_changes(progress))

        return save

    def progress_changes(self, progress: dict[str, Any]) -> dict[str, Any]:
        """The columns a saved progress sets: itself, the run's status, when it ended."""
        status = str(progress.get("status") or ACTIVE)
        changes: dict[str, Any] = {"progress": progress, "status": status}
        if status in FINISHED:
            changes["completion_time"] = self.clock.now()
        return changes

    async def _advance(self, run_id: str) -> None:
        run = self.store.run(run_id)
        if run is None or run.status != ACTIVE:
            return
        interpreter = asl.Interpreter(run.definition, self.ports)
        try:
            final = await interpreter.advance(
                run.progress, run_info(run), self.log_to(run_id), self.save_to(run_id)
            )
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("run %s of flow %s crashed", run_id, run.flow_id)
            self._crashed(run, exc)
            return
        self.store.change_run(run_id, self.progress_changes(final))

    def _crashed(self, run: Run, exc: Exception) -> None:
        """A run the interpreter could not go on with fails, and says why in its log."""
        current = self.store.run(run.run_id)
        progress = dict(current.progress if current is not None else run.progress)
        cause = f"The service could not run this flow: {exc}"
        progress.update(status=FAILED, error={"code": "States.Runtime", "cause": cause})
        self.store.add_log(
            run.run_id,
            {
                "time": self.ports.now().isoformat(),
                "code": "FlowFailed",
                "description": "The Flow Instance failed",
                "details": {"error": "States.Runtime", "cause": cause},
            },
        )
        self.store.change_run(run.run_id, self.progress_changes(progress))

"""The interpreter: a flow definition run state by state, its progress plain JSON.

The Flows service keeps each run's progress as the interpreter hands it over (``save``) and
calls ``advance`` again after a restart; everything the interpreter needs to go on is in that
document, so nothing lives only in memory. Errors a state raises go to the Action state's
``Catch`` or end the run FAILED.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from gtui.sim.flows.asl import errors
from gtui.sim.flows.asl.action_state import FIRST_POLL, cancel_action, run_action
from gtui.sim.flows.asl.check import check_definition
from gtui.sim.flows.asl.ports import ActionPorts, RunInfo
from gtui.sim.flows.asl.running import FLOW_CANCELED, FLOW_STARTED, Running, entry, timestamp
from gtui.sim.flows.asl.states import run_choice, run_fail, run_pass, run_succeed, run_wait

PROGRESS_VERSION = 1
ENDED_STATUSES = ("SUCCEEDED", "FAILED", "ENDED")

Log = Callable[[dict[str, Any]], None]
Save = Callable[[dict[str, Any]], None]


class Interpreter:
    """Runs one flow definition (checked first: a definition with problems is refused)."""

    def __init__(self, definition: Mapping[str, Any], ports: ActionPorts) -> None:
        problems = check_definition(definition)
        if problems:
            raise ValueError("the flow definition cannot run: " + "; ".join(problems))
        self._definition: dict[str, Any] = copy.deepcopy(dict(definition))
        self._states: dict[str, dict[str, Any]] = self._definition["States"]
        self._ports = ports

    def begin(self, run_input: Any) -> dict[str, Any]:
        """A new run's progress, about to enter ``StartAt``."""
        return {
            "version": PROGRESS_VERSION,
            "status": "ACTIVE",
            "state": self._definition["StartAt"],
            "data": copy.deepcopy(run_input),
            "output": None,
            "error": None,
            "flow_started": False,
            "action": None,
            "wait_until": None,
        }

    async def advance(
        self, progress: dict[str, Any], run: RunInfo, log: Log, save: Save
    ) -> dict[str, Any]:
        """Runs from where ``progress`` says until the run ends or waits for a person
        (INACTIVE); returns the final progress. ``save`` gets a copy after every state
        change and right after an action starts; cancelling leaves the last save valid."""
        r = Running(copy.deepcopy(progress), run, self._ports, log, save)
        if r.progress["status"] != "ACTIVE":
            return r.progress
        if not r.progress["flow_started"]:
            r.progress["flow_started"] = True
            r.log("FlowStarted", FLOW_STARTED, {"input": r.data})
            r.save()
        while r.progress["status"] == "ACTIVE":
            await self._step(r)
        return r.progress

    async def _step(self, r: Running) -> None:
        name: str = r.progress["state"]
        state = self._states[name]
        kind = state["Type"]
        try:
            if kind == "Action":
                await run_action(r, name, state)
            elif kind == "Pass":
                run_pass(r, name, state)
            elif kind == "Choice":
                run_choice(r, name, state)
            elif kind == "Wait":
                await run_wait(r, name, state)
            elif kind == "Fail":
                run_fail(r, name, state)
            else:
                run_succeed(r, name, state)
        except errors.StateFailure as failure:
            self._failed(r, name, state, failure)

    def _failed(
        self, r: Running, name: str, state: dict[str, Any], failure: errors.StateFailure
    ) -> None:
        """The first catcher naming the error takes the run on; without one the run fails."""
        for catcher in state.get("Catch", []):
            names = catcher["ErrorEquals"]
            if failure.error in names or errors.ALL in names:
                try:
                    data = r.place(catcher, failure.as_document())
                except errors.StateFailure as placing:
                    failure = placing
                    break
                r.move_to(catcher["Next"], data)
                return
        r.fail(name, state["Type"], failure.error, failure.cause)

    def resume(self, progress: dict[str, Any]) -> dict[str, Any]:
        """An INACTIVE run made ACTIVE again; its waiting action is asked again first."""
        resumed = copy.deepcopy(progress)
        if resumed["status"] != "INACTIVE":
            return resumed
        resumed["status"] = "ACTIVE"
        action = resumed.get("action")
        if action is not None:
            left = action.get("remaining") or 0.0
            action["deadline"] = timestamp(self._ports.now() + timedelta(seconds=left))
            action["remaining"] = None
            action["recheck"] = True
            action["delay"] = FIRST_POLL
        return resumed

    async def cancel(self, progress: dict[str, Any], run: RunInfo, log: Log) -> dict[str, Any]:
        """Cancels the action the run waits on (if any) and ends the run (ENDED)."""
        r = Running(copy.deepcopy(progress), run, self._ports, log, lambda _p: None)
        if r.progress["status"] in ENDED_STATUSES:
            return r.progress
        await cancel_action(r)
        r.progress.update(status="ENDED", state=None, output=r.data, action=None, wait_until=None)
        log(entry(self._ports.now(), "FlowCanceled", FLOW_CANCELED, {}))
        return r.progress

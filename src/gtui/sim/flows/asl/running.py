"""One run being advanced: its progress, how it logs and saves, and the ASL's data plumbing.

Every state handler works through this object so that the rules shared by all states
(InputPath, ResultPath, where to go next, how a run ends, what a log entry looks like) are
written once. The progress is mutated here and handed to ``save`` as a copy: what the service
keeps never changes under it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from gtui.sim.flows.asl import errors
from gtui.sim.flows.asl.paths import PathMissing, read_path, write_path
from gtui.sim.flows.asl.ports import ActionPorts, RunInfo

FLOW_STARTED = "The Flow Instance started execution"
FLOW_SUCCEEDED = "The Flow Instance completed successfully"
FLOW_FAILED = "The Flow Instance failed"
FLOW_CANCELED = "The Flow Instance was canceled by the user"


def timestamp(moment: datetime) -> str:
    """A time as Flows writes it (``2023-04-25T18:54:30.683000+00:00``)."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def user_urn(identity_id: str) -> str:
    """An identity id as the URN Flows names principals by."""
    return (
        identity_id if identity_id.startswith("urn:") else f"urn:globus:auth:identity:{identity_id}"
    )


def run_context(run: RunInfo) -> dict[str, Any]:
    """``$._context``: what Globus Flows' run context holds that this service knows."""
    user = user_urn(run.owner_id)
    return {"flow_id": run.flow_id, "run_id": run.run_id, "user_id": user, "identities": [user]}


class Running:
    """A run's progress while ``advance`` moves it on."""

    def __init__(
        self,
        progress: dict[str, Any],
        run: RunInfo,
        ports: ActionPorts,
        log: Callable[[dict[str, Any]], None],
        save: Callable[[dict[str, Any]], None],
    ) -> None:
        self.progress = progress
        self.run = run
        self.ports = ports
        self.context = run_context(run)
        self._log = log
        self._save = save

    @property
    def data(self) -> Any:
        """The current state's raw input."""
        return self.progress["data"]

    def now(self) -> datetime:
        return self.ports.now()

    def save(self) -> None:
        self._save(copy.deepcopy(self.progress))

    def log(self, code: str, description: str, details: dict[str, Any]) -> None:
        self._log(entry(self.now(), code, description, details))

    def log_state(self, name: str, kind: str, verb: str, details: dict[str, Any]) -> None:
        """``<Kind><Verb>`` ("PassStarted"), described as Flows describes it."""
        self.log(
            f"{kind}{verb}",
            f"State {name} of type {kind} {verb.lower()}",
            {"state_name": name, "state_type": kind, **details},
        )

    def input_of(self, state: dict[str, Any]) -> Any:
        """The state's effective input: its ``InputPath`` applied to the raw input."""
        if "InputPath" in state and state["InputPath"] is None:
            return {}
        path = state.get("InputPath", "$")
        try:
            return read_path(self.data, path, self.context)
        except PathMissing as exc:
            raise errors.StateFailure(errors.RUNTIME, f"InputPath {path}: {exc}") from None

    def place(self, holder: dict[str, Any], result: Any) -> Any:
        """The raw input with ``result`` placed at the ``ResultPath`` of ``holder`` (a state
        or a catcher): ``$`` (the default) replaces it, ``null`` discards the result."""
        if "ResultPath" in holder and holder["ResultPath"] is None:
            return self.data
        path = holder.get("ResultPath", "$")
        try:
            return write_path(self.data, path, result)
        except PathMissing as exc:
            raise errors.StateFailure(
                errors.RESULT_PATH_MATCH_FAILURE, f"ResultPath {path}: {exc}"
            ) from None

    def go_on(self, state: dict[str, Any], output: Any) -> None:
        """After a state that completed: to its Next, or the run succeeds at End. Saves."""
        if state.get("End") is True:
            self.succeed(output)
            return
        self.move_to(state["Next"], output)

    def move_to(self, name: str, data: Any) -> None:
        self.progress.update(state=name, data=data, action=None, wait_until=None)
        self.save()

    def succeed(self, output: Any) -> None:
        self.progress.update(
            status="SUCCEEDED", state=None, data=output, output=output, action=None, wait_until=None
        )
        self.log("FlowSucceeded", FLOW_SUCCEEDED, {"output": output})
        self.save()

    def fail(self, name: str, kind: str, code: str, cause: str) -> None:
        """The run ends FAILED in state ``name`` with ``code`` and ``cause``. Saves."""
        self.progress.update(
            status="FAILED",
            state=None,
            output=self.data,
            error={"code": code, "cause": cause},
            action=None,
            wait_until=None,
        )
        self.log(
            "FlowFailed",
            f"{FLOW_FAILED} in state {name}: {code}",
            {"state_name": name, "state_type": kind, "code": code, "cause": cause},
        )
        self.save()


def entry(moment: datetime, code: str, description: str, details: dict[str, Any]) -> dict[str, Any]:
    """One run log entry, shaped as Flows' ``GET /runs/{id}/log`` entries."""
    return {
        "time": timestamp(moment),
        "code": code,
        "description": description,
        "details": copy.deepcopy(details),
    }

"""An in-memory action provider and a virtual clock for the interpreter's tests.

It stands in for the Flows service's ports only: actions really start, change status as they
are polled, fail or wait for a consent, and can be cancelled; the clock moves when the
interpreter sleeps, so waits and backoffs take no real time. Several providers may share one
``ActionStore``, which is how a test "restarts the service" with the same actions.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from gtui.sim.flows.asl import ActionStatus, ActionUnknown, RunInfo

ECHO = "https://actions.test/echo"  # SUCCEEDED after `polls` polls, details echo the parameters
FAILING = "https://actions.test/fail"  # FAILED after `polls` polls
GUARDED = "https://actions.test/guarded"  # INACTIVE until ARCHIVE_SCOPE is granted
ENDLESS = "https://actions.test/endless"  # ACTIVE until cancelled
REFUSING = "https://actions.test/refuse"  # refuses to start: a request error
ARCHIVE_SCOPE = "https://auth.test/scopes/archive/data_access"
START = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)

RUN = RunInfo(
    run_id="run-1",
    flow_id="flow-1",
    owner_id="11111111-2222-3333-4444-555555555555",
    label="Nightly move",
)


class Clock:
    """Virtual time that only moves when someone sleeps on it."""

    def __init__(self) -> None:
        self.now = START
        self.sleeps: list[float] = []


@dataclass
class Action:
    action_id: str
    url: str
    parameters: dict[str, Any]
    polls_left: int
    status: str = "ACTIVE"
    polled: int = 0


@dataclass
class ActionStore:
    """The provider's actions and grants, which outlive any one provider object."""

    actions: dict[str, Action] = field(default_factory=dict)
    granted: set[str] = field(default_factory=set)
    cancelled: list[str] = field(default_factory=list)


class Provider:
    """The ports an interpreter is given: actions from ``store``, time from ``clock``."""

    def __init__(self, clock: Clock, store: ActionStore | None = None) -> None:
        self.clock = clock
        self.store = store if store is not None else ActionStore()
        self.started: list[tuple[str, dict[str, Any]]] = []
        self.start_yields = 0  # how many times start_action lets others run before answering

    async def start_action(
        self, action_url: str, parameters: dict[str, Any], run: RunInfo
    ) -> ActionStatus:
        if action_url not in (ECHO, FAILING, GUARDED, ENDLESS, REFUSING):
            raise ActionUnknown(action_url)
        if action_url == REFUSING:
            raise ValueError("the request is missing 'source_endpoint'")
        json.dumps(parameters)  # what a provider receives is plain JSON
        for _ in range(self.start_yields):
            await asyncio.sleep(0)
        action_id = f"action-{len(self.store.actions) + 1}"
        polls = int(parameters.get("polls", 0))
        action = Action(action_id, action_url, parameters, polls)
        self.store.actions[action_id] = action
        self.started.append((action_url, parameters))
        return self._status(action)

    async def action_status(self, action_url: str, action_id: str, run: RunInfo) -> ActionStatus:
        action = self.store.actions.get(action_id)
        if action is None or action.url != action_url:
            raise ActionUnknown(action_id)
        action.polled += 1
        if action.status == "ACTIVE" and action.url != ENDLESS:
            action.polls_left -= 1
        return self._status(action)

    async def cancel_action(self, action_url: str, action_id: str, run: RunInfo) -> None:
        self.store.actions[action_id].status = "FAILED"
        self.store.cancelled.append(action_id)

    def _status(self, action: Action) -> ActionStatus:
        if action.status == "FAILED":
            return ActionStatus(action.action_id, "FAILED", {"code": "Canceled"})
        if action.url == GUARDED and ARCHIVE_SCOPE not in self.store.granted:
            return ActionStatus(
                action.action_id,
                "INACTIVE",
                {"code": "ConsentRequired", "description": "a consent is missing"},
                required_scope=ARCHIVE_SCOPE,
            )
        if action.url == ENDLESS or action.polls_left > 0:
            return ActionStatus(action.action_id, "ACTIVE", {"polled": action.polled})
        if action.url == FAILING:
            action.status = "FAILED"
            return ActionStatus(
                action.action_id, "FAILED", {"code": "PermissionDenied", "task_id": "task-9"}
            )
        action.status = "SUCCEEDED"
        details = {"echo": action.parameters, "task_id": f"task-{action.action_id}"}
        return ActionStatus(action.action_id, "SUCCEEDED", details, display_status="SUCCEEDED")

    def now(self) -> datetime:
        return self.clock.now

    async def sleep(self, seconds: float) -> None:
        self.clock.sleeps.append(seconds)
        self.clock.now += timedelta(seconds=seconds)
        await asyncio.sleep(0)


class Recorder:
    """The log and the saves a service would keep, each save checked to be plain JSON."""

    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []
        self.saves: list[dict[str, Any]] = []

    def log(self, entry: dict[str, Any]) -> None:
        json.dumps(entry)
        self.entries.append(entry)

    def save(self, progress: dict[str, Any]) -> None:
        self.saves.append(json.loads(json.dumps(progress)))

    @property
    def codes(self) -> list[str]:
        return [entry["code"] for entry in self.entries]

    def entry(self, code: str, state: str | None = None) -> dict[str, Any]:
        found = [
            e
            for e in self.entries
            if e["code"] == code and (state is None or e["details"].get("state_name") == state)
        ]
        assert len(found) == 1, f"{code} {state}: {len(found)} entries in {self.codes}"
        return found[0]

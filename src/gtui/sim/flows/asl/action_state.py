"""The Action state: start an action once, poll it until it ends, place its result.

The started action's id is saved before the first poll, so a service killed while it runs
polls the same action after a restart rather than starting another. Polls back off from 1 s
to 30 s on the service clock; the state's ``WaitTime`` (300 s by default) bounds them, after
which the action is cancelled and the state fails with ``ActionTimeout``. An action that
answers INACTIVE with a ``required_scope`` waits for a person: the run turns INACTIVE until
it is resumed, and the time it waited does not count against ``WaitTime``.
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta
from typing import Any

from gtui.sim.flows.asl import errors
from gtui.sim.flows.asl.parameters import PRIVATE_KEY, private_keys, render
from gtui.sim.flows.asl.ports import ActionStatus, ActionUnknown
from gtui.sim.flows.asl.running import Running, timestamp, user_urn

DEFAULT_WAIT_TIME = 300.0
FIRST_POLL = 1.0
LONGEST_POLL = 30.0
TERMINAL = ("SUCCEEDED", "FAILED")


async def run_action(r: Running, name: str, state: dict[str, Any]) -> None:
    """Runs the Action state ``name`` from wherever the progress says it is."""
    action = r.progress.get("action")
    try:
        if action is None or action.get("state") != name:
            action = await _start(r, name, state)
        if not await _wait_for_end(r, name, state, action):
            return  # the run is INACTIVE
        _finish(r, name, state, action)
    except errors.StateFailure as failure:
        details: dict[str, Any] = {"error": failure.as_document()}
        if action is not None and action.get("state") == name:
            details.update(action_id=action["action_id"], output=action["result"])
        r.log_state(name, "Action", "Failed", details)
        r.progress["action"] = None
        raise


async def _start(r: Running, name: str, state: dict[str, Any]) -> dict[str, Any]:
    effective = r.input_of(state)
    template = state.get("Parameters")
    parameters = render(template, effective, r.context) if template is not None else effective
    private = private_keys(template)
    if isinstance(parameters, dict):
        parameters.pop(PRIVATE_KEY, None)
        shown: Any = {k: v for k, v in parameters.items() if k not in private}
    else:
        parameters, shown = {"input": parameters}, {"input": parameters}
    url = state["ActionUrl"]
    starting = asyncio.ensure_future(r.ports.start_action(url, parameters, r.run))
    try:
        status = await asyncio.shield(starting)
    except asyncio.CancelledError:
        # The provider may have made the action by now: keep its id, so that a restart
        # polls that action instead of starting a second one.
        try:
            status = await starting
        except BaseException:
            raise asyncio.CancelledError() from None
        _record(r, name, state, status, shown)
        raise
    except ActionUnknown:
        raise errors.StateFailure(
            errors.ACTION_UNABLE_TO_RUN, f"no action provider serves {url}"
        ) from None
    except Exception as exc:  # the provider refused the request: no action was made
        raise errors.StateFailure(
            errors.ACTION_UNABLE_TO_RUN, str(exc) or type(exc).__name__
        ) from None
    return _record(r, name, state, status, shown)


def _record(
    r: Running, name: str, state: dict[str, Any], status: ActionStatus, shown: Any
) -> dict[str, Any]:
    """Keeps the started action in the progress, logs ActionStarted and saves."""
    now = r.now()
    wait_time = float(state.get("WaitTime", DEFAULT_WAIT_TIME))
    action: dict[str, Any] = {
        "state": name,
        "url": state["ActionUrl"],
        "action_id": status.action_id,
        "start_time": timestamp(now),
        "deadline": timestamp(now + timedelta(seconds=wait_time)),
        "remaining": None,
        "delay": FIRST_POLL,
        "recheck": False,
        "required_scope": status.required_scope,
        "result": None,
    }
    action["result"] = _document(r, name, action, status)
    r.progress["action"] = action
    r.log_state(
        name,
        "Action",
        "Started",
        {"input": shown, "action_id": status.action_id, "action_details": status.details},
    )
    r.save()
    return action


def _document(
    r: Running, name: str, action: dict[str, Any], status: ActionStatus
) -> dict[str, Any]:
    """An action's status as Flows places it in the run's data (see the SDK's run fixtures)."""
    ended = status.status in TERMINAL
    return {
        "action_id": status.action_id,
        "completion_time": timestamp(r.now()) if ended else None,
        "creator_id": user_urn(r.run.owner_id),
        "details": json.loads(json.dumps(status.details, default=str)),
        "display_status": status.display_status or status.status,
        "label": r.run.label,
        "manage_by": [],
        "monitor_by": [],
        "release_after": None,
        "start_time": action["start_time"],
        "state_name": name,
        "status": status.status,
    }


async def _wait_for_end(
    r: Running, name: str, state: dict[str, Any], action: dict[str, Any]
) -> bool:
    """Polls until the action ends (True) or waits for a person (False, run INACTIVE)."""
    deadline = datetime.fromisoformat(action["deadline"])
    while True:
        if action["recheck"]:
            action["recheck"] = False
            await _poll(r, name, action)
        status = action["result"]["status"]
        if status in TERMINAL:
            return True
        left = (deadline - r.now()).total_seconds()
        if status == "INACTIVE" and action["required_scope"]:
            _go_inactive(r, name, action, left)
            return False
        if left <= 0:
            await _cancel_quietly(r, action)
            raise errors.StateFailure(errors.ACTION_TIMEOUT, json.dumps(action["result"]))
        await r.ports.sleep(min(action["delay"], left))
        action["delay"] = min(action["delay"] * 2, LONGEST_POLL)
        action["recheck"] = True


async def _poll(r: Running, name: str, action: dict[str, Any]) -> None:
    try:
        status = await r.ports.action_status(action["url"], action["action_id"], r.run)
    except ActionUnknown:
        raise errors.StateFailure(
            errors.ACTION_FAILED,
            f"the action provider no longer knows action {action['action_id']}",
        ) from None
    except Exception:  # a provider that did not answer this time: ask again at the next poll
        return
    before = action["result"]["status"]
    action["result"] = _document(r, name, action, status)
    action["required_scope"] = status.required_scope
    if status.status != before and status.status not in TERMINAL:
        r.save()


def _go_inactive(r: Running, name: str, action: dict[str, Any], left: float) -> None:
    action["remaining"] = max(left, 0.0)
    r.progress["status"] = "INACTIVE"
    r.log(
        "ActionInactive",
        f"State {name} of type Action is waiting for a consent",
        {
            "state_name": name,
            "state_type": "Action",
            "action_id": action["action_id"],
            "required_scope": action["required_scope"],
            "output": action["result"],
        },
    )
    r.save()


async def _cancel_quietly(r: Running, action: dict[str, Any]) -> None:
    try:
        await r.ports.cancel_action(action["url"], action["action_id"], r.run)
    except Exception:  # the run ends either way; the provider ends the action on its own
        pass


def _finish(r: Running, name: str, state: dict[str, Any], action: dict[str, Any]) -> None:
    result = action["result"]
    details = {"action_id": action["action_id"], "output": result}
    if result["status"] == "FAILED":
        if state.get("ExceptionOnActionFailure", False):
            raise errors.StateFailure(errors.ACTION_FAILED, json.dumps(result))
        r.log_state(name, "Action", "Failed", details)
    else:
        r.log_state(name, "Action", "Completed", details)
    output = r.place(state, result)
    r.go_on(state, output)


async def cancel_action(r: Running) -> None:
    """Cancels the action the run is waiting on, if any (when the run is cancelled)."""
    action = r.progress.get("action")
    if action is not None and action.get("action_id"):
        await _cancel_quietly(r, action)

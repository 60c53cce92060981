"""The states that need no action provider: Pass, Choice, Wait, Fail and Succeed.

Each logs what Flows logs for it (``PassStarted``/``PassCompleted``…), moves the run on and
saves. A Wait keeps its deadline in the progress, so a restart waits out the rest of it
rather than all of it again.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from gtui.sim.flows.asl import errors
from gtui.sim.flows.asl.choice import matches, parse_timestamp
from gtui.sim.flows.asl.parameters import render
from gtui.sim.flows.asl.paths import PathMissing, read_path
from gtui.sim.flows.asl.running import Running, timestamp


def run_pass(r: Running, name: str, state: dict[str, Any]) -> None:
    r.log_state(name, "Pass", "Started", {"input": r.data})
    effective = r.input_of(state)
    if "Result" in state:
        result = state["Result"]
    elif "Parameters" in state:
        result = render(state["Parameters"], effective, r.context)
    else:
        result = effective
    output = r.place(state, result)
    r.log_state(name, "Pass", "Completed", {"output": output})
    r.go_on(state, output)


def run_choice(r: Running, name: str, state: dict[str, Any]) -> None:
    r.log_state(name, "Choice", "Started", {"input": r.data})
    effective = r.input_of(state)
    chosen = next(
        (rule["Next"] for rule in state["Choices"] if matches(rule, effective, r.context)),
        state.get("Default"),
    )
    if chosen is None:
        raise errors.StateFailure(
            errors.NO_CHOICE_MATCHED,
            f"no choice rule of state {name} matched and it has no Default",
        )
    r.log_state(name, "Choice", "Completed", {"output": effective})
    r.move_to(chosen, effective)


async def run_wait(r: Running, name: str, state: dict[str, Any]) -> None:
    effective = r.input_of(state)
    if r.progress.get("wait_until") is None:
        until = _deadline(r, state, effective)
        r.log_state(name, "Wait", "Started", {"input": r.data, "wait_until": timestamp(until)})
        r.progress["wait_until"] = timestamp(until)
        r.save()
    until = datetime.fromisoformat(r.progress["wait_until"])
    while (left := (until - r.now()).total_seconds()) > 0:
        await r.ports.sleep(left)
    r.log_state(name, "Wait", "Completed", {"output": effective})
    r.go_on(state, effective)


def _deadline(r: Running, state: dict[str, Any], effective: Any) -> datetime:
    if "Seconds" in state:
        return r.now() + timedelta(seconds=state["Seconds"])
    if "Timestamp" in state:
        moment = parse_timestamp(state["Timestamp"])
        assert moment is not None  # checked with the definition
        return moment
    key = "SecondsPath" if "SecondsPath" in state else "TimestampPath"
    try:
        value = read_path(effective, state[key], r.context)
    except PathMissing as exc:
        raise errors.StateFailure(errors.RUNTIME, f"{key} {state[key]}: {exc}") from None
    if key == "SecondsPath":
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise errors.StateFailure(
                errors.RUNTIME, f"SecondsPath {state[key]} is {value!r}, not a number of seconds"
            )
        return r.now() + timedelta(seconds=value)
    moment = parse_timestamp(value)
    if moment is None:
        raise errors.StateFailure(
            errors.RUNTIME, f"TimestampPath {state[key]} is {value!r}, not a timestamp"
        )
    return moment


def run_fail(r: Running, name: str, state: dict[str, Any]) -> None:
    error = _text(r, state, "Error", "ErrorPath", "States.Fail")
    cause = _text(r, state, "Cause", "CausePath", f"the flow reached the Fail state {name}")
    r.fail(name, "Fail", error, cause)


def _text(r: Running, state: dict[str, Any], plain: str, path: str, default: str) -> str:
    if path in state:
        try:
            value = read_path(r.data, state[path], r.context)
        except PathMissing:
            return default
        return value if isinstance(value, str) else repr(value)
    value = state.get(plain, default)
    return value if isinstance(value, str) else default


def run_succeed(r: Running, name: str, state: dict[str, Any]) -> None:
    r.succeed(r.input_of(state))

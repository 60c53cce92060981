"""A flow definition checked before it is kept or run, every problem one plain sentence.

The service refuses a definition with problems when a flow is made or updated, so a run never
meets a typo halfway through. The rules are Globus Flows' (its state types and fields, no
``OutputPath``) and the States Language's (transitions, Choice rules, Catch), plus two of
this service's: every state must be reachable from ``StartAt`` (as AWS Step Functions
requires), and paths and expressions must be in the subset the interpreter reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gtui.sim.flows.asl import errors
from gtui.sim.flows.asl.choice import parse_timestamp, rule_problems
from gtui.sim.flows.asl.parameters import template_problems
from gtui.sim.flows.asl.paths import CONTEXT_KEY, PathSyntaxError, parse_path

TOP_FIELDS = {"StartAt", "States", "Comment"}
STATE_FIELDS: dict[str, set[str]] = {
    "Action": {
        "ActionUrl",
        "ActionScope",
        "Parameters",
        "InputPath",
        "ResultPath",
        "WaitTime",
        "ExceptionOnActionFailure",
        "RunAs",
        "Catch",
        "Next",
        "End",
    },
    "Pass": {"Parameters", "Result", "InputPath", "ResultPath", "Next", "End"},
    "Choice": {"Choices", "Default", "InputPath"},
    "Wait": {"Seconds", "SecondsPath", "Timestamp", "TimestampPath", "InputPath", "Next", "End"},
    "Fail": {"Error", "Cause", "ErrorPath", "CausePath"},
    "Succeed": {"InputPath"},
}
TRANSITIONING = ("Action", "Pass", "Wait")
WAIT_FIELDS = ("Seconds", "SecondsPath", "Timestamp", "TimestampPath")


def _at(where: str, name: str) -> str:
    return f"{where}.{name}" if name.isidentifier() else f"{where}['{name}']"


class _Checker:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def problem(self, where: str, text: str) -> None:
        self.problems.append(f"{where}: {text}")

    def path(self, value: Any, where: str, *, nullable: bool = False, writes: bool = False) -> None:
        if value is None and nullable:
            return
        try:
            steps = parse_path(value)
        except PathSyntaxError as exc:
            self.problem(where, str(exc))
            return
        if writes and steps and steps[0] == CONTEXT_KEY:
            self.problem(where, "$._context is the run's read-only context and cannot be set")

    def target(self, value: Any, where: str, states: Mapping[str, Any]) -> str | None:
        if not isinstance(value, str):
            self.problem(where, "must name a state")
            return None
        if value not in states:
            self.problem(where, f"no state named {value!r}")
            return None
        return value


def check_definition(definition: object) -> list[str]:
    """Problems with a flow definition, each a plain sentence naming where
    (``"$.States.Copy.Next: no state named 'Delte'"``); [] when it can run."""
    check = _Checker()
    if not isinstance(definition, dict):
        check.problem("$", "a flow definition must be a JSON object")
        return check.problems
    for key in sorted(set(definition) - TOP_FIELDS):
        check.problem(_at("$", key), "is not a field of a flow definition")
    states = definition.get("States")
    if not isinstance(states, dict) or not states:
        check.problem("$.States", "must be an object with at least one state")
        states = {}
    start = definition.get("StartAt")
    if not isinstance(start, str):
        check.problem("$.StartAt", "must name the first state")
    elif states and start not in states:
        check.problem("$.StartAt", f"no state named {start!r}")
    edges: dict[str, list[str]] = {}
    for name, state in states.items():
        edges[name] = _check_state(check, _at("$.States", name), state, states)
    if isinstance(start, str) and start in states:
        seen = {start}
        todo = [start]
        while todo:
            for nxt in edges.get(todo.pop(), []):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        for name in states:
            if name not in seen:
                check.problem(_at("$.States", name), "no state leads here from StartAt")
    return check.problems


def _check_state(check: _Checker, where: str, state: Any, states: Mapping[str, Any]) -> list[str]:
    """Checks one state; returns the states it can go to."""
    if not isinstance(state, dict):
        check.problem(where, "a state must be an object")
        return []
    kind = state.get("Type")
    if not isinstance(kind, str) or kind not in STATE_FIELDS:
        known = ", ".join(STATE_FIELDS)
        check.problem(f"{where}.Type", f"{kind!r} is not a state type this service runs ({known})")
        return []
    for key in sorted(set(state) - STATE_FIELDS[kind] - {"Type", "Comment"}):
        if key == "OutputPath":
            check.problem(_at(where, key), "is not allowed in a flow; use ResultPath")
        else:
            check.problem(_at(where, key), f"is not a field of a {kind} state")
    nexts: list[str] = []
    if kind in TRANSITIONING:
        has_next, ends = "Next" in state, state.get("End") is True
        if "End" in state and not isinstance(state["End"], bool):
            check.problem(f"{where}.End", "must be true or false")
        if has_next == ends:
            check.problem(  # Globus Flows' own wording (the SDK's validate_flow fixture)
                where,
                f"A state of type '{kind}' must be defined as either terminal "
                '("End": true) or transitional ("Next": "NextStateId")',
            )
        if has_next:
            found = check.target(state["Next"], f"{where}.Next", states)
            nexts += [found] if found else []
    if "InputPath" in state:
        check.path(state["InputPath"], f"{where}.InputPath", nullable=True)
    if "ResultPath" in state:
        check.path(state["ResultPath"], f"{where}.ResultPath", nullable=True, writes=True)
    if "Parameters" in state:
        template_problems(state["Parameters"], f"{where}.Parameters", check.problem)
    if kind == "Action":
        nexts += _check_action(check, where, state, states)
    elif kind == "Pass":
        if "Parameters" in state and "Result" in state:
            check.problem(where, "a Pass state takes either Parameters or Result, not both")
    elif kind == "Choice":
        nexts += _check_choice(check, where, state, states)
    elif kind == "Wait":
        _check_wait(check, where, state)
    elif kind == "Fail":
        _check_fail(check, where, state)
    return nexts


def _check_action(
    check: _Checker, where: str, state: dict[str, Any], states: Mapping[str, Any]
) -> list[str]:
    url = state.get("ActionUrl")
    if not isinstance(url, str) or not url:
        check.problem(f"{where}.ActionUrl", "an Action state needs the URL of its action")
    wait = state.get("WaitTime", 300)
    if isinstance(wait, bool) or not isinstance(wait, int | float) or wait <= 0:
        check.problem(f"{where}.WaitTime", "must be a number of seconds above zero")
    if not isinstance(state.get("ExceptionOnActionFailure", False), bool):
        check.problem(f"{where}.ExceptionOnActionFailure", "must be true or false")
    if "RunAs" in state and not isinstance(state["RunAs"], str):
        check.problem(f"{where}.RunAs", "must be a string")
    catchers = state.get("Catch", [])
    if not isinstance(catchers, list):
        check.problem(f"{where}.Catch", "must be a list of catchers")
        return []
    nexts: list[str] = []
    for index, catcher in enumerate(catchers):
        here = f"{where}.Catch[{index}]"
        if not isinstance(catcher, dict):
            check.problem(here, "a catcher must be an object")
            continue
        for key in sorted(set(catcher) - {"ErrorEquals", "Next", "ResultPath", "Comment"}):
            check.problem(_at(here, key), "is not a field of a catcher")
        names = catcher.get("ErrorEquals")
        if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
            check.problem(f"{here}.ErrorEquals", "must be a non-empty list of error names")
        elif errors.ALL in names and (len(names) > 1 or index != len(catchers) - 1):
            check.problem(f"{here}.ErrorEquals", "States.ALL must be alone, in the last catcher")
        found = check.target(catcher.get("Next"), f"{here}.Next", states)
        nexts += [found] if found else []
        if "ResultPath" in catcher:
            check.path(catcher["ResultPath"], f"{here}.ResultPath", nullable=True, writes=True)
    return nexts


def _check_choice(
    check: _Checker, where: str, state: dict[str, Any], states: Mapping[str, Any]
) -> list[str]:
    choices = state.get("Choices")
    nexts: list[str] = []
    if not isinstance(choices, list) or not choices:
        check.problem(f"{where}.Choices", "must be a non-empty list of choice rules")
    else:
        for index, rule in enumerate(choices):
            here = f"{where}.Choices[{index}]"
            for name in rule_problems(rule, here, True, check.problem):
                found = check.target(name, f"{here}.Next", states)
                nexts += [found] if found else []
    if "Default" in state:
        found = check.target(state["Default"], f"{where}.Default", states)
        nexts += [found] if found else []
    return nexts


def _check_wait(check: _Checker, where: str, state: dict[str, Any]) -> None:
    given = [key for key in WAIT_FIELDS if key in state]
    if len(given) != 1:
        check.problem(where, "a Wait state needs exactly one of " + ", ".join(WAIT_FIELDS))
    seconds = state.get("Seconds", 0)
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
        check.problem(f"{where}.Seconds", "must be a number of seconds, zero or more")
    if "Timestamp" in state and parse_timestamp(state["Timestamp"]) is None:
        check.problem(f"{where}.Timestamp", "must be a timestamp with a time zone (RFC 3339)")
    for key in ("SecondsPath", "TimestampPath"):
        if key in state:
            check.path(state[key], f"{where}.{key}")


def _check_fail(check: _Checker, where: str, state: dict[str, Any]) -> None:
    for plain, path in (("Error", "ErrorPath"), ("Cause", "CausePath")):
        if plain in state and path in state:
            check.problem(where, f"{plain} and {path} cannot both be given")
        if plain in state and not isinstance(state[plain], str):
            check.problem(f"{where}.{plain}", "must be a string")
        if path in state:
            check.path(state[path], f"{where}.{path}")


def action_urls(definition: Mapping[str, Any]) -> list[str]:
    """Every ActionUrl the definition's Action states call (sorted, unique)."""
    states = definition.get("States")
    if not isinstance(states, dict):
        return []
    urls = {
        state["ActionUrl"]
        for state in states.values()
        if isinstance(state, dict)
        and state.get("Type") == "Action"
        and isinstance(state.get("ActionUrl"), str)
    }
    return sorted(urls)

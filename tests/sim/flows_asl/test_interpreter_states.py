"""Runs of Pass, Choice, Wait, Fail and Succeed states: data, log and saved progress."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from typing import Any

import pytest

from gtui.sim.flows.asl import Interpreter

from .provider import RUN, START, Clock, Provider, Recorder


async def run_flow(
    definition: dict[str, Any], run_input: Any, clock: Clock | None = None
) -> tuple[dict[str, Any], Recorder, Clock]:
    clock = clock or Clock()
    interpreter = Interpreter(definition, Provider(clock))
    recorder = Recorder()
    final = await interpreter.advance(
        interpreter.begin(run_input), RUN, recorder.log, recorder.save
    )
    return final, recorder, clock


def flow(*states: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    """A definition of ``states`` in order, each going to the next, the last ending."""
    names = [name for name, _ in states]
    out: dict[str, Any] = {}
    for index, (name, state) in enumerate(states):
        state = dict(state)
        if state["Type"] in ("Pass", "Wait", "Action") and "Next" not in state:
            if index + 1 < len(states):
                state["Next"] = names[index + 1]
            else:
                state["End"] = True
        out[name] = state
    return {"StartAt": names[0], "States": out}


async def test_pass_states_shape_data_and_log_as_flows_does() -> None:
    definition = flow(
        ("Keep", {"Type": "Pass"}),
        ("Fixed", {"Type": "Pass", "Result": {"mode": "copy"}, "ResultPath": "$.options"}),
        (
            "Build",
            {
                "Type": "Pass",
                "Parameters": {
                    "label.=": "'Move ' + source.path + ' (' + options.mode + ')'",
                    "items": [{"src.$": "$.source.path", "dst.$": "$.targets[1]"}],
                    "all.$": "$",
                    "spaced.$": "$['odd key']",
                    "run.$": "$._context.run_id",
                    "count.=": "len_of + 1 > 2",
                    "constant": 7,
                },
                "ResultPath": "$.built",
            },
        ),
    )
    run_input = {
        "source": {"path": "/raw/a"},
        "targets": ["/x", "/archive"],
        "odd key": 1,
        "len_of": 2,
    }
    final, recorder, _ = await run_flow(definition, run_input)

    built = final["output"]["built"]
    assert built["label"] == "Move /raw/a (copy)"
    assert built["items"] == [{"src": "/raw/a", "dst": "/archive"}]
    assert built["all"]["options"] == {"mode": "copy"}
    assert built["spaced"] == 1
    assert built["run"] == "run-1"
    assert built["count"] is True
    assert built["constant"] == 7
    assert final["status"] == "SUCCEEDED" and final["error"] is None and final["state"] is None
    assert recorder.codes == [
        "FlowStarted",
        *["PassStarted", "PassCompleted"] * 3,
        "FlowSucceeded",
    ]
    first = recorder.entries[0]
    assert first["description"] == "The Flow Instance started execution"
    assert first["details"] == {"input": run_input}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00", first["time"])
    started = recorder.entry("PassStarted", "Fixed")
    assert started["description"] == "State Fixed of type Pass started"
    assert started["details"]["state_type"] == "Pass"
    assert recorder.entry("PassCompleted", "Fixed")["details"]["output"]["options"] == {
        "mode": "copy"
    }
    assert recorder.entries[-1]["details"] == {"output": final["output"]}
    assert recorder.saves[-1] == final


@pytest.mark.parametrize(
    ("state", "output"),
    [
        ({"Type": "Pass", "Result": 5}, 5),  # no ResultPath: the result replaces the state
        ({"Type": "Pass", "Result": 5, "ResultPath": "$"}, 5),
        ({"Type": "Pass", "Result": 5, "ResultPath": None}, {"a": {"b": 1}}),
        ({"Type": "Pass", "Result": 5, "ResultPath": "$.a.c.d"}, {"a": {"b": 1, "c": {"d": 5}}}),
        ({"Type": "Pass", "InputPath": "$.a"}, {"b": 1}),
        ({"Type": "Pass", "InputPath": None}, {}),
        (
            {"Type": "Pass", "InputPath": "$.a", "ResultPath": "$.copy"},
            {"a": {"b": 1}, "copy": {"b": 1}},
        ),
    ],
)
async def test_result_path_and_input_path_variants(state: dict[str, Any], output: Any) -> None:
    final, _, _ = await run_flow(flow(("Only", state)), {"a": {"b": 1}})
    assert final["output"] == output


@pytest.mark.parametrize(
    ("state", "code", "words"),
    [
        (
            {"Type": "Pass", "Parameters": {"x.$": "$.nope"}},
            "States.ParameterPathFailure",
            "x.$ ($.nope): $ has no field 'nope'",
        ),
        (
            {"Type": "Pass", "Parameters": {"x.=": "a + 'text'"}},
            "States.Runtime",
            "cannot be added",
        ),
        ({"Type": "Pass", "InputPath": "$.b"}, "States.Runtime", "InputPath $.b"),
        (
            {"Type": "Pass", "Result": 1, "ResultPath": "$.a.b"},
            "States.ResultPathMatchFailure",
            "$.a is not an object",
        ),
    ],
)
async def test_data_errors_fail_the_run_with_the_asl_error(
    state: dict[str, Any], code: str, words: str
) -> None:
    final, recorder, _ = await run_flow(flow(("Only", state)), {"a": 3})
    assert final["status"] == "FAILED"
    assert final["error"]["code"] == code
    assert words in final["error"]["cause"]
    failed = recorder.entries[-1]
    assert failed["code"] == "FlowFailed"
    assert failed["details"] == {
        "state_name": "Only",
        "state_type": "Pass",
        "code": code,
        "cause": final["error"]["cause"],
    }


def choice_flow(default: str | None = "Small") -> dict[str, Any]:
    choose: dict[str, Any] = {
        "Type": "Choice",
        "Choices": [
            {
                "And": [
                    {"Variable": "$.size", "NumericGreaterThanPath": "$.limit"},
                    {"Not": {"Variable": "$.name", "StringMatches": "*.tmp"}},
                ],
                "Next": "Big",
            },
            {
                "Or": [
                    {"Variable": "$.urgent", "BooleanEquals": True},
                    {"Variable": "$.name", "StringEquals": "now"},
                ],
                "Next": "Urgent",
            },
        ],
    }
    states: dict[str, Any] = {
        "Choose": choose,
        "Big": {"Type": "Pass", "Result": "big", "End": True},
        "Urgent": {"Type": "Pass", "Result": "urgent", "End": True},
    }
    if default:
        choose["Default"] = default
        states[default] = {"Type": "Pass", "Result": "small", "End": True}
    return {"StartAt": "Choose", "States": states}


@pytest.mark.parametrize(
    ("run_input", "outcome"),
    [
        ({"size": 20, "limit": 10, "name": "a.dat", "urgent": False}, "big"),
        ({"size": 20, "limit": 10, "name": "a.tmp", "urgent": True}, "urgent"),
        ({"size": 5, "limit": 10, "name": "now", "urgent": False}, "urgent"),
        ({"size": 5, "limit": 10, "name": "a.dat", "urgent": False}, "small"),
    ],
)
async def test_choice_routes_by_and_or_not_and_default(
    run_input: dict[str, Any], outcome: str
) -> None:
    final, recorder, _ = await run_flow(choice_flow(), run_input)
    assert final["output"] == outcome
    assert recorder.codes[:3] == ["FlowStarted", "ChoiceStarted", "ChoiceCompleted"]
    assert recorder.entry("ChoiceCompleted")["details"]["output"] == run_input


async def test_choice_without_a_match_or_default_fails_no_choice_matched() -> None:
    final, recorder, _ = await run_flow(
        choice_flow(default=None), {"size": 5, "limit": 10, "name": "a", "urgent": False}
    )
    assert final["status"] == "FAILED"
    assert final["error"]["code"] == "States.NoChoiceMatched"
    assert recorder.codes == ["FlowStarted", "ChoiceStarted", "FlowFailed"]


@pytest.mark.parametrize(
    ("state", "run_input", "waited"),
    [
        ({"Type": "Wait", "Seconds": 90}, {}, 90),
        ({"Type": "Wait", "SecondsPath": "$.delay"}, {"delay": 42}, 42),
        ({"Type": "Wait", "Timestamp": "2025-03-01T13:00:00Z"}, {}, 3600),
        ({"Type": "Wait", "TimestampPath": "$.at"}, {"at": "2025-03-01T12:00:30+00:00"}, 30),
        ({"Type": "Wait", "Timestamp": "2025-03-01T11:00:00Z"}, {}, 0),  # already past
    ],
)
async def test_wait_sleeps_on_the_service_clock(
    state: dict[str, Any], run_input: dict[str, Any], waited: int
) -> None:
    final, recorder, clock = await run_flow(flow(("Nap", state)), run_input)
    assert final["status"] == "SUCCEEDED"
    assert final["output"] == run_input
    assert clock.now - START == timedelta(seconds=waited)
    assert recorder.codes == ["FlowStarted", "WaitStarted", "WaitCompleted", "FlowSucceeded"]
    assert recorder.entry("WaitCompleted")["time"] >= recorder.entry("WaitStarted")["time"]


async def test_wait_with_a_bad_seconds_path_fails_at_run_time() -> None:
    final, _, _ = await run_flow(
        flow(("Nap", {"Type": "Wait", "SecondsPath": "$.delay"})), {"delay": "soon"}
    )
    assert final["error"]["code"] == "States.Runtime"
    assert "not a number of seconds" in final["error"]["cause"]


async def test_a_restarted_wait_waits_only_for_what_is_left() -> None:
    clock = Clock()
    definition = flow(("Nap", {"Type": "Wait", "Seconds": 100}), ("After", {"Type": "Pass"}))
    interpreter = Interpreter(definition, Provider(clock))
    recorder = Recorder()
    task = asyncio.create_task(
        interpreter.advance(interpreter.begin({"k": 1}), RUN, recorder.log, recorder.save)
    )
    while not clock.sleeps:
        await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    saved = recorder.saves[-1]
    assert saved["status"] == "ACTIVE" and saved["state"] == "Nap"
    assert saved["wait_until"] == "2025-03-01T12:01:40.000000+00:00"

    clock.now = START + timedelta(seconds=70)  # the service was down for a while
    clock.sleeps.clear()
    again = Interpreter(definition, Provider(clock))
    final = await again.advance(saved, RUN, recorder.log, recorder.save)
    assert final["status"] == "SUCCEEDED"
    assert clock.sleeps == [30.0]
    assert recorder.codes.count("WaitStarted") == 1


async def test_fail_state_ends_the_run_with_its_error_and_cause() -> None:
    definition = flow(
        ("Check", {"Type": "Pass"}),
        ("Stop", {"Type": "Fail", "Error": "NoData", "Cause": "nothing to move"}),
    )
    final, recorder, _ = await run_flow(definition, {"a": 1})
    assert final["status"] == "FAILED"
    assert final["error"] == {"code": "NoData", "cause": "nothing to move"}
    assert final["output"] == {"a": 1}
    assert recorder.codes[-1] == "FlowFailed"
    assert recorder.entries[-1]["details"]["state_type"] == "Fail"


async def test_fail_state_reads_error_and_cause_from_paths() -> None:
    definition = flow(("Stop", {"Type": "Fail", "ErrorPath": "$.e", "CausePath": "$.why"}))
    final, _, _ = await run_flow(definition, {"e": "Quota", "why": "the archive is full"})
    assert final["error"] == {"code": "Quota", "cause": "the archive is full"}


async def test_succeed_ends_the_run_with_its_effective_input() -> None:
    definition = flow(
        ("Done", {"Type": "Succeed", "InputPath": "$.keep"}),
    )
    final, recorder, _ = await run_flow(definition, {"keep": [1], "drop": 2})
    assert final["status"] == "SUCCEEDED"
    assert final["output"] == [1]
    assert recorder.codes == ["FlowStarted", "FlowSucceeded"]


async def test_a_finished_run_is_returned_unchanged() -> None:
    final, recorder, _ = await run_flow(flow(("Only", {"Type": "Pass"})), {})
    interpreter = Interpreter(flow(("Only", {"Type": "Pass"})), Provider(Clock()))
    entries = len(recorder.entries)
    again = await interpreter.advance(final, RUN, recorder.log, recorder.save)
    assert again == final
    assert len(recorder.entries) == entries

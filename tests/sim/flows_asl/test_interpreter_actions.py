"""Action states against the in-memory provider: polling, failures, Catch, timeouts,
consent, restarts of the service in the middle of a run, and cancelling a run."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

import pytest

from gtui.sim.flows.asl import Interpreter

from .provider import (
    ARCHIVE_SCOPE,
    ECHO,
    ENDLESS,
    FAILING,
    GUARDED,
    REFUSING,
    RUN,
    START,
    ActionStore,
    Clock,
    Provider,
    Recorder,
)


def action(url: str, **fields: Any) -> dict[str, Any]:
    return {"Type": "Action", "ActionUrl": url, **fields}


def definition(*states: tuple[str, dict[str, Any]], extra: dict[str, Any] | None = None) -> dict:
    names = [name for name, _ in states]
    out: dict[str, Any] = {}
    for index, (name, state) in enumerate(states):
        if "Next" not in state and state["Type"] in ("Action", "Pass"):
            state = {
                **state,
                **({"Next": names[index + 1]} if index + 1 < len(states) else {"End": True}),
            }
        out[name] = state
    return {"StartAt": names[0], "States": {**out, **(extra or {})}}


async def run(
    flow: dict[str, Any], run_input: Any, provider: Provider | None = None
) -> tuple[dict[str, Any], Recorder, Provider]:
    provider = provider or Provider(Clock())
    interpreter = Interpreter(flow, provider)
    recorder = Recorder()
    final = await interpreter.advance(
        interpreter.begin(run_input), RUN, recorder.log, recorder.save
    )
    return final, recorder, provider


COPY = action(
    ECHO,
    Parameters={"polls": 5, "source.$": "$.src", "label.=": "'Copy of ' + src"},
    ResultPath="$.CopyResult",
)


async def test_an_action_is_started_once_polled_with_backoff_and_its_result_placed() -> None:
    final, recorder, provider = await run(definition(("Copy", COPY)), {"src": "/raw"})

    assert provider.started == [(ECHO, {"polls": 5, "source": "/raw", "label": "Copy of /raw"})]
    assert provider.clock.sleeps == [1, 2, 4, 8, 16]
    result = final["output"]["CopyResult"]
    assert final["status"] == "SUCCEEDED"
    assert final["output"]["src"] == "/raw"
    assert result["status"] == "SUCCEEDED"
    assert result["action_id"] == "action-1"
    assert result["details"]["task_id"] == "task-action-1"
    assert result["state_name"] == "Copy"
    assert result["label"] == "Nightly move"
    assert result["creator_id"] == "urn:globus:auth:identity:" + RUN.owner_id
    assert result["start_time"] == "2025-03-01T12:00:00.000000+00:00"
    assert result["completion_time"] == "2025-03-01T12:00:31.000000+00:00"
    assert set(result) >= {"display_status", "manage_by", "monitor_by", "release_after"}
    assert recorder.codes == ["FlowStarted", "ActionStarted", "ActionCompleted", "FlowSucceeded"]
    started = recorder.entry("ActionStarted")
    assert started["description"] == "State Copy of type Action started"
    assert started["details"]["input"] == provider.started[0][1]
    assert started["details"]["action_id"] == "action-1"
    completed = recorder.entry("ActionCompleted")["details"]
    assert completed["output"] == result and completed["action_id"] == "action-1"
    # saved right after the start, with the action's id, before any poll
    assert recorder.saves[1]["action"]["action_id"] == "action-1"
    assert recorder.saves[1]["action"]["result"]["status"] == "ACTIVE"


async def test_private_parameters_reach_the_action_but_not_the_log() -> None:
    state = action(ECHO, Parameters={"token": "s3cret", "n": 1, "__Private_Parameters": ["token"]})
    _, recorder, provider = await run(definition(("Call", state)), {})
    assert provider.started[0][1] == {"token": "s3cret", "n": 1}
    assert recorder.entry("ActionStarted")["details"]["input"] == {"n": 1}


async def test_a_failed_action_by_default_stores_its_result_and_the_flow_goes_on() -> None:
    flow = definition(
        ("Copy", action(FAILING, ResultPath="$.copy")),
        ("After", {"Type": "Pass", "Parameters": {"status.$": "$.copy.status"}}),
    )
    final, recorder, _ = await run(flow, {})
    assert final["status"] == "SUCCEEDED"
    assert final["output"] == {"status": "FAILED"}
    assert recorder.codes == [
        "FlowStarted",
        "ActionStarted",
        "ActionFailed",
        "PassStarted",
        "PassCompleted",
        "FlowSucceeded",
    ]
    assert recorder.entry("ActionFailed")["details"]["output"]["details"]["code"] == (
        "PermissionDenied"
    )


async def test_exception_on_action_failure_is_caught_with_its_result_path() -> None:
    flow = definition(
        (
            "Copy",
            action(
                FAILING,
                Parameters={"polls": 1},
                ExceptionOnActionFailure=True,
                Catch=[
                    {"ErrorEquals": ["ActionTimeout"], "Next": "Never"},
                    {
                        "ErrorEquals": ["ActionFailedException"],
                        "ResultPath": "$.failure",
                        "Next": "Recover",
                    },
                ],
                Next="Never",
            ),
        ),
        extra={
            "Never": {"Type": "Fail", "Error": "Wrong"},
            "Recover": {"Type": "Pass", "End": True},
        },
    )
    final, recorder, _ = await run(flow, {"keep": True})
    assert final["status"] == "SUCCEEDED"
    assert final["output"]["keep"] is True
    failure = final["output"]["failure"]
    assert failure["Error"] == "ActionFailedException"
    cause = json.loads(failure["Cause"])
    assert cause["status"] == "FAILED" and cause["details"]["task_id"] == "task-9"
    failed = recorder.entry("ActionFailed")["details"]
    assert failed["error"] == failure
    assert failed["action_id"] == "action-1"
    assert recorder.codes[-3:] == ["PassStarted", "PassCompleted", "FlowSucceeded"]


async def test_exception_on_action_failure_without_catch_fails_the_run() -> None:
    flow = definition(("Copy", action(FAILING, ExceptionOnActionFailure=True)))
    final, recorder, _ = await run(flow, {})
    assert final["status"] == "FAILED"
    assert final["error"]["code"] == "ActionFailedException"
    assert recorder.codes == ["FlowStarted", "ActionStarted", "ActionFailed", "FlowFailed"]


async def test_an_action_past_its_wait_time_is_cancelled_and_times_out() -> None:
    flow = definition(
        (
            "Copy",
            action(
                ENDLESS,
                WaitTime=20,
                Catch=[{"ErrorEquals": ["States.ALL"], "ResultPath": "$.err", "Next": "Late"}],
            ),
        ),
        extra={"Late": {"Type": "Pass", "End": True}},
    )
    final, _, provider = await run(flow, {})
    assert provider.clock.sleeps == [1, 2, 4, 8, 5]
    assert provider.clock.now - START == timedelta(seconds=20)
    assert provider.store.cancelled == ["action-1"]
    assert final["output"]["err"]["Error"] == "ActionTimeout"
    assert json.loads(final["output"]["err"]["Cause"])["status"] == "ACTIVE"


@pytest.mark.parametrize(
    ("url", "words"),
    [(REFUSING, "missing 'source_endpoint'"), ("https://nowhere.test/x", "no action provider")],
)
async def test_an_action_that_cannot_start_raises_action_unable_to_run(
    url: str, words: str
) -> None:
    final, recorder, provider = await run(definition(("Copy", action(url))), {})
    assert final["error"]["code"] == "ActionUnableToRun"
    assert words in final["error"]["cause"]
    assert provider.started == []
    assert recorder.codes == ["FlowStarted", "ActionFailed", "FlowFailed"]


async def test_an_action_needing_consent_leaves_the_run_inactive_until_resumed() -> None:
    clock = Clock()
    store = ActionStore()
    flow = definition(
        ("Archive", action(GUARDED, Parameters={"polls": 1}, ResultPath="$.archived")),
        ("After", {"Type": "Pass"}),
    )
    interpreter = Interpreter(flow, Provider(clock, store))
    recorder = Recorder()
    waiting = await interpreter.advance(interpreter.begin({}), RUN, recorder.log, recorder.save)

    assert waiting["status"] == "INACTIVE"
    assert waiting["state"] == "Archive"
    assert recorder.saves[-1] == waiting
    inactive = recorder.entry("ActionInactive")
    assert inactive["details"]["required_scope"] == ARCHIVE_SCOPE
    assert inactive["details"]["output"]["details"]["code"] == "ConsentRequired"
    assert recorder.codes[-1] == "ActionInactive"

    # a person takes an hour to consent: that time does not count against WaitTime
    clock.now += timedelta(hours=1)
    store.granted.add(ARCHIVE_SCOPE)
    resumed = interpreter.resume(waiting)
    assert resumed["status"] == "ACTIVE"
    final = await interpreter.advance(resumed, RUN, recorder.log, recorder.save)

    assert final["status"] == "SUCCEEDED"
    assert final["output"]["archived"]["status"] == "SUCCEEDED"
    assert len(store.actions) == 1
    assert recorder.codes[-4:] == [
        "ActionCompleted",
        "PassStarted",
        "PassCompleted",
        "FlowSucceeded",
    ]


async def test_resume_of_a_run_that_is_not_inactive_changes_nothing() -> None:
    interpreter = Interpreter(definition(("Copy", COPY)), Provider(Clock()))
    progress = interpreter.begin({"src": "/a"})
    assert interpreter.resume(progress) == progress


async def test_a_restarted_service_polls_the_started_action_instead_of_starting_it_again() -> None:
    clock = Clock()
    store = ActionStore()
    flow = definition(("Copy", COPY), ("After", {"Type": "Pass"}))
    before = Provider(clock, store)
    interpreter = Interpreter(flow, before)
    recorder = Recorder()
    task = asyncio.create_task(
        interpreter.advance(interpreter.begin({"src": "/raw"}), RUN, recorder.log, recorder.save)
    )
    while not store.actions or not clock.sleeps:
        await asyncio.sleep(0)
    task.cancel()  # the service stops while the action runs
    with pytest.raises(asyncio.CancelledError):
        await task
    saved = recorder.saves[-1]
    assert saved["state"] == "Copy" and saved["action"]["action_id"] == "action-1"

    after = Provider(clock, store)  # a new service process, the same action provider
    final = await Interpreter(flow, after).advance(
        json.loads(json.dumps(saved)), RUN, recorder.log, recorder.save
    )
    assert after.started == []
    assert len(before.started) == 1 and len(store.actions) == 1
    assert final["status"] == "SUCCEEDED"
    assert final["output"]["CopyResult"]["action_id"] == "action-1"
    assert recorder.codes.count("ActionStarted") == 1
    assert recorder.codes.count("FlowStarted") == 1


async def test_a_stop_while_the_action_is_being_started_still_keeps_its_id() -> None:
    clock = Clock()
    store = ActionStore()
    flow = definition(("Copy", COPY))
    provider = Provider(clock, store)
    provider.start_yields = 3
    interpreter = Interpreter(flow, provider)
    recorder = Recorder()
    task = asyncio.create_task(
        interpreter.advance(interpreter.begin({"src": "/raw"}), RUN, recorder.log, recorder.save)
    )
    await asyncio.sleep(0)
    await asyncio.sleep(0)  # start_action is under way, not answered yet
    assert not store.actions
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert len(store.actions) == 1
    saved = recorder.saves[-1]
    assert saved["action"]["action_id"] == "action-1"

    again = Provider(clock, store)
    final = await Interpreter(flow, again).advance(saved, RUN, recorder.log, recorder.save)
    assert again.started == [] and final["status"] == "SUCCEEDED"


async def test_cancel_ends_the_run_and_cancels_its_action() -> None:
    clock = Clock()
    store = ActionStore()
    flow = definition(("Copy", action(ENDLESS)))
    interpreter = Interpreter(flow, Provider(clock, store))
    recorder = Recorder()
    task = asyncio.create_task(
        interpreter.advance(interpreter.begin({"a": 1}), RUN, recorder.log, recorder.save)
    )
    while not clock.sleeps:
        await asyncio.sleep(0)
    task.cancel()  # the service stops advancing the run first, then cancels it
    with pytest.raises(asyncio.CancelledError):
        await task

    ended = await interpreter.cancel(recorder.saves[-1], RUN, recorder.log)
    assert ended["status"] == "ENDED"
    assert ended["state"] is None and ended["action"] is None
    assert ended["output"] == {"a": 1}
    assert store.cancelled == ["action-1"]
    last = recorder.entries[-1]
    assert last["code"] == "FlowCanceled"
    assert last["description"] == "The Flow Instance was canceled by the user"
    json.dumps(ended)

    assert await interpreter.cancel(ended, RUN, recorder.log) == ended
    assert recorder.codes.count("FlowCanceled") == 1


async def test_cancel_of_an_inactive_run_cancels_the_waiting_action() -> None:
    store = ActionStore()
    interpreter = Interpreter(definition(("Archive", action(GUARDED))), Provider(Clock(), store))
    recorder = Recorder()
    waiting = await interpreter.advance(interpreter.begin({}), RUN, recorder.log, recorder.save)
    ended = await interpreter.cancel(waiting, RUN, recorder.log)
    assert ended["status"] == "ENDED"
    assert store.cancelled == ["action-1"]


async def test_every_save_is_plain_json_and_the_input_is_never_mutated() -> None:
    run_input = {"src": "/raw", "nested": {"list": [1, 2]}}
    copy_of_input = json.loads(json.dumps(run_input))
    final, recorder, _ = await run(definition(("Copy", COPY)), run_input)
    assert run_input == copy_of_input
    assert all(set(s) >= {"status", "state", "output", "error"} for s in recorder.saves)
    assert [s["status"] for s in recorder.saves][-1] == "SUCCEEDED"
    assert final == recorder.saves[-1]

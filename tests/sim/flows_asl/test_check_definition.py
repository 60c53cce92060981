"""``check_definition`` and ``action_urls``: definitions refused before they ever run."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from gtui.sim.flows.asl import Interpreter, action_urls, check_definition

from .provider import Clock, Provider

# The definitions of the SDK's test fixtures (globus_sdk/testing/data/flows/_common.py and
# validate_flow.py), written out: importing globus_sdk.testing needs `responses`.
_TRANSFER = "https://actions.globus.org/transfer/transfer"


def _hop(source: str, destination: str, result: str) -> dict[str, Any]:
    return {
        "Type": "Action",
        "ActionUrl": _TRANSFER,
        "Parameters": {
            "transfer_items": [
                {
                    "recursive": True,
                    "source_path.$": f"$.{source}_path",
                    "destination_path.$": f"$.{destination}_path",
                }
            ],
            "source_endpoint_id.$": f"$.{source}_endpoint_id",
            "destination_endpoint_id.$": f"$.{destination}_endpoint_id",
        },
        "ResultPath": f"$.{result}",
        "ActionScope": "https://auth.globus.org/scopes/actions.globus.org/transfer/transfer",
    }


TWO_HOP_TRANSFER_FLOW_DEFINITION = {
    "States": {
        "Transfer1": {"Next": "Transfer2", **_hop("source", "staging", "Transfer1Result")},
        "Transfer2": {"End": True, **_hop("staging", "destination", "Transfer2Result")},
    },
    "Comment": "Two step transfer",
    "StartAt": "Transfer1",
}
_STEP1 = {
    "Type": "Action",
    "ActionUrl": "https://transfer.actions.globus.org/transfer",
    "Parameters": {
        "source_endpoint.$": "$.source_endpoint_id",
        "destination_endpoint.$": "$.destination_endpoint_id",
        "DATA": [{"source_path.$": "$.source_path", "destination_path.$": "$.destination_path"}],
    },
    "ResultPath": "$.TransferResult",
}
VALIDATE_SIMPLE_FLOW_DEFINITION = {
    "Comment": "Simple flow",
    "StartAt": "Step1",
    "States": {"Step1": {**_STEP1, "End": True}},
}
VALIDATE_INVALID_FLOW_DEFINITION = {
    "Comment": "Simple flow",
    "StartAt": "Step1",
    "States": {"Step1": _STEP1},
}


def test_the_sdk_fixture_definitions_are_accepted() -> None:
    assert check_definition(TWO_HOP_TRANSFER_FLOW_DEFINITION) == []
    assert check_definition(VALIDATE_SIMPLE_FLOW_DEFINITION) == []


def test_the_sdk_fixture_invalid_definition_is_refused_where_flows_refuses_it() -> None:
    assert check_definition(VALIDATE_INVALID_FLOW_DEFINITION) == [
        "$.States.Step1: A state of type 'Action' must be defined as either terminal "
        '("End": true) or transitional ("Next": "NextStateId")'
    ]


def _broken() -> dict[str, Any]:
    return {
        "StartAt": "Copy",
        "Version": "1.0",
        "States": {
            "Copy": {
                "Type": "Action",
                "Parameters": {
                    "src.$": "$.items[*]",
                    "n.=": "len(items)",
                    "nested": [{"dst.$": "source"}],
                },
                "ResultPath": "$._context.x",
                "WaitTime": 0,
                "Catch": [
                    {"ErrorEquals": ["States.ALL"], "Next": "Fix"},
                    {"ErrorEquals": [], "Next": "Gone"},
                ],
                "Next": "Delte",
            },
            "Pick": {
                "Type": "Choice",
                "Choices": [
                    {"Variable": "$.n", "NumericBetween": 3, "Next": "Copy"},
                    {"And": [{"Variable": "$.n", "NumericEquals": "3", "Next": "Copy"}]},
                    {"Variable": "$.n", "IsNull": True},
                ],
                "Default": "Nowhere",
                "OutputPath": "$.x",
            },
            "Nap": {"Type": "Wait", "Seconds": 5, "Timestamp": "soon", "End": True},
            "Stop": {"Type": "Fail", "Error": "E", "ErrorPath": "$.e"},
            "Odd": {"Type": "Parallel", "End": True},
            "Fix": {"Type": "Pass", "Result": 1, "Parameters": {}, "Next": "Fix", "End": True},
        },
    }


def test_every_problem_is_one_sentence_naming_where() -> None:
    problems = check_definition(_broken())
    expected = [
        "$.Version: is not a field of a flow definition",
        "$.States.Copy.ActionUrl: an Action state needs the URL of its action",
        "$.States.Copy.Next: no state named 'Delte'",
        "$.States.Copy.ResultPath: $._context is the run's read-only context and cannot be set",
        "$.States.Copy.WaitTime: must be a number of seconds above zero",
        "$.States.Copy.Catch[0].ErrorEquals: States.ALL must be alone, in the last catcher",
        "$.States.Copy.Catch[1].ErrorEquals: must be a non-empty list of error names",
        "$.States.Copy.Catch[1].Next: no state named 'Gone'",
        "$.States.Pick.OutputPath: is not allowed in a flow; use ResultPath",
        "$.States.Pick.Choices[0].NumericBetween: is not a choice operator this service knows",
        "$.States.Pick.Choices[1].And[0]: only top-level choice rules may have a Next",
        "$.States.Pick.Choices[1].And[0].NumericEquals: must be a number",
        "$.States.Pick.Choices[1]: a choice rule needs a Next naming a state",
        "$.States.Pick.Choices[2]: a choice rule needs a Next naming a state",
        "$.States.Pick.Default: no state named 'Nowhere'",
        "$.States.Nap: a Wait state needs exactly one of Seconds, SecondsPath, Timestamp, "
        "TimestampPath",
        "$.States.Nap.Timestamp: must be a timestamp with a time zone (RFC 3339)",
        "$.States.Stop: Error and ErrorPath cannot both be given",
        "$.States.Odd.Type: 'Parallel' is not a state type this service runs "
        "(Action, Pass, Choice, Wait, Fail, Succeed)",
        "$.States.Fix: A state of type 'Pass' must be defined as either terminal "
        '("End": true) or transitional ("Next": "NextStateId")',
        "$.States.Fix: a Pass state takes either Parameters or Result, not both",
        "$.States.Pick: no state leads here from StartAt",
        "$.States.Nap: no state leads here from StartAt",
        "$.States.Stop: no state leads here from StartAt",
        "$.States.Odd: no state leads here from StartAt",
    ]
    for sentence in expected:
        assert sentence in problems, f"missing: {sentence}\nall: {problems}"
    paths = [p for p in problems if p.startswith("$.States.Copy.Parameters")]
    assert any("src" in p and "[*] is not supported" in p for p in paths), paths
    assert any("n.=" in p and "function calls" in p for p in paths), paths
    assert any("nested[0]" in p and "does not start with '$'" in p for p in paths), paths


@pytest.mark.parametrize(
    ("definition", "problem"),
    [
        ([], "$: a flow definition must be a JSON object"),
        ({"StartAt": "A"}, "$.States: must be an object with at least one state"),
        ({"States": {"A": {"Type": "Succeed"}}}, "$.StartAt: must name the first state"),
        (
            {"StartAt": "B", "States": {"A": {"Type": "Succeed"}}},
            "$.StartAt: no state named 'B'",
        ),
        (
            {"StartAt": "A", "States": {"A": {"Type": "Succeed", "Next": "A"}}},
            "$.States.A.Next: is not a field of a Succeed state",
        ),
        (
            {"StartAt": "A", "States": {"A": {"Type": "Choice", "Choices": []}}},
            "$.States.A.Choices: must be a non-empty list of choice rules",
        ),
    ],
)
def test_structural_problems(definition: Any, problem: str) -> None:
    assert problem in check_definition(definition)


def test_the_interpreter_refuses_a_definition_with_problems() -> None:
    with pytest.raises(ValueError, match="no state named 'Delte'"):
        Interpreter(_broken(), Provider(Clock()))


def test_action_urls_are_sorted_and_unique() -> None:
    definition = copy.deepcopy(TWO_HOP_TRANSFER_FLOW_DEFINITION)
    definition["States"]["Transfer2"]["Next"] = "Delete"
    del definition["States"]["Transfer2"]["End"]
    definition["States"]["Delete"] = {
        "Type": "Action",
        "ActionUrl": "https://actions.globus.org/transfer/delete",
        "End": True,
    }
    assert action_urls(definition) == [
        "https://actions.globus.org/transfer/delete",
        "https://actions.globus.org/transfer/transfer",
    ]
    assert action_urls({"States": "none"}) == []

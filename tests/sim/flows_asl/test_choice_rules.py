"""Choice rules: every operator family, combinators, and the ASL's edge cases."""

from __future__ import annotations

from typing import Any

import pytest

from gtui.sim.flows.asl.choice import matches
from gtui.sim.flows.asl.errors import StateFailure

DATA = {
    "name": "run-2025.tar",
    "count": 12,
    "limit": 10,
    "ok": True,
    "nothing": None,
    "when": "2025-03-01T12:00:00+00:00",
    "later": "2025-03-02T00:00:00Z",
    "star": "a*b",
}


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"StringEquals": "run-2025.tar"}, True),
        ({"StringMatches": "run-*.tar"}, True),
        ({"StringMatches": "*.zip"}, False),
        ({"StringLessThan": "s"}, True),
        ({"StringGreaterThanEquals": "run"}, True),
        ({"NumericEquals": 12}, False),
        ({"NumericGreaterThan": 11.5}, False),
        ({"NumericLessThanEquals": 12}, False),
        ({"StringEqualsPath": "$.name"}, True),
    ],
)
def test_string_operators_on_name(rule: dict[str, Any], expected: bool) -> None:
    assert matches({"Variable": "$.name", **rule}, DATA, {}) is expected


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"Variable": "$.count", "NumericGreaterThan": 11.5}, True),
        ({"Variable": "$.count", "NumericGreaterThanPath": "$.limit"}, True),
        ({"Variable": "$.count", "NumericLessThanPath": "$.limit"}, False),
        ({"Variable": "$.count", "NumericEquals": 12}, True),
        ({"Variable": "$.count", "StringEquals": "12"}, False),  # another type compares false
        ({"Variable": "$.ok", "BooleanEquals": True}, True),
        ({"Variable": "$.ok", "NumericEquals": 1}, False),  # a boolean is not a number
        ({"Variable": "$.when", "TimestampLessThanPath": "$.later"}, True),
        ({"Variable": "$.when", "TimestampEquals": "2025-03-01T13:00:00+01:00"}, True),
        ({"Variable": "$.star", "StringMatches": "a\\*b"}, True),
        ({"Variable": "$.name", "StringMatches": "a\\*b"}, False),
        ({"Variable": "$.nothing", "IsNull": True}, True),
        ({"Variable": "$.missing", "IsPresent": False}, True),
        ({"Variable": "$.count", "IsPresent": True}, True),
        ({"Variable": "$.count", "IsNumeric": True}, True),
        ({"Variable": "$.ok", "IsNumeric": True}, False),
        ({"Variable": "$.name", "IsString": True}, True),
        ({"Variable": "$.ok", "IsBoolean": True}, True),
        ({"Variable": "$.when", "IsTimestamp": True}, True),
        ({"Variable": "$.name", "IsTimestamp": False}, True),
    ],
)
def test_comparisons_follow_the_states_language(rule: dict[str, Any], expected: bool) -> None:
    assert matches(rule, DATA, {}) is expected


def test_and_or_not_combine_rules() -> None:
    big = {"Variable": "$.count", "NumericGreaterThan": 10}
    tar = {"Variable": "$.name", "StringMatches": "*.tar"}
    zip_ = {"Variable": "$.name", "StringMatches": "*.zip"}
    assert matches({"And": [big, tar]}, DATA, {})
    assert not matches({"And": [big, zip_]}, DATA, {})
    assert matches({"Or": [zip_, big]}, DATA, {})
    assert matches({"Not": zip_}, DATA, {})
    assert matches({"And": [{"Not": zip_}, {"Or": [zip_, tar]}]}, DATA, {})


def test_a_missing_variable_is_a_runtime_error() -> None:
    with pytest.raises(StateFailure) as caught:
        matches({"Variable": "$.missing", "NumericEquals": 1}, DATA, {})
    assert caught.value.error == "States.Runtime"
    assert "has no field 'missing'" in caught.value.cause


def test_rules_read_the_run_context() -> None:
    rule = {"Variable": "$._context.run_id", "StringEquals": "r1"}
    assert matches(rule, DATA, {"run_id": "r1"})

"""Choice rules: the ASL's comparisons, ``And``/``Or``/``Not``, checked and evaluated.

Comparisons follow the States Language: a value of another type than the operator's compares
false; a ``Variable`` that names nothing is a ``States.Runtime`` error except for
``IsPresent``; ``StringMatches`` knows ``*`` (``\\*`` for a star itself).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from typing import Any

from gtui.sim.flows.asl import errors
from gtui.sim.flows.asl.paths import PathMissing, PathSyntaxError, has_path, parse_path, read_path

_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "Equals": operator.eq,
    "LessThan": operator.lt,
    "GreaterThan": operator.gt,
    "LessThanEquals": operator.le,
    "GreaterThanEquals": operator.ge,
}
_KINDS = ("String", "Numeric", "Boolean", "Timestamp")
TESTS = ("IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp")
COMBINATORS = ("And", "Or", "Not")


def _comparisons() -> dict[str, tuple[str, str, bool]]:
    """Operator name → (kind, order or "Matches", operand is a path)."""
    table: dict[str, tuple[str, str, bool]] = {}
    for kind in _KINDS:
        orders = ("Equals",) if kind == "Boolean" else tuple(_ORDER)
        for order in orders:
            table[kind + order] = (kind, order, False)
            table[kind + order + "Path"] = (kind, order, True)
    table["StringMatches"] = ("String", "Matches", False)
    return table


COMPARISONS = _comparisons()


def parse_timestamp(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _of_kind(kind: str, value: Any) -> Any:
    """``value`` as the operator's kind compares it, or None when it is another type."""
    if kind == "String":
        return value if isinstance(value, str) else None
    if kind == "Numeric":
        number = isinstance(value, int | float) and not isinstance(value, bool)
        return value if number else None
    if kind == "Boolean":
        return value if isinstance(value, bool) else None
    return parse_timestamp(value)


@lru_cache(maxsize=256)
def _glob(pattern: str) -> re.Pattern[str]:
    parts: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            parts.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        parts.append(".*" if char == "*" else re.escape(char))
        i += 1
    return re.compile("".join(parts), re.DOTALL)


def _operator_of(rule: dict[str, Any]) -> str | None:
    names = [key for key in rule if key in COMPARISONS or key in TESTS]
    return names[0] if len(names) == 1 else None


def matches(rule: dict[str, Any], data: Any, context: dict[str, Any]) -> bool:
    """Whether one (checked) Choice rule holds for ``data``."""
    if "And" in rule:
        return all(matches(inner, data, context) for inner in rule["And"])
    if "Or" in rule:
        return any(matches(inner, data, context) for inner in rule["Or"])
    if "Not" in rule:
        return not matches(rule["Not"], data, context)
    name = _operator_of(rule)
    variable = rule["Variable"]
    if name == "IsPresent":
        return bool(has_path(data, variable, context) == rule[name])
    try:
        value = read_path(data, variable, context)
    except PathMissing as exc:
        raise errors.StateFailure(errors.RUNTIME, f"Variable {variable}: {exc}") from None
    if name in TESTS:
        return bool(_test(name, value) == rule[name])
    assert name is not None
    kind, order, is_path = COMPARISONS[name]
    operand = rule[name]
    if is_path:
        try:
            operand = read_path(data, operand, context)
        except PathMissing as exc:
            raise errors.StateFailure(errors.RUNTIME, f"{name} {rule[name]}: {exc}") from None
    left, right = _of_kind(kind, value), _of_kind(kind, operand)
    if left is None or right is None:
        return False
    if order == "Matches":
        return _glob(right).fullmatch(left) is not None
    return _ORDER[order](left, right)


def _test(name: str, value: Any) -> bool:
    if name == "IsNull":
        return value is None
    if name == "IsNumeric":
        return _of_kind("Numeric", value) is not None
    if name == "IsString":
        return isinstance(value, str)
    if name == "IsBoolean":
        return isinstance(value, bool)
    return parse_timestamp(value) is not None


def rule_problems(
    rule: Any, where: str, top: bool, problem: Callable[[str, str], None]
) -> list[str]:
    """Reports what is wrong with one Choice rule; returns the Next it names (if top level)."""
    if not isinstance(rule, dict):
        problem(where, "a choice rule must be an object")
        return []
    nexts: list[str] = []
    if top:
        if isinstance(rule.get("Next"), str):
            nexts.append(rule["Next"])
        else:
            problem(where, "a choice rule needs a Next naming a state")
    elif "Next" in rule:
        problem(where, "only top-level choice rules may have a Next")
    combinators = [key for key in COMBINATORS if key in rule]
    if combinators:
        extra = sorted(set(rule) - {"Next", "Comment", *combinators})
        if len(combinators) > 1 or extra:
            problem(
                where,
                f"{combinators[0]} cannot be combined with {', '.join(extra or combinators[1:])}",
            )
        key = combinators[0]
        if key == "Not":
            rule_problems(rule["Not"], f"{where}.Not", False, problem)
        elif not isinstance(rule[key], list) or not rule[key]:
            problem(f"{where}.{key}", "must be a non-empty list of choice rules")
        else:
            for index, inner in enumerate(rule[key]):
                rule_problems(inner, f"{where}.{key}[{index}]", False, problem)
        return nexts
    unknown = sorted(set(rule) - {"Next", "Comment", "Variable", *COMPARISONS, *TESTS})
    for key in unknown:
        problem(f"{where}.{key}", "is not a choice operator this service knows")
    if "Variable" not in rule:
        problem(where, "a comparison needs a Variable (or use And, Or, Not)")
    else:
        _path_problem(rule["Variable"], f"{where}.Variable", problem)
    operators = [key for key in rule if key in COMPARISONS or key in TESTS]
    if len(operators) != 1:
        problem(where, f"a comparison needs exactly one operator, found {len(operators)}")
        return nexts
    name = operators[0]
    operand = rule[name]
    here = f"{where}.{name}"
    if name in TESTS:
        if not isinstance(operand, bool):
            problem(here, "must be true or false")
        return nexts
    kind, _order, is_path = COMPARISONS[name]
    if is_path:
        _path_problem(operand, here, problem)
    elif _of_kind(kind, operand) is None:
        wanted = {
            "String": "a string",
            "Numeric": "a number",
            "Boolean": "true or false",
            "Timestamp": "a timestamp with a time zone (RFC 3339)",
        }[kind]
        problem(here, f"must be {wanted}")
    return nexts


def _path_problem(value: Any, where: str, problem: Callable[[str, str], None]) -> None:
    try:
        parse_path(value)
    except PathSyntaxError as exc:
        problem(where, str(exc))

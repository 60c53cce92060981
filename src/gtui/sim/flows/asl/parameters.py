"""``Parameters`` (and Pass ``Result``) templates filled in from the state's input.

A key ending ``.$`` takes the value its path names (``"src.$": "$.source.path"``), a key
ending ``.=`` the value of its expression; the suffix is dropped. Objects and lists are filled
in all the way down; every other value is copied as written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gtui.sim.flows.asl import errors
from gtui.sim.flows.asl.expressions import EvaluationError, check_expression, evaluate
from gtui.sim.flows.asl.paths import (
    CONTEXT_KEY,
    PathMissing,
    PathSyntaxError,
    parse_path,
    read_path,
)

PRIVATE_KEY = "__Private_Parameters"


def render(template: Any, data: Any, context: dict[str, Any]) -> Any:
    """``template`` filled in from ``data`` (the state's effective input) and the run context;
    StateFailure when a path names nothing or an expression fails."""
    if isinstance(template, list):
        return [render(item, data, context) for item in template]
    if not isinstance(template, dict):
        return template
    out: dict[str, Any] = {}
    for key, value in template.items():
        if key.endswith(".$"):
            try:
                out[key[:-2]] = read_path(data, value, context)
            except PathMissing as exc:
                raise errors.StateFailure(
                    errors.PARAMETER_PATH_FAILURE, f"{key} ({value}): {exc}"
                ) from None
        elif key.endswith(".="):
            names = dict(data) if isinstance(data, dict) else {}
            names[CONTEXT_KEY] = context
            try:
                out[key[:-2]] = evaluate(value, names)
            except EvaluationError as exc:
                raise errors.StateFailure(errors.RUNTIME, f"{key} ({value}): {exc}") from None
        else:
            out[key] = render(value, data, context)
    return out


def private_keys(template: Any) -> list[str]:
    """The parameter names a definition asks to keep out of the run's log."""
    if isinstance(template, dict):
        names = template.get(PRIVATE_KEY)
        if isinstance(names, list):
            return [name for name in names if isinstance(name, str)]
    return []


def template_problems(template: Any, where: str, problem: Callable[[str, str], None]) -> None:
    """Reports each malformed ``.$`` path and unparsable ``.=`` expression in ``template``."""
    if isinstance(template, list):
        for index, item in enumerate(template):
            template_problems(item, f"{where}[{index}]", problem)
        return
    if not isinstance(template, dict):
        return
    for key, value in template.items():
        here = f"{where}.{key}" if key.isidentifier() else f"{where}['{key}']"
        if key == PRIVATE_KEY:
            if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
                problem(here, "must be a list of parameter names")
        elif key.endswith(".$"):
            try:
                parse_path(value)
            except PathSyntaxError as exc:
                problem(here, str(exc))
        elif key.endswith(".="):
            try:
                check_expression(value)
            except ValueError as exc:
                problem(here, str(exc))
        else:
            template_problems(value, here, problem)

"""The JSONPath subset flow definitions use: ``$``, ``.name``, ``['name']`` and ``[0]``.

Reference paths (``"x.$": "$.a.b"``, ``InputPath``, ``ResultPath``, Choice ``Variable``) name
one value, so wildcards, slices, filters and recursive descent are refused when the
definition is checked rather than guessed at while a run is going. ``$._context`` is the
run's read-only context (Globus Flows' "Run Context"); ``$$`` context paths are not Globus'.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from typing import Any

Step = str | int
CONTEXT_KEY = "_context"


class PathSyntaxError(ValueError):
    """A path that is not in the supported subset (a problem with the definition)."""


class PathMissing(LookupError):
    """A well-formed path that names nothing in the document at hand."""


def parse_path(text: object) -> tuple[Step, ...]:
    """The steps of a reference path, or PathSyntaxError saying what is wrong with it."""
    if not isinstance(text, str):
        raise PathSyntaxError(f"a path must be a string starting with '$', not {text!r}")
    return _parse(text)


@lru_cache(maxsize=1024)
def _parse(text: str) -> tuple[Step, ...]:
    if text.startswith("$$"):
        raise PathSyntaxError(f"{text!r}: '$$' context paths are not supported; use $._context")
    if not text.startswith("$"):
        raise PathSyntaxError(f"{text!r} does not start with '$'")
    steps: list[Step] = []
    i, n = 1, len(text)
    while i < n:
        char = text[i]
        if char == ".":
            j = i + 1
            while j < n and text[j] not in ".[":
                j += 1
            name = text[i + 1 : j]
            if not name:
                raise PathSyntaxError(f"{text!r}: empty name after '.' (no recursive descent)")
            if name == "*" or any(c in name for c in "*?()@'\" ]"):
                raise PathSyntaxError(f"{text!r}: {name!r} is not a plain field name")
            steps.append(name)
            i = j
        elif char == "[":
            step, i = _bracket(text, i + 1)
            steps.append(step)
        else:
            raise PathSyntaxError(f"{text!r}: unexpected {char!r} at position {i}")
    return tuple(steps)


def _bracket(text: str, i: int) -> tuple[Step, int]:
    """The step inside ``[...]`` starting at ``i``, and the index after the ``]``."""
    n = len(text)
    if i < n and text[i] in "'\"":
        quote = text[i]
        chars: list[str] = []
        j = i + 1
        while j < n and text[j] != quote:
            if text[j] == "\\" and j + 1 < n:
                j += 1
            chars.append(text[j])
            j += 1
        if j + 1 >= n or text[j + 1] != "]":
            raise PathSyntaxError(f"{text!r}: unterminated [{quote}...{quote}]")
        return "".join(chars), j + 2
    end = text.find("]", i)
    if end < 0:
        raise PathSyntaxError(f"{text!r}: '[' without ']'")
    inner = text[i:end]
    if not inner.isdigit():
        raise PathSyntaxError(f"{text!r}: [{inner}] is not supported (only [index] and ['name'])")
    return int(inner), end + 1


def show(steps: tuple[Step, ...]) -> str:
    """A path written back from its steps (for messages)."""
    out = "$"
    for step in steps:
        if isinstance(step, int):
            out += f"[{step}]"
        elif step.isidentifier():
            out += f".{step}"
        else:
            out += "[" + repr(step) + "]"
    return out


def read_path(doc: Any, path: str, context: Any = None) -> Any:
    """The value ``path`` names in ``doc``; ``$._context`` reads ``context`` when given."""
    steps = parse_path(path)
    value = doc
    for depth, step in enumerate(steps):
        if depth == 0 and step == CONTEXT_KEY and context is not None:
            value = context
            continue
        value = _step_into(value, step, steps[:depth])
    return value


def has_path(doc: Any, path: str, context: Any = None) -> bool:
    """Whether ``path`` names a value in ``doc`` (Choice ``IsPresent``)."""
    try:
        read_path(doc, path, context)
    except PathMissing:
        return False
    return True


def _step_into(value: Any, step: Step, before: tuple[Step, ...]) -> Any:
    where = show(before)
    if isinstance(step, int):
        if not isinstance(value, list):
            raise PathMissing(f"{where} is not a list, so it has no [{step}]")
        if step >= len(value):
            raise PathMissing(f"{where} has {len(value)} items, so no [{step}]")
        return value[step]
    if not isinstance(value, dict):
        raise PathMissing(f"{where} is not an object, so it has no field {step!r}")
    if step not in value:
        raise PathMissing(f"{where} has no field {step!r}")
    return value[step]


def write_path(doc: Any, path: str, value: Any) -> Any:
    """A copy of ``doc`` with ``value`` placed at ``path`` (``$`` replaces it all); missing
    objects on the way are made, lists are never grown."""
    steps = parse_path(path)
    if not steps:
        return copy.deepcopy(value)
    root = copy.deepcopy(doc)
    if not isinstance(root, dict) and isinstance(steps[0], str):
        raise PathMissing(f"the state's data is not an object, so {path} cannot be set")
    node = root
    for depth, step in enumerate(steps[:-1]):
        if isinstance(step, str) and isinstance(node, dict) and step not in node:
            node[step] = {}
        node = _step_into(node, step, steps[:depth])
    last = steps[-1]
    where = show(steps[:-1])
    if isinstance(last, int):
        if not isinstance(node, list) or last >= len(node):
            raise PathMissing(f"{where} has no item [{last}] to set")
        node[last] = copy.deepcopy(value)
    else:
        if not isinstance(node, dict):
            raise PathMissing(f"{where} is not an object, so {last!r} cannot be set in it")
        node[last] = copy.deepcopy(value)
    return root

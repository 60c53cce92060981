"""The ``filter`` and ``orderby`` parameters of ``operation/endpoint/{id}/ls``.

A filter parameter is a ``/``-joined list of ``field:value`` clauses that must all match;
repeated ``filter`` parameters are alternatives (a match of any one keeps the entry).
"""

from __future__ import annotations

import calendar
import fnmatch
import operator
import re
import time
from collections.abc import Callable, Iterable

from gtui.sim.errors import SimAPIError
from gtui.sim.transfer.files import Entry

Predicate = Callable[[Entry], bool]
ORDER_FIELDS = ("name", "type", "size", "permissions", "user", "group", "last_modified")
_OPERATOR = re.compile(r"^(>=|<=|!=|>|<|=)?(.*)$", re.S)


def bad_filter(message: str) -> SimAPIError:
    return SimAPIError(400, "ClientError.BadRequest", message)


def _glob(pattern: str) -> Callable[[str], bool]:
    regex = re.compile(fnmatch.translate(pattern), re.S)
    return lambda text: regex.match(text) is not None


def _name_clause(value: str) -> Predicate:
    negate = value.startswith("!")
    if negate:
        value = value[1:]
    if value.startswith("~"):
        matchers = [_glob(v) for v in value[1:].split(",")]
    else:
        if value.startswith("="):
            value = value[1:]
        wanted = set(value.split(","))

        def matchers_exact(name: str) -> bool:
            return name in wanted

        matchers = [matchers_exact]
    if negate:
        return lambda e: not any(m(e.name) for m in matchers)
    return lambda e: any(m(e.name) for m in matchers)


def _type_clause(value: str) -> Predicate:
    kinds = set(value.split(","))
    if not kinds <= {"dir", "file", "invalid_symlink"}:
        raise bad_filter(f"Invalid filter: unknown type {value!r}")
    return lambda e: e.type in kinds


def _parse_time(text: str) -> float:
    text = text.strip().replace("T", " ")
    if text.endswith("Z"):
        text = text[:-1]
    if len(text) > 6 and text[-6] in "+-" and text[-3] == ":":
        text = text[:-6]
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return float(calendar.timegm(time.strptime(text, fmt)))
        except ValueError:
            continue
    raise bad_filter(f"Invalid filter: cannot read the date {text!r}")


def _parse_size(text: str) -> float:
    try:
        return float(int(text))
    except ValueError:
        raise bad_filter(f"Invalid filter: {text!r} is not a size") from None


def _range_clause(
    value: str, key: Callable[[Entry], float], parse: Callable[[str], float]
) -> Predicate:
    if "," in value:
        low_text, _, high_text = value.partition(",")
        low = parse(low_text) if low_text.strip() else None
        high = parse(high_text) if high_text.strip() else None

        def in_range(e: Entry) -> bool:
            k = key(e)
            return (low is None or k >= low) and (high is None or k <= high)

        return in_range
    match = _OPERATOR.match(value)
    assert match is not None
    op, operand = match.group(1) or "=", parse(match.group(2))
    compare: dict[str, Callable[[float], bool]] = {
        "=": lambda k: k == operand,
        "!=": lambda k: k != operand,
        ">": lambda k: k > operand,
        "<": lambda k: k < operand,
        ">=": lambda k: k >= operand,
        "<=": lambda k: k <= operand,
    }
    test = compare[op]
    return lambda e: test(key(e))


def _text_clause(field: str, value: str) -> Predicate:
    index = Entry._fields.index(field)
    negate = value.startswith("!")
    wanted = set((value[1:] if negate else value).lstrip("=").split(","))
    if negate:
        return lambda e: e[index] not in wanted
    return lambda e: e[index] in wanted


def _clause(text: str) -> Predicate:
    field, sep, value = text.partition(":")
    if not sep:
        raise bad_filter(f"Invalid filter clause {text!r}: expected field:value")
    field = field.strip()
    if field == "name":
        return _name_clause(value)
    if field == "type":
        return _type_clause(value)
    if field == "size":
        return _range_clause(value, lambda e: float(e.size), _parse_size)
    if field == "last_modified":
        return _range_clause(value, lambda e: float(int(e.mtime)), _parse_time)
    if field in ("user", "group", "permissions"):
        return _text_clause(field, value)
    raise bad_filter(f"Invalid filter: unknown field {field!r}")


def parse_filter(params: Iterable[str]) -> Predicate | None:
    """One predicate for every ``filter`` parameter (ORed), each a ``/``-joined AND."""
    alternatives: list[list[Predicate]] = []
    for param in params:
        if not param:
            continue
        clauses = [_clause(c) for c in param.split("/") if c]
        if clauses:
            alternatives.append(clauses)
    if not alternatives:
        return None
    if len(alternatives) == 1 and len(alternatives[0]) == 1:
        return alternatives[0][0]
    return lambda e: any(all(c(e) for c in clauses) for clauses in alternatives)


def parse_orderby(params: Iterable[str]) -> list[tuple[str, bool]]:
    """``[(field, descending), ...]`` from ``orderby`` values like ``"type ASC,name DESC"``."""
    order: list[tuple[str, bool]] = []
    for param in params:
        for part in param.split(","):
            words = part.split()
            if not words:
                continue
            field = words[0]
            direction = words[1].upper() if len(words) > 1 else "ASC"
            if field not in ORDER_FIELDS or direction not in ("ASC", "DESC") or len(words) > 2:
                raise bad_filter(f"Invalid orderby {part.strip()!r}")
            order.append((field, direction == "DESC"))
    return order


def apply_order(entries: list[Entry], order: list[tuple[str, bool]]) -> None:
    """Sort in place by each key, the first key deciding (a stable multi-key sort)."""
    for field, descending in reversed(order):
        if field == "last_modified":
            entries.sort(key=lambda e: e.mtime, reverse=descending)
        else:
            index = Entry._fields.index(field)
            entries.sort(key=operator.itemgetter(index), reverse=descending)

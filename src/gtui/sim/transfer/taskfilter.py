"""The ``filter`` and ``orderby`` of ``task_list`` and the ``filter`` of ``event_list``, as SQL.

A task filter is one string of ``/``-joined clauses, all of which must match: ``type:`` and
``status:`` and ``task_id:`` take comma lists, the time fields take ``start,end`` with either end
left empty, and ``label:`` takes a comma list of label patterns that must all hold (the CLI's
``--filter-label a --filter-not-label b`` sends ``label:~a,!~b``): ``~pattern`` matches the
whole label ignoring case, ``*`` standing for any run of characters (``~wire-s*``), ``!~pattern``
is its negation, ``=exact`` (or a bare value) matches the label exactly and ``!exact`` excludes
it; a task without a label has the empty label.
Without a ``type`` clause only transfers are listed, as the real service does. Each clause
becomes a condition on a column of ``transfer_tasks`` (schema.py) with the same meaning the
service has always given it: labels compare case-folded as Python folds them, times as
instants, and an order sorts missing values first, ties in submission order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gtui.sim.errors import SimAPIError
from gtui.sim.transfer.model import parse_iso
from gtui.sim.transfer.rows import COPIED_COLUMNS

TASK_TYPES = ("TRANSFER", "DELETE")
TASK_STATUSES = ("ACTIVE", "INACTIVE", "SUCCEEDED", "FAILED")
# Each has a column of its own in ``transfer_tasks``.
ORDERABLE = (
    "task_id",
    "type",
    "status",
    "label",
    "request_time",
    "completion_time",
    *COPIED_COLUMNS,
)
TIME_COLUMNS = {"request_time": "request_seconds", "completion_time": "completion_seconds"}


@dataclass(frozen=True)
class Condition:
    """A SQL condition and its parameters."""

    sql: str
    params: tuple[Any, ...] = ()


NEVER = Condition("0")


def bad_filter(message: str) -> SimAPIError:
    return SimAPIError(400, "ClientError.BadRequest", message)


def all_of(conditions: list[Condition]) -> Condition:
    if not conditions:
        return Condition("1")
    return Condition(
        " AND ".join(f"({c.sql})" for c in conditions),
        tuple(p for c in conditions for p in c.params),
    )


def one_of(column: str, values: set[str]) -> Condition:
    if not values:
        return NEVER
    ordered = sorted(values)
    return Condition(f"{column} IN ({','.join('?' * len(ordered))})", tuple(ordered))


def _in_list(field: str, value: str, allowed: tuple[str, ...] | None) -> Condition:
    wanted = {v.strip() for v in value.split(",") if v.strip()}
    if field != "task_id":
        wanted = {v.upper() for v in wanted}
    if allowed is not None and not wanted <= set(allowed):
        raise bad_filter(f"Invalid {field} filter '{value}'")
    return one_of(field, wanted)


def _glob(pattern: str) -> str:
    """A ``~`` pattern as an SQLite GLOB over the folded label: only ``*`` is a wildcard."""
    special = {"?": "[?]", "[": "[[]"}
    return "".join(special.get(ch, ch) for ch in pattern.lower())


def _one_label(value: str) -> Condition:
    if value.startswith("!~"):
        return Condition("NOT (label_folded GLOB ?)", (_glob(value[2:]),))
    if value.startswith("~"):
        return Condition("label_folded GLOB ?", (_glob(value[1:]),))
    if value.startswith("!"):
        return Condition("coalesce(label, '') != ?", (value[1:],))
    exact = value[1:] if value.startswith("=") else value
    return Condition("coalesce(label, '') = ?", (exact,))


def _label(value: str) -> Condition:
    """Every pattern of a ``label:`` clause must hold."""
    parts = [p for p in value.split(",") if p] or [value]
    return all_of([_one_label(p) for p in parts])


def _time_range(field: str, value: str) -> Condition:
    start_text, _, end_text = value.partition(",")
    try:
        start = parse_iso(start_text) if start_text.strip() else None
        end = parse_iso(end_text) if end_text.strip() else None
    except ValueError:
        raise bad_filter(f"Invalid {field} filter '{value}'") from None
    column = TIME_COLUMNS[field]
    conditions = [Condition(f"{column} IS NOT NULL")]
    if start is not None:
        conditions.append(Condition(f"{column} >= ?", (start,)))
    if end is not None:
        conditions.append(Condition(f"{column} <= ?", (end,)))
    return all_of(conditions)


def parse_task_filter(text: str | None) -> Condition:
    """The condition on ``transfer_tasks`` rows that a ``task_list`` filter stands for."""
    clauses: list[Condition] = []
    has_type = False
    for part in (text or "").split("/"):
        if not part:
            continue
        field, sep, value = part.partition(":")
        if not sep:
            raise bad_filter(f"Invalid filter clause '{part}'")
        if field == "type":
            has_type = True
            clauses.append(_in_list("type", value, TASK_TYPES))
        elif field == "status":
            clauses.append(_in_list("status", value, TASK_STATUSES))
        elif field == "task_id":
            clauses.append(_in_list("task_id", value, None))
        elif field == "label":
            clauses.append(_label(value))
        elif field in TIME_COLUMNS:
            clauses.append(_time_range(field, value))
        else:
            raise bad_filter(f"Invalid filter field '{field}'")
    if not has_type:
        clauses.append(Condition("type = 'TRANSFER'"))
    return all_of(clauses)


def parse_task_order(orderby: str | None) -> str:
    """The ORDER BY of a ``task_list``: newest request first unless ``orderby`` says otherwise.

    Missing values sort first (SQLite's NULLs); ties keep submission order in the first key's
    direction.
    """
    order: list[tuple[str, bool]] = []
    for part in (orderby or "").split(","):
        words = part.split()
        if not words:
            continue
        direction = words[1].upper() if len(words) > 1 else "ASC"
        if words[0] not in ORDERABLE or direction not in ("ASC", "DESC"):
            raise bad_filter(f"Invalid orderby '{part.strip()}'")
        order.append((words[0], direction == "DESC"))
    if not order:
        order = [("request_time", True)]
    terms = [f"{field} {'DESC' if desc else 'ASC'}" for field, desc in order]
    terms.append(f"sequence {'DESC' if order[0][1] else 'ASC'}")
    return ", ".join(terms)


def parse_event_filter(text: str | None) -> Condition:
    """The condition on ``transfer_events`` rows of an ``event_list`` filter
    (``is_error:true/code:A,B``, all must hold)."""
    clauses: list[Condition] = []
    for part in (text or "").split("/"):
        if not part:
            continue
        field, _, value = part.partition(":")
        if field == "is_error":
            clauses.append(Condition("is_error = ?", (int(value.lower() in ("1", "true")),)))
        elif field == "code":
            clauses.append(one_of("code", set(value.split(","))))
        else:
            raise bad_filter(f"Invalid filter field '{field}'")
    return all_of(clauses)

"""The ``filter`` and ``orderby`` parameters of ``task_list``.

A filter is one string of ``/``-joined clauses, all of which must match: ``type:`` and
``status:`` and ``task_id:`` take comma lists, ``label:`` takes ``~substr``, ``!~substr``,
``=exact`` or ``!exact``, and the time fields take ``start,end`` with either end left empty.
Without a ``type`` clause only transfers are listed, as the real service does.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from gtui.sim.errors import SimAPIError
from gtui.sim.transfer.model import parse_iso

DocPredicate = Callable[[dict[str, Any]], bool]
TASK_TYPES = ("TRANSFER", "DELETE")
TASK_STATUSES = ("ACTIVE", "INACTIVE", "SUCCEEDED", "FAILED")
ORDERABLE = (
    "task_id",
    "type",
    "status",
    "label",
    "request_time",
    "completion_time",
    "deadline",
    "source_endpoint_id",
    "destination_endpoint_id",
    "source_endpoint_display_name",
    "destination_endpoint_display_name",
    "bytes_transferred",
    "files",
    "faults",
)


def bad_filter(message: str) -> SimAPIError:
    return SimAPIError(400, "ClientError.BadRequest", message)


def _in_list(field: str, value: str, allowed: tuple[str, ...] | None) -> DocPredicate:
    wanted = {v.strip() for v in value.split(",") if v.strip()}
    if field != "task_id":
        wanted = {v.upper() for v in wanted}
    if allowed is not None and not wanted <= set(allowed):
        raise bad_filter(f"Invalid {field} filter '{value}'")
    return lambda doc: doc.get(field) in wanted


def _label(value: str) -> DocPredicate:
    if value.startswith("!~"):
        needle = value[2:].lower()
        return lambda doc: needle not in (doc.get("label") or "").lower()
    if value.startswith("~"):
        needle = value[1:].lower()
        return lambda doc: needle in (doc.get("label") or "").lower()
    if value.startswith("!"):
        exact = value[1:]
        return lambda doc: (doc.get("label") or "") != exact
    exact = value[1:] if value.startswith("=") else value
    return lambda doc: (doc.get("label") or "") == exact


def _time_range(field: str, value: str) -> DocPredicate:
    start_text, _, end_text = value.partition(",")
    try:
        start = parse_iso(start_text) if start_text.strip() else None
        end = parse_iso(end_text) if end_text.strip() else None
    except ValueError:
        raise bad_filter(f"Invalid {field} filter '{value}'") from None

    def within(doc: dict[str, Any]) -> bool:
        stamp = doc.get(field)
        if not stamp:
            return False
        moment = parse_iso(stamp)
        return (start is None or moment >= start) and (end is None or moment <= end)

    return within


def parse_task_filter(text: str | None) -> DocPredicate:
    clauses: list[DocPredicate] = []
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
        elif field in ("request_time", "completion_time"):
            clauses.append(_time_range(field, value))
        else:
            raise bad_filter(f"Invalid filter field '{field}'")
    if not has_type:
        clauses.append(lambda doc: doc.get("type") == "TRANSFER")
    return lambda doc: all(c(doc) for c in clauses)


def order_tasks(docs: list[dict[str, Any]], orderby: str | None, sequence: dict[str, int]) -> None:
    """Sort in place; newest request first unless ``orderby`` says otherwise.

    Ties (times have one-second resolution) keep submission order in the first key's direction.
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
    docs.sort(key=lambda d: sequence.get(d["task_id"], 0), reverse=order[0][1])
    for field, descending in reversed(order):
        docs.sort(key=functools.partial(_field_sort_key, field), reverse=descending)


def _field_sort_key(field: str, doc: dict[str, Any]) -> tuple[bool, Any]:
    return _sort_key(doc.get(field))


def _sort_key(value: Any) -> tuple[bool, Any]:
    return (value is not None, value if value is not None else "")

"""The documents that create a transfer timer: `TransferTimer` and its schedule, as dicts.

A schedule is ``{"type": "once", "datetime"?}`` or ``{"type": "recurring",
"interval_seconds", "start"?, "end"?}``, the end being ``{"condition": "iterations",
"count"}`` or ``{"condition": "time", "datetime"}`` (globus-api.md §12). The SDK's docstring
says ``"iterations": N`` where the service, globus-cli and the SDK's own fixtures use
``"count"``: gtui writes ``count`` and turns an ``iterations`` key given to it into one.
"""

from __future__ import annotations

# "datetime" is a parameter name here, as in the SDK, so the module goes by another name.
import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from gtui.core.models import Collection

When = dt.datetime | str

# A transfer document's fields that a timer refuses (each run gets its own submission id).
_NOT_IN_TIMERS = ("submission_id", "skip_activation_check")


def format_when(when: When) -> str:
    """An ISO 8601 time for the service: a datetime keeps its offset (a naive one is read as
    local time, as deadlines are), a string must already be ISO 8601 and is sent as given."""
    if isinstance(when, str):
        text = when.strip()
        try:
            dt.datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
        except ValueError:
            raise ValueError(f"{when!r} is not an ISO 8601 date and time") from None
        return text
    aware = when if when.tzinfo is not None else when.astimezone()
    return aware.isoformat(timespec="seconds")


def end_after_runs(count: int) -> dict[str, Any]:
    """The end of a recurring schedule that stops after ``count`` runs."""
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError(f"a timer ends after 1 or more runs, not {count!r}")
    return {"condition": "iterations", "count": count}


def end_at(when: When) -> dict[str, Any]:
    """The end of a recurring schedule that stops at a time."""
    return {"condition": "time", "datetime": format_when(when)}


def _normal_end(end: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of an end condition with ``iterations`` written as ``count`` and times as ISO."""
    normal: dict[str, Any] = {}
    for key, value in end.items():
        if key == "iterations":
            normal.setdefault("count", value)
        elif isinstance(value, dt.datetime):
            normal[key] = format_when(value)
        else:
            normal[key] = value
    return normal


class OnceTimerSchedule(dict[str, Any]):
    """Run once, at ``datetime`` (an aware datetime or ISO string), or at once when None."""

    def __init__(self, datetime: When | None = None) -> None:
        super().__init__(type="once")
        if datetime is not None:
            self["datetime"] = format_when(datetime)


class RecurringTimerSchedule(dict[str, Any]):
    """Run every ``interval_seconds`` from ``start`` (default: now) until ``end``.

    ``end`` is `end_after_runs(n)`, `end_at(t)` or the same as a dict; None never ends.
    """

    end_after_runs = staticmethod(end_after_runs)
    end_at = staticmethod(end_at)

    def __init__(
        self,
        interval_seconds: int,
        start: When | None = None,
        end: Mapping[str, Any] | None = None,
    ) -> None:
        if (
            isinstance(interval_seconds, bool)
            or not isinstance(interval_seconds, int)
            or interval_seconds < 1
        ):
            raise ValueError(
                f"a timer's interval is a positive number of seconds, not {interval_seconds!r}"
            )
        super().__init__(type="recurring", interval_seconds=interval_seconds)
        if start is not None:
            self["start"] = format_when(start)
        if end is not None:
            self["end"] = _normal_end(end)


class TransferTimer(dict[str, Any]):
    """The body of ``create_timer``: a name, a schedule and the transfer each run submits.

    ``body`` is a `TransferData` or its dict; its ``submission_id`` and
    ``skip_activation_check`` are dropped, as Timers refuses them.
    """

    def __init__(
        self,
        *,
        name: str | None = None,
        schedule: Mapping[str, Any],
        body: Mapping[str, Any],
    ) -> None:
        super().__init__(timer_type="transfer")
        if name is not None:
            self["name"] = name
        self["schedule"] = dict(schedule)
        self["body"] = {k: v for k, v in body.items() if k not in _NOT_IN_TIMERS}


def data_access_collection_ids(endpoint_documents: Iterable[Mapping[str, Any]]) -> list[str]:
    """Ids of the collections whose ``data_access`` a timer's consent must include.

    The same rule as for transfers (`Collection.requires_data_access`: a GCSv5 mapped
    collection that is not high assurance), from the documents ``get_endpoint`` answered.
    """
    found: list[str] = []
    for document in endpoint_documents:
        collection = Collection.from_api(document)
        if collection.requires_data_access and collection.id:
            found.append(collection.id)
    return list(dict.fromkeys(found))

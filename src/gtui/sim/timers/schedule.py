"""When a timer runs: its schedule, checked once when the timer is made, then only read.

Two kinds, as the Timers API has them: ``{"type": "once", "datetime"?}`` and
``{"type": "recurring", "interval_seconds", "start"?, "end"?}`` with an end of
``{"condition": "time", "datetime"}`` or ``{"condition": "iterations", "count"}`` (the SDK's
docstring writes ``iterations`` for the count; both are read, ``count`` is written). Run n of
a recurring timer is due at ``start + n * interval``; times are whole seconds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from gtui.sim.errors import SimAPIError
from gtui.sim.timers.times import iso, parse_time

ONCE = "once"
RECURRING = "recurring"
MIN_INTERVAL_SECONDS = 60


def invalid(detail: str) -> SimAPIError:
    """A 400 answer for a timer document that cannot be used."""
    return SimAPIError(400, "ValidationError", detail)


@dataclass(frozen=True)
class Schedule:
    """A checked schedule: when the first run is due, how often, when it ends."""

    kind: str
    start: int
    interval: int | None = None
    end_time: int | None = None
    end_count: int | None = None

    def to_doc(self) -> dict[str, Any]:
        """The schedule as the API writes it, with the times it chose filled in."""
        if self.kind == ONCE:
            return {"type": ONCE, "datetime": iso(self.start)}
        doc: dict[str, Any] = {
            "type": RECURRING,
            "interval_seconds": self.interval,
            "start": iso(self.start),
        }
        if self.end_time is not None:
            doc["end"] = {"condition": "time", "datetime": iso(self.end_time)}
        elif self.end_count is not None:
            doc["end"] = {"condition": "iterations", "count": self.end_count}
        return doc

    def stop_after(self) -> dict[str, Any]:
        """The older API's ``stop_after``: an end date and a number of runs."""
        if self.kind == ONCE:
            return {"date": None, "n_runs": 1}
        return {"date": iso(self.end_time), "n_runs": self.end_count}

    def run_time(self, slot: int) -> int:
        """When run ``slot`` (counted from 0) is due."""
        return self.start + slot * (self.interval or 0)

    def following(self, slot: int, now: float, n_runs: int) -> tuple[int, int | None]:
        """The run after ``slot`` once ``n_runs`` runs have happened: the first slot due after
        ``now`` (runs missed meanwhile are not replayed), or None when the runs are over."""
        if self.kind == ONCE or self.interval is None:
            return slot + 1, None
        if self.end_count is not None and n_runs >= self.end_count:
            return slot + 1, None
        after_now = math.floor((now - self.start) / self.interval) + 1
        following = max(slot + 1, after_now)
        due = self.run_time(following)
        if self.end_time is not None and due > self.end_time:
            return following, None
        return following, due


def parse_schedule(doc: Any, now: float) -> Schedule:
    """Check a schedule from a create request; times left out mean ``now``."""
    if not isinstance(doc, dict):
        raise invalid("'schedule' must be an object")
    kind = doc.get("type")
    if kind == ONCE:
        return Schedule(ONCE, _time(doc.get("datetime"), "schedule.datetime", now))
    if kind != RECURRING:
        raise invalid("'schedule.type' must be 'once' or 'recurring'")
    interval = doc.get("interval_seconds")
    if isinstance(interval, float) and interval.is_integer():
        interval = int(interval)
    if not isinstance(interval, int) or isinstance(interval, bool):
        raise invalid("'schedule.interval_seconds' must be a whole number of seconds")
    if interval < MIN_INTERVAL_SECONDS:
        raise invalid(
            f"'schedule.interval_seconds' must be at least {MIN_INTERVAL_SECONDS}, not {interval}"
        )
    start = _time(doc.get("start"), "schedule.start", now)
    end_time, end_count = _end(doc.get("end"), start)
    return Schedule(RECURRING, start, interval, end_time, end_count)


def _time(value: Any, field: str, now: float) -> int:
    if value is None:
        return math.floor(now)
    if not isinstance(value, str):
        raise invalid(f"'{field}' must be an ISO 8601 date and time")
    try:
        return math.floor(parse_time(value))
    except ValueError:
        raise invalid(f"'{field}' is not an ISO 8601 date and time: {value!r}") from None


def _end(doc: Any, start: int) -> tuple[int | None, int | None]:
    """The end condition: an end time or a number of runs (neither when absent)."""
    if doc is None:
        return None, None
    if not isinstance(doc, dict):
        raise invalid("'schedule.end' must be an object")
    condition = doc.get("condition")
    if condition is None:
        condition = "time" if "datetime" in doc else "iterations"
    if condition == "time":
        if doc.get("datetime") is None:
            raise invalid("'schedule.end.datetime' is required when the end is a time")
        end = _time(doc["datetime"], "schedule.end.datetime", start)
        if end < start:
            raise invalid("'schedule.end.datetime' must not be before the start")
        return end, None
    if condition != "iterations":
        raise invalid("'schedule.end.condition' must be 'time' or 'iterations'")
    count = doc.get("count", doc.get("iterations"))
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise invalid("'schedule.end.count' must be a whole number of runs, at least 1")
    return None, count

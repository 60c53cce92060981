"""Frozen records of timers for the UI, read from either document Timers answers.

``create_timer`` answers the v2 document (``schedule``, ``number_of_runs``, ``body``); every
``/jobs/`` call answers the v1 one (``start``, ``interval``, ``stop_after``, ``n_runs``,
``callback_body``, ``results``). `Timer.from_document` tells them apart by their keys, so
screens see one shape. A field that is missing or null takes its default; a field of the
wrong type is a `MalformedResponseError`, like any other unusable answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any, Literal, NamedTuple

import httpx

from gtui.core.errors import (
    AuthorizationRequirement,
    MalformedResponseError,
    TimersAPIError,
    parse_authorization_requirement,
)
from gtui.core.http import malformed_error
from gtui.core.models import parse_time
from gtui.core.response import GlobusResponse

ScheduleKind = Literal["once", "recurring"]
_V1_KEYS = frozenset({"n_runs", "interval", "stop_after", "callback_body", "results"})
RUN_SKIPPED = "RunSkipped"


class _Fields:
    """One JSON object's fields by type: missing or null is None, a wrong type is malformed."""

    def __init__(self, doc: Any, where: str, response: httpx.Response | None) -> None:
        self.response = response
        self.where = where
        if not isinstance(doc, Mapping):
            raise self.malformed(f"{where} is not a JSON object")
        self.doc: Mapping[str, Any] = doc

    def malformed(self, reason: str) -> MalformedResponseError:
        return malformed_error(TimersAPIError, self.response or httpx.Response(200), reason)

    def _wrong(self, key: str, expected: str) -> MalformedResponseError:
        return self.malformed(f"{self.where}'s {key!r} is not {expected}")

    def text(self, key: str) -> str | None:
        value = self.doc.get(key)
        if value is None or isinstance(value, str):
            return value
        raise self._wrong(key, "a string")

    def number(self, key: str) -> int | None:
        """An integer; a float with no fraction too (v1 intervals are ``864000.0``)."""
        value = self.doc.get(key)
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        raise self._wrong(key, "a whole number")

    def time(self, key: str) -> datetime | None:
        value = self.doc.get(key)
        if value is None:
            return None
        parsed = parse_time(value)
        if parsed is None:
            raise self._wrong(key, "an ISO 8601 time")
        return parsed

    def fields(self, key: str) -> _Fields | None:
        value = self.doc.get(key)
        if value is None:
            return None
        if not isinstance(value, Mapping):
            raise self._wrong(key, "a JSON object")
        return _Fields(value, f"{self.where}'s {key!r}", self.response)

    def objects(self, key: str) -> list[Mapping[str, Any]]:
        value = self.doc.get(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
            raise self._wrong(key, "a list of JSON objects")
        return value


@dataclass(frozen=True)
class TimerSchedule:
    """When a timer runs: once at ``start``, or every ``interval_seconds`` from ``start`` until
    ``end_time`` or ``end_count`` runs (neither: forever). ``start`` None means at creation."""

    kind: ScheduleKind = "once"
    interval_seconds: int | None = None
    start: datetime | None = None
    end_time: datetime | None = None
    end_count: int | None = None

    @classmethod
    def _from_v2(cls, doc: _Fields) -> TimerSchedule:
        interval = doc.number("interval_seconds")
        kind = doc.text("type")
        if kind == "once" or (kind != "recurring" and interval is None):
            return cls("once", start=doc.time("datetime") or doc.time("start"))
        end = doc.fields("end")
        end_time = end.time("datetime") if end else None
        end_count = (end.number("count") or end.number("iterations")) if end else None
        return cls("recurring", interval, doc.time("start"), end_time, end_count)

    @classmethod
    def _from_v1(cls, doc: _Fields) -> TimerSchedule:
        interval = doc.number("interval")
        stop = doc.fields("stop_after")
        end_count = stop.number("n_runs") if stop else None
        if interval is None:
            return cls("once", start=doc.time("start"))
        return cls(
            "recurring", interval, doc.time("start"), stop.time("date") if stop else None, end_count
        )


@dataclass(frozen=True)
class TimerInactiveReason:
    """Why a timer stopped: paused by its owner (``user``), or its consent is gone
    (``globus_auth_requirements``, with the scopes to consent to before resuming)."""

    cause: str
    required_scopes: tuple[str, ...] = ()
    message: str | None = None
    requirement: AuthorizationRequirement | None = None

    @classmethod
    def _read(cls, doc: _Fields) -> TimerInactiveReason:
        detail = doc.doc.get("detail")
        requirement = parse_authorization_requirement(detail) if detail is not None else None
        message: str | None = None
        if isinstance(detail, str):
            message = detail
        elif detail is not None:
            found = doc.fields("detail")
            assert found is not None
            message = found.text("message") or found.text("detail")
        if requirement is not None and requirement.session_message:
            message = requirement.session_message
        return cls(
            cause=doc.text("cause") or "unknown",
            required_scopes=requirement.required_scopes if requirement else (),
            message=message,
            requirement=requirement,
        )

    @property
    def by_user(self) -> bool:
        return self.cause == "user"

    @property
    def needs_consent(self) -> bool:
        return self.cause == "globus_auth_requirements"


@dataclass(frozen=True)
class TimerRun:
    """One run of a timer: when, what Transfer answered, and the task it started (if any)."""

    ran_at: datetime | None = None
    http_status: int | None = None
    task_id: str | None = None
    task_status: str | None = None
    skipped: bool = False
    errors: tuple[str, ...] = ()
    error_codes: tuple[str, ...] = ()
    label: str | None = None

    @classmethod
    def from_document(cls, doc: Any, *, response: httpx.Response | None = None) -> TimerRun:
        run = _Fields(doc, "a timer run", response)
        codes: list[str] = []
        texts: list[str] = []
        for item in run.objects("errors"):
            error = _Fields(item, "a timer run's error", response)
            code, detail = error.text("code"), error.text("detail") or error.text("message")
            if code:
                codes.append(code)
            if detail or code:
                texts.append(detail or code or "")
        data = run.fields("data")
        details = data.fields("details") if data else None
        task_id = (data.text("action_id") if data else None) or (
            details.text("task_id") if details else None
        )
        task_status = (details.text("status") if details else None) or (
            data.text("status") if data else None
        )
        label = (data.text("label") if data else None) or (
            details.text("label") if details else None
        )
        return cls(
            ran_at=run.time("ran_at"),
            http_status=run.number("status"),
            task_id=task_id,
            task_status=task_status,
            skipped=RUN_SKIPPED in codes,
            errors=tuple(texts),
            error_codes=tuple(codes),
            label=label,
        )

    @property
    def failed(self) -> bool:
        """Transfer refused the run (after retries), or its task failed."""
        refused = self.http_status is not None and self.http_status >= 400 and not self.skipped
        return refused or self.task_status == "FAILED"


class TimerItem(NamedTuple):
    """One path a timer's transfer copies (a tuple: ``source, destination = item[:2]``)."""

    source_path: str
    destination_path: str
    recursive: bool | None = None


def _items(body: _Fields) -> tuple[TimerItem, ...]:
    # A transfer document lists ``DATA``; the action provider's form ``transfer_items``.
    listed = body.objects("DATA") or body.objects("transfer_items")
    items: list[TimerItem] = []
    for entry in listed:
        item = _Fields(entry, "a timer's transfer item", body.response)
        recursive = item.doc.get("recursive")
        items.append(
            TimerItem(
                item.text("source_path") or "",
                item.text("destination_path") or "",
                recursive if isinstance(recursive, bool) else None,
            )
        )
    return tuple(items)


@dataclass(frozen=True)
class Timer:
    """A timer as the timers screen shows it, from a v1 (``/jobs/``) or v2 document."""

    job_id: str
    name: str = ""
    timer_type: str = "transfer"
    status: str = ""
    schedule: TimerSchedule = field(default_factory=TimerSchedule)
    submitted_at: datetime | None = None
    next_run: datetime | None = None
    last_ran_at: datetime | None = None
    number_of_runs: int = 0
    number_of_errors: int = 0
    inactive_reason: TimerInactiveReason | None = None
    activity_code: str | None = None
    activity_start: datetime | None = None
    source_collection_id: str | None = None
    destination_collection_id: str | None = None
    items: tuple[TimerItem, ...] = ()
    label: str | None = None
    runs: tuple[TimerRun, ...] = ()
    body: dict[str, Any] = field(default_factory=dict, hash=False, compare=False, repr=False)

    @classmethod
    def from_document(cls, doc: Any, *, response: httpx.Response | None = None) -> Timer:
        """Read a v2 document (``number_of_runs``, ``schedule``, ``body``) or a v1 one."""
        timer = _Fields(doc, "the timer", response)
        job_id = timer.text("job_id")
        if not job_id:
            raise timer.malformed("the timer has no job_id")
        v1 = any(key in timer.doc for key in _V1_KEYS)
        scheduled = timer.fields("schedule")
        if scheduled is not None:
            schedule = TimerSchedule._from_v2(scheduled)
        elif v1:
            schedule = TimerSchedule._from_v1(timer)
        else:
            schedule = TimerSchedule()
        if v1:
            callback = timer.fields("callback_body")
            body = callback.fields("body") if callback else None
            runs_count, errors_count = timer.number("n_runs"), timer.number("n_errors")
        else:
            body = timer.fields("body")
            runs_count = timer.number("number_of_runs")
            errors_count = timer.number("number_of_errors")
        reason = timer.fields("inactive_reason")
        activity = timer.fields("activity")
        return cls(
            job_id=job_id,
            name=timer.text("name") or "",
            timer_type=timer.text("timer_type") or "transfer",
            status=timer.text("status") or "",
            schedule=schedule,
            submitted_at=timer.time("submitted_at"),
            next_run=timer.time("next_run"),
            last_ran_at=timer.time("last_ran_at"),
            number_of_runs=runs_count or 0,
            number_of_errors=errors_count or 0,
            inactive_reason=TimerInactiveReason._read(reason) if reason else None,
            activity_code=activity.text("code") if activity else None,
            activity_start=activity.time("start_timestamp") if activity else None,
            source_collection_id=_either(body, "source_endpoint", "source_endpoint_id"),
            destination_collection_id=_either(
                body, "destination_endpoint", "destination_endpoint_id"
            ),
            items=_items(body) if body else (),
            label=body.text("label") if body else None,
            runs=_runs(timer) if v1 else (),
            body=dict(body.doc) if body else {},
        )

    @classmethod
    def from_response(cls, response: GlobusResponse) -> Timer:
        """The timer of a ``create_timer`` answer (``{"timer": ...}``) or a ``/jobs/{id}`` one."""
        data = response.document()
        doc = data["timer"] if isinstance(data.get("timer"), Mapping) else data
        return cls.from_document(doc, response=response.raw_response)

    @property
    def source_paths(self) -> tuple[str, ...]:
        return tuple(item.source_path for item in self.items)

    @property
    def destination_paths(self) -> tuple[str, ...]:
        return tuple(item.destination_path for item in self.items)

    @property
    def collection_ids(self) -> tuple[str, ...]:
        """The source and destination collections (one when they are the same)."""
        ends = (self.source_collection_id, self.destination_collection_id)
        return tuple(dict.fromkeys(end for end in ends if end))

    @property
    def is_paused(self) -> bool:
        """Stopped by its owner (resume it), as opposed to stopped for want of consent."""
        return self.status == "inactive" and (
            self.inactive_reason is None or self.inactive_reason.by_user
        )

    @property
    def needs_consent(self) -> bool:
        """Stopped because a consent is gone: consent again, then resume with new credentials."""
        return (
            self.status == "inactive"
            and self.inactive_reason is not None
            and self.inactive_reason.needs_consent
        )

    @property
    def is_over(self) -> bool:
        """Every run it will make has been made (it stays ``loaded``, with no next run)."""
        return self.status == "loaded" and self.next_run is None


def timers_from_response(response: GlobusResponse) -> list[Timer]:
    """The timers of a ``list_jobs`` answer (``{"jobs": [...]}``)."""
    raw = response.raw_response
    return [Timer.from_document(doc, response=raw) for doc in response.documents("jobs")]


def _either(body: _Fields | None, *keys: str) -> str | None:
    if body is None:
        return None
    for key in keys:
        value = body.text(key)
        if value:
            return value
    return None


def _runs(timer: _Fields) -> tuple[TimerRun, ...]:
    # ``{"data": [...], "page_next": ...}``; some documents (flow timers) have a bare list.
    value = timer.doc.get("results")
    if isinstance(value, list):
        listed = timer.objects("results")
    else:
        results = timer.fields("results")
        listed = results.objects("data") if results else []
    return tuple(TimerRun.from_document(run, response=timer.response) for run in listed)


# -- in words ----------------------------------------------------------------------------------

_UNITS = ((7 * 86400, "week"), (86400, "day"), (3600, "hour"), (60, "minute"), (1, "second"))
_MINUTE_FORMAT = "%Y-%m-%d %H:%M"


def interval_in_words(seconds: int) -> str:
    """``every day``, ``every 6 hours``, ``every 90 minutes``: the largest whole unit."""
    for size, unit in _UNITS:
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return f"every {unit}" if count == 1 else f"every {count} {unit}s"
    return f"every {seconds} seconds"


def _local(moment: datetime, tz: tzinfo | None) -> datetime:
    return moment.astimezone(tz)


def _minute(moment: datetime, tz: tzinfo | None) -> str:
    return _local(moment, tz).strftime(_MINUTE_FORMAT)


def _day_or_minute(moment: datetime, tz: tzinfo | None) -> str:
    """A date alone when the time is midnight (an end "until 2027-01-01"), else to the minute."""
    local = _local(moment, tz)
    if (local.hour, local.minute) == (0, 0):
        return local.strftime("%Y-%m-%d")
    return local.strftime(_MINUTE_FORMAT)


def schedule_in_words(
    timer: Timer, now: datetime, *, tz: tzinfo | None = None, with_runs: bool = True
) -> str:
    """A timer's schedule as one phrase, in local time (``tz`` None: this machine's zone).

    ``once at 2026-12-07 02:00`` · ``every day at 02:00, 12 of 30 runs`` ·
    ``every 6 hours from 2026-12-07 02:00 until 2027-01-01`` · ``every 15 minutes``.
    The start is said only while it is still ahead of ``now``; ``with_runs`` False leaves
    out the count of runs (for a table that has a column of its own for it).
    """
    schedule = timer.schedule
    if schedule.kind == "once" or not schedule.interval_seconds:
        when = schedule.start or timer.next_run or timer.last_ran_at
        return f"once at {_minute(when, tz)}" if when else "once"
    interval = schedule.interval_seconds
    words = interval_in_words(interval)
    start = schedule.start
    by_day = interval % 86400 == 0
    if start is not None and by_day:
        local = _local(start, tz)
        if interval == 7 * 86400:
            words = f"every {local.strftime('%A')}"
        words += f" at {local.strftime('%H:%M')}"
    if start is not None and start > now:
        begins = _local(start, tz).strftime("%Y-%m-%d") if by_day else _minute(start, tz)
        words += f" from {begins}"
    if schedule.end_time is not None:
        words += f" until {_day_or_minute(schedule.end_time, tz)}"
    if schedule.end_count is not None and with_runs:
        runs = "run" if schedule.end_count == 1 else "runs"
        words += f", {timer.number_of_runs} of {schedule.end_count} {runs}"
    return words

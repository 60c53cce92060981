"""What the Schedule part of the transfer dialog means: start, repeat and end, from words.

People write times the way they say them ("02:00", "tomorrow 9:30", "in 2h") and intervals
the way the deadline field already takes them ("30m", "6h", "1d", "1w"). Times without a
zone are the local time of the machine gtui runs on; the service is sent UTC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

MIN_INTERVAL_SECONDS = 60
UNIT_SECONDS = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
UNIT_WORDS = {
    "min": "m",
    "mins": "m",
    "minute": "m",
    "minutes": "m",
    "hour": "h",
    "hours": "h",
    "hr": "h",
    "hrs": "h",
    "day": "d",
    "days": "d",
    "week": "w",
    "weeks": "w",
}
_AMOUNT = re.compile(r"^\s*(?:every\s+)?(\d+)?\s*([a-z]+)\s*$", re.IGNORECASE)
_IN = re.compile(r"^\s*in\s+(.+)$", re.IGNORECASE)
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")
START_HINT = "now · 02:00 · tomorrow 9:30 · in 2h · 2026-12-24 18:00"
EVERY_HINT = "30m · 6h · 1d · 1w"


@dataclass(frozen=True)
class ScheduleChoice:
    """A timer's schedule as chosen: ``start`` None is now, ``interval_seconds`` None once."""

    start: datetime | None = None
    interval_seconds: int | None = None
    end_count: int | None = None
    end_time: datetime | None = None

    @property
    def recurring(self) -> bool:
        return self.interval_seconds is not None


def parse_interval(text: str) -> int:
    """``30m``, ``6 hours``, ``1d``, ``every 2 weeks``, ``day`` → seconds (at least a minute)."""
    match = _AMOUNT.match(text)
    unit = ""
    if match:
        word = match.group(2).lower()
        unit = UNIT_WORDS.get(word, word if word in UNIT_SECONDS else "")
    if not match or not unit:
        raise ValueError(f"“{text.strip()}” is not an interval: use 30m, 6h, 1d or 1w.")
    seconds = int(match.group(1) or 1) * UNIT_SECONDS[unit]
    if seconds < MIN_INTERVAL_SECONDS:
        raise ValueError("A timer repeats at most once a minute.")
    return seconds


def _local_clock(text: str) -> time | None:
    match = _CLOCK.match(text)
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        raise ValueError(f"“{text}” is not a time of day.")
    return time(hour, minute)


def parse_when(text: str, now: datetime, *, what: str = "start") -> datetime | None:
    """A moment from words, in UTC; ``""``/``now`` is None (at once).

    ``02:00`` is the next 02:00 (today or tomorrow), ``tomorrow 9:30``, ``in 2h``/``in 1d``,
    or a date and time (``2026-12-24 18:00``, ISO 8601 with or without a zone).
    """
    words = text.strip()
    lowered = words.lower()
    if lowered in ("", "now"):
        return None
    local_now = now.astimezone()
    relative = _IN.match(words)
    if relative:
        return (now + timedelta(seconds=parse_interval(relative.group(1)))).astimezone(UTC)
    day_offset = 0
    if lowered.startswith("tomorrow"):
        day_offset = 1
        words = words[len("tomorrow") :].strip() or "00:00"
    at = _local_clock(words)
    if at is not None:
        moment = datetime.combine(local_now.date() + timedelta(days=day_offset), at)
        moment = moment.replace(tzinfo=local_now.tzinfo)
        if day_offset == 0 and moment <= local_now:
            moment += timedelta(days=1)
        return moment.astimezone(UTC)
    if day_offset:
        raise ValueError(f"“{text.strip()}”: after tomorrow, write a time such as 9:30.")
    try:
        parsed = datetime.fromisoformat(words)
    except ValueError:
        raise ValueError(
            f"“{text.strip()}” is not a {what} time: use {START_HINT.replace(' · ', ', ')}."
        ) from None
    parsed = parsed if parsed.tzinfo else parsed.astimezone()
    if parsed <= now:
        raise ValueError(f"The {what} time {words} is in the past.")
    return parsed.astimezone(UTC)


def parse_run_count(text: str) -> int:
    """How many runs a repeating timer makes before it stops: a whole number from 1."""
    words = text.strip()
    if not words.isdigit() or int(words) < 1:
        raise ValueError(f"“{words}” is not a number of runs: write 1 or more.")
    return int(words)


def parse_schedule(
    when: str,
    start: str,
    every: str,
    ends: str,
    end_value: str,
    now: datetime,
) -> ScheduleChoice | None:
    """The dialog's schedule fields as a choice; None means run now, as a task.

    ``when`` is ``now``, ``once`` or ``repeat``; ``ends`` is ``never``, ``count`` or ``time``.
    Raises ValueError with a sentence for the first field that does not read.
    """
    if when == "now":
        return None
    begins = parse_when(start, now)
    if when == "once":
        return ScheduleChoice(start=begins)
    interval = parse_interval(every)
    if ends == "count":
        return ScheduleChoice(begins, interval, end_count=parse_run_count(end_value))
    if ends == "time":
        until = parse_when(end_value, now, what="end")
        if until is None:
            raise ValueError("Write when the timer ends, such as 2027-01-31 or in 30d.")
        if until <= (begins or now):
            raise ValueError("The end time comes before the first run.")
        return ScheduleChoice(begins, interval, end_time=until)
    return ScheduleChoice(begins, interval)

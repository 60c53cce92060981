"""The transfer dialog's Schedule words: start times, intervals, ends, and the sentences for
what does not read."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from gtui.tui.schedule_input import (
    ScheduleChoice,
    parse_interval,
    parse_run_count,
    parse_schedule,
    parse_when,
)

NOW = datetime(2026, 12, 6, 21, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local time is UTC here, so "02:00" has one meaning."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("30m", 1800),
        ("6h", 6 * 3600),
        ("1d", 86400),
        ("1w", 7 * 86400),
        ("every 2 days", 2 * 86400),
        ("day", 86400),
        ("90 minutes", 5400),
        (" 12 H ", 12 * 3600),
    ],
)
def test_intervals_read_as_people_write_them(text: str, seconds: int) -> None:
    assert parse_interval(text) == seconds


@pytest.mark.parametrize("text", ["", "soon", "5", "3 fortnights", "-1d"])
def test_an_unreadable_interval_says_how_to_write_one(text: str) -> None:
    with pytest.raises(ValueError, match="30m, 6h, 1d or 1w"):
        parse_interval(text)


def test_an_interval_under_a_minute_is_refused() -> None:
    with pytest.raises(ValueError, match="at most once a minute"):
        parse_interval("0m")


def test_now_and_empty_mean_at_once() -> None:
    assert parse_when("", NOW) is None
    assert parse_when("Now", NOW) is None


def test_a_time_of_day_is_the_next_one() -> None:
    assert parse_when("02:00", NOW) == datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
    assert parse_when("23:15", NOW) == datetime(2026, 12, 6, 23, 15, tzinfo=UTC)
    assert parse_when("tomorrow 9:30", NOW) == datetime(2026, 12, 7, 9, 30, tzinfo=UTC)


def test_in_a_while_and_dates() -> None:
    assert parse_when("in 2h", NOW) == NOW + timedelta(hours=2)
    assert parse_when("2026-12-24 18:00", NOW) == datetime(2026, 12, 24, 18, 0, tzinfo=UTC)
    assert parse_when("2026-12-24T18:00+01:00", NOW) == datetime(2026, 12, 24, 17, 0, tzinfo=UTC)


def test_a_past_time_and_nonsense_are_refused_in_a_sentence() -> None:
    with pytest.raises(ValueError, match="is in the past"):
        parse_when("2026-01-01 00:00", NOW)
    with pytest.raises(ValueError, match="not a start time"):
        parse_when("next tuesday-ish", NOW)
    with pytest.raises(ValueError, match="not a time of day"):
        parse_when("25:00", NOW)


def test_run_counts_are_whole_numbers_from_one() -> None:
    assert parse_run_count(" 30 ") == 30
    for text in ("0", "-2", "three", ""):
        with pytest.raises(ValueError, match="number of runs"):
            parse_run_count(text)


def test_the_schedule_fields_together() -> None:
    assert parse_schedule("now", "02:00", "1d", "count", "3", NOW) is None
    assert parse_schedule("once", "02:00", "", "never", "", NOW) == ScheduleChoice(
        start=datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
    )
    nightly = parse_schedule("repeat", "02:00", "1d", "count", "30", NOW)
    assert nightly == ScheduleChoice(
        datetime(2026, 12, 7, 2, 0, tzinfo=UTC), 86400, end_count=30, end_time=None
    )
    assert nightly is not None and nightly.recurring
    until = parse_schedule("repeat", "", "6h", "time", "2027-01-31", NOW)
    assert until == ScheduleChoice(None, 6 * 3600, end_time=datetime(2027, 1, 31, tzinfo=UTC))
    forever = parse_schedule("repeat", "now", "30m", "never", "ignored", NOW)
    assert forever == ScheduleChoice(None, 1800)


def test_an_end_before_the_first_run_is_refused() -> None:
    with pytest.raises(ValueError, match="before the first run"):
        parse_schedule("repeat", "2026-12-20 00:00", "1d", "time", "2026-12-10", NOW)
    with pytest.raises(ValueError, match="Write when the timer ends"):
        parse_schedule("repeat", "", "1d", "time", "", NOW)

"""A timer's state, runs and reason to wait, in the words the Timers screens use."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from gtui.core.timer_models import Timer, TimerInactiveReason, TimerRun, TimerSchedule
from gtui.tui.timer_words import (
    consent_collections,
    first_run_words,
    last_run_words,
    next_run_words,
    run_result,
    runs_words,
    status_words,
    until,
    why_inactive,
)

NOW = datetime(2026, 12, 6, 21, 30, tzinfo=UTC)
ARCHIVE = "c39824e6-d48a-4ed9-afe5-aa3ffbdd79e0"
NEEDS = (
    "https://auth.globus.org/scopes/524230d7-ea86-4a52-8312-86065a9e0417/timer"
    "[urn:globus:auth:scope:transfer.api.globus.org:all"
    f"[*https://auth.globus.org/scopes/{ARCHIVE}/data_access]]"
)
DAILY = TimerSchedule("recurring", 86400, NOW, end_count=30)


def timer(**fields: object) -> Timer:
    values: dict[str, object] = {"status": "loaded", "schedule": DAILY}
    values.update(fields)
    return Timer("j", name="nightly", **values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"status": "new", "next_run": NOW}, "Scheduled"),
        ({"next_run": NOW, "activity_code": "awaiting_next_run"}, "Waiting"),
        ({"next_run": NOW, "activity_code": "run_in_progress"}, "Running"),
        ({"next_run": NOW, "activity_code": "retrying"}, "Retrying"),
        ({"status": "inactive", "inactive_reason": TimerInactiveReason("user")}, "Paused"),
        (
            {
                "status": "inactive",
                "inactive_reason": TimerInactiveReason("globus_auth_requirements", (NEEDS,)),
            },
            "Needs consent",
        ),
        ({"next_run": None, "activity_code": None}, "Finished"),
        ({"status": "deleted"}, "Deleted"),
    ],
)
def test_status_in_a_word_or_two(fields: dict[str, object], words: str) -> None:
    assert status_words(timer(**fields)) == words


def test_next_and_first_run() -> None:
    later = NOW + timedelta(hours=4, minutes=30)
    waiting = timer(next_run=later)
    assert next_run_words(waiting, NOW).endswith("(in 4h30m)")
    assert len(next_run_words(waiting, NOW, short=True)) == len("12-07 02:00")
    assert next_run_words(timer(status="inactive", next_run=later), NOW) == "—"
    assert first_run_words(waiting, NOW).startswith("its first run is at ")
    assert first_run_words(timer(next_run=NOW + timedelta(seconds=3)), NOW) == (
        "its first run starts now"
    )
    assert until(NOW - timedelta(minutes=3), NOW) == "3m00s ago"


def test_runs_and_their_results() -> None:
    skipped = TimerRun(NOW, 409, skipped=True, errors=("Skipped: the previous run was going",))
    refused = TimerRun(NOW, 404, errors=("No such endpoint", "try another"))
    done = TimerRun(NOW - timedelta(hours=1), 202, task_id="t", task_status="SUCCEEDED")
    assert run_result(skipped) == "Skipped (the previous run was still going)"
    assert run_result(refused) == "Failed to start: No such endpoint; try another"
    assert run_result(done) == "Succeeded"
    assert run_result(TimerRun(NOW, 202, task_id="t", task_status="ACTIVE")) == "Running"
    assert last_run_words(timer(runs=(done,)), NOW) == "Succeeded, 1h ago"
    assert last_run_words(timer(runs=(skipped, done)), NOW) == "Skipped, now"
    assert last_run_words(timer(), NOW) == "—"
    assert runs_words(timer(number_of_runs=12, number_of_errors=2)) == "12 of 30, 2 errors"
    forever = timer(schedule=TimerSchedule("recurring", 3600), number_of_runs=4)
    assert runs_words(forever) == "4"


def test_why_a_timer_waits_is_one_sentence_naming_the_collection() -> None:
    lost = timer(
        status="inactive",
        inactive_reason=TimerInactiveReason("globus_auth_requirements", (NEEDS,)),
    )
    assert consent_collections(lost) == [ARCHIVE]
    assert why_inactive(lost, {ARCHIVE: "Tape Archive", "other": "Demo Laptop"}) == (
        "This timer stopped because it no longer has your consent to use Tape Archive: "
        "press a to give it again and resume the timer."
    )
    paused = timer(status="inactive", inactive_reason=TimerInactiveReason("user"))
    assert why_inactive(paused) == "Paused: no runs start until you resume it (r)."
    assert why_inactive(timer()) == ""

"""A timer's state, next run and run results in words, for the Timers screen and its detail.

Times are the local time of the machine gtui runs on: a timer is "every day at 02:00" for
the person who set it.
"""

from __future__ import annotations

import re
from datetime import datetime

from gtui.core.timer_models import Timer, TimerRun
from gtui.tui.format import coarse_duration, human_duration, plural

_DATA_ACCESS = re.compile(r"https://auth\.globus\.org/scopes/([^/\s\[\]]+)/data_access")
RUN_RESULT = {
    "SUCCEEDED": "Succeeded",
    "FAILED": "Failed",
    "ACTIVE": "Running",
    "INACTIVE": "Waiting",
}


def local_time(moment: datetime | None) -> str:
    """``2026-12-07 02:00`` in local time; empty for none."""
    if moment is None:
        return ""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def until(moment: datetime | None, now: datetime) -> str:
    """``in 5h12m`` / ``now`` / ``3m ago``."""
    if moment is None:
        return ""
    seconds = (moment - now).total_seconds()
    if abs(seconds) < 30:
        return "now"
    if seconds > 0:
        return "in " + human_duration(seconds)
    return human_duration(-seconds) + " ago"


def is_finished(timer: Timer) -> bool:
    """No run will come: the count is reached, the end passed, a once timer ran."""
    return timer.status == "loaded" and timer.next_run is None and timer.activity_code is None


def needs_consent(timer: Timer) -> bool:
    reason = timer.inactive_reason
    return (
        timer.status == "inactive"
        and reason is not None
        and reason.cause == "globus_auth_requirements"
    )


def is_paused(timer: Timer) -> bool:
    return timer.status == "inactive" and not needs_consent(timer)


def status_words(timer: Timer) -> str:
    """One or two words for the Status column."""
    if timer.status == "deleted":
        return "Deleted"
    if needs_consent(timer):
        return "Needs consent"
    if is_paused(timer):
        return "Paused"
    if is_finished(timer):
        return "Finished"
    code = timer.activity_code
    if code == "run_in_progress":
        return "Running"
    if code == "retrying":
        return "Retrying"
    if timer.status == "new":
        return "Scheduled"
    return "Waiting"


def next_run_words(timer: Timer, now: datetime, *, short: bool = False) -> str:
    """``2026-12-07 02:00 (in 4h41m)``; short: ``12-07 02:00`` (the detail has the rest)."""
    if timer.next_run is None or timer.status in ("inactive", "deleted"):
        return "—"
    if short:
        return local_time(timer.next_run)[5:]
    return f"{local_time(timer.next_run)} ({until(timer.next_run, now)})"


def first_run_words(timer: Timer, now: datetime) -> str:
    """How the notification says when the first run is."""
    if timer.next_run is None or (timer.next_run - now).total_seconds() < 30:
        return "its first run starts now"
    return f"its first run is at {local_time(timer.next_run)} ({until(timer.next_run, now)})"


def run_result(run: TimerRun) -> str:
    """What became of one run: skipped, failed to start, or its task's state."""
    if run.skipped:
        return "Skipped (the previous run was still going)"
    if run.task_id is None:
        return "Failed to start" + (": " + "; ".join(run.errors) if run.errors else "")
    return RUN_RESULT.get(run.task_status or "", (run.task_status or "Started").capitalize())


def last_run_words(timer: Timer, now: datetime) -> str:
    """The last run's result and when, for the list."""
    if not timer.runs:
        return "—"
    last = timer.runs[0]
    result = "Skipped" if last.skipped else run_result(last).split(":")[0]
    if last.ran_at is None:
        return result
    seconds = (now - last.ran_at).total_seconds()
    when = "now" if abs(seconds) < 30 else f"{coarse_duration(abs(seconds))} ago"
    return f"{result}, {when}"


def runs_words(timer: Timer) -> str:
    """``12 of 30`` or ``12``, and the errors when there were any."""
    runs = str(timer.number_of_runs)
    if timer.schedule.end_count is not None:
        runs += f" of {timer.schedule.end_count}"
    if timer.number_of_errors:
        runs += f", {plural(timer.number_of_errors, 'error')}"
    return runs


def consent_collections(timer: Timer) -> list[str]:
    """Ids of the collections whose ``data_access`` consent the timer waits for."""
    reason = timer.inactive_reason
    found: list[str] = []
    for scope in reason.required_scopes if reason is not None else ():
        found.extend(_DATA_ACCESS.findall(scope))
    return list(dict.fromkeys(found))


def why_inactive(timer: Timer, collection_names: dict[str, str] | None = None) -> str:
    """One sentence for a timer that waits for the user, and the key that mends it."""
    if needs_consent(timer):
        names = collection_names or {}
        wanted = consent_collections(timer)
        where = " and ".join(names.get(i, i) for i in wanted) or "one of its collections"
        return (
            f"This timer stopped because it no longer has your consent to use {where}: "
            "press a to give it again and resume the timer."
        )
    if is_paused(timer):
        return "Paused: no runs start until you resume it (r)."
    return ""

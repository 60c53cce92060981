"""A task summed up: every field in two columns, or, on a short screen, the lines that
matter (status and progress, the route, what went wrong)."""

from __future__ import annotations

from datetime import datetime

from rich.table import Table
from rich.text import Text

from gtui.core.models import Task
from gtui.core.tasks import derive_progress
from gtui.tui.format import (
    deleted_words,
    files_words,
    human_duration,
    human_rate,
    human_size,
    middle_ellipsis,
    relative_time,
    short_time,
)
from gtui.tui.service_words import clean_message
from gtui.tui.task_events import EVENT_PHRASES
from gtui.tui.task_inactive import inactive_reason, repair_hint
from gtui.tui.task_status import status_name

SYNC_NAMES = {0: "exists", 1: "size", 2: "mtime", 3: "checksum"}
LABEL_WIDTH = 8


def summary_table(
    task: Task, now: datetime, expected_bytes: int | None = None, *, value_width: int = 0
) -> Table:
    """Two columns of label/value pairs covering the whole task document.

    With ``value_width`` long ids and names are cut in the middle to fit it.
    """
    progress = derive_progress(task, total_bytes=expected_bytes)
    status = status_name(task)
    nice = task.nice_status_short_description or task.nice_status or ""

    def fit(text: str) -> str:
        return middle_ellipsis(text, value_width) if value_width else text

    deleting = task.type == "DELETE"
    pairs: list[tuple[str, str]] = [
        ("Task id", fit(task.task_id)),
        ("Type", task.type.title()),
        ("Label", fit(task.label or "—")),
        ("Status", status + (f" — {nice}" if nice and nice.lower() != status.lower() else "")),
        ("Source", fit(task.source_name)),
        ("Destination", fit(task.destination_name) if task.type != "DELETE" else "—"),
        ("Requested", f"{short_time(task.request_time)} ({relative_time(task.request_time, now)})"),
        ("Completed", short_time(task.completion_time) or "—"),
        ("Deadline", short_time(task.deadline) or "—"),
        ("Bytes", "—" if deleting else human_size(task.bytes_transferred)),
        ("Checksummed", "—" if deleting else human_size(task.bytes_checksummed)),
        ("Rate", human_rate(task.effective_bytes_per_second) or "—"),
        ("Progress", "—" if progress.fraction is None else f"{progress.fraction:.0%}"),
        ("ETA", "—" if task.is_finished else human_duration(progress.eta_seconds) or "—"),
        ("Files", _files_field(task)),
        ("Folders", f"{task.directories:,}"),
        ("Skipped", f"{task.files_skipped:,}"),
        ("Faults", f"{task.faults:,}"),
        (
            "Subtasks",
            f"{task.subtasks_succeeded:,} done, {task.subtasks_pending:,} pending, "
            f"{task.subtasks_retrying:,} retrying, {task.subtasks_failed:,} failed",
        ),
        (
            "Sync",
            SYNC_NAMES.get(task.sync_level, "always copy")
            if task.sync_level is not None
            else "always copy",
        ),
        ("Verify checksum", _yes(task.verify_checksum)),
        ("Preserve mtime", _yes(task.preserve_timestamp)),
        ("Encrypt", _yes(task.encrypt_data)),
        ("Skip source errors", _yes(task.skip_source_errors)),
        ("Fail on quota", _yes(task.fail_on_quota_errors)),
        ("Delete extra", _yes(task.delete_destination_extra)),
        ("Paused", _yes(task.is_paused)),
        ("Owner", fit(task.username or task.owner_id or "—")),
    ]
    if task.status == "INACTIVE":
        pairs.append(("Waiting", f"{inactive_reason(task)} ({repair_hint(task)})"))
    if task.fatal_error_text:
        pairs.append(("Fatal error", task.fatal_error_text))
    if task.canceled_by_admin:
        pairs.append(("Canceled by admin", task.canceled_by_admin_message or "yes"))
    table = Table(box=None, expand=True, show_header=False, padding=(0, 1))
    for _ in range(2):
        table.add_column(style="bold", no_wrap=True)
        table.add_column(ratio=1)
    half = (len(pairs) + 1) // 2
    for left, right in zip(pairs[:half], [*pairs[half:], ("", "")], strict=False):
        table.add_row(left[0], left[1], right[0], right[1])
    return table


def _files_field(task: Task) -> str:
    """A transfer's files done of the total; a delete's files and folders removed."""
    if task.type == "DELETE":
        return deleted_words(task.files, task.directories, finished=task.is_finished)
    return f"{task.files_transferred:,} of {task.files:,}"


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def progress_line(task: Task, expected_bytes: int | None = None) -> str:
    """Status and progress on one line: "Active · 45% · 9.3 MB of 20.6 MB · 4.0 MB/s", or
    for a delete "Succeeded · 100% · 2 files, 1 folder deleted"."""
    progress = derive_progress(task, total_bytes=expected_bytes)
    status = status_name(task)
    nice = task.nice_status_short_description or ""
    parts = [status + (f" — {nice}" if nice and nice.lower() not in (status.lower(), "ok") else "")]
    if progress.fraction is not None:
        parts.append(f"{progress.fraction:.0%}")
    if task.type == "DELETE":
        # No bytes move in a delete: "0 B" would read as if nothing had happened.
        parts.append(deleted_words(task.files, task.directories, finished=task.is_finished))
        return " · ".join(parts)
    size = human_size(task.bytes_transferred)
    if expected_bytes and not task.is_finished:
        size += f" of {human_size(expected_bytes)}"
    parts.append(size)
    if task.files:
        parts.append(files_words(task.files_transferred, task.files_skipped, task.files))
    if not task.is_finished:
        rate = human_rate(task.effective_bytes_per_second)
        eta = human_duration(progress.eta_seconds)
        parts += [p for p in (rate, f"ETA {eta}" if eta else "") if p]
    return " · ".join(parts)


def route_line(task: Task, width: int) -> str:
    """Source → destination, each name cut in the middle to share ``width``."""
    if task.type == "DELETE":
        return "delete on " + middle_ellipsis(task.source_name, max(width - 10, 8))
    half = max((width - 3) // 2, 8)
    source = middle_ellipsis(task.source_name, half)
    return f"{source} → {middle_ellipsis(task.destination_name, half)}"


def problem_line(task: Task) -> str:
    """What ended the task, or why it is not moving; empty when nothing is wrong."""
    if task.canceled_by_admin:
        return "Canceled by an administrator: " + clean_message(
            task.canceled_by_admin_message or "no reason given"
        )
    fatal = task.fatal_error or {}
    code = str(fatal.get("code") or "").upper()
    if task.status == "FAILED" and code and code != "CANCELED":
        phrase = EVENT_PHRASES.get(code, "").format(on="")
        words = phrase or clean_message(str(fatal.get("description") or "")) or code.lower()
        return "Failed: " + words
    if task.is_paused:
        return "Paused by an administrator (see Pause info)"
    if task.status == "INACTIVE":
        return f"Inactive: {inactive_reason(task)} ({repair_hint(task)})"
    if not task.is_finished and task.is_ok is False:
        why = task.nice_status_short_description or task.nice_status or "trouble"
        details = clean_message(task.nice_status_details or "", 120)
        return f"Not moving: {why}" + (f" — {details}" if details else "") + " (retrying)"
    return ""


def compact_summary(task: Task, expected_bytes: int | None, width: int) -> Table:
    """The lines that matter on a short screen: status and progress, route, the problem."""
    value_width = max(width - LABEL_WIDTH - 1, 10)
    table = Table.grid(padding=(0, 1), expand=True)
    table.add_column(style="bold", no_wrap=True, width=LABEL_WIDTH)
    table.add_column(no_wrap=True, overflow="ellipsis", ratio=1)
    table.add_row("Status", progress_line(task, expected_bytes))
    table.add_row("Route", route_line(task, value_width))
    problem = problem_line(task)
    if problem:
        table.add_row("Problem", Text(problem, style="bold red"))
    return table

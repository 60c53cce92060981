"""A task's events in words: "Progress: 12 of 25 files, 9.3 MB", "Permission denied on
/x (will retry)", with the raw details kept for whoever unfolds them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from rich.text import Text

from gtui.core.models import Task, TaskEvent
from gtui.tui.format import deleted_words, files_words, human_rate, human_size
from gtui.tui.service_words import clean_message, named_collection, path_in, shown_name

# Transfer's event codes (docs.globus.org "Task Events") → what happened; {on} is " on <path>"
# when the event names a path. STARTED, PROGRESS and SUCCEEDED are worded from their details.
PATH_WIDTH = 48

EVENT_PHRASES: dict[str, str] = {
    "CANCELED": "task canceled",
    "EXPIRED": "the deadline passed before the task finished",
    "DEADLINE": "the deadline passed before the task finished",
    "PAUSED": "task paused",
    "UNPAUSED": "task resumed",
    "SKIPPED_ERRORS": "paths with errors were skipped (see Skipped errors)",
    "DELETE_DESTINATION_EXTRA_SKIPPED": (
        "extra files at the destination were kept, because of skipped errors"
    ),
    "PERMISSION_DENIED": "permission denied{on}",
    "FILE_NOT_FOUND": "file not found{on}",
    "CONNECT_FAILED": "could not connect to the collection",
    "CONNECTION_BROKEN": "the connection to the collection broke",
    "CONNECTION_RESET": "the connection to the collection was reset",
    "ENDPOINT_TOO_BUSY": "the collection is too busy",
    "ENDPOINT_ERROR": "the collection reported an error{on}",
    "CHECKSUM_MISMATCH": "checksum mismatch{on}",
    "VERIFY_CHECKSUM": "checksum verification failed{on}",
    "EXTERNAL_CHECKSUM_MISMATCH": "checksum differs from the one given{on}",
    "QUOTA_EXCEEDED": "destination over quota{on}",
    "NO_SPACE_LEFT": "no space left at the destination{on}",
    "FILE_SIZE_CHANGED": "the file changed while it was copied{on}",
    "TIMEOUT": "timed out{on}",
    "GC_NOT_CONNECTED": "Globus Connect Personal is not connected",
    "GC_PAUSED": "Globus Connect Personal is paused",
    "INVALID_PATH_NAME": "invalid path name{on}",
    "INVALID_SYMLINK": "invalid symlink{on}",
    "IS_A_DIRECTORY": "a folder where a file was expected{on}",
    "IS_A_FILE": "a file where a folder was expected{on}",
    "NOT_A_DIRECTORY": "a file where a folder was expected{on}",
    "NOT_A_FILE": "not a regular file{on}",
    "AUTH": "the collection did not accept the credentials",
    "NO_CREDENTIALS": "no credentials for the collection",
    "ACL_CHANGED": "access rules changed",
    "LIMIT_EXCEEDED": "a limit of the service was exceeded",
    "GENERAL_ERROR": "error{on}",
    "INTERNAL_ERROR": "internal error at Globus",
    "UNKNOWN": "unknown error{on}",
    "FAILED": "",
}
# Codes after which the task waits for its owner (INACTIVE) instead of retrying.
WAITS_FOR_OWNER = frozenset({"NO_CREDENTIALS"})
NOT_RETRIED = frozenset({"EXPIRED", "DEADLINE"}) | WAITS_FOR_OWNER


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _progress_words(data: Any, *, deleting: bool = False, finished: bool = False) -> str:
    """The counts of a PROGRESS or SUCCEEDED event: "12 of 25 files, 9.3 MB, 4.0 MB/s"; a
    delete's "2 files, 1 folder deleted" (it moves no bytes, and transfers no files)."""
    if not isinstance(data, dict):
        return ""
    if deleting:
        files, folders = _count(data.get("files")), _count(data.get("directories"))
        if files is None and folders is None:
            return ""
        return deleted_words(files or 0, folders or 0, finished=finished)
    parts: list[str] = []
    done, files = _count(data.get("files_transferred")), _count(data.get("files"))
    if done is not None and files:
        parts.append(files_words(done, _count(data.get("files_skipped")) or 0, files))
    elif done is not None:
        parts.append(f"{done:,} file{'' if done == 1 else 's'}")
    size = _count(data.get("bytes_transferred"))
    if size is not None:
        parts.append(human_size(size))
    rate = data.get("effective_bytes_per_second")
    if not isinstance(rate, int | float) and isinstance(data.get("mbps"), int | float):
        rate = data["mbps"] * 1_000_000 / 8  # Transfer's own PROGRESS events give megabits
    if isinstance(rate, int | float) and rate > 0:
        parts.append(human_rate(rate))
    return ", ".join(parts)


def _waiting_words(event: TaskEvent) -> str:
    """An event after which the task waits for its owner: "no credentials for “Tape
    Archive”: missing required data_access consent"."""
    named = named_collection(event.details)
    where = f"for “{shown_name(named[0], PATH_WIDTH)}”" if named else "for the collection"
    why = clean_message(event.details)
    return f"no credentials {where}" + (f": {why[:1].lower()}{why[1:]}" if why else "")


def _event_path(event: TaskEvent, data: Any) -> str | None:
    if isinstance(data, dict):
        for key in ("path", "source_path", "file", "destination_path"):
            if isinstance(data.get(key), str) and data[key]:
                return str(data[key])
        inner = data.get("details")
        return path_in(inner) if isinstance(inner, str) else None
    return path_in(event.details) if event.details else None


def event_sentence(
    event: TaskEvent, *, final: bool = False, finished: bool = False, deleting: bool = False
) -> str:
    """What an event says, as a sentence: "Progress: 12 of 25 files, 9.3 MB" (of a delete
    task, ``deleting``: "Progress: 2 files deleted so far").

    An error event is retried by the service ("(will retry)", "(retried)" once the task is
    over), unless it is the one that ended the task (``final``): "Task failed: …".
    """
    code = event.code.upper()
    data = event.details_data
    if code == "STARTED":
        kind = data.get("type") if isinstance(data, dict) else None
        return f"{kind.title()} started" if isinstance(kind, str) else "Task started"
    if code == "PROGRESS":
        words = _progress_words(data, deleting=deleting)
        return f"Progress: {words}" if words else "Progress"
    if code == "SUCCEEDED":
        summary = data if isinstance(data, dict) else {}
        counts = {k: v for k, v in summary.items() if "second" not in k}
        words = _progress_words(counts, deleting=deleting, finished=True)
        return f"Task succeeded: {words}" if words else "Task succeeded"
    path = _event_path(event, data)
    where = f" on {shown_name(path, PATH_WIDTH)}" if path else ""
    if code in WAITS_FOR_OWNER:
        phrase = _waiting_words(event)
    elif code in EVENT_PHRASES:
        phrase = EVENT_PHRASES[code].format(on=where)
    else:
        words = clean_message(event.description) or code.replace("_", " ").lower()
        phrase = words + where
    if final:
        return f"Task failed: {phrase}" if phrase else "Task failed"
    if event.is_error and code not in NOT_RETRIED:
        phrase += " (retried)" if finished else " (will retry)"
    return _capital(phrase or code.replace("_", " ").lower())


def details_text(event: TaskEvent) -> Text:
    """An event's raw details, readable: JSON as "name: value" lines, text as its lines."""
    head = Text(f"{event.code} — {event.description}", style="bold")
    data = event.details_data
    if isinstance(data, dict):
        lines = [f"{key.replace('_', ' ')}: {_value(key, value)}" for key, value in data.items()]
    elif data is not None:
        lines = json.dumps(data, indent=2).splitlines()
    else:
        text = event.details.replace("\\r\\n", "\n").replace("\\n", "\n").replace("\r", "")
        lines = [line.rstrip() for line in text.splitlines() if line.strip()]
    return Text("\n").join([head, *(Text(line) for line in lines or ["(no details)"])])


def _value(key: str, value: Any) -> str:
    if isinstance(value, str):
        return value
    number = _count(value)
    if number is not None and "bytes" in key:
        rate = "/s" if "second" in key else ""
        return f"{number:,} ({human_size(number)}{rate})"
    if number is not None:
        return f"{number:,}"
    return json.dumps(value)


def event_clock(event: TaskEvent, now: datetime) -> str:
    """The event's time: ``10:30:12`` today (UTC, as listings show), else ``Nov 20 10:30``."""
    if event.time is None:
        return ""
    moment = event.time.astimezone(UTC)
    if moment.date() == now.astimezone(UTC).date():
        return moment.strftime("%H:%M:%S")
    return moment.strftime("%b %d %H:%M")


def event_time(event: TaskEvent) -> datetime:
    """Events newest first; one without a time sorts last."""
    return event.time or datetime.min.replace(tzinfo=UTC)


def final_event(task: Task | None, ordered: list[TaskEvent]) -> TaskEvent | None:
    """The event that ended a failed task: the newest one with the fatal error's code."""
    if task is None or task.status != "FAILED" or not task.fatal_error:
        return None
    code = str(task.fatal_error.get("code") or "")
    return next((e for e in ordered if e.is_error and e.code == code), None)

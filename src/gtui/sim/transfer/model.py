"""Tasks as the service keeps them: the public task document plus what the engine needs."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

PROGRESS_COUNTERS = (
    "bytes_transferred",
    "bytes_checksummed",
    "effective_bytes_per_second",
    "files",
    "directories",
    "symlinks",
    "files_transferred",
    "files_skipped",
    "faults",
    "subtasks_total",
    "subtasks_pending",
    "subtasks_retrying",
    "subtasks_succeeded",
    "subtasks_failed",
    "subtasks_canceled",
    "subtasks_expired",
    "subtasks_skipped_errors",
)
TRANSFER_OPTIONS = (
    "sync_level",
    "verify_checksum",
    "encrypt_data",
    "preserve_timestamp",
    "skip_source_errors",
    "fail_on_quota_errors",
    "delete_destination_extra",
    "recursive_symlinks",
    "filter_rules",
)
FINAL_STATUSES = ("SUCCEEDED", "FAILED")


def iso_time(seconds: float | None = None) -> str:
    """A time as Transfer writes it in task documents: ``2021-09-02T18:04:47+00:00``."""
    moment = datetime.fromtimestamp(time.time() if seconds is None else seconds, UTC)
    return moment.replace(microsecond=0).isoformat()


def parse_iso(text: str) -> float:
    """Seconds since the epoch of an ISO-8601 time; naive times are UTC."""
    cleaned = text.strip().replace(" ", "T", 1)
    if cleaned.endswith("Z"):
        cleaned = cleaned[:-1] + "+00:00"
    moment = datetime.fromisoformat(cleaned)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


RECORD_LISTS = ("events", "successful", "skipped")


@dataclass
class Unsaved:
    """What a running task recorded since the store last wrote it: (position, record) rows,
    and its document when that changed."""

    doc: dict[str, Any] | None = None
    events: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    successful: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    skipped: list[tuple[int, dict[str, Any]]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return self.doc is not None or bool(self.events or self.successful or self.skipped)


@dataclass
class Task:
    """One task: ``doc`` is the answer of ``GET /task/{id}``, the rest stays inside.

    A task the engine works on lives in memory (``TransferStore.live``) and holds only what it
    recorded since the store last wrote it (``take_unsaved``); ``counts`` says how long each
    of its lists is, so a new record knows its position. Other tasks are read from the
    database when a request asks for them.
    """

    doc: dict[str, Any]
    spec: dict[str, Any]
    submission_id: str
    sequence: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RECORD_LISTS, 0))
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)
    stop_reason: str | None = None
    _unsaved: Unsaved = field(default_factory=Unsaved, repr=False, compare=False)
    _doc_changed: bool = field(default=False, repr=False, compare=False)

    @property
    def task_id(self) -> str:
        task_id: str = self.doc["task_id"]
        return task_id

    @property
    def owner_id(self) -> str:
        owner_id: str = self.doc["owner_id"]
        return owner_id

    @property
    def status(self) -> str:
        status: str = self.doc["status"]
        return status

    @property
    def is_final(self) -> bool:
        return self.doc["status"] in FINAL_STATUSES

    @property
    def deadline_seconds(self) -> float:
        return parse_iso(self.doc["deadline"])

    def mark_changed(self) -> None:
        """Say that ``doc`` changed (call after changing it); the next write saves it."""
        self._doc_changed = True

    def add_event(
        self, code: str, description: str, details: str = "", *, is_error: bool = False
    ) -> None:
        """Record an event (kept oldest first; the API answers newest first)."""
        self._record(
            "events",
            {
                "DATA_TYPE": "event",
                "code": code,
                "description": description,
                "details": details,
                "is_error": is_error,
                "time": iso_time(),
            },
        )

    def add_successful(self, source_path: str, destination_path: str) -> None:
        self._record(
            "successful",
            {
                "DATA_TYPE": "successful_transfer",
                "source_path": source_path,
                "destination_path": destination_path,
            },
        )

    def add_skipped(self, record: dict[str, Any]) -> None:
        self._record("skipped", {"DATA_TYPE": "skipped_error", **record})

    def _record(self, kind: str, record: dict[str, Any]) -> None:
        with self.lock:
            position = self.counts[kind]
            self.counts[kind] = position + 1
            getattr(self._unsaved, kind).append((position, record))

    def take_unsaved(self) -> Unsaved:
        """What to write now (the store calls this inside its write transaction)."""
        with self.lock:
            taken, self._unsaved = self._unsaved, Unsaved()
            if self._doc_changed:
                self._doc_changed = False
                taken.doc = dict(self.doc)
        return taken

    def restore_unsaved(self, taken: Unsaved) -> None:
        """Put back what a failed write took, ahead of what was recorded since."""
        with self.lock:
            for kind in RECORD_LISTS:
                getattr(self._unsaved, kind)[:0] = getattr(taken, kind)
            if taken.doc is not None:
                self._doc_changed = True

    def has_unsaved(self) -> bool:
        return self._doc_changed or bool(self._unsaved)

    def forget_files(self) -> None:
        """Start the successful and skipped lists afresh (a resumed task runs again whole)."""
        with self.lock:
            for kind in ("successful", "skipped"):
                self.counts[kind] = 0
                getattr(self._unsaved, kind).clear()

    def public_doc(self) -> dict[str, Any]:
        with self.lock:
            return dict(self.doc)


def new_task_doc(
    *,
    task_id: str,
    task_type: str,
    owner_id: str,
    username: str,
    label: str | None,
    source: dict[str, Any] | None,
    destination: dict[str, Any] | None,
    deadline: str,
    options: dict[str, Any],
) -> dict[str, Any]:
    """A fresh task document with every field the real service reports."""
    doc: dict[str, Any] = {
        "DATA_TYPE": "task",
        "task_id": task_id,
        "type": task_type,
        "label": label,
        "owner_id": owner_id,
        "owner_string": username,
        "username": username,
        "command": "API 0.10",
        "source_endpoint": source["canonical_name"] if source else None,
        "source_endpoint_id": source["id"] if source else None,
        "source_endpoint_display_name": source["display_name"] if source else None,
        "destination_endpoint": destination["canonical_name"] if destination else None,
        "destination_endpoint_id": destination["id"] if destination else None,
        "destination_endpoint_display_name": destination["display_name"] if destination else None,
        "source_local_user": options.pop("source_local_user", None),
        "source_local_user_status": None,
        "destination_local_user": options.pop("destination_local_user", None),
        "destination_local_user_status": None,
        "source_base_path": None,
        "destination_base_path": None,
        "status": "ACTIVE",
        "is_paused": False,
        "is_ok": True,
        "nice_status": "Queued",
        "nice_status_short_description": "Queued",
        "nice_status_details": None,
        "nice_status_expires_in": -1,
        "fatal_error": None,
        "canceled_by_admin": None,
        "canceled_by_admin_message": None,
        "history_deleted": False,
        "request_time": iso_time(),
        "completion_time": None,
        "deadline": deadline,
        "notify_on_succeeded": True,
        "notify_on_failed": True,
        "notify_on_inactive": True,
    }
    for name in PROGRESS_COUNTERS:
        doc[name] = 0
    for name in TRANSFER_OPTIONS:
        doc[name] = options.get(name)
    return doc

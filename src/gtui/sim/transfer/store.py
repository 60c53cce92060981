"""Tasks, submission ids and bookmarks of every user, kept in memory and saved to one file.

Saving is debounced: changes mark the store dirty and the service writes it at most a few
times a second (and once more when it stops), atomically, to ``state_dir/transfer.json``.
"""

from __future__ import annotations

import json
import threading
import uuid
from pathlib import Path
from typing import Any

from gtui.sim.errors import SimAPIError
from gtui.sim.persist import JsonState
from gtui.sim.transfer.model import Task

STATE_VERSION = 1


def task_not_found(task_id: str) -> SimAPIError:
    return SimAPIError(404, "ClientError.NotFound", f"Task {task_id} not found")


class TransferStore:
    """Every task and bookmark; one user never reaches another's."""

    def __init__(self, path: Path) -> None:
        self._state = JsonState(path)
        self._lock = threading.RLock()
        self.tasks: dict[str, Task] = {}
        self._by_submission: dict[tuple[str, str], str] = {}
        self._bookmarks: dict[str, dict[str, dict[str, Any]]] = {}
        self._sequence = 0
        self._dirty = False
        self.loaded_existing = False
        self._encoded: dict[str, tuple[tuple[int, int, int], str]] = {}

    def load(self) -> None:
        data = self._state.load()
        if not data or data.get("version") != STATE_VERSION:
            return
        self.loaded_existing = True
        with self._lock:
            for raw in data.get("tasks", []):
                task = Task.from_state(raw)
                self.tasks[task.task_id] = task
                self._by_submission[(task.owner_id, task.submission_id)] = task.task_id
                self._sequence = max(self._sequence, task.sequence)
            self._bookmarks = {
                owner: dict(marks) for owner, marks in data.get("bookmarks", {}).items()
            }

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            tasks = list(self.tasks.values())
            bookmarks = {owner: dict(marks) for owner, marks in self._bookmarks.items()}
            self._dirty = False
        return {
            "version": STATE_VERSION,
            "tasks": [t.to_state() for t in sorted(tasks, key=lambda t: t.sequence)],
            "bookmarks": bookmarks,
        }

    def save(self) -> None:
        self._state.save_text(self.snapshot_text())

    def snapshot_text(self) -> str:
        """``snapshot()`` as JSON, encoded one task at a time, finished tasks only once.

        Saves run in a thread, but one ``json.dumps`` holds the interpreter lock until it is
        done: encoding the whole history at once (9 MB after a few thousand-file copies) froze
        an app sharing the process for 140-160 ms twice a second while a copy ran, and took
        that much CPU from the copy. Per task, the lock changes hands between tasks, and a
        finished task's text is reused.
        """
        with self._lock:
            tasks = sorted(self.tasks.values(), key=lambda t: t.sequence)
            bookmarks = {owner: dict(marks) for owner, marks in self._bookmarks.items()}
            self._dirty = False
        head = _encode({"bookmarks": bookmarks, "version": STATE_VERSION})
        body = ",".join(self._encoded_task(task) for task in tasks)
        return head[:-1] + ',"tasks":[' + body + "]}"

    def _encoded_task(self, task: Task) -> str:
        """A final task's document never changes again; only its closing event may follow."""
        if not task.is_final:
            return _encode(task.to_state())
        key = (len(task.events), len(task.successful), len(task.skipped))
        cached = self._encoded.get(task.task_id)
        if cached is not None and cached[0] == key:
            return cached[1]
        text = _encode(task.to_state())
        self._encoded[task.task_id] = (key, text)
        return text

    def mark_dirty(self) -> None:
        self._dirty = True

    @property
    def dirty(self) -> bool:
        return self._dirty

    def add_task(self, task: Task) -> tuple[Task, bool]:
        """Store a new task, or return the one already made from the same submission id."""
        with self._lock:
            key = (task.owner_id, task.submission_id)
            existing = self._by_submission.get(key)
            if existing is not None:
                return self.tasks[existing], False
            self._sequence += 1
            task.sequence = self._sequence
            self.tasks[task.task_id] = task
            self._by_submission[key] = task.task_id
            self._dirty = True
            return task, True

    def task_for(self, owner_id: str, task_id: str) -> Task:
        task = self.tasks.get(task_id)
        if task is None or task.owner_id != owner_id:
            raise task_not_found(task_id)
        return task

    def tasks_of(self, owner_id: str) -> list[Task]:
        with self._lock:
            return [t for t in self.tasks.values() if t.owner_id == owner_id]

    def active_tasks(self) -> list[Task]:
        with self._lock:
            return sorted(
                (t for t in self.tasks.values() if t.status == "ACTIVE"),
                key=lambda t: t.sequence,
            )

    def _endpoints(self, task: Task) -> list[str]:
        ids = [task.doc.get("source_endpoint_id"), task.doc.get("destination_endpoint_id")]
        return [i for i in ids if i]

    def recently_used_endpoints(self, owner_id: str) -> list[str]:
        """Endpoints of the user's tasks, most recently used first."""
        seen: list[str] = []
        for task in sorted(self.tasks_of(owner_id), key=lambda t: -t.sequence):
            for endpoint_id in self._endpoints(task):
                if endpoint_id not in seen:
                    seen.append(endpoint_id)
        return seen

    def in_use_endpoints(self, owner_id: str) -> list[str]:
        seen: list[str] = []
        for task in self.tasks_of(owner_id):
            if task.status != "ACTIVE":
                continue
            for endpoint_id in self._endpoints(task):
                if endpoint_id not in seen:
                    seen.append(endpoint_id)
        return seen

    def bookmarks_of(self, owner_id: str) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(b) for b in self._bookmarks.get(owner_id, {}).values()]

    def bookmark_for(self, owner_id: str, bookmark_id: str) -> dict[str, Any]:
        with self._lock:
            mark = self._bookmarks.get(owner_id, {}).get(bookmark_id)
        if mark is None:
            raise SimAPIError(404, "ClientError.NotFound", f"Bookmark {bookmark_id} not found")
        return dict(mark)

    def put_bookmark(self, owner_id: str, bookmark: dict[str, Any]) -> dict[str, Any]:
        """Create (when it has no id) or replace a bookmark; names are unique per user."""
        with self._lock:
            marks = self._bookmarks.setdefault(owner_id, {})
            bookmark_id = bookmark.get("id") or str(uuid.uuid4())
            for other in marks.values():
                if other["id"] != bookmark_id and other["name"] == bookmark["name"]:
                    raise SimAPIError(
                        409,
                        "Conflict",
                        f"A bookmark named '{bookmark['name']}' already exists",
                    )
            stored = {**bookmark, "id": bookmark_id, "DATA_TYPE": "bookmark"}
            marks[bookmark_id] = stored
            self._dirty = True
            return dict(stored)

    def delete_bookmark(self, owner_id: str, bookmark_id: str) -> None:
        with self._lock:
            marks = self._bookmarks.get(owner_id, {})
            if bookmark_id not in marks:
                raise SimAPIError(404, "ClientError.NotFound", f"Bookmark {bookmark_id} not found")
            del marks[bookmark_id]
            self._dirty = True


def _encode(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True)

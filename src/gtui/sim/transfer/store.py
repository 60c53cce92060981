"""Where a task is stored: one row in the service database, and in memory while it is
unfinished.

A task is written to ``transfer_tasks`` (schema.py) before its submit is answered. While it
is unfinished (ACTIVE, or INACTIVE waiting for its owner's consent) it also lives in ``live``,
where the engine changes it: what it records (counters, events, files copied) waits in the
task until ``flush`` writes it, which the service does every second and before a request
reads anything a live task may not have written yet. ``finish`` writes a task's final state
together with everything it recorded, in one transaction, and only then lets go of it.
Finished tasks and every list are read per request (history.py); a start reads only the
unfinished tasks, so it costs the same whatever the history.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any

from gtui.sim.database import Database
from gtui.sim.errors import SimAPIError
from gtui.sim.transfer import rows, schema
from gtui.sim.transfer.model import RECORD_LISTS, Task, Unsaved


def task_not_found(task_id: str) -> SimAPIError:
    return SimAPIError(404, "ClientError.NotFound", f"Task {task_id} not found")


class TransferStore:
    """Every user's tasks; one user never reaches another's."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.live: dict[str, Task] = {}
        self._lock = threading.Lock()

    def load_live(self) -> list[Task]:
        """Read the tasks that were unfinished when the service last stopped (or was killed)."""
        conn = self.db.connection()
        found = conn.execute(f"{rows.SELECT_TASK} WHERE {schema.UNFINISHED} ORDER BY sequence")
        tasks = [rows.task_from_row(row) for row in found.fetchall()]
        for task in tasks:
            for kind in RECORD_LISTS:
                (count,) = conn.execute(
                    f"SELECT coalesce(max(position) + 1, 0) FROM {rows.RECORD_TABLES[kind]}"
                    " WHERE task = ?",
                    (task.sequence,),
                ).fetchone()
                task.counts[kind] = count
        with self._lock:
            self.live.update((task.task_id, task) for task in tasks)
        return tasks

    def active_tasks(self) -> list[Task]:
        with self._lock:
            return sorted(self.live.values(), key=lambda t: t.sequence)

    def live_task(self, task_id: str) -> Task | None:
        return self.live.get(task_id)

    def add_task(self, task: Task) -> tuple[Task, bool]:
        """Store a new task, or return the one already made from the same submission id."""
        with self.db.write() as conn:
            existing = self.task_by_submission(task.owner_id, task.submission_id)
            if existing is not None:
                return existing, False
            task.sequence = rows.insert_task(conn, task)
        with self._lock:
            self.live[task.task_id] = task
        return task, True

    def task_for(self, owner_id: str, task_id: str) -> Task:
        task = self.live.get(task_id) or self._read_one("task_id = ?", (task_id,))
        if task is None or task.owner_id != owner_id:
            raise task_not_found(task_id)
        return task

    def task_by_submission(self, owner_id: str, submission_id: str) -> Task | None:
        return self._read_one(
            "owner_id = ? AND submission_id = ?", (owner_id, submission_id), prefer_live=True
        )

    def tasks_of(self, owner_id: str) -> list[Task]:
        """Every task of one user, oldest first (for tests and tools: routes read pages)."""
        found = self.db.connection().execute(
            f"{rows.SELECT_TASK} WHERE owner_id = ? ORDER BY sequence", (owner_id,)
        )
        tasks = [rows.task_from_row(row) for row in found.fetchall()]
        return [self.live.get(t.task_id, t) for t in tasks]

    def _read_one(
        self, where: str, params: tuple[Any, ...], *, prefer_live: bool = False
    ) -> Task | None:
        row = self.db.connection().execute(f"{rows.SELECT_TASK} WHERE {where}", params).fetchone()
        if row is None:
            return None
        task = rows.task_from_row(row)
        return self.live.get(task.task_id, task) if prefer_live else task

    def update(self, task: Task, changes: dict[str, Any]) -> bool:
        """Change a running task's document now; False when it has already finished."""
        with self._writing() as write:
            with task.lock:
                if task.is_final:
                    return False
                task.doc.update(changes)
            task.mark_changed()
            write(task)
        return True

    def restart(self, task: Task) -> None:
        """A task starts (again) from the top: its files are listed afresh."""
        with self._writing() as write:
            for kind in ("successful", "skipped"):
                self.db.connection().execute(
                    f"DELETE FROM {rows.RECORD_TABLES[kind]} WHERE task = ?", (task.sequence,)
                )
            task.forget_files()
            write(task)

    def finish(self, task: Task) -> None:
        """Write a task's final state and all it recorded, then stop keeping it in memory."""
        task.mark_changed()
        with self._writing() as write:
            write(task)
        with self._lock:
            self.live.pop(task.task_id, None)

    def flush(self, task: Task | None = None) -> None:
        """Write what live tasks (or just ``task``) recorded since they were last written."""
        tasks = [task] if task is not None else self.active_tasks()
        if not any(t.has_unsaved() for t in tasks):
            return
        with self._writing() as write:
            for each in tasks:
                write(each)

    def has_unsaved(self) -> bool:
        return any(t.has_unsaved() for t in self.active_tasks())

    def has_event(self, task: Task, code: str) -> bool:
        self.flush(task)
        found = self.db.connection().execute(
            "SELECT 1 FROM transfer_events WHERE task = ? AND code = ? LIMIT 1",
            (task.sequence, code),
        )
        return found.fetchone() is not None

    @contextlib.contextmanager
    def _writing(self) -> Iterator[Callable[[Task], None]]:
        """A write transaction and a ``write(task)`` that saves a task's unsaved changes in
        it; if the transaction fails, the changes go back to their tasks for the next try."""
        taken: list[tuple[Task, Unsaved]] = []
        try:
            with self.db.write() as conn:

                def write(task: Task) -> None:
                    unsaved = task.take_unsaved()
                    taken.append((task, unsaved))
                    if unsaved.doc is not None:
                        rows.update_doc(conn, task.sequence, unsaved.doc)
                    for kind in RECORD_LISTS:
                        rows.insert_records(conn, kind, task.sequence, getattr(unsaved, kind))

                yield write
        except BaseException:
            for task, unsaved in reversed(taken):
                task.restore_unsaved(unsaved)
            raise

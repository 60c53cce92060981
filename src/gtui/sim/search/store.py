"""What Search keeps in the service database: indexes, their roles, ingested entries, tasks.

Rows of the component ``search`` (numbered migrations, ``Database.migrate``):

- ``search_indexes``: every index (the demo index is a row too, made with the tables);
- ``search_roles``: ``owner`` / ``admin`` / ``writer`` roles, a principal URN each (the demo
  user owns the demo index);
- ``search_entries``: the entries ingested into an index, by subject and entry id;
- ``search_hidden``: the subjects of the demo index's file entries (built from disk at each
  start, ``index.py``) that a delete removed;
- ``search_tasks``: ingest and delete tasks, with what they still have to do (``payload``)
  until they are done.

Each write is one transaction, committed before the request (or the task) that made it is
answered (or done).
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from base64 import b64encode
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gtui.sim.ids import DEMO_INDEX_ID, DEMO_USER_ID

if TYPE_CHECKING:
    from gtui.sim.database import Database

COMPONENT = "search"
IDENTITY_URN = "urn:globus:auth:identity:"
GROUP_URN = "urn:globus:groups:id:"
DEMO_INDEX_NAME = "gtui demo files"
DEMO_INDEX_DESCRIPTION = "Every file of the demo world's collections"
DEMO_INDEX_CREATED = "2026-01-15 09:30:00"

_VERSION_1 = (
    """
    CREATE TABLE search_indexes (
        index_id TEXT PRIMARY KEY,
        display_name TEXT NOT NULL,
        description TEXT NOT NULL,
        creation_date TEXT NOT NULL,
        is_trial INTEGER NOT NULL,
        max_size_in_mb INTEGER NOT NULL,
        subscription_id TEXT,
        status TEXT NOT NULL
    )
    """,
    """
    CREATE TABLE search_roles (
        role_id TEXT PRIMARY KEY,
        index_id TEXT NOT NULL,
        principal TEXT NOT NULL,
        role_name TEXT NOT NULL,
        creation_date TEXT NOT NULL,
        UNIQUE (index_id, principal, role_name)
    )
    """,
    """
    CREATE TABLE search_entries (
        index_id TEXT NOT NULL,
        subject TEXT NOT NULL,
        entry_key TEXT NOT NULL,
        content TEXT NOT NULL,
        visible_to TEXT NOT NULL,
        PRIMARY KEY (index_id, subject, entry_key)
    )
    """,
    """
    CREATE TABLE search_hidden (
        index_id TEXT NOT NULL,
        subject TEXT NOT NULL,
        PRIMARY KEY (index_id, subject)
    )
    """,
    """
    CREATE TABLE search_tasks (
        task_id TEXT PRIMARY KEY,
        index_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        state TEXT NOT NULL,
        creation_date TEXT NOT NULL,
        completion_date TEXT,
        message TEXT,
        additional_details TEXT,
        payload TEXT,
        due REAL NOT NULL
    )
    """,
    "CREATE INDEX search_tasks_by_index ON search_tasks (index_id)",
)


def _version_1(conn: sqlite3.Connection) -> None:
    for statement in _VERSION_1:
        conn.execute(statement)


def _demo_index(conn: sqlite3.Connection) -> None:
    """The demo index, owned by the demo user."""
    conn.execute(
        "INSERT INTO search_indexes VALUES (?, ?, ?, ?, 0, 1024, NULL, 'open')",
        (DEMO_INDEX_ID, DEMO_INDEX_NAME, DEMO_INDEX_DESCRIPTION, DEMO_INDEX_CREATED),
    )
    conn.execute(
        "INSERT INTO search_roles VALUES (?, ?, ?, 'owner', ?)",
        (new_role_id(), DEMO_INDEX_ID, IDENTITY_URN + DEMO_USER_ID, DEMO_INDEX_CREATED),
    )


MIGRATIONS = (_version_1,)


def new_role_id() -> str:
    """A role id in Search's short form (``MDQ1MzAy``: six digits, base64)."""
    return b64encode(f"{secrets.randbelow(1_000_000):06d}".encode()).decode("ascii")


def entry_key(entry_id: str | None) -> str:
    return json.dumps(entry_id)


@dataclass(frozen=True)
class IndexRow:
    id: str
    display_name: str
    description: str
    creation_date: str
    is_trial: bool
    max_size_in_mb: int
    subscription_id: str | None
    status: str


@dataclass(frozen=True)
class RoleRow:
    id: str
    index_id: str
    principal: str
    role_name: str
    creation_date: str

    @property
    def principal_type(self) -> str:
        return "group" if self.principal.startswith(GROUP_URN) else "identity"

    def to_doc(self) -> dict[str, Any]:
        """The role as ``role_list``, ``role`` and ``role/{id}`` answer it."""
        return {
            "creation_date": self.creation_date,
            "id": self.id,
            "index_id": self.index_id,
            "principal": self.principal,
            "principal_type": self.principal_type,
            "role_name": self.role_name,
        }


@dataclass(frozen=True)
class TaskRow:
    id: str
    index_id: str
    kind: str
    state: str
    creation_date: str
    completion_date: str | None
    message: str | None
    additional_details: dict[str, Any] | None
    payload: dict[str, Any] | None
    due: float


INDEX_COLUMNS = (
    "index_id, display_name, description, creation_date, is_trial, max_size_in_mb,"
    " subscription_id, status"
)
TASK_COLUMNS = (
    "task_id, index_id, kind, state, creation_date, completion_date, message,"
    " additional_details, payload, due"
)


def _index(row: tuple[Any, ...]) -> IndexRow:
    index_id, name, description, created, trial, size, subscription, status = row
    return IndexRow(index_id, name, description, created, bool(trial), size, subscription, status)


def _task(row: tuple[Any, ...]) -> TaskRow:
    task_id, index_id, kind, state, created, completed, message, details, payload, due = row
    return TaskRow(
        task_id,
        index_id,
        kind,
        state,
        created,
        completed,
        message,
        json.loads(details) if details else None,
        json.loads(payload) if payload else None,
        due,
    )


class SearchStore:
    """The rows of the Search component; callers check who may change what."""

    def __init__(self, db: Database) -> None:
        self.db = db
        db.migrate(COMPONENT, MIGRATIONS, on_create=_demo_index)

    # -- indexes ------------------------------------------------------------------------------

    def indexes(self) -> list[IndexRow]:
        rows = self.db.connection().execute(
            f"SELECT {INDEX_COLUMNS} FROM search_indexes ORDER BY rowid"
        )
        return [_index(row) for row in rows.fetchall()]

    def put_index(self, index: IndexRow, owner: str | None = None) -> RoleRow | None:
        """Write an index (new or changed); a new one gets ``owner`` (a principal URN)."""
        with self.db.write() as conn:
            conn.execute(
                f"INSERT INTO search_indexes ({INDEX_COLUMNS}) VALUES (?,?,?,?,?,?,?,?)"
                " ON CONFLICT (index_id) DO UPDATE SET display_name = excluded.display_name,"
                " description = excluded.description, status = excluded.status",
                (
                    index.id,
                    index.display_name,
                    index.description,
                    index.creation_date,
                    int(index.is_trial),
                    index.max_size_in_mb,
                    index.subscription_id,
                    index.status,
                ),
            )
            if owner is None:
                return None
            return self._insert_role(conn, index.id, owner, "owner", index.creation_date)

    # -- roles --------------------------------------------------------------------------------

    def roles(self, index_id: str | None = None) -> list[RoleRow]:
        """The roles of one index (of every index when None), oldest first."""
        query = "SELECT role_id, index_id, principal, role_name, creation_date FROM search_roles"
        rows = (
            self.db.connection().execute(f"{query} ORDER BY rowid")
            if index_id is None
            else self.db.connection().execute(
                f"{query} WHERE index_id = ? ORDER BY rowid", (index_id,)
            )
        )
        return [RoleRow(*row) for row in rows.fetchall()]

    def add_role(self, index_id: str, principal: str, role_name: str, created: str) -> RoleRow:
        with self.db.write() as conn:
            return self._insert_role(conn, index_id, principal, role_name, created)

    def _insert_role(
        self, conn: sqlite3.Connection, index_id: str, principal: str, role_name: str, created: str
    ) -> RoleRow:
        while True:
            role = RoleRow(new_role_id(), index_id, principal, role_name, created)
            taken = conn.execute(
                "SELECT 1 FROM search_roles WHERE role_id = ?", (role.id,)
            ).fetchone()
            if taken is None:
                break
        conn.execute(
            "INSERT INTO search_roles VALUES (?, ?, ?, ?, ?)",
            (role.id, index_id, principal, role_name, created),
        )
        return role

    def delete_role(self, role_id: str) -> None:
        with self.db.write() as conn:
            conn.execute("DELETE FROM search_roles WHERE role_id = ?", (role_id,))

    # -- entries ------------------------------------------------------------------------------

    def entries(self) -> Iterable[tuple[str, dict[str, Any]]]:
        """Every ingested entry: ``(index_id, entry)``."""
        rows = self.db.connection().execute(
            "SELECT index_id, subject, entry_key, content, visible_to FROM search_entries"
            " ORDER BY rowid"
        )
        for index_id, subject, key, content, visible_to in rows.fetchall():
            yield (
                index_id,
                {
                    "subject": subject,
                    "entry_id": json.loads(key),
                    "content": json.loads(content),
                    "visible_to": json.loads(visible_to),
                },
            )

    def hidden(self) -> Iterable[tuple[str, str]]:
        """``(index_id, subject)`` of every demo file entry a delete removed."""
        rows = self.db.connection().execute("SELECT index_id, subject FROM search_hidden")
        yield from rows.fetchall()

    # -- tasks --------------------------------------------------------------------------------

    def add_task(self, task: TaskRow) -> None:
        with self.db.write() as conn:
            conn.execute(
                f"INSERT INTO search_tasks ({TASK_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (
                    task.id,
                    task.index_id,
                    task.kind,
                    task.state,
                    task.creation_date,
                    task.completion_date,
                    task.message,
                    json.dumps(task.additional_details) if task.additional_details else None,
                    json.dumps(task.payload) if task.payload is not None else None,
                    task.due,
                ),
            )

    def task(self, task_id: str) -> TaskRow | None:
        row = (
            self.db.connection()
            .execute(f"SELECT {TASK_COLUMNS} FROM search_tasks WHERE task_id = ?", (task_id,))
            .fetchone()
        )
        return _task(row) if row else None

    def tasks_of(self, index_id: str, limit: int) -> list[TaskRow]:
        """An index's most recent tasks, the latest first."""
        rows = self.db.connection().execute(
            f"SELECT {TASK_COLUMNS} FROM search_tasks WHERE index_id = ?"
            " ORDER BY rowid DESC LIMIT ?",
            (index_id, limit),
        )
        return [_task(row) for row in rows.fetchall()]

    def pending_tasks(self) -> list[TaskRow]:
        """The tasks not done yet, in the order they were submitted."""
        rows = self.db.connection().execute(
            f"SELECT {TASK_COLUMNS} FROM search_tasks WHERE state = 'PENDING' ORDER BY rowid"
        )
        return [_task(row) for row in rows.fetchall()]

    def finish_task(
        self,
        task_id: str,
        state: str,
        completed: str,
        *,
        message: str | None = None,
        details: dict[str, Any] | None = None,
        put: Iterable[tuple[str, dict[str, Any]]] = (),
        remove: Iterable[tuple[str, str, str | None]] = (),
        hide: Iterable[tuple[str, str]] = (),
    ) -> None:
        """End a task, writing what it changed in the same transaction: entries to ``put``
        (``(index_id, entry)``) and to ``remove`` (``(index_id, subject, entry_id)``), demo
        file subjects to ``hide`` (``(index_id, subject)``)."""
        with self.db.write() as conn:
            for index_id, entry in put:
                conn.execute(
                    "INSERT INTO search_entries VALUES (?, ?, ?, ?, ?)"
                    " ON CONFLICT (index_id, subject, entry_key) DO UPDATE"
                    " SET content = excluded.content, visible_to = excluded.visible_to",
                    (
                        index_id,
                        entry["subject"],
                        entry_key(entry["entry_id"]),
                        json.dumps(entry["content"]),
                        json.dumps(entry["visible_to"]),
                    ),
                )
            conn.executemany(
                "DELETE FROM search_entries WHERE index_id = ? AND subject = ? AND entry_key = ?",
                [(i, s, entry_key(e)) for i, s, e in remove],
            )
            conn.executemany("INSERT OR IGNORE INTO search_hidden VALUES (?, ?)", list(hide))
            conn.execute(
                "UPDATE search_tasks SET state = ?, completion_date = ?, message = ?,"
                " additional_details = ?, payload = NULL WHERE task_id = ?",
                (state, completed, message, json.dumps(details) if details else None, task_id),
            )

    def cancel_tasks(self, index_id: str, completed: str) -> None:
        """Cancel an index's pending tasks (the index is being deleted)."""
        with self.db.write() as conn:
            conn.execute(
                "UPDATE search_tasks SET state = 'CANCELLED', completion_date = ?,"
                " payload = NULL WHERE index_id = ? AND state = 'PENDING'",
                (completed, index_id),
            )

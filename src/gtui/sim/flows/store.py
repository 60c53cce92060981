"""Flows, runs, run logs and the actions runs started, in the service database.

Every change is committed before the answer that acknowledges it (and before the interpreter
goes on from a saved step), so a killed service loses nothing it has told anyone about.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from gtui.sim.database import Database
from gtui.sim.flows import schema
from gtui.sim.flows.model import Flow, Run

T = TypeVar("T", Flow, Run)


@dataclass(frozen=True)
class StoredAction:
    """An action a run started: what it asked for, and the task it made (once it could)."""

    action_id: str
    action_url: str
    parameters: dict[str, Any]
    task_id: str | None
    finished: bool


FLOW_FIELDS = tuple(f.name for f in dataclasses.fields(Flow))
RUN_FIELDS = tuple(f.name for f in dataclasses.fields(Run))
JSON_FIELDS = frozenset(
    {
        "definition",
        "input_schema",
        "keywords",
        "viewers",
        "starters",
        "administrators",
        "run_managers",
        "run_monitors",
        "progress",
        "tags",
        "activity_notification_policy",
    }
)


def _dump(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _encode(name: str, value: Any) -> Any:
    return _dump(value) if name in JSON_FIELDS else value


def _decode(kind: Callable[..., T], fields: tuple[str, ...], row: Iterable[Any]) -> T:
    values = dict(zip(fields, row, strict=True))
    for name in JSON_FIELDS & values.keys():
        values[name] = json.loads(values[name])
    return kind(**values)


class FlowStore:
    """The Flows service's rows; who may see what is the routes' business (``roles.py``)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def create_tables(self, on_create: Callable[[Any], None] | None = None) -> None:
        self.db.migrate(schema.COMPONENT, schema.MIGRATIONS, on_create)

    # -- flows ------------------------------------------------------------------------------
    @staticmethod
    def insert_flow(conn: Any, flow: Flow) -> None:
        marks = ", ".join("?" for _ in FLOW_FIELDS)
        values = [_encode(n, getattr(flow, n)) for n in FLOW_FIELDS]
        conn.execute(f"INSERT INTO flows ({', '.join(FLOW_FIELDS)}) VALUES ({marks})", values)

    def add_flow(self, flow: Flow) -> None:
        with self.db.write() as conn:
            self.insert_flow(conn, flow)

    def flow(self, flow_id: str) -> Flow | None:
        row = (
            self.db.connection()
            .execute(f"SELECT {', '.join(FLOW_FIELDS)} FROM flows WHERE flow_id = ?", (flow_id,))
            .fetchone()
        )
        return _decode(Flow, FLOW_FIELDS, row) if row else None

    def flows(self) -> list[Flow]:
        found = self.db.connection().execute(
            f"SELECT {', '.join(FLOW_FIELDS)} FROM flows ORDER BY rowid"
        )
        return [_decode(Flow, FLOW_FIELDS, row) for row in found.fetchall()]

    def replace_flow(self, flow: Flow) -> None:
        assignments = ", ".join(f"{n} = ?" for n in FLOW_FIELDS if n != "flow_id")
        values = [_encode(n, getattr(flow, n)) for n in FLOW_FIELDS if n != "flow_id"]
        with self.db.write() as conn:
            conn.execute(
                f"UPDATE flows SET {assignments} WHERE flow_id = ?", (*values, flow.flow_id)
            )

    def delete_flow(self, flow_id: str) -> None:
        with self.db.write() as conn:
            conn.execute("DELETE FROM flows WHERE flow_id = ?", (flow_id,))

    # -- runs -------------------------------------------------------------------------------
    def add_run(self, run: Run) -> None:
        marks = ", ".join("?" for _ in RUN_FIELDS)
        values = [_encode(n, getattr(run, n)) for n in RUN_FIELDS]
        with self.db.write() as conn:
            conn.execute(
                f"INSERT INTO flow_runs ({', '.join(RUN_FIELDS)}) VALUES ({marks})", values
            )

    def run(self, run_id: str) -> Run | None:
        row = (
            self.db.connection()
            .execute(f"SELECT {', '.join(RUN_FIELDS)} FROM flow_runs WHERE run_id = ?", (run_id,))
            .fetchone()
        )
        return _decode(Run, RUN_FIELDS, row) if row else None

    def runs(self, status: str | None = None) -> list[Run]:
        """Every run (or those with ``status``), oldest first."""
        where, args = ("WHERE status = ?", (status,)) if status else ("", ())
        found = self.db.connection().execute(
            f"SELECT {', '.join(RUN_FIELDS)} FROM flow_runs {where} ORDER BY start_time, rowid",
            args,
        )
        return [_decode(Run, RUN_FIELDS, row) for row in found.fetchall()]

    def change_run(self, run_id: str, changes: dict[str, Any]) -> None:
        unknown = set(changes) - set(RUN_FIELDS) | ({"run_id"} & set(changes))
        if unknown:
            raise ValueError(f"not columns a change may set: {sorted(unknown)}")
        if not changes:
            return
        assignments = ", ".join(f"{n} = ?" for n in changes)
        values = [_encode(n, v) for n, v in changes.items()]
        with self.db.write() as conn:
            conn.execute(f"UPDATE flow_runs SET {assignments} WHERE run_id = ?", (*values, run_id))

    def delete_run(self, run_id: str) -> None:
        with self.db.write() as conn:
            for table in ("flow_runs", "flow_run_logs", "flow_actions"):
                conn.execute(f"DELETE FROM {table} WHERE run_id = ?", (run_id,))

    # -- logs -------------------------------------------------------------------------------
    def add_log(self, run_id: str, entry: dict[str, Any]) -> None:
        with self.db.write() as conn:
            (position,) = conn.execute(
                "SELECT coalesce(max(position) + 1, 0) FROM flow_run_logs WHERE run_id = ?",
                (run_id,),
            ).fetchone()
            conn.execute(
                "INSERT INTO flow_run_logs (run_id, position, entry) VALUES (?, ?, ?)",
                (run_id, position, _dump(entry)),
            )

    def log_page(
        self, run_id: str, offset: int, limit: int, *, reverse: bool = False
    ) -> tuple[list[dict[str, Any]], bool]:
        """Up to ``limit`` entries from ``offset`` (oldest first, or newest first), and
        whether more follow."""
        order = "DESC" if reverse else "ASC"
        found = self.db.connection().execute(
            f"SELECT entry FROM flow_run_logs WHERE run_id = ? ORDER BY position {order}"
            " LIMIT ? OFFSET ?",
            (run_id, limit + 1, offset),
        )
        rows = [json.loads(entry) for (entry,) in found.fetchall()]
        return rows[:limit], len(rows) > limit

    def last_log(self, run_id: str) -> dict[str, Any] | None:
        row = (
            self.db.connection()
            .execute(
                "SELECT entry FROM flow_run_logs WHERE run_id = ? ORDER BY position DESC LIMIT 1",
                (run_id,),
            )
            .fetchone()
        )
        return json.loads(row[0]) if row else None

    # -- actions ----------------------------------------------------------------------------
    def finished_actions(self, run_id: str, action_key: str) -> int:
        """How many actions of ``run_id`` with this key have run to their end."""
        (count,) = (
            self.db.connection()
            .execute(
                "SELECT count(*) FROM flow_actions WHERE run_id = ? AND action_key = ?"
                " AND finished = 1",
                (run_id, action_key),
            )
            .fetchone()
        )
        return int(count)

    def record_action(
        self,
        run_id: str,
        action_key: str,
        action_id: str,
        action_url: str,
        parameters: dict[str, Any],
        now: float,
    ) -> None:
        with self.db.write() as conn:
            conn.execute(
                "INSERT INTO flow_actions (run_id, action_key, action_id, action_url,"
                " parameters, started_at) VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (run_id, action_id) DO NOTHING",
                (run_id, action_key, action_id, action_url, _dump(parameters), now),
            )

    def action(self, run_id: str, action_id: str) -> StoredAction | None:
        row = (
            self.db.connection()
            .execute(
                "SELECT action_url, parameters, task_id, finished FROM flow_actions"
                " WHERE run_id = ? AND action_id = ?",
                (run_id, action_id),
            )
            .fetchone()
        )
        if row is None:
            return None
        url, parameters, task_id, finished = row
        return StoredAction(action_id, url, json.loads(parameters), task_id, bool(finished))

    def unfinished_actions(self, run_id: str) -> list[StoredAction]:
        found = self.db.connection().execute(
            "SELECT action_id FROM flow_actions WHERE run_id = ? AND finished = 0",
            (run_id,),
        )
        actions = [self.action(run_id, a) for (a,) in found.fetchall()]
        return [a for a in actions if a is not None]

    def set_task(self, run_id: str, action_id: str, task_id: str) -> None:
        with self.db.write() as conn:
            conn.execute(
                "UPDATE flow_actions SET task_id = ? WHERE run_id = ? AND action_id = ?",
                (task_id, run_id, action_id),
            )

    def finish_action(self, run_id: str, action_id: str) -> None:
        with self.db.write() as conn:
            conn.execute(
                "UPDATE flow_actions SET finished = 1 WHERE run_id = ? AND action_id = ?",
                (run_id, action_id),
            )

    def task_ids(self, run_id: str) -> list[str]:
        """The transfer tasks a run's actions made, in order."""
        found = self.db.connection().execute(
            "SELECT task_id FROM flow_actions WHERE run_id = ? AND task_id IS NOT NULL"
            " ORDER BY started_at, action_id",
            (run_id,),
        )
        return [t for (t,) in found.fetchall()]

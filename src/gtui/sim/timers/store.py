"""Where timers are kept: rows of the service database, written before a change is answered.

Nothing lives only in memory, so a restart (or ``kill -9``) finds every timer where it stood.
Changes name the columns they touch, so a route renaming a timer and the scheduler recording
its run never undo each other's work.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Collection
from typing import Any

from gtui.sim.database import Database
from gtui.sim.errors import SimAPIError
from gtui.sim.timers import schema
from gtui.sim.timers.model import DELETED, LOADED, NEW, Run, Timer
from gtui.sim.timers.schedule import Schedule

FIELDS = tuple(f.name for f in dataclasses.fields(Timer))
COLUMNS = ", ".join(FIELDS)
JSON_FIELDS = ("body", "inactive_reason")
ORDERS = ("submitted_at", "name", "last_ran_at", "next_run")
# The time the scheduler next has something to do for a timer: its pending run, or the next
# try of the run it is making.
WAKE = "CASE WHEN run_started_at IS NULL THEN next_run ELSE coalesce(retry_at, 0) END"
SCHEDULED = f"status = '{LOADED}' AND ({WAKE}) IS NOT NULL"


def timer_not_found(job_id: str) -> SimAPIError:
    return SimAPIError(404, "NotFound", f"Job {job_id} not found")


def _encode(name: str, value: Any) -> Any:
    if name == "schedule":
        return json.dumps(dataclasses.asdict(value), separators=(",", ":"))
    if name in JSON_FIELDS:
        return None if value is None else json.dumps(value, separators=(",", ":"))
    return value


def _timer(row: tuple[Any, ...]) -> Timer:
    values = dict(zip(FIELDS, row, strict=True))
    values["schedule"] = Schedule(**json.loads(values["schedule"]))
    for name in JSON_FIELDS:
        if values[name] is not None:
            values[name] = json.loads(values[name])
    return Timer(**values)


class TimerStore:
    """Every user's timers and their histories; one user never reaches another's."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def create_tables(self) -> None:
        self.db.migrate(schema.COMPONENT, schema.MIGRATIONS)

    # -- timers -------------------------------------------------------------------------
    def add(self, timer: Timer) -> None:
        marks = ", ".join("?" for _ in FIELDS)
        values = [_encode(name, getattr(timer, name)) for name in FIELDS]
        with self.db.write() as conn:
            conn.execute(f"INSERT INTO timers ({COLUMNS}) VALUES ({marks})", values)

    def get(self, job_id: str) -> Timer | None:
        row = (
            self.db.connection()
            .execute(f"SELECT {COLUMNS} FROM timers WHERE job_id = ?", (job_id,))
            .fetchone()
        )
        return _timer(row) if row else None

    def owned(self, owner_id: str, job_id: str) -> Timer:
        """The caller's timer, or a 404 (unknown, deleted, or someone else's)."""
        timer = self.get(job_id)
        if timer is None or timer.owner_id != owner_id or timer.status == DELETED:
            raise timer_not_found(job_id)
        return timer

    def timers_of(
        self, owner_id: str, order: str = "submitted_at", descending: bool = False
    ) -> list[Timer]:
        """A user's timers (deleted ones left out), in the order asked for."""
        if order not in ORDERS:
            raise ValueError(f"cannot order timers by {order!r}")
        direction = "DESC" if descending else "ASC"
        found = self.db.connection().execute(
            f"SELECT {COLUMNS} FROM timers WHERE owner_id = ? AND status != ?"
            f" ORDER BY {order} {direction}, rowid {direction}",
            (owner_id, DELETED),
        )
        return [_timer(row) for row in found.fetchall()]

    def change(self, job_id: str, changes: dict[str, Any]) -> None:
        """Set some columns of one timer."""
        if not changes:
            return
        with self.db.write() as conn:
            self._change(conn, job_id, changes)

    def _change(self, conn: Any, job_id: str, changes: dict[str, Any]) -> None:
        unknown = set(changes) - set(FIELDS) | ({"job_id"} & set(changes))
        if unknown:
            raise ValueError(f"not columns a change may set: {sorted(unknown)}")
        assignments = ", ".join(f"{name} = ?" for name in changes)
        values = [_encode(name, value) for name, value in changes.items()]
        conn.execute(f"UPDATE timers SET {assignments} WHERE job_id = ?", (*values, job_id))

    # -- what the scheduler reads ---------------------------------------------------------
    def load_new(self) -> int:
        """Schedule the timers made since the last look (``new`` becomes ``loaded``)."""
        found = self.db.connection().execute(
            "SELECT 1 FROM timers WHERE status = ? LIMIT 1", (NEW,)
        )
        if found.fetchone() is None:
            return 0
        with self.db.write() as conn:
            return conn.execute(
                "UPDATE timers SET status = ? WHERE status = ?", (LOADED, NEW)
            ).rowcount

    def due(self, now: float) -> list[Timer]:
        """Loaded timers with a run or a try due by ``now``, the longest waiting first."""
        found = self.db.connection().execute(
            f"SELECT {COLUMNS} FROM timers WHERE {SCHEDULED} AND ({WAKE}) <= ?"
            f" ORDER BY {WAKE}, submitted_at",
            (now,),
        )
        return [_timer(row) for row in found.fetchall()]

    def next_wake(self, excluding: Collection[str] = ()) -> float | None:
        """When the scheduler next has something to do, if ever (for the timers other than
        ``excluding``, whose runs are under way)."""
        marks = ", ".join("?" for _ in excluding)
        found = self.db.connection().execute(
            f"SELECT min({WAKE}) FROM timers WHERE {SCHEDULED} AND job_id NOT IN ({marks})",
            tuple(excluding),
        )
        value = found.fetchone()[0]
        return None if value is None else float(value)

    # -- pacing ---------------------------------------------------------------------------
    def last_starts(self) -> dict[str, float]:
        """When each user's timers last started a run."""
        found = self.db.connection().execute("SELECT owner_id, last_start FROM timer_pacing")
        return {owner: float(start) for owner, start in found.fetchall()}

    def start_run(self, timer: Timer, changes: dict[str, Any], now: float) -> None:
        """Record that a run begins (and the owner's pacing), in one transaction."""
        with self.db.write() as conn:
            self._change(conn, timer.job_id, changes)
            conn.execute(
                "INSERT INTO timer_pacing (owner_id, last_start) VALUES (?, ?)"
                " ON CONFLICT (owner_id) DO UPDATE SET last_start = excluded.last_start",
                (timer.owner_id, now),
            )

    # -- history --------------------------------------------------------------------------
    def add_run(self, job_id: str, run: Run, changes: dict[str, Any]) -> None:
        """Append a run to a timer's history and change the timer, in one transaction."""
        with self.db.write() as conn:
            (position,) = conn.execute(
                "SELECT coalesce(max(position) + 1, 0) FROM timer_runs WHERE job_id = ?",
                (job_id,),
            ).fetchone()
            errors = None if run.errors is None else json.dumps(run.errors)
            conn.execute(
                "INSERT INTO timer_runs (job_id, position, ran_at, status, task_id, errors)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (job_id, position, run.ran_at, run.status, run.task_id, errors),
            )
            self._change(conn, job_id, changes)

    def runs(self, job_id: str, limit: int | None = None) -> list[Run]:
        """A timer's history, newest first (the latest ``limit`` runs only, if given)."""
        found = self.db.connection().execute(
            "SELECT ran_at, status, task_id, errors FROM timer_runs WHERE job_id = ?"
            " ORDER BY position DESC LIMIT ?",
            (job_id, -1 if limit is None else limit),
        )
        return [
            Run(ran_at, status, task_id, None if errors is None else json.loads(errors))
            for ran_at, status, task_id, errors in found.fetchall()
        ]

    def forget_runs_before(self, moment: float) -> int:
        """Drop the history older than ``moment``; how many runs went."""
        (oldest,) = self.db.connection().execute("SELECT min(ran_at) FROM timer_runs").fetchone()
        if oldest is None or oldest >= moment:
            return 0
        with self.db.write() as conn:
            return conn.execute("DELETE FROM timer_runs WHERE ran_at < ?", (moment,)).rowcount

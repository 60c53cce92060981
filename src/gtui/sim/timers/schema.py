"""Timers' tables in the service database, as numbered migrations (append, never edit).

``timers`` holds one row per timer: what it is (name, schedule and transfer body as JSON),
where it stands (the pending run, counters, the run being tried) and why it is inactive.
``timer_runs`` is its history, by position, newest last; ``timer_pacing`` when each user's
timers last started a run (at most one a minute).
"""

from __future__ import annotations

import sqlite3

COMPONENT = "timers"

_VERSION_1 = (
    """
    CREATE TABLE timers (
        job_id TEXT PRIMARY KEY,
        owner_id TEXT NOT NULL,
        name TEXT NOT NULL,
        status TEXT NOT NULL,
        schedule TEXT NOT NULL,
        body TEXT NOT NULL,
        submitted_at REAL NOT NULL,
        next_run REAL,
        slot INTEGER NOT NULL,
        last_ran_at REAL,
        n_runs INTEGER NOT NULL,
        n_errors INTEGER NOT NULL,
        inactive_reason TEXT,
        inactive_since REAL,
        last_task_id TEXT,
        run_started_at REAL,
        submission_id TEXT,
        attempts INTEGER NOT NULL,
        retry_at REAL,
        retry_until REAL
    )
    """,
    "CREATE INDEX timers_by_owner ON timers (owner_id, submitted_at)",
    "CREATE INDEX timers_scheduled ON timers (status) WHERE status IN ('new', 'loaded')",
    """
    CREATE TABLE timer_runs (
        job_id TEXT NOT NULL,
        position INTEGER NOT NULL,
        ran_at REAL NOT NULL,
        status INTEGER NOT NULL,
        task_id TEXT,
        errors TEXT,
        PRIMARY KEY (job_id, position)
    ) WITHOUT ROWID
    """,
    "CREATE INDEX timer_runs_by_time ON timer_runs (ran_at)",
    """
    CREATE TABLE timer_pacing (
        owner_id TEXT PRIMARY KEY,
        last_start REAL NOT NULL
    ) WITHOUT ROWID
    """,
)


def _version_1(conn: sqlite3.Connection) -> None:
    for statement in _VERSION_1:
        conn.execute(statement)


MIGRATIONS = (_version_1,)

"""The Flows tables in the service database, as numbered migrations (append, never edit).

``flows`` holds one row per flow (lists and documents as JSON); ``flow_runs`` one per run,
with the interpreter's progress saved after every step; ``flow_run_logs`` each run's log in
order; ``flow_actions`` the actions a run's states started (their parameters, and which
transfer task each made once it could), so that a run resumed after a restart asks about
its action instead of starting it again.
"""

from __future__ import annotations

import sqlite3

COMPONENT = "flows"

_VERSION_1 = (
    """
    CREATE TABLE flows (
        flow_id TEXT PRIMARY KEY,
        owner_id TEXT NOT NULL,
        title TEXT NOT NULL,
        definition TEXT NOT NULL,
        input_schema TEXT NOT NULL,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        subtitle TEXT NOT NULL,
        description TEXT NOT NULL,
        keywords TEXT NOT NULL,
        viewers TEXT NOT NULL,
        starters TEXT NOT NULL,
        administrators TEXT NOT NULL,
        run_managers TEXT NOT NULL,
        run_monitors TEXT NOT NULL,
        subscription_id TEXT
    )
    """,
    """
    CREATE TABLE flow_runs (
        run_id TEXT PRIMARY KEY,
        flow_id TEXT NOT NULL,
        owner_id TEXT NOT NULL,
        label TEXT NOT NULL,
        status TEXT NOT NULL,
        start_time REAL NOT NULL,
        flow_title TEXT NOT NULL,
        flow_last_updated REAL NOT NULL,
        definition TEXT NOT NULL,
        input_schema TEXT NOT NULL,
        progress TEXT NOT NULL,
        completion_time REAL,
        tags TEXT NOT NULL,
        run_managers TEXT NOT NULL,
        run_monitors TEXT NOT NULL,
        activity_notification_policy TEXT NOT NULL
    )
    """,
    "CREATE INDEX flow_runs_by_status ON flow_runs (status)",
    "CREATE INDEX flow_runs_by_flow ON flow_runs (flow_id)",
    """
    CREATE TABLE flow_run_logs (
        run_id TEXT NOT NULL,
        position INTEGER NOT NULL,
        entry TEXT NOT NULL,
        PRIMARY KEY (run_id, position)
    ) WITHOUT ROWID
    """,
    """
    CREATE TABLE flow_actions (
        run_id TEXT NOT NULL,
        action_key TEXT NOT NULL,
        action_id TEXT NOT NULL,
        action_url TEXT NOT NULL,
        parameters TEXT NOT NULL,
        started_at REAL NOT NULL,
        finished INTEGER NOT NULL DEFAULT 0,
        task_id TEXT,
        PRIMARY KEY (run_id, action_id)
    ) WITHOUT ROWID
    """,
)


def _version_1(conn: sqlite3.Connection) -> None:
    for statement in _VERSION_1:
        conn.execute(statement)


MIGRATIONS = (_version_1,)

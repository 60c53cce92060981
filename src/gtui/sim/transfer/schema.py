"""Transfer's tables in the service database, as numbered migrations (append, never edit).

A task is a small row of ``transfer_tasks`` holding the fields ``task_list`` filters and
orders on (so a filter or a count reads little), and a row of ``transfer_documents`` with
its public document and the engine's spec as JSON, read only for the tasks of a page. Its
events, successful transfers and skipped errors are rows keyed by the task's ``sequence`` and
their position in its list, so a page of any of them is an index range.
``transfer_endpoint_use`` keeps when each user last used each endpoint ("recently used").
"""

from __future__ import annotations

import sqlite3

COMPONENT = "transfer"

_VERSION_1 = (
    """
    CREATE TABLE transfer_tasks (
        sequence INTEGER PRIMARY KEY,
        task_id TEXT NOT NULL UNIQUE,
        owner_id TEXT NOT NULL,
        submission_id TEXT NOT NULL,
        type TEXT NOT NULL,
        status TEXT NOT NULL,
        label TEXT,
        label_folded TEXT NOT NULL,
        request_time TEXT NOT NULL,
        request_seconds REAL NOT NULL,
        completion_time TEXT,
        completion_seconds REAL,
        deadline TEXT,
        source_endpoint_id TEXT,
        destination_endpoint_id TEXT,
        source_endpoint_display_name TEXT,
        destination_endpoint_display_name TEXT,
        bytes_transferred INTEGER,
        files INTEGER,
        faults INTEGER,
        UNIQUE (owner_id, submission_id)
    )
    """,
    "CREATE INDEX transfer_tasks_by_owner ON transfer_tasks (owner_id, request_time, sequence)",
    "CREATE INDEX transfer_tasks_active ON transfer_tasks (status) WHERE status = 'ACTIVE'",
    """
    CREATE TABLE transfer_documents (
        sequence INTEGER PRIMARY KEY,
        doc TEXT NOT NULL,
        spec TEXT NOT NULL
    )
    """,
    """
    CREATE TABLE transfer_endpoint_use (
        owner_id TEXT NOT NULL,
        endpoint_id TEXT NOT NULL,
        last_used INTEGER NOT NULL,
        PRIMARY KEY (owner_id, endpoint_id)
    ) WITHOUT ROWID
    """,
    """
    CREATE TABLE transfer_events (
        task INTEGER NOT NULL,
        position INTEGER NOT NULL,
        code TEXT NOT NULL,
        description TEXT NOT NULL,
        details TEXT NOT NULL,
        is_error INTEGER NOT NULL,
        time TEXT NOT NULL,
        PRIMARY KEY (task, position)
    ) WITHOUT ROWID
    """,
    """
    CREATE TABLE transfer_successful (
        task INTEGER NOT NULL,
        position INTEGER NOT NULL,
        source_path TEXT NOT NULL,
        destination_path TEXT NOT NULL,
        PRIMARY KEY (task, position)
    ) WITHOUT ROWID
    """,
    """
    CREATE TABLE transfer_skipped (
        task INTEGER NOT NULL,
        position INTEGER NOT NULL,
        record TEXT NOT NULL,
        PRIMARY KEY (task, position)
    ) WITHOUT ROWID
    """,
    """
    CREATE TABLE transfer_bookmarks (
        bookmark_id TEXT PRIMARY KEY,
        owner_id TEXT NOT NULL,
        name TEXT NOT NULL,
        endpoint_id TEXT NOT NULL,
        path TEXT NOT NULL,
        pinned INTEGER NOT NULL,
        UNIQUE (owner_id, name)
    )
    """,
)


# The tasks the engine keeps in memory (store.py): this very text, so that reading them at
# start uses the partial index of version 2.
UNFINISHED = "status IN ('ACTIVE', 'INACTIVE')"

# Version 2: INACTIVE tasks (waiting for their owner's consent) are unfinished too.
_VERSION_2 = (
    "DROP INDEX transfer_tasks_active",
    f"CREATE INDEX transfer_tasks_unfinished ON transfer_tasks (status) WHERE {UNFINISHED}",
)


def _version_1(conn: sqlite3.Connection) -> None:
    for statement in _VERSION_1:
        conn.execute(statement)


def _version_2(conn: sqlite3.Connection) -> None:
    for statement in _VERSION_2:
        conn.execute(statement)


MIGRATIONS = (_version_1, _version_2)

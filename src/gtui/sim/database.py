"""The service's one SQLite database (``state_dir/service.db``): connections, writes, schemas.

State that grows with use (Transfer's tasks today) is written per change and read per
request, so a start costs the same whatever the history. Each part of the service brings its
own tables as numbered migrations (``migrate``); ``schema_versions`` says which have run.

Durability: WAL journal with ``synchronous=NORMAL``. A transaction is in the WAL file when
COMMIT returns, so a killed process (even ``kill -9``) loses nothing committed; only an
operating system crash or a power cut can lose the last commits, which would cost an fsync
per commit to prevent. Callers commit before they answer.

Threads: each thread reads on its own connection (WAL readers never wait for the writer);
writes are one transaction at a time, under one lock.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

FILE_NAME = "service.db"
BUSY_TIMEOUT_MS = 30_000

Migration = Callable[[sqlite3.Connection], None]


class SchemaMismatch(RuntimeError):
    """The database was written by a gtui that knows a later schema."""


class Database:
    """One database file, shared by every thread of the service until ``close``."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._guard = threading.Lock()
        self._write_lock = threading.Lock()
        self._closed = False
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600))
        self.connection().execute("PRAGMA journal_mode=WAL")
        with self.write() as conn:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_versions ("
                " component TEXT PRIMARY KEY, version INTEGER NOT NULL)"
            )

    def connection(self) -> sqlite3.Connection:
        """This thread's connection (opened on first use), for reading."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            return conn
        with self._guard:
            if self._closed:
                raise sqlite3.ProgrammingError(f"the database {self.path} is closed")
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self._connections.append(conn)
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA synchronous=NORMAL")
        self._local.conn = conn
        self._local.depth = 0
        return conn

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, committed when the block ends (rolled back if it raises).

        A ``write`` inside another on the same thread joins the outer transaction.
        """
        conn = self.connection()
        if self._local.depth:
            self._local.depth += 1
            try:
                yield conn
            finally:
                self._local.depth -= 1
            return
        with self._write_lock:
            conn.execute("BEGIN IMMEDIATE")
            self._local.depth = 1
            try:
                yield conn
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            else:
                conn.execute("COMMIT")
            finally:
                self._local.depth = 0

    def migrate(
        self,
        component: str,
        migrations: Sequence[Migration],
        on_create: Migration | None = None,
    ) -> int:
        """Run ``component``'s migrations not yet run, in one transaction; returns the version
        found. ``on_create`` fills the tables in that transaction when they are new."""
        with self.write() as conn:
            row = conn.execute(
                "SELECT version FROM schema_versions WHERE component = ?", (component,)
            ).fetchone()
            found = int(row[0]) if row else 0
            if found > len(migrations):
                raise SchemaMismatch(
                    f"{self.path} has {component} schema version {found}; "
                    f"this gtui knows up to {len(migrations)}"
                )
            for migration in migrations[found:]:
                migration(conn)
            if found == 0 and on_create is not None:
                on_create(conn)
            conn.execute(
                "INSERT INTO schema_versions (component, version) VALUES (?, ?)"
                " ON CONFLICT (component) DO UPDATE SET version = excluded.version",
                (component, len(migrations)),
            )
        return found

    def close(self) -> None:
        """Close every thread's connection; the last one out checkpoints the WAL."""
        with self._guard:
            self._closed = True
            connections, self._connections = self._connections, []
        for conn in connections:
            conn.close()


def open_database(state_dir: Path) -> Database:
    """The database of the service whose state lives in ``state_dir``."""
    return Database(Path(state_dir) / FILE_NAME)

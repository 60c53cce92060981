"""The one-time move of ``transfer.json`` (where earlier versions kept Transfer's state whole)
into the service database, so that an existing demo folder keeps its tasks and bookmarks.

It runs in the transaction that creates Transfer's tables, so it happens once, entirely or
not at all; afterwards the file is renamed ``transfer.json.migrated`` and never read again.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Any

from gtui.sim.errors import SimAPIError
from gtui.sim.persist import JsonState
from gtui.sim.transfer import rows
from gtui.sim.transfer.bookmark_store import BookmarkStore
from gtui.sim.transfer.model import RECORD_LISTS, Task

log = logging.getLogger(__name__)

FILE_NAME = "transfer.json"
MIGRATED_SUFFIX = ".migrated"
STATE_VERSION = 1


def read_legacy(path: Path) -> dict[str, Any] | None:
    """The old state file's contents, or None when there is none of a known version."""
    if not path.exists():
        return None
    data = JsonState(path).load()
    return data if data.get("version") == STATE_VERSION else None


def import_legacy(conn: sqlite3.Connection, data: dict[str, Any], bookmarks: BookmarkStore) -> None:
    """Insert the old file's tasks (in their order) and bookmarks; a record that cannot be
    read is left out and logged rather than keeping the service from starting."""
    tasks = [raw for raw in data.get("tasks", []) if isinstance(raw, dict)]
    tasks.sort(key=lambda raw: raw["sequence"] if isinstance(raw.get("sequence"), int) else 0)
    for raw in tasks:
        conn.execute("SAVEPOINT legacy_task")
        try:
            task = Task(dict(raw["doc"]), raw["spec"], raw["submission_id"])
            sequence = rows.insert_task(conn, task)
            for kind in RECORD_LISTS:
                rows.insert_records(conn, kind, sequence, enumerate(raw.get(kind, [])))
        except (KeyError, TypeError, ValueError, sqlite3.IntegrityError) as exc:
            conn.execute("ROLLBACK TO legacy_task")
            log.warning("left out a task of %s that could not be read: %r", FILE_NAME, exc)
        conn.execute("RELEASE legacy_task")
    for owner_id, marks in data.get("bookmarks", {}).items():
        for mark in marks.values():
            try:
                bookmarks.put_bookmark(owner_id, mark)
            except (KeyError, TypeError, SimAPIError) as exc:
                log.warning("left out a bookmark of %s: %r", FILE_NAME, exc)


def retire(path: Path) -> None:
    """Rename the imported file so that it is kept but never imported again."""
    path.replace(path.with_name(path.name + MIGRATED_SUFFIX))

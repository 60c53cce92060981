"""How a task and its records map to the rows of Transfer's tables (schema.py), both ways.

Records are rebuilt with their keys in the order the engine writes them, so an answer read
back from the database is the same JSON, byte for byte, as one built in memory.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from typing import Any

from gtui.sim.transfer.model import Task, parse_iso

# The columns of ``transfer_tasks`` that follow a task's document; ``task_list`` filters and
# orders on them. These are copied from the document as they are; DOC_COLUMNS adds the
# derived ones (folded label, times in seconds).
COPIED_COLUMNS = (
    "deadline",
    "source_endpoint_id",
    "destination_endpoint_id",
    "source_endpoint_display_name",
    "destination_endpoint_display_name",
    "bytes_transferred",
    "files",
    "faults",
)
DOC_COLUMNS = (
    "status",
    "label",
    "label_folded",
    "request_time",
    "request_seconds",
    "completion_time",
    "completion_seconds",
    *COPIED_COLUMNS,
)
TASK_COLUMNS = ("task_id", "owner_id", "submission_id", "type", *DOC_COLUMNS)
SELECT_TASK = (
    "SELECT doc, spec, submission_id, sequence"
    " FROM transfer_tasks JOIN transfer_documents USING (sequence)"
)
RECORD_COLUMNS = {
    "events": ("code", "description", "details", "is_error", "time"),
    "successful": ("source_path", "destination_path"),
    "skipped": ("record",),
}
RECORD_TABLES = {
    "events": "transfer_events",
    "successful": "transfer_successful",
    "skipped": "transfer_skipped",
}


def encode(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _doc_values(doc: dict[str, Any]) -> tuple[Any, ...]:
    """The values of ``DOC_COLUMNS`` for a task document."""
    completion = doc.get("completion_time")
    return (
        doc["status"],
        doc.get("label"),
        (doc.get("label") or "").lower(),
        doc["request_time"],
        parse_iso(doc["request_time"]),
        completion,
        parse_iso(completion) if completion else None,
        *(doc.get(name) for name in COPIED_COLUMNS),
    )


def _marks(count: int) -> str:
    return ",".join("?" * count)


def insert_task(conn: sqlite3.Connection, task: Task) -> int:
    """Insert a new task's rows; returns its sequence (the next one)."""
    doc = task.doc
    values = (task.task_id, task.owner_id, task.submission_id, doc["type"], *_doc_values(doc))
    cursor = conn.execute(
        f"INSERT INTO transfer_tasks ({','.join(TASK_COLUMNS)}) VALUES ({_marks(len(values))})",
        values,
    )
    sequence = cursor.lastrowid
    assert sequence is not None
    conn.execute(
        "INSERT INTO transfer_documents (sequence, doc, spec) VALUES (?, ?, ?)",
        (sequence, encode(doc), encode(task.spec)),
    )
    # A task's source counts as used after its destination (listed first when both are new).
    for endpoint_id, used in (
        (doc.get("destination_endpoint_id"), sequence * 2),
        (doc.get("source_endpoint_id"), sequence * 2 + 1),
    ):
        if endpoint_id:
            conn.execute(
                "INSERT INTO transfer_endpoint_use (owner_id, endpoint_id, last_used)"
                " VALUES (?, ?, ?) ON CONFLICT (owner_id, endpoint_id)"
                " DO UPDATE SET last_used = max(last_used, excluded.last_used)",
                (task.owner_id, endpoint_id, used),
            )
    return sequence


def update_doc(conn: sqlite3.Connection, sequence: int, doc: dict[str, Any]) -> None:
    assignments = ",".join(f"{name} = ?" for name in DOC_COLUMNS)
    conn.execute(
        f"UPDATE transfer_tasks SET {assignments} WHERE sequence = ?",
        (*_doc_values(doc), sequence),
    )
    conn.execute(
        "UPDATE transfer_documents SET doc = ? WHERE sequence = ?", (encode(doc), sequence)
    )


def task_from_row(row: tuple[Any, ...]) -> Task:
    """A task from a ``SELECT_TASK`` row."""
    doc, spec, submission_id, sequence = row
    return Task(json.loads(doc), json.loads(spec), submission_id, sequence)


def _record_values(kind: str, record: dict[str, Any]) -> tuple[Any, ...]:
    if kind == "events":
        return (
            record["code"],
            record["description"],
            record["details"],
            int(bool(record["is_error"])),
            record["time"],
        )
    if kind == "successful":
        return (record["source_path"], record["destination_path"])
    return (encode(record),)


def insert_records(
    conn: sqlite3.Connection, kind: str, sequence: int, rows: Iterable[tuple[int, dict[str, Any]]]
) -> None:
    """Insert (position, record) rows of one of a task's lists."""
    columns = ("task", "position", *RECORD_COLUMNS[kind])
    conn.executemany(
        f"INSERT INTO {RECORD_TABLES[kind]} ({','.join(columns)}) VALUES ({_marks(len(columns))})",
        ((sequence, position, *_record_values(kind, record)) for position, record in rows),
    )


def record_from_row(kind: str, row: tuple[Any, ...]) -> dict[str, Any]:
    """A record from the values of ``RECORD_COLUMNS[kind]``."""
    if kind == "events":
        code, description, details, is_error, time = row
        return {
            "DATA_TYPE": "event",
            "code": code,
            "description": description,
            "details": details,
            "is_error": bool(is_error),
            "time": time,
        }
    if kind == "successful":
        source_path, destination_path = row
        return {
            "DATA_TYPE": "successful_transfer",
            "source_path": source_path,
            "destination_path": destination_path,
        }
    record: dict[str, Any] = json.loads(row[0])
    return record

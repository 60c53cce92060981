"""The Activity view as a file: CSV for a spreadsheet, JSON for a script.

Both carry the same columns, named as the view names them, with times in ISO 8601 (UTC)
and bytes as a plain number, so the file says exactly what the service said.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from gtui.atomic_file import write_atomically
from gtui.core.activity import ActivityRow

ExportFormat = Literal["csv", "json"]
COLUMNS = (
    "kind",
    "status",
    "label",
    "source",
    "source_id",
    "destination",
    "destination_id",
    "started",
    "ended",
    "bytes",
    "id",
    "task_id",
    "timer_id",
    "timer_name",
    "flow_id",
    "flow_title",
)


def format_of(path: Path) -> ExportFormat:
    """``json`` for a ``.json`` file, else ``csv``."""
    return "json" if path.suffix.lower() == ".json" else "csv"


def _time(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value else None


def record(row: ActivityRow) -> dict[str, Any]:
    """One row as the export's columns."""
    return {
        "kind": row.kind,
        "status": row.status,
        "label": row.label,
        "source": row.source_name,
        "source_id": row.source_id,
        "destination": row.destination_name,
        "destination_id": row.destination_id,
        "started": _time(row.started),
        "ended": _time(row.ended),
        "bytes": row.bytes,
        "id": row.id,
        "task_id": row.task_id,
        "timer_id": row.timer_id,
        "timer_name": row.timer_name,
        "flow_id": row.flow_id,
        "flow_title": row.flow_title,
    }


def to_csv(rows: Iterable[ActivityRow]) -> str:
    """A header line, then a line per row (empty cells for what a row does not have)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else v for k, v in record(row).items()})
    return out.getvalue()


def to_json(rows: Iterable[ActivityRow]) -> str:
    """A JSON array of objects, one per row (null for what a row does not have)."""
    return json.dumps([record(row) for row in rows], indent=2) + "\n"


def write_export(rows: list[ActivityRow], path: Path) -> ExportFormat:
    """Write ``rows`` to ``path`` in the format its name says; returns that format."""
    kind = format_of(path)
    text = to_json(rows) if kind == "json" else to_csv(rows)
    write_atomically(path, text.encode(), mode=0o644)
    return kind

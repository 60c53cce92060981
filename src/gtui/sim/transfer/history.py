"""Tasks and their lists read per request, one page at a time, from the service database.

Filters, orders and pages run in SQL (taskfilter.py), so a request costs what its page costs,
not what the history weighs. A read that includes live tasks first has the store write what
they recorded, so the page agrees with what ``get_task`` shows.
"""

from __future__ import annotations

import json
from typing import Any

from gtui.sim.transfer import rows
from gtui.sim.transfer.model import Task
from gtui.sim.transfer.store import TransferStore
from gtui.sim.transfer.taskfilter import Condition, parse_event_filter


def task_page(
    store: TransferStore,
    owner_id: str,
    where: Condition,
    order: str,
    limit: int,
    offset: int,
) -> tuple[list[dict[str, Any]], int]:
    """One page of a user's task documents matching ``where``, in ``order``, and the total.

    ``where`` and ``order`` come from ``taskfilter`` (``parse_task_filter``,
    ``parse_task_order``).
    """
    store.flush()
    conn = store.db.connection()
    condition = f"owner_id = ? AND ({where.sql})"
    params = (owner_id, *where.params)
    (total,) = conn.execute(
        f"SELECT count(*) FROM transfer_tasks WHERE {condition}", params
    ).fetchone()
    found = conn.execute(
        f"SELECT sequence, task_id FROM transfer_tasks WHERE {condition} ORDER BY {order}"
        " LIMIT ? OFFSET ?",
        (*params, limit, offset),
    ).fetchall()
    marks = ",".join("?" * len(found))
    stored = dict(
        conn.execute(
            f"SELECT sequence, doc FROM transfer_documents WHERE sequence IN ({marks})",
            [sequence for sequence, _ in found],
        ).fetchall()
    )
    docs = []
    for sequence, task_id in found:
        live = store.live_task(task_id)
        docs.append(live.public_doc() if live is not None else json.loads(stored[sequence]))
    return docs, total


def event_page(
    store: TransferStore, task: Task, filter_text: str | None, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """One page of a task's events, newest first, matching an ``event_list`` filter."""
    where = parse_event_filter(filter_text)
    store.flush(task)
    conn = store.db.connection()
    condition = Condition(f"task = ? AND ({where.sql})", (task.sequence, *where.params))
    (total,) = conn.execute(
        f"SELECT count(*) FROM transfer_events WHERE {condition.sql}", condition.params
    ).fetchone()
    columns = ",".join(rows.RECORD_COLUMNS["events"])
    found = conn.execute(
        f"SELECT {columns} FROM transfer_events WHERE {condition.sql}"
        " ORDER BY position DESC LIMIT ? OFFSET ?",
        (*condition.params, limit, offset),
    )
    return [rows.record_from_row("events", row) for row in found.fetchall()], total


def record_page(
    store: TransferStore, task: Task, kind: str, marker: int, size: int
) -> tuple[list[dict[str, Any]], int | None]:
    """Up to ``size`` of a task's successful transfers or skipped errors from position
    ``marker``, and the marker of the next page (None at the end)."""
    store.flush(task)
    columns = ",".join(rows.RECORD_COLUMNS[kind])
    found = store.db.connection().execute(
        f"SELECT {columns} FROM {rows.RECORD_TABLES[kind]}"
        " WHERE task = ? AND position >= ? ORDER BY position LIMIT ?",
        (task.sequence, marker, size + 1),
    )
    page = [rows.record_from_row(kind, row) for row in found.fetchall()]
    more = len(page) > size
    return page[:size], marker + size if more else None


def recently_used_endpoints(store: TransferStore, owner_id: str) -> list[str]:
    """Endpoints of the user's tasks, most recently used first (a task's source first)."""
    found = store.db.connection().execute(
        "SELECT endpoint_id FROM transfer_endpoint_use WHERE owner_id = ? ORDER BY last_used DESC",
        (owner_id,),
    )
    return [endpoint_id for (endpoint_id,) in found.fetchall()]


def in_use_endpoints(store: TransferStore, owner_id: str) -> list[str]:
    """Endpoints of the user's ACTIVE tasks (all of which are live)."""
    seen: list[str] = []
    for task in store.active_tasks():
        if task.owner_id != owner_id or task.status != "ACTIVE":
            continue
        for side in ("source_endpoint_id", "destination_endpoint_id"):
            endpoint_id = task.doc.get(side)
            if endpoint_id and endpoint_id not in seen:
                seen.append(endpoint_id)
    return seen

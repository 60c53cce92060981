"""Tasks and a Transfer store on a fresh database, for tests of the store and its queries."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gtui.sim.database import Database
from gtui.sim.transfer import schema
from gtui.sim.transfer.model import Task, new_task_doc
from gtui.sim.transfer.store import TransferStore


def make_task(task_id: str, label: str | None, kind: str = "TRANSFER", owner: str = "me") -> Task:
    doc = new_task_doc(
        task_id=task_id,
        task_type=kind,
        owner_id=owner,
        username="me",
        label=label,
        source=None,
        destination=None,
        deadline="2099-01-01T00:00:00+00:00",
        options={},
    )
    return Task(doc, {"items": []}, f"sub-{task_id}")


def open_store(path: Path) -> TransferStore:
    db = Database(path)
    db.migrate(schema.COMPONENT, schema.MIGRATIONS)
    return TransferStore(db)


def finish(store: TransferStore, task: Task, status: str = "SUCCEEDED", **fields: Any) -> None:
    task.doc.update(status=status, **fields)
    store.finish(task)

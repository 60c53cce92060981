"""Submitting transfers and deletes from the panes: documents, idempotent submits, feedback.

Kept apart from the browse screen so the task detail's "resubmit" shares the same path.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from gtui.core.errors import GlobusError, NetworkError
from gtui.core.models import Task
from gtui.core.transfer_data import DeleteData, TransferData
from gtui.tui.listing import is_dir
from gtui.tui.prescan import prescans_of, sizing_items
from gtui.tui.screens.consent import with_consent_repair
from gtui.tui.screens.transfer_options import (
    TransferChoices,
    TransferOptionsScreen,
    default_label,
)

log = logging.getLogger(__name__)

GlobusErrorTypes = (GlobusError,)
SUBMIT_ATTEMPTS = 3
REMEMBERED = (
    "sync_level",
    "verify_checksum",
    "preserve_timestamp",
    "encrypt_data",
    "skip_source_errors",
    "fail_on_quota_errors",
    "delete_destination_extra",
    "notify",
)


def join(folder: str, name: str) -> str:
    return folder.rstrip("/") + "/" + name


def default_choices(app: Any, label: str) -> TransferChoices:
    """The config's defaults, overridden by what the user chose last time."""
    base = app.settings.transfer
    values: dict[str, Any] = {name: getattr(base, name) for name in REMEMBERED}
    remembered = app.state.transfer_options
    for name in REMEMBERED:
        if name in remembered and isinstance(remembered[name], (bool, str, type(None))):
            values[name] = remembered[name]
    return TransferChoices(label=label, **values)


def build_transfer(
    source: Any,
    source_path: str,
    target: Any,
    target_path: str,
    entries: list[Any],
    choices: TransferChoices,
) -> TransferData:
    """One transfer document for all chosen entries (folders recursive)."""
    data = TransferData(
        source.id,
        target.id,
        label=choices.label,
        sync_level=choices.sync_level,
        verify_checksum=choices.verify_checksum,
        preserve_timestamp=choices.preserve_timestamp,
        encrypt_data=choices.encrypt_data,
        deadline=choices.deadline,
        skip_source_errors=choices.skip_source_errors,
        fail_on_quota_errors=choices.fail_on_quota_errors,
        delete_destination_extra=choices.delete_destination_extra,
        notify_on_succeeded=choices.notify,
        notify_on_failed=choices.notify,
        notify_on_inactive=choices.notify,
    )
    for entry in entries:
        if is_dir(entry):
            data.add_item(
                join(source_path, entry.name) + "/",
                join(target_path, entry.name) + "/",
                recursive=True,
            )
        else:
            data.add_item(join(source_path, entry.name), join(target_path, entry.name))
    return data


async def submit(app: Any, data: dict[str, Any], kind: str) -> str | None:
    """Submit once, retrying network failures with the same ``submission_id``."""
    client = app.session.transfer
    doing = "Submitting the transfer" if kind == "transfer" else "Submitting the delete"
    for attempt in range(1, SUBMIT_ATTEMPTS + 1):
        try:
            if kind == "transfer":
                response = await with_consent_repair(app, lambda: client.submit_transfer(data))
            else:
                response = await client.submit_delete(data)
        except NetworkError as exc:
            if attempt == SUBMIT_ATTEMPTS:
                app.report_error(exc, doing)
                return None
            log.info("retrying submission %s after %s", data.get("submission_id"), exc)
            continue
        except GlobusError as exc:
            app.report_error(exc, doing)
            return None
        return str(response["task_id"])
    return None


def announce(
    app: Any,
    task_id: str,
    doc: dict[str, Any],
    source: Any,
    target: Any | None,
    known_sizes: Mapping[str, int] | None = None,
) -> None:
    """Put the new task in the queue at once, have the monitor poll it fast, then size it.

    A transfer's total size is found after the submit (so sizing never delays it): from
    ``known_sizes`` (source path → bytes, from the listing the user chose in) and a walk of
    every folder submitted.
    """
    app.state.remember_submission(task_id, dict(doc))
    placeholder = Task.from_api(
        {
            "task_id": task_id,
            "type": "TRANSFER" if target is not None else "DELETE",
            "status": "ACTIVE",
            "label": doc.get("label"),
            "source_endpoint_id": source.id,
            "source_endpoint_display_name": source.display_name,
            "destination_endpoint_id": target.id if target is not None else None,
            "destination_endpoint_display_name": target.display_name if target else None,
            "request_time": datetime.now(UTC).isoformat(),
        }
    )
    app.publish_tasks([placeholder])
    app.watch_task(task_id)
    if target is not None:
        items = sizing_items(doc, known_sizes or {})
        prescans_of(app).start(task_id, source.id, items)


async def ask_and_submit_transfer(
    app: Any, source_pane: Any, target_pane: Any, entries: list[Any]
) -> str | None:
    """The transfer dialog, then the submit; returns the new task id."""
    source, target = source_pane.collection, target_pane.collection
    names = [e.name + ("/" if is_dir(e) else "") for e in entries]
    label = default_label(
        source.display_name,
        source_pane.path,
        [e.name for e in entries],
        target.display_name,
        target_pane.path,
    )
    count = f"{len(entries):,} item{'s' if len(entries) != 1 else ''}"
    summary = (
        f"Copy {count} from {source.display_name}:{source_pane.path}\n"
        f"  to {target.display_name}:{target_pane.path}"
    )
    choices = await app.push_screen_wait(
        TransferOptionsScreen(summary, names, default_choices(app, label))
    )
    if choices is None:
        return None
    remembered = {k: v for k, v in dataclasses.asdict(choices).items() if k in REMEMBERED}
    app.state.remember_transfer_options(remembered)
    data = build_transfer(source, source_pane.path, target, target_pane.path, entries, choices)
    task_id = await submit(app, data, "transfer")
    if task_id is None:
        return None
    sizes = {
        join(source_pane.path, e.name): int(getattr(e, "size", 0) or 0)
        for e in entries
        if not is_dir(e)
    }
    announce(app, task_id, data, source, target, sizes)
    source_pane.file_list.clear_selection()
    app.notify(f"Transfer submitted: {choices.label}", timeout=4, markup=False)
    return task_id


async def submit_delete(app: Any, pane: Any, entries: list[Any]) -> str | None:
    """A delete task for the chosen entries of ``pane``."""
    collection = pane.collection
    count = f"{len(entries):,} item{'s' if len(entries) != 1 else ''}"
    data = DeleteData(
        collection.id,
        label=f"delete {count} in {collection.display_name}:{pane.path}"[:128],
        recursive=any(is_dir(e) for e in entries) or None,
    )
    for entry in entries:
        data.add_item(join(pane.path, entry.name))
    task_id = await submit(app, data, "delete")
    if task_id is None:
        return None
    announce(app, task_id, data, collection, None)
    pane.file_list.clear_selection()
    app.notify(f"Delete submitted: {count}", timeout=4)
    return task_id


async def resubmit(app: Any, task: Any) -> str | None:
    """The same items again, copying only what differs (sync by checksum), as a new task."""
    if task.type != "TRANSFER":
        app.notify("Only transfers can be resubmitted.", severity="warning")
        return None
    items = await _items_of(app, task)
    if not items:
        app.notify(
            "No items of this task are known, so it cannot be resubmitted.", severity="warning"
        )
        return None
    label = f"resubmit of {task.label or task.task_id}"[:128]
    data = TransferData(
        task.source_endpoint_id,
        task.destination_endpoint_id,
        label=label,
        sync_level="checksum",
        verify_checksum=True,
        preserve_timestamp=task.preserve_timestamp,
        encrypt_data=task.encrypt_data,
        skip_source_errors=task.skip_source_errors,
        fail_on_quota_errors=task.fail_on_quota_errors,
        delete_destination_extra=task.delete_destination_extra,
    )
    for item in items:
        data.add_item(
            item["source_path"], item["destination_path"], recursive=item.get("recursive")
        )
    task_id = await submit(app, data, "transfer")
    if task_id is None:
        return None
    source = _Named(task.source_endpoint_id, task.source_name)
    target = _Named(task.destination_endpoint_id, task.destination_name)
    announce(app, task_id, data, source, target)
    return task_id


@dataclasses.dataclass(frozen=True)
class _Named:
    id: str
    display_name: str


async def _items_of(app: Any, task: Any) -> list[dict[str, Any]]:
    """The submitted items when gtui sent the task, else the files the service reports."""
    document = app.state.submitted_items(task.task_id)
    if document and isinstance(document.get("DATA"), list):
        return [i for i in document["DATA"] if isinstance(i, dict) and "source_path" in i]
    client = app.session.transfer
    items: list[dict[str, Any]] = []
    try:
        async for doc in client.paginated.task_successful_transfers(task.task_id).items():
            items.append(
                {"source_path": doc["source_path"], "destination_path": doc["destination_path"]}
            )
        async for doc in client.paginated.task_skipped_errors(task.task_id).items():
            items.append(
                {
                    "source_path": doc["source_path"],
                    "destination_path": doc["destination_path"],
                    "recursive": bool(doc.get("is_directory")) or None,
                }
            )
    except GlobusError as exc:
        app.report_error(exc, "Reading the task's files")
        return []
    return items

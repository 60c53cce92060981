"""Submitting transfers and deletes: the documents, idempotent submits, the feed told at once.

The browse screen (F5, a drop, F8) and the task detail (resubmit) share this path. Each
function takes the node it is called from, for the app's session, state and feed.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Literal

from textual.dom import DOMNode

from gtui.core.errors import GlobusError, NetworkError
from gtui.core.models import Collection, FileEntry, Task
from gtui.core.response import GlobusResponse
from gtui.core.transfer_data import DeleteData, TransferData
from gtui.tui.arrange import is_dir
from gtui.tui.context import Gtui, gtui
from gtui.tui.screen_wait import wait_for_screen
from gtui.tui.screens.transfer_options import (
    TransferChoices,
    TransferOptionsScreen,
    default_label,
)
from gtui.tui.session_flows import with_consent_repair
from gtui.tui.task_feed import placeholder_task
from gtui.tui.widgets.file_pane import FilePane, join

log = logging.getLogger(__name__)

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


def default_choices(app: Gtui, label: str) -> TransferChoices:
    """The config's defaults, overridden by what the user chose last time."""
    base = app.settings.transfer
    values: dict[str, Any] = {name: getattr(base, name) for name in REMEMBERED}
    remembered = app.state.transfer_options
    for name in REMEMBERED:
        if name in remembered and isinstance(remembered[name], (bool, str, type(None))):
            values[name] = remembered[name]
    return TransferChoices(label=label, **values)


def build_transfer(
    source: Collection,
    source_path: str,
    target: Collection,
    target_path: str,
    entries: list[FileEntry],
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


async def submit(
    node: DOMNode, data: TransferData | DeleteData, kind: Literal["transfer", "delete"]
) -> str | None:
    """Submit once, retrying network failures with the same ``submission_id``."""
    app = gtui(node)
    client = app.session.transfer
    doing = "Submitting the transfer" if kind == "transfer" else "Submitting the delete"
    call: Callable[[], Awaitable[GlobusResponse]]
    if isinstance(data, TransferData):
        transfer = data

        async def call() -> GlobusResponse:
            return await with_consent_repair(node, lambda: client.submit_transfer(transfer))
    else:
        delete = data

        async def call() -> GlobusResponse:
            return await client.submit_delete(delete)

    for attempt in range(1, SUBMIT_ATTEMPTS + 1):
        try:
            response = await call()
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
    app: Gtui,
    task_id: str,
    document: Mapping[str, Any],
    source: tuple[str, str],
    target: tuple[str, str] | None,
    known_sizes: Mapping[str, int] | None = None,
) -> None:
    """Tell the feed about a task just submitted (``source``/``target``: id and name)."""
    task = placeholder_task(
        task_id,
        kind="TRANSFER" if target is not None else "DELETE",
        label=document.get("label"),
        source=source,
        destination=target,
    )
    app.feed.add_submitted(task, document, known_sizes)


async def ask_and_submit_transfer(
    node: DOMNode, source_pane: FilePane, target_pane: FilePane, entries: list[FileEntry]
) -> str | None:
    """The transfer dialog, then the submit; returns the new task id."""
    app = gtui(node)
    source, target = source_pane.collection, target_pane.collection
    if source is None or target is None:
        return None
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
    choices = await wait_for_screen(
        node.app, TransferOptionsScreen(summary, names, default_choices(app, label))
    )
    if choices is None:
        return None
    remembered = {k: v for k, v in dataclasses.asdict(choices).items() if k in REMEMBERED}
    app.state.remember_transfer_options(remembered)
    data = build_transfer(source, source_pane.path, target, target_pane.path, entries, choices)
    if choices.schedule is not None:
        from gtui.tui.timer_submission import create_timer

        timer = await create_timer(node, choices.label, data, choices.schedule, [source, target])
        if timer is not None:
            source_pane.file_list.clear_selection()
        return None
    task_id = await submit(node, data, "transfer")
    if task_id is None:
        return None
    sizes = {join(source_pane.path, e.name): e.size or 0 for e in entries if not is_dir(e)}
    announce(
        app,
        task_id,
        data,
        (source.id, source.display_name),
        (target.id, target.display_name),
        sizes,
    )
    source_pane.file_list.clear_selection()
    node.app.notify(f"Transfer submitted: {choices.label}", timeout=4, markup=False)
    return task_id


async def submit_delete(node: DOMNode, pane: FilePane, entries: list[FileEntry]) -> str | None:
    """A delete task for the chosen entries of ``pane``."""
    collection = pane.collection
    if collection is None:
        return None
    count = f"{len(entries):,} item{'s' if len(entries) != 1 else ''}"
    data = DeleteData(
        collection.id,
        label=f"delete {count} in {collection.display_name}:{pane.path}"[:128],
        recursive=any(is_dir(e) for e in entries) or None,
    )
    for entry in entries:
        data.add_item(join(pane.path, entry.name))
    task_id = await submit(node, data, "delete")
    if task_id is None:
        return None
    announce(gtui(node), task_id, data, (collection.id, collection.display_name), None)
    pane.file_list.clear_selection()
    node.app.notify(f"Delete submitted: {count}", timeout=4)
    return task_id


async def resubmit(node: DOMNode, task: Task) -> str | None:
    """The same items again, copying only what differs (sync by checksum), as a new task."""
    if task.type != "TRANSFER" or not task.source_endpoint_id or not task.destination_endpoint_id:
        node.app.notify("Only transfers can be resubmitted.", severity="warning")
        return None
    items = await _items_of(node, task)
    if not items:
        node.app.notify(
            "No items of this task are known, so it cannot be resubmitted.", severity="warning"
        )
        return None
    label = f"resubmit of {task.label or task.task_id}"[:128]
    return await resubmit_items(node, task, items, label=label)


async def resubmit_items(
    node: DOMNode, task: Task, items: list[dict[str, Any]], *, label: str
) -> str | None:
    """``items`` of ``task`` (``source_path``, ``destination_path``, ``recursive``) as a new
    transfer between the same collections with the same options, syncing by checksum."""
    if not task.source_endpoint_id or not task.destination_endpoint_id:
        return None
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
        # Only a folder's copy can delete what its source lacks.
        delete_destination_extra=task.delete_destination_extra
        and any(item.get("recursive") for item in items),
    )
    for item in items:
        data.add_item(
            item["source_path"], item["destination_path"], recursive=item.get("recursive")
        )
    task_id = await submit(node, data, "transfer")
    if task_id is None:
        return None
    announce(
        gtui(node),
        task_id,
        data,
        (task.source_endpoint_id, task.source_name),
        (task.destination_endpoint_id, task.destination_name),
    )
    return task_id


async def _items_of(node: DOMNode, task: Task) -> list[dict[str, Any]]:
    """The submitted items when gtui sent the task, else the files the service reports."""
    app = gtui(node)
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

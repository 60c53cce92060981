"""What the Activity view does to a row: open it, change a running task's label and
deadline, resubmit a finished task's failed files, and write the whole view to a file.

Each takes the screen it is called from (for the app's session, dialogs and notices) and
tells the user in a sentence what happened or why nothing did.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from textual.dom import DOMNode

from gtui.core.activity import ActivityRow, row_from_task
from gtui.core.activity_export import write_export
from gtui.core.activity_filter import ActivityFilter
from gtui.core.activity_pager import ActivityPager, activity_pager
from gtui.core.errors import ConsentMissing, GlobusAPIError, GlobusError, NetworkError
from gtui.core.models import Task
from gtui.tui import task_submission
from gtui.tui.context import gtui
from gtui.tui.format import plural
from gtui.tui.screen_wait import wait_for_screen
from gtui.tui.session_flows import with_consent_repair

log = logging.getLogger(__name__)


NO_FLOW_RUNS: Mapping[str, Any] = {"runs": [], "has_next_page": False}


class FlowRunsReader:
    """Reads a page of my flow runs, newest first.

    A login that never consented to Flows shows no flow runs rather than a consent dialog
    each time Activity opens (``missing_consent`` says so; the Flows screen asks for it),
    and a service without Flows shows none. Flows failing past the client's retries (a 5xx,
    a 429, no answer) shows the tasks and timer runs without flow runs (``unavailable`` says
    so), rather than no activity at all; a refresh asks Flows again.
    """

    def __init__(self, node: DOMNode) -> None:
        self.node = node
        self.missing_consent = False
        self.unavailable = False

    async def __call__(self, marker: str | None) -> Mapping[str, Any]:
        flows = gtui(self.node).session.flows
        try:
            return (await flows.list_runs(marker=marker)).data or {}
        except ConsentMissing:
            self.missing_consent = True
            return NO_FLOW_RUNS
        except NetworkError as exc:
            log.warning("no flow runs: %s", exc)
            self.unavailable = True
            return NO_FLOW_RUNS
        except GlobusAPIError as exc:
            if exc.http_status >= 500 or exc.http_status == 429:
                log.warning("no flow runs: %s", exc)
                self.unavailable = True
                return NO_FLOW_RUNS
            if exc.http_status != 404:
                raise
            log.info("no flow runs: the Flows service answered 404")
            return NO_FLOW_RUNS


def new_pager(node: DOMNode, wanted: ActivityFilter) -> tuple[ActivityPager, FlowRunsReader]:
    """A pager over my tasks, timer runs and flow runs that ``wanted`` matches, and its
    reader of flow runs (which knows whether Flows is consented to)."""
    session = gtui(node).session
    flow_runs = FlowRunsReader(node)
    pager = activity_pager(
        wanted, transfer=session.transfer, timers=session.timers, flow_runs=flow_runs
    )
    return pager, flow_runs


def open_flow_run(node: DOMNode, row: ActivityRow) -> None:
    """A flow run's detail: its log, the tasks it started."""
    from gtui.tui.screens.flow_run import FlowRunScreen

    node.app.push_screen(FlowRunScreen(row.id))


async def _task_of(node: DOMNode, row: ActivityRow, doing: str) -> Task | None:
    """The row's task as Transfer has it now (None, said why, for a row with no task)."""
    if row.task_id is None:
        node.app.notify(f"{doing}: this {row.kind} has no Transfer task.", severity="warning")
        return None
    app = gtui(node)
    try:
        response = await with_consent_repair(
            node, lambda: app.session.transfer.get_task(row.task_id or "")
        )
    except GlobusError as exc:
        app.report_error(exc, doing)
        return None
    return Task.from_api(response.data or {})


# -- label and deadline ---------------------------------------------------------------------


async def edit_task(node: DOMNode, row: ActivityRow) -> ActivityRow | None:
    """Ask for a running task's new label and deadline and change them; the row as it is
    now (None when nothing changed)."""
    from gtui.tui.activity_edit import TaskEdit, TaskEditScreen

    task = await _task_of(node, row, "Changing the task")
    if task is None:
        return None
    if task.is_finished:
        node.app.notify(
            f"This task is {task.status.lower()}: only a running task's label and deadline "
            "can change.",
            severity="warning",
            timeout=5,
        )
        return None
    app = gtui(node)
    edit: TaskEdit | None = await wait_for_screen(node.app, TaskEditScreen(task, app.clock()))
    if edit is None:
        return None
    changes: dict[str, Any] = {}
    if edit.label != (task.label or ""):
        changes["label"] = edit.label
    if edit.deadline is not None and edit.deadline != task.deadline:
        changes["deadline"] = edit.deadline.isoformat()
    if not changes:
        return None
    client = app.session.transfer
    try:
        await with_consent_repair(node, lambda: client.update_task(task.task_id, changes))
        fresh = await client.get_task(task.task_id)
    except GlobusError as exc:
        app.report_error(exc, "Changing the task")
        return None
    node.app.notify("Task changed.", timeout=3)
    updated = row_from_task(fresh.data or {})
    if row.is_task:
        return updated
    return dataclasses.replace(row, label=updated.label, deadline=updated.deadline)


# -- failed files ---------------------------------------------------------------------------


async def failed_items(node: DOMNode, task: Task) -> list[dict[str, Any]] | None:
    """The files (and folders) the task skipped because they failed (None: not readable)."""
    app = gtui(node)
    items: list[dict[str, Any]] = []
    client = app.session.transfer
    try:
        async for doc in client.paginated.task_skipped_errors(task.task_id).items():
            if doc.get("is_delete_destination_extra"):
                continue
            items.append(
                {
                    "source_path": doc["source_path"],
                    "destination_path": doc["destination_path"],
                    "recursive": True if doc.get("is_directory") else None,
                }
            )
    except GlobusError as exc:
        app.report_error(exc, "Reading the task's failed files")
        return None
    return items


async def resubmit_failed(node: DOMNode, row: ActivityRow) -> str | None:
    """A new transfer of exactly the files a finished transfer failed on; a failed task that
    skipped none is submitted again whole, syncing so only what is missing is copied."""
    task = await _task_of(node, row, "Resubmitting failed files")
    if task is None:
        return None
    if task.type != "TRANSFER":
        node.app.notify("Only a transfer's failed files can be resubmitted.", severity="warning")
        return None
    if not task.is_finished:
        node.app.notify(
            "This task is still running: resubmit its failed files once it ends.",
            severity="warning",
        )
        return None
    items = await failed_items(node, task)
    if items is None:
        return None
    if not items:
        if task.status == "FAILED":
            new_id = await task_submission.resubmit(node, task)
            if new_id:
                node.app.notify(
                    "No file was skipped: the whole task is submitted again, copying only "
                    "what is missing or differs.",
                    timeout=5,
                )
            return new_id
        node.app.notify("No file of this task failed.", timeout=4)
        return None
    label = f"failed files of {task.label or task.task_id}"[:128]
    new_id = await task_submission.resubmit_items(node, task, items, label=label)
    if new_id:
        node.app.notify(f"Resubmitted {plural(len(items), 'failed file')}.", timeout=4)
    return new_id


# -- export ---------------------------------------------------------------------------------


def default_export_name(now: datetime) -> str:
    return f"gtui-activity-{now.astimezone():%Y%m%d-%H%M}.csv"


def export_path(text: str, folder: Path) -> Path:
    """Where a file name the user typed goes: ``~`` expanded, relative to ``folder``."""
    path = Path(text.strip()).expanduser()
    return path if path.is_absolute() else folder / path


def check_export_name(text: str) -> str | None:
    if not text.strip():
        return "Name the file (.csv or .json)."
    if not Path(text.strip()).expanduser().parent.exists() and "/" in text:
        return "That folder does not exist."
    return None


async def export_view(node: DOMNode, wanted: ActivityFilter) -> Path | None:
    """Ask for a file name, read every row the filter matches, and write them there."""
    from gtui.tui.screens.prompt import PromptScreen

    app = gtui(node)
    folder = Path.cwd()
    name = await wait_for_screen(
        node.app,
        PromptScreen(
            "Export this view (every matching row)",
            value=default_export_name(app.clock()),
            hint=f"A .csv or .json file; a name alone goes in {folder}.",
            check=check_export_name,
        ),
    )
    if not name:
        return None
    path = export_path(name, folder)
    pager, _ = new_pager(node, wanted)
    node.app.notify("Reading every matching row…", timeout=3)
    try:
        rows = await with_consent_repair(node, pager.everything)
        kind = await asyncio.to_thread(write_export, rows, path)
    except GlobusError as exc:
        app.report_error(exc, "Exporting your activity")
        return None
    except OSError as exc:
        node.app.notify(f"Could not write {path}: {exc.strerror or exc}.", severity="error")
        return None
    node.app.notify(f"Exported {plural(len(rows), 'row')} to {path} ({kind.upper()}).", timeout=8)
    return path

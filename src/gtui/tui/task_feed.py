"""Feeding the task queue: recent tasks from ``task_list`` at start, then live updates.

Tasks keep running on the service when gtui quits, so at start the queue shows the user's
recent tasks and the monitor follows every one still running. Tasks gtui submitted keep their
known total size (saved with the app's state), so their progress stays in bytes; a running one
whose size was not found yet is sized again.
"""

from __future__ import annotations

from typing import Any

from gtui.core.errors import GlobusError
from gtui.tui.monitor import ensure_monitor
from gtui.tui.prescan import prescans_of, sizing_items


def start_task_feed(app: Any) -> None:
    """Load the recent tasks, then follow the running ones."""
    for task_id, total in app.state.total_bytes.items():
        app.expected_bytes.setdefault(task_id, total)
    ensure_monitor(app)
    load_recent_tasks(app)


def load_recent_tasks(app: Any) -> None:
    app.run_worker(_load_recent(app), group="task-list", exclusive=True, exit_on_error=False)


async def _load_recent(app: Any) -> None:
    monitor = ensure_monitor(app)
    try:
        tasks = await monitor.load_recent_tasks(app.settings.tasks.recent_limit)
    except GlobusError as exc:
        app.report_error(exc, "Loading recent tasks")
        return
    for task in tasks:
        total = app.expected_bytes.get(task.task_id)
        if total is not None and not task.is_finished:
            monitor.set_total_bytes(task.task_id, total)
    app.publish_tasks(tasks)
    resume_sizing(app, tasks)
    monitor.poll_now()


def resume_sizing(app: Any, tasks: list[Any]) -> None:
    """Size again the running transfers gtui submitted whose total was not found before."""
    prescans = prescans_of(app)
    for task in tasks:
        task_id = task.task_id
        if task.is_finished or task.type != "TRANSFER" or task_id in app.expected_bytes:
            continue
        if task_id in prescans.sizing or task_id in prescans.failed:
            continue
        document = app.state.submitted_items(task_id)
        if document and task.source_endpoint_id:
            prescans.start(task_id, task.source_endpoint_id, sizing_items(document, {}))


def watch_task(app: Any, task_id: str, *, total_bytes: int | None = None) -> None:
    """Have the monitor follow ``task_id`` closely (just submitted, or opened)."""
    ensure_monitor(app).watch(task_id, total_bytes=total_bytes)

"""Feeding the task queue: recent tasks from ``task_list`` at start, then live updates.

Tasks keep running on the service when gtui quits, so at start the queue shows the user's
recent tasks and follows every one still running.
"""

from __future__ import annotations

import logging
from typing import Any

from gtui.core.errors import GlobusError
from gtui.core.models import Task

log = logging.getLogger(__name__)

RUNNING = ("ACTIVE", "INACTIVE")


def start_task_feed(app: Any) -> None:
    """Load the recent tasks, then follow the running ones."""
    load_recent_tasks(app)


def load_recent_tasks(app: Any) -> None:
    app.run_worker(_load_recent(app), group="task-list", exclusive=True, exit_on_error=False)


async def _load_recent(app: Any) -> None:
    limit = app.settings.tasks.recent_limit
    try:
        response = await app.session.transfer.task_list(
            filter={"type": "TRANSFER,DELETE"}, orderby="request_time DESC", limit=limit
        )
    except GlobusError as exc:
        app.report_error(exc, "Loading recent tasks")
        return
    tasks = [Task.from_api(doc) for doc in response]
    app.publish_tasks(tasks)
    for task in tasks:
        if task.status in RUNNING:
            watch_task(app, task.task_id)


def watch_task(app: Any, task_id: str) -> None:
    """Have the monitor follow ``task_id`` until it finishes."""
    from gtui.tui.monitor import ensure_monitor

    ensure_monitor(app).watch(task_id)

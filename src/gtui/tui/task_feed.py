"""Feeding the task queue: recent tasks from ``task_list`` at start, then live updates.

Tasks keep running on the service when gtui quits, so at start the queue shows the user's
recent tasks and the monitor follows every one still running.
"""

from __future__ import annotations

from typing import Any

from gtui.core.errors import GlobusError
from gtui.tui.monitor import ensure_monitor


def start_task_feed(app: Any) -> None:
    """Load the recent tasks, then follow the running ones."""
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
    app.publish_tasks(tasks)
    monitor.poll_now()


def watch_task(app: Any, task_id: str, *, total_bytes: int | None = None) -> None:
    """Have the monitor follow ``task_id`` closely (just submitted, or opened)."""
    ensure_monitor(app).watch(task_id, total_bytes=total_bytes)

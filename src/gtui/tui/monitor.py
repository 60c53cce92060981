"""Connecting the core's ``TaskMonitor`` to the app: its updates reach the queues and screens."""

from __future__ import annotations

import logging
from typing import Any

from gtui.core.errors import LoginRequired
from gtui.core.tasks import PollFailed, TaskMonitor, TaskUpdate
from gtui.tui.prescan import prescans_of

log = logging.getLogger(__name__)


def ensure_monitor(app: Any) -> TaskMonitor:
    """The app's one monitor, running as a worker so it ends with the app."""
    monitor = getattr(app, "monitor", None)
    if monitor is None:
        settings = app.settings.tasks
        monitor = TaskMonitor(
            app.session.transfer,
            fast_interval=settings.poll_fast_seconds,
            slow_interval=max(settings.poll_slow_seconds, settings.poll_fast_seconds),
        )
        monitor.subscribe(lambda event: _on_event(app, event))
        app.monitor = monitor
        app.run_worker(monitor.run(), group="task-monitor", exit_on_error=False)
    return monitor


def _on_event(app: Any, event: Any) -> None:
    if isinstance(event, TaskUpdate):
        app.task_progress[event.task_id] = event.progress
        app.task_flags[event.task_id] = event.flags
        app.publish_tasks([event.task])
        if event.final:
            _finished(app, event.task)
    elif isinstance(event, PollFailed):
        if isinstance(event.error, LoginRequired):
            app.report_error(event.error, "Following tasks")
        elif event.failures == 1:
            app.notify(
                f"Task updates paused: {event.error} — retrying in {event.retry_in:.0f}s.",
                severity="warning",
                timeout=6,
                markup=False,
            )


def _finished(app: Any, task: Any) -> None:
    prescans_of(app).cancel(task.task_id)
    status = "finished" if task.status == "SUCCEEDED" else task.status.lower()
    severity = "information" if task.status == "SUCCEEDED" else "warning"
    app.notify(f"Task {status}: {task.title}", severity=severity, timeout=5, markup=False)

"""Connecting the core's task monitor to the app: updates become ``publish_tasks`` calls."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from gtui.core.errors import GlobusError, LoginRequired
from gtui.core.models import Task

log = logging.getLogger(__name__)


class AppTaskMonitor:
    """One poller for every watched task: fast after a submit, slower for long runners."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.watched: dict[str, int] = {}
        self.wake = asyncio.Event()
        self.worker = app.run_worker(self._run(), group="task-monitor", exit_on_error=False)

    def watch(self, task_id: str) -> None:
        self.watched[task_id] = 0
        self.wake.set()

    async def _run(self) -> None:
        settings = self.app.settings.tasks
        while True:
            if not self.watched:
                self.wake.clear()
                await self.wake.wait()
            fast = any(polls < 30 for polls in self.watched.values())
            await self._poll_once()
            self.wake.clear()
            interval = settings.poll_fast_seconds if fast else settings.poll_slow_seconds
            try:
                await asyncio.wait_for(self.wake.wait(), timeout=interval)
            except TimeoutError:
                pass

    async def _poll_once(self) -> None:
        client = self.app.session.transfer
        updates = []
        for task_id in list(self.watched):
            try:
                task = Task.from_api((await client.get_task(task_id)).data)
            except LoginRequired as exc:
                self.app.report_error(exc, "Following tasks")
                self.watched.clear()
                return
            except GlobusError as exc:
                log.info("task %s: %s", task_id, exc)
                continue
            self.watched[task_id] = self.watched.get(task_id, 0) + 1
            updates.append(task)
            if task.is_finished:
                self.watched.pop(task_id, None)
                self._finished(task)
        self.app.publish_tasks(updates)

    def _finished(self, task: Task) -> None:
        status = "finished" if task.status == "SUCCEEDED" else task.status.lower()
        severity = "information" if task.status == "SUCCEEDED" else "warning"
        self.app.notify(f"Task {status}: {task.title}", severity=severity, timeout=5, markup=False)


def ensure_monitor(app: Any) -> AppTaskMonitor:
    monitor = getattr(app, "monitor", None)
    if monitor is None:
        monitor = AppTaskMonitor(app)
        app.monitor = monitor
    return monitor

"""The tasks mode: the task queue full screen (the same tasks as under the panes)."""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Header

from gtui.tui.widgets.key_bar import KeyBar
from gtui.tui.widgets.task_queue import TaskQueue


class TasksScreen(Screen[None]):
    """Every recent task, newest first; Enter opens one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.switch_mode('browse')", "Browse", id="tasks_back"),
        Binding("ctrl+r", "reload", "Refresh", id="tasks_refresh"),
    ]

    def __init__(self) -> None:
        super().__init__(id="tasks")

    def compose(self) -> ComposeResult:
        yield Header()
        yield TaskQueue(id="all-tasks", classes="full", clock=self.app.clock)  # type: ignore[attr-defined]
        yield KeyBar()

    def on_mount(self) -> None:
        app: Any = self.app
        app.tasks_changed.subscribe(self, self._tasks_changed)
        queue = self.query_one(TaskQueue)
        queue.expected = app.expected_bytes
        queue.progress = app.task_progress
        queue.flags = app.task_flags
        queue.update_tasks(app.tasks.values())
        queue.focus()

    def _tasks_changed(self, tasks: list[Any]) -> None:
        self.query_one(TaskQueue).update_tasks(tasks)

    def action_reload(self) -> None:
        from gtui.tui.task_feed import load_recent_tasks

        load_recent_tasks(self.app)

    @on(TaskQueue.TaskChosen)
    def _chosen(self, event: TaskQueue.TaskChosen) -> None:
        self.app.open_task(event.task_id)  # type: ignore[attr-defined]

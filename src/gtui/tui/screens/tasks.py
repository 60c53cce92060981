"""The tasks mode: the task queue full screen (the same tasks as under the panes)."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen

from gtui.tui.context import gtui
from gtui.tui.widgets.key_bar import KeyBar
from gtui.tui.widgets.task_queue import TaskQueue
from gtui.tui.widgets.title_bar import TitleBar


class TasksScreen(Screen[None]):
    """Every recent task, newest first; Enter opens one, the repair key wakes an INACTIVE one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.switch_mode('browse')", "Browse", id="tasks_back"),
        Binding("ctrl+r", "reload", "Refresh", id="tasks_refresh"),
    ]

    def __init__(self) -> None:
        super().__init__(id="tasks")

    def compose(self) -> ComposeResult:
        app = gtui(self)
        yield TitleBar()
        yield TaskQueue(app.feed, id="all-tasks", classes="full", clock=app.clock)
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(TaskQueue).focus()

    def action_reload(self) -> None:
        gtui(self).feed.load_recent()

    @on(TaskQueue.TaskChosen)
    def _chosen(self, event: TaskQueue.TaskChosen) -> None:
        gtui(self).open_task(event.task_id)

    @on(TaskQueue.RepairRequested)
    def _repair_requested(self, event: TaskQueue.RepairRequested) -> None:
        gtui(self).repair_task(event.task_id)

"""The live task queue: one line per task with a progress bar, drawn with the Line API.

It takes the app's ``TaskFeed`` and subscribes to it itself: every task the feed learns of
(from ``task_list`` at start, the monitor, a submit) is drawn; the queue only reports which
one the user opened, or which INACTIVE one they want to give the consent it waits for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding, BindingType
from textual.events import Click
from textual.message import Message
from textual.strip import Strip

from gtui.core.models import Task
from gtui.core.tasks import FLAG_FAULTS, derive_progress
from gtui.tui.format import human_duration, human_rate, human_size, relative_time
from gtui.tui.task_feed import TaskFeed
from gtui.tui.task_inactive import REPAIR_KEY, inactive_reason, repair_hint
from gtui.tui.task_status import fault_reason, status_name
from gtui.tui.widgets.line_list import LineList
from gtui.tui.widgets.task_columns import (
    GAP,
    ICON_WIDTH,
    Column,
    deleted_text,
    files_text,
    fit,
    layout_for,
)

SIZING = "sizing…"
TICK_SECONDS = 2.0
TIMER_MARK = "↻"
"""Before the label of a task a timer started."""


class TaskQueue(LineList):
    """Tasks newest first, with status, bar, bytes, rate, ETA, files and faults."""

    HEADER_LINES = 1
    CACHE_SIZE = 256

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "task-queue--header",
        "task-queue--bar-done",
        "task-queue--bar-todo",
        "task-queue--active",
        "task-queue--succeeded",
        "task-queue--failed",
        "task-queue--inactive",
        "task-queue--fault",
        "task-queue--dim",
    }

    DEFAULT_CSS = """
    TaskQueue {
        & > .task-queue--header { color: $text-muted; text-style: bold; }
        & > .task-queue--bar-done { color: $primary; }
        & > .task-queue--bar-todo { color: $foreground 20%; }
        & > .task-queue--active { color: $text-primary; }
        & > .task-queue--succeeded { color: $text-success; }
        & > .task-queue--failed { color: $text-error; text-style: bold; }
        & > .task-queue--inactive { color: $text-warning; text-style: bold; }
        & > .task-queue--fault { color: $text-warning; }
        & > .task-queue--dim { color: $text-muted; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "Up", show=False, id="task_up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="task_down"),
        Binding("home", "first", "First", show=False, id="task_first"),
        Binding("end", "last", "Last", show=False, id="task_last"),
        Binding("enter", "open", "Task detail", id="task_open"),
        Binding(REPAIR_KEY, "repair", "Repair consent", id="task_repair"),
    ]

    @dataclass
    class TaskChosen(Message):
        """Enter or a double click on a task row."""

        queue: TaskQueue
        task_id: str

        @property
        def control(self) -> TaskQueue:
            return self.queue

    @dataclass
    class RepairRequested(Message):
        """The repair key on an INACTIVE task: give it the consent it waits for."""

        queue: TaskQueue
        task_id: str

        @property
        def control(self) -> TaskQueue:
            return self.queue

    def __init__(
        self,
        feed: TaskFeed,
        *,
        clock: Callable[[], datetime] | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.feed = feed
        self.tasks: dict[str, Task] = {}
        self._seen: dict[str, int] = {}
        self.order: list[str] = []
        self.clock = clock or (lambda: datetime.now(UTC))

    def on_mount(self) -> None:
        self.feed.changed.subscribe(self, self.update_tasks)
        self.update_tasks(self.feed.tasks.values())
        self.set_interval(TICK_SECONDS, self._tick)

    def _tick(self) -> None:
        """Times shown as "5s ago" move on even when no task changes."""
        if any(task.is_finished for task in self.tasks.values()):
            self._cache.clear()
            self.refresh()

    # -- data -------------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self.order)

    def update_tasks(self, tasks: Iterable[Task]) -> None:
        """Add or refresh tasks (a ``task_list`` page or the monitor's latest documents)."""
        for task in tasks:
            self.tasks[task.task_id] = task
            self._seen.setdefault(task.task_id, len(self._seen))
        self._reorder()

    def _reorder(self) -> None:
        current = self.order[self.cursor] if 0 <= self.cursor < len(self.order) else None
        epoch = datetime(1970, 1, 1, tzinfo=UTC)
        seen = self._seen
        # Newest first; Globus gives whole seconds, so two tasks of one second keep the order
        # the queue learned of them in (the later one first).
        self.order = sorted(
            self.tasks,
            key=lambda tid: (self.tasks[tid].request_time or epoch, seen[tid]),
            reverse=True,
        )
        self._rows_changed()
        if current in self.tasks:
            self.set_reactive(TaskQueue.cursor, self.order.index(current))
        self.refresh()
        self._title()
        self._offer_repair()

    @property
    def cursor_task(self) -> Task | None:
        if 0 <= self.cursor < len(self.order):
            return self.tasks[self.order[self.cursor]]
        return None

    def row_of(self, task_id: str) -> int | None:
        return self.order.index(task_id) if task_id in self.tasks else None

    def _title(self) -> None:
        running = sum(1 for t in self.tasks.values() if t.status in ("ACTIVE", "INACTIVE"))
        self.border_title = f"Tasks · {running} running · {len(self.tasks)} shown"

    # -- cursor -----------------------------------------------------------------------------

    def watch_cursor(self, old: int, new: int) -> None:
        super().watch_cursor(old, new)
        self._offer_repair()

    def action_open(self) -> None:
        task = self.cursor_task
        if task is not None:
            self.post_message(self.TaskChosen(self, task.task_id))

    def action_repair(self) -> None:
        task = self.cursor_task
        if task is not None and task.status == "INACTIVE":
            self.post_message(self.RepairRequested(self, task.task_id))

    def _offer_repair(self) -> None:
        """The key bar shows the repair key while the cursor is on an INACTIVE task."""
        if self.has_focus:
            self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The repair key is offered only on an INACTIVE task."""
        if action == "repair":
            task = self.cursor_task
            return task is not None and task.status == "INACTIVE"
        return True

    def on_click(self, event: Click) -> None:
        row = self._row_at(event)
        if row is not None:
            self.cursor = row
            if event.chain == 2:
                self.action_open()

    # -- rendering --------------------------------------------------------------------------

    def on_resize(self) -> None:
        # LineList's on_resize runs after this one (Textual calls each class's).
        self.border_subtitle = layout_for(self.scrollable_content_region.width).hidden_caption

    def render_empty(self, width: int) -> Strip:
        dim = self.get_component_rich_style("task-queue--dim")
        return Strip([Segment("  No tasks yet: F5 copies the selection.", dim)]).adjust_cell_length(
            width, self.rich_style
        )

    def render_header(self, width: int) -> Strip:
        layout = layout_for(width)
        cells = [fit("Task", layout.task_width)]
        cells += [fit(c.title, c.width, right=c.right) for c in layout.shown]
        text = " " * ICON_WIDTH + (" " * GAP).join(cells)
        style = self.rich_style + self.get_component_rich_style("task-queue--header")
        return Strip([Segment(text, style)]).adjust_cell_length(width, self.rich_style)

    def render_row(self, row: int, width: int) -> Strip:
        task = self.tasks[self.order[row]]
        base = self.rich_style
        layout = layout_for(width)
        status = status_name(task)
        icon = {"Succeeded": "✔ ", "Failed": "✘ ", "Canceled": "⊘ ", "Inactive": "! "}.get(
            status, "▸ " if status == "Active" else "· "
        )
        segments = [Segment(icon, base + self._status_style(status))]
        segments += self._label(task, layout.task_width)
        for column in layout.shown:
            segments.append(Segment(" " * GAP, base))
            segments.extend(self._cell(column, task, status))
        return Strip(segments).adjust_cell_length(width, base)

    def _label(self, task: Task, width: int) -> list[Segment]:
        """The label and route; a task that keeps faulting or waits for the user says why, in
        the warning colour."""
        base = self.rich_style
        route = f"{task.source_name} → {task.destination_name}"
        if task.type == "DELETE":
            route = f"delete on {task.source_name}"
        text = route if task.label is None else f"{task.label} · {route}"
        if task.task_id in self.feed.started_by_timer:
            text = f"{TIMER_MARK} {text}"
        reason = inactive_reason(task)
        if reason:
            reason += f" ({repair_hint(task)})"
        else:
            reason = fault_reason(task, self.feed.flags.get(task.task_id, frozenset()))
        if not reason:
            return [Segment(fit(text, width), base)]
        why = f" — {reason}"
        room = max(width - cell_len(why), min(width, 6))
        fault = base + self.get_component_rich_style("task-queue--fault")
        return [Segment(fit(text, room), base), Segment(fit(why, width - room), fault)]

    def _cell(self, column: Column, task: Task, status: str) -> list[Segment]:
        base = self.rich_style
        feed = self.feed
        if column.name == "status":
            faults = f" ⚠{task.faults}" if task.faults else ""
            if FLAG_FAULTS in feed.flags.get(task.task_id, ()):
                faults = faults.replace("⚠", "‼")
            fault_style = base + self.get_component_rich_style("task-queue--fault")
            return [
                Segment(fit(status, column.width - len(faults)), base + self._status_style(status)),
                Segment(faults, fault_style),
            ]
        if column.name == "progress":
            progress = feed.progress.get(task.task_id)
            if progress is None or task.is_finished:
                expected = feed.expected_bytes.get(task.task_id)
                progress = derive_progress(task, total_bytes=expected)
            return self._bar(progress.fraction, status, column.width - 5)
        text = ""
        style = base
        deleting = task.type == "DELETE"
        if column.name == "bytes":
            # A delete moves no bytes: "0 B" would read as if it had done nothing.
            text = "" if deleting else human_size(task.bytes_transferred)
        elif column.name == "rate":
            text = self._rate(task)
        elif column.name == "when":
            text = self._when(task)
            style = base + self.get_component_rich_style("task-queue--dim")
        elif column.name == "files" and deleting:
            text = deleted_text(
                task.files, task.directories, finished=task.is_finished, width=column.width
            )
        elif column.name == "files":
            skipped = task.files_skipped + task.subtasks_skipped_errors
            text = files_text(task.files_transferred, skipped, task.files)
        return [Segment(fit(text, column.width, right=column.right), style)]

    def _rate(self, task: Task) -> str:
        """The current rate while running; a finished task's average rate."""
        if task.is_finished:
            return human_rate(task.effective_bytes_per_second)
        progress = self.feed.progress.get(task.task_id)
        return human_rate(progress.bytes_per_second) if progress is not None else ""

    def _when(self, task: Task) -> str:
        """While running: sizing, or the time left; once finished: how long ago."""
        if task.is_finished:
            return relative_time(task.completion_time, self.clock())
        if task.task_id in self.feed.sizing.sizing:
            return SIZING
        progress = self.feed.progress.get(task.task_id)
        if progress is not None and progress.eta_seconds:
            return human_duration(progress.eta_seconds)
        return ""

    def _status_style(self, status: str) -> Style:
        name = {
            "Succeeded": "task-queue--succeeded",
            "Failed": "task-queue--failed",
            "Canceled": "task-queue--dim",
            "Inactive": "task-queue--inactive",
            "Paused": "task-queue--inactive",
        }.get(status, "task-queue--active")
        return self.get_component_rich_style(name)

    def _bar(self, fraction: float | None, status: str, width: int) -> list[Segment]:
        base = self.rich_style
        done_style = base + self.get_component_rich_style("task-queue--bar-done")
        if status == "Succeeded":
            done_style = base + self.get_component_rich_style("task-queue--succeeded")
        elif status in ("Failed", "Canceled"):
            done_style = base + self.get_component_rich_style("task-queue--failed")
        todo_style = base + self.get_component_rich_style("task-queue--bar-todo")
        if fraction is None:
            return [Segment("╌" * width, todo_style), Segment("   … ", base)]
        filled = int(round(fraction * width))
        return [
            Segment("━" * filled, done_style),
            Segment("━" * (width - filled), todo_style),
            Segment(f" {int(fraction * 100):>3}%", base),
        ]

"""The Activity view's rows, drawn with the Line API: only the visible rows are drawn, so
a view grown page by page to thousands of rows scrolls as lightly as the first page.

The list asks for more (``MoreWanted``) when the cursor comes near its last row; its
screen reads the next page and hands the rows back with ``add_rows``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding, BindingType
from textual.events import Click
from textual.message import Message
from textual.strip import Strip

from gtui.core.activity import ActivityRow
from gtui.core.models import Task
from gtui.tui.activity_words import GAP, Layout, cell_text, label_text, layout_for
from gtui.tui.widgets.line_list import LineList
from gtui.tui.widgets.task_columns import fit

NEAR_END = 10
"""Rows before the last one at which the next page is asked for."""
STATUS_CLASSES = {
    "SUCCEEDED": "activity-list--succeeded",
    "FAILED": "activity-list--failed",
    "INACTIVE": "activity-list--inactive",
    "ENDED": "activity-list--dim",
    "SKIPPED": "activity-list--dim",
}


class ActivityList(LineList):
    """Rows newest first: kind, status, label, collections, times, bytes."""

    HEADER_LINES = 1
    CACHE_SIZE = 256

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "activity-list--header",
        "activity-list--succeeded",
        "activity-list--failed",
        "activity-list--inactive",
        "activity-list--dim",
    }

    DEFAULT_CSS = """
    ActivityList {
        & > .activity-list--header { color: $text-muted; text-style: bold; }
        & > .activity-list--succeeded { color: $text-success; }
        & > .activity-list--failed { color: $text-error; text-style: bold; }
        & > .activity-list--inactive { color: $text-warning; text-style: bold; }
        & > .activity-list--dim { color: $text-muted; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "Up", show=False, id="activity_up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="activity_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="activity_page_up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="activity_page_down"),
        Binding("home", "first", "First", show=False, id="activity_first"),
        Binding("end", "last", "Last", show=False, id="activity_last"),
        Binding("enter", "open", "Open", id="activity_open"),
    ]

    @dataclass
    class RowChosen(Message):
        """Enter or a double click on a row."""

        activity_list: ActivityList
        row: ActivityRow

        @property
        def control(self) -> ActivityList:
            return self.activity_list

    @dataclass
    class MoreWanted(Message):
        """The cursor is near the last row: the next page is wanted."""

        activity_list: ActivityList

        @property
        def control(self) -> ActivityList:
            return self.activity_list

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.rows: list[ActivityRow] = []
        self.empty_text = ""

    # -- data -------------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self.rows)

    def set_rows(self, rows: list[ActivityRow]) -> None:
        """Show ``rows`` instead (a new filter), the cursor on the first."""
        self.rows = list(rows)
        self.set_reactive(ActivityList.cursor, 0)
        self.scroll_to(y=0, animate=False, immediate=True)
        self._changed()

    def add_rows(self, rows: list[ActivityRow]) -> None:
        """Rows of the next page, below the others."""
        self.rows.extend(rows)
        self._changed()

    def _changed(self) -> None:
        self._rows_changed()
        self.refresh()

    @property
    def cursor_row(self) -> ActivityRow | None:
        if 0 <= self.cursor < len(self.rows):
            return self.rows[self.cursor]
        return None

    def move_to(self, row_id: str | None) -> None:
        """The cursor on the row with this id, if it is shown."""
        for index, row in enumerate(self.rows):
            if row.id == row_id:
                self.cursor = index
                return

    def update_tasks(self, tasks: Iterable[Task]) -> bool:
        """Rows of these tasks (a task's own, or the timer run that started it) take the
        task's new status, end, bytes, files and faults; True when one changed."""
        news = {task.task_id: task for task in tasks}
        changed = False
        for index, row in enumerate(self.rows):
            task = news.get(row.task_id or "")
            if task is None:
                continue
            updated = replace(
                row,
                status=task.status,
                ended=task.completion_time,
                bytes=task.bytes_transferred,
                files=task.files,
                faults=task.faults,
            )
            if updated != row:
                self.rows[index] = updated
                changed = True
        if changed:
            self._cache.clear()
            self.refresh()
        return changed

    def running_task_ids(self) -> list[str]:
        """The tasks of the rows still running (followed live while the view is open)."""
        return [row.task_id for row in self.rows if row.task_id and row.is_running]

    def running_flow_run_ids(self) -> list[str]:
        """The flow runs among the rows still going (read again while the view is open)."""
        return [row.id for row in self.rows if row.kind == "flow run" and row.is_running]

    def replace_row(self, row: ActivityRow) -> bool:
        """A row read again (after an edit, or a run polled): same place, new values; True
        when it changed."""
        changed = False
        for index, shown in enumerate(self.rows):
            if shown.id == row.id and shown != row:
                self.rows[index] = row
                changed = True
        if changed:
            self._cache.clear()
            self.refresh()
        return changed

    # -- cursor -----------------------------------------------------------------------------

    def watch_cursor(self, old: int, new: int) -> None:
        super().watch_cursor(old, new)
        if new >= len(self.rows) - NEAR_END:
            self.post_message(self.MoreWanted(self))

    def action_open(self) -> None:
        row = self.cursor_row
        if row is not None:
            self.post_message(self.RowChosen(self, row))

    def on_click(self, event: Click) -> None:
        row = self._row_at(event)
        if row is not None:
            self.cursor = row
            if event.chain == 2:
                self.action_open()

    # -- drawing ----------------------------------------------------------------------------

    @property
    def columns(self) -> Layout:
        return layout_for(self.scrollable_content_region.width)

    def render_empty(self, width: int) -> Strip | None:
        if not self.empty_text:
            return None
        base = self.rich_style
        dim = base + self.get_component_rich_style("activity-list--dim")
        return Strip([Segment(" " + self.empty_text, dim)]).adjust_cell_length(width, base)

    def render_header(self, width: int) -> Strip:
        layout = layout_for(width)
        at = layout.label_at
        cells = [fit(c.title, c.width, right=c.right) for c in layout.shown[:at]]
        cells.append(fit("Label", layout.label_width - GAP))
        cells += [fit(c.title, c.width, right=c.right) for c in layout.shown[at:]]
        style = self.rich_style + self.get_component_rich_style("activity-list--header")
        text = " " + (" " * GAP).join(cells)
        return Strip([Segment(text, style)]).adjust_cell_length(width, self.rich_style)

    def render_row(self, row: int, width: int) -> Strip:
        activity = self.rows[row]
        base = self.rich_style
        layout = layout_for(width)
        segments = [Segment(" ", base)]
        label = Segment(fit(label_text(activity), layout.label_width - GAP), base)
        for n, column in enumerate(layout.shown):
            if n == layout.label_at:
                segments += [label, Segment(" " * GAP, base)]
            style = base + self._style_of(activity) if column.name == "status" else base
            text = fit(cell_text(activity, column), column.width, right=column.right)
            segments += [Segment(text, style), Segment(" " * GAP, base)]
        if layout.label_at == len(layout.shown):
            segments.append(label)
        return Strip(segments).adjust_cell_length(width, base)

    def _style_of(self, row: ActivityRow) -> Style:
        name = STATUS_CLASSES.get(row.status)
        return self.get_component_rich_style(name) if name else Style()

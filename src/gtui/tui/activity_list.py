"""The Activity view's rows, drawn with the Line API: only the visible rows are drawn, so
a view grown page by page to thousands of rows scrolls as lightly as the first page.

The list asks for more (``MoreWanted``) when the cursor comes near its last row; its
screen reads the next page and hands the rows back with ``add_rows``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.events import Click
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from gtui.core.activity import ActivityRow
from gtui.tui.activity_words import GAP, Layout, cell_text, label_text, layout_for
from gtui.tui.widgets.strips import on_top
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


class ActivityList(ScrollView, can_focus=True):
    """Rows newest first: kind, status, label, collections, times, bytes."""

    ALLOW_SELECT = False

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "activity-list--header",
        "activity-list--cursor",
        "activity-list--succeeded",
        "activity-list--failed",
        "activity-list--inactive",
        "activity-list--dim",
    }

    DEFAULT_CSS = """
    ActivityList {
        background: $surface;
        overflow-x: hidden;
        scrollbar-size-vertical: 1;
        & > .activity-list--header { color: $text-muted; text-style: bold; }
        & > .activity-list--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
        }
        &:focus > .activity-list--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        &:ansi > .activity-list--cursor { background: ansi_bright_black; }
        &:nocolor > .activity-list--cursor { text-style: underline; }
        &:nocolor:focus > .activity-list--cursor { text-style: reverse bold; }
        & > .activity-list--succeeded { color: $text-success; }
        & > .activity-list--failed { color: $text-error; text-style: bold; }
        & > .activity-list--inactive { color: $text-warning; text-style: bold; }
        & > .activity-list--dim { color: $text-muted; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "Up", show=False, id="activity_up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="activity_down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="activity_page_up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="activity_page_down"),
        Binding("home", "first", "First", show=False, id="activity_first"),
        Binding("end", "last", "Last", show=False, id="activity_last"),
        Binding("enter", "open", "Open", id="activity_open"),
    ]

    cursor: reactive[int] = reactive(0, repaint=False, init=False)

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
        self._cache: LRUCache[tuple[int, int, bool, bool], Strip] = LRUCache(256)

    # -- data -------------------------------------------------------------------------------

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
        self._cache.clear()
        self.virtual_size = Size(self.scrollable_content_region.width, len(self.rows) + 1)
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

    def replace_row(self, row: ActivityRow) -> None:
        """A row read again (after an edit): same place, new values."""
        for index, shown in enumerate(self.rows):
            if shown.id == row.id:
                self.rows[index] = row
        self._cache.clear()
        self.refresh()

    # -- cursor -----------------------------------------------------------------------------

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh_line(old + 1)
        self.refresh_line(new + 1)
        height = self.scrollable_content_region.height - 1
        top = round(self.scroll_y)
        if height > 0 and new < top:
            self.scroll_to(y=new, animate=False, immediate=True)
        elif height > 0 and new >= top + height:
            self.scroll_to(y=new - height + 1, animate=False, immediate=True)
        if new >= len(self.rows) - NEAR_END:
            self.post_message(self.MoreWanted(self))

    def _move(self, row: int) -> None:
        if self.rows:
            self.cursor = max(0, min(row, len(self.rows) - 1))

    def action_cursor_up(self) -> None:
        self._move(self.cursor - 1)

    def action_cursor_down(self) -> None:
        self._move(self.cursor + 1)

    def action_page(self, direction: int) -> None:
        self._move(self.cursor + direction * max(1, self.scrollable_content_region.height - 2))

    def action_first(self) -> None:
        self._move(0)

    def action_last(self) -> None:
        self._move(len(self.rows) - 1)

    def action_open(self) -> None:
        row = self.cursor_row
        if row is not None:
            self.post_message(self.RowChosen(self, row))

    def on_click(self, event: Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y == 0:
            return
        row = round(self.scroll_y) + offset.y - 1
        if row < len(self.rows):
            self.cursor = row
            if event.chain == 2:
                self.action_open()

    # -- drawing ----------------------------------------------------------------------------

    @property
    def columns(self) -> Layout:
        return layout_for(self.scrollable_content_region.width)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()

    def on_resize(self) -> None:
        self._changed()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            return self._header(width)
        index = round(self.scroll_y) + y - 1
        if index >= len(self.rows):
            if index == 0 and self.empty_text:
                dim = base + self.get_component_rich_style("activity-list--dim")
                return Strip([Segment(" " + self.empty_text, dim)]).adjust_cell_length(width, base)
            return Strip.blank(width, base)
        is_cursor = index == self.cursor
        key = (index, width, is_cursor, self.has_focus)
        strip = self._cache.get(key)
        if strip is None:
            strip = self._render_row(self.rows[index], width, is_cursor)
            self._cache[key] = strip
        return strip

    def _header(self, width: int) -> Strip:
        layout = layout_for(width)
        at = layout.label_at
        cells = [fit(c.title, c.width, right=c.right) for c in layout.shown[:at]]
        cells.append(fit("Label", layout.label_width - GAP))
        cells += [fit(c.title, c.width, right=c.right) for c in layout.shown[at:]]
        style = self.rich_style + self.get_component_rich_style("activity-list--header")
        text = " " + (" " * GAP).join(cells)
        return Strip([Segment(text, style)]).adjust_cell_length(width, self.rich_style)

    def _render_row(self, row: ActivityRow, width: int, is_cursor: bool) -> Strip:
        base = self.rich_style
        layout = layout_for(width)
        segments = [Segment(" ", base)]
        label = Segment(fit(label_text(row), layout.label_width - GAP), base)
        for n, column in enumerate(layout.shown):
            if n == layout.label_at:
                segments += [label, Segment(" " * GAP, base)]
            style = base + self._style_of(row) if column.name == "status" else base
            text = fit(cell_text(row, column), column.width, right=column.right)
            segments += [Segment(text, style), Segment(" " * GAP, base)]
        if layout.label_at == len(layout.shown):
            segments.append(label)
        strip = Strip(segments).adjust_cell_length(width, base)
        if is_cursor:
            strip = on_top(strip, self.get_component_rich_style("activity-list--cursor"))
        return strip

    def _style_of(self, row: ActivityRow) -> Style:
        name = STATUS_CLASSES.get(row.status)
        return self.get_component_rich_style(name) if name else Style()

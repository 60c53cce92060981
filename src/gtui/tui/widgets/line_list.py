"""The base of the lists drawn line by line: the panes, the compare view, the task queue and
Activity.

They share how the cursor moves and looks, so a key does the same in each and a theme or
NO_COLOR styles one rule: a row cursor moved by keys and kept on screen, the rows drawn on
demand (the Line API) and cached as strips, the cursor drawn over its row. A list says how
many rows it has and how one looks, plus what is its own (a header line, what an empty list
says, selection, the messages it posts). Its bindings stay its own too: their ids are the
names that ``[keys]`` in config.toml rebinds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.style import Style
from textual.cache import LRUCache
from textual.events import MouseEvent
from textual.geometry import Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from gtui.tui.widgets.strips import on_top

CURSOR = "line-list--cursor"


class LineList(ScrollView, can_focus=True):
    """Rows under an optional header line, with a cursor; subclasses draw one row."""

    ALLOW_SELECT = False

    COMPONENT_CLASSES: ClassVar[set[str]] = {CURSOR}

    DEFAULT_CSS = """
    LineList {
        background: $surface;
        overflow-x: hidden;
        scrollbar-size-vertical: 1;
        & > .line-list--cursor {
            color: $block-cursor-blurred-foreground;
            background: $block-cursor-blurred-background;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .line-list--cursor {
            color: $block-cursor-foreground;
            background: $block-cursor-background;
            text-style: $block-cursor-text-style;
        }
        /* The ANSI themes leave the blurred cursor's background at the terminal's default. */
        &:ansi > .line-list--cursor { background: ansi_bright_black; }
        /* Without colour (NO_COLOR) the cursor is reverse video, underlined when blurred. */
        &:nocolor > .line-list--cursor { text-style: underline; }
        &:nocolor:focus > .line-list--cursor { text-style: reverse bold; }
    }
    """

    HEADER_LINES: ClassVar[int] = 0
    """Lines drawn above the rows that do not scroll (column titles)."""
    CACHE_SIZE: ClassVar[int] = 1024
    """Strips kept; a few screens' worth, so scrolling back draws nothing again."""

    cursor: reactive[int] = reactive(0, repaint=False, init=False)

    def __init__(
        self, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._cache: LRUCache[tuple[int, int, bool, bool], Strip] = LRUCache(self.CACHE_SIZE)

    # -- what a subclass says ---------------------------------------------------------------

    if TYPE_CHECKING:
        # Every list has these two, and only the list knows them (its rows are its own: a
        # folder's index view, the compare lines, the tasks, the activity rows); declared for
        # the type checker, so the base has no body to stand in for them.

        @property
        def row_count(self) -> int:
            """Rows shown (the header line not counted)."""

        def render_row(self, row: int, width: int) -> Strip:
            """Row ``row`` as a strip ``width`` cells wide, without the cursor."""

    def render_header(self, width: int) -> Strip:
        """The header line (drawn when ``HEADER_LINES`` is 1)."""
        return Strip.blank(width, self.base_style)

    def render_empty(self, width: int) -> Strip | None:
        """What the first line says when there is no row (None: nothing)."""
        return None

    @property
    def base_style(self) -> Style:
        """The style under every row: the widget's colours on its background."""
        return self.rich_style

    # -- rows -------------------------------------------------------------------------------

    def _rows_changed(self) -> None:
        """Forget the drawn rows and fit the scroll range to the rows there are now."""
        self._cache.clear()
        height = self.row_count + self.HEADER_LINES
        self.virtual_size = Size(self.scrollable_content_region.width, height)

    def _row_at(self, event: MouseEvent) -> int | None:
        """The row under the pointer; None on the header, the border or past the last row."""
        offset = event.get_content_offset(self)
        if offset is None or offset.y < self.HEADER_LINES:
            return None
        row = round(self.scroll_y) + offset.y - self.HEADER_LINES
        return row if row < self.row_count else None

    # -- cursor -----------------------------------------------------------------------------

    def watch_cursor(self, old: int, new: int) -> None:
        """Subclasses that tell others of the move override this and call it first."""
        self.refresh_line(old + self.HEADER_LINES)
        self.refresh_line(new + self.HEADER_LINES)
        self._scroll_to_cursor()

    def _scroll_to_cursor(self) -> None:
        # force: right after new rows the scrollbar is not laid out yet, and Textual ignores a
        # scroll it thinks is not allowed; the cursor would stay off screen.
        height = self.scrollable_content_region.height - self.HEADER_LINES
        if height <= 0:
            return
        top = round(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True, force=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True, force=True)

    def _move(self, row: int) -> None:
        if self.row_count:
            self.cursor = max(0, min(row, self.row_count - 1))

    def _page(self) -> int:
        """Rows a page key moves: one fewer than are shown, so one row stays in view."""
        return max(self.scrollable_content_region.height - self.HEADER_LINES - 1, 1)

    def action_cursor_up(self) -> None:
        self._move(self.cursor - 1)

    def action_cursor_down(self) -> None:
        self._move(self.cursor + 1)

    def action_page_up(self) -> None:
        self._move(self.cursor - self._page())

    def action_page_down(self) -> None:
        self._move(self.cursor + self._page())

    def action_first(self) -> None:
        self._move(0)

    def action_last(self) -> None:
        self._move(self.row_count - 1)

    # -- drawing ----------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()

    def on_resize(self) -> None:
        # Textual calls the on_resize of every class in the MRO: a subclass's adds to this one
        # without calling super().
        self._rows_changed()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if y < self.HEADER_LINES:
            return self.render_header(width)
        row = round(self.scroll_y) + y - self.HEADER_LINES
        if row >= self.row_count:
            empty = self.render_empty(width) if row == 0 else None
            return empty if empty is not None else Strip.blank(width, self.base_style)
        is_cursor = row == self.cursor
        key = (row, width, is_cursor, self.has_focus)
        strip = self._cache.get(key)
        if strip is None:
            strip = self.render_row(row, width)
            if is_cursor:
                strip = on_top(strip, self.get_component_rich_style(CURSOR))
            self._cache[key] = strip
        return strip

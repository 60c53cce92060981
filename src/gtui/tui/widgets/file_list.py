"""The folder listing: a Line API ``ScrollView`` that stays smooth at 100,000 entries.

Only the visible rows are drawn (``render_line``), each cached as a ``Strip`` until the data,
the cursor, the selection or the theme changes. Sorting and filtering produce a list of
indices (see :mod:`gtui.tui.listing`); the screen computes big ones in a thread and hands the
result to :meth:`FileList.show_view`. The list is also a drag source and a drop target.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding, BindingType
from textual.errors import NoWidget
from textual.events import Click, MouseDown, MouseMove, MouseRelease, MouseUp
from textual.geometry import Offset
from textual.message import Message
from textual.strip import Strip

from gtui.core.models import FileEntry
from gtui.tui.arrange import is_dir, is_link
from gtui.tui.format import human_size, middle_ellipsis, short_time
from gtui.tui.listing import entry_names
from gtui.tui.widgets.line_list import LineList

SIZE_WIDTH = 9
TIME_WIDTH = 16
PARENT = ".."


class FileList(LineList):
    """One pane's listing: cursor, multi-selection, folders first, ``..`` on top."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "file-list--dir",
        "file-list--link",
        "file-list--selected",
        "file-list--dim",
        "file-list--empty",
    }

    DEFAULT_CSS = """
    FileList {
        & > .file-list--dir { color: $text-primary; text-style: bold; }
        & > .file-list--link { color: $text-accent; }
        & > .file-list--selected { color: $text-warning; text-style: bold; }
        & > .file-list--dim { color: $text-muted; }
        & > .file-list--empty { color: $text-muted; text-style: italic; }
        &.-drop-target {
            background-tint: $accent 20%;
            outline: heavy $accent;
        }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "Up", show=False, id="cursor_up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="cursor_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="page_up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="page_down"),
        Binding("home", "first", "First", show=False, id="first"),
        Binding("end", "last", "Last", show=False, id="last"),
        Binding("enter", "open", "Open", id="open"),
        Binding("backspace", "parent", "Up", id="parent"),
        Binding("space,insert", "toggle_select", "Select", id="select"),
        Binding("asterisk", "invert_selection", "Invert", show=False, id="invert_selection"),
    ]

    @dataclass
    class OpenRequested(Message):
        """Enter or a double click on a folder (``entry`` is None for ``..``)."""

        file_list: FileList
        entry: FileEntry | None

        @property
        def control(self) -> FileList:
            return self.file_list

    @dataclass
    class CursorMoved(Message):
        """The cursor or the selection changed, so the status line can follow."""

        file_list: FileList

        @property
        def control(self) -> FileList:
            return self.file_list

    @dataclass
    class DropRequested(Message):
        """Entries dragged from ``source`` were dropped on ``target``."""

        source: FileList
        target: FileList
        entries: list[FileEntry] = field(default_factory=list)

        @property
        def control(self) -> FileList:
            return self.source

    def __init__(
        self, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.entries: Sequence[FileEntry] = ()
        self.view: Sequence[int] = []
        self.show_parent = False
        self.selected: set[str] = set()
        self._summary: tuple[int, int] | None = None
        self.empty_text = ""
        # Set by the pane while a big folder's pages arrive (why selecting all must wait), and
        # once it stopped short (the part that is listed).
        self.arriving = ""
        self.incomplete = ""
        self._base_style: Style | None = None
        self._drag_origin: Offset | None = None
        self._dragging = False

    # -- data -------------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        """Rows shown, including ``..``."""
        return len(self.view) + (1 if self.show_parent else 0)

    def set_listing(
        self,
        entries: Sequence[FileEntry],
        view: Sequence[int],
        *,
        show_parent: bool,
        keep: str | None,
    ) -> None:
        """Show a new listing; the cursor lands on ``keep`` when it is there, else on top."""
        self.entries = entries
        self.show_parent = show_parent
        self.view = view
        if self.selected:
            self.selected &= set(entry_names(entries))
        self._install_view(view, self.row_of(keep) if keep is not None else None)

    def show_view(
        self, view: Sequence[int], *, keep: str | None = None, entries: Sequence[FileEntry] = ()
    ) -> None:
        """A new order or filter of the listing (grown by a page, when ``entries`` is given).

        The cursor stays on its entry and on the same line of the screen, so rows arriving or
        leaving around it do not move what the user is looking at.
        """
        index = self.index_at(self.cursor)
        line = self.cursor - round(self.scroll_y)
        if entries:
            self.entries = entries
        self.view = view
        if keep is not None:
            row = self.row_of(keep)
        elif index is None:
            row = self.cursor if self.cursor == 0 and self.show_parent else None
        else:
            row = self._row_of_index(index)
        self._install_view(view, row, line=line)

    def _install_view(
        self, view: Sequence[int], row: int | None, *, line: int | None = None
    ) -> None:
        self.view = view
        self._summary = None
        self._rows_changed()
        self.set_reactive(FileList.cursor, 0)
        self.cursor = min(row if row is not None else 0, max(self.row_count - 1, 0))
        if line is not None and row is not None and self.scrollable_content_region.height > 0:
            self.scroll_to(y=max(self.cursor - line, 0), animate=False, immediate=True, force=True)
        self._scroll_to_cursor()
        self.refresh()
        self.post_message(self.CursorMoved(self))

    def clear_selection(self) -> None:
        """Forget the selection (after a transfer or delete was submitted)."""
        self.selected.clear()
        self._changed()

    def entry_at(self, row: int) -> FileEntry | None:
        """The entry shown on ``row``; None for ``..`` or past the end."""
        if self.show_parent:
            row -= 1
        if 0 <= row < len(self.view):
            return self.entries[self.view[row]]
        return None

    def index_at(self, row: int) -> int | None:
        """The listing index of the entry on ``row``; None for ``..`` or past the end."""
        if self.show_parent:
            row -= 1
        if 0 <= row < len(self.view):
            return self.view[row]
        return None

    def row_of(self, name: str) -> int | None:
        """The row showing ``name`` (``..`` included), if it is in the view."""
        if name == PARENT:
            return 0 if self.show_parent else None
        try:
            index = entry_names(self.entries).index(name)
        except ValueError:
            return None
        return self._row_of_index(index)

    def _row_of_index(self, index: int) -> int | None:
        try:
            row = self.view.index(index)
        except ValueError:
            return None
        return row + (1 if self.show_parent else 0)

    @property
    def cursor_entry(self) -> FileEntry | None:
        """The entry under the cursor (None on ``..`` or in an empty folder)."""
        return self.entry_at(self.cursor)

    def visible_entries(self) -> Iterable[FileEntry]:
        """Entries in the order shown (hidden and filtered ones left out)."""
        return (self.entries[i] for i in self.view)

    def selected_entries(self) -> list[FileEntry]:
        """Selected entries in the order shown."""
        if not self.selected:
            return []
        names, chosen = entry_names(self.entries), self.selected
        return [self.entries[i] for i in self.view if names[i] in chosen]

    def selected_or_cursor_entries(self) -> list[FileEntry]:
        """What an action applies to: the selection, else the entry under the cursor."""
        chosen = self.selected_entries()
        if chosen:
            return chosen
        entry = self.cursor_entry
        return [entry] if entry is not None else []

    def select_matching(self, predicate: Callable[[str], bool], *, select: bool) -> int:
        """Select (or unselect) visible entries whose name matches; returns how many changed."""
        changed = 0
        names = entry_names(self.entries)
        for name in (names[i] for i in self.view):
            if predicate(name) and (name in self.selected) != select:
                if select:
                    self.selected.add(name)
                else:
                    self.selected.discard(name)
                changed += 1
        self._changed()
        return changed

    def selection_summary(self) -> tuple[int, int]:
        """How many entries are selected and the bytes of the files among them.

        Worked out again only when the selection or the listing changes (not on every cursor
        move: in a million-entry folder that is a pass over the whole view).
        """
        if self._summary is None:
            chosen = self.selected_entries()
            self._summary = (len(chosen), sum(e.size or 0 for e in chosen if not is_dir(e)))
        return self._summary

    def _changed(self) -> None:
        self._summary = None
        self._cache.clear()
        self.refresh()
        self.post_message(self.CursorMoved(self))

    # -- cursor -----------------------------------------------------------------------------

    def watch_cursor(self, old: int, new: int) -> None:
        super().watch_cursor(old, new)
        self.post_message(self.CursorMoved(self))

    def action_open(self) -> None:
        if not self.row_count:
            return
        entry = self.cursor_entry
        if entry is None or is_dir(entry):
            self.post_message(self.OpenRequested(self, entry))

    def action_parent(self) -> None:
        self.post_message(self.OpenRequested(self, None))

    def action_toggle_select(self) -> None:
        entry = self.cursor_entry
        if entry is not None:
            summary = self._summary
            adding = entry.name not in self.selected
            self.selected.symmetric_difference_update({entry.name})
            self._changed()
            if summary is not None:  # one entry in or out: no pass over the view
                step = 1 if adding else -1
                size = 0 if is_dir(entry) else entry.size or 0
                self._summary = (summary[0] + step, summary[1] + step * size)
        self._move(self.cursor + 1)

    def action_invert_selection(self) -> None:
        if self.arriving:
            self.notify(self.arriving, severity="warning", timeout=6)
            return
        if self.incomplete:
            self.notify(f"Inverted among {self.incomplete}.", severity="warning", timeout=6)
        all_names = entry_names(self.entries)
        names = {all_names[i] for i in self.view}
        self.selected = (names - self.selected) | (self.selected - names)
        self._changed()

    # -- rendering --------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._base_style = None

    @property
    def base_style(self) -> Style:
        """``rich_style`` walks every ancestor; rows share one until the styles change."""
        if self._base_style is None:
            self._base_style = self.rich_style
        return self._base_style

    def render_empty(self, width: int) -> Strip | None:
        if not self.empty_text:
            return None
        style = self.get_component_rich_style("file-list--empty")
        return Strip([Segment(f"  {self.empty_text}", style)]).adjust_cell_length(
            width, self.base_style
        )

    def render_row(self, row: int, width: int) -> Strip:
        base = self.base_style
        entry = self.entry_at(row)
        selected = entry is not None and entry.name in self.selected
        if entry is None:
            name_style = self.get_component_rich_style("file-list--dir")
            name, size, when, tail = "../", "", "", ""
        else:
            name_style = self._name_style(entry, selected)
            name = entry.name + ("/" if is_dir(entry) else "")
            size = "" if is_dir(entry) else human_size(entry.size)
            when = short_time(entry.last_modified)
            target = entry.link_target
            tail = f" → {target}" if target else (" (broken link)" if is_link(entry) else "")
        dim = self.get_component_rich_style("file-list--dim")
        mark = "✓ " if selected else ("@ " if entry is not None and is_link(entry) else "  ")
        show_time = width >= 40
        fixed = 2 + SIZE_WIDTH + 1 + ((TIME_WIDTH + 1) if show_time else 0)
        name_width = max(width - fixed, 4)
        label = name + tail
        # Widths in terminal cells, not characters: CJK and emoji take two cells each.
        if cell_len(label) > name_width:
            target = entry.link_target if entry is not None else None
            if target and cell_len(name) + len(" → ") + 8 <= name_width:
                # A link keeps its whole name; its target is cut in the middle, so both the
                # start of the path and the name it ends in stay readable.
                room = name_width - cell_len(name) - len(" → ")
                label = name + " → " + middle_ellipsis(target, room)
            else:
                label = set_cell_size(label, name_width - 1) + "…"
        segments = [
            Segment(mark, base + name_style),
            Segment(label[: len(name)], base + name_style),
            Segment(label[len(name) :], base + dim),
            Segment(" " * (name_width - cell_len(label)), base),
            Segment(size.rjust(SIZE_WIDTH) + " ", base),
        ]
        if show_time:
            segments.append(Segment(when.rjust(TIME_WIDTH) + " ", base + dim))
        return Strip(segments).adjust_cell_length(width, base)

    def _name_style(self, entry: FileEntry, selected: bool) -> Style:
        if selected:
            return self.get_component_rich_style("file-list--selected")
        if is_dir(entry):
            return self.get_component_rich_style("file-list--dir")
        if is_link(entry):
            return self.get_component_rich_style("file-list--link")
        return Style()

    # -- mouse: click, double click, drag and drop -----------------------------------------

    def on_mouse_down(self, event: MouseDown) -> None:
        row = self._row_at(event)
        if row is None or event.button != 1:
            return
        self.focus()
        self.cursor = row
        if self.entry_at(row) is not None:
            self._drag_origin = event.screen_offset
            self._dragging = False
            self.capture_mouse()

    def on_mouse_move(self, event: MouseMove) -> None:
        if self._drag_origin is None:
            return
        if not self._dragging:
            dx = abs(event.screen_x - self._drag_origin.x)
            dy = abs(event.screen_y - self._drag_origin.y)
            self._dragging = dx + dy >= 2 or (dy >= 1 and self._list_at(event) is not self)
        if self._dragging:
            target = self._list_at(event)
            for other in self.screen.query(FileList):
                other.set_class(other is target and other is not self, "-drop-target")

    def on_mouse_up(self, event: MouseUp) -> None:
        if self._drag_origin is None:
            return
        dragging = self._dragging
        target = self._list_at(event) if dragging else None
        self.release_mouse()
        self._reset_drag()
        if dragging:
            event.stop()
        if target is not None and target is not self:
            entries = self._drag_entries()
            if entries:
                self.post_message(self.DropRequested(self, target, entries))

    def on_mouse_release(self, _event: MouseRelease) -> None:
        self._reset_drag()

    def on_click(self, event: Click) -> None:
        row = self._row_at(event)
        if row is None:
            return
        offset = event.get_content_offset(self)
        if event.chain == 2:
            self.cursor = row
            self.action_open()
        elif offset is not None and offset.x < 2 and self.entry_at(row) is not None:
            self.action_toggle_select()
            self.cursor = row

    def _drag_entries(self) -> list[FileEntry]:
        entry = self.cursor_entry
        if entry is not None and entry.name in self.selected:
            return self.selected_entries()
        return [entry] if entry is not None else []

    def _reset_drag(self) -> None:
        self._drag_origin = None
        self._dragging = False
        if self.is_attached:
            for other in self.screen.query(FileList):
                other.remove_class("-drop-target")

    def _list_at(self, event: MouseMove | MouseUp) -> FileList | None:
        try:
            widget, _ = self.screen.get_widget_at(event.screen_x, event.screen_y)
        except NoWidget:
            return None
        for node in widget.ancestors_with_self:
            if isinstance(node, FileList):
                return node
            if node.has_class("file-pane"):
                # Anywhere on a pane (its header, path bar, status line) drops into its list.
                return node.query_one(FileList)
        return None

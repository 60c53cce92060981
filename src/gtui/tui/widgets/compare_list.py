"""The compare view's rows: one line per entry of the tree, drawn on demand (the Line API, as
the panes), so a hundred thousand differences scroll without delay.

A row: its mark (rclone check's: ``=`` same, ``+`` only left, ``-`` only right, ``>``/``<``
newer on that side, ``*`` size differs, ``!`` conflict, ``?`` not comparable), the name
indented by depth (a folder with its counts of differences), and each side's size and time.
"""

from __future__ import annotations

import math
from array import array
from datetime import UTC, datetime
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.strip import Strip

from gtui.core.compare import Diff
from gtui.tui.compare_tree import DIFFERENT, PROBLEMS, CompareTree
from gtui.tui.format import human_size, plural
from gtui.tui.widgets.line_list import LineList

MARKS = {
    Diff.SAME: "=",
    Diff.ONLY_LEFT: "+",
    Diff.ONLY_RIGHT: "-",
    Diff.NEWER_LEFT: ">",
    Diff.NEWER_RIGHT: "<",
    Diff.SIZE_DIFFERS: "*",
    Diff.TYPE_CONFLICT: "!",
    Diff.NOT_COMPARABLE: "?",
}
WORDS = {
    Diff.SAME: "same",
    Diff.ONLY_LEFT: "only left",
    Diff.ONLY_RIGHT: "only right",
    Diff.NEWER_LEFT: "newer left",
    Diff.NEWER_RIGHT: "newer right",
    Diff.SIZE_DIFFERS: "size differs",
    Diff.TYPE_CONFLICT: "file vs folder",
    Diff.NOT_COMPARABLE: "not compared",
}
SIDE_WIDTH = 27  # "12.3 MB 2026-12-06 21:30" and room
SIZE_ONLY_WIDTH = 10  # "12.3 MB"
WORD_WIDTH = 13
WIDE = 110
"""From this width each side shows size and time; below it, sizes only; below NARROW, none."""
NARROW = 60


def side_width(width: int) -> int:
    """How wide each side's column is on rows this wide (0: not shown)."""
    if width >= WIDE:
        return SIDE_WIDTH
    return SIZE_ONLY_WIDTH if width >= NARROW else 0


def side_text(size: int, mtime: float, kind: int, *, with_time: bool = True) -> str:
    """One side's size and time, or what is there instead."""
    if kind == 0:
        return "—"
    if kind == 3:
        return "link"
    when = ""
    if with_time and not math.isnan(mtime):
        when = datetime.fromtimestamp(mtime, UTC).strftime("%Y-%m-%d %H:%M")
    if kind == 2:
        return f"folder {when}".rstrip()
    return f"{human_size(size)} {when}".strip()


def fit_right(text: str, width: int) -> str:
    """``text`` right-aligned in ``width`` cells (cut when longer)."""
    if cell_len(text) > width:
        return set_cell_size(text, width)
    return " " * (width - cell_len(text)) + text


class CompareList(LineList):
    """The rows of a compare tree: cursor, opening folders, selection."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "compare-list--folder",
        "compare-list--different",
        "compare-list--problem",
        "compare-list--dim",
        "compare-list--selected",
    }
    DEFAULT_CSS = """
    CompareList {
        & > .compare-list--folder { color: $text-primary; text-style: bold; }
        & > .compare-list--different { color: $text-warning; }
        & > .compare-list--problem { color: $text-error; }
        & > .compare-list--dim { color: $text-muted; }
        & > .compare-list--selected { color: $text-warning; text-style: bold reverse; }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "Up", show=False, id="compare_up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="compare_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="compare_page_up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="compare_page_down"),
        Binding("home", "first", "First", show=False, id="compare_first"),
        Binding("end", "last", "Last", show=False, id="compare_last"),
        Binding("enter,right,l", "toggle_open", "Open/close", id="compare_open"),
        Binding("left,h", "close", "Close folder", show=False, id="compare_close"),
        Binding("space,insert", "toggle_select", "Select", id="compare_select"),
    ]

    class SelectionChanged(Message):
        """The selection changed (the screen's totals follow it)."""

    class Resized(Message):
        """The rows' width changed (the screen's column titles follow it)."""

        def __init__(self, width: int) -> None:
            super().__init__()
            self.width = width

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.compare_tree: CompareTree | None = None
        self.shown: array[int] = array("l")
        self.opened: set[int] = set()
        self.selected: set[int] = set()
        self.wanted: frozenset[Diff] | None = None

    # -- data -------------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self.shown)

    def show(self, tree: CompareTree, classes: frozenset[Diff] | None) -> None:
        """Show a tree (a new comparison keeps the folders opened and the cursor's entry)."""
        current = self.cursor_index
        if self.compare_tree is not None and self.compare_tree is not tree:
            names = self.compare_tree.comparison.names
            keep = {names[i] for i in self.opened}
            self.opened = {i for i, name in enumerate(tree.comparison.names) if name in keep}
            self.selected = set()
            current_name = names[current] if current is not None else None
            current = tree.comparison.index_of(current_name) if current_name else None
        self.compare_tree = tree
        self.wanted = classes
        self._relayout(current)

    def show_classes(self, classes: frozenset[Diff] | None) -> None:
        self.wanted = classes
        self._relayout(self.cursor_index)

    def _relayout(self, keep: int | None) -> None:
        tree = self.compare_tree
        self.shown = tree.rows(self.opened, self.wanted) if tree is not None else array("l")
        self._rows_changed()
        row = 0
        if keep is not None:
            try:
                row = self.shown.index(keep)
            except ValueError:
                row = min(self.cursor, max(len(self.shown) - 1, 0))
        self.set_reactive(CompareList.cursor, row)
        self._scroll_to_cursor()
        self.refresh()

    @property
    def cursor_index(self) -> int | None:
        if 0 <= self.cursor < len(self.shown):
            return int(self.shown[self.cursor])
        return None

    def chosen(self) -> list[int]:
        """The selected entries, else the cursor's (with everything under a folder)."""
        tree = self.compare_tree
        if tree is None:
            return []
        picked = self.selected or ({self.cursor_index} if self.cursor_index is not None else set())
        found: set[int] = set()
        for index in picked:
            found.update(tree.under(index))
        return sorted(found)

    # -- keys -------------------------------------------------------------------------------

    def action_toggle_open(self) -> None:
        index = self.cursor_index
        if index is None or self.compare_tree is None or not self.compare_tree.is_folder(index):
            return
        self.opened.symmetric_difference_update({index})
        self._relayout(index)

    def action_close(self) -> None:
        """Close the cursor's folder, or go to the folder it is in."""
        index = self.cursor_index
        if index is None or self.compare_tree is None:
            return
        if index in self.opened:
            self.opened.discard(index)
            self._relayout(index)
            return
        parent = self.compare_tree.parent[index]
        if parent >= 0:
            self.opened.discard(parent)
            self._relayout(parent)

    def action_toggle_select(self) -> None:
        index = self.cursor_index
        if index is None:
            return
        self.selected.symmetric_difference_update({index})
        self._cache.clear()
        self.refresh()
        self.post_message(self.SelectionChanged())
        self._move(self.cursor + 1)

    # -- drawing ----------------------------------------------------------------------------

    def on_resize(self) -> None:
        # LineList's on_resize runs after this one (Textual calls each class's).
        self.post_message(self.Resized(self.scrollable_content_region.width))

    @staticmethod
    def header(width: int, left: str, right: str) -> str:
        """The column titles over rows this wide (the sides named by their collections)."""
        side = side_width(width)
        fixed = 2 + WORD_WIDTH + 1 + (2 * (side + 1) if side else 0)
        name_width = max(width - fixed, 8)
        text = "  " + "Name".ljust(name_width) + "Difference".ljust(WORD_WIDTH + 1)
        if side:
            left = left if cell_len(left) <= side else "Left"
            right = right if cell_len(right) <= side else "Right"
            text += fit_right(left, side) + " " + fit_right(right, side) + " "
        return text

    def render_row(self, row: int, width: int) -> Strip:
        tree = self.compare_tree
        assert tree is not None  # rows are shown only with a tree
        base = self.rich_style
        c = tree.comparison
        i = self.shown[row]
        diff = Diff(c.diff[i])
        folder = tree.is_folder(i)
        name = c.names[i].rpartition("/")[2] + ("/" if folder else "")
        opened = "▾ " if i in self.opened else "▸ " if folder else "  "
        indent = "  " * tree.depth[i]
        words = WORDS[diff]
        summary = tree.summary.get(i)
        if folder and diff == Diff.SAME and summary is not None:
            differing = summary.of(DIFFERENT)
            problems = summary.of(PROBLEMS)
            words = "same" if not differing and not problems else plural(differing, "diff")
            if problems:
                words += f", {problems}!"
        side = side_width(width)
        fixed = 2 + WORD_WIDTH + 1 + (2 * (side + 1) if side else 0)
        name_width = max(width - fixed, 8)
        label = indent + opened + name
        if cell_len(label) > name_width:
            label = set_cell_size(label, name_width - 1) + "…"
        style = base
        if i in self.selected:
            style += self.get_component_rich_style("compare-list--selected")
        elif diff in PROBLEMS:
            style += self.get_component_rich_style("compare-list--problem")
        elif folder:
            style += self.get_component_rich_style("compare-list--folder")
        elif diff in DIFFERENT:
            style += self.get_component_rich_style("compare-list--different")
        dim = base + self.get_component_rich_style("compare-list--dim")
        segments = [
            Segment(MARKS[diff] + " ", style),
            Segment(label, style),
            Segment(" " * (name_width - cell_len(label)), base),
            Segment(set_cell_size(words, WORD_WIDTH) + " ", dim if diff == Diff.SAME else style),
        ]
        if side:
            timed = side == SIDE_WIDTH
            left = side_text(c.left_size[i], c.left_mtime[i], c.left_kind[i], with_time=timed)
            right = side_text(c.right_size[i], c.right_mtime[i], c.right_kind[i], with_time=timed)
            segments.append(Segment(fit_right(left, side) + " ", dim))
            segments.append(Segment(fit_right(right, side) + " ", dim))
        return Strip(segments).adjust_cell_length(width, base)

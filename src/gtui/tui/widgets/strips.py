"""Helpers for rows drawn with the Line API (`LineList` and the lists built on it)."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip


def on_top(strip: Strip, style: Style) -> Strip:
    """``strip`` with ``style`` over every segment's own.

    A cursor's background must win over the row's; ``Strip.apply_style`` puts the style
    underneath each segment's, so the row's background hid the cursor.
    """
    return Strip(Segment.apply_style(strip, post_style=style), strip.cell_length)

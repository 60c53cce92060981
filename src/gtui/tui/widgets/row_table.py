"""A table whose rows are the things listed (flows, runs, groups, timers, rules).

Textual's ``DataTable`` gives Home and End to the columns (``ctrl+home``/``ctrl+end`` go to the
first and last row); in a list of rows, as in the panes and the queue, Home and End are the
first and last row. The ``ctrl`` keys keep working.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import DataTable


class RowTable(DataTable[Any]):
    """A ``DataTable`` with a row cursor, zebra stripes, and Home/End on rows."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("home", "scroll_top", "First", show=False),
        Binding("end", "scroll_bottom", "Last", show=False),
    ]

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, cursor_type="row", zebra_stripes=True)

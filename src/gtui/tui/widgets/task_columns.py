"""The task queue's columns: fixed widths that never touch, and which ones give way first when
the queue is narrow (the header's caption says which are hidden)."""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size

GAP = 1
ICON_WIDTH = 2
BAR_WIDTH = 14
NARROW_BAR_WIDTH = 8
NARROW_BELOW = 100
MIN_TASK_WIDTH = 24


@dataclass(frozen=True)
class Column:
    """One column after the task's label."""

    name: str
    title: str
    width: int
    keep: int
    """The higher, the longer the column stays as the queue narrows."""
    right: bool = True


COLUMNS: tuple[Column, ...] = (
    Column("status", "Status", 13, keep=90, right=False),
    Column("progress", "Progress", BAR_WIDTH + 5, keep=80, right=False),
    Column("bytes", "Bytes", 9, keep=70),
    Column("rate", "Rate", 10, keep=40),
    Column("when", "ETA/ended", 9, keep=60),
    Column("files", "Files", 16, keep=30),
)


@dataclass(frozen=True)
class Layout:
    """Which columns a width shows, and how wide the task's label is."""

    task_width: int
    shown: tuple[Column, ...]
    hidden: tuple[Column, ...]
    bar_width: int = BAR_WIDTH

    @property
    def hidden_caption(self) -> str:
        """``Rate, Files hidden`` (empty when every column shows)."""
        if not self.hidden:
            return ""
        names = ", ".join(column.title.split("/")[0] for column in self.hidden)
        return f"{names} hidden · Enter: details"


def layout_for(width: int) -> Layout:
    """The columns that fit in ``width`` cells, dropping the least important first (and, when
    narrow, drawing a shorter bar so the task's label keeps room)."""
    bar_width = BAR_WIDTH if width >= NARROW_BELOW else NARROW_BAR_WIDTH
    shown = [
        Column(c.name, c.title, bar_width + 5, c.keep, c.right) if c.name == "progress" else c
        for c in COLUMNS
    ]
    hidden: list[Column] = []

    def needed() -> int:
        return ICON_WIDTH + MIN_TASK_WIDTH + sum(GAP + column.width for column in shown)

    while shown and needed() > width:
        weakest = min(shown, key=lambda column: column.keep)
        shown.remove(weakest)
        hidden.append(weakest)
    task_width = max(width - ICON_WIDTH - sum(GAP + c.width for c in shown), MIN_TASK_WIDTH)
    order = {column.name: n for n, column in enumerate(COLUMNS)}
    return Layout(
        task_width,
        tuple(shown),
        tuple(sorted(hidden, key=lambda column: order[column.name])),
        bar_width,
    )


def compact_count(count: int) -> str:
    """``950``, ``9,999``, ``27.5k``, ``100k``, ``1.2M``: a file count in few cells."""
    if count < 10_000:
        return f"{count:,}"
    if count < 1_000_000:
        value = f"{count / 1000:.1f}".removesuffix(".0")
        return f"{value}k"
    value = f"{count / 1_000_000:.1f}".removesuffix(".0")
    return f"{value}M"


def files_text(transferred: int, skipped: int, total: int) -> str:
    """Files done of the total; those skipped (already there, or errors skipped) shown apart:
    ``24/25``, ``27.5k+72.5k/100k``."""
    if not total:
        return ""
    done = compact_count(transferred)
    if skipped:
        done += "+" + compact_count(skipped)
    return f"{done}/{compact_count(total)}"


def deleted_text(files: int, directories: int, *, finished: bool, width: int) -> str:
    """What a delete removed, in ``width`` cells: ``2 files, 1 folder``, else ``3 deleted``.

    A delete's ``files_transferred`` stays 0 (its ``files`` and ``directories`` count what it
    removed), so ``0/2`` would say a finished delete did nothing.
    """
    if not files and not directories:
        return "none deleted" if finished else ""
    counted = [f"{compact_count(files)} file{'' if files == 1 else 's'}"] if files else []
    if directories:
        counted.append(f"{compact_count(directories)} folder{'' if directories == 1 else 's'}")
    for text in (" ".join([", ".join(counted), "deleted"]), ", ".join(counted)):
        if cell_len(text) <= width:
            return text
    return f"{compact_count(files + directories)} deleted"


def fit(text: str, width: int, *, right: bool = False) -> str:
    """``text`` in exactly ``width`` terminal cells: padded, or cut with ``…``."""
    if width <= 0:
        return ""
    if cell_len(text) > width:
        text = set_cell_size(text, width - 1) + "…"
    pad = " " * (width - cell_len(text))
    return pad + text if right else text + pad

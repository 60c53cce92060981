"""Compare the two panes' folders: every entry of both trees classed, the differences as a
tree with totals, and a sync of exactly the difference in either direction.

What "same" means is said on the screen: equal size and modification time (to the second),
as a Globus sync by modification time decides; contents are not read (a transfer with
checksum verification checks them).
"""

from __future__ import annotations

import asyncio
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Static

from gtui.core.compare import CompareProgress, Comparison, Diff, Place
from gtui.core.compare_again import recompare_subtrees
from gtui.core.compare_walk import compare_folders
from gtui.core.cpu_work import run_cpu
from gtui.core.errors import GlobusError
from gtui.tui.compare_tree import FILTERS, CompareTree
from gtui.tui.context import gtui
from gtui.tui.format import human_size, plural
from gtui.tui.widgets.compare_list import CompareList
from gtui.tui.widgets.key_bar import KeyBar
from gtui.tui.widgets.title_bar import TitleBar

HOW = (
    "Same = equal size and modification time (to the second), as a sync by modification time "
    "decides; contents are not read."
)


def totals_line(comparison: Comparison, indices: list[int] | None = None) -> str:
    """``1,204 files, 3.2 GB differ: 1,180 only left, …`` for the whole tree or a selection."""
    totals = comparison.totals(indices)

    def files(*classes: Diff) -> int:
        return sum(totals.get(c, (0, 0))[0] for c in classes)

    def size(*classes: Diff) -> int:
        return sum(totals.get(c, (0, 0))[1] for c in classes)

    to_right = (Diff.ONLY_LEFT, Diff.NEWER_LEFT, Diff.SIZE_DIFFERS)
    to_left = (Diff.ONLY_RIGHT, Diff.NEWER_RIGHT)
    problems = files(Diff.TYPE_CONFLICT, Diff.NOT_COMPARABLE)
    same = files(Diff.SAME)
    if not files(*to_right, *to_left) and not problems and not comparison.errors:
        return f"The two folders are the same ({plural(same, 'file')} compared)."
    parts = [
        f"{plural(files(*to_right), 'file')}, {human_size(size(*to_right))} newer or only "
        "on the left",
        f"{plural(files(*to_left), 'file')}, {human_size(size(*to_left))} newer or only on "
        "the right",
    ]
    if problems:
        parts.append(f"{plural(problems, 'entry', 'entries')} not comparable (! ?)")
    if comparison.errors:
        parts.append(f"{plural(len(comparison.errors), 'folder')} could not be listed")
    parts.append(f"{same:,} the same")
    return "; ".join(parts) + "."


def progress_line(progress: CompareProgress) -> str:
    (lf, rf), (le, re) = progress.folders, progress.entries
    return (
        f"Comparing… left: {lf:,} folders, {le:,} entries · right: {rf:,} folders, "
        f"{re:,} entries (Esc stops)"
    )


class CompareScreen(Screen[None]):
    """The differences between two folders; F5 copies them left → right, ``<`` right → left."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="compare_back"),
        Binding("f", "next_filter", "Filter", id="compare_filter"),
        Binding("f5,greater_than_sign", "sync('left_to_right')", "Copy →", id="compare_sync"),
        Binding("less_than_sign", "sync('right_to_left')", "Copy ←", id="compare_sync_back"),
        Binding("K", "keep_in_sync", "Keep in sync", id="compare_keep"),
        Binding("ctrl+r", "compare", "Compare again", id="compare_again"),
    ]

    def __init__(self, left: Place, right: Place, names: tuple[str, str]) -> None:
        super().__init__(id="compare")
        self.left, self.right = left, right
        self.names = names
        self.comparison: Comparison | None = None
        self.compare_tree: CompareTree | None = None
        self.filter = "differences"
        self.comparing = False

    def compose(self) -> ComposeResult:
        yield TitleBar()
        left, right = self.names
        yield Static(
            f"{left}:{self.left.path}  ⇄  {right}:{self.right.path}",
            id="compare-places",
            classes="screen-status",
            markup=False,
        )
        yield Static("Comparing…", id="compare-status", markup=False)
        yield Static("", id="compare-filter", classes="screen-status", markup=False)
        yield Static("", id="compare-header", markup=False)
        yield CompareList(id="compare-list")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(CompareList).focus()
        self.action_compare()

    @on(CompareList.Resized)
    def _list_resized(self, event: CompareList.Resized) -> None:
        header = CompareList.header(event.width, *self.names)
        self.query_one("#compare-header", Static).update(header)

    # -- comparing --------------------------------------------------------------------------

    def say(self, text: str) -> None:
        self.query_one("#compare-status", Static).update(text)

    @work(group="compare", exclusive=True, exit_on_error=False)
    async def action_compare(self) -> None:
        app = gtui(self)
        self.comparing = True
        self.say("Comparing…")
        try:
            comparison = await compare_folders(
                app.session.transfer,
                self.left,
                self.right,
                on_progress=lambda progress: self.say(progress_line(progress)),
            )
            tree = await run_cpu(CompareTree, comparison)
        except asyncio.CancelledError:
            self.say("Stopped: nothing was compared to the end. Ctrl+R compares again.")
            raise
        except GlobusError as exc:
            self.say("The comparison failed.")
            app.report_error(exc, "Comparing the two folders")
            return
        finally:
            self.comparing = False
        self.show(comparison, tree)

    def show(self, comparison: Comparison, tree: CompareTree) -> None:
        self.comparison, self.compare_tree = comparison, tree
        self.query_one(CompareList).show(tree, FILTERS[self.filter])
        self._describe()

    def _describe(self) -> None:
        comparison = self.comparison
        if comparison is None:
            return
        lines = [totals_line(comparison), HOW]
        for error in comparison.errors[:3]:
            lines.append(
                f"! {error.side}: {error.rel_path or '/'} could not be listed: {error.message}"
            )
        if len(comparison.errors) > 3:
            lines.append(f"! and {plural(len(comparison.errors) - 3, 'more folder')}")
        self.say("\n".join(lines))
        listing = self.query_one(CompareList)
        text = f"Showing: {self.filter} (f changes it) · {plural(len(listing.shown), 'row')}"
        if listing.selected:
            chosen = listing.chosen()
            text += f" · {len(listing.selected):,} selected: {totals_line(comparison, chosen)}"
        self.query_one("#compare-filter", Static).update(text)

    @on(CompareList.SelectionChanged)
    def _selection_changed(self) -> None:
        self._describe()

    # -- actions ----------------------------------------------------------------------------

    def action_back(self) -> None:
        if self.comparing:
            self.workers.cancel_group(self, "compare")
            return
        self.dismiss()

    def action_next_filter(self) -> None:
        names = list(FILTERS)
        self.filter = names[(names.index(self.filter) + 1) % len(names)]
        self.query_one(CompareList).show_classes(FILTERS[self.filter])
        self._describe()

    @work(group="compare-sync", exclusive=True, exit_on_error=False)
    async def action_sync(self, direction: str) -> None:
        from gtui.tui.compare_sync import sync_difference

        if self.comparison is None or self.comparing:
            self.notify("Wait for the comparison to finish.", timeout=3)
            return
        listing = self.query_one(CompareList)
        selection = listing.chosen() if listing.selected else None
        touched = await sync_difference(self, self.comparison, direction, selection, self.names)
        if touched is not None:
            listing.selected.clear()
            self.recompare(touched)

    @work(group="compare", exclusive=True, exit_on_error=False)
    async def recompare(self, folders: list[str]) -> None:
        """Compare again only the folders a sync touched: what it copied shows the same,
        what it skipped (a fault) still different."""
        comparison = self.comparison
        if comparison is None:
            return
        app = gtui(self)
        self.comparing = True
        self.say("Comparing the synced folders again…")
        try:
            comparison = await recompare_subtrees(
                app.session.transfer,
                comparison,
                folders,
                on_progress=lambda progress: self.say(progress_line(progress)),
            )
            tree = await run_cpu(CompareTree, comparison)
        except GlobusError as exc:
            self.say("Comparing again failed.")
            app.report_error(exc, "Comparing the synced folders again")
            return
        finally:
            self.comparing = False
        self.show(comparison, tree)

    @work(group="compare-sync", exclusive=True, exit_on_error=False)
    async def action_keep_in_sync(self) -> None:
        from gtui.tui.compare_sync import keep_in_sync

        await keep_in_sync(self, self.left, self.right, self.names)

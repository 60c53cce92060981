"""A comparison as a tree: each folder with the counts and bytes of the differences under it,
and the rows a view shows for the folders opened and the classes wanted.

Built once per comparison, in a worker thread (one pass over the names); the rows of a view
are then found by walking only the opened folders, so a hundred thousand entries a side cost
nothing until they are looked at.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from dataclasses import dataclass

from gtui.core.compare import Comparison, Diff

ROOT = -1
DIFFERENT = frozenset(
    {Diff.ONLY_LEFT, Diff.ONLY_RIGHT, Diff.NEWER_LEFT, Diff.NEWER_RIGHT, Diff.SIZE_DIFFERS}
)
PROBLEMS = frozenset({Diff.TYPE_CONFLICT, Diff.NOT_COMPARABLE})

FILTERS: dict[str, frozenset[Diff] | None] = {
    "differences": DIFFERENT | PROBLEMS,
    "all": None,
    "only left": frozenset({Diff.ONLY_LEFT}),
    "only right": frozenset({Diff.ONLY_RIGHT}),
    "newer": frozenset({Diff.NEWER_LEFT, Diff.NEWER_RIGHT, Diff.SIZE_DIFFERS}),
    "problems": PROBLEMS,
}
"""The view's filters, in the order ``f`` steps through them: the classes each shows."""


@dataclass
class FolderSummary:
    """What lies under one folder: entries (not folders) per class, and their bytes."""

    counts: list[int]
    bytes: list[int]

    def of(self, classes: Iterable[Diff]) -> int:
        return sum(self.counts[c] for c in classes)


class CompareTree:
    """Parents, children and per-folder summaries of a ``Comparison``."""

    def __init__(self, comparison: Comparison) -> None:
        self.comparison = comparison
        names = comparison.names
        index = {name: i for i, name in enumerate(names)}
        self.parent = array("l", [ROOT]) * len(names)
        self.depth = array("h", [0]) * len(names)
        self.children: dict[int, list[int]] = {ROOT: []}
        self.summary: dict[int, FolderSummary] = {ROOT: _empty()}
        for i, name in enumerate(names):
            head, _, _ = name.rpartition("/")
            parent = index.get(head, ROOT) if head else ROOT
            self.parent[i] = parent
            self.depth[i] = 0 if parent == ROOT else self.depth[parent] + 1
            self.children.setdefault(parent, []).append(i)
            if self.is_folder(i):
                self.children.setdefault(i, [])
                self.summary[i] = _empty()
        for i in range(len(names)):
            if self.is_folder(i) and comparison.diff[i] in (Diff.SAME, Diff.NOT_COMPARABLE):
                continue
            diff = comparison.diff[i]
            size = self.copy_size(i)
            folder = self.parent[i]
            while True:
                summary = self.summary[folder]
                summary.counts[diff] += 1
                summary.bytes[diff] += size
                if folder == ROOT:
                    break
                folder = self.parent[folder]
        for children in self.children.values():
            children.sort(key=lambda c: (not self.is_folder(c), names[c].casefold(), names[c]))

    def is_folder(self, i: int) -> bool:
        c = self.comparison
        return c.left_kind[i] == 2 or c.right_kind[i] == 2

    def copy_size(self, i: int) -> int:
        """The bytes of the entry on the side that has it (the newer one when both do)."""
        c = self.comparison
        from_right = c.diff[i] in (Diff.ONLY_RIGHT, Diff.NEWER_RIGHT)
        return max(0, (c.right_size if from_right else c.left_size)[i])

    def shows(self, i: int, classes: frozenset[Diff] | None) -> bool:
        """Whether the entry belongs in a view of ``classes`` (a folder: if anything under it
        does, or it does itself)."""
        if classes is None:
            return True
        if self.comparison.diff[i] in classes:
            return True
        summary = self.summary.get(i)
        return summary is not None and summary.of(classes) > 0

    def rows(self, opened: set[int], classes: frozenset[Diff] | None) -> array[int]:
        """Entry indices in display order: the root's entries, and the contents of every
        opened folder below its folder, filtered by ``classes``."""
        shown = array("l")
        stack = list(reversed(self.children.get(ROOT, [])))
        while stack:
            i = stack.pop()
            if not self.shows(i, classes):
                continue
            shown.append(i)
            if i in opened:
                stack.extend(reversed(self.children.get(i, [])))
        return shown

    def under(self, i: int) -> list[int]:
        """The entry and everything under it (a selected folder means all of it)."""
        found = [i]
        stack = list(self.children.get(i, []))
        while stack:
            j = stack.pop()
            found.append(j)
            stack.extend(self.children.get(j, []))
        return found


def _empty() -> FolderSummary:
    return FolderSummary([0] * len(Diff), [0] * len(Diff))

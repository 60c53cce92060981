"""The compare view's tree: per-folder summaries of what differs under each folder, the rows
shown for the folders opened and the filter chosen, and a selected folder meaning all of it."""

from __future__ import annotations

import math
from array import array

from gtui.core.compare import Comparison, Diff, Place
from gtui.tui.compare_tree import FILTERS, ROOT, CompareTree

FILE, FOLDER, ABSENT = 1, 2, 0


def comparison(rows: list[tuple[str, Diff, int, int, int]]) -> Comparison:
    """(name, class, left kind, right kind, size) rows, in tree order."""
    c = Comparison(Place("L", "/l/"), Place("R", "/r/"))
    for name, diff, left, right, size in rows:
        c.names.append(name)
        c.diff.append(diff)
        c.left_kind.append(left)
        c.right_kind.append(right)
        c.left_size.append(size if left == FILE else -1)
        c.right_size.append(size if right == FILE else -1)
        c.left_mtime.append(0.0 if left else math.nan)
        c.right_mtime.append(0.0 if right else math.nan)
    return c


ROWS = [
    ("docs", Diff.SAME, FOLDER, FOLDER, 0),
    ("docs/a.md", Diff.SAME, FILE, FILE, 10),
    ("docs/b.md", Diff.NEWER_LEFT, FILE, FILE, 20),
    ("docs/deep", Diff.SAME, FOLDER, FOLDER, 0),
    ("docs/deep/c.bin", Diff.ONLY_RIGHT, ABSENT, FILE, 300),
    ("new", Diff.ONLY_LEFT, FOLDER, ABSENT, 0),
    ("new/x", Diff.ONLY_LEFT, FILE, ABSENT, 4000),
    ("same-folder", Diff.SAME, FOLDER, FOLDER, 0),
    ("same-folder/s", Diff.SAME, FILE, FILE, 1),
    ("clash", Diff.TYPE_CONFLICT, FILE, FOLDER, 5),
    ("z.txt", Diff.SAME, FILE, FILE, 2),
]


def names(tree: CompareTree, rows: array[int]) -> list[str]:
    return [tree.comparison.names[i] for i in rows]


def test_folders_sum_up_what_differs_under_them() -> None:
    tree = CompareTree(comparison(ROWS))
    docs = tree.comparison.index_of("docs")
    assert docs is not None
    summary = tree.summary[docs]
    assert summary.counts[Diff.NEWER_LEFT] == 1 and summary.bytes[Diff.NEWER_LEFT] == 20
    assert summary.counts[Diff.ONLY_RIGHT] == 1 and summary.bytes[Diff.ONLY_RIGHT] == 300
    assert summary.counts[Diff.SAME] == 1
    everything = tree.summary[ROOT]
    assert everything.counts[Diff.ONLY_LEFT] == 2  # the new folder and its file
    assert everything.bytes[Diff.ONLY_LEFT] == 4000
    assert everything.counts[Diff.TYPE_CONFLICT] == 1


def test_rows_follow_the_opened_folders_and_the_filter() -> None:
    tree = CompareTree(comparison(ROWS))
    differences = FILTERS["differences"]
    # Folders first (a file on one side and a folder on the other counts as a folder).
    assert names(tree, tree.rows(set(), differences)) == ["clash", "docs", "new"]
    assert names(tree, tree.rows(set(), None)) == [
        "clash",
        "docs",
        "new",
        "same-folder",
        "z.txt",
    ]
    docs = tree.comparison.index_of("docs")
    deep = tree.comparison.index_of("docs/deep")
    assert docs is not None and deep is not None
    opened = names(tree, tree.rows({docs, deep}, differences))
    assert opened == ["clash", "docs", "docs/deep", "docs/deep/c.bin", "docs/b.md", "new"]
    assert names(tree, tree.rows({docs}, FILTERS["only right"])) == ["docs", "docs/deep"]
    assert names(tree, tree.rows(set(), FILTERS["problems"])) == ["clash"]


def test_a_chosen_folder_means_everything_under_it() -> None:
    tree = CompareTree(comparison(ROWS))
    docs = tree.comparison.index_of("docs")
    assert docs is not None
    assert sorted(names(tree, array("l", tree.under(docs)))) == [
        "docs",
        "docs/a.md",
        "docs/b.md",
        "docs/deep",
        "docs/deep/c.bin",
    ]


def test_a_hundred_thousand_rows_build_once_and_open_cheaply() -> None:
    rows = []
    for f in range(2000):
        rows.append((f"f{f:04}", Diff.SAME, FOLDER, FOLDER, 0))
        for n in range(50):
            diff = Diff.NEWER_LEFT if n == 7 else Diff.SAME
            rows.append((f"f{f:04}/n{n:02}", diff, FILE, FILE, 10))
    tree = CompareTree(comparison(rows))
    assert tree.summary[ROOT].counts[Diff.NEWER_LEFT] == 2000
    shown = tree.rows(set(), FILTERS["differences"])
    assert len(shown) == 2000
    first = int(shown[0])
    assert names(tree, tree.rows({first}, FILTERS["differences"]))[:2] == ["f0000", "f0000/n07"]

"""Compare two folder trees, possibly on two collections, and class every entry by its path.

No Globus tool compares folders: a transfer's ``sync_level`` decides file by file, blind. This
module is the comparison itself (the classes, the record, how one entry is classed); the walk
that fills it is ``compare_walk.py`` and the second look after a sync ``compare_again.py``.
What "same" means follows Globus's sync level 2 (``mtime``): the same kind and, for files,
the same size and a modification time within ``MTIME_TOLERANCE``. Content is not compared (a
transfer with ``verify_checksum`` or sync level 3 does that).

The result is kept by column (one list of names, machine arrays for the rest) in tree order,
so a folder's subtree is one contiguous range: 100,000 entries a side stay a few tens of MB.
"""

from __future__ import annotations

import bisect
import math
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Literal

MTIME_TOLERANCE = 1.0
"""Seconds two modification times may differ and still count as the same (Transfer reports
whole seconds, and some storage keeps coarser times)."""

ABSENT, FILE, FOLDER, LINK = 0, 1, 2, 3
"""The values of ``Comparison.left_kind``/``right_kind``."""

SORT_SLICE = 16_384
"""Names per ``sorted`` call in the merge: a few milliseconds with the interpreter held."""

Side = Literal["left", "right"]


class Diff(IntEnum):
    """How one entry (by relative path) differs between the two sides."""

    SAME = 0
    ONLY_LEFT = 1
    ONLY_RIGHT = 2
    NEWER_LEFT = 3
    NEWER_RIGHT = 4
    SIZE_DIFFERS = 5
    """Same modification time (within the tolerance), different size."""
    TYPE_CONFLICT = 6
    """A file on one side, a folder on the other (and everything under that folder)."""
    NOT_COMPARABLE = 7
    """A link on either side, a folder that could not be listed, or anything under them."""


UNCOPYABLE = (Diff.TYPE_CONFLICT, Diff.NOT_COMPARABLE)


@dataclass(frozen=True)
class Place:
    """A folder on a collection; ``path`` always ends with ``/``."""

    collection_id: str
    path: str

    def __post_init__(self) -> None:
        if not self.path.endswith("/"):
            object.__setattr__(self, "path", self.path + "/")

    def join(self, rel_path: str, *, folder: bool = False) -> str:
        """The absolute path of an entry given by its path relative to this folder."""
        if not rel_path:
            return self.path
        return self.path + rel_path + ("/" if folder else "")


@dataclass(frozen=True)
class CompareError:
    """A folder that could not be listed (``rel_path`` "" is the compared folder itself)."""

    side: Side
    rel_path: str
    message: str
    code: str | None = None


@dataclass(frozen=True)
class CompareProgress:
    """Folders and entries seen so far, as (left, right)."""

    folders: tuple[int, int]
    entries: tuple[int, int]
    done: bool


def tree_key(name: str) -> str:
    """The sort key of tree order: a folder just before its contents, siblings by name.

    Plain string order would put ``a-b`` between ``a`` and ``a/c`` (``-`` sorts before
    ``/``); with ``/`` as the lowest character every subtree is one contiguous range.
    """
    return name.replace("/", "\0")


def counted_side(diff: int, left_kind: int, right_kind: int) -> Side:
    """Whose size an entry's bytes are: the right for ONLY_RIGHT and NEWER_RIGHT, else the
    left, unless the left is absent or a folder while the right is a file or link."""
    if diff in (Diff.ONLY_RIGHT, Diff.NEWER_RIGHT):
        return "right"
    if left_kind in (ABSENT, FOLDER) and right_kind in (FILE, LINK):
        return "right"
    return "left"


@dataclass(eq=False)
class Comparison:
    """Both trees merged: one row per relative path, in tree order (see ``tree_key``).

    Names are relative to the compared folders (``a/b/c.txt``, folders without a trailing
    slash) and compared exactly: ``A.txt`` and ``a.txt``, or the NFC and NFD spellings of a
    name, are different entries. Sizes are -1 and times NaN on a side where an entry is
    absent. ``left_exists``/``right_exists`` are False when that compared folder was not
    found (everything is then only on the other side).
    """

    left: Place
    right: Place
    names: list[str] = field(default_factory=list)
    diff: array[int] = field(default_factory=lambda: array("b"))
    left_kind: array[int] = field(default_factory=lambda: array("b"))
    right_kind: array[int] = field(default_factory=lambda: array("b"))
    left_size: array[int] = field(default_factory=lambda: array("q"))
    right_size: array[int] = field(default_factory=lambda: array("q"))
    left_mtime: array[float] = field(default_factory=lambda: array("d"))
    right_mtime: array[float] = field(default_factory=lambda: array("d"))
    errors: list[CompareError] = field(default_factory=list)
    left_exists: bool = True
    right_exists: bool = True
    max_depth: int = 64
    tolerance: float = MTIME_TOLERANCE
    _totals: dict[Diff, tuple[int, int]] | None = field(default=None, init=False, repr=False)

    def __len__(self) -> int:
        return len(self.names)

    def index_of(self, name: str) -> int | None:
        """The row of a relative path (without trailing slash), or None."""
        key = tree_key(name.strip("/"))
        index = bisect.bisect_left(self.names, key, key=tree_key)
        if index < len(self.names) and self.names[index] == name.strip("/"):
            return index
        return None

    def subtree_end(self, index: int) -> int:
        """One past the last row under the row ``index`` (``index + 1`` for a file)."""
        bound = tree_key(self.names[index]) + "\x01"
        return bisect.bisect_left(self.names, bound, lo=index + 1, key=tree_key)

    def parent_index(self, index: int) -> int | None:
        """The row of the folder holding row ``index`` (None at the top level)."""
        parent = self.names[index].rpartition("/")[0]
        return self.index_of(parent) if parent else None

    def is_folder(self, index: int) -> bool:
        return FOLDER in (self.left_kind[index], self.right_kind[index])

    def totals(self, indices: Iterable[int] | None = None) -> dict[Diff, tuple[int, int]]:
        """(files, bytes) per class, of the given rows or all of them.

        Folders are not counted as files; a link counts as a file. Bytes are those of the
        side that would be copied (``counted_side``): for ONLY_RIGHT the right's.
        """
        if indices is None:
            if self._totals is None:
                self._totals = _totals(self, range(len(self.names)))
            return dict(self._totals)
        return _totals(self, indices)

    def counts(self, indices: Iterable[int] | None = None) -> dict[Diff, int]:
        """Rows (files, folders and links) per class."""
        found = dict.fromkeys(Diff, 0)
        if indices is None:
            for kind in Diff:
                found[kind] = self.diff.count(kind)
            return found
        diff = self.diff
        for index in indices:
            found[Diff(diff[index])] += 1
        return found

    def is_equal(self) -> bool:
        """Every row SAME, no listing errors, and both compared folders exist."""
        if self.errors or not (self.left_exists and self.right_exists):
            return False
        return self.diff.count(Diff.SAME) == len(self.diff)


def _totals(comparison: Comparison, indices: Iterable[int]) -> dict[Diff, tuple[int, int]]:
    files = dict.fromkeys(Diff, 0)
    sizes = dict.fromkeys(Diff, 0)
    c = comparison
    for i in indices:
        d, lk, rk = c.diff[i], c.left_kind[i], c.right_kind[i]
        if counted_side(d, lk, rk) == "right":
            kind, size = rk, c.right_size[i]
        else:
            kind, size = lk, c.left_size[i]
        if kind in (FILE, LINK):
            files[Diff(d)] += 1
            sizes[Diff(d)] += max(size, 0)
    return {kind: (files[kind], sizes[kind]) for kind in Diff}


def classify(
    left_kind: int, right_kind: int, sizes: tuple[int, int], mtimes: tuple[float, float], tol: float
) -> Diff:
    """The class of one entry from its two sides (inheritance and errors aside)."""
    if LINK in (left_kind, right_kind):
        return Diff.NOT_COMPARABLE
    if left_kind == ABSENT:
        return Diff.ONLY_RIGHT
    if right_kind == ABSENT:
        return Diff.ONLY_LEFT
    if left_kind != right_kind:
        return Diff.TYPE_CONFLICT
    if left_kind == FOLDER:
        return Diff.SAME
    lt, rt = mtimes
    # A time missing on either side cannot be compared: only the sizes decide then.
    if math.isnan(lt) or math.isnan(rt) or abs(lt - rt) <= tol:
        return Diff.SAME if sizes[0] == sizes[1] else Diff.SIZE_DIFFERS
    return Diff.NEWER_LEFT if lt > rt else Diff.NEWER_RIGHT


def minimal_folders(folders: Iterable[str]) -> list[str]:
    """The given relative folders without any that lies inside another ("" holds all)."""
    chosen: list[str] = []
    for folder in sorted({f.strip("/") for f in folders}, key=tree_key):
        if chosen and (chosen[-1] == "" or folder.startswith(chosen[-1] + "/")):
            continue
        chosen.append(folder)
    return chosen

"""Compare two folder trees, possibly on two collections, and class every entry by its path.

No Globus tool compares folders: a transfer's ``sync_level`` decides file by file, blind. Here
both trees are walked at once with ``recursive_ls`` (two walks sharing one ``RateLimiter``)
and merged by relative path. What "same" means follows Globus's sync level 2 (``mtime``): the
same kind and, for files, the same size and a modification time within ``MTIME_TOLERANCE``.
Content is not compared (a transfer with ``verify_checksum`` or sync level 3 does that).

The result is kept by column (one list of names, machine arrays for the rest) in tree order,
so a folder's subtree is one contiguous range: 100,000 entries a side stay a few tens of MB.
The walks run on the event loop (they are mostly waiting); the merge, which is CPU work, runs
on the core's CPU worker in steps short enough that the loop is never held for long.
"""

from __future__ import annotations

import asyncio
import bisect
import heapq
import math
import threading
import time
from array import array
from collections.abc import AsyncGenerator, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, Literal, cast

from gtui.core.cpu_work import run_cpu
from gtui.core.errors import GlobusAPIError
from gtui.core.models import FileEntry
from gtui.core.recursive import ListingError, RateLimiter, recursive_ls

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


_UNCOPYABLE = (Diff.TYPE_CONFLICT, Diff.NOT_COMPARABLE)


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


# -- walking ---------------------------------------------------------------------------------


class _Tree:
    """One side's entries by column, in the order its walk found them."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.kinds = bytearray()
        self.sizes: array[int] = array("q")
        self.mtimes: array[float] = array("d")
        self.folders = 1
        self.errors: list[ListingError] = []
        self.missing = False
        self.root_error: ListingError | None = None

    def add(self, entry: FileEntry) -> None:
        kind = LINK if entry.is_symlink else FOLDER if entry.is_dir else FILE
        self.names.append(entry.name)
        self.kinds.append(kind)
        self.sizes.append(entry.size)
        moment = entry.last_modified
        self.mtimes.append(math.nan if moment is None else moment.timestamp())
        if kind == FOLDER:
            self.folders += 1

    def add_error(self, error: ListingError) -> None:
        if not error.name:
            failure = error.error
            if isinstance(failure, GlobusAPIError) and failure.http_status == 404:
                self.missing = True  # a folder not there yet, as a sync's destination often is
                return
            self.root_error = error
        self.errors.append(error)


class _Reporter:
    """Calls ``on_progress`` at most every ``interval`` seconds, and when told to."""

    def __init__(
        self,
        trees: tuple[_Tree, _Tree],
        on_progress: Callable[[CompareProgress], None] | None,
        interval: float = 0.1,
    ) -> None:
        self.trees = trees
        self.on_progress = on_progress
        self.interval = interval
        self.last = -math.inf

    def report(self, *, force: bool = False, done: bool = False) -> None:
        if self.on_progress is None:
            return
        now = time.monotonic()
        if not (force or done) and now - self.last < self.interval:
            return
        self.last = now
        left, right = self.trees
        self.on_progress(
            CompareProgress(
                folders=(left.folders, right.folders),
                entries=(len(left.names), len(right.names)),
                done=done,
            )
        )


async def _walk(
    client: Any,
    place: Place,
    tree: _Tree,
    reporter: _Reporter,
    *,
    limiter: RateLimiter,
    concurrency: int,
    max_depth: int,
) -> None:
    items = cast(
        AsyncGenerator[FileEntry | ListingError, None],
        recursive_ls(
            client,
            place.collection_id,
            place.path,
            max_depth=max_depth,
            concurrency=concurrency,
            rate_limiter=limiter,
        ),
    )
    try:
        seen = 0
        async for item in items:
            if isinstance(item, ListingError):
                tree.add_error(item)
            else:
                tree.add(item)
            seen += 1
            if seen % 1024 == 0:
                reporter.report()
                # Finished folders wait in the walk's buffer without a pause between them;
                # let the loop breathe while they are taken in.
                await asyncio.sleep(0)
    finally:
        await items.aclose()


async def _walk_both(
    client: Any,
    left: Place,
    right: Place,
    reporter: _Reporter,
    *,
    limiter: RateLimiter,
    concurrency: int,
    max_depth: int,
) -> None:
    """Both walks at once; one failing (or this being cancelled) cancels the other."""
    walks = [
        asyncio.create_task(
            _walk(
                client,
                place,
                tree,
                reporter,
                limiter=limiter,
                concurrency=concurrency,
                max_depth=max_depth,
            )
        )
        for place, tree in zip((left, right), reporter.trees, strict=True)
    ]
    try:
        await asyncio.gather(*walks)
    finally:
        for walk in walks:
            walk.cancel()
        await asyncio.gather(*walks, return_exceptions=True)


async def compare_folders(
    transfer_client: Any,
    left: Place,
    right: Place,
    *,
    on_progress: Callable[[CompareProgress], None] | None = None,
    concurrency: int = 8,
    rate_limiter: RateLimiter | None = None,
    max_depth: int = 64,
    tolerance: float = MTIME_TOLERANCE,
) -> Comparison:
    """Walk both folders at once and class every entry (see ``Diff``).

    ``concurrency`` folders are listed at once on each side; both walks take their calls
    from one ``rate_limiter``. A folder that cannot be listed is recorded in ``errors`` and
    everything under its path on the other side is NOT_COMPARABLE, never dropped. A compared
    folder that is not found is an empty side (``left_exists``/``right_exists`` False).
    ``LoginRequired`` and programming errors raise; cancelling cancels both walks.
    """
    trees = (_Tree(), _Tree())
    reporter = _Reporter(trees, on_progress)
    reporter.report(force=True)
    await _walk_both(
        transfer_client,
        left,
        right,
        reporter,
        limiter=rate_limiter or RateLimiter(),
        concurrency=concurrency,
        max_depth=max_depth,
    )
    reporter.report(force=True)
    comparison = Comparison(
        left,
        right,
        left_exists=not trees[0].missing,
        right_exists=not trees[1].missing,
        max_depth=max_depth,
        tolerance=tolerance,
    )
    await _in_worker(_merge, comparison, trees[0], trees[1])
    reporter.report(done=True)
    return comparison


class _Stopped(Exception):
    """The coroutine waiting for the worker was cancelled; stop working for nobody."""


async def _in_worker(function: Callable[..., None], *args: Any) -> None:
    stop = threading.Event()
    try:
        await run_cpu(function, *args, stop)
    except asyncio.CancelledError:
        stop.set()
        raise


# -- merging (on the CPU worker) ---------------------------------------------------------------


def _tree_order(names: Sequence[str], stop: threading.Event) -> Iterator[int]:
    """The indices of ``names`` in tree order, sorted a slice at a time then merged."""
    keys = [tree_key(name) for name in names]
    runs: list[list[int]] = []
    for start in range(0, len(keys), SORT_SLICE):
        if stop.is_set():
            raise _Stopped
        runs.append(sorted(range(start, min(start + SORT_SLICE, len(keys))), key=keys.__getitem__))
    previous: str | None = None
    for index in heapq.merge(*runs, key=keys.__getitem__):
        if keys[index] != previous:  # a name listed twice (a folder changing while paged)
            previous = keys[index]
            yield index


def _pairs(left: _Tree, right: _Tree, stop: threading.Event) -> Iterator[tuple[int, int]]:
    """(left index, right index) of every name of either side, in tree order; -1 if absent."""
    left_keys = iter(_tree_order(left.names, stop))
    right_keys = iter(_tree_order(right.names, stop))
    li, ri = next(left_keys, -1), next(right_keys, -1)
    while li >= 0 or ri >= 0:
        if li >= 0 and ri >= 0:
            lkey, rkey = tree_key(left.names[li]), tree_key(right.names[ri])
            if lkey == rkey:
                yield li, ri
                li, ri = next(left_keys, -1), next(right_keys, -1)
            elif lkey < rkey:
                yield li, -1
                li = next(left_keys, -1)
            else:
                yield -1, ri
                ri = next(right_keys, -1)
        elif li >= 0:
            yield li, -1
            li = next(left_keys, -1)
        else:
            yield -1, ri
            ri = next(right_keys, -1)


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


def _compare_error(side: Side, error: ListingError) -> CompareError:
    failure = error.error
    message = failure.message if isinstance(failure, GlobusAPIError) else str(failure)
    return CompareError(side, error.name, message, error.code)


def _merge(comparison: Comparison, left: _Tree, right: _Tree, stop: threading.Event) -> None:
    """Fill ``comparison`` with the union of both trees, classed, in tree order."""
    c = comparison
    failed = ({e.name for e in left.errors}, {e.name for e in right.errors})
    base = Diff.NOT_COMPARABLE if left.root_error or right.root_error else None
    # Folders whose class their contents take (a conflict, a failed listing), innermost last.
    stack: list[tuple[str, Diff | None]] = [("", base)]
    depth_errors: list[CompareError] = []
    nan = math.nan
    for count, (li, ri) in enumerate(_pairs(left, right, stop)):
        if count % 4096 == 0 and stop.is_set():
            raise _Stopped
        name = left.names[li] if li >= 0 else right.names[ri]
        lk = left.kinds[li] if li >= 0 else ABSENT
        rk = right.kinds[ri] if ri >= 0 else ABSENT
        ls = left.sizes[li] if li >= 0 else -1
        rs = right.sizes[ri] if ri >= 0 else -1
        lm = left.mtimes[li] if li >= 0 else nan
        rm = right.mtimes[ri] if ri >= 0 else nan
        while len(stack) > 1 and not name.startswith(stack[-1][0]):
            stack.pop()
        inherited = stack[-1][1]
        if inherited is not None:
            diff = inherited
        elif (lk == FOLDER and name in failed[0]) or (rk == FOLDER and name in failed[1]):
            diff = Diff.NOT_COMPARABLE
        else:
            diff = classify(lk, rk, (ls, rs), (lm, rm), c.tolerance)
            if diff == Diff.SAME and lk == FOLDER and name.count("/") >= c.max_depth:
                diff = Diff.NOT_COMPARABLE  # neither side's contents were listed
                message = f"not compared: deeper than {c.max_depth} folder levels"
                depth_errors += [CompareError("left", name, message)]
                depth_errors += [CompareError("right", name, message)]
        if FOLDER in (lk, rk):
            stack.append((name + "/", diff if diff in _UNCOPYABLE else inherited))
        c.names.append(name)
        c.diff.append(diff)
        c.left_kind.append(lk)
        c.right_kind.append(rk)
        c.left_size.append(ls)
        c.right_size.append(rs)
        c.left_mtime.append(lm)
        c.right_mtime.append(rm)
    errors = [_compare_error("left", e) for e in left.errors]
    errors += [_compare_error("right", e) for e in right.errors]
    c.errors = sorted(errors + depth_errors, key=lambda e: (tree_key(e.rel_path), e.side))
    c.totals()


# -- comparing again after a sync ---------------------------------------------------------------


def minimal_folders(folders: Iterable[str]) -> list[str]:
    """The given relative folders without any that lies inside another ("" holds all)."""
    chosen: list[str] = []
    for folder in sorted({f.strip("/") for f in folders}, key=tree_key):
        if chosen and (chosen[-1] == "" or folder.startswith(chosen[-1] + "/")):
            continue
        chosen.append(folder)
    return chosen


async def recompare_subtrees(
    transfer_client: Any,
    comparison: Comparison,
    folders: Iterable[str],
    *,
    on_progress: Callable[[CompareProgress], None] | None = None,
    concurrency: int = 8,
    rate_limiter: RateLimiter | None = None,
) -> Comparison:
    """Walk only ``folders`` (relative paths) again on both sides; a new ``Comparison`` with
    their rows (the folder and its subtree) replaced and the rest kept.

    For closing the loop after a sync: the folders a plan touched (``SyncPlan.touched``)
    are compared again, so what the task copied shows SAME and what it skipped still shows
    different. A folder not in the comparison is replaced by its nearest listed ancestor;
    "" compares everything again. A folder found on a side again makes its ancestors folders
    on that side too (a copied missing folder makes its parents exist).
    """
    roots: list[str] = []
    for folder in minimal_folders(folders):
        while folder and comparison.index_of(folder) is None:
            folder = folder.rpartition("/")[0]
        index = comparison.index_of(folder) if folder else None
        if index is not None and not comparison.is_folder(index):
            folder = folder.rpartition("/")[0]
        roots.append(folder)
    roots = minimal_folders(roots)
    limiter = rate_limiter or RateLimiter()
    if roots == [""]:
        return await compare_folders(
            transfer_client,
            comparison.left,
            comparison.right,
            on_progress=on_progress,
            concurrency=concurrency,
            rate_limiter=limiter,
            max_depth=comparison.max_depth,
            tolerance=comparison.tolerance,
        )
    subs: list[tuple[str, Comparison]] = []
    for folder in roots:
        sub = await compare_folders(
            transfer_client,
            Place(comparison.left.collection_id, comparison.left.join(folder, folder=True)),
            Place(comparison.right.collection_id, comparison.right.join(folder, folder=True)),
            on_progress=on_progress,
            concurrency=concurrency,
            rate_limiter=limiter,
            max_depth=max(comparison.max_depth - folder.count("/") - 1, 0),
            tolerance=comparison.tolerance,
        )
        subs.append((folder, sub))
    result = Comparison(
        comparison.left,
        comparison.right,
        left_exists=comparison.left_exists,
        right_exists=comparison.right_exists,
        max_depth=comparison.max_depth,
        tolerance=comparison.tolerance,
    )
    await _in_worker(_splice, comparison, subs, result)
    return result


def _root_kind(
    old: Comparison, index: int, side: Side, exists: bool, errors: list[CompareError]
) -> tuple[int, bool]:
    """A re-walked folder's own kind on one side, and whether its listing failed."""
    old_kind = (old.left_kind if side == "left" else old.right_kind)[index]
    error = next((e for e in errors if e.side == side and not e.rel_path), None)
    if error is not None:
        if error.code and "NotDirectory" in error.code and old_kind in (FILE, LINK):
            return old_kind, False  # still the file it was: a conflict, not a failure
        return old_kind, True
    if exists and old_kind == LINK:
        return LINK, False  # listing a link lists its target; it is still a link
    return (FOLDER if exists else ABSENT), False


def _splice(
    old: Comparison, subs: list[tuple[str, Comparison]], new: Comparison, stop: threading.Event
) -> None:
    """Fill ``new`` with ``old``'s rows, each re-walked folder's rows replaced by its sub's."""
    kept_upto = 0
    errors = list(old.errors)
    appeared: list[tuple[str, Side]] = []
    columns: tuple[str, ...] = (
        "diff",
        "left_kind",
        "right_kind",
        "left_size",
        "right_size",
        "left_mtime",
        "right_mtime",
    )
    for folder, sub in subs:
        if stop.is_set():
            raise _Stopped
        index = old.index_of(folder)
        assert index is not None
        end = old.subtree_end(index)
        new.names.extend(old.names[kept_upto:index])
        for column in columns:
            getattr(new, column).extend(getattr(old, column)[kept_upto:index])
        kept_upto = end
        inside = folder + "/"
        errors = [e for e in errors if e.rel_path != folder and not e.rel_path.startswith(inside)]
        sub_errors = list(sub.errors)
        lk, left_failed = _root_kind(old, index, "left", sub.left_exists, sub_errors)
        rk, right_failed = _root_kind(old, index, "right", sub.right_exists, sub_errors)
        if lk == ABSENT and rk == ABSENT:
            continue
        failed_sides = {s for s, f in (("left", left_failed), ("right", right_failed)) if f}
        sub_errors = [e for e in sub_errors if e.rel_path or e.side in failed_sides]
        inherited = _inherited(old, index)
        if inherited is not None:
            diff = inherited
        elif left_failed or right_failed:
            diff = Diff.NOT_COMPARABLE
        else:
            diff = classify(lk, rk, (0, 0), (math.nan, math.nan), old.tolerance)
        for side, kind in (("left", lk), ("right", rk)):
            if kind == FOLDER:
                appeared.append((folder, cast(Side, side)))
        _append_root(new, old, index, lk, rk, diff)
        new.names.extend(inside + name for name in sub.names)
        if diff in _UNCOPYABLE:
            new.diff.extend(array("b", [diff]) * len(sub.names))
        else:
            new.diff.extend(sub.diff)
        for column in columns[1:]:
            getattr(new, column).extend(getattr(sub, column))
        for error in sub_errors:
            rel = f"{folder}/{error.rel_path}" if error.rel_path else folder
            errors.append(CompareError(error.side, rel, error.message, error.code))
    new.names.extend(old.names[kept_upto:])
    for column in columns:
        getattr(new, column).extend(getattr(old, column)[kept_upto:])
    new.errors = sorted(errors, key=lambda e: (tree_key(e.rel_path), e.side))
    for folder, side in appeared:
        _mark_ancestors(new, folder, side)
        if side == "left":
            new.left_exists = True
        else:
            new.right_exists = True
    new.totals()


def _inherited(comparison: Comparison, index: int) -> Diff | None:
    """The class an entry takes from a conflicted or unlistable folder above it, if any."""
    parent = comparison.parent_index(index)
    while parent is not None:
        if comparison.diff[parent] in _UNCOPYABLE:
            return Diff(comparison.diff[parent])
        parent = comparison.parent_index(parent)
    return None


def _append_root(
    new: Comparison, old: Comparison, index: int, lk: int, rk: int, diff: Diff
) -> None:
    """The re-walked folder's own row: its sizes and times kept while it stays a folder."""
    new.names.append(old.names[index])
    new.diff.append(diff)
    new.left_kind.append(lk)
    new.right_kind.append(rk)
    for kind, old_kind, sizes, times, old_sizes, old_times in (
        (lk, old.left_kind[index], new.left_size, new.left_mtime, old.left_size, old.left_mtime),
        (
            rk,
            old.right_kind[index],
            new.right_size,
            new.right_mtime,
            old.right_size,
            old.right_mtime,
        ),
    ):
        same = kind == old_kind
        sizes.append(old_sizes[index] if same else (0 if kind else -1))
        times.append(old_times[index] if same else math.nan)


def _mark_ancestors(comparison: Comparison, folder: str, side: Side) -> None:
    """A folder found on ``side`` means its parents are folders there too."""
    kinds = comparison.left_kind if side == "left" else comparison.right_kind
    sizes = comparison.left_size if side == "left" else comparison.right_size
    parent = folder.rpartition("/")[0]
    while parent:
        index = comparison.index_of(parent)
        if index is not None and kinds[index] == ABSENT:
            kinds[index] = FOLDER
            sizes[index] = 0
            if comparison.diff[index] not in _UNCOPYABLE:
                comparison.diff[index] = classify(
                    comparison.left_kind[index],
                    comparison.right_kind[index],
                    (0, 0),
                    (math.nan, math.nan),
                    comparison.tolerance,
                )
        parent = parent.rpartition("/")[0]

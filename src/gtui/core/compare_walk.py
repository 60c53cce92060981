"""Walking two trees at once and merging them into a ``Comparison`` (``compare.py``).

Both trees are walked with ``recursive_ls`` (two walks sharing one ``RateLimiter``); the
merge, which is CPU work, runs on the core's CPU worker in steps short enough that the loop
is never held for long, and stops when the caller is cancelled.
"""

from __future__ import annotations

import asyncio
import heapq
import math
import threading
import time
from array import array
from collections.abc import AsyncGenerator, Callable, Iterator, Sequence
from typing import Any, cast

from gtui.core.compare import (
    ABSENT,
    FILE,
    FOLDER,
    LINK,
    MTIME_TOLERANCE,
    SORT_SLICE,
    UNCOPYABLE,
    CompareError,
    CompareProgress,
    Comparison,
    Diff,
    Place,
    Side,
    classify,
    tree_key,
)
from gtui.core.cpu_work import run_cpu
from gtui.core.errors import GlobusAPIError
from gtui.core.models import FileEntry
from gtui.core.recursive import ListingError, RateLimiter, recursive_ls

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
    await in_worker(_merge, comparison, trees[0], trees[1])
    reporter.report(done=True)
    return comparison


class Stopped(Exception):
    """The coroutine waiting for the worker was cancelled; stop working for nobody."""


async def in_worker(function: Callable[..., None], *args: Any) -> None:
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
            raise Stopped
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
            raise Stopped
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
            stack.append((name + "/", diff if diff in UNCOPYABLE else inherited))
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

"""Comparing again only the folders a sync touched (closing the loop after a sync).

What the task copied then shows the same, and what it skipped (a fault) still different,
without walking both whole trees again.
"""

from __future__ import annotations

import math
import threading
from array import array
from collections.abc import Callable, Iterable
from typing import Any, cast

from gtui.core.compare import (
    ABSENT,
    FILE,
    FOLDER,
    LINK,
    UNCOPYABLE,
    CompareError,
    CompareProgress,
    Comparison,
    Diff,
    Place,
    Side,
    classify,
    minimal_folders,
    tree_key,
)
from gtui.core.compare_walk import Stopped, compare_folders, in_worker
from gtui.core.recursive import RateLimiter


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
    await in_worker(_splice, comparison, subs, result)
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
            raise Stopped
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
        if diff in UNCOPYABLE:
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
        if comparison.diff[parent] in UNCOPYABLE:
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
            if comparison.diff[index] not in UNCOPYABLE:
                comparison.diff[index] = classify(
                    comparison.left_kind[index],
                    comparison.right_kind[index],
                    (0, 0),
                    (math.nan, math.nan),
                    comparison.tolerance,
                )
        parent = parent.rpartition("/")[0]

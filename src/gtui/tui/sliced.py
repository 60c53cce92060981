"""Sorting and filtering a million indices in a thread without stalling the app's event loop.

A loop inside C keeps the interpreter for its whole run: ``list.sort`` of a million names
holds it for about half a second, one ``bytearray(map(...))`` over them 25 ms, and the app's
loop (the screen, the keys) waits that long even though the work runs in a thread. Here the
work is cut into slices, with the interpreter free to pass to the loop between them.

Sorting: slices of
``SLICE`` items are sorted one ``list.sort`` each (a few milliseconds), then sorted runs are
merged a block at a time, each block one short ``list.sort`` of items already nearly in
order. Between slices the interpreter passes to the loop. The result is exactly what
``sorted(items, key=key, reverse=reverse)`` gives, ties included (they keep their order).

Runs are kept as ``array("i")``, not lists: a list of a million ints is a container the
garbage collector walks (10–20 ms a pass, while it is young); an array is not.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Sequence
from itertools import compress, repeat
from typing import Any, TypeAlias

Indices: TypeAlias = "array[int]"

SLICE = 20_000
"""Items per ``list.sort`` call: a few milliseconds each, on the names of a folder."""
FLAG_SLICE = 65_536
"""Items per C loop when testing or picking: about 2 ms each."""


def flags_in_slices(test: Callable[..., object], items: Sequence[Any], *extra: Any) -> bytearray:
    """``bytearray(map(bool, map(test, items, *extra)))``, a slice at a time: one byte per
    item, 1 where ``test`` is true. Each of ``extra`` is repeated for every item."""
    flags = bytearray()
    for start in range(0, len(items), FLAG_SLICE):
        chunk = items[start : start + FLAG_SLICE]
        flags += bytes(map(bool, map(test, chunk, *(repeat(value) for value in extra))))
    return flags


def compress_in_slices(items: Sequence[int], keep: Callable[[int], object]) -> Indices:
    """The items for which ``keep(item)`` is true, in order, a slice at a time."""
    kept = array("i")
    for start in range(0, len(items), FLAG_SLICE):
        chunk = items[start : start + FLAG_SLICE]
        kept.extend(compress(chunk, map(keep, chunk)))
    return kept


def pick_in_slices(items: Sequence[int], flags: bytes | bytearray) -> Indices:
    """The items whose flag (at the same position) is 1, in order, a slice at a time."""
    kept = array("i")
    for start in range(0, len(items), FLAG_SLICE):
        end = start + FLAG_SLICE
        kept.extend(compress(items[start:end], flags[start:end]))
    return kept


def sort_in_slices(
    items: Sequence[int], key: Callable[[int], Any], *, reverse: bool = False
) -> Indices:
    """``sorted(items, key=key, reverse=reverse)``, holding the interpreter briefly at a time."""
    runs = [
        array("i", sorted(items[start : start + SLICE], key=key, reverse=reverse))
        for start in range(0, len(items), SLICE)
    ]
    if not runs:
        return array("i")
    while len(runs) > 1:
        merged = [
            merge_runs(runs[i], runs[i + 1], key, reverse=reverse)
            for i in range(0, len(runs) - 1, 2)
        ]
        if len(runs) % 2:
            merged.append(runs[-1])
        runs = merged
    return runs[0]


def merge_runs(
    first: Sequence[int], second: Sequence[int], key: Callable[[int], Any], *, reverse: bool
) -> Indices:
    """Two sorted runs as one sorted run; on equal keys, ``first``'s items come first.

    ``first`` is taken a block at a time; with each block go the items of ``second`` that
    sort strictly before the block's last key (equal ones wait, so ``first``'s later equal
    items still precede them), and the block is put in order with one short sort.
    """
    merged = array("i")
    i = j = 0
    while i < len(first) and j < len(second):
        end = min(i + SLICE, len(first))
        before = _before(second, j, key, key(first[end - 1]), reverse=reverse)
        block = [*first[i:end], *second[j:before]]
        block.sort(key=key, reverse=reverse)
        merged.extend(block)
        i, j = end, before
    merged.extend(first[i:])
    merged.extend(second[j:])
    return merged


def _before(
    items: Sequence[int], start: int, key: Callable[[int], Any], bound: Any, *, reverse: bool
) -> int:
    """Where the items of the sorted run ``items[start:]`` that sort strictly before
    ``bound`` end (a binary search)."""
    low, high = start, len(items)
    while low < high:
        middle = (low + high) // 2
        value = key(items[middle])
        if (value > bound) if reverse else (value < bound):
            low = middle + 1
        else:
            high = middle
    return low

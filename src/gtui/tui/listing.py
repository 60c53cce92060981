"""A folder's entries as a pane shows them: columns (``FileColumns``) that grow page by page,
with the orders the pane asks for cached, so a million-entry folder opens fast, stays small
and narrows in place as the user types.

``listing[i]`` is a ``FileEntry``, made only when a row is looked at. Orders and views are
arrays of 32-bit indices (4 bytes an entry, not a Python int each). Case-folded names are made
once, when an order or a filter first needs them, and share the name's string when folding
changes nothing.
"""

from __future__ import annotations

import bisect
import fnmatch
import operator
import re
import threading
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import islice
from typing import Any, TypeAlias, overload

from gtui.core.file_columns import FileColumns
from gtui.core.models import FileEntry
from gtui.tui.sliced import (
    compress_in_slices,
    flags_in_slices,
    merge_runs,
    pick_in_slices,
    sort_in_slices,
)

Order: TypeAlias = "array[int]"
"""Indices into the listing, 4 bytes each (an ``array("i")``)."""

_ORDER_KEYS = ("name", "size", "modified")


QUICK_FILTER_UP_TO = 200_000
"""Up to this many entries a substring filter runs on the loop (~25 ms); above, in a thread."""
FIRST_MATCHES_SCAN = 50_000
"""How many entries ``first_matches`` looks at, at most (~15 ms in sorted order)."""


_FLIP = bytes([1, 0]) + bytes(254)
"""``bytes.translate`` table: 0 → 1, 1 → 0 (a folder flag into a file flag)."""


def _both(flags: bytes, other: bytes | bytearray) -> bytes:
    """Byte by byte, 1 where both flags are 1: one AND of two big integers (fast, in C)."""
    both = int.from_bytes(flags, "big") & int.from_bytes(other, "big")
    return both.to_bytes(len(flags), "big")


def _not_hidden(name: str) -> bool:
    return not name.startswith(".")


def _is_glob(text: str) -> bool:
    return any(ch in text for ch in "*?[")


def _fold(name: str) -> str:
    folded = name.casefold()
    return name if folded == name else folded


class Listing(Sequence[FileEntry]):
    """The entries of one folder listing (every page received so far)."""

    def __init__(
        self,
        docs: Iterable[Mapping[str, Any]] = (),
        *,
        parent_path: str | None = None,
        columns: FileColumns | None = None,
    ) -> None:
        self.columns = columns if columns is not None else FileColumns()
        if columns is None:
            self.columns.add_documents(docs)
        self.parent_path = parent_path
        self._folded: list[str] = []
        self._folding = threading.Lock()
        # Each order with the length it was made for: when pages join, the order is
        # extended (the new entries sorted and merged in), not made again.
        self._orders: dict[tuple[str, bool, bool], tuple[int, Order]] = {}

    @property
    def names(self) -> list[str]:
        return self.columns.names

    @property
    def dirs(self) -> bytearray:
        return self.columns.dirs

    def add(self, columns: FileColumns) -> None:
        """A later page arrived: its entries join the listing (orders extend when next asked)."""
        self.columns.extend(columns)

    def __len__(self) -> int:
        return len(self.columns)

    @overload
    def __getitem__(self, index: int) -> FileEntry: ...

    @overload
    def __getitem__(self, index: slice) -> list[FileEntry]: ...

    def __getitem__(self, index: int | slice) -> FileEntry | list[FileEntry]:
        if isinstance(index, slice):
            return [self.entry(i) for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("listing index out of range")
        return self.entry(index)

    def __iter__(self) -> Iterator[FileEntry]:
        return (self.entry(i) for i in range(len(self)))

    def entry(self, index: int) -> FileEntry:
        """The ``FileEntry`` of one row, made on demand."""
        return self.columns.entry(index, self.parent_path)

    # -- ordering and narrowing ----------------------------------------------------------

    @property
    def folded(self) -> list[str]:
        """Case-folded names, made once (and for each page as it joins)."""
        names, folded = self.columns.names, self._folded
        if len(folded) < len(names):
            with self._folding:
                folded.extend(map(_fold, names[len(folded) :]))
        return folded

    def arranges_quickly(
        self, *, sort_key: str, reverse: bool, filter_text: str, show_hidden: bool
    ) -> bool:
        """Whether ``arrange`` is one cheap pass: the order is cached and the filter is plain.

        Narrowing 100,000 cached names by a substring takes a few milliseconds, less than
        handing the work to a thread; sorting, matching a glob, or a million names take 30 ms
        and more.
        """
        cached = self._orders.get((sort_key, reverse, show_hidden))
        if cached is None or cached[0] != len(self):
            return False
        return len(self) <= QUICK_FILTER_UP_TO and not _is_glob(filter_text)

    def order(self, sort_key: str, reverse: bool, show_hidden: bool) -> Order:
        """Folders first, then sorted; hidden names left out unless shown (cached, not copied).

        Sorting runs in slices (``sort_in_slices``) so that a thread sorting a million names
        does not stall the app's loop; entries that joined since the cached order are sorted
        on their own and merged in.
        """
        if sort_key not in _ORDER_KEYS:
            raise ValueError(f"unknown sort key {sort_key!r}")
        count = len(self)
        cache_key = (sort_key, reverse, show_hidden)
        cached = self._orders.get(cache_key)
        if cached is not None and cached[0] == count:
            return cached[1]
        previous = cached[1] if cached is not None and cached[0] < count else None
        start = cached[0] if cached is not None and previous is not None else 0
        columns = self.columns
        folded = self.folded
        folders, files = self._kinds(start, count, show_hidden)
        if sort_key == "name":
            key: Any = folded.__getitem__
        elif sort_key == "size":
            sizes = columns.sizes

            def key(i: int) -> Any:
                return (sizes[i], folded[i])
        else:
            mtimes = columns.mtimes

            def key(i: int) -> Any:
                return (mtimes[i], folded[i])

        folders = sort_in_slices(folders, key, reverse=reverse)
        files = sort_in_slices(files, key, reverse=reverse)
        if previous is not None:
            split = self.count_folders(previous)
            folders = merge_runs(previous[:split], folders, key, reverse=reverse)
            files = merge_runs(previous[split:], files, key, reverse=reverse)
        result = folders
        result.extend(files)
        self._orders[cache_key] = (count, result)
        return result

    def _kinds(self, start: int, stop: int, show_hidden: bool) -> tuple[Order, Order]:
        """The folders and the files among entries ``start`` to ``stop`` (hidden names left
        out unless shown), each pass one loop in C over a byte per entry."""
        is_dir: bytes = bytes(self.columns.dirs[start:stop])
        is_file = is_dir.translate(_FLIP)
        if not show_hidden:
            shown = flags_in_slices(_not_hidden, self.columns.names[start:stop])
            is_dir, is_file = _both(is_dir, shown), _both(is_file, shown)
        indices = range(start, stop)
        return pick_in_slices(indices, is_dir), pick_in_slices(indices, is_file)

    def arrange(
        self, *, sort_key: str, reverse: bool, filter_text: str, show_hidden: bool
    ) -> Order:
        """Indices to show, as ``gtui.tui.arrange.arrange`` defines them.

        A filter is tested on the names in the order they are stored (one pass in C, reading
        memory in sequence), giving one byte per entry; the order is then narrowed by those
        bytes. Testing the names in sorted order reads them all over memory: 0.25 s instead
        of 0.07 s on a million names.
        """
        order = self.order(sort_key, reverse, show_hidden)
        if not filter_text:
            return array("i", order)
        needle = filter_text.casefold()
        if _is_glob(needle):
            matched = flags_in_slices(re.compile(fnmatch.translate(needle)).match, self.folded)
        else:
            matched = flags_in_slices(operator.contains, self.folded, needle)
        return compress_in_slices(order, matched.__getitem__)

    def first_matches(
        self,
        *,
        sort_key: str,
        reverse: bool,
        filter_text: str,
        show_hidden: bool,
        wanted: int,
        scan: int = FIRST_MATCHES_SCAN,
    ) -> Order | None:
        """The first ``wanted`` rows that ``arrange`` would give, found by scanning at most
        ``scan`` entries of the cached order; None without that order.

        What a pane shows while the whole filter runs in a thread: at a million entries the
        first screenful is found in microseconds when the filter matches often, and within
        the scan when it matches rarely.
        """
        cached = self._orders.get((sort_key, reverse, show_hidden))
        if cached is None or cached[0] != len(self):
            return None
        order, folded = cached[1], self.folded
        needle = filter_text.casefold()
        found = array("i")
        if _is_glob(needle):
            match = re.compile(fnmatch.translate(needle)).match
            hits: Iterable[int] = (i for i in islice(order, scan) if match(folded[i]))
        else:
            hits = (i for i in islice(order, scan) if needle in folded[i])
        found.extend(islice(hits, wanted))
        return found

    def count_folders(self, view: Sequence[int]) -> int:
        """How many rows of ``view`` are folders. Views list the folders first, so a binary
        search finds where they end (a million-row view is not walked after every page)."""
        dirs = self.columns.dirs
        return bisect.bisect_left(view, 1, key=lambda i: 1 - dirs[i])


def entry_names(entries: Sequence[Any]) -> Sequence[str]:
    """The names of ``entries`` by index, without making an entry per row when possible."""
    if isinstance(entries, Listing):
        return entries.names
    return [entry.name for entry in entries]

"""Ordering and narrowing a folder listing: pure functions, safe to run in a thread.

A pane shows ``arrange(...)``'s indices into the listing it received, so the listing itself
is never copied or re-sorted in place (a 100,000-entry folder stays one list).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Sequence
from typing import Any

from gtui.core.models import FileEntry
from gtui.tui.listing import Listing

SORT_KEYS = ("name", "size", "modified")


def is_dir(entry: FileEntry) -> bool:
    """A folder, or a symlink that points at one."""
    return entry.type == "dir"


def is_link(entry: FileEntry) -> bool:
    """A symbolic link (Globus fills ``link_target``) or a dangling one."""
    return bool(entry.link_target) or entry.type in ("invalid_symlink", "symlink")


def modified_key(entry: FileEntry) -> str:
    """A sortable form of ``last_modified``."""
    value = entry.last_modified
    return "" if value is None else value.isoformat(sep=" ")


def name_matcher(pattern: str) -> Callable[[str], bool]:
    """Case-insensitive: a glob when the pattern has ``*``, ``?`` or ``[``, else a substring."""
    folded = pattern.casefold()
    if any(ch in folded for ch in "*?["):
        regex = re.compile(fnmatch.translate(folded))
        return lambda name: regex.match(name.casefold()) is not None
    return lambda name: folded in name.casefold()


def glob_matcher(pattern: str) -> Callable[[str], bool]:
    """A whole-name glob for select-by-pattern (``*.h5``); a bare word matches exactly."""
    regex = re.compile(fnmatch.translate(pattern.casefold()))
    return lambda name: regex.match(name.casefold()) is not None


def arrange(
    entries: Sequence[FileEntry],
    *,
    sort_key: str = "name",
    reverse: bool = False,
    filter_text: str = "",
    show_hidden: bool = False,
) -> Sequence[int]:
    """Indices of ``entries`` to show: folders first, then sorted, hidden and filtered out."""
    if sort_key not in SORT_KEYS:
        raise ValueError(f"unknown sort key {sort_key!r}")
    if isinstance(entries, Listing):
        return entries.arrange(
            sort_key=sort_key, reverse=reverse, filter_text=filter_text, show_hidden=show_hidden
        )
    match = name_matcher(filter_text) if filter_text else None
    keep = [
        i
        for i, entry in enumerate(entries)
        if (show_hidden or not entry.name.startswith(".")) and (match is None or match(entry.name))
    ]
    if sort_key == "name":

        def key(i: int) -> Any:
            return entries[i].name.casefold()
    elif sort_key == "size":

        def key(i: int) -> Any:
            return (entries[i].size or 0, entries[i].name.casefold())
    else:

        def key(i: int) -> Any:
            return (modified_key(entries[i]), entries[i].name.casefold())

    folders = [i for i in keep if is_dir(entries[i])]
    files = [i for i in keep if not is_dir(entries[i])]
    folders.sort(key=key, reverse=reverse)
    files.sort(key=key, reverse=reverse)
    return folders + files


def count_folders(entries: Sequence[FileEntry], view: Sequence[int]) -> int:
    """How many of the shown rows are folders."""
    if isinstance(entries, Listing):
        return entries.count_folders(view)
    return sum(1 for i in view if is_dir(entries[i]))

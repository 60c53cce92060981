"""Folder listings and single-path lookups on disk, run in a worker thread.

The real service runs as the mapped local user, so a file or folder without the owner's read
bit is unreadable there even when this process (perhaps root) could read it.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable

from gtui.sim.errors import SimAPIError
from gtui.sim.transfer.files import Entry, entries_json, entry_for_path, scan_folder
from gtui.sim.transfer.lsfilter import Predicate, apply_order
from gtui.sim.transfer.paths import ResolvedPath, globus_path_of
from gtui.sim.world import Collection


def readable(mode: int) -> bool:
    """Whether the mapped owner may read a path with this mode."""
    return bool(stat.S_IMODE(mode) & stat.S_IRUSR)


def link_resolver(
    collection: Collection,
) -> Callable[[str], tuple[os.stat_result | None, str | None]]:
    """Resolve a symlink for a file document without revealing anything outside the root."""

    def resolve_link(path: str) -> tuple[os.stat_result | None, str | None]:
        try:
            raw = os.readlink(path)
        except OSError:
            return None, None
        inside = globus_path_of(collection, path)
        if inside is None:
            return None, raw
        try:
            return os.stat(path), inside
        except OSError:
            return None, inside

    return resolve_link


def _listing_error(code: str, status: int, message: str) -> SimAPIError:
    return SimAPIError(status, f"ExternalError.DirListingFailed.{code}", message)


def _where(resolved: ResolvedPath) -> str:
    c = resolved.collection
    return f"on endpoint {c.display_name} ({c.id})"


def check_folder(resolved: ResolvedPath) -> None:
    """Raise the listing error the real service gives for a path that is not a readable folder."""
    try:
        st = os.stat(resolved.real)
    except FileNotFoundError:
        raise _listing_error(
            "NotFound", 404, f"Directory '{resolved.echo}' not found {_where(resolved)}"
        ) from None
    except PermissionError:
        raise _listing_error(
            "PermissionDenied",
            403,
            f"Permission denied listing '{resolved.echo}' {_where(resolved)}",
        ) from None
    if not stat.S_ISDIR(st.st_mode):
        raise _listing_error(
            "NotDirectory", 502, f"'{resolved.requested}' is not a directory {_where(resolved)}"
        )
    if not readable(st.st_mode):
        raise _listing_error(
            "PermissionDenied",
            403,
            f"Permission denied listing '{resolved.echo}' {_where(resolved)}",
        )


def list_folder(
    resolved: ResolvedPath,
    *,
    show_hidden: bool,
    predicate: Predicate | None,
    order: list[tuple[str, bool]],
    limit: int,
    offset: int,
) -> str:
    """The ``file_list`` document of a folder as JSON text."""
    check_folder(resolved)
    try:
        entries = scan_folder(str(resolved.real), link_resolver(resolved.collection))
    except PermissionError:
        raise _listing_error(
            "PermissionDenied", 403, f"Permission denied listing '{resolved.echo}'"
        ) from None
    if not show_hidden:
        entries = [e for e in entries if not e.name.startswith(".")]
    if predicate is not None:
        entries = [e for e in entries if predicate(e)]
    apply_order(entries, order or [("name", False)])
    total = len(entries)
    page: list[Entry] = entries[offset : offset + limit]
    c = resolved.collection
    head = (
        '{"DATA_TYPE":"file_list","endpoint":"'
        + c.id
        + '","path":'
        + _json_str(resolved.echo)
        + ',"absolute_path":'
        + _json_str(resolved.folder_path)
        + ',"length":'
        + str(len(page))
        + ',"total":'
        + str(total)
        + ',"rename_supported":true,"symlink_supported":true,"DATA":'
    )
    return head + entries_json(page) + "}"


def _json_str(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def stat_entry(resolved: ResolvedPath) -> Entry:
    """The file document of one path, or the real service's NotFound."""
    name = os.path.basename(resolved.globus_path.rstrip("/")) or "/"
    try:
        return entry_for_path(str(resolved.real), name, link_resolver(resolved.collection))
    except FileNotFoundError:
        c = resolved.collection
        raise SimAPIError(
            404,
            "NotFound",
            f"Path not found, Error (list)\nEndpoint: {c.display_name} ({c.id})\n"
            f"Message: No such file or directory\n---\nDetails: Error: "
            f"'{resolved.requested}' not found\n",
        ) from None

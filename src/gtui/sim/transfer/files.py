"""File documents of the Transfer API (``DATA_TYPE: file``), built from real ``stat`` results.

A listing keeps each entry as a small tuple so that filtering and ordering 100,000 entries
stays cheap, and serialises the page straight into JSON text.
"""

from __future__ import annotations

import grp
import json
import os
import pwd
import stat
import time
from collections.abc import Callable
from functools import lru_cache
from typing import Any, NamedTuple

FILE_FIELDS = (
    "DATA_TYPE",
    "name",
    "type",
    "size",
    "permissions",
    "user",
    "group",
    "last_modified",
    "link_target",
    "link_user",
    "link_group",
    "link_size",
    "link_last_modified",
)


class Entry(NamedTuple):
    """One file document, in the field order of :data:`FILE_FIELDS` (without DATA_TYPE)."""

    name: str
    type: str
    size: int
    permissions: str
    user: str
    group: str
    last_modified: str
    link_target: str | None
    link_user: str | None
    link_group: str | None
    link_size: int | None
    link_last_modified: str | None
    mtime: float

    def to_doc(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"DATA_TYPE": "file"}
        doc.update(zip(FILE_FIELDS[1:], self[:12], strict=True))
        return doc


@lru_cache(maxsize=256)
def user_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


@lru_cache(maxsize=256)
def group_name(gid: int) -> str:
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


@lru_cache(maxsize=65536)
def format_time(seconds: int) -> str:
    """A modification time as the Transfer API writes it: ``2020-09-23 18:53:12+00:00``."""
    return time.strftime("%Y-%m-%d %H:%M:%S+00:00", time.gmtime(seconds))


def _kind(mode: int) -> str:
    return "dir" if stat.S_ISDIR(mode) else "file"


def entry_from_stat(
    name: str, lst: os.stat_result, target: os.stat_result | None, link_target: str | None
) -> Entry:
    """An entry from the ``lstat`` of a path and, for a symlink, the ``stat`` of its target."""
    if not stat.S_ISLNK(lst.st_mode):
        mtime = int(lst.st_mtime)
        return Entry(
            name,
            _kind(lst.st_mode),
            lst.st_size,
            f"{stat.S_IMODE(lst.st_mode):04o}",
            user_name(lst.st_uid),
            group_name(lst.st_gid),
            format_time(mtime),
            None,
            None,
            None,
            None,
            None,
            lst.st_mtime,
        )
    link_fields = (
        link_target,
        user_name(lst.st_uid),
        group_name(lst.st_gid),
        lst.st_size,
        format_time(int(lst.st_mtime)),
    )
    if target is None:
        return Entry(
            name,
            "invalid_symlink",
            lst.st_size,
            f"{stat.S_IMODE(lst.st_mode):04o}",
            user_name(lst.st_uid),
            group_name(lst.st_gid),
            format_time(int(lst.st_mtime)),
            *link_fields,
            lst.st_mtime,
        )
    return Entry(
        name,
        _kind(target.st_mode),
        target.st_size,
        f"{stat.S_IMODE(target.st_mode):04o}",
        user_name(target.st_uid),
        group_name(target.st_gid),
        format_time(int(target.st_mtime)),
        *link_fields,
        target.st_mtime,
    )


LinkResolver = Callable[[str], "tuple[os.stat_result | None, str | None]"]


def entry_for_path(path: str, name: str, resolve_link: LinkResolver) -> Entry:
    """The entry of one path (raises OSError if it is missing or unreadable)."""
    lst = os.lstat(path)
    if stat.S_ISLNK(lst.st_mode):
        target, link_target = resolve_link(path)
        return entry_from_stat(name, lst, target, link_target)
    return entry_from_stat(name, lst, None, None)


def scan_folder(real: str, resolve_link: LinkResolver) -> list[Entry]:
    """Every entry of a folder; ``resolve_link`` gives a symlink's target stat and name."""
    entries: list[Entry] = []
    append = entries.append
    with os.scandir(real) as it:
        for de in it:
            try:
                lst = de.stat(follow_symlinks=False)
            except OSError:
                continue
            if stat.S_ISLNK(lst.st_mode):
                target, link_target = resolve_link(de.path)
                append(entry_from_stat(de.name, lst, target, link_target))
            else:
                append(entry_from_stat(de.name, lst, None, None))
    return entries


_PLAIN = frozenset(
    " !#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~"
)


def _quote(text: str) -> str:
    if _PLAIN.issuperset(text):
        return '"' + text + '"'
    return json.dumps(text, ensure_ascii=False)


def _opt_str(value: str | None) -> str:
    return "null" if value is None else _quote(value)


def _opt_int(value: int | None) -> str:
    return "null" if value is None else str(value)


def entries_json(entries: list[Entry]) -> str:
    """The JSON array of file documents for ``entries``, built without intermediate dicts."""
    parts = []
    append = parts.append
    for e in entries:
        if e.link_target is None and e.link_user is None:
            append(
                '{"DATA_TYPE":"file","name":'
                + _quote(e.name)
                + ',"type":"'
                + e.type
                + '","size":'
                + str(e.size)
                + ',"permissions":"'
                + e.permissions
                + '","user":'
                + _quote(e.user)
                + ',"group":'
                + _quote(e.group)
                + ',"last_modified":"'
                + e.last_modified
                + '","link_target":null,"link_user":null,"link_group":null,'
                '"link_size":null,"link_last_modified":null}'
            )
        else:
            append(json.dumps(e.to_doc(), ensure_ascii=False, separators=(",", ":")))
    return "[" + ",".join(parts) + "]"

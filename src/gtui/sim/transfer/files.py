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
    """Every entry of a folder; ``resolve_link`` gives a symlink's target stat and name.

    Plain files and folders take a fast path: names, modes and times are looked up in small
    caches and the tuple is built directly, which keeps a 100,000-entry folder quick.
    """
    entries: list[Entry] = []
    append = entries.append
    new = tuple.__new__
    users: dict[int, str] = {}
    groups: dict[int, str] = {}
    times: dict[int, str] = {}
    is_link, is_dir = stat.S_ISLNK, stat.S_ISDIR
    with os.scandir(real) as it:
        for de in it:
            try:
                lst = de.stat(follow_symlinks=False)
            except OSError:
                continue
            mode = lst.st_mode
            if is_link(mode):
                target, link_target = resolve_link(de.path)
                append(entry_from_stat(de.name, lst, target, link_target))
                continue
            uid, gid, mtime = lst.st_uid, lst.st_gid, lst.st_mtime
            user = users.get(uid) or users.setdefault(uid, user_name(uid))
            group = groups.get(gid) or groups.setdefault(gid, group_name(gid))
            second = int(mtime)
            stamp = times.get(second) or times.setdefault(second, format_time(second))
            append(
                new(
                    Entry,
                    (
                        de.name,
                        "dir" if is_dir(mode) else "file",
                        lst.st_size,
                        PERMISSIONS[mode & 0o7777],
                        user,
                        group,
                        stamp,
                        None,
                        None,
                        None,
                        None,
                        None,
                        mtime,
                    ),
                )
            )
    return entries


PERMISSIONS = [f"{mode:04o}" for mode in range(0o10000)]
_PLAIN = frozenset(
    " !#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~"
)
_PLAIN_TEMPLATE = (
    '{"DATA_TYPE":"file","name":%s,"type":"%s","size":%d,"permissions":"%s","user":%s,'
    '"group":%s,"last_modified":"%s","link_target":null,"link_user":null,"link_group":null,'
    '"link_size":null,"link_last_modified":null}'
)


def _quote(text: str) -> str:
    if _PLAIN.issuperset(text):
        return '"' + text + '"'
    return json.dumps(text, ensure_ascii=False)


def entries_json(entries: list[Entry]) -> str:
    """The JSON array of file documents for ``entries``, built without intermediate dicts."""
    parts: list[str] = []
    append = parts.append
    quoted: dict[str, str] = {}
    plain = _PLAIN.issuperset
    template = _PLAIN_TEMPLATE
    dumps = json.dumps
    for e in entries:
        if e[7] is None and e[8] is None:
            name = e[0]
            user, group = e[4], e[5]
            append(
                template
                % (
                    '"' + name + '"' if plain(name) else dumps(name, ensure_ascii=False),
                    e[1],
                    e[2],
                    e[3],
                    quoted.get(user) or quoted.setdefault(user, _quote(user)),
                    quoted.get(group) or quoted.setdefault(group, _quote(group)),
                    e[6],
                )
            )
        else:
            append(dumps(e.to_doc(), ensure_ascii=False, separators=(",", ":")))
    return "[" + ",".join(parts) + "]"

"""A folder's entries kept by column, so that a million of them stay small.

One ``FileEntry`` (or one parsed JSON object) per entry costs several hundred bytes; a
million-entry folder shown in both panes would take gigabytes. Here each field is a column:
names as strings, sizes and times as machine integers, the few distinct types, permissions,
owners and groups as small codes into a table. A ``FileEntry`` is made only for a row that
is looked at (``entry``).
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from gtui.core.models import FileEntry, parse_time

NO_TIME = -(2**63)
"""The ``mtimes`` value of an entry without a modification time."""

_LINK_FIELDS = ("link_target", "link_user", "link_group", "link_size", "link_last_modified")


class _Codes:
    """A column of few distinct values: each value once, a small code per entry."""

    def __init__(self) -> None:
        self.values: list[str | None] = [None]
        self._code: dict[str | None, int] = {None: 0}
        self.codes = array("H")

    def add(self, values: Iterable[Any]) -> None:
        code, codes = self._code, self.codes
        for value in values:
            if not isinstance(value, str):
                value = None
            found = code.get(value)
            codes.append(self._code_of(value) if found is None else found)

    def extend(self, other: _Codes) -> None:
        """Append another column's codes, translated into this column's table.

        The tables are tiny (a folder has a few owners and permission sets), so this is one
        pass in C over the codes, not a dictionary lookup per entry.
        """
        translated = [self._code_of(value) for value in other.values]
        if translated == list(range(len(translated))):
            self.codes.extend(other.codes)
        else:
            self.codes.extend(array("H", map(translated.__getitem__, other.codes)))

    def _code_of(self, value: str | None) -> int:
        found = self._code.get(value)
        if found is None:
            found = self._code[value] = len(self.values)
            self.values.append(value)
        return found

    def __getitem__(self, index: int) -> str | None:
        return self.values[self.codes[index]]


def _seconds(moment: datetime | None) -> int:
    return NO_TIME if moment is None else int(moment.timestamp())


def _size(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return 0
    return int(value) if isinstance(value, float) else 0


class FileColumns:
    """The entries of one listing (or of several pages of it), by column."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.dirs = bytearray()
        self.sizes = array("q")
        self.mtimes = array("q")
        self._types = _Codes()
        self._permissions = _Codes()
        self._users = _Codes()
        self._groups = _Codes()
        self._links: dict[int, tuple[Any, ...]] = {}

    def __len__(self) -> int:
        return len(self.names)

    def add_documents(self, docs: Iterable[Mapping[str, Any]]) -> int:
        """Append the ``file`` documents of an ``ls`` answer; returns how many were added."""
        rows = [doc for doc in docs if isinstance(doc, Mapping)]
        start = len(self.names)
        times: dict[Any, int] = {}
        for doc in rows:
            name = doc.get("name")
            self.names.append(name if type(name) is str else "")
            kind = doc.get("type")
            self.dirs.append(kind == "dir")
            self.sizes.append(_size(doc.get("size")))
            stamp = doc.get("last_modified")
            seconds = times.get(stamp)
            if seconds is None:
                seconds = times[stamp] = _seconds(parse_time(stamp))
            self.mtimes.append(seconds)
        self._types.add(doc.get("type") for doc in rows)
        self._permissions.add(doc.get("permissions") for doc in rows)
        self._users.add(doc.get("user") for doc in rows)
        self._groups.add(doc.get("group") for doc in rows)
        for offset, doc in enumerate(rows):
            if doc.get("link_target") is not None or doc.get("link_last_modified") is not None:
                self._links[start + offset] = tuple(doc.get(key) for key in _LINK_FIELDS)
        return len(rows)

    def extend(self, other: FileColumns) -> None:
        """Append another page's columns."""
        start = len(self.names)
        self.names.extend(other.names)
        self.dirs.extend(other.dirs)
        self.sizes.extend(other.sizes)
        self.mtimes.extend(other.mtimes)
        for mine, theirs in (
            (self._types, other._types),
            (self._permissions, other._permissions),
            (self._users, other._users),
            (self._groups, other._groups),
        ):
            mine.extend(theirs)
        for index, link in other._links.items():
            self._links[start + index] = link

    def kind(self, index: int) -> str:
        """The entry's ``type`` (``file`` when the service gave none)."""
        return self._types[index] or "file"

    def entry(self, index: int, parent_path: str | None = None) -> FileEntry:
        """The ``FileEntry`` of one row, made on demand."""
        name = self.names[index]
        link = self._links.get(index)
        seconds = self.mtimes[index]
        return FileEntry(
            name=name,
            type=self.kind(index),
            size=self.sizes[index],
            last_modified=None if seconds == NO_TIME else datetime.fromtimestamp(seconds, UTC),
            permissions=self._permissions[index],
            user=self._users[index],
            group=self._groups[index],
            link_target=_text(link[0]) if link else None,
            link_user=_text(link[1]) if link else None,
            link_group=_text(link[2]) if link else None,
            link_size=None if link is None or link[3] is None else _size(link[3]),
            link_last_modified=parse_time(link[4]) if link else None,
            abs_path=None if parent_path is None else parent_path.rstrip("/") + "/" + name,
        )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None

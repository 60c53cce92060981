"""What the Activity view is asked to show: kinds, statuses, a label pattern, a date range,
a collection and free text; tested on a row, and as much of it as Transfer can apply itself
written as a ``task_list`` filter.

Transfer filters tasks by type, status, label (``~pattern``, ``*`` a wildcard, case
ignored) and request time on the server, so a search over years of history reads only
the pages that match. Collections and free text Transfer cannot filter a user's tasks by,
so those are tested here on each row of the pages it sends; every row is tested against
the whole filter in any case, so a server that filters less than asked changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from gtui.core.activity import KINDS, TASK_STATUSES, ActivityRow, Kind

_TASK_TYPES: dict[Kind, str] = {"transfer": "TRANSFER", "delete": "DELETE"}
# Characters that separate a filter's clauses and a clause's values: a label pattern
# holding one is widened to ``*`` on the server and matched exactly here.
_FILTER_SEPARATORS = re.compile(r"[/,]")


def label_pattern(text: str) -> str:
    """The pattern a user's label words stand for: ``*`` is any run of characters, and
    words without a ``*`` match anywhere in the label (``climate`` is ``*climate*``)."""
    words = text.strip()
    if not words:
        return ""
    return words if "*" in words else f"*{words}*"


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    parts = (re.escape(part) for part in pattern.casefold().split("*"))
    return re.compile(".*".join(parts), re.DOTALL)


def utc_text(moment: datetime) -> str:
    """A time as Transfer's filters take it: ISO 8601 in UTC."""
    return moment.astimezone(UTC).isoformat()


@dataclass(frozen=True)
class ActivityFilter:
    """A filter over activity rows; the default shows everything."""

    kinds: frozenset[Kind] = field(default_factory=lambda: frozenset(KINDS))
    statuses: frozenset[str] = frozenset()
    """Empty: any status."""
    label: str = ""
    """A label pattern as the user typed it (see ``label_pattern``)."""
    since: datetime | None = None
    until: datetime | None = None
    """Started within [since, until] (either end open)."""
    collection: str = ""
    """Part of a collection's name, or its id, on either side."""
    text: str = ""
    """Free text found in the label, a collection's name or id, or any id of the row."""

    def __post_init__(self) -> None:
        if self.since and self.until and self.since > self.until:
            raise ValueError("The date range ends before it starts.")

    @property
    def is_default(self) -> bool:
        return self == ActivityFilter()

    def wants(self, kind: Kind) -> bool:
        return kind in self.kinds

    def matches(self, row: ActivityRow) -> bool:
        """Whether ``row`` belongs in the view."""
        if row.kind not in self.kinds:
            return False
        if self.statuses and row.status not in self.statuses:
            return False
        if self.since is not None and (row.started is None or row.started < self.since):
            return False
        if self.until is not None and (row.started is None or row.started > self.until):
            return False
        pattern = label_pattern(self.label)
        if pattern:
            regex = _pattern_regex(pattern)
            names = (row.label, row.timer_name or "")
            if not any(regex.fullmatch(name.casefold()) for name in names):
                return False
        if self.collection and not self._has_collection(row):
            return False
        return not self.text or self._has_text(row)

    def _has_collection(self, row: ActivityRow) -> bool:
        wanted = self.collection.strip().casefold()
        for name, collection_id in (
            (row.source_name, row.source_id),
            (row.destination_name, row.destination_id),
        ):
            if collection_id and collection_id.casefold() == wanted:
                return True
            if name and wanted in name.casefold():
                return True
        return False

    def _has_text(self, row: ActivityRow) -> bool:
        words = self.text.strip().casefold()
        haystack = " ".join(
            value
            for value in (
                row.label,
                row.collections_text(),
                row.id,
                row.task_id,
                row.timer_id,
                row.timer_name,
                row.flow_id,
                row.flow_title,
            )
            if value
        ).casefold()
        return all(word in haystack for word in words.split())

    # -- what Transfer can filter itself ----------------------------------------------------

    def task_types(self) -> list[str]:
        """The task types wanted (``TRANSFER``, ``DELETE``); empty: no task rows."""
        return [_TASK_TYPES[kind] for kind in ("transfer", "delete") if kind in self.kinds]

    def task_statuses(self) -> list[str]:
        """The task statuses wanted; empty: any. (Raises nothing: see ``wants_tasks``.)"""
        return sorted(s for s in self.statuses if s in TASK_STATUSES)

    @property
    def wants_tasks(self) -> bool:
        """Whether a task (a transfer or delete row) can match at all."""
        if not self.task_types():
            return False
        return not self.statuses or bool(self.task_statuses())

    def task_filter(self, before: str | None = None) -> str:
        """The ``task_list`` filter for the tasks this filter can match, requested at or
        before ``before`` (a ``request_time`` as Transfer wrote it) when given."""
        clauses = [f"type:{','.join(self.task_types())}"]
        if self.statuses:
            clauses.append(f"status:{','.join(self.task_statuses())}")
        pattern = label_pattern(self.label)
        if pattern:
            clauses.append(f"label:~{_FILTER_SEPARATORS.sub('*', pattern)}")
        start = utc_text(self.since) if self.since else ""
        end = before or (utc_text(self.until) if self.until else "")
        if start or end:
            clauses.append(f"request_time:{start},{end}")
        return "/".join(clauses)

"""The Activity view in words: a row's cells, the columns a width has room for, a filter
said back in a line, and the dates a user types into the filter.

Columns give way in order of importance as the screen narrows (the ended time first, then
the destination, then the source), as the task queue's do; the status line says which are
hidden, so an 80-column terminal still reads every row's kind, status, label and start.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from gtui.core.activity import ActivityRow
from gtui.core.activity_filter import ActivityFilter
from gtui.tui.format import human_size

GAP = 1
MIN_LABEL = 18
WIDE_TIME = 16
"""``2026-11-22 09:30``; narrower screens drop the year (``11-22 09:30``)."""
NARROW_TIME = 11
NARROW_BELOW = 120


@dataclass(frozen=True)
class Column:
    name: str
    title: str
    width: int
    keep: int
    """The higher, the longer the column stays as the screen narrows."""
    right: bool = False


def _columns(time_width: int) -> tuple[Column, ...]:
    return (
        Column("kind", "Kind", 9, keep=80),
        Column("status", "Status", 9, keep=90),
        Column("source", "Source", 14, keep=50),
        Column("destination", "Destination", 14, keep=45),
        Column("started", "Started", time_width, keep=70),
        Column("ended", "Ended", time_width, keep=30),
        Column("bytes", "Bytes", 9, keep=60, right=True),
    )


@dataclass(frozen=True)
class Layout:
    """The columns a width shows, in order, and how wide the label is (it comes third)."""

    label_width: int
    shown: tuple[Column, ...]
    hidden: tuple[Column, ...]

    @property
    def label_at(self) -> int:
        """How many columns come before the label (kind and status, when shown)."""
        return min(2, len(self.shown))

    @property
    def hidden_caption(self) -> str:
        if not self.hidden:
            return ""
        return ", ".join(column.title for column in self.hidden) + " hidden · Enter: details"


def layout_for(width: int) -> Layout:
    """The columns that fit in ``width`` cells, the least important dropped first."""
    columns = _columns(WIDE_TIME if width >= NARROW_BELOW else NARROW_TIME)
    shown = list(columns)
    hidden: list[Column] = []
    # One cell of margin before the first column.
    while shown and 1 + MIN_LABEL + sum(GAP + c.width for c in shown) > width:
        weakest = min(shown, key=lambda column: column.keep)
        shown.remove(weakest)
        hidden.append(weakest)
    label_width = max(MIN_LABEL, width - 1 - sum(GAP + c.width for c in shown))
    order = {column.name: n for n, column in enumerate(columns)}
    return Layout(label_width, tuple(shown), tuple(sorted(hidden, key=lambda c: order[c.name])))


def when_text(moment: datetime | None, width: int) -> str:
    if moment is None:
        return ""
    local = moment.astimezone()
    return local.strftime("%Y-%m-%d %H:%M" if width >= WIDE_TIME else "%m-%d %H:%M")


def status_word(row: ActivityRow) -> str:
    """``Active``, ``Succeeded``, ``Failed``, ``Ended``…: the service's word, said plainly."""
    return row.status.capitalize() if row.status else "?"


def label_text(row: ActivityRow) -> str:
    """The label; a timer run names its timer, a flow run its flow, when they add anything."""
    label = row.label
    owner = row.timer_name if row.kind == "timer run" else row.flow_title
    if owner and owner.casefold() != label.casefold():
        label = f"{label} · {owner}" if label else owner
    return label or row.task_id or row.id


def collection_text(name: str | None, collection_id: str | None) -> str:
    return name or collection_id or ""


def cell_text(row: ActivityRow, column: Column) -> str:
    """The text of one cell (before it is fitted to the column)."""
    if column.name == "kind":
        return row.kind
    if column.name == "status":
        return status_word(row)
    if column.name == "source":
        return collection_text(row.source_name, row.source_id)
    if column.name == "destination":
        if row.kind == "delete":
            return ""
        return collection_text(row.destination_name, row.destination_id)
    if column.name == "started":
        return when_text(row.started, column.width)
    if column.name == "ended":
        return when_text(row.ended, column.width)
    if column.name == "bytes":
        if row.kind == "delete":
            return ""  # a delete moves no bytes: "0 B" would read as if it did nothing
        return human_size(row.bytes) if row.bytes is not None else ""
    return ""


def filter_words(wanted: ActivityFilter) -> str:
    """The filter in one line (empty when it shows everything)."""
    parts: list[str] = []
    if not wanted.kinds >= ActivityFilter().kinds:
        parts.append("kind " + ", ".join(sorted(wanted.kinds)))
    if wanted.statuses:
        parts.append("status " + ", ".join(s.lower() for s in sorted(wanted.statuses)))
    if wanted.label:
        parts.append(f"label “{wanted.label}”")
    if wanted.since or wanted.until:
        since = wanted.since.astimezone().strftime("%Y-%m-%d %H:%M") if wanted.since else "…"
        until = wanted.until.astimezone().strftime("%Y-%m-%d %H:%M") if wanted.until else "…"
        parts.append(f"started {since} to {until}")
    if wanted.collection:
        parts.append(f"collection “{wanted.collection}”")
    if wanted.text:
        parts.append(f"“{wanted.text}”")
    return " · ".join(parts)


DATE_HINT = "2026-11-01 · 2026-11-01 14:00 · today · yesterday · 7d (7 days ago)"


def parse_day_or_time(text: str, now: datetime, *, end: bool) -> datetime | None:
    """A filter's date in UTC: ``2026-11-01`` (the day's start, or its end when ``end``),
    ``2026-11-01 14:00``, ``today``, ``yesterday``, or ``7d``/``12h``/``30m`` ago.

    Dates without a zone are the local time of the machine gtui runs on.
    """
    words = text.strip().lower()
    if not words:
        return None
    local_now = now.astimezone()
    day: date | None = None
    if words == "today":
        day = local_now.date()
    elif words == "yesterday":
        day = local_now.date() - timedelta(days=1)
    elif words[:-1].isdigit() and words[-1:] in ("m", "h", "d", "w"):
        unit = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}[words[-1]]
        return (now - timedelta(**{unit: int(words[:-1])})).astimezone(UTC)
    else:
        try:
            parsed = datetime.fromisoformat(text.strip())
        except ValueError:
            raise ValueError(f"“{text.strip()}” is not a date: use {DATE_HINT}.") from None
        if len(text.strip()) <= len("2026-11-01"):
            day = parsed.date()
        else:
            parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=local_now.tzinfo)
            return parsed.astimezone(UTC)
    moment = datetime.combine(day, time.max if end else time.min, tzinfo=local_now.tzinfo)
    return moment.astimezone(UTC)

"""Turning sizes, times and rates into the short strings the panes and the queue show."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.cells import cell_len

_UNITS = ("B", "kB", "MB", "GB", "TB", "PB")


def human_size(size: int | None) -> str:
    """A decimal size such as ``1.2 MB`` (Globus reports decimal units too)."""
    if size is None:
        return ""
    value = float(size)
    for unit in _UNITS:
        if abs(value) < 1000 or unit == _UNITS[-1]:
            if unit == "B":
                return f"{int(value)} B"
            return f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} PB"


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """``1 folder``, ``2 folders``, ``1,204 files``."""
    return f"{count:,} {noun if count == 1 else (nouns or noun + 's')}"


def files_words(transferred: int, skipped: int, total: int) -> str:
    """``12 of 25 files``; with a sync, the files already there said apart:
    ``1 of 35 files, 34 already there``."""
    text = f"{transferred:,} of {plural(total, 'file')}"
    return text + (f", {skipped:,} already there" if skipped else "")


def deleted_words(files: int, directories: int, *, finished: bool) -> str:
    """What a delete task has removed: ``2 files, 1 folder deleted``.

    A delete's task document counts what it removed in ``files`` and ``directories``, while
    ``files_transferred`` stays 0: worded as a transfer, a finished delete would read
    "0 of 2 files", as if nothing had gone.
    """
    counted = [plural(files, "file")] if files else []
    if directories:
        counted.append(plural(directories, "folder"))
    if not counted:
        return "nothing deleted" + ("" if finished else " yet")
    return ", ".join(counted) + (" deleted" if finished else " deleted so far")


def human_rate(bytes_per_second: float | int | None) -> str:
    """A transfer rate such as ``4.0 MB/s``; empty when unknown."""
    if not bytes_per_second:
        return ""
    return f"{human_size(int(bytes_per_second))}/s"


def human_duration(seconds: float | None) -> str:
    """A compact duration such as ``1h02m``, ``3m05s`` or ``42s``."""
    if seconds is None or seconds < 0:
        return ""
    total = int(round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours >= 24:
        return f"{hours // 24}d{hours % 24:02d}h"
    if hours:
        return f"{hours}h{minutes:02d}m"
    if minutes:
        return f"{minutes}m{secs:02d}s"
    return f"{secs}s"


def parse_time(value: str | datetime | None) -> datetime | None:
    """A Globus timestamp (``2020-09-23 18:53:12+00:00`` or ISO-8601) as an aware datetime."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def short_time(value: str | datetime | None) -> str:
    """A listing timestamp, ``2026-11-22 10:30`` in UTC so both panes compare directly."""
    parsed = parse_time(value)
    if parsed is None:
        return ""
    return parsed.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def relative_time(value: str | datetime | None, now: datetime) -> str:
    """How long ago, such as ``5m ago``; the caller passes ``now`` so pictures stay stable."""
    parsed = parse_time(value)
    if parsed is None:
        return ""
    delta = (now - parsed).total_seconds()
    if delta < 0:
        return "in " + human_duration(-delta)
    if delta < 5:
        return "just now"
    return coarse_duration(delta) + " ago"


def coarse_duration(seconds: float) -> str:
    """One unit, enough for "how long ago": ``47s``, ``12m``, ``3h``, ``5d``."""
    total = int(seconds)
    for size, unit in ((86400, "d"), (3600, "h"), (60, "m")):
        if total >= size:
            return f"{total // size}{unit}"
    return f"{total}s"


def middle_ellipsis(text: str, width: int) -> str:
    """``text`` cut to ``width`` terminal cells by replacing its middle with ``…``.

    Ids and paths differ at both ends (a collection's prefix, a file's name), so both stay.
    """
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return text
    tail_cells = (width - 1) // 2
    head = _fit(text, width - 1 - tail_cells)
    tail = _fit(text[::-1], tail_cells)[::-1]
    return head + "…" + tail


def _fit(text: str, cells: int) -> str:
    """The longest start of ``text`` that takes at most ``cells`` cells."""
    used = 0
    for index, char in enumerate(text):
        used += cell_len(char)
        if used > cells:
            return text[:index]
    return text

"""Times as Timers writes and reads them: ISO 8601, UTC, whole seconds."""

from __future__ import annotations

from datetime import UTC, datetime


def iso(seconds: float | None) -> str | None:
    """``2023-10-27T05:00:00+00:00`` (None stays None)."""
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds, UTC).replace(microsecond=0).isoformat()


def parse_time(text: str) -> float:
    """Epoch seconds of an ISO 8601 time (``Z`` or an offset; a naive time is UTC).
    Raises ValueError for anything else."""
    cleaned = text.strip().replace(" ", "T", 1)
    if cleaned.endswith(("Z", "z")):
        cleaned = cleaned[:-1] + "+00:00"
    moment = datetime.fromisoformat(cleaned)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()

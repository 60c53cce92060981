"""Progress, rate and ETA of a task, from what its document says.

Transfer's task document has no "total bytes" field, so the fraction comes from the files
counted so far (``files_transferred + files_skipped`` of ``files``) or, when the submitter
knew the sizes, from bytes. The rate is Transfer's ``effective_bytes_per_second`` when it
reports one, else the bytes moved between two looks at the task.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class TaskProgress:
    """What the queue draws for one task."""

    fraction: float | None
    rate: float
    eta: float | None
    expected_bytes: int | None = None


def progress_of(
    task: Any,
    before: TaskProgress | None,
    previous: Any | None,
    *,
    expected_bytes: int | None = None,
) -> TaskProgress:
    """The progress of ``task``, given the progress and document seen at the last poll."""
    expected = (
        expected_bytes if expected_bytes is not None else getattr(before, "expected_bytes", None)
    )
    if task.status == "SUCCEEDED":
        return TaskProgress(1.0, 0.0, None, expected)
    fraction: float | None = None
    if task.files:
        fraction = (task.files_transferred + task.files_skipped) / task.files
    if expected:
        by_bytes = task.bytes_transferred / expected
        fraction = by_bytes if fraction is None else max(fraction, by_bytes)
    if fraction is not None:
        fraction = max(0.0, min(fraction, 1.0))
    rate = float(task.effective_bytes_per_second or 0)
    if not rate and previous is not None and before is not None:
        rate = before.rate
    if previous is not None and getattr(previous, "bytes_transferred", None) is not None:
        moved = task.bytes_transferred - previous.bytes_transferred
        elapsed = _seconds_between(previous, task)
        if moved > 0 and elapsed:
            rate = rate or moved / elapsed
    eta: float | None = None
    if task.status == "ACTIVE" and rate > 0:
        total = expected
        if total is None and fraction:
            total = int(task.bytes_transferred / fraction)
        if total:
            eta = max(total - task.bytes_transferred, 0) / rate
    return TaskProgress(fraction, rate, eta, expected)


def _seconds_between(previous: Any, current: Any) -> float | None:
    seen_before = getattr(previous, "observed_at", None)
    seen_now = getattr(current, "observed_at", None)
    if seen_before is None or seen_now is None:
        return None
    return max(seen_now - seen_before, 0.0) or None

"""Stop a file write at each of its steps, as a crash would, and see what is left on disk.

A kill almost never lands inside a write of a few hundred bytes, so a test that kills a writer
at random proves little about atomicity. Instead, the write is first run once to record its
steps — every ``os.write``, ``os.fsync``, ``os.replace``, ``os.fchmod`` and ``os.close`` it
makes — and then run again once per step, dying there: before the step; for a write, half
way through it (a torn write); for a rename, just after it. "Dying" raises ``Crash``, a
``BaseException`` that the code under test must not swallow; what is on disk afterwards is
what a crashed process would have left.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest

STEPS = ("write", "fsync", "replace", "fchmod", "close")


class Crash(BaseException):
    """The process died at this point of the write."""


@dataclass(frozen=True)
class CrashPoint:
    index: int  # which recorded step
    step: str  # its os function
    moment: str  # "before", "torn" (half the bytes written) or "after"

    def __str__(self) -> str:
        return f"{self.moment} {self.step} (step {self.index})"


@contextmanager
def _patched(
    monkeypatch: pytest.MonkeyPatch,
    on_step: Callable[[int, str, Callable[..., Any], tuple[Any, ...]], Any],
) -> Iterator[None]:
    """Route this thread's calls of the ``STEPS`` through ``on_step(index, name, real, args)``."""
    thread = threading.get_ident()
    counter = [0]
    with monkeypatch.context() as patch:
        for name in STEPS:
            real = getattr(os, name)

            def step(*args: Any, _name: str = name, _real: Callable[..., Any] = real) -> Any:
                if threading.get_ident() != thread:
                    return _real(*args)
                index = counter[0]
                counter[0] += 1
                return on_step(index, _name, _real, args)

            patch.setattr(os, name, step)
        yield


def record_steps(monkeypatch: pytest.MonkeyPatch, write: Callable[[], None]) -> list[str]:
    """Run ``write`` once; the os steps it takes, in order."""
    steps: list[str] = []

    def note(_index: int, name: str, real: Callable[..., Any], args: tuple[Any, ...]) -> Any:
        steps.append(name)
        return real(*args)

    with _patched(monkeypatch, note):
        write()
    return steps


def crash_points(steps: list[str]) -> list[CrashPoint]:
    points = []
    for index, step in enumerate(steps):
        points.append(CrashPoint(index, step, "before"))
        if step == "write":
            points.append(CrashPoint(index, step, "torn"))
        if step == "replace":
            points.append(CrashPoint(index, step, "after"))
    return points


def crash_at(monkeypatch: pytest.MonkeyPatch, point: CrashPoint, write: Callable[[], None]) -> bool:
    """Run ``write``, dying at ``point``; whether it died (else it finished: fewer steps)."""

    def maybe_die(index: int, name: str, real: Callable[..., Any], args: tuple[Any, ...]) -> Any:
        if index != point.index:
            return real(*args)
        if point.moment == "torn":
            fd, data = args
            real(fd, bytes(data[: max(1, len(data) // 2)]))
        elif point.moment == "after":
            real(*args)
        raise Crash(str(point))

    with _patched(monkeypatch, maybe_die):
        try:
            write()
        except Crash:
            return True
    return False


def torn_states(
    monkeypatch: pytest.MonkeyPatch,
    reset: Callable[[], None],
    write: Callable[[], None],
    read: Callable[[], Any],
    old: Any,
    new: Any,
) -> list[str]:
    """Every crash point of ``write`` after which ``read()`` is neither ``old`` nor ``new``.

    ``reset`` puts the old content back before each run. An empty list means the write is
    atomic at every step it takes.
    """
    reset()
    steps = record_steps(monkeypatch, write)
    assert "write" in steps, f"the write made no os.write call: {steps}"
    if read() != new:
        raise AssertionError("the write, left to finish, did not leave the new content")
    problems = []
    for point in crash_points(steps):
        reset()
        if read() != old:
            raise AssertionError("reset() did not restore the old content")
        died = crash_at(monkeypatch, point, write)
        assert died, f"the write finished before {point}"
        try:
            left = read()
        except Exception as exc:  # noqa: BLE001 - what a reader after the crash would meet
            problems.append(f"{point}: unreadable ({type(exc).__name__}: {exc})")
            continue
        if left not in (old, new):
            problems.append(f"{point}: {left!r}")
    return problems

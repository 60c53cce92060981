"""The service's virtual clock, which Timers schedule by.

A timer that runs every hour would take a day to show a day of runs; the virtual clock runs
``speed`` times faster than real time (``gtui sim serve --clock-speed``) and a test can
``step`` it forward, which wakes whoever waits on it at once. Its time is kept in the service
database, so a restart never moves it backwards (timers would run twice). Only Timers read it:
Transfer's task times stay real.
"""

from __future__ import annotations

import math
import sqlite3
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gtui.sim.database import Database

COMPONENT = "clock"
Listener = Callable[[], None]


def _version_1(conn: sqlite3.Connection) -> None:
    conn.execute(
        "CREATE TABLE sim_clock (id INTEGER PRIMARY KEY CHECK (id = 1), now REAL NOT NULL)"
    )


MIGRATIONS = (_version_1,)


class SimClock:
    """Virtual epoch seconds: real time once, then ``speed`` virtual seconds per real second,
    plus every ``step``. Safe to read and step from any thread."""

    def __init__(
        self, speed: float = 1.0, *, db: Database | None = None, start: float | None = None
    ) -> None:
        """``start``: the time a clock with no saved time starts at (default: now); a saved
        clock goes on from its time (never back; with no ``start``, never behind real time)."""
        _check_speed(speed)
        self._db = db
        self._lock = threading.Lock()
        self._listeners: list[Listener] = []
        begin = time.time() if start is None else start
        if db is not None:
            db.migrate(COMPONENT, MIGRATIONS)
            row = db.connection().execute("SELECT now FROM sim_clock WHERE id = 1").fetchone()
            if row is not None:
                saved = float(row[0])
                begin = saved if start is not None else max(begin, saved)
        self._speed = float(speed)
        self._base_virtual = begin
        self._base_real = time.monotonic()

    def now(self) -> float:
        """The virtual time, in seconds since the epoch."""
        with self._lock:
            return self._base_virtual + (time.monotonic() - self._base_real) * self._speed

    @property
    def speed(self) -> float:
        """Virtual seconds per real second."""
        return self._speed

    @speed.setter
    def speed(self, value: float) -> None:
        _check_speed(value)
        with self._lock:
            self._rebase()
            self._speed = float(value)
        self._notify()

    def step(self, seconds: float) -> float:
        """Jump ``seconds`` forward (never back), keep the new time and wake the listeners;
        returns the new time."""
        if seconds < 0:
            raise ValueError("the clock never goes backwards")
        with self._lock:
            self._rebase()
            self._base_virtual += seconds
            now = self._base_virtual
        self.save()
        self._notify()
        return now

    def real_seconds(self, virtual_seconds: float) -> float:
        """How long a wait of ``virtual_seconds`` lasts in real time."""
        return max(0.0, virtual_seconds) / self._speed

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` (from any thread) whenever the clock jumps or changes speed;
        returns the function that stops it."""
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def save(self) -> None:
        """Write the current time to the database (the next start continues from it)."""
        if self._db is None:
            return
        with self._db.write() as conn:
            conn.execute(
                "INSERT INTO sim_clock (id, now) VALUES (1, ?)"
                " ON CONFLICT (id) DO UPDATE SET now = max(now, excluded.now)",
                (self.now(),),
            )

    def _rebase(self) -> None:
        """Fold the time elapsed so far into the base (call with the lock held)."""
        real = time.monotonic()
        self._base_virtual += (real - self._base_real) * self._speed
        self._base_real = real

    def _notify(self) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            listener()


def _check_speed(speed: float) -> None:
    if not 0 < speed < math.inf:
        raise ValueError(f"the clock speed must be a positive number, not {speed!r}")

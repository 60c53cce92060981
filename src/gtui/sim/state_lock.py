"""One service per demo folder: an exclusive lock on the folder's state directory, which also
tells other commands where that service answers.

Two services on the same folder would each write the same token and task files (losing the
other's updates) and each resume the same queued transfers. The lock is an ``flock`` on a
file in the state directory, so it ends with the process even when that is killed. The lock
file names its holder: the process id and the base URL it serves on. A command such as
``gtui --demo whoami`` finds a running service with ``running_service``: the lock being held
is what proves that the recorded address is current.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

LOCK_FILE = "service.lock"
# Another command may hold the lock for an instant to see whether a service runs.
ACQUIRE_PATIENCE_SECONDS = 0.5
# How long a reader waits for a service that has just taken the lock to name itself.
HOLDER_WAIT_SECONDS = 5.0
# How long a new service waits for one that is stopping (saving its state) to finish.
STOPPING_WAIT_SECONDS = 60.0
POLL_SECONDS = 0.01


class StateInUse(RuntimeError):
    """Another running service already holds this folder's state."""


@dataclass(frozen=True)
class Holder:
    """The service holding a folder's lock: its process and where it answers."""

    pid: int | None
    base_url: str
    stopping: bool = False


class StateLock:
    """Held from loading the state until the service has stopped and saved it."""

    def __init__(self, state_dir: Path, root: Path, base_url: str = "") -> None:
        self.path = state_dir / LOCK_FILE
        self.root = root
        self.base_url = base_url
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the folder; a service still saving on its way out is waited for."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            _lock_exclusively(fd)
        except BlockingIOError:
            holder = _parse_holder(os.pread(fd, 4096, 0))
            if holder is not None and holder.stopping and _wait_for_lock(fd):
                self._hold(fd)
                return
            holder = _parse_holder(os.read(fd, 4096))
            os.close(fd)
            who = f" (process {holder.pid})" if holder is not None and holder.pid else ""
            raise StateInUse(
                f"the demo folder {self.root} is in use by another gtui --demo or gtui sim "
                f"serve{who}; quit that one first, or choose another folder with --root"
            ) from None
        except BaseException:
            os.close(fd)
            raise
        self._hold(fd)

    def _hold(self, fd: int) -> None:
        self._fd = fd
        self._write({"pid": os.getpid(), "base_url": self.base_url})

    def mark_stopping(self) -> None:
        """Say that this service is on its way out: the next one may wait for it."""
        if self._fd is not None:
            self._write({"pid": os.getpid(), "base_url": self.base_url, "stopping": True})

    def _write(self, record: dict[str, object]) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            os.pwrite(self._fd, json.dumps(record).encode("ascii"), 0)

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)


def running_service(state_dir: Path) -> Holder | None:
    """The service that holds this state directory's lock now, or None when none runs.

    A service that holds the lock but has not named itself yet (it has only just started) is
    waited for a moment; one that never does (a version that did not record its address)
    comes back with an empty ``base_url``.
    """
    try:
        fd = os.open(state_dir / LOCK_FILE, os.O_RDONLY)
    except (FileNotFoundError, NotADirectoryError):
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            pass  # held: a service runs
        else:
            fcntl.flock(fd, fcntl.LOCK_UN)
            return None
        deadline = time.monotonic() + HOLDER_WAIT_SECONDS
        while True:
            holder = _parse_holder(os.pread(fd, 4096, 0))
            if (holder is not None and holder.base_url) or time.monotonic() > deadline:
                return holder or Holder(pid=None, base_url="")
            time.sleep(POLL_SECONDS)
    finally:
        os.close(fd)


def _wait_for_lock(fd: int) -> bool:
    """Wait for a stopping holder to let go; True once the lock is ours."""
    deadline = time.monotonic() + STOPPING_WAIT_SECONDS
    while time.monotonic() < deadline:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            time.sleep(0.05)
    return False


def _lock_exclusively(fd: int) -> None:
    """Take the lock, allowing a command that is only looking at it to let go first."""
    deadline = time.monotonic() + ACQUIRE_PATIENCE_SECONDS
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise
            time.sleep(POLL_SECONDS)


def _parse_holder(data: bytes) -> Holder | None:
    """The holder a lock file names: JSON, or a bare process id (as older versions wrote)."""
    text = data.decode("ascii", "replace").strip()
    if text.isdigit():
        return Holder(pid=int(text), base_url="")
    try:
        record = json.loads(text)
    except ValueError:
        return None
    if not isinstance(record, dict):
        return None
    pid = record.get("pid")
    base_url = record.get("base_url")
    return Holder(
        pid=pid if isinstance(pid, int) else None,
        base_url=base_url if isinstance(base_url, str) else "",
        stopping=record.get("stopping") is True,
    )

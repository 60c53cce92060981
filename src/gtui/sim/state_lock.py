"""One service per demo folder: an exclusive lock on the folder's state directory.

Two services on the same folder would each write the same token and task files (losing the
other's updates) and each resume the same queued transfers. The lock is an ``flock`` on a
file in the state directory, so it ends with the process even when that is killed.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

LOCK_FILE = "service.lock"


class StateInUse(RuntimeError):
    """Another running service already holds this folder's state."""


class StateLock:
    """Held from loading the state until the service has stopped and saved it."""

    def __init__(self, state_dir: Path, root: Path) -> None:
        self.path = state_dir / LOCK_FILE
        self.root = root
        self._fd: int | None = None

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode("ascii", "replace").strip()
            os.close(fd)
            who = f" (process {holder})" if holder.isdigit() else ""
            raise StateInUse(
                f"the demo folder {self.root} is in use by another gtui --demo or gtui sim "
                f"serve{who}; quit that one first, or choose another folder with --root"
            ) from None
        except BaseException:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode("ascii"))
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

"""Replace a file so that a crash at any moment leaves its old content or its new, whole.

Every file gtui and its embedded service keep (tokens, settings, the app's state, the service's
small JSON documents and its signing key) is written here, one way: the bytes go to a
temporary file in the same folder, which is flushed to disk (``fsync``) and renamed over the
target (``os.replace``, atomic on POSIX); then the folder is flushed so the rename itself
survives a power cut. A writer killed part way leaves at most a temporary file, named with
``prefix`` and ``suffix`` so its owner can find and remove it.

Each step is a plain ``os`` call (``write``, ``fsync``, ``replace``, ...) so that the crash
tests can stop the write at every one of them.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

__all__ = ["write_atomically"]


def write_atomically(
    path: Path,
    data: bytes,
    *,
    mode: int | None = 0o600,
    prefix: str | None = None,
    suffix: str = ".tmp",
) -> None:
    """Replace ``path`` with ``data``.

    ``mode`` is the new file's permissions; ``None`` keeps those of the file it replaces
    (owner-only for a new one). A symlink keeps pointing where it did: its target is replaced.
    """
    target = Path(os.path.realpath(path))
    if mode is None:
        try:
            mode = target.stat().st_mode & 0o777
        except FileNotFoundError:
            mode = 0o600
    fd, tmp_name = tempfile.mkstemp(
        prefix=prefix if prefix is not None else f".{target.name}.",
        suffix=suffix,
        dir=target.parent,
    )
    try:
        try:
            os.fchmod(fd, mode)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    _flush_folder(target.parent)


def _flush_folder(folder: Path) -> None:
    """Make the rename durable (where the platform lets a folder be opened and flushed)."""
    try:
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(dir_fd)
    finally:
        os.close(dir_fd)

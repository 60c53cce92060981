"""Copy one file the way a transfer does: under a temporary name, then renamed into place.

The copy runs in a worker thread with large buffers. Checksums (MD5, the service's default
algorithm) are computed in the same read pass, and the written file is read back to verify it.
A per-task throttle, read afresh for every chunk, limits the rate; a stop event ends the copy
within one chunk and removes the partial file, so the final name never holds a truncated file.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

CHUNK_SIZE = 4 * 1024 * 1024
THROTTLED_MIN_CHUNK = 16 * 1024
PART_SUFFIX = ".gtui-part"
FAST_STEP = 16 * 1024 * 1024


class Stopped(Exception):
    """The copy was stopped (cancel, deadline, shutdown) before it completed."""


class ChecksumMismatch(Exception):
    """The written file does not have the source's checksum."""


class Throttle:
    """Limits one task's rate to ``rate()`` bytes per second (0 means unlimited)."""

    def __init__(self, rate: Callable[[], int], stop: threading.Event) -> None:
        self._rate = rate
        self._stop = stop
        self._window_start = time.monotonic()
        self._window_bytes = 0
        self._window_rate = 0

    def limit(self) -> int:
        return max(0, int(self._rate()))

    def chunk_size(self) -> int:
        rate = self.limit()
        if rate <= 0:
            return CHUNK_SIZE
        return max(THROTTLED_MIN_CHUNK, min(CHUNK_SIZE, rate // 8 or 1))

    def consumed(self, count: int) -> None:
        """Account for ``count`` bytes and wait until the rate allows more."""
        rate = self.limit()
        if rate != self._window_rate:
            self._window_rate = rate
            self._window_start = time.monotonic()
            self._window_bytes = 0
        if rate <= 0:
            return
        self._window_bytes += count
        due = self._window_start + self._window_bytes / rate
        delay = due - time.monotonic()
        if delay > 0 and self._stop.wait(delay):
            raise Stopped()


def part_path(destination: Path) -> Path:
    """A hidden temporary name next to ``destination``."""
    return destination.with_name(f".{destination.name}.{secrets.token_hex(4)}{PART_SUFFIX}")


def file_md5(
    path: Path | str,
    stop: threading.Event | None = None,
    on_bytes: Callable[[int], None] | None = None,
) -> str:
    """The MD5 of a file, read in large chunks."""
    digest = hashlib.md5(usedforsecurity=False)
    buffer = bytearray(CHUNK_SIZE)
    view = memoryview(buffer)
    with open(path, "rb", buffering=0) as handle:
        while True:
            if stop is not None and stop.is_set():
                raise Stopped()
            count = handle.readinto(buffer)
            if not count:
                break
            digest.update(view[:count])
            if on_bytes is not None:
                on_bytes(count)
    return digest.hexdigest()


def _copy_fast(src: int, dst: int, stop: threading.Event, on_bytes: Callable[[int], None]) -> None:
    """Kernel-side copy in large steps (unthrottled, no checksum)."""
    offset = 0
    use_range = True
    while True:
        if stop.is_set():
            raise Stopped()
        count = 0
        if use_range:
            try:
                count = os.copy_file_range(src, dst, FAST_STEP, offset)
            except OSError:
                use_range = False
        if not use_range:
            count = os.sendfile(dst, src, offset, FAST_STEP)
        if not count:
            break
        offset += count
        on_bytes(count)


def _copy_buffered(
    src: int,
    dst: int,
    throttle: Throttle,
    stop: threading.Event,
    on_bytes: Callable[[int], None],
    digest: Any,
) -> None:
    buffer = bytearray(CHUNK_SIZE)
    view = memoryview(buffer)
    while True:
        if stop.is_set():
            raise Stopped()
        want = throttle.chunk_size()
        count = os.readv(src, [view[:want]])
        if not count:
            break
        chunk = view[:count]
        if digest is not None:
            digest.update(chunk)
        written = 0
        while written < count:
            written += os.write(dst, chunk[written:])
        on_bytes(count)
        throttle.consumed(count)


def copy_file(
    source: Path,
    destination: Path,
    *,
    throttle: Throttle,
    stop: threading.Event,
    on_bytes: Callable[[int], None],
    on_checksummed: Callable[[int], None],
    checksum: bool,
    verify: bool,
    mtime: float | None,
) -> str | None:
    """Copy ``source`` to ``destination``; return its MD5 when ``checksum`` or ``verify``."""
    part = part_path(destination)
    digest = hashlib.md5(usedforsecurity=False) if (checksum or verify) else None
    src = os.open(source, os.O_RDONLY)
    try:
        dst = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            try:
                if digest is None and throttle.limit() <= 0:
                    _copy_fast(src, dst, stop, on_bytes)
                else:
                    _copy_buffered(src, dst, throttle, stop, on_bytes, digest)
            finally:
                os.close(dst)
            result = None
            if digest is not None:
                result = digest.hexdigest()
                on_checksummed(os.path.getsize(part))
            if verify and result is not None:
                written = file_md5(part, stop, on_checksummed)
                if written != result:
                    raise ChecksumMismatch(f"checksum {written} differs from source {result}")
            if mtime is not None:
                os.utime(part, (time.time(), mtime))
            os.replace(part, destination)
            return result
        except BaseException:
            try:
                os.unlink(part)
            except FileNotFoundError:
                pass
            raise
    finally:
        os.close(src)

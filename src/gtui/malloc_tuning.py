"""One setting of the C allocator that keeps a million-entry listing from pinning memory.

A big folder arrives as pages of ~29 MB of JSON, each read and decoded, then let go. glibc
serves blocks that big with ``mmap`` and returns them on ``free`` — until the first one is
freed: then it raises its threshold to that size, and the next pages come from the heap (in
each decoding thread's own arena), where freed memory mostly stays resident. Measured on a
1,000,000-entry folder: 192 MB resident for one pane's listing with the moving threshold,
141 MB with it fixed at 128 KiB (glibc's default starting value). Setting the threshold
fixes it there. Elsewhere than glibc this does nothing.
"""

from __future__ import annotations

import ctypes
import logging
import sys

log = logging.getLogger(__name__)

M_MMAP_THRESHOLD = -3  # from glibc's <malloc.h>
MMAP_THRESHOLD_BYTES = 128 * 1024


def keep_big_blocks_out_of_the_heap() -> bool:
    """Fix glibc's mmap threshold at its default; True when it was set."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False  # not glibc (musl has no mallopt to speak of)
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    done = bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES))
    if not done:
        log.debug("mallopt(M_MMAP_THRESHOLD) was refused")
    return done

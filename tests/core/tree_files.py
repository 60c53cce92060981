"""Files with a set modification time, for the compare and sync tests' trees on disk."""

from __future__ import annotations

import os
from pathlib import Path

T0 = 1_700_000_000.0


def write(path: Path, content: str = "x", mtime: float = T0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    os.utime(path, (mtime, mtime))
    return path

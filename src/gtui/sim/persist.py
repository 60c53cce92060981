"""Small JSON state files: read whole, written atomically so a crash never leaves half a file."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from gtui.atomic_file import write_atomically


class JsonState:
    """One JSON document on disk (tokens, groups, ...) under the service's state folder."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def load(self) -> dict[str, Any]:
        """The stored document, or an empty dict when there is none (or it is unreadable)."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            return {}
        return data if isinstance(data, dict) else {}

    def save(self, data: dict[str, Any]) -> None:
        """Replace the document: write a temporary file, fsync it, then rename it into place."""
        self.save_text(json.dumps(data, separators=(",", ":"), sort_keys=True))

    def save_text(self, text: str) -> None:
        """Replace the document with ``text``, which is already JSON (same atomic write)."""
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            write_atomically(self.path, text.encode("utf-8"))

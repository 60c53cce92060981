"""The Search index of the demo world: one subject per file, built from disk at start.

Each file is one subject, ``globus://<collection_id><path>``, with one entry whose content
holds name, path, collection, size, modified time, extension, project and a short text.
Entries are visible to the identities that may use the collection ("public" collections to
every caller), as ``visible_to`` principals are in the real service.
"""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gtui.sim.ids import DEMO_INDEX_ID, SCRATCH_ID
from gtui.sim.search.results import gmeta, is_visible, scroll_page, search_page
from gtui.sim.world import BIG_FOLDER_PATH, WIDE_TREE_PATH

if TYPE_CHECKING:
    from gtui.sim.world import Collection, World

TEXT_EXTENSIONS = {"md", "txt", "csv", "py", "json", "ini"}
INDEX_CREATED = "2026-01-15 09:30:00"


def _project(parts: list[str]) -> str | None:
    if len(parts) >= 3 and parts[0] == "home":
        parts = parts[2:]
    if len(parts) >= 2 and parts[0] == "projects":
        return parts[1]
    return parts[0] if len(parts) >= 2 else None


def _text(path: Path, extension: str, size: int) -> str:
    if extension in TEXT_EXTENSIONS:
        try:
            with path.open("rb") as handle:
                return handle.read(240).decode("utf-8", errors="replace").strip()
        except OSError:
            return ""
    return f"{extension or 'binary'} file of {size} bytes"


def _title(name: str, text: str) -> str:
    """The first Markdown heading of a text, else the file name."""
    first = text.splitlines()[0] if text else ""
    return first[2:].strip() if first.startswith("# ") else name


class SearchIndex:
    """The demo index: built from the files on disk when the service starts."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.index_id = DEMO_INDEX_ID
        self.entries: list[dict[str, Any]] = []
        self.rebuild()

    def rebuild(self) -> None:
        entries = []
        for collection in self.world.collections.values():
            entries.extend(self._collection_entries(collection))
        entries.sort(key=lambda e: e["subject"])
        self.entries = entries

    def _collection_entries(self, collection: Collection) -> list[dict[str, Any]]:
        root = collection.root
        skipped = set()
        if collection.id == SCRATCH_ID:
            skipped = {
                root / Path(BIG_FOLDER_PATH.strip("/")).parts[0],
                root / WIDE_TREE_PATH.strip("/"),
            }
        visible = (
            ["public"]
            if collection.public
            else sorted(
                f"urn:globus:auth:identity:{i}"
                for i in {collection.owner_id, *collection.shared_with}
            )
        )
        result = []
        for folder, dirs, files in os.walk(root):
            here = Path(folder)
            dirs[:] = sorted(d for d in dirs if here / d not in skipped)
            for name in sorted(files):
                path = here / name
                try:
                    info = path.lstat()
                except OSError:
                    continue
                if not stat.S_ISREG(info.st_mode):
                    continue
                rel = path.relative_to(root).as_posix()
                extension = name.rsplit(".", 1)[1].lower() if "." in name.strip(".") else ""
                readable = bool(info.st_mode & 0o444)
                text = _text(path, extension, info.st_size) if readable else ""
                content: dict[str, Any] = {
                    "name": name,
                    "path": f"/{rel}",
                    "collection_id": collection.id,
                    "collection_name": collection.display_name,
                    "size": info.st_size,
                    "modified": datetime.fromtimestamp(info.st_mtime, UTC).strftime(
                        "%Y-%m-%dT%H:%M:%SZ"
                    ),
                    "extension": extension,
                    "project": _project(rel.split("/")),
                    "type": "file",
                    "text": text,
                    "title": _title(name, text),
                }
                result.append(
                    {
                        "subject": f"globus://{collection.id}/{rel}",
                        "content": content,
                        "visible_to": visible,
                    }
                )
        return result

    def index_doc(self) -> dict[str, Any]:
        size = sum(len(str(e["content"])) for e in self.entries)
        return {
            "@datatype": "GSearchIndex",
            "@version": "2017-09-01",
            "id": self.index_id,
            "display_name": "gtui demo files",
            "description": "Every file of the demo world's collections",
            "creation_date": INDEX_CREATED,
            "is_trial": False,
            "subscription_id": None,
            "max_size_in_mb": 1024,
            "size_in_mb": max(1, size // 1_000_000),
            "num_subjects": len(self.entries),
            "num_entries": len(self.entries),
            "status": "open",
            "permissions": ["reader"],
        }

    def subject(self, subject: str, identity_id: str) -> dict[str, Any] | None:
        """The subject's entry as a GMetaResult, if there is one ``identity_id`` may see."""
        for entry in self.entries:
            if entry["subject"] == subject and is_visible(entry, identity_id):
                return gmeta(entry, identity_id)
        return None

    def search(self, identity_id: str, query: dict[str, Any]) -> dict[str, Any]:
        """Run a query document (GET parameters are turned into one first)."""
        return search_page(self.entries, identity_id, query)

    def scroll(self, identity_id: str, query: dict[str, Any]) -> dict[str, Any]:
        """Page through every result with an opaque ``marker`` (no 10,000 cap)."""
        return scroll_page(self.entries, identity_id, query)

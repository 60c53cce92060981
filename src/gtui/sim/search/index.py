"""The Search index of the demo world: one subject per file, built from disk at start.

Each file is one subject, ``globus://<collection_id><path>``, with one entry (entry id null)
whose content holds name, path, collection, size, modified time, extension, project and a
short text. Entries are visible to the identities that may use the collection ("public"
collections to every caller), as ``visible_to`` principals are in the real service.

``SearchIndex`` is what the application context holds (``ctx.search``); once the routes are
made it also carries the Search service (``attach``, ``service.py``): every index, what was
ingested into them and deleted from them, their roles and tasks, kept in the database.
"""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gtui.sim.ids import DEMO_INDEX_ID, SCRATCH_ID
from gtui.sim.search.service import GroupIds, MemberCheck, SearchService
from gtui.sim.world import BIG_FOLDER_PATH, WIDE_TREE_PATH

if TYPE_CHECKING:
    from gtui.sim.database import Database
    from gtui.sim.world import Collection, World

TEXT_EXTENSIONS = {"md", "txt", "csv", "py", "json", "ini"}


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


def _visible_to(collection: Collection) -> list[str]:
    """Who sees a collection's files: everyone for a public one, else who may use it."""
    if collection.public:
        return ["public"]
    return sorted(
        f"urn:globus:auth:identity:{i}"
        for i in {collection.owner_identity_id, *collection.shared_with}
    )


class SearchIndex:
    """The demo index's file entries, built from the files on disk when the service starts,
    and the Search service once ``attach`` made it."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.index_id = DEMO_INDEX_ID
        self.entries: list[dict[str, Any]] = []
        self.service: SearchService | None = None
        self.rebuild()

    def attach(self, db: Database, member_of: MemberCheck, group_ids: GroupIds) -> SearchService:
        """The Search service on the service database (made once): ``member_of`` and
        ``group_ids`` are the Groups service's word on who is in which group."""
        if self.service is None:
            self.service = SearchService(
                db, self.world, lambda: self.entries, self.index_id, member_of, group_ids
            )
        return self.service

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
        visible = _visible_to(collection)
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
                        "entry_id": None,
                        "content": content,
                        "visible_to": visible,
                    }
                )
        return result

    def collection_changed(self, collection: Collection) -> None:
        """Bring the entries of a collection whose name or visibility changed (``PUT
        /endpoint``) up to date, without walking its files again."""
        prefix = f"globus://{collection.id}/"
        visible = _visible_to(collection)
        for entry in self.entries:
            if entry["subject"].startswith(prefix):
                entry["content"]["collection_name"] = collection.display_name
                entry["visible_to"] = visible

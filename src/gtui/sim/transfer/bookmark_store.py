"""Each user's bookmarks: one row each in ``transfer_bookmarks``, committed before answering."""

from __future__ import annotations

import uuid
from typing import Any

from gtui.sim.database import Database
from gtui.sim.errors import SimAPIError

COLUMNS = "bookmark_id, name, endpoint_id, path, pinned"


def bookmark_not_found(bookmark_id: str) -> SimAPIError:
    return SimAPIError(404, "ClientError.NotFound", f"Bookmark {bookmark_id} not found")


def _document(row: tuple[Any, ...]) -> dict[str, Any]:
    bookmark_id, name, endpoint_id, path, pinned = row
    return {
        "name": name,
        "endpoint_id": endpoint_id,
        "path": path,
        "pinned": bool(pinned),
        "id": bookmark_id,
        "DATA_TYPE": "bookmark",
    }


class BookmarkStore:
    """Bookmarks by owner; names are unique per user; one user never reaches another's."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def bookmarks_of(self, owner_id: str) -> list[dict[str, Any]]:
        """A user's bookmarks in the order they were made."""
        found = self.db.connection().execute(
            f"SELECT {COLUMNS} FROM transfer_bookmarks WHERE owner_id = ? ORDER BY rowid",
            (owner_id,),
        )
        return [_document(row) for row in found.fetchall()]

    def bookmark_for(self, owner_id: str, bookmark_id: str) -> dict[str, Any]:
        row = (
            self.db.connection()
            .execute(
                f"SELECT {COLUMNS} FROM transfer_bookmarks WHERE owner_id = ? AND bookmark_id = ?",
                (owner_id, bookmark_id),
            )
            .fetchone()
        )
        if row is None:
            raise bookmark_not_found(bookmark_id)
        return _document(row)

    def put_bookmark(self, owner_id: str, bookmark: dict[str, Any]) -> dict[str, Any]:
        """Create (when it has no id) or replace a bookmark; names are unique per user."""
        bookmark_id = bookmark.get("id") or str(uuid.uuid4())
        values = (
            bookmark["name"],
            bookmark["endpoint_id"],
            bookmark["path"],
            int(bool(bookmark["pinned"])),
        )
        with self.db.write() as conn:
            clash = conn.execute(
                "SELECT 1 FROM transfer_bookmarks"
                " WHERE owner_id = ? AND name = ? AND bookmark_id != ?",
                (owner_id, bookmark["name"], bookmark_id),
            ).fetchone()
            if clash is not None:
                raise SimAPIError(
                    409, "Conflict", f"A bookmark named '{bookmark['name']}' already exists"
                )
            changed = conn.execute(
                "UPDATE transfer_bookmarks SET name = ?, endpoint_id = ?, path = ?, pinned = ?"
                " WHERE owner_id = ? AND bookmark_id = ?",
                (*values, owner_id, bookmark_id),
            ).rowcount
            if not changed:
                conn.execute(
                    f"INSERT INTO transfer_bookmarks (owner_id, {COLUMNS}) VALUES (?,?,?,?,?,?)",
                    (owner_id, bookmark_id, *values),
                )
        return _document((bookmark_id, *values))

    def delete_bookmark(self, owner_id: str, bookmark_id: str) -> None:
        with self.db.write() as conn:
            gone = conn.execute(
                "DELETE FROM transfer_bookmarks WHERE owner_id = ? AND bookmark_id = ?",
                (owner_id, bookmark_id),
            ).rowcount
        if not gone:
            raise bookmark_not_found(bookmark_id)

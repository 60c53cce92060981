"""Search v1 of the embedded service: an index over the demo world's files.

Each file is one subject, ``globus://<collection_id><path>``, with one entry whose content
holds name, path, collection, size, modified time, extension, project and a short text.
Entries are visible to the identities that may use the collection ("public" collections to
every caller), as ``visible_to`` principals are in the real service.
"""

from __future__ import annotations

import base64
import os
import stat
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gtui.sim.search_filters import (
    MAX_LIMIT,
    SearchRequestError,
    boost,
    facet,
    int_param,
    list_param,
    paging,
    sort_hits,
    value_filter,
)
from gtui.sim.search_query import (
    QuerySyntaxError,
    advanced_query,
    simple_query,
)
from gtui.sim.world import BIG_FOLDER_PATH, DEMO_INDEX_ID, SCRATCH_ID, WIDE_TREE_PATH

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
                content = {
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
                    "text": _text(path, extension, info.st_size) if readable else "",
                }
                content["title"] = _title(name, content["text"])
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

    def _visible(self, entry: dict[str, Any], identity_id: str) -> bool:
        return (
            "public" in entry["visible_to"]
            or f"urn:globus:auth:identity:{identity_id}" in entry["visible_to"]
        )

    def subject(self, subject: str, identity_id: str) -> dict[str, Any] | None:
        for entry in self.entries:
            if entry["subject"] == subject and self._visible(entry, identity_id):
                return _gmeta(entry, identity_id)
        return None

    def _hits(
        self, identity_id: str, query: dict[str, Any]
    ) -> tuple[list[tuple[float, dict[str, Any]]], list[dict[str, Any]] | None]:
        """The visible entries matching the query, ranked and sorted, with facet results."""
        q = query.get("q", "*")
        if not isinstance(q, str):
            raise SearchRequestError("q must be a string")
        try:
            predicate = advanced_query(q) if query.get("advanced") else simple_query(q)
        except QuerySyntaxError as exc:
            raise SearchRequestError(f"Invalid query: {exc}") from None
        filters = [value_filter(f) for f in list_param(query, "filters")]
        boosts = [boost(b) for b in list_param(query, "boosts")]
        hits: list[tuple[float, dict[str, Any]]] = []
        for entry in self.entries:
            if not self._visible(entry, identity_id):
                continue
            content = entry["content"]
            score = predicate(content)
            if score <= 0 or not all(f(content) for f in filters):
                continue
            for field_name, factor in boosts:
                if field_name in content and predicate({field_name: content[field_name]}) > 0:
                    score *= factor
            hits.append((score, entry))
        hits.sort(key=lambda h: (-h[0], h[1]["subject"]))
        for rule in reversed(list_param(query, "sort")):
            hits = sort_hits(hits, rule)
        facet_specs = list_param(query, "facets")
        facets = [facet(f, [e["content"] for _, e in hits]) for f in facet_specs] or None
        post_filters = [value_filter(f) for f in list_param(query, "post_facet_filters")]
        if post_filters:
            hits = [h for h in hits if all(f(h[1]["content"]) for f in post_filters)]
        return hits, facets

    def search(self, identity_id: str, query: dict[str, Any]) -> dict[str, Any]:
        """Run a query document (GET parameters are turned into one first)."""
        offset, limit = paging(query)
        hits, facets = self._hits(identity_id, query)
        page = hits[offset : offset + limit]
        result: dict[str, Any] = {
            "@datatype": "GSearchResult",
            "@version": "2017-09-01",
            "count": len(page),
            "total": len(hits),
            "offset": offset,
            "has_next_page": offset + len(page) < min(len(hits), MAX_LIMIT),
            "gmeta": [_gmeta(e, identity_id) for _, e in page],
        }
        if facets is not None:
            result["facet_results"] = facets
        return result

    def scroll(self, identity_id: str, query: dict[str, Any]) -> dict[str, Any]:
        """Page through every result with an opaque ``marker`` (no 10,000 cap)."""
        limit = int_param(query.get("limit"), "limit", 10)
        if not 0 < limit <= MAX_LIMIT:
            raise SearchRequestError(f"limit must be between 1 and {MAX_LIMIT}")
        start = _decode_marker(query.get("marker"))
        hits, _ = self._hits(identity_id, {k: v for k, v in query.items() if k != "facets"})
        page = hits[start : start + limit]
        more = start + len(page) < len(hits)
        return {
            "@datatype": "GSearchResult",
            "@version": "2017-09-01",
            "count": len(page),
            "total": len(hits),
            "has_next_page": more,
            "marker": _encode_marker(start + len(page)) if more else None,
            "gmeta": [_gmeta(e, identity_id) for _, e in page],
        }


def _encode_marker(position: int) -> str:
    return base64.urlsafe_b64encode(f"scroll:{position}".encode()).decode("ascii")


def _decode_marker(marker: Any) -> int:
    if marker in (None, ""):
        return 0
    try:
        text = base64.urlsafe_b64decode(str(marker).encode("ascii")).decode("ascii")
        kind, _, position = text.partition(":")
        if kind != "scroll" or int(position) < 0:
            raise ValueError(text)
        return int(position)
    except (ValueError, UnicodeError):
        raise SearchRequestError("invalid scroll marker") from None


def _gmeta(entry: dict[str, Any], identity_id: str) -> dict[str, Any]:
    principals = (
        ["public"]
        if "public" in entry["visible_to"]
        else [f"urn:globus:auth:identity:{identity_id}"]
    )
    return {
        "@datatype": "GMetaResult",
        "@version": "2019-08-27",
        "subject": entry["subject"],
        "entries": [
            {"content": entry["content"], "entry_id": None, "matched_principal_sets": principals}
        ],
    }

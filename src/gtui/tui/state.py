"""What the app remembers between runs: last transfer options, recent places, submits.

Besides the documents gtui submitted it keeps each task's total size once a scan found it,
so a restarted gtui still shows those tasks' progress in bytes.

A small JSON file in the platformdirs data folder (``GTUI_DATA_DIR`` overrides it), written
atomically. It holds no credentials. A missing or unreadable file means starting fresh.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

from gtui.atomic_file import write_atomically

log = logging.getLogger(__name__)

STATE_FILE = "tui-state.json"
RECENT_LIMIT = 20
RECENT_PLACES_LIMIT = 30
SUBMITTED_LIMIT = 200


@dataclass(frozen=True)
class PanePlace:
    """Where a pane opens: a collection id and a path (empty collection: ask)."""

    collection_id: str = ""
    path: str = "/~/"


@dataclass(frozen=True)
class RecentPlace:
    """A folder a pane listed: where it is, and the collection's name to show."""

    collection_id: str
    collection_name: str
    path: str


def data_dir() -> Path:
    """The data folder (``GTUI_DATA_DIR`` overrides it, for tests)."""
    override = os.environ.get("GTUI_DATA_DIR")
    return Path(override) if override else platformdirs.user_data_path("gtui")


class AppState:
    """A dict persisted as JSON; each setter saves at once."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or data_dir() / STATE_FILE
        self.data: dict[str, Any] = {}
        try:
            loaded = json.loads(self.path.read_text(encoding="utf-8"))
            if isinstance(loaded, dict):
                self.data = loaded
        except FileNotFoundError:
            pass
        except (OSError, ValueError) as exc:
            log.warning("ignoring unreadable %s: %s", self.path, exc)

    def save(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(self.path, json.dumps(self.data, indent=1).encode("utf-8"))
        except OSError as exc:
            log.warning("could not save %s: %s", self.path, exc)

    @property
    def transfer_options(self) -> dict[str, Any]:
        value = self.data.get("transfer_options")
        return value if isinstance(value, dict) else {}

    def remember_transfer_options(self, options: dict[str, Any]) -> None:
        self.data["transfer_options"] = options
        self.save()

    @property
    def recent_collections(self) -> list[str]:
        value = self.data.get("recent_collections")
        return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []

    def remember_collection(self, collection_id: str) -> None:
        recent = [c for c in self.recent_collections if c != collection_id]
        self.data["recent_collections"] = [collection_id, *recent][:RECENT_LIMIT]
        self.save()

    @property
    def recent_places(self) -> list[RecentPlace]:
        """The folders panes listed, most recent first (for quick jump)."""
        value = self.data.get("recent_places")
        if not isinstance(value, list):
            return []
        places = []
        for item in value:
            if not isinstance(item, dict) or not isinstance(item.get("collection_id"), str):
                continue
            path = item.get("path")
            name = item.get("collection_name")
            if isinstance(path, str) and path:
                places.append(
                    RecentPlace(item["collection_id"], name if isinstance(name, str) else "", path)
                )
        return places

    def remember_place(self, collection_id: str, collection_name: str, path: str) -> None:
        """A pane listed ``path``: put it first among the recent folders."""
        if not collection_id or not path:
            return
        others = [
            {"collection_id": p.collection_id, "collection_name": p.collection_name, "path": p.path}
            for p in self.recent_places
            if (p.collection_id, p.path) != (collection_id, path)
        ]
        place = {"collection_id": collection_id, "collection_name": collection_name, "path": path}
        self.data["recent_places"] = [place, *others][:RECENT_PLACES_LIMIT]
        self.save()

    def pane_place(self, side: str) -> PanePlace | None:
        """Where the ``side`` pane was when gtui last listed a folder in it."""
        value = self.data.get("panes")
        place = value.get(side) if isinstance(value, dict) else None
        if not isinstance(place, dict):
            return None
        collection_id, path = place.get("collection_id"), place.get("path")
        if isinstance(collection_id, str) and collection_id and isinstance(path, str) and path:
            return PanePlace(collection_id, path)
        return None

    def remember_listing(self, side: str, collection_id: str, name: str, path: str) -> None:
        """A pane listed ``path``: it reopens there, and quick jump offers it (one write)."""
        panes = self.data.get("panes")
        panes = dict(panes) if isinstance(panes, dict) else {}
        panes[side] = {"collection_id": collection_id, "path": path}
        self.data["panes"] = panes
        self.remember_place(collection_id, name, path)

    def submitted_items(self, task_id: str) -> dict[str, Any] | None:
        """The document gtui submitted for a task (so "resubmit" can send the same items)."""
        value = self.data.get("submitted", {})
        doc = value.get(task_id) if isinstance(value, dict) else None
        return doc if isinstance(doc, dict) else None

    def remember_submission(self, task_id: str, document: dict[str, Any]) -> None:
        submitted = self.data.get("submitted")
        if not isinstance(submitted, dict):
            submitted = {}
        submitted[task_id] = document
        while len(submitted) > SUBMITTED_LIMIT:
            submitted.pop(next(iter(submitted)))
        self.data["submitted"] = submitted
        self.save()

    @property
    def total_bytes(self) -> dict[str, int]:
        """The known total size of tasks gtui submitted, by task id."""
        value = self.data.get("total_bytes")
        if not isinstance(value, dict):
            return {}
        return {
            task_id: size
            for task_id, size in value.items()
            if isinstance(task_id, str) and type(size) is int and size > 0
        }

    def remember_total_bytes(self, task_id: str, total: int) -> None:
        totals = self.total_bytes
        totals.pop(task_id, None)
        totals[task_id] = total
        while len(totals) > SUBMITTED_LIMIT:
            totals.pop(next(iter(totals)))
        self.data["total_bytes"] = totals
        self.save()

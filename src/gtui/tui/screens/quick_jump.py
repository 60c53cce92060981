"""Quick jump: a palette that matches bookmarks, recent collections and recent folders as you
type, and opens the choice in the focused pane.

Recent folders are remembered in the app's state file (no credentials, just ids and paths)
each time a pane lists one.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from textual.command import CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.markup import escape

from gtui.core.errors import GlobusError
from gtui.tui.screens.bookmarks import collection_names, load_bookmarks, open_in_pane

RECENT_PLACES_KEY = "recent_places"
RECENT_PLACES_LIMIT = 30
PLACEHOLDER = "Jump to a bookmark, a recent collection or a recent folder…"


@dataclass(frozen=True)
class JumpTarget:
    """One place to jump to, and how it is shown."""

    kind: str
    label: str
    collection_id: str
    path: str | None

    @property
    def text(self) -> str:
        return f"{self.kind}: {self.label}"


def recent_places(app: Any) -> list[dict[str, str]]:
    value = app.state.data.get(RECENT_PLACES_KEY)
    if not isinstance(value, list):
        return []
    return [p for p in value if isinstance(p, dict) and isinstance(p.get("collection_id"), str)]


def remember_place(app: Any, collection: Any, path: str) -> None:
    """A pane listed ``path`` on ``collection``: put it first among the recent folders."""
    if collection is None or not path:
        return
    place = {"collection_id": collection.id, "collection_name": collection.display_name}
    place["path"] = path
    key = (collection.id, path)
    others = [p for p in recent_places(app) if (p["collection_id"], p.get("path")) != key]
    app.state.data[RECENT_PLACES_KEY] = [place, *others][:RECENT_PLACES_LIMIT]
    app.state.save()


async def jump_targets(app: Any) -> list[JumpTarget]:
    """Bookmarks first, then recent folders, then recent collections."""
    targets: list[JumpTarget] = []
    try:
        bookmarks = await load_bookmarks(app)
    except GlobusError as exc:
        app.report_error(exc, "Loading bookmarks")
        bookmarks = []
    places = recent_places(app)
    known = {p["collection_id"]: p.get("collection_name", "") for p in places}
    wanted = [b.endpoint_id for b in bookmarks] + list(app.state.recent_collections)
    missing = [c for c in wanted if not known.get(c)]
    known.update(await collection_names(app, missing) if missing else {})
    for bookmark in bookmarks:
        where = f"{known.get(bookmark.endpoint_id, bookmark.endpoint_id)}:{bookmark.path}"
        label = f"{bookmark.name}  ({where})"
        targets.append(JumpTarget("Bookmark", label, bookmark.endpoint_id, bookmark.path))
    for place in places:
        name = place.get("collection_name") or place["collection_id"]
        label = f"{name}:{place.get('path')}"
        targets.append(JumpTarget("Folder", label, place["collection_id"], place["path"]))
    for collection_id in app.state.recent_collections:
        targets.append(
            JumpTarget("Collection", known.get(collection_id, collection_id), collection_id, None)
        )
    return targets


class QuickJumpProvider(Provider):
    """Command-palette entries for every place the user has been or bookmarked."""

    async def startup(self) -> None:
        self.targets = await jump_targets(self.app)

    def _open(self, target: JumpTarget) -> None:
        open_in_pane(self.app, target.collection_id, target.path or "/~/")

    async def discover(self) -> Hits:
        for target in self.targets:
            yield DiscoveryHit(escape(target.text), partial(self._open, target))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for target in self.targets:
            score = matcher.match(target.text)
            if score > 0:
                yield Hit(
                    score, matcher.highlight(escape(target.text)), partial(self._open, target)
                )


def open_quick_jump(app: Any) -> None:
    """Show the quick-jump palette."""
    if not isinstance(app.screen, CommandPalette):
        app.push_screen(CommandPalette(providers=[QuickJumpProvider], placeholder=PLACEHOLDER))

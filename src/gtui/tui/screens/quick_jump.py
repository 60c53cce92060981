"""Quick jump: a palette that matches bookmarks, recent collections and recent folders as you
type, and opens the choice in the focused pane.

Recent folders are remembered in the app's state file (no credentials, just ids and paths)
each time a pane lists one.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from textual.app import App
from textual.command import CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.markup import escape

from gtui.core.errors import GlobusError
from gtui.core.models import Bookmark
from gtui.tui.context import Gtui, gtui
from gtui.tui.screens.bookmarks import collection_names, load_bookmarks

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


async def jump_targets(app: Gtui) -> list[JumpTarget]:
    """Bookmarks first, then recent folders, then recent collections."""
    targets: list[JumpTarget] = []
    bookmarks: list[Bookmark] = []
    try:
        bookmarks = await load_bookmarks(app.session)
    except GlobusError as exc:
        app.report_error(exc, "Loading bookmarks")
    places = app.state.recent_places
    known = {p.collection_id: p.collection_name for p in places}
    wanted = [b.endpoint_id for b in bookmarks] + list(app.state.recent_collections)
    missing = [c for c in wanted if not known.get(c)]
    known.update(await collection_names(app.session, missing) if missing else {})
    for bookmark in bookmarks:
        where = f"{known.get(bookmark.endpoint_id, bookmark.endpoint_id)}:{bookmark.path}"
        label = f"{bookmark.name}  ({where})"
        targets.append(JumpTarget("Bookmark", label, bookmark.endpoint_id, bookmark.path))
    for place in places:
        name = place.collection_name or place.collection_id
        targets.append(
            JumpTarget("Folder", f"{name}:{place.path}", place.collection_id, place.path)
        )
    for collection_id in app.state.recent_collections:
        targets.append(
            JumpTarget("Collection", known.get(collection_id, collection_id), collection_id, None)
        )
    return targets


class QuickJumpProvider(Provider):
    """Command-palette entries for every place the user has been or bookmarked."""

    async def startup(self) -> None:
        self.targets = await jump_targets(gtui(self.screen))

    def _open(self, target: JumpTarget) -> None:
        gtui(self.screen).open_place(target.collection_id, target.path or "/~/")

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


def open_quick_jump(app: App[Any]) -> None:
    """Show the quick-jump palette."""
    if not isinstance(app.screen, CommandPalette):
        app.push_screen(CommandPalette(providers=[QuickJumpProvider], placeholder=PLACEHOLDER))

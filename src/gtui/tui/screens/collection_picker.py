"""Choosing a collection: Recent, Bookmarks, My collections, Shared with me, Shared by me,
Search all."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static, TabbedContent, TabPane
from textual.widgets.option_list import Option

from gtui.core.errors import GlobusError
from gtui.core.models import Bookmark, Collection
from gtui.tui.context import gtui

TABS = (
    ("recent", "Recent"),
    ("bookmarks", "Bookmarks"),
    ("mine", "My collections"),
    ("shared", "Shared with me"),
    ("sharing", "Shared by me"),
    ("search", "Search all"),
)
SCOPES = {
    "recent": "recently-used",
    "mine": "my-endpoints",
    "shared": "shared-with-me",
    "sharing": "shared-by-me",
}
SEARCH_DELAY = 0.3
NAME_WIDTH = 32
KIND_WIDTH = 14


@dataclass(frozen=True)
class PickedCollection:
    """The choice: a collection, and a path when it came from a bookmark."""

    collection_id: str
    path: str | None = None


@dataclass(frozen=True)
class _Row:
    key: str
    collection_id: str
    text: str
    path: str | None
    prompt: Text


def _row_for(collection: Collection) -> _Row:
    prompt = Text()
    prompt.append(collection.display_name[:NAME_WIDTH].ljust(NAME_WIDTH + 1), style="bold")
    prompt.append(collection.kind[:KIND_WIDTH].ljust(KIND_WIDTH + 1), style="italic")
    prompt.append(collection.owner_string or "", style="dim")
    text = f"{collection.display_name} {collection.kind} {collection.owner_string or ''}"
    return _Row(collection.id, collection.id, text, None, prompt)


def _row_for_bookmark(bookmark: Bookmark, collection_name: str) -> _Row:
    prompt = Text()
    prompt.append(bookmark.name[:NAME_WIDTH].ljust(NAME_WIDTH + 1), style="bold")
    prompt.append(f"{collection_name}:{bookmark.path}", style="dim")
    text = f"{bookmark.name} {collection_name} {bookmark.path}"
    return _Row(bookmark.id, bookmark.endpoint_id, text, bookmark.path, prompt)


class CollectionPickerScreen(ModalScreen[PickedCollection | None]):
    """Pick where a pane goes; typing narrows the list (or searches, on Search all)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="picker_cancel"),
        Binding("tab", "next_tab", "Next tab", priority=True, id="picker_next_tab"),
        Binding(
            "shift+tab", "previous_tab", "Previous tab", priority=True, id="picker_previous_tab"
        ),
        Binding("down", "to_list", "List", show=False, id="picker_list"),
    ]

    def __init__(self, side: str = "left") -> None:
        super().__init__(classes="dialog-screen")
        self.side = side
        self.rows: dict[str, list[_Row]] = {key: [] for key, _ in TABS}
        self.loaded: set[str] = set()

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog picker"):
            yield Label(f"Choose a collection for the {self.side} pane", classes="dialog-title")
            yield Input(placeholder="type to narrow; on Search all, to search", id="picker-query")
            with TabbedContent(id="picker-tabs"):
                for key, title in TABS:
                    with TabPane(title, id=f"tab-{key}"):
                        yield OptionList(id=f"list-{key}")
            yield Static("", id="picker-status", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self.load_lists()

    # -- loading ----------------------------------------------------------------------------

    @work(group="picker-load", exclusive=True, exit_on_error=False)
    async def load_lists(self) -> None:
        await asyncio.gather(
            self._load_recent(),
            self._load_bookmarks(),
            self._load_scope("mine"),
            self._load_scope("shared"),
            self._load_scope("sharing"),
        )

    async def _search(self, **params: Any) -> list[Collection]:
        client = gtui(self).session.transfer
        return [
            Collection.from_api(doc)
            async for doc in client.paginated.endpoint_search(**params).items()
        ]

    async def _load_scope(self, key: str) -> None:
        try:
            found = await self._search(filter_scope=SCOPES[key])
        except GlobusError as exc:
            self._failed(key, exc)
            return
        self._fill(key, [_row_for(c) for c in found])

    async def _load_recent(self) -> None:
        app = gtui(self)
        rows: dict[str, _Row] = {}
        try:
            for collection_id in app.state.recent_collections[:10]:
                doc = await app.session.transfer.get_endpoint(collection_id)
                rows[collection_id] = _row_for(Collection.from_api(doc.document()))
            for collection in await self._search(filter_scope=SCOPES["recent"]):
                rows.setdefault(collection.id, _row_for(collection))
        except GlobusError as exc:
            self._failed("recent", exc)
        self._fill("recent", list(rows.values()))

    async def _load_bookmarks(self) -> None:
        app = gtui(self)
        try:
            response = await app.session.transfer.bookmark_list()
            bookmarks = [Bookmark.from_api(doc) for doc in response]
            names: dict[str, str] = {}
            for bookmark in bookmarks:
                if bookmark.endpoint_id not in names:
                    doc = await app.session.transfer.get_endpoint(bookmark.endpoint_id)
                    names[bookmark.endpoint_id] = Collection.from_api(doc.document()).display_name
        except GlobusError as exc:
            self._failed("bookmarks", exc)
            return
        self._fill("bookmarks", [_row_for_bookmark(b, names[b.endpoint_id]) for b in bookmarks])

    def _failed(self, key: str, exc: BaseException) -> None:
        gtui(self).report_error(exc, f"Loading {dict(TABS)[key]}")
        self.query_one(f"#list-{key}", OptionList).clear_options()

    def _fill(self, key: str, rows: list[_Row]) -> None:
        self.rows[key] = rows
        self.loaded.add(key)
        self._show(key)

    def _show(self, key: str) -> None:
        query = self.query_one(Input).value.strip().casefold()
        rows = self.rows[key]
        if query and key != "search":
            rows = [r for r in rows if query in r.text.casefold()]
        option_list = self.query_one(f"#list-{key}", OptionList)
        option_list.clear_options()
        option_list.add_options([Option(r.prompt, id=r.key) for r in rows])
        if rows:
            option_list.highlighted = 0
        if key == self._current_key():
            self._status(key, len(rows))

    def _status(self, key: str, count: int) -> None:
        if key == "search" and not self.query_one(Input).value.strip():
            text = "Type a name or keyword to search every collection."
        elif key not in self.loaded:
            text = "Loading…"
        else:
            text = f"{count:,} collection{'s' if count != 1 else ''}"
        self.query_one("#picker-status", Static).update(text)

    def _current_key(self) -> str:
        active = self.query_one(TabbedContent).active or "tab-recent"
        return active.removeprefix("tab-")

    # -- typing -----------------------------------------------------------------------------

    @on(Input.Changed, "#picker-query")
    def _query_changed(self) -> None:
        for key, _ in TABS:
            if key != "search":
                self._show(key)
        if self.query_one(Input).value.strip():
            self.search_all()
        else:
            self._fill("search", [])

    @work(group="picker-search", exclusive=True, exit_on_error=False)
    async def search_all(self) -> None:
        await asyncio.sleep(SEARCH_DELAY)
        text = self.query_one(Input).value.strip()
        try:
            found = await self._search(filter_fulltext=text, filter_scope="all")
        except GlobusError as exc:
            self._failed("search", exc)
            return
        if text == self.query_one(Input).value.strip():
            self._fill("search", [_row_for(c) for c in found])

    @on(TabbedContent.TabActivated)
    def _tab_changed(self) -> None:
        key = self._current_key()
        self._status(key, self.query_one(f"#list-{key}", OptionList).option_count)

    # -- choosing ---------------------------------------------------------------------------

    @on(Input.Submitted, "#picker-query")
    def _choose_highlighted(self, event: Input.Submitted) -> None:
        event.stop()
        key = self._current_key()
        option_list = self.query_one(f"#list-{key}", OptionList)
        if option_list.highlighted is not None:
            self._choose(key, option_list.get_option_at_index(option_list.highlighted).id)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._choose(self._current_key(), event.option.id)

    def _choose(self, key: str, row_key: str | None) -> None:
        for row in self.rows[key]:
            if row.key == row_key:
                self.dismiss(PickedCollection(row.collection_id, row.path))
                return

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_next_tab(self) -> None:
        self._step(1)

    def action_previous_tab(self) -> None:
        self._step(-1)

    def _step(self, delta: int) -> None:
        keys = [key for key, _ in TABS]
        index = (keys.index(self._current_key()) + delta) % len(keys)
        self.query_one(TabbedContent).active = f"tab-{keys[index]}"

    def action_to_list(self) -> None:
        self.query_one(f"#list-{self._current_key()}", OptionList).focus()

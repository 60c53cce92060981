"""The search mode: query a Globus Search index, page through hits, narrow them by facet.

A hit whose subject names a collection and a path (``globus://<collection>/<path>``, the
convention of Globus data portals) opens in the focused browse pane, on that file. Hits show
where they live by the collection's name ("HPC Cluster Scratch:/path/file"), asked of Transfer
once per collection while the screen is open.
"""

from __future__ import annotations

import asyncio
import urllib.parse
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Input, OptionList, Select, Static
from textual.widgets.option_list import Option

from gtui.core.errors import GlobusError
from gtui.core.models import Collection, SearchHit
from gtui.core.search import SearchQuery
from gtui.tui.context import gtui
from gtui.tui.error_text import describe_error
from gtui.tui.format import middle_ellipsis
from gtui.tui.widgets.checkbox import Checkbox
from gtui.tui.widgets.key_bar import KeyBar
from gtui.tui.widgets.title_bar import TitleBar

PAGE_SIZE = 10
FACETS = (("Collection", "collection_name"), ("Type", "extension"), ("Project", "project"))
PREVIEW_WIDTH = 110
REMOVE = "remove\t"


@dataclass(frozen=True)
class Place:
    """A collection and a path a search hit points at."""

    collection_id: str
    path: str


def place_of(hit: SearchHit) -> Place | None:
    """Where a hit lives, from ``globus://<collection>/<path>`` or its content's fields."""
    content = hit.content
    if isinstance(content.get("collection_id"), str) and isinstance(content.get("path"), str):
        return Place(content["collection_id"], content["path"])
    parts = urllib.parse.urlsplit(hit.subject)
    if parts.scheme == "globus" and parts.netloc:
        return Place(parts.netloc, urllib.parse.unquote(parts.path) or "/")
    return None


def index_choices(configured: list[str]) -> list[str]:
    """The configured indexes (the demo's is added at launch), each once."""
    return list(dict.fromkeys(i.strip() for i in configured if i.strip()))


def build_query(
    text: str, *, advanced: bool, offset: int, filters: list[tuple[str, str]]
) -> SearchQuery:
    """The query document: text, one page, the facets shown beside, the chosen filters."""
    query = SearchQuery(text.strip() or "*", limit=PAGE_SIZE, offset=offset, advanced=advanced)
    for name, field in FACETS:
        query.add_facet(name, field, size=8)
    for field, value in filters:
        query.add_filter(field, [value])
    return query


def hit_location(hit: SearchHit, names: dict[str, str]) -> str:
    """Where a hit lives, ``<collection name>:<path>``; its subject when it names no place.

    The name is Transfer's (``names``), else the one the index stored, else the id, shortened.
    """
    place = place_of(hit)
    if place is None:
        return hit.subject
    stored = hit.content.get("collection_name")
    name = (
        names.get(place.collection_id)
        or (stored if isinstance(stored, str) and stored else None)
        or middle_ellipsis(place.collection_id, 13)
    )
    return middle_ellipsis(f"{name}:{place.path}", PREVIEW_WIDTH)


def hit_prompt(hit: SearchHit, names: dict[str, str] | None = None) -> Text:
    text = Text()
    text.append(hit.title, style="bold")
    text.append("\n" + hit_location(hit, names or {}), style="dim")
    preview = hit.preview
    if len(preview) > PREVIEW_WIDTH:
        preview = preview[: PREVIEW_WIDTH - 1] + "…"
    if preview:
        text.append("\n" + preview)
    return text


class SearchScreen(Screen[None]):
    """Index, query and advanced switch on top; hits on the left, facets on the right."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_query", "Query", id="search_focus_query"),
        Binding("right_square_bracket", "page(1)", "Next page", id="search_next_page"),
        Binding("left_square_bracket", "page(-1)", "Previous page", id="search_previous_page"),
        Binding("f", "focus_facets", "Facets", id="search_focus_facets"),
        Binding("ctrl+r", "run_search", "Search again", show=False, id="search_again"),
    ]

    def __init__(self) -> None:
        super().__init__(id="search")
        self.page_offset = 0
        self.total = 0
        self.has_next = False
        self.filters: list[tuple[str, str]] = []
        self.hits: list[SearchHit] = []
        self.index_ids: list[str] = []
        self.indexes_named = False
        self.index_id = ""
        # Collection id → display name ("" once a lookup failed), for this screen's life.
        self.collection_names: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        indexes = index_choices(gtui(self).settings.search.indexes)
        self.index_ids = indexes
        self.index_id = indexes[0] if indexes else ""
        yield TitleBar()
        with Horizontal(id="search-bar"):
            yield Select(
                [(i, i) for i in indexes],
                value=indexes[0] if indexes else Select.BLANK,
                allow_blank=not indexes,
                prompt="no index configured",
                id="search-index",
            )
            yield Input(placeholder="search… (Enter)", id="search-query")
            yield Checkbox("Advanced", id="search-advanced")
        yield Static("Type a query and press Enter.", id="search-status", markup=False)
        with Horizontal(id="search-body"):
            yield OptionList(id="search-results")
            with Vertical(id="search-side"):
                yield Static("Filters", classes="section-title")
                yield OptionList(id="search-facets")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#search-query", Input).focus()
        if not self.index_ids:
            self.query_one("#search-status", Static).update(
                "No search index is configured: add index ids to [search] indexes in config.toml."
            )
            return
        self.name_indexes()

    @work(group="search-index-names", exit_on_error=False)
    async def name_indexes(self) -> None:
        """Show index names instead of ids once the service says what they are called."""
        old = self.query_one("#search-index", Select)
        named = []
        for index_id in self.index_ids:
            try:
                doc = await gtui(self).session.search.get_index(index_id)
                named.append((doc.get("display_name") or index_id, index_id))
            except GlobusError:
                named.append((index_id, index_id))
        select = Select(named, value=old.value, allow_blank=False, id="search-index")
        await old.remove()
        await self.query_one("#search-bar", Horizontal).mount(select, before=0)
        self.indexes_named = True

    # -- searching --------------------------------------------------------------------------

    @on(Input.Submitted, "#search-query")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.page_offset = 0
        self.action_run_search()

    @on(Select.Changed, "#search-index")
    def _index_changed(self, event: Select.Changed) -> None:
        if event.value != self.index_id:
            self.index_id = str(event.value)
            self._settings_changed()

    @on(Checkbox.Changed, "#search-advanced")
    def _settings_changed(self) -> None:
        if self.query_one("#search-query", Input).value.strip():
            self.page_offset = 0
            self.filters = []
            self.action_run_search()

    @work(group="search", exclusive=True, exit_on_error=False)
    async def action_run_search(self) -> None:
        app = gtui(self)
        if not self.index_ids:
            return
        index_id = str(self.query_one("#search-index", Select).value)
        text = self.query_one("#search-query", Input).value
        advanced = self.query_one("#search-advanced", Checkbox).value
        query = build_query(text, advanced=advanced, offset=self.page_offset, filters=self.filters)
        status = self.query_one("#search-status", Static)
        status.update("Searching…")
        try:
            response = await app.session.search.post_search(index_id, query)
            hits = [SearchHit.from_api(doc) for doc in response.documents("gmeta")]
        except GlobusError as exc:
            status.update(describe_error(exc, "Searching").partition("\n")[0])
            app.report_error(exc, "Searching")
            return
        await self.name_collections(hits)
        self.hits = hits
        self.total = int(response.get("total") or 0)
        self.has_next = bool(response.get("has_next_page"))
        self.show_hits()
        self.show_facets(response.get("facet_results") or [])

    async def name_collections(self, hits: list[SearchHit]) -> None:
        """Ask Transfer, once per collection, for the names of the collections hits live on."""
        places = (place_of(hit) for hit in hits)
        wanted = {p.collection_id for p in places if p is not None} - set(self.collection_names)
        transfer = gtui(self).session.transfer

        async def name_of(collection_id: str) -> tuple[str, str]:
            try:
                doc = (await transfer.get_endpoint(collection_id)).document()
            except GlobusError:
                return collection_id, ""
            return collection_id, Collection.from_api(doc).display_name

        found = await asyncio.gather(*(name_of(c) for c in sorted(wanted)))
        self.collection_names.update(found)

    def show_hits(self) -> None:
        results = self.query_one("#search-results", OptionList)
        results.clear_options()
        names = self.collection_names
        results.add_options(
            [Option(hit_prompt(h, names), id=str(n)) for n, h in enumerate(self.hits)]
        )
        if self.hits:
            results.highlighted = 0
            if isinstance(self.focused, Input):
                results.focus()
        pages = max(1, -(-self.total // PAGE_SIZE))
        page = self.page_offset // PAGE_SIZE + 1
        if not self.hits:
            text = "No results."
        else:
            last = self.page_offset + len(self.hits)
            text = f"{self.page_offset + 1}–{last} of {self.total:,} · page {page} of {pages}"
            text += "  ([ ] page · Enter opens a hit in the focused pane · / edits the query)"
        if self.filters:
            text += " · filtered by " + ", ".join(f"{f}={v}" for f, v in self.filters)
        self.query_one("#search-status", Static).update(text)

    def show_facets(self, facet_results: list[Any]) -> None:
        facets = self.query_one("#search-facets", OptionList)
        facets.clear_options()
        options: list[Option | None] = []
        for chosen, value in self.filters:
            options.append(Option(Text(f"✕ {chosen}: {value}", style="bold"), id=REMOVE + chosen))
        if self.filters:
            options.append(None)
        fields = {name: field for name, field in FACETS}
        for facet in facet_results:
            name = facet.get("name", "")
            field = fields.get(name)
            buckets = [b for b in facet.get("buckets", []) if isinstance(b, dict)]
            if field is None or not buckets:
                continue
            options.append(Option(Text(name, style="bold underline"), disabled=True))
            for bucket in buckets:
                value = str(bucket.get("value"))
                label = Text(f"  {value or '(none)'} ")
                label.append(f"({bucket.get('count', 0)})", style="dim")
                options.append(Option(label, id=f"{field}\t{value}"))
        facets.add_options(options)

    # -- narrowing and paging ---------------------------------------------------------------

    @on(OptionList.OptionSelected, "#search-facets")
    def _facet_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        key = event.option.id or ""
        if key.startswith(REMOVE):
            field = key.removeprefix(REMOVE)
            self.filters = [(f, v) for f, v in self.filters if f != field]
        else:
            field, _, value = key.partition("\t")
            self.filters = [(f, v) for f, v in self.filters if f != field] + [(field, value)]
        self.page_offset = 0
        self.action_run_search()

    def action_page(self, step: int) -> None:
        if step > 0 and not self.has_next:
            self.notify("This is the last page.", timeout=2)
            return
        if step < 0 and self.page_offset == 0:
            self.notify("This is the first page.", timeout=2)
            return
        self.page_offset = max(0, self.page_offset + step * PAGE_SIZE)
        self.action_run_search()

    def action_focus_query(self) -> None:
        self.query_one("#search-query", Input).focus()

    def action_focus_facets(self) -> None:
        self.query_one("#search-facets", OptionList).focus()

    # -- opening a hit ----------------------------------------------------------------------

    @on(OptionList.OptionSelected, "#search-results")
    def _hit_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        hit = self.hits[int(event.option.id or 0)]
        place = place_of(hit)
        if place is None:
            self.notify("This result names no collection and path.", severity="warning")
            return
        gtui(self).open_place(place.collection_id, place.path)

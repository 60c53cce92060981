"""Globus bookmarks: list, add the focused pane's folder, rename, delete, open in the pane.

Bookmarks live at Globus (Transfer's bookmark API), so the same list shows in the web app,
in globus-cli and in the collection picker's Bookmarks tab.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.dom import DOMNode
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from gtui.core.errors import GlobusError
from gtui.core.models import Bookmark, Collection
from gtui.core.session import GlobusSession
from gtui.tui.context import gtui
from gtui.tui.screen_wait import wait_for_screen
from gtui.tui.screens.confirm import ConfirmScreen
from gtui.tui.screens.prompt import PromptScreen

NAME_WIDTH = 28


def bookmark_name_problem(value: str) -> str | None:
    """Why a bookmark name is not acceptable, or None."""
    if not value.strip():
        return "A bookmark needs a name."
    if len(value) > 128:
        return "Keep the name under 128 characters."
    return None


async def collection_names(session: GlobusSession, ids: list[str]) -> dict[str, str]:
    """Display names of collections, each asked once (unreachable ones keep their id)."""
    names: dict[str, str] = {}
    for collection_id in dict.fromkeys(ids):
        try:
            doc = await session.transfer.get_endpoint(collection_id)
            names[collection_id] = Collection.from_api(doc.document()).display_name
        except GlobusError:
            names[collection_id] = collection_id
    return names


async def load_bookmarks(session: GlobusSession) -> list[Bookmark]:
    response = await session.transfer.bookmark_list()
    return sorted((Bookmark.from_api(doc) for doc in response), key=lambda b: b.name.casefold())


async def add_bookmark_here(node: DOMNode) -> Bookmark | None:
    """Ask for a name and bookmark the focused pane's folder."""
    app = gtui(node)
    place = app.current_folder()
    if place is None:
        node.app.notify("Open a folder in a pane first, then bookmark it.", severity="warning")
        return None
    collection, path = place
    folder = path.rstrip("/").rsplit("/", 1)[-1] or collection.display_name
    name = await wait_for_screen(
        node.app,
        PromptScreen(
            f"Bookmark {collection.display_name}:{path}",
            value=folder,
            hint="Bookmarks are saved at Globus and show in the web app too.",
            check=bookmark_name_problem,
        ),
    )
    if not name:
        return None
    try:
        response = await app.session.transfer.create_bookmark(
            {"name": name.strip(), "endpoint_id": collection.id, "path": path}
        )
        bookmark = Bookmark.from_api(response.document())
    except GlobusError as exc:
        app.report_error(exc, "Creating the bookmark")
        return None
    node.app.notify(
        f"Bookmarked {collection.display_name}:{path} as “{name.strip()}”.", timeout=3, markup=False
    )
    return bookmark


class BookmarksScreen(ModalScreen[None]):
    """The user's bookmarks; Enter opens one in the focused pane."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="bookmarks_close"),
        Binding("n", "add", "Bookmark this folder", id="bookmarks_add"),
        Binding("f2,r", "rename", "Rename", id="bookmarks_rename"),
        Binding("delete,d", "delete", "Delete", id="bookmarks_delete"),
    ]

    def __init__(self) -> None:
        super().__init__(classes="dialog-screen", id="bookmarks")
        self.bookmarks: list[Bookmark] = []
        self.names: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog picker bookmarks"):
            yield Label("Bookmarks", classes="dialog-title")
            yield OptionList(id="bookmark-list")
            yield Static(
                "Enter open · n bookmark the focused folder · F2 rename · Delete remove",
                id="bookmarks-status",
                classes="dialog-hint",
            )

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self.reload()

    @work(group="bookmarks-load", exclusive=True, exit_on_error=False)
    async def reload(self, select: str | None = None) -> None:
        app = gtui(self)
        try:
            self.bookmarks = await load_bookmarks(app.session)
        except GlobusError as exc:
            app.report_error(exc, "Loading bookmarks")
            return
        missing = [b.endpoint_id for b in self.bookmarks if b.endpoint_id not in self.names]
        self.names.update(await collection_names(app.session, missing))
        self.show(select)

    def show(self, select: str | None = None) -> None:
        option_list = self.query_one(OptionList)
        highlighted = self.selected()
        keep = select or (highlighted.id if highlighted else None)
        option_list.clear_options()
        for bookmark in self.bookmarks:
            prompt = Text()
            prompt.append(bookmark.name[:NAME_WIDTH].ljust(NAME_WIDTH + 1), style="bold")
            collection = self.names.get(bookmark.endpoint_id, bookmark.endpoint_id)
            prompt.append(f"{collection}:{bookmark.path}", style="dim")
            option_list.add_option(Option(prompt, id=bookmark.id))
        ids = [b.id for b in self.bookmarks]
        if ids:
            option_list.highlighted = ids.index(keep) if keep in ids else 0
        if not ids:
            self.query_one("#bookmarks-status", Static).update(
                "No bookmarks yet: press n to bookmark the focused pane's folder."
            )

    def selected(self) -> Bookmark | None:
        option_list = self.query_one(OptionList)
        index = option_list.highlighted
        if index is None or not 0 <= index < len(self.bookmarks):
            return None
        option_id = option_list.get_option_at_index(index).id
        return next((b for b in self.bookmarks if b.id == option_id), None)

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        bookmark = next((b for b in self.bookmarks if b.id == event.option.id), None)
        if bookmark is not None:
            self.dismiss(None)
            gtui(self).open_place(bookmark.endpoint_id, bookmark.path)

    @work(group="bookmarks-action", exclusive=True, exit_on_error=False)
    async def action_add(self) -> None:
        created = await add_bookmark_here(self)
        if created is not None:
            self.reload(select=created.id)

    @work(group="bookmarks-action", exclusive=True, exit_on_error=False)
    async def action_rename(self) -> None:
        bookmark = self.selected()
        if bookmark is None:
            return
        name = await wait_for_screen(
            self.app,
            PromptScreen(
                f"Rename “{bookmark.name}”", value=bookmark.name, check=bookmark_name_problem
            ),
        )
        if not name or name.strip() == bookmark.name:
            return
        app = gtui(self)
        try:
            await app.session.transfer.update_bookmark(bookmark.id, {"name": name.strip()})
        except GlobusError as exc:
            app.report_error(exc, "Renaming the bookmark")
            return
        self.notify(f"Renamed “{bookmark.name}” to “{name.strip()}”.", timeout=3, markup=False)
        self.reload(select=bookmark.id)

    @work(group="bookmarks-action", exclusive=True, exit_on_error=False)
    async def action_delete(self) -> None:
        bookmark = self.selected()
        if bookmark is None:
            return
        where = f"{self.names.get(bookmark.endpoint_id, bookmark.endpoint_id)}:{bookmark.path}"
        if not await wait_for_screen(
            self.app,
            ConfirmScreen(
                f"Delete the bookmark “{bookmark.name}”?",
                f"Only the bookmark goes; the folder {where} stays.",
                yes="Delete",
                no="Keep",
            ),
        ):
            return
        app = gtui(self)
        try:
            await app.session.transfer.delete_bookmark(bookmark.id)
        except GlobusError as exc:
            app.report_error(exc, "Deleting the bookmark")
            return
        self.notify(f"Deleted the bookmark “{bookmark.name}”.", timeout=3, markup=False)
        self.reload()

    def action_close(self) -> None:
        self.dismiss(None)

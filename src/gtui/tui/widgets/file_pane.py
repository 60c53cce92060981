"""One side of the browse screen: collection header, path bar, listing, filter and status.

The pane owns how its folder is viewed (sort key and direction, hidden files, filter text:
reactives with their keys bound here) and turns what happens inside it into requests the
screen answers with the network (``ListingRequested``, ``CompletionRequested``,
``CopyRequested``...). Each request carries the pane as its ``control``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.events import Click
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Input, Static

from gtui.core.models import Collection, FileEntry
from gtui.tui.arrange import SORT_KEYS, arrange, count_folders, is_dir
from gtui.tui.format import human_size, plural
from gtui.tui.listing import Listing
from gtui.tui.widgets.file_list import FileList
from gtui.tui.widgets.path_bar import PathBar

ARRANGE_IN_THREAD_ABOVE = 5_000
SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


def join(folder: str, name: str) -> str:
    """``/home/demo/`` + ``x`` → ``/home/demo/x``."""
    return folder.rstrip("/") + "/" + name


def parent_of(path: str) -> tuple[str, str]:
    """The parent folder of ``path`` and the name to put the cursor on there."""
    trimmed = path.rstrip("/")
    if not trimmed:
        return "/", ""
    head, _, name = trimmed.rpartition("/")
    return (head or "") + "/", name


class PaneHeader(Static):
    """The collection's name and kind; a click opens the collection picker."""

    @dataclass
    class Clicked(Message):
        header: PaneHeader

    def on_click(self, event: Click) -> None:
        event.stop()
        self.post_message(self.Clicked(self))


class FilterInput(Input):
    """The filter box: hands each new text to the pane in the keystroke's own step.

    Through the ``Changed`` message the narrowed list was repainted one frame after the
    typed letter (the pane's handler runs after the screen has drawn the box); called from
    the box's own value watcher, both reach the screen in the same frame.
    """

    def __init__(self, on_text: Callable[[str], None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._on_text = on_text

    def watch_value(self, value: str) -> None:
        self._on_text(value)


class FilePane(Vertical):
    """Holds a pane's place (collection, path) and view (order, filter) and shows its listing."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # Priority, as "g": the letters typed right after "/" all reach the filter box.
        Binding("slash", "filter", "Filter", priority=True, id="filter"),
        Binding("s", "sort_next", "Sort", id="sort"),
        Binding("S", "sort_reverse", "Reverse sort", show=False, id="sort_reverse"),
        Binding("full_stop", "toggle_hidden", "Hidden files", show=False, id="toggle_hidden"),
    ]

    sort_key: reactive[str] = reactive("name", init=False)
    reverse: reactive[bool] = reactive(False, init=False)
    show_hidden: reactive[bool] = reactive(False, init=False)
    filter_text: reactive[str] = reactive("", init=False)

    @dataclass
    class ListingRequested(Message):
        """List ``path`` in this pane; ``keep`` names the entry to put the cursor on."""

        pane: FilePane
        path: str
        keep: str | None = None

        @property
        def control(self) -> FilePane:
            return self.pane

    @dataclass
    class CollectionPickRequested(Message):
        """Choose another collection for this pane (its header was clicked)."""

        pane: FilePane

        @property
        def control(self) -> FilePane:
            return self.pane

    @dataclass
    class CompletionRequested(Message):
        """Tab in the path bar on a folder this pane has not listed: name its subfolders."""

        pane: FilePane
        folder: str
        prefix: str

        @property
        def control(self) -> FilePane:
            return self.pane

    @dataclass
    class CopyRequested(Message):
        """Entries of this pane were dragged onto the other pane."""

        pane: FilePane
        entries: list[FileEntry]

        @property
        def control(self) -> FilePane:
            return self.pane

    def __init__(self, side: str, *, id: str | None = None) -> None:
        super().__init__(id=id or side, classes="file-pane")
        self.side = side
        self.collection: Collection | None = None
        self.path = ""
        self.entries: Sequence[FileEntry] = ()
        # Not Textual's ``loading`` (which covers the whole pane with a loading indicator):
        # the pane keeps its frame and listing, and says it is fetching in its status line.
        self.fetching = False
        self.error: str | None = None
        self._spin = 0
        self._counts = (0, 0)
        self._spinner: Timer | None = None

    def compose(self) -> ComposeResult:
        yield PaneHeader("No collection — press o to choose one", classes="pane-header")
        yield PathBar(id=f"{self.side}-path")
        yield FileList(id=f"{self.side}-list")
        yield FilterInput(
            self._filter_typed,
            placeholder="filter: text or *.glob",
            id=f"{self.side}-filter",
            classes="filter",
        )
        yield Static("", classes="pane-status")

    @property
    def file_list(self) -> FileList:
        return self.query_one(FileList)

    @property
    def path_bar(self) -> PathBar:
        return self.query_one(PathBar)

    @property
    def status_text(self) -> str:
        return str(self.query_one(".pane-status", Static).render())

    # -- what the screen calls ------------------------------------------------------------

    def show_collection(self, collection: Collection) -> None:
        """Name the collection in the header (its listing follows separately)."""
        self.collection = collection
        header = Text(no_wrap=True, overflow="ellipsis")
        header.append(collection.display_name, style="bold")
        header.append(f" · {collection.kind}", style="italic")
        owner = collection.owner_string
        if owner:
            header.append(f" · owner {owner}", style="dim")
        self.query_one(PaneHeader).update(header)

    def show_loading(self, path: str) -> None:
        """Show the spinner; the listing stays until the new one arrives."""
        self.fetching = True
        self.error = None
        self.path_bar.show_path(path)
        if self._spinner is None:
            self._spinner = self.set_interval(0.1, self._tick)
        self._update_status()

    def show_listing(
        self, path: str, entries: Sequence[FileEntry], *, keep: str | None = None
    ) -> None:
        """Show a folder's listing; ``keep`` names the entry to put the cursor on."""
        same_folder = path == self.path
        self.path = path
        self.entries = entries
        self._stop_spinner()
        self.error = None
        self.path_bar.show_path(path)
        file_list = self.file_list
        if not same_folder:
            file_list.selected.clear()
            self.set_reactive(FilePane.filter_text, "")
            box = self.query_one(".filter", Input)
            box.value = ""
            box.display = False
        file_list.empty_text = "(empty folder)"
        if keep is None and same_folder:
            current = file_list.cursor_entry
            keep = current.name if current is not None else None
        self._arrange(listing=True, keep=keep)

    def show_error(self, message: str) -> None:
        """A listing failed: keep the old listing and place, say why in the status line."""
        self._stop_spinner()
        self.error = message
        self.path_bar.show_path(self.path)
        self._update_status()

    def complete_path(self, folder: str, prefix: str, names: Iterable[str]) -> None:
        """Tab completion's answer: the subfolders of ``folder``."""
        self.path_bar.complete_with(folder, prefix, names)

    def folder_names(self) -> list[str]:
        """Subfolder names of the current listing (for Tab completion)."""
        entries = self.entries
        if isinstance(entries, Listing):
            return [name for name, flag in zip(entries.names, entries.dirs, strict=True) if flag]
        return [entry.name for entry in entries if is_dir(entry)]

    def restore_place(self) -> None:
        """Focus the listing again after a dialog, unless the user has moved on meanwhile.

        A dialog's caller may resume well after the dialog closed (a transfer resumes once the
        submit is answered); by then Tab may have moved focus to the other pane, and taking it
        back would send the next key to the wrong pane.
        """
        screen = self.screen
        if screen is not self.app.screen:
            return
        focused = screen.focused
        if focused is None or focused is self.file_list or self in focused.ancestors:
            self.file_list.focus()

    # -- the view's keys ------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # A text field types "/" itself. Textual leaves a priority "slash" binding active over
        # one (its key-to-character table has no entry for "slash"), so say so here.
        return not (action == "filter" and isinstance(self.screen.focused, Input))

    def action_sort_next(self) -> None:
        self.sort_key = SORT_KEYS[(SORT_KEYS.index(self.sort_key) + 1) % len(SORT_KEYS)]
        self.notify(f"Sorted by {self.sort_key}", timeout=1.5)

    def action_sort_reverse(self) -> None:
        self.reverse = not self.reverse

    def action_toggle_hidden(self) -> None:
        self.show_hidden = not self.show_hidden
        self.notify(
            "Hidden files shown" if self.show_hidden else "Hidden files hidden", timeout=1.5
        )

    def action_filter(self) -> None:
        """Open the filter box ("filter as you type")."""
        box = self.query_one(".filter", Input)
        box.display = True
        box.value = self.filter_text
        # At once, so the letters typed right after "/" all reach the box.
        self.screen.set_focus(box)

    def watch_sort_key(self) -> None:
        self._arrange()

    def watch_reverse(self) -> None:
        self._arrange()

    def watch_show_hidden(self) -> None:
        self._arrange()

    def watch_filter_text(self) -> None:
        self._arrange()

    # -- sorting and filtering ------------------------------------------------------------

    def _arrange(self, *, listing: bool = False, keep: str | None = None) -> None:
        options: dict[str, Any] = {
            "sort_key": self.sort_key,
            "reverse": self.reverse,
            "filter_text": self.filter_text,
            "show_hidden": self.show_hidden,
        }
        entries = self.entries
        show_parent = self.path not in ("", "/")
        if len(entries) <= ARRANGE_IN_THREAD_ABOVE or (
            isinstance(entries, Listing) and entries.arranges_quickly(**options)
        ):
            self._install(entries, arrange(entries, **options), listing, show_parent, keep)
        else:
            self.run_worker(
                self._arrange_in_thread(entries, options, listing, show_parent, keep),
                group=f"arrange-{self.side}",
                exclusive=True,
                exit_on_error=False,
            )
        self._update_status()

    async def _arrange_in_thread(
        self,
        entries: Sequence[FileEntry],
        options: dict[str, Any],
        listing: bool,
        show_parent: bool,
        keep: str | None,
    ) -> None:
        view = await asyncio.to_thread(lambda: arrange(entries, **options))
        if entries is self.entries:
            self._install(entries, view, listing, show_parent, keep)

    def _install(
        self,
        entries: Sequence[FileEntry],
        view: list[int],
        listing: bool,
        show_parent: bool,
        keep: str | None,
    ) -> None:
        file_list = self.file_list
        if listing or file_list.entries is not entries:
            file_list.set_listing(entries, view, show_parent=show_parent, keep=keep)
        else:
            file_list.show_view(view, keep=keep)
        folders = count_folders(entries, view)
        self._counts = (folders, len(view) - folders)
        self._update_status()
        if listing and isinstance(entries, Listing) and not entries.compacted:
            self.call_after_refresh(self._compact, entries)

    def _compact(self, entries: Listing) -> None:
        """After the first frame: let the parsed response go (see ``Listing.compact``)."""
        self.run_worker(
            asyncio.to_thread(entries.compact), group=f"compact-{self.side}", exit_on_error=False
        )

    # -- what happens inside the pane -----------------------------------------------------

    @on(PaneHeader.Clicked)
    def _header_clicked(self) -> None:
        self.post_message(self.CollectionPickRequested(self))

    @on(FileList.OpenRequested)
    def _open_requested(self, event: FileList.OpenRequested) -> None:
        event.stop()
        if event.entry is None:
            folder, name = parent_of(self.path)
            if folder != self.path:
                self.post_message(self.ListingRequested(self, folder, keep=name))
        else:
            self.post_message(self.ListingRequested(self, join(self.path, event.entry.name) + "/"))

    @on(FileList.DropRequested)
    def _dropped(self, event: FileList.DropRequested) -> None:
        event.stop()
        if event.entries:
            self.post_message(self.CopyRequested(self, list(event.entries)))

    @on(Input.Changed, ".filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()  # the box has already handed its text to _filter_typed

    def _filter_typed(self, text: str) -> None:
        self.filter_text = text

    @on(Input.Submitted, ".filter")
    def _filter_done(self, event: Input.Submitted) -> None:
        event.stop()
        event.input.display = False
        self.file_list.focus()

    def key_escape(self) -> None:
        box = self.query_one(".filter", Input)
        if box.has_focus:
            box.value = ""
            box.display = False
            self.file_list.focus()

    @on(Input.Submitted, "PathBar")
    def _path_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        path = event.value.strip() or "/"
        self.post_message(self.ListingRequested(self, path if path.endswith("/") else path + "/"))
        self.file_list.focus()

    @on(PathBar.Cancelled)
    def _path_cancelled(self, event: PathBar.Cancelled) -> None:
        event.stop()
        self.file_list.focus()

    @on(PathBar.CompletionRequested)
    def _complete(self, event: PathBar.CompletionRequested) -> None:
        event.stop()
        if event.folder == self.path:
            self.complete_path(event.folder, event.prefix, self.folder_names())
        elif self.collection is not None:
            self.post_message(self.CompletionRequested(self, event.folder, event.prefix))

    @on(FileList.CursorMoved)
    def _cursor_moved(self) -> None:
        # A failed listing's message stays until the user moves on in the pane.
        if self.error and not self.fetching and self.file_list.has_focus:
            self.error = None
        self._update_status()

    # -- status line ----------------------------------------------------------------------

    def _tick(self) -> None:
        self._spin = (self._spin + 1) % len(SPINNER)
        self._update_status()

    def _stop_spinner(self) -> None:
        self.fetching = False
        if self._spinner is not None:
            self._spinner.stop()
            self._spinner = None

    def _update_status(self) -> None:
        if not self.is_mounted:
            return
        status = Text()
        if self.fetching:
            status.append(f"{SPINNER[self._spin]} loading… ", style="bold")
        if self.error:
            status.append(self.error, style="bold red")
            self.query_one(".pane-status", Static).update(status)
            return
        shown = self.file_list
        if shown.entries is not self.entries:
            # A big listing is being sorted in a thread: its counts are not known yet.
            status.append(f"sorting {plural(len(self.entries), 'entry', 'entries')}…")
            self.query_one(".pane-status", Static).update(status)
            return
        folders, files = self._counts
        counts = [plural(n, noun) for n, noun in ((folders, "folder"), (files, "file")) if n]
        status.append(", ".join(counts) or "nothing shown")
        hidden = len(self.entries) - len(shown.view)
        if hidden and not self.filter_text:
            status.append(f" ({hidden:,} hidden)", style="dim")
        chosen = shown.selected_entries() if shown.selected else []
        if chosen:
            size = sum(e.size or 0 for e in chosen if not is_dir(e))
            status.append(f" · {len(chosen):,} selected ({human_size(size)})", style="bold")
        arrow = "↓" if self.reverse else "↑"
        status.append(f" · {self.sort_key} {arrow}", style="dim")
        if self.filter_text:
            status.append(f" · filter “{self.filter_text}”", style="italic")
        self.query_one(".pane-status", Static).update(status)

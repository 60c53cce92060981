"""One side of the browse screen: collection header, path bar, listing, filter and status.

The pane owns how its folder is viewed (sort key and direction, hidden files, filter text:
reactives with their keys bound here) and turns what happens inside it into requests the
screen answers with the network (``ListingRequested``, ``CompletionRequested``,
``CopyRequested``...). Each request carries the pane as its ``control``.
"""

from __future__ import annotations

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

from gtui.core.cpu_work import run_cpu
from gtui.core.file_columns import FileColumns
from gtui.core.models import Collection, FileEntry
from gtui.tui.arrange import SORT_KEYS, arrange, count_folders, is_dir
from gtui.tui.format import human_size, plural
from gtui.tui.listing import Listing
from gtui.tui.widgets.file_list import FileList
from gtui.tui.widgets.path_bar import PathBar

ARRANGE_IN_THREAD_ABOVE = 5_000


@dataclass(frozen=True)
class _ArrangeRequest:
    """One ask to show the pane's entries in an order: which entries, which options
    (sort key, reverse, filter, hidden shown) and what the showing should do."""

    entries: Sequence[FileEntry]
    options: tuple[str, bool, str, bool]
    listing: bool = False
    show_parent: bool = False
    keep: str | None = None
    grown: bool = False

    def arrange_options(self) -> dict[str, Any]:
        sort_key, reverse, filter_text, show_hidden = self.options
        return {
            "sort_key": sort_key,
            "reverse": reverse,
            "filter_text": filter_text,
            "show_hidden": show_hidden,
        }

    def after(self, waiting: _ArrangeRequest | None) -> _ArrangeRequest:
        """This request, standing in for ``waiting`` too: a new listing, or a name to keep
        the cursor on, asked by the one replaced is not forgotten."""
        if waiting is None or waiting.entries is not self.entries:
            return self
        return _ArrangeRequest(
            self.entries,
            self.options,
            listing=self.listing or waiting.listing,
            show_parent=self.show_parent,
            keep=self.keep or waiting.keep,
            grown=self.grown and waiting.grown,
        )


SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


def join(folder: str, name: str) -> str:
    """``/home/demo/`` + ``x`` → ``/home/demo/x``."""
    return folder.rstrip("/") + "/" + name


def typed_path(text: str) -> str:
    """The path typed in the path bar, as typed: names may begin or end with spaces.

    Only spaces before the leading ``/`` or ``~`` go (a path starts there); nothing typed
    means the root.
    """
    if not text.strip():
        return "/"
    start = text.lstrip(" ")
    return start if start.startswith(("/", "~")) else text


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
        Binding("escape", "escape", "Stop listing", id="stop_listing"),
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
    class StopRequested(Message):
        """Stop listing this pane's big folder: keep what has arrived."""

        pane: FilePane

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
        self.total = 0
        self.stopped = False
        self.error: str | None = None
        self._spin = 0
        self._counts = (0, 0)
        self._spinner: Timer | None = None
        self._arranging = False
        self._waiting_request: _ArrangeRequest | None = None
        self._shown: tuple[Sequence[FileEntry], tuple[str, bool, str, bool]] | None = None
        self._shown_count = 0
        self._filtering = False  # the first matches are shown; the whole filter is running

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
        self,
        path: str,
        entries: Sequence[FileEntry],
        *,
        keep: str | None = None,
        total: int | None = None,
    ) -> None:
        """Show a folder's listing; ``keep`` names the entry to put the cursor on.

        With a ``total`` above what ``entries`` holds, this is the first page of a big folder:
        the pane goes on saying how much has arrived until ``end_listing``.
        """
        same_folder = path == self.path
        self.path = path
        self.entries = entries
        self.total = max(total or 0, len(entries))
        self.stopped = False
        if self.total <= len(entries):
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
        self._tell_completeness()
        if keep is None and same_folder:
            current = file_list.cursor_entry
            keep = current.name if current is not None else None
        self._arrange(listing=True, keep=keep)

    def add_page(self, columns: FileColumns) -> None:
        """A later page of the folder being listed: its rows join, the view keeps its place."""
        entries = self.entries
        if not isinstance(entries, Listing):
            return
        entries.add(columns)
        self._tell_completeness()
        self._arrange(grown=True)

    def end_listing(self, *, stopped: bool = False) -> None:
        """The pages have stopped coming: all of them, or (``stopped``) as the user asked."""
        self.stopped = stopped and self.partial
        self._stop_spinner()
        self._tell_completeness()
        self._update_status()

    @property
    def arriving_note(self) -> str:
        """Why selecting by pattern must wait, while a big folder's pages arrive ('' if not)."""
        if not (self.fetching and self.partial):
            return ""
        return (
            f"The folder is still arriving ({self.received_text} entries): wait for the "
            "rest, or press Esc to stop listing and choose among what has arrived."
        )

    @property
    def incomplete_note(self) -> str:
        """The part listed, once listing stopped short ('' when the folder is whole)."""
        if not self.stopped:
            return ""
        return f"the {self.received_text} entries listed (listing was stopped)"

    def _tell_completeness(self) -> None:
        file_list = self.file_list
        arriving = self.arriving_note
        if bool(arriving) != bool(file_list.arriving):
            self.refresh_bindings()  # "esc Stop listing" comes and goes with the pages
        file_list.arriving = arriving
        file_list.incomplete = self.incomplete_note

    @property
    def partial(self) -> bool:
        """Whether the folder has entries this pane has not received (yet, or at all)."""
        return len(self.entries) < self.total

    @property
    def received_text(self) -> str:
        """``412,000 of 1,000,000``: how much of a big folder has arrived."""
        return f"{len(self.entries):,} of {self.total:,}"

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
        if action == "filter":
            # A text field types "/" itself. Textual leaves a priority "slash" binding active
            # over one (its key-to-character table has no entry for "slash"): say so here.
            return not isinstance(self.screen.focused, Input)
        if action == "escape":
            # Shown in the key bar only while a big folder is still arriving.
            box = self.query_one(".filter", Input)
            return box.has_focus or (self.fetching and self.partial)
        return True

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

    def _arrange(
        self, *, listing: bool = False, keep: str | None = None, grown: bool = False
    ) -> None:
        """Show the entries in the pane's order and filter: at once when that is cheap, else
        from a thread. One thread at a time: a request made meanwhile waits for it, and of
        several such requests only the last runs (pages of a big folder arrive faster than a
        million names sort)."""
        request = _ArrangeRequest(
            self.entries,
            (self.sort_key, self.reverse, self.filter_text, self.show_hidden),
            listing=listing,
            show_parent=self.path not in ("", "/"),
            keep=keep,
            grown=grown,
        )
        entries = self.entries
        options = request.arrange_options()
        if len(entries) <= ARRANGE_IN_THREAD_ABOVE or (
            isinstance(entries, Listing) and entries.arranges_quickly(**options)
        ):
            self._install(request, arrange(entries, **options), len(entries))
        elif self._waiting_request is not None or self._arranging:
            self._show_first_matches(request)
            self._waiting_request = request.after(self._waiting_request)
        else:
            self._show_first_matches(request)
            self._waiting_request = request
            self._arranging = True
            self.run_worker(
                self._arrange_in_thread(), group=f"arrange-{self.side}", exit_on_error=False
            )
        self._update_status()

    def _show_first_matches(self, request: _ArrangeRequest) -> None:
        """While a big listing is filtered in a thread, show the first screenful of matches at
        once (found by scanning the current order), and say the rest is coming."""
        entries = request.entries
        if not (isinstance(entries, Listing) and self.filter_text):
            return
        file_list = self.file_list
        if file_list.entries is not entries:
            return
        head = entries.first_matches(**request.arrange_options(), wanted=file_list.size.height + 1)
        if head is None:
            return
        self._filtering = True
        file_list.show_view(head, entries=entries)

    async def _arrange_in_thread(self) -> None:
        try:
            while (request := self._waiting_request) is not None:
                self._waiting_request = None
                options = request.arrange_options()
                entries = request.entries
                # The length first: a page joining during the sort is not in this view.
                count = len(entries)
                view = await run_cpu(arrange, entries, **options)
                self._install(request, view, count)
        finally:
            self._arranging = False

    def _install(self, request: _ArrangeRequest, view: Sequence[int], count: int) -> None:
        """Show ``view`` unless something newer is on the screen: another listing, other
        options, or a view of more of this listing's entries."""
        current = (self.sort_key, self.reverse, self.filter_text, self.show_hidden)
        if request.entries is not self.entries or request.options != current:
            return
        if self._shown == (request.entries, request.options) and count < self._shown_count:
            return
        self._shown = (request.entries, request.options)
        self._shown_count = count
        self._filtering = False
        entries = request.entries
        file_list = self.file_list
        if request.listing or (file_list.entries is not entries and not request.grown):
            file_list.set_listing(entries, view, show_parent=request.show_parent, keep=request.keep)
        else:
            file_list.show_view(view, keep=request.keep, entries=entries)
        folders = count_folders(entries, view)
        self._counts = (folders, len(view) - folders)
        self._update_status()

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

    def action_escape(self) -> None:
        """Close the filter box; or, while a big folder is arriving, stop listing it."""
        box = self.query_one(".filter", Input)
        if box.has_focus:
            box.value = ""
            box.display = False
            self.file_list.focus()
        elif self.fetching and self.partial:
            self.post_message(self.StopRequested(self))

    @on(Input.Submitted, "PathBar")
    def _path_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        path = typed_path(event.value)
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
        arriving = self.fetching and self.partial
        if arriving:
            status.append(f"{SPINNER[self._spin]} {self.received_text} received · ", style="bold")
        elif self.fetching:
            status.append(f"{SPINNER[self._spin]} loading… ", style="bold")
        elif self.stopped:
            status.append(f"{self.received_text} listed (stopped) · ", style="bold yellow")
        if self.error:
            status.append(self.error, style="bold red")
            self.query_one(".pane-status", Static).update(status)
            return
        shown = self.file_list
        if self._filtering:
            status.append(f"filtering {plural(len(self.entries), 'entry', 'entries')}…")
            status.append(f" · filter “{self.filter_text}”", style="italic")
            self.query_one(".pane-status", Static).update(status)
            return
        behind = self._arranging and self._shown_count < len(self.entries)
        if shown.entries is not self.entries or behind:
            # A big listing (or its latest pages) is being sorted in a thread: the counts
            # of what is shown would not be the folder's.
            status.append(f"sorting {plural(len(self.entries), 'entry', 'entries')}…")
            self.query_one(".pane-status", Static).update(status)
            return
        folders, files = self._counts
        counts = [plural(n, noun) for n, noun in ((folders, "folder"), (files, "file")) if n]
        status.append(", ".join(counts) or "nothing shown")
        hidden = len(self.entries) - len(shown.view)
        if hidden and not self.filter_text and not arriving:
            status.append(f" ({hidden:,} hidden)", style="dim")
        chosen, size = shown.selection_summary()
        if chosen:
            status.append(f" · {chosen:,} selected ({human_size(size)})", style="bold")
        arrow = "↓" if self.reverse else "↑"
        status.append(f" · {self.sort_key} {arrow}", style="dim")
        if self.filter_text:
            status.append(f" · filter “{self.filter_text}”", style="italic")
        self.query_one(".pane-status", Static).update(status)

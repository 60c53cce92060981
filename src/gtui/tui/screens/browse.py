"""The browse screen: two collection panes side by side and the task queue under them.

The panes ask (``FilePane.ListingRequested`` and kin); this screen answers with the network,
in workers, and reports back by calling pane methods. A failed call becomes a notification
and leaves the pane where it was; but a pane whose own folder has gone (deleted by a task, a
flow, another client) goes up to the nearest folder that still exists, as Midnight Commander
does, instead of showing entries that are no longer there.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Awaitable
from datetime import UTC, datetime
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.events import DescendantFocus
from textual.screen import Screen
from textual.worker import Worker

from gtui.core.errors import GlobusAPIError, GlobusError, LoginRequired
from gtui.core.ls_pages import LsPage, ls_pages
from gtui.core.models import Collection, FileEntry, Task
from gtui.tui import task_submission
from gtui.tui.arrange import glob_matcher, is_dir
from gtui.tui.context import gtui
from gtui.tui.error_text import kind_of
from gtui.tui.listing import Listing
from gtui.tui.screens.confirm import ConfirmScreen
from gtui.tui.screens.prompt import PromptScreen, valid_name
from gtui.tui.session_flows import with_consent_repair
from gtui.tui.state import PanePlace
from gtui.tui.task_touch import changed_collection, ended_since, touched_folders, touches
from gtui.tui.widgets.file_pane import FilePane, join, parent_of
from gtui.tui.widgets.key_bar import KeyBar
from gtui.tui.widgets.task_queue import TaskQueue
from gtui.tui.widgets.title_bar import TitleBar

SIDES = ("left", "right")

Pages = tuple[LsPage, AsyncGenerator[LsPage, None]]


class BrowseScreen(Screen[None]):
    """Dual-pane browsing, file operations and transfers."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab", "switch_pane", "Other pane", show=False, id="switch_pane"),
        Binding("f5,c", "transfer", "Copy", id="transfer"),
        Binding("f7", "mkdir", "New folder", id="mkdir"),
        Binding("f2", "rename", "Rename", id="rename"),
        Binding("f8,delete", "delete", "Delete", id="delete"),
        Binding("o", "choose_collection", "Collection", id="choose_collection"),
        Binding("ctrl+r", "refresh", "Refresh", show=False, id="refresh"),
        Binding("tilde", "home", "Home folder", show=False, id="home"),
        # Priority: handled as the key arrives, so the path typed right after it goes to the
        # path bar (a text field that has the focus takes "g" itself).
        Binding("g", "edit_path", "Go to path", show=False, priority=True, id="edit_path"),
        Binding("plus", "select_pattern", "Select by pattern", show=False, id="select_pattern"),
        Binding(
            "minus", "unselect_pattern", "Unselect by pattern", show=False, id="unselect_pattern"
        ),
        Binding("equals_sign", "compare", "Compare", show=False, id="compare"),
        Binding("x", "share", "Share", show=False, id="share"),
        Binding("t", "toggle_queue", "Tasks", id="toggle_queue"),
        Binding("q", "focus_queue", "Focus queue", show=False, id="focus_queue"),
    ]

    def __init__(self) -> None:
        super().__init__(id="browse")
        self.active_side = "left"
        self._tasks_running: set[str] = set()
        self._tasks_ended: set[str] = set()
        # Wall time, not the app's clock (which tests fix): tasks ending after it are news.
        self._opened_at = datetime.now(UTC)

    def compose(self) -> ComposeResult:
        app = gtui(self)
        yield TitleBar()
        with Horizontal(id="panes"):
            for side in SIDES:
                yield FilePane(side)
        yield TaskQueue(app.feed, id="queue", clock=app.clock)
        yield KeyBar()

    def on_mount(self) -> None:
        app = gtui(self)
        app.feed.changed.subscribe(self, self._tasks_changed)
        for side in SIDES:
            self._reopen(self.pane(side))
        self.pane("left").file_list.focus()

    def _reopen(self, pane: FilePane) -> None:
        """Open a pane where it was last time, or else where it starts (config, demo)."""
        app = gtui(self)
        start = app.start_places[pane.side]
        last = app.state.pane_place(pane.side)
        place = last or start
        if place.collection_id:
            fallback = start if last is not None and last != start else None
            self.open_collection(pane, place.collection_id, place.path, fallback=fallback)

    # -- panes ------------------------------------------------------------------------------

    def pane(self, side: str) -> FilePane:
        return self.query_one(f"#{side}", FilePane)

    @property
    def active(self) -> FilePane:
        """The pane with the focus, or else the last one that had it."""
        focused = self.focused
        if focused is not None:
            for node in focused.ancestors_with_self:
                if isinstance(node, FilePane):
                    return node
        return self.pane(self.active_side)

    def other_than(self, pane: FilePane) -> FilePane:
        return self.pane("right" if pane.side == "left" else "left")

    @property
    def other(self) -> FilePane:
        return self.other_than(self.active)

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        for node in event.widget.ancestors_with_self:
            if isinstance(node, FilePane):
                self.active_side = node.side
                for pane in self.query(FilePane):
                    pane.set_class(pane is node, "-active")
                return

    def _tasks_changed(self, tasks: list[Task]) -> None:
        """A task seen running has ended, or one first seen already over ended while this
        screen was open (a short task of a flow or a timer, learned of late): the panes it
        changed are listed again, once."""
        for task in tasks:
            task_id = task.task_id
            if not task.is_finished:
                self._tasks_running.add(task_id)
            elif task_id in self._tasks_ended:
                continue
            elif task_id in self._tasks_running or ended_since(task, self._opened_at):
                self._tasks_running.discard(task_id)
                self._tasks_ended.add(task_id)
                self.refresh_after_task(task)

    # -- going places -----------------------------------------------------------------------

    def open_place(self, collection_id: str, path: str) -> None:
        """Show ``collection_id:path`` in the focused pane; a file's path puts the cursor on it.

        Bookmarks, quick jump, search hits and a new login all come here.
        """
        pane = self.active
        folder, keep = (path, None) if path.endswith("/") else parent_of(path)
        if pane.collection is not None and pane.collection.id == collection_id:
            self.load(pane, folder, keep=keep)
        else:
            self.open_collection(pane, collection_id, folder, keep=keep)
        pane.file_list.focus()

    def reload(self) -> None:
        """List both panes again (after a new login), or open where they should start."""
        for side in SIDES:
            pane = self.pane(side)
            if pane.collection is not None:
                self.load(pane, pane.path or "/~/")
            else:
                self._reopen(pane)

    # -- loading ----------------------------------------------------------------------------

    def open_collection(
        self,
        pane: FilePane,
        collection_id: str,
        path: str | None,
        *,
        keep: str | None = None,
        fallback: PanePlace | None = None,
    ) -> None:
        """Point a pane at a collection (its header, then its listing).

        With a ``fallback``, a place that cannot be opened any more (a folder deleted since
        gtui last showed it) gives way to that one, quietly.
        """
        self.run_worker(
            self._open_collection(pane, collection_id, path, keep, fallback),
            group=f"ls-{pane.side}",
            exclusive=True,
            exit_on_error=False,
        )

    async def _open_collection(
        self,
        pane: FilePane,
        collection_id: str,
        path: str | None,
        keep: str | None,
        fallback: PanePlace | None,
    ) -> None:
        app = gtui(self)
        pane.show_loading(path or "/~/")
        # With the folder known, its listing is fetched while the collection's document is:
        # one round trip instead of two before the pane fills.
        early = asyncio.ensure_future(self._fetch(collection_id, path)) if path else None
        try:
            try:
                doc = await app.session.transfer.get_endpoint(collection_id)
                collection = Collection.from_api(doc.document())
            except GlobusError as exc:
                if fallback is not None and not isinstance(exc, LoginRequired):
                    await self._open_collection(
                        pane, fallback.collection_id, fallback.path, None, None
                    )
                    return
                pane.show_error("could not open the collection")
                app.report_error(exc, "Opening the collection")
                return
            pane.show_collection(collection)
            app.state.remember_collection(collection.id)
            if path and early is not None:
                shown = await self._show(pane, path, keep, early, quiet=fallback is not None)
                if not shown and fallback is not None:
                    await self._open_collection(
                        pane, fallback.collection_id, fallback.path, None, None
                    )
            else:
                await self._list(pane, collection.default_directory or "/~/", keep)
        finally:
            if early is not None:
                if not early.done():
                    early.cancel()
                elif not early.cancelled():
                    early.exception()  # consumed: a failed open is reported once, above

    def load(
        self, pane: FilePane, path: str, keep: str | None = None, *, unasked: bool = False
    ) -> Worker[None] | None:
        """List ``path`` in ``pane``; a newer listing of the same pane cancels this one.

        Listing the folder the pane already shows is a refresh: if that folder is gone, the
        pane goes up to the nearest one that exists. An ``unasked`` listing (one the user did
        not ask for: after a task ended) never opens the consent dialog; a folder that now
        needs a consent keeps what it showed until the user lists it.
        """
        if pane.collection is None:
            self.notify("Choose a collection first (o).", severity="warning")
            return None
        refresh = path == pane.path

        # A callable, not a coroutine: a listing replaced before it starts is never created,
        # instead of leaving a coroutine that is never awaited.
        async def listing() -> None:
            await self._list(pane, path, keep, refresh=refresh, unasked=unasked)

        return self.run_worker(
            listing, group=f"ls-{pane.side}", exclusive=True, exit_on_error=False
        )

    async def _list(
        self,
        pane: FilePane,
        path: str,
        keep: str | None,
        *,
        refresh: bool = False,
        unasked: bool = False,
    ) -> None:
        collection = pane.collection
        if collection is None:
            return
        if unasked:
            outcome: Awaitable[Pages]
            try:
                outcome = _ready(await self._fetch(collection.id, path, repair=False))
            except GlobusError as exc:
                if _needs_consent(exc):
                    return  # asked for when the user lists the folder themselves
                outcome = _failed(exc)
            pane.show_loading(path)
            await self._show(pane, path, keep, outcome, refresh=refresh)
            return
        pane.show_loading(path)
        await self._show(pane, path, keep, self._fetch(collection.id, path), refresh=refresh)

    async def _fetch(self, collection_id: str, path: str, *, repair: bool = True) -> Pages:
        """The folder's first page, and the pages still to come (``ls_pages``).

        Only the first request can need a consent: the later ones list the same folder.
        Without ``repair`` a consent Globus asks for is raised, not asked of the user.
        """
        transfer = gtui(self).session.transfer

        async def first_page() -> Pages:
            pages = ls_pages(transfer, collection_id, path, show_hidden=True)
            try:
                return await anext(pages), pages
            except BaseException:
                await pages.aclose()
                raise

        if not repair:
            return await first_page()
        return await with_consent_repair(self, first_page)

    async def _show(
        self,
        pane: FilePane,
        path: str,
        keep: str | None,
        fetching: Awaitable[Pages],
        *,
        quiet: bool = False,
        refresh: bool = False,
        gone: str | None = None,
    ) -> bool:
        """Show the listing's first page once it arrives, then every later page as it comes;
        False (and the error told, unless ``quiet``) when the first does not.

        On a ``refresh`` that finds the folder gone, the parent is tried, and so on up: the
        pane ends in the nearest folder that exists and says so (``gone`` is the folder the
        pane showed, while its parents are tried).
        """
        app = gtui(self)
        try:
            first, pages = await fetching
        except GlobusError as exc:
            if quiet and not isinstance(exc, LoginRequired):
                return False
            collection = pane.collection
            if refresh and collection is not None and path != "/" and _folder_gone(exc):
                parent, _ = parent_of(path)
                fetching = self._fetch(collection.id, parent)
                return await self._show(
                    pane, parent, None, fetching, refresh=True, gone=gone or path
                )
            pane.show_error(f"could not list {path}")
            app.report_error(exc, f"Listing {path}")
            return False
        where = first.path or path
        if gone is not None and pane.collection is not None:
            self.notify(
                f"{gone} is no longer on {pane.collection.display_name}; "
                f"this pane now shows {where}.",
                severity="warning",
                timeout=8,
                markup=False,
            )
        pane.show_listing(where, Listing(columns=first.columns), keep=keep, total=first.total)
        if pane.collection is not None:
            collection = pane.collection
            app.state.remember_listing(pane.side, collection.id, collection.display_name, where)
        try:
            async for page in pages:
                pane.add_page(page.columns)
        except GlobusError as exc:
            pane.end_listing(stopped=True)
            app.report_error(exc, f"Listing the rest of {where}")
            return True
        finally:
            await pages.aclose()
        pane.end_listing()
        return True

    # -- what the panes ask for ---------------------------------------------------------------

    @on(FilePane.ListingRequested)
    def _listing_requested(self, event: FilePane.ListingRequested) -> None:
        self.load(event.pane, event.path, keep=event.keep)

    @on(FilePane.StopRequested)
    def _stop_listing(self, event: FilePane.StopRequested) -> None:
        self.workers.cancel_group(self, f"ls-{event.pane.side}")
        event.pane.end_listing(stopped=True)
        self.notify(
            f"Listing stopped: {event.pane.received_text} entries listed. Ctrl+R lists it all.",
            timeout=4,
        )

    @on(FilePane.CollectionPickRequested)
    def _pick_requested(self, event: FilePane.CollectionPickRequested) -> None:
        self.active_side = event.pane.side
        self.action_choose_collection()

    @on(FilePane.CompletionRequested)
    def _complete(self, event: FilePane.CompletionRequested) -> None:
        self.run_worker(
            self._complete_elsewhere(event.pane, event.folder, event.prefix),
            group=f"complete-{event.pane.side}",
            exclusive=True,
            exit_on_error=False,
        )

    async def _complete_elsewhere(self, pane: FilePane, folder: str, prefix: str) -> None:
        if pane.collection is None:
            return
        try:
            response = await gtui(self).session.transfer.operation_ls(
                pane.collection.id, path=folder, filter={"type": "dir"}
            )
        except GlobusError:
            self.app.bell()
            return
        pane.complete_path(folder, prefix, [str(doc.get("name", "")) for doc in response])

    @on(FilePane.CopyRequested)
    def _dropped(self, event: FilePane.CopyRequested) -> None:
        self.start_transfer(event.pane, self.other_than(event.pane), event.entries)

    @on(TaskQueue.TaskChosen)
    def _task_chosen(self, event: TaskQueue.TaskChosen) -> None:
        gtui(self).open_task(event.task_id)

    @on(TaskQueue.RepairRequested)
    def _repair_requested(self, event: TaskQueue.RepairRequested) -> None:
        gtui(self).repair_task(event.task_id)

    # -- navigation -------------------------------------------------------------------------

    def action_switch_pane(self) -> None:
        self.other.file_list.focus()

    def action_home(self) -> None:
        self.load(self.active, "/~/")

    def action_refresh(self) -> None:
        pane = self.active
        if pane.collection is not None:
            self.load(pane, pane.path or "/~/")

    def action_edit_path(self) -> None:
        bar = self.active.path_bar
        # At once, not after the keys already queued (``focus()`` waits for them): a path
        # typed right after ``g`` must land in the bar, not in the list.
        self.set_focus(bar)
        bar.cursor_position = len(bar.value)

    def action_toggle_queue(self) -> None:
        self.query_one(TaskQueue).toggle_class("-large")

    def action_focus_queue(self) -> None:
        self.query_one(TaskQueue).focus()

    @work(group="dialog", exclusive=True, exit_on_error=False)
    async def action_choose_collection(self) -> None:
        pane = self.active
        from gtui.tui.screens.collection_picker import CollectionPickerScreen

        picked = await self.app.push_screen_wait(CollectionPickerScreen(pane.side))
        pane.restore_place()
        if picked is not None:
            self.open_collection(pane, picked.collection_id, picked.path)

    # -- selection --------------------------------------------------------------------------

    @work(group="dialog", exclusive=True, exit_on_error=False)
    async def action_select_pattern(self) -> None:
        await self._select_by_pattern(select=True)

    @work(group="dialog", exclusive=True, exit_on_error=False)
    async def action_unselect_pattern(self) -> None:
        await self._select_by_pattern(select=False)

    async def _select_by_pattern(self, *, select: bool) -> None:
        pane = self.active
        verb = "Select" if select else "Unselect"
        if pane.arriving_note:
            self.notify(pane.arriving_note, severity="warning", timeout=6)
            return
        pattern = await self.app.push_screen_wait(
            PromptScreen(f"{verb} files matching", value="*", hint="A glob such as *.h5 or run_*")
        )
        pane.restore_place()
        if pattern:
            changed = pane.file_list.select_matching(glob_matcher(pattern), select=select)
            among = f" among {pane.incomplete_note}" if pane.incomplete_note else ""
            self.notify(
                f"{verb}ed {changed:,} matching “{pattern}”{among}",
                severity="warning" if among else "information",
                timeout=6 if among else 2,
                markup=False,
            )

    # -- file operations --------------------------------------------------------------------

    @work(group="dialog", exclusive=True, exit_on_error=False)
    async def action_mkdir(self) -> None:
        app = gtui(self)
        pane = self.active
        collection = pane.collection
        if collection is None:
            return
        name = await self.app.push_screen_wait(
            PromptScreen(f"New folder in {pane.path}", placeholder="name", check=valid_name)
        )
        pane.restore_place()
        if not name:
            return
        if pane.file_list.row_of(name) is not None:
            self.notify(f"{name} already exists here.", severity="warning", markup=False)
            return
        try:
            await app.session.transfer.operation_mkdir(collection.id, join(pane.path, name))
        except GlobusError as exc:
            if not _already_exists(exc):
                app.report_error(exc, f"Creating folder {name}")
                return
            # Not in the listing a moment ago: most likely our own first attempt made it and
            # its answer was lost (the request was retried). Either way the folder is there.
            self.notify(f"{name}/ is there now.", timeout=2, markup=False)
            self.load(pane, pane.path, keep=name)
            self._refresh_twin(pane)
            return
        self.notify(f"Created {name}/", timeout=2, markup=False)
        self.load(pane, pane.path, keep=name)
        self._refresh_twin(pane)

    @work(group="dialog", exclusive=True, exit_on_error=False)
    async def action_rename(self) -> None:
        app = gtui(self)
        pane = self.active
        entry = pane.file_list.cursor_entry
        collection = pane.collection
        if collection is None or entry is None:
            return
        new = await self.app.push_screen_wait(
            PromptScreen(f"Rename {entry.name}", value=entry.name, check=valid_name)
        )
        pane.restore_place()
        if not new or new == entry.name:
            return
        try:
            await app.session.transfer.operation_rename(
                collection.id, join(pane.path, entry.name), join(pane.path, new)
            )
        except GlobusError as exc:
            app.report_error(exc, f"Renaming {entry.name}")
            return
        self.notify(f"Renamed {entry.name} to {new}", timeout=2, markup=False)
        self.load(pane, pane.path, keep=new)
        self._refresh_twin(pane)

    @work(group="dialog", exclusive=True, exit_on_error=False)
    async def action_delete(self) -> None:
        pane = self.active
        entries = pane.file_list.selected_or_cursor_entries()
        if pane.collection is None or not entries:
            return
        listed = [e.name + ("/ (and everything in it)" if is_dir(e) else "") for e in entries]
        where = f"{pane.collection.display_name}:{pane.path}"
        answer = await self.app.push_screen_wait(
            ConfirmScreen(
                f"Delete {len(entries):,} item{'s' if len(entries) != 1 else ''}?",
                f"From {where} — this submits a delete task and cannot be undone:",
                listed,
                yes="Delete",
                no="Keep",
            )
        )
        pane.restore_place()
        if not answer:
            return
        await task_submission.submit_delete(self, pane, entries)

    def _refresh_twin(self, pane: FilePane) -> None:
        """The other pane shows the same folder: list it again too."""
        other = self.other_than(pane)
        if (
            other.collection is not None
            and pane.collection is not None
            and other.collection.id == pane.collection.id
            and other.path == pane.path
        ):
            self.load(other, other.path)

    def refresh_after_task(self, task: Task) -> None:
        """A task finished: list again the panes showing the folders it changed (for a task
        submitted elsewhere, whose items gtui does not know, every pane on its collection).
        A pane whose folder the task deleted goes up to the nearest one left."""
        changed = changed_collection(task)
        touched = touched_folders(task, gtui(self).state.submitted_items(task.task_id))
        for pane in self.query(FilePane):
            if pane.collection is None or pane.collection.id != changed or not pane.path:
                continue
            if touches(pane.path, touched):
                self.load(pane, pane.path, unasked=True)

    # -- transfers --------------------------------------------------------------------------

    @work(group="share", exclusive=True, exit_on_error=False)
    async def action_share(self) -> None:
        """Share the folder under the cursor (or the pane's folder): its guest collection,
        made if needed, and who may use it."""
        from gtui.tui.screens.share import ShareScreen
        from gtui.tui.share_flow import CannotShare, share_target

        pane = self.active
        collection = pane.collection
        if collection is None or not pane.path:
            self.notify("Open a folder first.", severity="warning")
            return
        entry = pane.file_list.cursor_entry
        path = pane.path
        if entry is not None and is_dir(entry):
            path = join(pane.path, entry.name) + "/"
        words = f"{collection.display_name}:{path}"
        self.notify(f"Preparing to share {words}…", timeout=3, markup=False)
        try:
            shared = await share_target(self, collection, path)
        except CannotShare as exc:
            self.notify(str(exc), severity="warning", timeout=8, markup=False)
            return
        except GlobusError as exc:
            gtui(self).report_error(exc, f"Sharing {words}")
            return
        self.app.push_screen(ShareScreen(shared, words))

    def action_compare(self) -> None:
        """Compare the two panes' folders (left and right as they are on the screen)."""
        from gtui.core.compare import Place
        from gtui.tui.screens.compare import CompareScreen

        left, right = self.pane("left"), self.pane("right")
        if left.collection is None or right.collection is None or not left.path or not right.path:
            self.notify("Both panes need a folder open before comparing.", severity="warning")
            return
        self.app.push_screen(
            CompareScreen(
                Place(left.collection.id, left.path),
                Place(right.collection.id, right.path),
                (left.collection.display_name, right.collection.display_name),
            )
        )

    def action_transfer(self) -> None:
        source = self.active
        self.start_transfer(source, self.other, source.file_list.selected_or_cursor_entries())

    def start_transfer(self, source: FilePane, target: FilePane, entries: list[FileEntry]) -> None:
        """Ask for the options, then submit one task (F5 and a drop both come here)."""
        if source.collection is None or target.collection is None:
            self.notify("Both panes need a collection (o) before copying.", severity="warning")
            return
        if not entries:
            self.notify("Nothing to copy: the folder is empty.", severity="warning")
            return
        self._transfer_worker(source, target, list(entries))

    @work(group="dialog", exclusive=True, exit_on_error=False)
    async def _transfer_worker(
        self, source: FilePane, target: FilePane, entries: list[FileEntry]
    ) -> None:
        await task_submission.ask_and_submit_transfer(self, source, target, entries)
        source.restore_place()


def _folder_gone(exc: BaseException) -> bool:
    """Transfer's answer to a listing of a folder that no longer exists (or is now a file);
    not a missing permission, a lost connection or a collection that is gone."""
    return kind_of(exc) in ("not_found", "not_folder")


def _already_exists(exc: BaseException) -> bool:
    """Transfer's answer to a mkdir of a path that is already there."""
    return isinstance(exc, GlobusAPIError) and (exc.code or "").endswith("MkdirFailed.Exists")


def _needs_consent(error: GlobusError) -> bool:
    """Globus wants a consent (or a new login) before it lists the folder."""
    if isinstance(error, LoginRequired):
        return True
    return isinstance(error, GlobusAPIError) and error.authorization_requirement is not None


async def _ready(pages: Pages) -> Pages:
    return pages


async def _failed(error: GlobusError) -> Pages:
    raise error

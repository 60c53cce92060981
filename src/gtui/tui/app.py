"""GtuiApp: the one App class. It holds the session, settings, state and task feed that
screens reach through ``gtui(self)`` (see ``gtui.tui.context``), the modes, the app-wide
actions (``gtui.tui.actions``) and the way errors are told.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import BindingType
from textual.screen import Screen
from textual.theme import Theme

from gtui.config import Settings
from gtui.tui.actions import app_bindings
from gtui.tui.connection import Connect, Connection, StartFailed
from gtui.tui.key_gate import KeyGate, KeyHandled
from gtui.tui.screens.starting import StartingScreen
from gtui.tui.state import AppState, PanePlace

if TYPE_CHECKING:
    # This module is on the way to the first frame; the network stack and the screens are
    # imported after it is painted (see ``import_screens``).
    from gtui.core.models import Collection
    from gtui.core.session import GlobusSession
    from gtui.tui.context import Gtui
    from gtui.tui.screens.browse import BrowseScreen
    from gtui.tui.task_feed import TaskFeed
    from gtui.tui.timer_book import TimerBook

log = logging.getLogger(__name__)

SHORT_TERMINAL_ROWS = 32


def prepare_for_browsing() -> None:
    """Import the browse screen, and with it the client core and the network stack; set the
    allocator up for big listings (``gtui.malloc_tuning``).

    Run in a worker thread once the first frame is up, so the frame does not wait for it
    and keys still work meanwhile. Other screens are imported when first opened.
    """
    import gtui.core.session
    import gtui.tui.screens.browse  # noqa: F401
    from gtui.malloc_tuning import keep_big_blocks_out_of_the_heap

    keep_big_blocks_out_of_the_heap()


def _browse_screen() -> Screen[Any]:
    from gtui.tui.screens.browse import BrowseScreen

    return BrowseScreen()


def _tasks_screen() -> Screen[Any]:
    from gtui.tui.screens.tasks import TasksScreen

    return TasksScreen()


def _groups_screen() -> Screen[Any]:
    from gtui.tui.screens.groups import GroupsScreen

    return GroupsScreen()


def _search_screen() -> Screen[Any]:
    from gtui.tui.screens.search import SearchScreen

    return SearchScreen()


def _timers_screen() -> Screen[Any]:
    from gtui.tui.screens.timers import TimersScreen

    return TimersScreen()


def _flows_screen() -> Screen[Any]:
    from gtui.tui.screens.flows import FlowsScreen

    return FlowsScreen()


def _activity_screen() -> Screen[Any]:
    from gtui.tui.screens.activity import ActivityScreen

    return ActivityScreen()


__all__ = ["GtuiApp", "PanePlace"]


class GtuiApp(App[int]):
    """Two collection panes, the task queue, and the screens around them."""

    TITLE = "gtui"
    CSS_PATH = "gtui.tcss"
    ENABLE_COMMAND_PALETTE = True

    BINDINGS: ClassVar[list[BindingType]] = [*app_bindings()]
    MODES: ClassVar[dict[str, str | Callable[[], Screen[Any]]]] = {
        "browse": _browse_screen,
        "tasks": _tasks_screen,
        "groups": _groups_screen,
        "search": _search_screen,
        "timers": _timers_screen,
        "flows": _flows_screen,
        "activity": _activity_screen,
    }

    def __init__(
        self,
        *,
        session: GlobusSession | None,
        settings: Settings | None = None,
        state: AppState | None = None,
        environment: str = "production",
        username: str = "",
        left: PanePlace | None = None,
        right: PanePlace | None = None,
        clock: Callable[[], datetime] | None = None,
        log_path: Path | None = None,
        login_needed: str | None = None,
        new_session: Callable[[str], GlobusSession] | None = None,
        connect: Connect | None = None,
    ) -> None:
        # With a session and a login the app opens on the browse screen itself; otherwise on
        # its outline, until ``connect`` (run after the first frame) or a login provides one.
        # Textual declares DEFAULT_MODE a class variable; the first mode depends on the login.
        # (The outline is Textual's default mode, which unlike a mode of MODES does not make
        # Textual parse the stylesheet a second time.)
        if connect is None and login_needed is None and session is not None:
            self.DEFAULT_MODE = "browse"  # type: ignore[misc]
        super().__init__()
        self.connector = connect
        self._session = session
        self.settings = settings or Settings()
        self.state = state or AppState()
        self.environment = environment
        self.username = username
        self.start_places = {"left": left or PanePlace(), "right": right or PanePlace()}
        self.clock: Callable[[], datetime] = clock or (lambda: datetime.now(UTC))
        self.log_path = log_path
        self.login_needed = login_needed
        # How a session is made for a client id set up in the app (the launcher's has the
        # token passphrase; the default talks to the environment's services).
        self.new_session: Callable[[str], GlobusSession] = new_session or self._default_session
        self._feed: TaskFeed | None = None
        self._timer_book: TimerBook | None = None
        self._key_gate = KeyGate(self, super().on_event)
        self.sub_title = self._who()
        if self.settings.keys:
            self.set_keymap(dict(self.settings.keys))
        # Set before the first frame, so the stylesheet is parsed once, with this theme.
        theme = self.settings.general.theme
        if theme in self.available_themes and theme != self.theme:
            self.theme = theme

    # -- what screens use (``gtui.tui.context.Gtui``) ----------------------------------------

    @property
    def session(self) -> GlobusSession:
        if self._session is None:
            from gtui.core.errors import LoginRequired

            raise LoginRequired("gtui is not set up to log in (no client id).")
        return self._session

    def _default_session(self, client_id: str) -> GlobusSession:
        from gtui.core.session import GlobusSession

        return GlobusSession(client_id, environment=self.environment)

    @property
    def feed(self) -> TaskFeed:
        if self._feed is None:
            from gtui.tui.task_feed import TaskFeed

            self._feed = TaskFeed(
                self,
                self.session,
                settings=self.settings.tasks,
                state=self.state,
                report_error=self.report_error,
            )
        return self._feed

    @property
    def timers(self) -> TimerBook:
        if self._timer_book is None:
            from gtui.tui.timer_book import TimerBook

            self._timer_book = TimerBook(self, self.session, self.feed)
        return self._timer_book

    def report_error(self, exc: BaseException, doing: str) -> None:
        """Show an error as a notification (never a traceback); log the details.

        The notification reads: the sentence of ``describe_error`` (what failed, where, what
        to do), a hint when Globus wants consent or a new login, and last, dimmed, the code
        and request id that a support ticket needs.
        """
        from gtui.core.errors import GlobusAPIError, GlobusError, LoginRequired
        from gtui.tui.error_text import describe_error

        if isinstance(exc, LoginRequired):
            self.show_login_needed(str(exc))
            return
        text = describe_error(exc, doing)
        log.warning("%s", text.replace("\n", " — "), exc_info=not isinstance(exc, GlobusError))
        sentence, _, detail = text.partition("\n")
        lines = [sentence]
        if isinstance(exc, GlobusAPIError) and exc.consent_required:
            lines.append(
                "Consent was declined or not given. Open the collection or repeat the action "
                "to see the consent dialog again, and approve there."
            )
        elif isinstance(exc, GlobusAPIError) and exc.authorization_requirement is not None:
            lines.append("Repeat the action to log in again from the dialog.")
        # Content markup, for the dim line: every "[" of the words is escaped, so a name or a
        # path shows exactly as it is.
        markup = "\n".join(line.replace("[", "\\[") for line in lines)
        if detail:
            escaped = detail.replace("[", "\\[")
            markup += f"\n[dim]{escaped}[/dim]"
        self.notify(markup, severity="error", timeout=10, markup=True)

    def open_task(self, task_id: str) -> None:
        from gtui.tui.screens.task_detail import TaskDetailScreen

        self.push_screen(TaskDetailScreen(task_id))

    def repair_task(self, task_id: str) -> None:
        self._repair_task(task_id)

    @work(group="repair-task", exclusive=True, exit_on_error=False)
    async def _repair_task(self, task_id: str) -> None:
        from gtui.tui.task_repair import repair_task

        await repair_task(self, task_id)

    def open_place(self, collection_id: str, path: str) -> None:
        self._open_place(collection_id, path)

    @work(group="open-place", exclusive=True, exit_on_error=False)
    async def _open_place(self, collection_id: str, path: str) -> None:
        if self.current_mode != "browse":
            await self.switch_mode("browse")
        browse = self._browse_screen()
        if browse is None:
            self.notify("The browse screen is not open yet; try again in a moment.")
            return
        browse.open_place(collection_id, path)

    def current_folder(self) -> tuple[Collection, str] | None:
        browse = self._browse_screen()
        if browse is None:
            return None
        pane = browse.active
        if pane.collection is None or not pane.path:
            return None
        return pane.collection, pane.path

    def pane_folders(self) -> tuple[tuple[Collection, str] | None, tuple[Collection, str] | None]:
        browse = self._browse_screen()
        if browse is None:
            return None, None
        places: list[tuple[Collection, str] | None] = []
        for pane in (browse.active, browse.other):
            places.append((pane.collection, pane.path) if pane.collection and pane.path else None)
        return places[0], places[1]

    def show_identity(self, username: str) -> None:
        self.username = username
        self.sub_title = self._who()

    def reload_after_login(self) -> None:
        if self.current_mode != "browse":
            self.switch_mode("browse")
        else:
            browse = self._browse_screen()
            if browse is not None:
                browse.reload()
        self.feed.start()

    def _browse_screen(self) -> BrowseScreen | None:
        from gtui.tui.screens.browse import BrowseScreen

        try:
            stack = self.get_screen_stack("browse")
        except KeyError:
            return None
        return next((s for s in stack if isinstance(s, BrowseScreen)), None)

    def _who(self) -> str:
        return f"{self.username or 'not logged in'} · {self.environment}"

    # -- keys, one at a time (``gtui.tui.key_gate``) ------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.Paste) and not event.is_forwarded:
            await self._key_gate.arrived(event)
            return
        await super().on_event(event)

    async def on_key_handled(self, message: KeyHandled) -> None:
        message.stop()
        await self._key_gate.marker_back(message)

    def on_resize(self, event: events.Resize) -> None:
        # Dialogs draw tighter on a short terminal (80×24 is a supported size).
        self.set_class(event.size.height < SHORT_TERMINAL_ROWS, "-short")

    # -- start and end ----------------------------------------------------------------------

    def on_mount(self) -> None:
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        if self.connector is None:
            self._adopt(Connection(self._session, self.login_needed, self.username))

    def get_default_screen(self) -> Screen[Any]:
        return StartingScreen()

    def on_ready(self) -> None:
        # Textual sends Ready once the first frame is on the screen; importing and connecting
        # sooner would compete with painting it for the interpreter.
        if self.connector is not None:
            self.run_worker(self._connect_after_first_frame(self.connector), group="connect")

    async def _connect_after_first_frame(self, connect: Connect) -> None:
        """Import the rest and connect; the outline is on the screen meanwhile."""
        await asyncio.to_thread(prepare_for_browsing)
        try:
            connection = await connect()
        except StartFailed as exc:
            self.exit(1, return_code=1, message=f"gtui: {exc}")
            return
        self._adopt(connection)
        if connection.login_needed is None and connection.session is not None:
            await self.switch_mode("browse")

    def _adopt(self, connection: Connection) -> None:
        """Take the session; start the task feed, or ask for the login that is missing."""
        self._session = connection.session
        self.login_needed = connection.login_needed
        if connection.username:
            self.show_identity(connection.username)
        if self.login_needed is not None or self._session is None:
            if isinstance(self.screen, StartingScreen):
                self.screen.say("Not logged in")
            self.show_login_needed(self.login_needed or "")
            return
        # What is alive now (the imported modules, the screens) stays alive: set it apart from
        # the collector, whose full passes over it stalled the loop 20-90 ms while a big
        # comparison or listing grew the heap.
        gc.freeze()
        self.feed.start()
        # Which tasks in the queue a timer started (quietly: no dialog at start).
        self.run_worker(self.timers.load_quietly(), group="timers-first-load", exit_on_error=False)
        if not self.username:
            from gtui.tui import session_flows

            self.run_worker(
                session_flows.fetch_identity(self), group="identity", exit_on_error=False
            )

    def show_login_needed(self, reason: str = "") -> None:
        from gtui.tui import session_flows
        from gtui.tui.screens.onboarding import OnboardingScreen

        if self._session is not None:
            session_flows.ask_to_log_in(self, reason)
        elif not isinstance(self.screen, OnboardingScreen):
            screen = OnboardingScreen(self.environment, reason, new_session=self.new_session)
            self.push_screen(screen, callback=self.use_session)

    def use_session(self, session: GlobusSession | None) -> None:
        """Adopt the session of a client id just set up, then log in and open the panes."""
        if session is None:
            return
        from gtui.tui import session_flows

        self._session = session
        self.login_needed = None
        session_flows.ask_to_log_in(self, "Your client id is saved. Log in to Globus to start.")

    async def action_quit(self) -> None:
        """Close the connection pool before leaving (running tasks go on at Globus)."""
        if self._session is not None:
            try:
                await self._session.aclose()
            except Exception as exc:
                log.info("closing the session: %s", exc)
        self.exit(0)

    def _theme_changed(self, theme: Theme) -> None:
        from gtui.tui.screens.theme import ThemeScreen, remember_theme

        if not isinstance(self.screen, ThemeScreen):
            remember_theme(self.settings, theme.name)

    # -- app-wide actions (the table is gtui.tui.actions) -----------------------------------

    def action_help(self) -> None:
        from gtui.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_quick_jump(self) -> None:
        from gtui.tui.screens.quick_jump import open_quick_jump

        open_quick_jump(self)

    def action_bookmarks(self) -> None:
        from gtui.tui.screens.bookmarks import BookmarksScreen

        if not isinstance(self.screen, BookmarksScreen):
            self.push_screen(BookmarksScreen())

    @work(group="bookmark-here", exclusive=True, exit_on_error=False)
    async def action_bookmark_here(self) -> None:
        from gtui.tui.screens.bookmarks import add_bookmark_here

        await add_bookmark_here(self)

    async def action_share(self) -> None:
        if self.current_mode != "browse":
            await self.switch_mode("browse")
        browse = self._browse_screen()
        if browse is not None:
            browse.action_share()

    async def action_compare(self) -> None:
        if self.current_mode != "browse":
            await self.switch_mode("browse")
        browse = self._browse_screen()
        if browse is not None:
            browse.action_compare()

    def action_pick_theme(self) -> None:
        from gtui.tui.screens.theme import ThemeScreen

        if not isinstance(self.screen, ThemeScreen):
            self.push_screen(ThemeScreen())

    def action_log_in(self) -> None:
        from gtui.tui import session_flows

        if self._session is not None:
            again = "Log in again, for example as another identity." if self.username else ""
            session_flows.ask_to_log_in(self, again)

    @work(group="logout", exclusive=True, exit_on_error=False)
    async def action_log_out(self) -> None:
        from gtui.tui import session_flows

        if self._session is not None:
            await session_flows.log_out(self)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        from gtui.tui.palette import commands_for

        yield from super().get_system_commands(screen)
        yield from commands_for(self, screen)


if TYPE_CHECKING:
    # Screens see the app as ``Gtui``; mypy checks here that GtuiApp keeps that promise.
    def _is_gtui(app: GtuiApp) -> Gtui:
        return app

"""GtuiApp: the modes (browse, tasks), the keys that work everywhere, errors, the task feed."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from textual.app import SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.signal import Signal

from gtui.config import Settings
from gtui.core.errors import GlobusAPIError, GlobusError, LoginRequired, NetworkError
from gtui.tui.app_features import FeaturesApp
from gtui.tui.state import AppState

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PanePlace:
    """Where a pane opens: a collection id and a path (empty collection: ask)."""

    collection_id: str = ""
    path: str = "/~/"


def describe_error(exc: BaseException, doing: str) -> str:
    """One sentence a person can act on: what failed, the service's words, the request id."""
    if isinstance(exc, GlobusAPIError):
        message = exc.message or exc.code or f"HTTP {exc.http_status}"
        text = f"{doing} failed: {message}"
        if exc.code and exc.code not in message:
            text += f" [{exc.code}]"
        if exc.request_id:
            text += f" (request {exc.request_id})"
        return text
    if isinstance(exc, (NetworkError, GlobusError)):
        return f"{doing} failed: {exc}"
    return f"{doing} failed: {type(exc).__name__}: {exc}"


class GtuiApp(FeaturesApp):
    """Two collection panes, the task queue, and the screens around them."""

    TITLE = "gtui"
    CSS_PATH = "gtui.tcss"
    ENABLE_COMMAND_PALETTE = True

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1,question_mark", "help", "Keys", id="help"),
        Binding("1", "switch_mode('browse')", "Browse", show=False, id="mode_browse"),
        Binding("2", "switch_mode('tasks')", "Tasks", show=False, id="mode_tasks"),
        Binding("f10", "quit", "Quit", show=False, id="quit"),
    ]

    def __init__(
        self,
        *,
        session: Any,
        settings: Settings | None = None,
        state: AppState | None = None,
        environment: str = "production",
        username: str = "",
        left: PanePlace | None = None,
        right: PanePlace | None = None,
        clock: Callable[[], datetime] | None = None,
        log_path: Path | None = None,
        login_needed: str | None = None,
    ) -> None:
        from gtui.tui.screens.browse import BrowseScreen
        from gtui.tui.screens.tasks import TasksScreen

        self.MODES = {"browse": BrowseScreen, "tasks": TasksScreen}
        if login_needed is None and session is not None:
            # Start on the browse screen itself: no default screen to build and leave, and
            # the stylesheet is applied once instead of twice.
            self.DEFAULT_MODE = "browse"
        super().__init__()
        self.session = session
        self.settings = settings or Settings()
        self.state = state or AppState()
        self.environment = environment
        self.username = username
        self.left_place = left or PanePlace()
        self.right_place = right or PanePlace()
        self.clock = clock or (lambda: datetime.now(UTC))
        self.log_path = log_path
        self.login_needed = login_needed
        self.tasks_changed: Signal[list[Any]] = Signal(self, "tasks-changed")
        self.tasks: dict[str, Any] = {}
        self.expected_bytes: dict[str, int] = {}
        self.task_progress: dict[str, Any] = {}
        self.task_flags: dict[str, frozenset[str]] = {}
        self.monitor: Any | None = None
        self.sub_title = self._who()
        if self.settings.keys:
            self.set_keymap(dict(self.settings.keys))

    def _who(self) -> str:
        who = self.username or "not logged in"
        return f"{who} · {self.environment}"

    def on_mount(self) -> None:
        theme = self.settings.general.theme
        if theme in self.available_themes:
            self.theme = theme
        if self.login_needed is not None or self.session is None:
            self.show_login_needed(self.login_needed or "")
            return
        self.switch_mode("browse")
        self.start_task_feed()
        if not self.username:
            self.run_worker(self._fetch_identity(), group="identity", exit_on_error=False)

    async def _fetch_identity(self) -> None:
        try:
            identity = await self.session.fetch_identity()
        except GlobusError as exc:
            log.info("could not fetch the identity: %s", exc)
            return
        self.username = identity.username
        self.sub_title = self._who()

    async def action_quit(self) -> None:
        """Close the connection pool before leaving (running tasks go on at Globus)."""
        if self.session is not None and hasattr(self.session, "aclose"):
            try:
                await self.session.aclose()
            except Exception as exc:
                log.info("closing the session: %s", exc)
        self.exit(0)

    # -- errors -----------------------------------------------------------------------------

    def report_error(self, exc: BaseException, doing: str) -> None:
        """Show an error as a notification (never a traceback); log the details."""
        if isinstance(exc, LoginRequired):
            self.show_login_needed(str(exc))
            return
        text = describe_error(exc, doing)
        log.warning("%s", text, exc_info=not isinstance(exc, GlobusError))
        if isinstance(exc, GlobusAPIError) and exc.consent_required:
            text += (
                "\nConsent was declined or not given. Open the collection or repeat the action "
                "to see the consent dialog again, and approve there."
            )
        elif isinstance(exc, GlobusAPIError) and exc.authorization_requirement is not None:
            text += (
                "\nGlobus wants a new login for this. Repeat the action to log in again from "
                "the dialog."
            )
        self.notify(text, severity="error", timeout=10, markup=False)

    def show_login_needed(self, reason: str = "") -> None:
        if self.session is not None:
            from gtui.tui.screens.login import ask_to_log_in

            ask_to_log_in(self, reason)
            return
        from gtui.tui.screens.login_needed import LoginNeededScreen

        if not isinstance(self.screen, LoginNeededScreen):
            self.push_screen(LoginNeededScreen(self.environment, reason))

    # -- tasks ------------------------------------------------------------------------------

    def start_task_feed(self) -> None:
        """Load recent tasks, then follow the running ones with the core's task monitor."""
        from gtui.tui.task_feed import start_task_feed

        start_task_feed(self)

    def publish_tasks(self, tasks: Iterable[Any]) -> None:
        """New task documents arrived (from task_list, the monitor or a submit)."""
        batch = list(tasks)
        for task in batch:
            self.tasks[task.task_id] = task
        if batch:
            self.tasks_changed.publish(batch)

    def watch_task(self, task_id: str, *, expected_bytes: int | None = None) -> None:
        """Follow a task closely (just submitted, or opened in the detail screen)."""
        if expected_bytes:
            self.expected_bytes[task_id] = expected_bytes
        from gtui.tui.task_feed import watch_task

        watch_task(self, task_id, total_bytes=self.expected_bytes.get(task_id))

    # -- navigation -------------------------------------------------------------------------

    def action_help(self) -> None:
        from gtui.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def open_task(self, task_id: str) -> None:
        from gtui.tui.screens.task_detail import TaskDetailScreen

        self.push_screen(TaskDetailScreen(task_id))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        from gtui.tui.commands import commands_for

        yield from commands_for(self, screen)

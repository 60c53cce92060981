"""What screens and widgets may use of the running app, typed: ``gtui(self).session``.

``GtuiApp`` (``gtui.tui.app``) implements ``Gtui``, and mypy checks that it does. Screens reach
it through ``gtui(node)`` and never import the app module: the app imports the screens, so
the dependency points one way and the import graph has no cycle. Textual's own API (push a
screen, notify, switch mode) stays on ``self.app``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol, cast

from textual.dom import DOMNode

from gtui.config import Settings
from gtui.core.models import Collection
from gtui.core.session import GlobusSession
from gtui.tui.state import AppState, PanePlace
from gtui.tui.task_feed import TaskFeed
from gtui.tui.timer_book import TimerBook


class Gtui(Protocol):
    """The app as its screens see it: the Globus session, settings, state and tasks."""

    settings: Settings
    state: AppState
    environment: str
    username: str
    clock: Callable[[], datetime]
    start_places: dict[str, PanePlace]
    """Where each pane opens when it has no place of its own yet (config, or the demo's)."""

    @property
    def session(self) -> GlobusSession:
        """The logged-in session (screens that talk to Globus only run once there is one)."""
        ...

    @property
    def feed(self) -> TaskFeed:
        """The user's tasks, kept current."""
        ...

    @property
    def timers(self) -> TimerBook:
        """The user's timers, kept current."""
        ...

    def report_error(self, exc: BaseException, doing: str) -> None:
        """Say in a sentence what failed; a lost login leads to logging in again."""
        ...

    def open_task(self, task_id: str) -> None:
        """Show one task in full."""
        ...

    def repair_task(self, task_id: str) -> None:
        """Give an INACTIVE task the consent it waits for (it then goes on by itself)."""
        ...

    def open_place(self, collection_id: str, path: str) -> None:
        """Show ``collection_id:path`` in the focused pane (a file's path selects it)."""
        ...

    def current_folder(self) -> tuple[Collection, str] | None:
        """The focused pane's collection and folder, if a pane shows one."""
        ...

    def pane_folders(self) -> tuple[tuple[Collection, str] | None, tuple[Collection, str] | None]:
        """The focused pane's collection and folder, then the other pane's (None for a pane
        that shows none): where a flow's source and destination are prefilled from."""
        ...

    def show_identity(self, username: str) -> None:
        """Say in the header who is logged in."""
        ...

    def reload_after_login(self) -> None:
        """A new login succeeded: list the panes and load the tasks again."""
        ...


def gtui(node: DOMNode) -> Gtui:
    """The running app, typed as what gtui's screens and widgets may use of it."""
    return cast(Gtui, node.app)

"""The app's accounts, groups, search, bookmarks, quick jump and themes, as a base class.

``GtuiApp`` derives from ``FeaturesApp``: the modes, keys, actions and palette commands here
join its own (Textual merges the bindings and runs every class's ``on_mount``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.theme import Theme

from gtui.core.errors import GlobusError


def extra_modes() -> dict[str, Any]:
    from gtui.tui.screens.groups import GroupsScreen
    from gtui.tui.screens.search import SearchScreen

    return {"groups": GroupsScreen, "search": SearchScreen}


class FeaturesApp(App[int]):
    """Keys and actions that work on every screen of gtui."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("3", "switch_mode('groups')", "Groups", show=False, id="mode_groups"),
        Binding("4", "switch_mode('search')", "Search", show=False, id="mode_search"),
        Binding("ctrl+g", "quick_jump", "Jump", id="quick_jump"),
        Binding("ctrl+b", "bookmarks", "Bookmarks", id="bookmarks"),
        Binding("ctrl+t", "pick_theme", "Theme", show=False, id="pick_theme"),
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.MODES = {**self.MODES, **extra_modes()}
        super().__init__(*args, **kwargs)

    def on_mount(self) -> None:
        self.theme_changed_signal.subscribe(self, self._theme_changed)

    def _theme_changed(self, theme: Theme) -> None:
        from gtui.tui.screens.theme import ThemeScreen, remember_theme

        if not isinstance(self.screen, ThemeScreen) and hasattr(self, "settings"):
            remember_theme(self, theme.name)

    # -- actions ----------------------------------------------------------------------------

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

    def action_pick_theme(self) -> None:
        from gtui.tui.screens.theme import ThemeScreen

        if not isinstance(self.screen, ThemeScreen):
            self.push_screen(ThemeScreen())

    def action_log_in(self) -> None:
        from gtui.tui.screens.login import ask_to_log_in

        if getattr(self, "session", None) is not None:
            ask_to_log_in(self, "Log in again, for example as another identity.")

    @work(group="logout", exclusive=True, exit_on_error=False)
    async def action_log_out(self) -> None:
        from gtui.tui.screens.confirm import ConfirmScreen
        from gtui.tui.screens.login import ask_to_log_in, show_identity, wait_for_screen

        session: Any = getattr(self, "session", None)
        if session is None:
            return
        question = ConfirmScreen(
            "Log out of Globus?",
            "gtui revokes its tokens at Globus and deletes them from this machine. "
            "Transfers already submitted keep running.",
            yes="Log out",
            no="Stay",
        )
        if not await wait_for_screen(self, question):
            return
        try:
            servers = await session.logout()
        except GlobusError as exc:
            self.report_error(exc, "Logging out")  # type: ignore[attr-defined]
            return
        show_identity(self, "")
        self.notify(f"Logged out ({len(servers)} tokens revoked).", timeout=4)
        ask_to_log_in(self, "You logged out.")

    # -- the command palette ----------------------------------------------------------------

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Groups", "3 — my groups and their members", self._mode("groups"))
        yield SystemCommand("Search", "4 — search a Globus Search index", self._mode("search"))
        yield SystemCommand(
            "Quick jump", "ctrl+g — bookmarks, recent folders", self.action_quick_jump
        )
        yield SystemCommand("Bookmarks", "ctrl+b — list, rename, delete", self.action_bookmarks)
        yield SystemCommand(
            "Bookmark this folder", "the focused pane's folder", self.action_bookmark_here
        )
        yield SystemCommand("Theme…", "ctrl+t — preview and keep a theme", self.action_pick_theme)
        yield SystemCommand("Log in again", "a new Globus login", self.action_log_in)
        yield SystemCommand("Log out", "revoke and delete the tokens", self.action_log_out)

    def _mode(self, name: str) -> Any:
        return lambda: self.switch_mode(name)

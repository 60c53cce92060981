"""The header every screen shows, safe to retitle while a screen is being torn down."""

from __future__ import annotations

from textual.css.query import NoMatches
from textual.dom import NoScreen
from textual.events import Mount
from textual.widgets import Header
from textual.widgets._header import HeaderTitle


class TitleBar(Header):
    """Textual's header, minus a crash.

    The stock header re-reads the title whenever the app's title changes, and fails when
    that happens while its screen is being removed (its title child is already gone) —
    exactly what happens when a login finishes and names the user as the login screen
    closes. This one skips the update in that case.
    """

    def _on_mount(self, event: Mount) -> None:
        event.prevent_default()

        async def set_title() -> None:
            try:
                self.query_one(HeaderTitle).update(self.format_title())
            except (NoMatches, NoScreen):
                return

        self.watch(self.app, "title", set_title)
        self.watch(self.app, "sub_title", set_title)
        self.watch(self.screen, "title", set_title)
        self.watch(self.screen, "sub_title", set_title)

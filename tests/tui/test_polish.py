"""Where a new user would stumble: the help screen, error wording, demo consent, focus."""

from __future__ import annotations

import importlib
import inspect
import io
import pkgutil
from typing import Any

from rich.console import Console
from textual.binding import Binding
from textual.dom import DOMNode

import gtui.tui
from gtui.sim.world import ARCHIVE_ID
from gtui.tui.app import PanePlace
from gtui.tui.keys import keys_of
from gtui.tui.screens.consent import ConsentScreen
from gtui.tui.screens.help import HelpScreen
from tests.tui.tui_helpers import ready, wait_for


def app_classes() -> list[type[DOMNode]]:
    """Every app, screen and widget class gtui defines."""
    found: dict[str, type[DOMNode]] = {}
    for module_info in pkgutil.walk_packages(gtui.tui.__path__, "gtui.tui."):
        module = importlib.import_module(module_info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, DOMNode) and cls.__module__.startswith("gtui."):
                found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return list(found.values())


async def test_help_lists_every_key_of_every_screen_and_widget(make_app: Any) -> None:
    app = await make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot)
        await pilot.press("f1")
        help_screen = await wait_for(
            pilot, lambda: app.screen if isinstance(app.screen, HelpScreen) else None
        )
        rows = {(keys, what) for _, keys, what in help_screen.rows}
        console = Console(width=200, record=True, file=io.StringIO())
        console.print(help_screen.table)
        shown = console.export_text()

        classes = app_classes()
        names = {cls.__name__ for cls in classes}
        assert {"GroupsScreen", "SearchScreen", "BookmarksScreen", "ThemeScreen"} <= names
        missing = []
        for cls in classes:
            for binding in getattr(cls, "BINDINGS", ()):
                if not isinstance(binding, Binding) or not binding.description:
                    continue
                keys = keys_of(app, binding)
                if (keys, binding.description) not in rows:
                    missing.append(f"{cls.__name__}: {keys} {binding.description}")
                assert binding.description in shown
        assert missing == []
        for needle in ("Groups (3)", "Search (4)", "Quick jump", "Next page", "[", "]"):
            assert needle in shown


def record_notifications(app: Any) -> list[str]:
    """The text of every notification the app shows from now on."""
    seen: list[str] = []
    original = app.notify

    def notify(message: str, *args: Any, **kwargs: Any) -> None:
        seen.append(message)
        original(message, *args, **kwargs)

    app.notify = notify
    return seen


def consent_dialog(app: Any) -> Any:
    """The consent dialog, once composed and its login flow started."""
    screen = app.screen
    if isinstance(screen, ConsentScreen) and screen.flow is not None:
        return screen
    return None


async def test_declined_consent_says_how_to_grant_it_in_the_app(make_app: Any) -> None:
    app = await make_app(right=PanePlace(ARCHIVE_ID, "/~/"))
    async with app.run_test(size=(140, 40)) as pilot:
        seen = record_notifications(app)
        await wait_for(pilot, lambda: consent_dialog(app))
        await pilot.press("escape")
        message = await wait_for(pilot, lambda: next((m for m in seen if "Listing" in m), None))
        assert "gtui login" not in message
        assert "Consent was declined or not given" in message
        assert "Open the collection or repeat the action" in message

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
from gtui.tui.keys import keys_of
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

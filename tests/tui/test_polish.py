"""Where a new user would stumble: the help screen, error wording, demo consent, focus."""

from __future__ import annotations

import importlib
import inspect
import io
import pkgutil
from typing import Any

import pytest
from rich.console import Console
from textual.binding import Binding
from textual.dom import DOMNode
from textual.widgets import Button

import gtui.tui
from gtui.core.errors import GlobusError
from gtui.core.scopes import TRANSFER_RESOURCE_SERVER
from gtui.core.session import GlobusSession
from gtui.sim.serve import RunningSim
from gtui.sim.world import ARCHIVE_ID, DEMO_NATIVE_CLIENT_ID
from gtui.tui.app import PanePlace
from gtui.tui.demo_login import approve_as_demo_user, can_approve_as_demo_user
from gtui.tui.keys import keys_of
from gtui.tui.screens.collection_picker import CollectionPickerScreen
from gtui.tui.screens.confirm import ConfirmScreen
from gtui.tui.screens.consent import ConsentScreen
from gtui.tui.screens.help import HelpScreen
from gtui.tui.screens.prompt import PromptScreen
from gtui.tui.screens.transfer_options import TransferOptionsScreen
from gtui.tui.widgets.file_list import FileList
from tests.tui.tui_helpers import listed, pane, ready, record_notifications, wait_for

SIM_URLS = {
    name: f"http://127.0.0.1:1/{name}/" for name in ("auth", "transfer", "groups", "search")
}


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
            # The bindings each gtui class declares itself; Textual's own widgets' keys (an
            # Input subclass inherits Input's) are Textual's to document.
            for binding in cls.__dict__.get("BINDINGS", ()):
                if not isinstance(binding, Binding) or not binding.description:
                    continue
                keys = keys_of(app, binding)
                if (keys, binding.description) not in rows:
                    missing.append(f"{cls.__name__}: {keys} {binding.description}")
                assert binding.description in shown
        assert missing == []
        for needle in ("Groups (3)", "Search (4)", "Quick jump", "Next page", "[", "]"):
            assert needle in shown


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
        message = await wait_for(
            pilot, lambda: next((m.message for m in seen if "Could not list" in m.message), None)
        )
        assert "gtui login" not in message
        assert "Consent was declined or not given" in message
        assert "Open the collection or repeat the action" in message


async def test_the_demo_user_approves_the_archive_consent_without_a_browser(
    make_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.1 5000 10.0.0.2 22")
    app = await make_app(right=PanePlace(ARCHIVE_ID, "/~/"))
    async with app.run_test(size=(140, 40)) as pilot:
        dialog = await wait_for(pilot, lambda: consent_dialog(app))
        button = dialog.query_one("#login-demo", Button)
        assert str(button.label) == "Approve as the demo user (F6)"
        pasted_flow = dialog.flow
        await pilot.press("f6")
        await wait_for(pilot, lambda: not isinstance(app.screen, ConsentScreen))
        right = pane(app, "right")
        await wait_for(pilot, lambda: right.collection is not None and listed(app, "right"))
        assert right.collection.display_name == "Tape Archive"
        granted = app.session.token_store.get_token_data(TRANSFER_RESOURCE_SERVER)["scope"]
        assert f"https://auth.globus.org/scopes/{ARCHIVE_ID}/data_access" in granted
        assert pasted_flow.requested_scopes.endswith(f"{ARCHIVE_ID}/data_access]")


async def test_the_approve_button_finishes_a_loopback_consent_too(
    make_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SSH_CONNECTION", raising=False)
    monkeypatch.setattr("gtui.tui.screens.login.browser_is_local", lambda: True)
    app = await make_app(right=PanePlace(ARCHIVE_ID, "/~/"))
    app.open_url = lambda *args, **kwargs: None
    async with app.run_test(size=(140, 40)) as pilot:
        dialog = await wait_for(pilot, lambda: consent_dialog(app))
        assert "redirect_uri=http%3A%2F%2F127.0.0.1" in dialog.flow.authorize_url
        await pilot.click("#login-demo")
        await wait_for(pilot, lambda: not isinstance(app.screen, ConsentScreen))
        await wait_for(pilot, lambda: listed(app, "right"))
        assert pane(app, "right").collection.display_name == "Tape Archive"


async def test_approving_as_the_demo_user_is_never_offered_for_production(tui_dirs: Any) -> None:
    production = GlobusSession(DEMO_NATIVE_CLIENT_ID, environment="production")
    demo = GlobusSession(DEMO_NATIVE_CLIENT_ID, environment="sim", service_urls=SIM_URLS)
    try:
        assert not can_approve_as_demo_user(production)
        assert can_approve_as_demo_user(demo)
        with pytest.raises(GlobusError, match="Only the embedded demo service"):
            await approve_as_demo_user(production, production.login_flow())
    finally:
        await production.aclose()
        await demo.aclose()


def focused_side(app: Any) -> str | None:
    focused = app.focused
    return focused.id.removesuffix("-list") if isinstance(focused, FileList) else None


async def open_dialog(pilot: Any, key: str, kind: type) -> Any:
    await pilot.press(key)
    return await wait_for(pilot, lambda: app_screen(pilot.app, kind))


def app_screen(app: Any, kind: type) -> Any:
    return app.screen if isinstance(app.screen, kind) else None


async def test_tab_after_a_submitted_transfer_goes_to_the_other_pane_while_the_submit_runs(
    make_app: Any, sim: RunningSim
) -> None:
    app = await make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot)
        left = pane(app, "left")
        left.file_list.cursor = left.file_list.row_of("Documents")
        await open_dialog(pilot, "f5", TransferOptionsScreen)
        sim.settings.faults.latency_seconds = 0.3
        await pilot.press("enter", "tab")
        assert focused_side(app) == "right"
        await wait_for(pilot, lambda: app.feed.tasks)
        await pilot.pause()
        assert focused_side(app) == "right"
        sim.settings.faults.latency_seconds = 0.0
        picker = await open_dialog(pilot, "o", CollectionPickerScreen)
        assert picker.side == "right"


@pytest.mark.parametrize(
    ("key", "kind", "close"),
    [
        ("f5", TransferOptionsScreen, "escape"),
        ("o", CollectionPickerScreen, "escape"),
        ("f8", ConfirmScreen, "n"),
        ("f7", PromptScreen, "escape"),
        ("plus", PromptScreen, "enter"),
    ],
)
async def test_focus_returns_to_the_pane_that_opened_a_dialog(
    make_app: Any, key: str, kind: type, close: str
) -> None:
    app = await make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot)
        await pilot.press("tab")
        assert focused_side(app) == "right"
        right = pane(app, "right").file_list
        right.cursor = right.row_of("datasets")
        await open_dialog(pilot, key, kind)
        await pilot.press(close)
        await wait_for(pilot, lambda: not isinstance(app.screen, kind))
        await pilot.pause()
        assert focused_side(app) == "right"
        await pilot.press("tab")
        assert focused_side(app) == "left"
        assert app.screen.active.side == "left"

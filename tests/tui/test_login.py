"""Logging in inside the app against the embedded service, which checks PKCE for real."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from gtui.core.scopes import TRANSFER_RESOURCE_SERVER
from gtui.sim.serve import RunningSim
from gtui.tui.screens import login as login_screen
from gtui.tui.screens.login import LoginScreen
from gtui.tui.screens.onboarding import OnboardingScreen
from tests.tui.tui_helpers import build_app, listed, new_session, ready, wait_for

CODE = re.compile(r'<code id="auth-code">([^<]+)</code>')


pytestmark = pytest.mark.usefixtures("over_ssh")


async def code_from_authorize_page(url: str) -> str:
    """What the user does in a browser: open the URL and read the code Globus shows."""
    async with httpx.AsyncClient() as client:
        page = await client.get(url)
    match = CODE.search(page.text)
    assert match, page.text
    return match.group(1)


def not_logged_in_app(sim: RunningSim, **overrides: Any) -> Any:
    return build_app(
        sim,
        new_session(sim),
        username="",
        login_needed="No saved login was found.",
        **overrides,
    )


async def test_pasting_the_code_logs_in_shows_who_and_opens_the_panes(sim: RunningSim) -> None:
    app = not_logged_in_app(sim)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen) and app.screen)
        await wait_for(pilot, lambda: screen.flow is not None)
        assert "No saved login was found." in str(screen.query_one("#login-reason").render())
        url = screen.flow.authorize_url
        assert str(screen.query_one("#login-url").render()).replace("\n", "") == url
        assert app.clipboard == url
        assert "code_challenge_method=S256" in url

        screen.query_one("#login-code").value = await code_from_authorize_page(url)
        await pilot.press("enter")

        await wait_for(pilot, lambda: not isinstance(app.screen, LoginScreen))
        await ready(pilot)
        assert app.sub_title == "demo@gtui.example · sim"
        assert "Documents" in listed(app, "left")
        assert app.session.token_store.get_token_data(TRANSFER_RESOURCE_SERVER)["refresh_token"]


async def test_on_the_demo_service_f6_approves_the_login_without_a_browser(
    sim: RunningSim,
) -> None:
    app = not_logged_in_app(sim)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen) and app.screen)
        await wait_for(pilot, lambda: screen.flow is not None)
        assert str(screen.query_one("#login-demo").label) == "Approve as the demo user (F6)"
        await pilot.press("f6")
        await wait_for(pilot, lambda: not isinstance(app.screen, LoginScreen))
        await ready(pilot)
        assert app.sub_title == "demo@gtui.example · sim"
        assert app.session.token_store.get_token_data(TRANSFER_RESOURCE_SERVER)["refresh_token"]


async def test_a_wrong_code_is_explained_and_the_login_can_be_retried(sim: RunningSim) -> None:
    app = not_logged_in_app(sim)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen) and app.screen)
        await wait_for(pilot, lambda: screen.flow is not None)
        screen.query_one("#login-code").value = "certainly-not-a-code"
        await pilot.press("enter")

        status = screen.query_one("#login-status")
        await wait_for(pilot, lambda: status.has_class("-error"))
        assert "did not complete" in str(status.render())
        assert isinstance(app.screen, LoginScreen)

        screen.query_one("#login-code").value = await code_from_authorize_page(
            screen.flow.authorize_url
        )
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, LoginScreen))
        assert app.session.has_tokens()


async def test_with_a_local_browser_the_loopback_redirect_finishes_without_pasting(
    sim: RunningSim, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(login_screen, "browser_is_local", lambda: True)
    app = not_logged_in_app(sim)
    opened: list[str] = []
    app.open_url = lambda url, new_tab=True: opened.append(url)  # type: ignore[method-assign]
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen) and app.screen)
        await wait_for(pilot, lambda: opened)
        assert "redirect_uri=http%3A%2F%2F127.0.0.1%3A" in opened[0]
        assert not screen.query_one("#login-code").display

        async with httpx.AsyncClient(follow_redirects=True) as browser:
            page = await browser.get(opened[0])
        assert "Login complete" in page.text

        await wait_for(pilot, lambda: not isinstance(app.screen, LoginScreen))
        await ready(pilot)
        assert app.sub_title == "demo@gtui.example · sim"


async def test_a_revoked_refresh_token_leads_to_the_login_screen_with_a_clear_message(
    make_app: Any,
) -> None:
    app = await make_app()
    store = app.session.token_store
    for data in store.get_by_resource_server().values():
        await app.session.auth.oauth2_revoke_token(data["refresh_token"])
        store.update_token(data["resource_server"], {**data, "expires_at_seconds": 0})
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen) and app.screen)
        reason = str(screen.query_one("#login-reason").render())
        assert "log in" in reason.lower()
        assert "Traceback" not in reason


async def test_escape_cancels_the_login_and_says_how_to_log_in_later(sim: RunningSim) -> None:
    app = not_logged_in_app(sim)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, OnboardingScreen))
        assert not app.session.has_tokens()


def test_snapshot_of_the_login_screen(
    snap_compare: Any, tui_dirs: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A login with a fixed PKCE verifier and state, against a fixed service address."""
    from gtui.core import auth
    from gtui.core.session import GlobusSession
    from gtui.sim.world import DEMO_NATIVE_CLIENT_ID
    from gtui.tui.app import GtuiApp

    monkeypatch.setattr(auth.secrets, "token_urlsafe", lambda n: "x" * (n * 4 // 3 + 1))
    monkeypatch.setattr(login_screen, "grant_name", lambda: "gtui on login-node")
    base = "http://127.0.0.1:8400"
    urls = {name: f"{base}/{name}/" for name in ("auth", "transfer", "groups", "search")}
    session = GlobusSession(DEMO_NATIVE_CLIENT_ID, environment="sim", service_urls=urls)
    app = GtuiApp(session=session, environment="sim", login_needed="No saved login was found.")

    async def run_before(pilot: Any) -> None:
        screen = await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen) and app.screen)
        await wait_for(pilot, lambda: screen.flow is not None)

    assert snap_compare(app, terminal_size=(120, 36), run_before=run_before)

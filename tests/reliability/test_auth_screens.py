"""Credentials that stop working mid-session each lead to the right place, with words a
person understands: an expired access token is refreshed without a sound; a revoked refresh
token or withdrawn consent opens the login screen saying why; after logging in again, a
collection whose data_access consent went with it asks for that consent.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from gtui.core.scopes import TRANSFER_RESOURCE_SERVER
from gtui.sim.serve import RunningSim
from gtui.sim.world import ARCHIVE_ID, DEMO_NATIVE_CLIENT_ID, DEMO_USER_ID
from gtui.tui.demo_login import demo_login
from gtui.tui.screens.consent import ConsentScreen
from gtui.tui.screens.login import LoginScreen
from tests.tui.tui_helpers import build_app, new_session, pane, ready, wait_for

CODE = re.compile(r'<code id="auth-code">([^<]+)</code>')


@pytest.fixture(autouse=True)
def _over_ssh(monkeypatch: pytest.MonkeyPatch) -> None:
    """No local browser: the login screens ask for the code to be pasted."""
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.1 5000 10.0.0.2 22")


@pytest.fixture
async def running(app_dirs: Path, sim_factory: Callable[..., RunningSim]) -> Any:
    sim = sim_factory(app_dirs / "root")
    session = new_session(sim)
    await demo_login(session)
    return sim, build_app(sim, session)


def _errors(app: Any) -> list[str]:
    return [n.message for n in app._notifications if n.severity == "error"]


async def _open(pilot: Any, app: Any, name: str) -> None:
    left = pane(app, "left")
    left.file_list.focus()
    left.file_list.cursor = left.file_list.row_of(name)
    await pilot.press("enter")


async def _paste_code(pilot: Any, screen: Any) -> None:
    await wait_for(pilot, lambda: screen.flow is not None)
    async with httpx.AsyncClient() as browser:
        page = await browser.get(screen.flow.authorize_url)
    screen.query_one("#login-code").value = CODE.search(page.text).group(1)
    await pilot.press("enter")


async def test_an_expired_access_token_is_refreshed_without_bothering_the_user(
    running: Any,
) -> None:
    sim, app = running
    store = app.session.token_store
    old = store.get_token_data(TRANSFER_RESOURCE_SERVER)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await ready(pilot)
        assert sim.ctx.auth.expire_access_tokens(DEMO_USER_ID) >= 4
        await _open(pilot, app, "Documents")
        left = pane(app, "left")
        await wait_for(pilot, lambda: left.path == "/~/Documents/" and not left.fetching)
        assert "budget 2026.csv" in [e.name for e in left.entries]
        assert not isinstance(app.screen, LoginScreen)
        assert _errors(app) == []
    new = store.get_token_data(TRANSFER_RESOURCE_SERVER)
    assert new["access_token"] != old["access_token"]
    assert new["refresh_token"] != old["refresh_token"]


async def test_a_refresh_token_revoked_mid_session_opens_the_login_screen_saying_why(
    running: Any,
) -> None:
    sim, app = running
    store = app.session.token_store
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await ready(pilot)
        for data in store.get_by_resource_server().values():
            await app.session.auth.oauth2_revoke_token(data["refresh_token"])
        await _open(pilot, app, "Documents")
        screen = await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen) and app.screen)
        reason = str(screen.query_one("#login-reason").render())
        assert "expired or was revoked" in reason and "Log in again" in reason
        assert all("Traceback" not in m for m in _errors(app))
        await _paste_code(pilot, screen)
        await wait_for(pilot, lambda: not isinstance(app.screen, LoginScreen))
        await _open(pilot, app, "Documents")
        left = pane(app, "left")
        await wait_for(pilot, lambda: left.path == "/~/Documents/" and not left.fetching)


async def test_withdrawn_consent_means_log_in_again_then_consent_again_for_the_archive(
    running: Any,
) -> None:
    sim, app = running
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await ready(pilot)
        assert sim.ctx.auth.revoke_consents(DEMO_USER_ID, DEMO_NATIVE_CLIENT_ID) >= 4
        await _open(pilot, app, "Documents")
        screen = await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen) and app.screen)
        reason = str(screen.query_one("#login-reason").render())
        assert "expired or was revoked" in reason
        await _paste_code(pilot, screen)
        await wait_for(pilot, lambda: not isinstance(app.screen, LoginScreen))

        app.screen.open_collection(pane(app, "right"), ARCHIVE_ID, "/~/")
        consent = await wait_for(
            pilot, lambda: isinstance(app.screen, ConsentScreen) and app.screen
        )
        text = str(consent.query_one("#login-reason").render())
        assert "Tape Archive" in text and "data_access" in text

"""The first start without a client id: register, paste the id, saved with the comments kept,
then straight into the login. Against the embedded service, which knows only its own clients."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Input

from gtui.config import config_path, example_config_text, load_settings
from gtui.core.scopes import TRANSFER_RESOURCE_SERVER
from gtui.core.session import GlobusSession
from gtui.sim.serve import RunningSim
from gtui.sim.world import DEMO_CONFIDENTIAL_CLIENT_ID, DEMO_NATIVE_CLIENT_ID
from gtui.tui.app import GtuiApp
from gtui.tui.screens.login import LoginScreen
from gtui.tui.screens.onboarding import OnboardingScreen
from tests.tui.tui_helpers import build_app, listed, ready, wait_for

UNKNOWN_CLIENT_ID = "1b7e2c3a-5d4f-4e6b-8a9c-0d1e2f3a4b5c"


pytestmark = pytest.mark.usefixtures("over_ssh")


def first_start(sim: RunningSim) -> GtuiApp:
    """The app as ``gtui`` starts it with no client id, its sessions made for the service."""

    def new_session(client_id: str) -> GlobusSession:
        return GlobusSession(client_id, environment="sim", service_urls=sim.service_urls)

    return build_app(
        sim,
        None,  # type: ignore[arg-type]
        username="",
        login_needed="No client id is configured yet.",
        new_session=new_session,
    )


async def paste(pilot: Any, text: str) -> None:
    field = pilot.app.screen.query_one("#client-id", Input)
    await wait_for(pilot, lambda: not field.disabled and field.has_focus)
    field.value = text
    await pilot.press("enter")


def status_of(app: GtuiApp) -> str:
    status = app.screen.query_one("#client-id-status")
    return str(status.render()) if status.has_class("-error") else ""


async def test_a_pasted_client_id_is_checked_saved_with_the_comments_and_logged_in(
    sim: RunningSim,
) -> None:
    path = config_path()
    path.write_text(example_config_text(), encoding="utf-8")
    before = path.read_text(encoding="utf-8").splitlines()
    app = first_start(sim)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, OnboardingScreen))
        await paste(pilot, f"  {DEMO_NATIVE_CLIENT_ID.upper()}  ")

        login = await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen) and app.screen)
        assert "client id is saved" in str(login.query_one("#login-reason").render())
        await wait_for(pilot, lambda: login.flow is not None)
        assert f"client_id={DEMO_NATIVE_CLIENT_ID}" in login.flow.authorize_url
        await pilot.press("f6")

        await wait_for(pilot, lambda: not isinstance(app.screen, LoginScreen))
        await ready(pilot)
        assert app.sub_title == "demo@gtui.example · sim"
        assert "Documents" in listed(app, "left")
        assert app.session.token_store.get_token_data(TRANSFER_RESOURCE_SERVER)["refresh_token"]

    after = path.read_text(encoding="utf-8").splitlines()
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert changed == [('client_id = ""', f'client_id = "{DEMO_NATIVE_CLIENT_ID}"')]
    assert [line for line in after if line.startswith("#")] == [
        line for line in before if line.startswith("#")
    ]
    assert load_settings().general.client_id == DEMO_NATIVE_CLIENT_ID


@pytest.mark.parametrize(
    ("typed", "told"),
    [
        ("", "nothing was entered"),
        ("my-client", "“my-client” is not a client id"),
        (UNKNOWN_CLIENT_ID, f"Globus Auth does not know {UNKNOWN_CLIENT_ID} as a native app"),
        (DEMO_CONFIDENTIAL_CLIENT_ID, "as a native app"),
    ],
)
async def test_a_client_id_that_cannot_be_used_is_refused_with_a_message_and_kept(
    sim: RunningSim, typed: str, told: str
) -> None:
    app = first_start(sim)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, OnboardingScreen))
        await paste(pilot, typed)

        await wait_for(pilot, lambda: told in status_of(app))
        assert isinstance(app.screen, OnboardingScreen)
        field = app.screen.query_one("#client-id", Input)
        await wait_for(pilot, lambda: not field.disabled)
        assert field.value == typed
        assert not config_path().exists()

        await paste(pilot, DEMO_NATIVE_CLIENT_ID)
        await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen))
    assert load_settings().general.client_id == DEMO_NATIVE_CLIENT_ID


async def test_a_cancelled_login_after_the_set_up_offers_the_login_again(
    sim: RunningSim,
) -> None:
    app = first_start(sim)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, OnboardingScreen))
        await paste(pilot, DEMO_NATIVE_CLIENT_ID)
        await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen))
        await pilot.press("escape")

        screen = await wait_for(
            pilot, lambda: isinstance(app.screen, OnboardingScreen) and app.screen
        )
        assert not screen.query("#client-id")
        assert "Press **Enter** to log in" in screen.query_one("Markdown").source
        await pilot.press("enter")
        login = await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen) and app.screen)
        await wait_for(pilot, lambda: login.flow is not None)
        await pilot.press("f6")
        await ready(pilot)
        assert app.sub_title == "demo@gtui.example · sim"

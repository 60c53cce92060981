"""Consent repair end to end: a collection that wants data_access consent, a login for exactly
that scope, and the action retried until the user sees what they asked for."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from gtui.core.errors import AuthorizationRequirement
from gtui.core.scopes import TRANSFER_RESOURCE_SERVER, flow_run_scope, flow_user_scope
from gtui.sim.serve import RunningSim
from gtui.sim.world import ARCHIVE_ID, LAPTOP_ID, SCRATCH_ID
from gtui.tui.app import PanePlace
from gtui.tui.screens.consent import ConsentScreen, describe_requirement
from gtui.tui.screens.transfer_options import TransferOptionsScreen
from tests.tui.tui_helpers import listed, pane, ready, wait_for

CODE = re.compile(r'<code id="auth-code">([^<]+)</code>')
DATA_ACCESS = f"https://auth.globus.org/scopes/{ARCHIVE_ID}/data_access"


pytestmark = pytest.mark.usefixtures("over_ssh")


async def grant(pilot: Any, screen: ConsentScreen) -> None:
    """Log in on the authorize page the dialog shows, and paste the code back."""
    await wait_for(pilot, lambda: screen.flow is not None)
    async with httpx.AsyncClient() as client:
        page = await client.get(screen.flow.authorize_url)
    screen.query_one("#login-code").value = CODE.search(page.text).group(1)
    await pilot.press("enter")


def consent_screen(app: Any) -> Any:
    """The consent dialog once it is composed (pushing a screen does not compose it at once)."""
    screen = app.screen
    return isinstance(screen, ConsentScreen) and bool(screen.query("#login-reason")) and screen


async def test_opening_the_archive_asks_for_consent_then_shows_the_folder(
    make_app: Any,
) -> None:
    app = await make_app(right=PanePlace(ARCHIVE_ID, "/~/"))
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await wait_for(pilot, lambda: consent_screen(app))
        reason = str(screen.query_one("#login-reason").render())
        assert "“Tape Archive”" in reason
        assert "data_access" in reason
        await wait_for(pilot, lambda: screen.flow is not None)
        requested = screen.flow.requested_scopes
        assert requested == f"urn:globus:auth:scope:transfer.api.globus.org:all[*{DATA_ACCESS}]"

        await grant(pilot, screen)

        await wait_for(pilot, lambda: not isinstance(app.screen, ConsentScreen))
        await ready(pilot)
        right = pane(app, "right")
        assert right.collection.display_name == "Tape Archive"
        assert listed(app, "right")
        scope = app.session.token_store.get_token_data(TRANSFER_RESOURCE_SERVER)["scope"]
        assert DATA_ACCESS in scope
        assert "Documents" in listed(app, "left")


async def test_a_transfer_submission_that_needs_consent_is_repaired_and_submitted_once(
    make_app: Any, sim: RunningSim
) -> None:
    app = await make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot)
        sim.settings.faults.consent_collections.add(SCRATCH_ID)
        left = pane(app, "left")
        left.file_list.cursor = left.file_list.row_of("Documents")
        await pilot.press("f5")
        await wait_for(pilot, lambda: isinstance(app.screen, TransferOptionsScreen))
        await pilot.press("enter")

        screen = await wait_for(pilot, lambda: consent_screen(app))
        assert "“HPC Cluster Scratch”" in str(screen.query_one("#login-reason").render())
        await grant(pilot, screen)

        task = await wait_for(
            pilot,
            lambda: next(
                (t for t in app.feed.tasks.values() if t.destination_endpoint_id == SCRATCH_ID),
                None,
            ),
        )
        assert task.source_endpoint_id == LAPTOP_ID
        assert len(app.feed.tasks) == 1


async def test_declining_consent_leaves_the_pane_with_an_error_and_the_app_running(
    make_app: Any,
) -> None:
    app = await make_app(right=PanePlace(ARCHIVE_ID, "/~/"))
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: consent_screen(app))
        await pilot.press("escape")
        right = pane(app, "right")
        await wait_for(pilot, lambda: not right.fetching)
        assert not listed(app, "right")
        assert "could not list" in right.status_text
        assert app.is_running


def test_the_dialog_explains_session_requirements_in_words() -> None:
    requirement = AuthorizationRequirement(
        code="AuthorizationRequired",
        session_required_identities=("ada@gtui.example",),
        session_required_single_domain=("gtui.example",),
        session_required_mfa=True,
        session_message="Your session is too old for this collection",
    )

    text = describe_requirement(requirement)

    assert "log in with the identity ada@gtui.example" in text
    assert "an identity from gtui.example" in text
    assert "multi-factor" in text
    assert "The service said: Your session is too old for this collection" in text
    assert "retry" in text


def test_a_flows_own_scope_is_told_by_the_flows_title_and_its_collection() -> None:
    flow_id = "1a2b3c4d-0000-4000-8000-00000000f10e"
    requirement = AuthorizationRequirement(
        code="ConsentRequired",
        required_scopes=(
            flow_run_scope(flow_id, data_access_collection_ids=[SCRATCH_ID, ARCHIVE_ID]),
        ),
    )
    names = {flow_id: "Move to scratch", SCRATCH_ID: "HPC Cluster Scratch"}

    text = describe_requirement(requirement, names)

    assert "The flow “Move to scratch” runs as you" in text
    assert "“HPC Cluster Scratch”" in text
    # A collection without a known name is still named, by its id.
    assert f"“{ARCHIVE_ID}”" in text
    # Said in words, never as the bare scope the service asked for.
    assert "https://auth.globus.org/scopes/" not in text
    assert "Globus needs your consent for:" not in text

    alone = describe_requirement(
        AuthorizationRequirement(
            code="ConsentRequired", required_scopes=(flow_user_scope(flow_id),)
        )
    )
    assert f"The flow {flow_id} runs as you" in alone
    assert "data_access" not in alone and "https://" not in alone

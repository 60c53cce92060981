"""The Timers resource server in the embedded Auth: its scope, its dependencies, its tokens
from every grant, and the data_access consent nested under it."""

from __future__ import annotations

import globus_sdk
import httpx
import pytest

from gtui.sim.auth.scopes import (
    TIMER_RS,
    TIMER_SCOPE,
    ScopeError,
    group_by_resource_server,
    scope_string,
)
from gtui.sim.serve import RunningSim
from gtui.sim.world import ARCHIVE_ID, DEMO_NATIVE_CLIENT_ID, DEMO_USER_ID, LAPTOP_ID
from tests.sim_login import AUTH_SCOPES, login_through_page

TRANSFER = "urn:globus:auth:scope:transfer.api.globus.org:all"
TRANSFER_URL = "https://auth.globus.org/scopes/transfer.api.globus.org/all"
DATA_ACCESS = f"https://auth.globus.org/scopes/{ARCHIVE_ID}/data_access"
TIMER_WITH_DATA = f"{TIMER_SCOPE}[{TRANSFER}[*{DATA_ACCESS}]]"


def timer_token(response: dict) -> dict:
    tokens = [response, *response.get("other_tokens", [])]
    return next(t for t in tokens if t["resource_server"] == TIMER_RS)


def test_the_timer_scope_and_its_dependencies_are_known() -> None:
    assert str(globus_sdk.TimersClient.scopes.timer) == TIMER_SCOPE
    assert globus_sdk.TimersClient.scopes.resource_server == TIMER_RS
    for text in (TIMER_SCOPE, f"{TIMER_SCOPE}[{TRANSFER}]", TIMER_WITH_DATA):
        (scope,) = group_by_resource_server(text)[TIMER_RS]
        assert str(scope) == text


def test_either_form_of_transfer_is_stored_as_its_urn() -> None:
    (scope,) = group_by_resource_server(f"{TIMER_SCOPE}[{TRANSFER_URL}[{DATA_ACCESS}]]")[TIMER_RS]
    assert str(scope) == f"{TIMER_SCOPE}[{TRANSFER}[{DATA_ACCESS}]]"
    urn_form = f"urn:globus:auth:scope:{TIMER_RS}:timer"
    assert str(group_by_resource_server(urn_form)[TIMER_RS][0]) == TIMER_SCOPE


@pytest.mark.parametrize(
    "text",
    [
        f"{TIMER_SCOPE}[urn:globus:auth:scope:groups.api.globus.org:all]",
        f"{TIMER_SCOPE}[{DATA_ACCESS}]",
        f"{TRANSFER}[{TIMER_SCOPE}]",
        f"{TIMER_SCOPE}[{TRANSFER}[https://auth.globus.org/scopes/{LAPTOP_ID}/data_access]]",
        f"https://auth.globus.org/scopes/{TIMER_RS}/all",
    ],
)
def test_dependencies_not_allowed_are_refused(text: str) -> None:
    with pytest.raises(ScopeError):
        group_by_resource_server(text)


def test_requests_for_one_scope_are_merged_deep() -> None:
    """The CLI asks for ``timer[transfer]`` and ``timer[transfer[data_access]]`` together."""
    grouped = group_by_resource_server(
        f"{TIMER_SCOPE}[{TRANSFER}] {TIMER_SCOPE}[{TRANSFER}[{DATA_ACCESS}]] "
        f"{TIMER_SCOPE}[{TRANSFER}[*{DATA_ACCESS}]]"
    )
    assert scope_string(grouped[TIMER_RS]) == f"{TIMER_SCOPE}[{TRANSFER}[{DATA_ACCESS}]]"


def test_the_login_page_grants_a_timer_token_and_refresh_keeps_its_scope(
    sim: RunningSim,
) -> None:
    response = login_through_page(sim, scopes=f"{AUTH_SCOPES} {TIMER_WITH_DATA}")
    token = timer_token(response)
    assert token["scope"] == TIMER_WITH_DATA
    caller = sim.ctx.auth.caller_for(token["access_token"], TIMER_RS)
    assert caller is not None and caller.identity_id == DEMO_USER_ID
    assert {TIMER_SCOPE, TRANSFER, DATA_ACCESS} <= caller.scopes
    assert sim.ctx.auth.caller_for(token["access_token"], "transfer.api.globus.org") is None
    refreshed = httpx.post(
        f"{sim.service_urls['auth']}v2/oauth2/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": token["refresh_token"],
            "client_id": DEMO_NATIVE_CLIENT_ID,
        },
    ).json()
    assert refreshed["resource_server"] == TIMER_RS
    assert refreshed["scope"] == TIMER_WITH_DATA


def test_client_credentials_grant_a_timer_token(
    sdk_confidential_client: globus_sdk.ConfidentialAppAuthClient,
) -> None:
    tokens = sdk_confidential_client.oauth2_client_credentials_tokens(
        requested_scopes=[
            globus_sdk.TimersClient.scopes.timer.with_dependency(
                globus_sdk.TransferClient.scopes.all.with_dependency(
                    globus_sdk.scopes.GCSCollectionScopes(ARCHIVE_ID).data_access
                )
            )
        ]
    )
    token = tokens.by_resource_server[TIMER_RS]
    assert token["scope"] == f"{TIMER_SCOPE}[{TRANSFER}[{DATA_ACCESS}]]"


def test_a_nested_data_access_counts_as_the_consent_until_it_is_withdrawn(
    sim: RunningSim,
) -> None:
    auth = sim.ctx.auth
    response = login_through_page(sim, scopes=f"openid {TIMER_WITH_DATA}")
    assert auth.holds_consent(DEMO_USER_ID, DATA_ACCESS)
    assert auth.revoke_consent(DEMO_USER_ID, DATA_ACCESS) == 2  # its access and refresh token
    assert not auth.holds_consent(DEMO_USER_ID, DATA_ACCESS)
    assert auth.holds_consent(DEMO_USER_ID, TRANSFER)
    token = timer_token(response)
    caller = auth.caller_for(token["access_token"], TIMER_RS)
    assert caller is not None
    assert DATA_ACCESS not in caller.scopes and TRANSFER in caller.scopes
    refreshed = auth.refresh(token["refresh_token"], DEMO_NATIVE_CLIENT_ID)
    assert refreshed is not None
    assert refreshed["scope"] == f"{TIMER_SCOPE}[{TRANSFER}]"

"""Mismatches 1 and 5 of issue 16, driven by the official clients against the embedded service.

1. Group documents carry ``subscription_admin_verified_id``, and the subscription routes exist:
   ``GET /v2/subscription_info/{id}`` and ``PUT /v2/groups/{id}/subscription_admin_verified``
   (SDK ``GroupsClient``; CLI ``globus group update``, ``get-subscription-info``,
   ``get-by-subscription``, ``set-subscription-admin-verified``).
5. A client-credentials grant asking for ``openid`` returns an ``id_token``; a bad authorization
   code gets 401 ``{"error": "invalid_grant"}`` (SDK ``ConfidentialAppAuthClient``).
"""

from __future__ import annotations

import json
import subprocess
import uuid
from pathlib import Path

import globus_sdk
import httpx
import pytest

from gtui.sim.groups.demo import DEMO_SUBSCRIPTION_ID
from gtui.sim.serve import RunningSim
from gtui.sim.world import (
    CLIMATE_GROUP_ID,
    DEMO_CONFIDENTIAL_CLIENT_ID,
    DEMO_CONFIDENTIAL_CLIENT_SECRET,
    DEMO_NATIVE_CLIENT_ID,
    HPC_USERS_GROUP_ID,
    OPEN_DATA_GROUP_ID,
)
from tests.sim import test_cli_basics
from tests.sim.test_cli_basics import GLOBUS, globus
from tests.sim_login import GROUPS_SCOPE, TRANSFER_SCOPE, pkce_pair, read_auth_code

GROUPS_RS = "groups.api.globus.org"
needs_cli = pytest.mark.skipif(not GLOBUS.exists(), reason="globus-cli is not installed")
VERIFIED = "subscription_admin_verified_id"


@pytest.fixture
def cli_env(sim: RunningSim, tmp_path: Path) -> dict[str, str]:
    """The official CLI's environment of test_cli_basics: the service, a client login."""
    return test_cli_basics.cli_env.__wrapped__(sim, tmp_path)


def groups_client(tokens: dict[str, str]) -> globus_sdk.GroupsClient:
    return globus_sdk.GroupsClient(authorizer=globus_sdk.AccessTokenAuthorizer(tokens[GROUPS_RS]))


@pytest.fixture
def demo_groups(sim_env: dict, demo_user_tokens: dict[str, str]) -> globus_sdk.GroupsClient:
    return groups_client(demo_user_tokens)


@pytest.fixture
def other_groups(sim_env: dict, other_user_tokens: dict[str, str]) -> globus_sdk.GroupsClient:
    """The other user: admin of "HPC Users" (so of its subscription) and of "Open Data Club"."""
    return groups_client(other_user_tokens)


# -- 1. Groups: subscription_admin_verified_id and the subscription routes ---------------------


def test_group_documents_carry_subscription_admin_verified_id(
    demo_groups: globus_sdk.GroupsClient,
) -> None:
    climate = demo_groups.get_group(CLIMATE_GROUP_ID)
    assert climate[VERIFIED] is None
    assert (climate["subscription_id"], climate["subscription_info"]) == (None, None)
    assert all(VERIFIED in g for g in demo_groups.get_my_groups())
    hpc = demo_groups.get_group(HPC_USERS_GROUP_ID, include="my_memberships")
    assert hpc["group_type"] == "plus"
    assert hpc["subscription_id"] == DEMO_SUBSCRIPTION_ID
    info = hpc["subscription_info"]
    assert {"name", "subscriber_name", "is_high_assurance", "is_baa", "connectors"} <= set(info)
    assert all(set(c) == {"is_ha", "is_baa"} for c in info["connectors"].values())


def test_get_group_by_subscription_id_answers_the_restricted_info(
    demo_groups: globus_sdk.GroupsClient,
) -> None:
    found = demo_groups.get_group_by_subscription_id(DEMO_SUBSCRIPTION_ID)
    assert found["group_id"] == HPC_USERS_GROUP_ID
    assert found["subscription_id"] == DEMO_SUBSCRIPTION_ID
    assert set(found["subscription_info"]) == {"is_high_assurance", "is_baa", "connectors"}
    with pytest.raises(globus_sdk.GroupsAPIError) as caught:
        demo_groups.get_group_by_subscription_id(str(uuid.uuid4()))
    assert caught.value.http_status == 404


def test_a_subscription_admin_verifies_a_group_and_a_group_admin_clears_it(
    demo_groups: globus_sdk.GroupsClient, other_groups: globus_sdk.GroupsClient
) -> None:
    answer = other_groups.set_subscription_admin_verified(OPEN_DATA_GROUP_ID, DEMO_SUBSCRIPTION_ID)
    assert answer.data == {"group_id": OPEN_DATA_GROUP_ID, VERIFIED: DEMO_SUBSCRIPTION_ID}
    assert other_groups.get_group(OPEN_DATA_GROUP_ID)[VERIFIED] == DEMO_SUBSCRIPTION_ID
    # Keeping the value through a full update (what `globus group update` sends) is allowed.
    kept = other_groups.update_group(
        OPEN_DATA_GROUP_ID, {"name": "Open Data Club", VERIFIED: DEMO_SUBSCRIPTION_ID}
    )
    assert kept[VERIFIED] == DEMO_SUBSCRIPTION_ID
    cleared = other_groups.set_subscription_admin_verified(OPEN_DATA_GROUP_ID, None)
    assert cleared[VERIFIED] is None

    # The demo user administers Climate Modelling Lab but not the subscription.
    for call in (
        lambda: demo_groups.set_subscription_admin_verified(CLIMATE_GROUP_ID, DEMO_SUBSCRIPTION_ID),
        lambda: demo_groups.update_group(CLIMATE_GROUP_ID, {VERIFIED: DEMO_SUBSCRIPTION_ID}),
    ):
        with pytest.raises(globus_sdk.GroupsAPIError) as caught:
            call()
        assert caught.value.http_status == 403
    assert demo_groups.set_subscription_admin_verified(CLIMATE_GROUP_ID, None)[VERIFIED] is None
    # A member (not admin) of a group may not touch it; a malformed id is a bad request.
    with pytest.raises(globus_sdk.GroupsAPIError) as caught:
        demo_groups.set_subscription_admin_verified(HPC_USERS_GROUP_ID, None)
    assert caught.value.http_status == 403
    with pytest.raises(globus_sdk.GroupsAPIError) as caught:
        demo_groups.update_group(CLIMATE_GROUP_ID, {VERIFIED: "not-a-uuid"})
    assert caught.value.http_status == 400


def _cli_fails(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [str(GLOBUS), *args], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode != 0, done.stdout
    return done.stderr


@needs_cli
def test_the_cli_updates_a_group_and_reads_subscriptions(cli_env: dict[str, str]) -> None:
    created = json.loads(globus(cli_env, "group", "create", "Wire Test Group", "-F", "json"))
    group_id = created["id"]
    assert globus(cli_env, "group", "update", group_id, "--name", "Wire Renamed").strip() == (
        "Group updated successfully"
    )
    shown = json.loads(globus(cli_env, "group", "show", group_id, "-F", "json"))
    assert (shown["name"], shown[VERIFIED]) == ("Wire Renamed", None)
    globus(cli_env, "group", "update", group_id, "--subscription-admin-verified-id", "null")
    assert "updated successfully" in globus(
        cli_env, "group", "set-subscription-admin-verified", group_id, "null"
    )
    # The client administers its group but not the subscription.
    refused = _cli_fails(
        cli_env, "group", "set-subscription-admin-verified", group_id, DEMO_SUBSCRIPTION_ID
    )
    assert "403" in refused

    info = globus(cli_env, "group", "get-subscription-info", DEMO_SUBSCRIPTION_ID)
    assert HPC_USERS_GROUP_ID in info and DEMO_SUBSCRIPTION_ID in info
    by_subscription = globus(cli_env, "group", "get-by-subscription", DEMO_SUBSCRIPTION_ID)
    assert "HPC Users" in by_subscription
    as_json = globus(cli_env, "group", "get-by-subscription", DEMO_SUBSCRIPTION_ID, "-F", "json")
    assert json.loads(as_json)["group_id"] == HPC_USERS_GROUP_ID


# -- 5. Auth: id_token for client credentials, 401 invalid_grant for a bad code ----------------


def test_client_credentials_with_openid_returns_an_id_token(
    sdk_confidential_client: globus_sdk.ConfidentialAppAuthClient,
) -> None:
    tokens = sdk_confidential_client.oauth2_client_credentials_tokens(
        requested_scopes=f"openid {TRANSFER_SCOPE}"
    )
    assert tokens["id_token"].count(".") == 2
    claims = tokens.decode_id_token()
    assert claims["sub"] == claims["aud"] == DEMO_CONFIDENTIAL_CLIENT_ID
    assert claims["preferred_username"] == (
        f"{DEMO_CONFIDENTIAL_CLIENT_ID}@clients.auth.globus.org"
    )
    assert [i["sub"] for i in claims["identity_set"]] == [DEMO_CONFIDENTIAL_CLIENT_ID]
    assert set(tokens.by_resource_server) == {"auth.globus.org", "transfer.api.globus.org"}
    without = sdk_confidential_client.oauth2_client_credentials_tokens(
        requested_scopes=TRANSFER_SCOPE
    )
    assert "id_token" not in without


def test_a_bad_authorization_code_is_401_invalid_grant(
    sdk_confidential_client: globus_sdk.ConfidentialAppAuthClient,
) -> None:
    sdk_confidential_client.oauth2_start_flow(
        "https://example.org/callback", requested_scopes=GROUPS_SCOPE
    )
    with pytest.raises(globus_sdk.AuthAPIError) as caught:
        sdk_confidential_client.oauth2_exchange_code_for_tokens("no-such-code")
    assert caught.value.http_status == 401
    assert caught.value.raw_json["error"] == "invalid_grant"


def test_a_used_or_foreign_code_is_401_invalid_grant(sim: RunningSim) -> None:
    """A code already exchanged, or one issued to another client, is as bad as an unknown one."""
    token_url = f"{sim.service_urls['auth']}v2/oauth2/token"
    code, verifier, redirect_uri = _fresh_code(sim)
    exchange = {
        "grant_type": "authorization_code",
        "code": code,
        "code_verifier": verifier,
        "redirect_uri": redirect_uri,
        "client_id": DEMO_NATIVE_CLIENT_ID,
    }
    assert httpx.post(token_url, data=exchange).status_code == 200
    used = httpx.post(token_url, data=exchange)
    assert (used.status_code, used.json()["error"]) == (401, "invalid_grant")

    code, verifier, redirect_uri = _fresh_code(sim)
    foreign = httpx.post(
        token_url,
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri},
        auth=(DEMO_CONFIDENTIAL_CLIENT_ID, DEMO_CONFIDENTIAL_CLIENT_SECRET),
    )
    assert (foreign.status_code, foreign.json()["error"]) == (401, "invalid_grant")


def _fresh_code(sim: RunningSim) -> tuple[str, str, str]:
    """An authorization code the authorize page shows for the native client, its PKCE
    verifier and its redirect URI."""
    verifier, challenge = pkce_pair()
    auth_root = sim.service_urls["auth"]
    redirect_uri = f"{auth_root}v2/web/auth-code"
    page = httpx.get(
        f"{auth_root}v2/oauth2/authorize",
        params={
            "client_id": DEMO_NATIVE_CLIENT_ID,
            "redirect_uri": redirect_uri,
            "scope": "openid",
            "state": "s",
            "response_type": "code",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        },
    )
    return read_auth_code(page.text), verifier, redirect_uri

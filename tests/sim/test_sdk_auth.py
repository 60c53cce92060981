"""The official globus-sdk drives every Auth call of the embedded service."""

from __future__ import annotations

import re

import globus_sdk
import httpx
import pytest

from gtui.sim.serve import RunningSim
from gtui.sim.world import (
    ARCHIVE_ID,
    DEMO_CONFIDENTIAL_CLIENT_ID,
    DEMO_NATIVE_CLIENT_ID,
    DEMO_USER_ID,
    DEMO_USERNAME,
    LAPTOP_ID,
    OTHER_USER_ID,
)

TRANSFER_SCOPE = "urn:globus:auth:scope:transfer.api.globus.org:all"
LOGIN_SCOPES = (
    f"openid profile email urn:globus:auth:scope:auth.globus.org:view_identities {TRANSFER_SCOPE}"
)
CODE = re.compile(r'<code id="auth-code">([^<]+)</code>')


def sdk_login(
    refresh_tokens: bool = True, scopes: str = LOGIN_SCOPES
) -> tuple[globus_sdk.NativeAppAuthClient, globus_sdk.OAuthTokenResponse]:
    client = globus_sdk.NativeAppAuthClient(DEMO_NATIVE_CLIENT_ID)
    client.oauth2_start_flow(requested_scopes=scopes, refresh_tokens=refresh_tokens)
    page = httpx.get(client.oauth2_get_authorize_url())
    assert page.status_code == 200
    assert "logged in as demo user" in page.text
    match = CODE.search(page.text)
    assert match
    return client, client.oauth2_exchange_code_for_tokens(match.group(1))


def test_native_app_pkce_flow_returns_one_token_per_resource_server(sim_env: dict) -> None:
    _, tokens = sdk_login()
    assert set(tokens.by_resource_server) == {"auth.globus.org", "transfer.api.globus.org"}
    transfer = tokens.by_resource_server["transfer.api.globus.org"]
    assert transfer["scope"] == TRANSFER_SCOPE
    assert transfer["refresh_token"]
    assert transfer["expires_at_seconds"] > 0


def test_id_token_decodes_with_the_sdk_against_the_published_jwks(sim_env: dict) -> None:
    _, tokens = sdk_login()
    claims = tokens.decode_id_token()
    assert claims["sub"] == DEMO_USER_ID
    assert claims["aud"] == DEMO_NATIVE_CLIENT_ID
    assert claims["preferred_username"] == DEMO_USERNAME
    assert claims["identity_set"][0]["sub"] == DEMO_USER_ID
    linked = claims["identity_set"][1]
    assert linked["username"].endswith("@orcid.org")
    assert linked["identity_provider_display_name"] == "ORCID"
    assert claims["iss"] == sim_env["GLOBUS_SDK_SERVICE_URL_AUTH"].rstrip("/")


def test_openid_configuration_advertises_rs512(sim_env: dict) -> None:
    client = globus_sdk.NativeAppAuthClient(DEMO_NATIVE_CLIENT_ID)
    config = client.get_openid_configuration()
    assert config["id_token_signing_alg_values_supported"] == ["RS512"]
    jwk = client.get_jwk()
    assert jwk is not None


def test_refresh_rotates_and_the_old_refresh_token_stops_once_the_new_one_is_used(
    sim_env: dict,
) -> None:
    client, tokens = sdk_login()
    old = tokens.by_resource_server["transfer.api.globus.org"]["refresh_token"]
    fresh = client.oauth2_refresh_token(old).by_resource_server["transfer.api.globus.org"]
    assert fresh["refresh_token"] != old
    transfer = globus_sdk.TransferClient(
        authorizer=globus_sdk.AccessTokenAuthorizer(fresh["access_token"])
    )
    assert transfer.get_endpoint(LAPTOP_ID)["id"] == LAPTOP_ID  # the new tokens arrived
    with pytest.raises(globus_sdk.AuthAPIError) as caught:
        client.oauth2_refresh_token(old)
    assert caught.value.http_status == 400
    assert caught.value.raw_json["error"] == "invalid_grant"
    again = client.oauth2_refresh_token(fresh["refresh_token"])
    newest = again.by_resource_server["transfer.api.globus.org"]
    assert client.oauth2_refresh_token(newest["refresh_token"]).by_resource_server
    with pytest.raises(globus_sdk.AuthAPIError):
        client.oauth2_refresh_token(fresh["refresh_token"])  # its replacement was refreshed


def test_a_refresh_whose_answer_was_lost_can_be_repeated_once_in_the_grace_window(
    sim_env: dict,
) -> None:
    client, tokens = sdk_login()
    old = tokens.by_resource_server["transfer.api.globus.org"]["refresh_token"]
    lost = client.oauth2_refresh_token(old).by_resource_server["transfer.api.globus.org"]
    repeated = client.oauth2_refresh_token(old).by_resource_server["transfer.api.globus.org"]
    assert repeated["refresh_token"] not in (old, lost["refresh_token"])
    # The answer nobody saw is withdrawn: its tokens no longer work.
    with pytest.raises(globus_sdk.AuthAPIError):
        client.oauth2_refresh_token(lost["refresh_token"])
    unseen = globus_sdk.TransferClient(
        authorizer=globus_sdk.AccessTokenAuthorizer(lost["access_token"])
    )
    with pytest.raises(globus_sdk.TransferAPIError) as refused:
        unseen.get_endpoint(LAPTOP_ID)
    assert refused.value.http_status == 401
    assert client.oauth2_refresh_token(repeated["refresh_token"]).by_resource_server


def test_no_grace_after_the_window(sim_env: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    import gtui.sim.auth.tokens

    monkeypatch.setattr(gtui.sim.auth.tokens, "ROTATION_GRACE_SECONDS", -1)
    client, tokens = sdk_login()
    old = tokens.by_resource_server["transfer.api.globus.org"]["refresh_token"]
    client.oauth2_refresh_token(old)
    with pytest.raises(globus_sdk.AuthAPIError) as caught:
        client.oauth2_refresh_token(old)
    assert caught.value.raw_json["error"] == "invalid_grant"


def test_refresh_token_authorizer_refreshes_transparently(sim_env: dict) -> None:
    client, tokens = sdk_login()
    auth = tokens.by_resource_server["auth.globus.org"]
    authorizer = globus_sdk.RefreshTokenAuthorizer(auth["refresh_token"], client)
    info = globus_sdk.AuthClient(authorizer=authorizer).userinfo()
    assert info["sub"] == DEMO_USER_ID


def test_revoked_access_token_is_refused(sim_env: dict) -> None:
    client, tokens = sdk_login()
    access = tokens.by_resource_server["auth.globus.org"]["access_token"]
    auth = globus_sdk.AuthClient(authorizer=globus_sdk.AccessTokenAuthorizer(access))
    assert auth.userinfo()["preferred_username"] == DEMO_USERNAME
    client.oauth2_revoke_token(access)
    with pytest.raises(globus_sdk.AuthAPIError) as caught:
        auth.userinfo()
    assert caught.value.http_status == 401


def test_revoking_a_refresh_token_ends_its_access_tokens(sim_env: dict) -> None:
    client, tokens = sdk_login()
    auth = tokens.by_resource_server["auth.globus.org"]
    client.oauth2_revoke_token(auth["refresh_token"])
    with pytest.raises(globus_sdk.AuthAPIError):
        client.oauth2_refresh_token(auth["refresh_token"])
    api = globus_sdk.AuthClient(authorizer=globus_sdk.AccessTokenAuthorizer(auth["access_token"]))
    with pytest.raises(globus_sdk.AuthAPIError) as caught:
        api.userinfo()
    assert caught.value.http_status == 401


def validate(client: globus_sdk.NativeAppAuthClient, token: str) -> globus_sdk.GlobusHTTPResponse:
    """``/token/validate`` (SDK 4 dropped its wrapper, so the generic form POST is used)."""
    body = {"token": token, "client_id": client.client_id}
    return client.post("/v2/oauth2/token/validate", data=body, encoding="form")


def test_validate_token_reports_active_then_inactive(sim_env: dict) -> None:
    client, tokens = sdk_login()
    access = tokens.by_resource_server["transfer.api.globus.org"]["access_token"]
    assert validate(client, access)["active"] is True
    client.oauth2_revoke_token(access)
    assert validate(client, access)["active"] is False


def test_client_credentials_and_introspection(
    sdk_confidential_client: globus_sdk.ConfidentialAppAuthClient,
) -> None:
    tokens = sdk_confidential_client.oauth2_client_credentials_tokens(
        requested_scopes=f"{TRANSFER_SCOPE}[*https://auth.globus.org/scopes/{ARCHIVE_ID}/data_access]"
    )
    transfer = tokens.by_resource_server["transfer.api.globus.org"]
    assert "data_access" in transfer["scope"]
    info = sdk_confidential_client.oauth2_token_introspect(
        transfer["access_token"], include="identity_set"
    )
    assert info["active"] is True
    assert info["client_id"] == DEMO_CONFIDENTIAL_CLIENT_ID
    assert info["sub"] == DEMO_CONFIDENTIAL_CLIENT_ID
    assert info["identity_set"] == [DEMO_CONFIDENTIAL_CLIENT_ID]
    assert sdk_confidential_client.oauth2_token_introspect("not-a-token")["active"] is False


def test_wrong_client_secret_is_invalid_client(sim_env: dict) -> None:
    client = globus_sdk.ConfidentialAppAuthClient(DEMO_CONFIDENTIAL_CLIENT_ID, "wrong")
    with pytest.raises(globus_sdk.AuthAPIError) as caught:
        client.oauth2_client_credentials_tokens(requested_scopes=TRANSFER_SCOPE)
    assert caught.value.http_status == 401
    assert caught.value.raw_json["error"] == "invalid_client"


def test_unknown_scope_is_refused(
    sdk_confidential_client: globus_sdk.ConfidentialAppAuthClient,
) -> None:
    with pytest.raises(globus_sdk.AuthAPIError) as caught:
        sdk_confidential_client.oauth2_client_credentials_tokens(
            requested_scopes="urn:globus:auth:scope:nowhere.example:all"
        )
    assert caught.value.raw_json["error"] == "invalid_scope"


def test_get_identities_by_id_and_username(sdk_auth_client: globus_sdk.AuthClient) -> None:
    by_id = sdk_auth_client.get_identities(ids=[DEMO_USER_ID, OTHER_USER_ID])
    assert {i["id"] for i in by_id["identities"]} == {DEMO_USER_ID, OTHER_USER_ID}
    by_name = sdk_auth_client.get_identities(usernames=[DEMO_USERNAME, "nobody@nowhere.example"])
    assert [i["username"] for i in by_name["identities"]] == [DEMO_USERNAME]


def test_userinfo_for_the_other_user(sim: RunningSim, user_token_response) -> None:
    response = user_token_response(identity_id=OTHER_USER_ID)
    auth = globus_sdk.AuthClient(
        authorizer=globus_sdk.AccessTokenAuthorizer(response["access_token"]),
        base_url=sim.service_urls["auth"],
    )
    assert auth.userinfo()["sub"] == OTHER_USER_ID

"""The embedded Auth service at the HTTP level: authorize page, PKCE, tokens at rest, 401s."""

from __future__ import annotations

import time
import urllib.parse
from pathlib import Path

import httpx
import pytest

from gtui.sim.auth.scopes import (
    ScopeError,
    flatten_scope_string,
    group_by_resource_server,
    parse_scopes,
)
from gtui.sim.auth.signing_key import SigningKey
from gtui.sim.serve import RunningSim
from gtui.sim.world import (
    ARCHIVE_ID,
    DEMO_NATIVE_CLIENT_ID,
    DEMO_USER_ID,
    OTHER_USER_ID,
    SCRATCH_ID,
)
from tests.sim_login import by_resource_server, login_through_page, pkce_pair

TRANSFER = "urn:globus:auth:scope:transfer.api.globus.org:all"
DATA_ACCESS = f"https://auth.globus.org/scopes/{ARCHIVE_ID}/data_access"


def authorize_params(sim: RunningSim, **overrides: str) -> tuple[dict[str, str], str]:
    verifier, challenge = pkce_pair()
    params = {
        "client_id": DEMO_NATIVE_CLIENT_ID,
        "redirect_uri": "http://127.0.0.1:9/callback",
        "scope": f"openid {TRANSFER}",
        "state": "s-123",
        "response_type": "code",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "access_type": "offline",
    }
    params.update(overrides)
    return params, verifier


def authorize(sim: RunningSim, params: dict[str, str]) -> httpx.Response:
    return httpx.get(f"{sim.service_urls['auth']}v2/oauth2/authorize", params=params)


def exchange(sim: RunningSim, code: str, verifier: str, redirect_uri: str) -> httpx.Response:
    return httpx.post(
        f"{sim.service_urls['auth']}v2/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "code_verifier": verifier,
            "redirect_uri": redirect_uri,
            "client_id": DEMO_NATIVE_CLIENT_ID,
        },
    )


def code_from(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 302
    query = urllib.parse.urlsplit(response.headers["location"]).query
    return dict(urllib.parse.parse_qsl(query))


def test_loopback_redirect_gets_code_and_state(sim: RunningSim) -> None:
    params, verifier = authorize_params(sim)
    answer = code_from(authorize(sim, params))
    assert answer["state"] == "s-123"
    tokens = exchange(sim, answer["code"], verifier, params["redirect_uri"])
    assert tokens.status_code == 200
    body = tokens.json()
    assert body["resource_server"] == "auth.globus.org"
    assert body["id_token"].count(".") == 2
    assert body["other_tokens"][0]["resource_server"] == "transfer.api.globus.org"


def test_code_is_single_use(sim: RunningSim) -> None:
    params, verifier = authorize_params(sim)
    code = code_from(authorize(sim, params))["code"]
    assert exchange(sim, code, verifier, params["redirect_uri"]).status_code == 200
    again = exchange(sim, code, verifier, params["redirect_uri"])
    assert again.status_code == 401
    assert again.json()["error"] == "invalid_grant"


def test_wrong_pkce_verifier_is_invalid_grant(sim: RunningSim) -> None:
    params, _ = authorize_params(sim)
    code = code_from(authorize(sim, params))["code"]
    other_verifier, _ = pkce_pair()
    answer = exchange(sim, code, other_verifier, params["redirect_uri"])
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"


def test_redirect_uri_must_match(sim: RunningSim) -> None:
    params, verifier = authorize_params(sim)
    code = code_from(authorize(sim, params))["code"]
    answer = exchange(sim, code, verifier, "http://127.0.0.1:9/elsewhere")
    assert answer.json()["error"] == "invalid_grant"


def test_non_loopback_redirect_and_unknown_client_are_refused(sim: RunningSim) -> None:
    params, _ = authorize_params(sim, redirect_uri="https://evil.example/cb")
    page = authorize(sim, params)
    assert page.status_code == 400
    assert 'id="auth-code"' not in page.text
    params, _ = authorize_params(sim, client_id="00000000-0000-0000-0000-000000000000")
    assert authorize(sim, params).status_code == 400


@pytest.mark.parametrize(
    ("override", "error"),
    [
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge": ""}, "invalid_request"),
        ({"scope": "urn:globus:auth:scope:unknown.example:all"}, "invalid_scope"),
        ({"scope": f"openid[{TRANSFER}]"}, "invalid_scope"),
        ({"response_type": "token"}, "unsupported_response_type"),
    ],
)
def test_bad_authorize_requests_redirect_with_an_error(
    sim: RunningSim, override: dict[str, str], error: str
) -> None:
    params, _ = authorize_params(sim, **override)
    answer = code_from(authorize(sim, params))
    assert answer["error"] == error
    assert answer["state"] == "s-123"
    assert "code" not in answer


def test_session_parameters_are_recorded_and_pick_the_identity(sim: RunningSim) -> None:
    response = login_through_page(
        sim,
        identity_id=OTHER_USER_ID,
        extra={"prompt": "login", "session_message": "Please log in again"},
    )
    recorded = sim.ctx.auth.authorize_requests[-1]
    assert recorded["prompt"] == "login"
    assert recorded["session_message"] == "Please log in again"
    assert recorded["session_required_identities"] == OTHER_USER_ID
    token = by_resource_server(response)["auth.globus.org"]
    info = httpx.get(
        f"{sim.service_urls['auth']}v2/oauth2/userinfo",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert info.json()["sub"] == OTHER_USER_ID


def test_dependent_scope_reaches_the_caller(sim: RunningSim) -> None:
    response = login_through_page(sim, scopes=f"openid {TRANSFER}[*{DATA_ACCESS}]")
    transfer = by_resource_server(response)["transfer.api.globus.org"]
    scope = next(
        t["scope"] for t in response["other_tokens"] if t["resource_server"].startswith("transfer")
    )
    assert scope == f"{TRANSFER}[*{DATA_ACCESS}]"
    caller = sim.ctx.auth.caller_for(transfer, "transfer.api.globus.org")
    assert caller is not None
    assert caller.identity_id == DEMO_USER_ID
    assert caller.has_data_access(ARCHIVE_ID)
    assert not caller.has_data_access(SCRATCH_ID)
    assert sim.ctx.auth.caller_for(transfer, "groups.api.globus.org") is None


@pytest.mark.parametrize(
    "path",
    [
        "auth/v2/oauth2/userinfo",
        "auth/v2/api/identities?ids=" + DEMO_USER_ID,
        "groups/v2/groups/my_groups",
        "search/v1/index_list",
    ],
)
def test_unknown_or_missing_tokens_get_401(sim: RunningSim, path: str) -> None:
    url = f"{sim.base_url}/{path}"
    assert httpx.get(url).status_code == 401
    refused = httpx.get(url, headers={"Authorization": "Bearer not-a-real-token"})
    assert refused.status_code == 401
    body = refused.json()
    assert "request_id" in body or "errors" in body


def test_expired_token_gets_401(sim: RunningSim) -> None:
    # Long enough that a loaded machine still makes the first call inside it (with 1 s, a
    # run beside a busy CPU saw the token expire before its first use).
    sim.settings.token_lifetime_seconds = 3
    token = by_resource_server(login_through_page(sim))["groups.api.globus.org"]
    url = f"{sim.service_urls['groups']}v2/groups/my_groups"
    headers = {"Authorization": f"Bearer {token}"}
    assert httpx.get(url, headers=headers).status_code == 200
    deadline = time.monotonic() + 10
    status = 200
    while status == 200 and time.monotonic() < deadline:
        time.sleep(0.1)
        status = httpx.get(url, headers=headers).status_code
    assert status == 401


def test_tokens_are_stored_only_as_digests(sim: RunningSim) -> None:
    response = login_through_page(sim)
    state = (sim.settings.state_dir / "auth.json").read_text()
    for token in [response, *response["other_tokens"]]:
        assert token["access_token"] not in state
        assert token["refresh_token"] not in state
    assert (sim.settings.state_dir / "auth.json").stat().st_mode & 0o077 == 0


def test_tokens_stay_valid_across_a_restart(sim_factory, tmp_path: Path) -> None:
    first = sim_factory(root=tmp_path / "kept")
    response = login_through_page(first)
    port = first.port
    first.stop()
    second = sim_factory(root=tmp_path / "kept", port=port)
    token = by_resource_server(response)["auth.globus.org"]
    info = httpx.get(
        f"{second.service_urls['auth']}v2/oauth2/userinfo",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert info.status_code == 200
    refresh = response["refresh_token"]
    answer = httpx.post(
        f"{second.service_urls['auth']}v2/oauth2/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": refresh,
            "client_id": DEMO_NATIVE_CLIENT_ID,
        },
    )
    assert answer.status_code == 200
    assert answer.json()["refresh_token"] != refresh


def test_identities_refuses_ids_and_usernames_together(sim: RunningSim) -> None:
    token = by_resource_server(login_through_page(sim))["auth.globus.org"]
    answer = httpx.get(
        f"{sim.service_urls['auth']}v2/api/identities",
        params={"ids": DEMO_USER_ID, "usernames": "demo@gtui.example"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["code"] == "INVALID_PARAMETERS"


def test_userinfo_needs_the_openid_scope(sim: RunningSim) -> None:
    response = login_through_page(
        sim, scopes="urn:globus:auth:scope:auth.globus.org:view_identities"
    )
    answer = httpx.get(
        f"{sim.service_urls['auth']}v2/oauth2/userinfo",
        headers={"Authorization": f"Bearer {response['access_token']}"},
    )
    assert answer.status_code == 403


def test_scope_parser_handles_nesting_and_refuses_garbage() -> None:
    timer = "https://auth.globus.org/scopes/524230d7-ea86-4a52-8312-86065a9e0417/timer"
    (scope,) = parse_scopes(f"{timer}[{TRANSFER}[*{DATA_ACCESS}]]")
    assert scope.flatten() == [timer, TRANSFER, DATA_ACCESS]
    assert str(scope) == f"{timer}[{TRANSFER}[*{DATA_ACCESS}]]"
    assert flatten_scope_string(f"openid {TRANSFER}[*{DATA_ACCESS}]") == {
        "openid",
        TRANSFER,
        DATA_ACCESS,
    }
    for bad in (f"{TRANSFER}[", f"{TRANSFER}]", "a[b]]", "*[x]", ""):
        with pytest.raises(ScopeError):
            group_by_resource_server(bad)
    url_form = group_by_resource_server(
        "https://auth.globus.org/scopes/transfer.api.globus.org/all"
    )
    assert str(url_form["transfer.api.globus.org"][0]) == TRANSFER


def test_signing_key_is_kept_in_the_state_folder(tmp_path: Path) -> None:
    first = SigningKey.load_or_create(tmp_path)
    second = SigningKey.load_or_create(tmp_path)
    assert first.key_id == second.key_id
    assert first.jwks() == second.jwks()
    assert (tmp_path / "signing-key.pem").stat().st_mode & 0o777 == 0o600
    assert "PRIVATE" not in repr(first)


def refresh(sim: RunningSim, token: str, client: httpx.Client | None = None) -> httpx.Response:
    return (client or httpx).post(
        f"{sim.service_urls['auth']}v2/oauth2/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": token,
            "client_id": DEMO_NATIVE_CLIENT_ID,
        },
    )


def test_concurrent_refresh_chains_all_rotate_and_persist(sim_factory, tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    first = sim_factory(root=tmp_path / "kept")
    starts = [login_through_page(first, scopes="openid")["refresh_token"] for _ in range(4)]

    def chain(token: str) -> tuple[str, str]:
        """Returns a token two rotations back (its replacement was used) and the current one."""
        seen = [token]
        with httpx.Client() as client:
            for _ in range(40):
                answer = refresh(first, seen[-1], client)
                assert answer.status_code == 200, answer.text
                seen.append(answer.json()["refresh_token"])
        return seen[-3], seen[-1]

    with ThreadPoolExecutor(4) as pool:
        ends = list(pool.map(chain, starts))
    port = first.port
    first.stop()
    second = sim_factory(root=tmp_path / "kept", port=port)
    for rotated, current in ends:
        assert refresh(second, rotated).json()["error"] == "invalid_grant"
        assert refresh(second, current).status_code == 200


def test_expiring_access_tokens_keeps_refresh_working(sim: RunningSim) -> None:
    response = login_through_page(sim)
    url = f"{sim.service_urls['auth']}v2/oauth2/userinfo"
    headers = {"Authorization": f"Bearer {response['access_token']}"}
    assert httpx.get(url, headers=headers).status_code == 200
    assert sim.ctx.auth.expire_access_tokens(DEMO_USER_ID) == 4
    assert httpx.get(url, headers=headers).status_code == 401
    assert refresh(sim, response["refresh_token"]).status_code == 200


def test_revoked_consent_ends_every_token_of_the_grant(sim: RunningSim) -> None:
    response = login_through_page(sim)
    other = login_through_page(sim, identity_id=OTHER_USER_ID)
    assert sim.ctx.auth.revoke_consents(DEMO_USER_ID, DEMO_NATIVE_CLIENT_ID) == 4
    answer = refresh(sim, response["refresh_token"])
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"
    url = f"{sim.service_urls['auth']}v2/oauth2/userinfo"
    assert (
        httpx.get(url, headers={"Authorization": f"Bearer {response['access_token']}"}).status_code
        == 401
    )
    assert (
        httpx.get(url, headers={"Authorization": f"Bearer {other['access_token']}"}).status_code
        == 200
    )

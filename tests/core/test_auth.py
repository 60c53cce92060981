from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import time
import urllib.parse
from collections.abc import Callable
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from gtui.core.auth import (
    AuthClient,
    IDTokenError,
    IDTokenVerifier,
    LocalServerCodeReceiver,
    LoginCancelled,
    LoginStateMismatch,
    NativeAppFlow,
    OAuthTokenResponse,
)
from gtui.core.authorizers import AccessTokenAuthorizer
from gtui.core.errors import AuthAPIError, AuthorizationRequirement, MalformedResponseError
from gtui.core.http import RetryPolicy

AUTH = "https://auth.globus.org/"
CLIENT_ID = "a444ebf7-54a3-4631-9ee5-07762fb5c31b"
ISSUER = "https://auth.globus.org"
SUB = "f982aefb-c5d2-41c0-8a5a-718a8d0c828c"

TOKEN_RESPONSE = {
    "access_token": "auth_access_token",
    "scope": "openid profile email",
    "expires_in": 172800,
    "token_type": "Bearer",
    "resource_server": "auth.globus.org",
    "refresh_token": "auth_refresh_token",
    "state": "_default",
    "other_tokens": [
        {
            "access_token": "transfer_access_token",
            "scope": "urn:globus:auth:scope:transfer.api.globus.org:all",
            "expires_in": 172800,
            "token_type": "Bearer",
            "resource_server": "transfer.api.globus.org",
            "refresh_token": "transfer_refresh_token",
            "state": "_default",
        }
    ],
}


class Recorder:
    def __init__(self, routes: dict[tuple[str, str], Callable[[httpx.Request], httpx.Response]]):
        self.routes = routes
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        handler = self.routes.get((request.method, request.url.path))
        if handler is None:
            return httpx.Response(404, json={"error": "not_found"})
        return handler(request)


def form(request: httpx.Request) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(request.content.decode()))


def make_client(recorder: Recorder, **kwargs: Any) -> AuthClient:
    async def no_sleep(_: float) -> None:
        return None

    return AuthClient(
        base_url=AUTH,
        client_id=kwargs.pop("client_id", CLIENT_ID),
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(recorder)),
        retry_policy=RetryPolicy(sleep=no_sleep),
        **kwargs,
    )


def test_token_response_by_resource_server_computes_expiry() -> None:
    now = 1_700_000_000.0
    resp = OAuthTokenResponse(
        httpx.Response(200, json=TOKEN_RESPONSE), TOKEN_RESPONSE, received_at=now
    )
    assert set(resp.by_resource_server) == {"auth.globus.org", "transfer.api.globus.org"}
    transfer = resp.by_resource_server["transfer.api.globus.org"]
    assert transfer == {
        "scope": "urn:globus:auth:scope:transfer.api.globus.org:all",
        "access_token": "transfer_access_token",
        "refresh_token": "transfer_refresh_token",
        "token_type": "Bearer",
        "expires_at_seconds": int(now + 172800),
        "resource_server": "transfer.api.globus.org",
    }
    assert "transfer_access_token" not in repr(resp)


def test_authorize_url_has_pkce_state_and_session_parameters() -> None:
    client = AuthClient(base_url=AUTH, client_id=CLIENT_ID)
    requirement = AuthorizationRequirement(
        code="ConsentRequired",
        required_scopes=("urn:globus:auth:scope:transfer.api.globus.org:all",),
        session_required_identities=("id-1", "id-2"),
        session_required_mfa=True,
        prompt="login",
    )
    flow = client.oauth2_start_flow(
        ["openid", "email"], prefill_named_grant="laptop", authorization_requirement=requirement
    )
    url = urllib.parse.urlsplit(flow.authorize_url)
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{AUTH}v2/oauth2/authorize"
    params = dict(urllib.parse.parse_qsl(url.query))
    verifier = flow._verifier
    assert 43 <= len(verifier) <= 128
    expected_challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )
    assert params == {
        "client_id": CLIENT_ID,
        "redirect_uri": f"{AUTH}v2/web/auth-code",
        "scope": "openid email",
        "state": flow.state,
        "response_type": "code",
        "code_challenge": expected_challenge,
        "code_challenge_method": "S256",
        "access_type": "offline",
        "prefill_named_grant": "laptop",
        "session_required_identities": "id-1,id-2",
        "session_required_mfa": "true",
        "prompt": "login",
    }
    assert len(flow.state) >= 20
    other = client.oauth2_start_flow("openid")
    assert other.state != flow.state and other._verifier != verifier
    assert verifier not in repr(flow)


def test_flow_rejects_a_bad_verifier() -> None:
    client = AuthClient(base_url=AUTH, client_id=CLIENT_ID)
    with pytest.raises(ValueError, match="43-128"):
        NativeAppFlow(client, "openid", verifier="short")


async def test_exchange_code_posts_the_verifier_and_checks_state() -> None:
    recorder = Recorder(
        {("POST", "/v2/oauth2/token"): lambda r: httpx.Response(200, json=TOKEN_RESPONSE)}
    )
    client = make_client(recorder)
    flow = client.oauth2_start_flow("openid")
    with pytest.raises(LoginStateMismatch, match="state"):
        await flow.exchange_code("the-code", "some-other-state")
    with pytest.raises(LoginStateMismatch):
        await flow.exchange_code("the-code", None)
    assert recorder.requests == []
    resp = await flow.exchange_code(" the-code\n", flow.state)
    assert resp.by_resource_server["transfer.api.globus.org"]["refresh_token"] == (
        "transfer_refresh_token"
    )
    sent = form(recorder.requests[0])
    assert sent == {
        "grant_type": "authorization_code",
        "code": "the-code",
        "code_verifier": flow._verifier,
        "redirect_uri": f"{AUTH}v2/web/auth-code",
        "client_id": CLIENT_ID,
    }
    assert "authorization" not in recorder.requests[0].headers


async def test_refresh_revoke_validate_forms() -> None:
    recorder = Recorder(
        {
            ("POST", "/v2/oauth2/token"): lambda r: httpx.Response(200, json=TOKEN_RESPONSE),
            ("POST", "/v2/oauth2/token/revoke"): lambda r: httpx.Response(
                200, json={"active": False}
            ),
            ("POST", "/v2/oauth2/token/validate"): lambda r: httpx.Response(
                200, json={"active": True}
            ),
        }
    )
    client = make_client(recorder)
    await client.oauth2_refresh_token("rt-1")
    revoked = await client.oauth2_revoke_token("at-1")
    valid = await client.oauth2_validate_token("at-2")
    assert form(recorder.requests[0]) == {
        "grant_type": "refresh_token",
        "refresh_token": "rt-1",
        "client_id": CLIENT_ID,
    }
    assert form(recorder.requests[1]) == {"token": "at-1", "client_id": CLIENT_ID}
    assert form(recorder.requests[2]) == {"token": "at-2", "client_id": CLIENT_ID}
    assert revoked["active"] is False and valid["active"] is True


async def test_client_credentials_use_basic_auth() -> None:
    recorder = Recorder(
        {("POST", "/v2/oauth2/token"): lambda r: httpx.Response(200, json=TOKEN_RESPONSE)}
    )
    client = make_client(recorder, client_id="cid", client_secret="s3cret")
    await client.oauth2_client_credentials_tokens(
        ["urn:globus:auth:scope:transfer.api.globus.org:all"]
    )
    request = recorder.requests[0]
    assert request.headers["authorization"] == "Basic " + base64.b64encode(b"cid:s3cret").decode()
    assert form(request) == {
        "grant_type": "client_credentials",
        "scope": "urn:globus:auth:scope:transfer.api.globus.org:all",
    }
    assert "s3cret" not in repr(client)


async def test_invalid_grant_raises_auth_api_error() -> None:
    recorder = Recorder(
        {
            ("POST", "/v2/oauth2/token"): lambda r: httpx.Response(
                401, json={"error": "invalid_grant"}
            )
        }
    )
    client = make_client(recorder)
    with pytest.raises(AuthAPIError) as info:
        await client.oauth2_refresh_token("revoked")
    assert info.value.code == "invalid_grant"
    assert info.value.http_status == 401
    assert "revoked" not in str(info.value)


async def test_token_response_without_access_token_is_malformed() -> None:
    recorder = Recorder({("POST", "/v2/oauth2/token"): lambda r: httpx.Response(200, json=[])})
    with pytest.raises(MalformedResponseError, match="no access_token"):
        await make_client(recorder).oauth2_refresh_token("x")


async def test_get_identities_by_ids_and_usernames_and_userinfo() -> None:
    identity = {
        "id": SUB,
        "username": "demo@gtui.example",
        "name": "Demo User",
        "email": "demo@gtui.example",
        "organization": "gtui",
        "status": "used",
        "identity_provider": "41143743-f3c8-4d60-bbdb-eeecaba85bd9",
    }
    recorder = Recorder(
        {
            ("GET", "/v2/api/identities"): lambda r: httpx.Response(
                200, json={"identities": [identity]}
            ),
            ("GET", "/v2/oauth2/userinfo"): lambda r: httpx.Response(
                200, json={"sub": SUB, "preferred_username": "demo@gtui.example"}
            ),
        }
    )
    client = make_client(recorder, authorizer=AccessTokenAuthorizer("auth-token"))
    by_ids = await client.get_identities(ids=[SUB, "other-id"])
    by_names = await client.get_identities(usernames="demo@gtui.example")
    info = await client.userinfo()
    assert by_ids["identities"][0]["username"] == "demo@gtui.example"
    assert by_names["identities"][0]["id"] == SUB
    assert info["sub"] == SUB
    assert dict(recorder.requests[0].url.params) == {"ids": f"{SUB},other-id"}
    assert dict(recorder.requests[1].url.params) == {
        "usernames": "demo@gtui.example",
        "provision": "false",
    }
    assert all(r.headers["authorization"] == "Bearer auth-token" for r in recorder.requests)
    with pytest.raises(ValueError):
        await client.get_identities(ids="a", usernames="b")


# -- id_token verification ---------------------------------------------------------------


def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def keys() -> dict[str, rsa.RSAPrivateKey]:
    return {"main": rsa_key(), "rotated": rsa_key(), "stranger": rsa_key()}


def jwk_of(key: rsa.RSAPrivateKey, kid: str) -> dict[str, Any]:
    jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update({"kid": kid, "use": "sig", "alg": "RS512"})
    return jwk


def id_token(key: rsa.RSAPrivateKey, kid: str | None = "main", **claims: Any) -> str:
    now = int(time.time())
    payload = {
        "sub": SUB,
        "aud": CLIENT_ID,
        "iss": ISSUER,
        "iat": now,
        "exp": now + 600,
        "preferred_username": "demo@gtui.example",
        **claims,
    }
    headers = {"kid": kid} if kid else {}
    return jwt.encode(payload, key, algorithm="RS512", headers=headers)


class OIDCService:
    def __init__(self, published: list[dict[str, Any]]) -> None:
        self.published = published
        self.config_calls = 0
        self.jwks_calls = 0
        self.recorder = Recorder(
            {
                ("GET", "/.well-known/openid-configuration"): self.config,
                ("GET", "/jwk.json"): self.jwks,
            }
        )

    def config(self, request: httpx.Request) -> httpx.Response:
        self.config_calls += 1
        return httpx.Response(
            200,
            json={
                "issuer": ISSUER,
                "jwks_uri": f"{AUTH}jwk.json",
                "id_token_signing_alg_values_supported": ["RS512"],
                "authorization_endpoint": f"{AUTH}v2/oauth2/authorize",
                "token_endpoint": f"{AUTH}v2/oauth2/token",
            },
        )

    def jwks(self, request: httpx.Request) -> httpx.Response:
        self.jwks_calls += 1
        return httpx.Response(200, json={"keys": self.published})


async def test_valid_id_token_decodes_and_config_and_keys_are_cached(
    keys: dict[str, rsa.RSAPrivateKey],
) -> None:
    service = OIDCService([jwk_of(keys["main"], "main")])
    verifier = IDTokenVerifier(make_client(service.recorder))
    claims = await verifier.decode(id_token(keys["main"]))
    again = await verifier.decode(id_token(keys["main"]))
    assert claims["sub"] == SUB and again["sub"] == SUB
    assert (service.config_calls, service.jwks_calls) == (1, 1)
    assert "authorization" not in service.recorder.requests[0].headers


async def test_token_response_decodes_its_id_token(keys: dict[str, rsa.RSAPrivateKey]) -> None:
    service = OIDCService([jwk_of(keys["main"], "main")])
    body = {**TOKEN_RESPONSE, "id_token": id_token(keys["main"])}
    resp = OAuthTokenResponse(httpx.Response(200, json=body), body)
    claims = await resp.decode_id_token(IDTokenVerifier(make_client(service.recorder)))
    assert claims["preferred_username"] == "demo@gtui.example"


@pytest.mark.parametrize(
    ("make_token", "message"),
    [
        (lambda k: id_token(k["main"], aud="someone-else"), "another client"),
        (lambda k: id_token(k["main"], exp=int(time.time()) - 3600), "expired"),
        (lambda k: id_token(k["stranger"], kid="main"), "signature"),
        (lambda k: id_token(k["stranger"], kid="unknown-kid"), "unknown key"),
        (lambda k: id_token(k["main"], iss="https://evil.example"), "not issued by"),
        (lambda k: "not-a-jwt", "not a JWT"),
    ],
)
async def test_bad_id_tokens_are_rejected(
    keys: dict[str, rsa.RSAPrivateKey], make_token: Callable[[Any], str], message: str
) -> None:
    service = OIDCService([jwk_of(keys["main"], "main")])
    verifier = IDTokenVerifier(make_client(service.recorder))
    with pytest.raises(IDTokenError, match=message):
        await verifier.decode(make_token(keys))


async def test_algorithm_not_in_configuration_is_rejected(
    keys: dict[str, rsa.RSAPrivateKey],
) -> None:
    service = OIDCService([jwk_of(keys["main"], "main")])
    verifier = IDTokenVerifier(make_client(service.recorder))
    now = int(time.time())
    token = jwt.encode(
        {"sub": SUB, "aud": CLIENT_ID, "iss": ISSUER, "iat": now, "exp": now + 60},
        keys["main"],
        algorithm="RS256",
        headers={"kid": "main"},
    )
    with pytest.raises(IDTokenError, match="invalid"):
        await verifier.decode(token)


async def test_rotated_key_is_fetched_once_more(keys: dict[str, rsa.RSAPrivateKey]) -> None:
    service = OIDCService([jwk_of(keys["main"], "main")])
    verifier = IDTokenVerifier(make_client(service.recorder))
    await verifier.decode(id_token(keys["main"]))
    service.published = [jwk_of(keys["rotated"], "rotated")]
    claims = await verifier.decode(id_token(keys["rotated"], kid="rotated"))
    assert claims["sub"] == SUB
    assert service.jwks_calls == 2


# -- loopback receiver -------------------------------------------------------------------


async def test_local_server_receives_code_and_state() -> None:
    async with LocalServerCodeReceiver() as receiver:
        redirect_uri = receiver.redirect_uri
        assert redirect_uri.startswith("http://127.0.0.1:")
        async with httpx.AsyncClient() as browser:
            missing = await browser.get(redirect_uri + "favicon.ico")
            page = await browser.get(redirect_uri, params={"code": "abc", "state": "xyz"})
        assert missing.status_code == 404
        assert page.status_code == 200 and "return to gtui" in page.text
        assert await receiver.wait(timeout=5) == ("abc", "xyz")


async def test_local_server_reports_a_declined_login() -> None:
    async with LocalServerCodeReceiver() as receiver, httpx.AsyncClient() as browser:
        await browser.get(
            receiver.redirect_uri,
            params={"error": "access_denied", "error_description": "User declined"},
        )
        with pytest.raises(LoginCancelled, match="User declined"):
            await receiver.wait(timeout=5)


async def test_local_server_wait_times_out() -> None:
    async with LocalServerCodeReceiver() as receiver:
        with pytest.raises(asyncio.TimeoutError):
            await receiver.wait(timeout=0.05)

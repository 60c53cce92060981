from __future__ import annotations

import asyncio
import itertools
import logging
import time
import urllib.parse
from pathlib import Path
from typing import Any

import httpx
import pytest

from gtui.core.auth import AuthClient
from gtui.core.authorizers import (
    AccessTokenAuthorizer,
    Authorizer,
    ClientCredentialsAuthorizer,
    RefreshTokenAuthorizer,
)
from gtui.core.errors import LoginRequired, TransferAPIError
from gtui.core.http import RetryPolicy, ServiceClient
from gtui.core.tokens import TokenStore

AUTH = "https://auth.globus.org/"
TRANSFER = "https://transfer.api.globus.org/"
RS = "transfer.api.globus.org"
CLIENT_ID = "a444ebf7-54a3-4631-9ee5-07762fb5c31b"


class RotatingAuth:
    """Globus Auth's token endpoint with refresh-token rotation: a used refresh token dies."""

    def __init__(self, first_refresh: str, *, rotate: bool = True, delay: float = 0.0) -> None:
        self.valid_refresh = {first_refresh}
        self.rotate = rotate
        self.delay = delay
        self.calls = 0
        self.counter = itertools.count(1)
        self.issued: list[str] = []

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        form = dict(urllib.parse.parse_qsl(request.content.decode()))
        if request.url.path == "/v2/oauth2/token/revoke":
            return httpx.Response(200, json={"active": False})
        self.calls += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        if form.get("grant_type") == "client_credentials":
            return httpx.Response(200, json=self._token(rotate=False))
        refresh = form.get("refresh_token")
        if refresh not in self.valid_refresh:
            return httpx.Response(400, json={"error": "invalid_grant"})
        body = self._token(rotate=self.rotate)
        if self.rotate:
            self.valid_refresh.discard(refresh)
            self.valid_refresh.add(body["refresh_token"])
        return httpx.Response(200, json=body)

    def _token(self, *, rotate: bool) -> dict[str, Any]:
        n = next(self.counter)
        access = f"AccessToken{n:02d}xYz0123456789abcdefGHIJKLmnopqrstuvwx"
        self.issued.append(access)
        body: dict[str, Any] = {
            "access_token": access,
            "expires_in": 172800,
            "resource_server": RS,
            "scope": "urn:globus:auth:scope:transfer.api.globus.org:all",
            "token_type": "Bearer",
            "other_tokens": [],
        }
        if rotate:
            body["refresh_token"] = f"RefreshToken{n:02d}xYz0123456789abcdefGHIJKLmnopqrstu"
        return body


def auth_client(service: RotatingAuth, **kwargs: Any) -> AuthClient:
    return AuthClient(
        base_url=AUTH,
        client_id=kwargs.pop("client_id", CLIENT_ID),
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(service)),
        **kwargs,
    )


def seed(store: TokenStore, *, access: str, refresh: str, expires_in: int) -> None:
    store.update_token(
        RS,
        {
            "access_token": access,
            "refresh_token": refresh,
            "expires_at_seconds": int(time.time()) + expires_in,
            "scope": "urn:globus:auth:scope:transfer.api.globus.org:all",
            "token_type": "Bearer",
        },
    )


@pytest.fixture
def store(tmp_path: Path) -> TokenStore:
    return TokenStore(tmp_path / "tokens.json", namespace=f"production/{CLIENT_ID}")


def test_authorizers_satisfy_the_protocol() -> None:
    assert isinstance(AccessTokenAuthorizer("x"), Authorizer)


async def test_access_token_authorizer_cannot_refresh() -> None:
    authorizer = AccessTokenAuthorizer("sekrit-value")
    assert await authorizer.get_authorization_header() == "Bearer sekrit-value"
    assert await authorizer.handle_missing_authorization() is False
    assert "sekrit-value" not in repr(authorizer)


async def test_valid_token_is_used_without_refresh(store: TokenStore) -> None:
    seed(store, access="fresh-access", refresh="r0", expires_in=3600)
    service = RotatingAuth("r0")
    authorizer = RefreshTokenAuthorizer(auth_client(service), store, RS)
    assert await authorizer.get_authorization_header() == "Bearer fresh-access"
    assert service.calls == 0


async def test_token_within_60_seconds_of_expiry_is_refreshed_and_persisted(
    store: TokenStore,
) -> None:
    seed(store, access="old-access", refresh="r0", expires_in=59)
    service = RotatingAuth("r0")
    refreshed: list[Any] = []
    authorizer = RefreshTokenAuthorizer(
        auth_client(service), store, RS, on_refresh=refreshed.append
    )
    header = await authorizer.get_authorization_header()
    assert header == f"Bearer {service.issued[0]}"
    saved = store.get_token_data(RS)
    assert saved is not None
    assert saved["access_token"] == service.issued[0]
    assert saved["refresh_token"] == "RefreshToken01xYz0123456789abcdefGHIJKLmnopqrstu"
    assert saved["expires_at_seconds"] > time.time() + 172000
    assert len(refreshed) == 1


async def test_refresh_without_new_refresh_token_keeps_the_old_one(store: TokenStore) -> None:
    seed(store, access="old", refresh="r0", expires_in=0)
    service = RotatingAuth("r0", rotate=False)
    authorizer = RefreshTokenAuthorizer(auth_client(service), store, RS)
    await authorizer.get_authorization_header()
    assert store.get_token_data(RS)["refresh_token"] == "r0"


async def test_one_refresh_in_flight_for_many_concurrent_callers(store: TokenStore) -> None:
    seed(store, access="old", refresh="r0", expires_in=0)
    service = RotatingAuth("r0", delay=0.05)
    authorizer = RefreshTokenAuthorizer(auth_client(service), store, RS)
    headers = await asyncio.gather(*(authorizer.get_authorization_header() for _ in range(10)))
    assert service.calls == 1
    assert set(headers) == {f"Bearer {service.issued[0]}"}


async def test_two_authorizers_on_one_file_refresh_once_and_share_the_rotation(
    tmp_path: Path,
) -> None:
    path = tmp_path / "tokens.json"
    namespace = f"production/{CLIENT_ID}"
    first_store = TokenStore(path, namespace=namespace)
    seed(first_store, access="old", refresh="r0", expires_in=0)
    service = RotatingAuth("r0", delay=0.05)
    window_a = RefreshTokenAuthorizer(auth_client(service), first_store, RS)
    window_b = RefreshTokenAuthorizer(
        auth_client(service), TokenStore(path, namespace=namespace), RS
    )
    header_a, header_b = await asyncio.gather(
        window_a.get_authorization_header(), window_b.get_authorization_header()
    )
    assert service.calls == 1
    assert header_a == header_b == f"Bearer {service.issued[0]}"


async def test_refresh_token_rotated_by_another_process_is_read_before_refreshing(
    store: TokenStore,
) -> None:
    seed(store, access="mine", refresh="r0", expires_in=90)
    service = RotatingAuth("r-rotated-elsewhere")
    offset = 0.0
    authorizer = RefreshTokenAuthorizer(
        auth_client(service), store, RS, clock=lambda: time.time() + offset
    )
    assert await authorizer.get_authorization_header() == "Bearer mine"
    seed(store, access="theirs", refresh="r-rotated-elsewhere", expires_in=90)
    offset = 60.0
    header = await authorizer.get_authorization_header()
    assert header == f"Bearer {service.issued[0]}"
    assert service.calls == 1


async def test_token_refreshed_by_another_process_is_adopted(store: TokenStore) -> None:
    seed(store, access="mine", refresh="r0", expires_in=90)
    service = RotatingAuth("r0")
    offset = 0.0
    authorizer = RefreshTokenAuthorizer(
        auth_client(service), store, RS, clock=lambda: time.time() + offset
    )
    await authorizer.get_authorization_header()
    seed(store, access="theirs", refresh="r1", expires_in=7200)
    offset = 60.0
    assert await authorizer.get_authorization_header() == "Bearer theirs"
    assert service.calls == 0


async def test_invalid_grant_means_login_required(store: TokenStore) -> None:
    seed(store, access="old", refresh="revoked", expires_in=0)
    authorizer = RefreshTokenAuthorizer(auth_client(RotatingAuth("other")), store, RS)
    with pytest.raises(LoginRequired, match="[Ll]og in again"):
        await authorizer.get_authorization_header()


async def test_no_stored_token_means_login_required(store: TokenStore) -> None:
    authorizer = RefreshTokenAuthorizer(auth_client(RotatingAuth("r")), store, RS)
    with pytest.raises(LoginRequired):
        await authorizer.get_authorization_header()


async def test_corrupt_store_means_login_required(store: TokenStore) -> None:
    store.path.write_text("{{{")
    authorizer = RefreshTokenAuthorizer(auth_client(RotatingAuth("r")), store, RS)
    with pytest.raises(LoginRequired, match="damaged"):
        await authorizer.get_authorization_header()


class TransferLike(ServiceClient):
    service_name = "transfer"
    base_path = "/v0.10/"
    error_class = TransferAPIError


def transfer_service(valid: set[str], seen: list[str]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        auth = request.headers.get("authorization", "")
        seen.append(auth)
        if auth.removeprefix("Bearer ") in valid:
            return httpx.Response(200, json={"DATA": [], "DATA_TYPE": "task_list"})
        return httpx.Response(
            401,
            json={
                "code": "AuthenticationFailed",
                "message": "Token is not active",
                "request_id": "r",
            },
        )

    return httpx.MockTransport(handler)


async def test_401_refreshes_then_retries_once_through_the_client(store: TokenStore) -> None:
    seed(store, access="revoked-but-unexpired", refresh="r0", expires_in=3600)
    service = RotatingAuth("r0")
    authorizer = RefreshTokenAuthorizer(auth_client(service), store, RS)
    seen: list[str] = []
    valid: set[str] = set()

    async def accept_issued(request: httpx.Request) -> httpx.Response:
        valid.update(service.issued)
        return transfer_service(valid, seen).handle_request(request)

    client = TransferLike(
        base_url=TRANSFER,
        authorizer=authorizer,
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(accept_issued)),
    )
    resp = await client.get("task_list")
    assert resp["DATA_TYPE"] == "task_list"
    assert seen == ["Bearer revoked-but-unexpired", f"Bearer {service.issued[0]}"]
    assert service.calls == 1


async def test_persistent_401_is_raised_after_one_refresh(store: TokenStore) -> None:
    seed(store, access="a0", refresh="r0", expires_in=3600)
    service = RotatingAuth("r0")
    seen: list[str] = []
    client = TransferLike(
        base_url=TRANSFER,
        authorizer=RefreshTokenAuthorizer(auth_client(service), store, RS),
        http_client=httpx.AsyncClient(transport=transfer_service(set(), seen)),
        retry_policy=RetryPolicy(max_retries=0),
    )
    with pytest.raises(TransferAPIError) as info:
        await client.get("task_list")
    assert info.value.http_status == 401
    assert len(seen) == 2 and service.calls == 1


async def test_client_credentials_authorizer_fetches_and_refetches(store: TokenStore) -> None:
    service = RotatingAuth("unused")
    client = auth_client(service, client_id="cc-client", client_secret="cc-secret")
    authorizer = ClientCredentialsAuthorizer(
        client, "urn:globus:auth:scope:transfer.api.globus.org:all", RS, token_store=store
    )
    first = await authorizer.get_authorization_header()
    again = await authorizer.get_authorization_header()
    assert first == again == f"Bearer {service.issued[0]}"
    assert store.get_token_data(RS)["access_token"] == service.issued[0]
    assert await authorizer.handle_missing_authorization() is True
    assert await authorizer.get_authorization_header() == f"Bearer {service.issued[1]}"
    assert "cc-secret" not in repr(authorizer)


async def test_debug_logs_of_a_refresh_and_a_failed_call_hold_no_token(
    store: TokenStore, caplog: pytest.LogCaptureFixture
) -> None:
    seed(store, access="StoredAccessToken0123456789abcdefGHIJKLmnopq", refresh="r0", expires_in=0)
    service = RotatingAuth("r0")
    seen: list[str] = []
    client = TransferLike(
        base_url=TRANSFER,
        authorizer=RefreshTokenAuthorizer(auth_client(service), store, RS),
        http_client=httpx.AsyncClient(transport=transfer_service(set(), seen)),
        retry_policy=RetryPolicy(max_retries=0),
    )
    with caplog.at_level(logging.DEBUG):
        with pytest.raises(TransferAPIError) as info:
            await client.get("task_list")
        logging.getLogger("gtui.core.http").debug("echo %s", seen)
    text = caplog.text + str(info.value) + repr(info.value)
    assert "refreshed the access token" in text
    secrets = [
        "StoredAccessToken0123456789abcdefGHIJKLmnopq",
        *service.issued,
        *(t for t in service.valid_refresh),
    ]
    for secret in secrets:
        assert secret not in text

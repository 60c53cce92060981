from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from gtui import __version__
from gtui.core.authorizers import AccessTokenAuthorizer
from gtui.core.errors import (
    GlobusAPIError,
    GroupsAPIError,
    MalformedResponseError,
    NetworkError,
    TransferAPIError,
)
from gtui.core.http import RetryPolicy, ServiceClient, http_timeout
from gtui.core.response import GlobusResponse
from gtui.core.transfer import TransferClient

ROOT = "https://transfer.api.globus.org/"
TOKEN = "AgXk2Lp9Qz7Yb3Vn8Rt4Wm6Hs1Jd5Fc0Ge2Ua9Ko3Li7Mn1Op5Qr"


class TransferLike(ServiceClient):
    service_name = "transfer"
    base_path = "/v0.10/"
    error_class = TransferAPIError


class GroupsLike(ServiceClient):
    service_name = "groups"
    base_path = "/v2/"
    error_class = GroupsAPIError


class Sleeps:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


Handler = Callable[[httpx.Request], httpx.Response]


def make_client(
    handler: Handler, cls: type[ServiceClient] = TransferLike, **kwargs: Any
) -> tuple[ServiceClient, Sleeps]:
    sleeps = Sleeps()
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    policy = RetryPolicy(sleep=sleeps, jitter=lambda: 0.5)
    client = cls(base_url=ROOT, http_client=http, retry_policy=policy, **kwargs)
    return client, sleeps


def sequence(*responses: httpx.Response | Exception) -> tuple[Handler, list[httpx.Request]]:
    seen: list[httpx.Request] = []
    queue = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        item = queue.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    return handler, seen


def error_body(code: str, message: str = "failed") -> dict[str, str]:
    return {"code": code, "message": message, "request_id": "req-1", "resource": "/x"}


async def test_get_builds_url_from_root_and_base_path_and_parses_json() -> None:
    body = {"DATA": [{"name": "a"}, {"name": "b"}], "DATA_TYPE": "file_list"}
    handler, seen = sequence(httpx.Response(200, json=body))
    client, _ = make_client(handler)
    resp = await client.get("operation/endpoint/abc/ls", query_params={"path": "/~/"})
    assert str(seen[0].url) == f"{ROOT}v0.10/operation/endpoint/abc/ls?path=%2F~%2F"
    assert isinstance(resp, GlobusResponse)
    assert resp["DATA_TYPE"] == "file_list"
    assert [item["name"] for item in resp] == ["a", "b"]
    assert resp.http_status == 200
    assert "DATA" in resp
    assert resp.get("missing", 7) == 7


async def test_base_url_with_base_path_already_is_not_doubled() -> None:
    client = TransferLike(base_url="https://x.example/v0.10", http_client=httpx.AsyncClient())
    assert client.url_for("task_list") == "https://x.example/v0.10/task_list"
    await client.http_client.aclose()


async def test_list_query_params_repeat_and_none_values_drop() -> None:
    handler, seen = sequence(httpx.Response(200, json=[]))
    client, _ = make_client(handler)
    await client.get(
        "ls",
        query_params={"filter": ["name:~*.txt", "type:dir"], "limit": None, "show_hidden": 1},
    )
    assert seen[0].url.params.get_list("filter") == ["name:~*.txt", "type:dir"]
    assert "limit" not in seen[0].url.params
    assert seen[0].url.params["show_hidden"] == "1"


async def test_json_and_form_bodies_and_headers() -> None:
    handler, seen = sequence(
        httpx.Response(200, json={"code": "Accepted"}),
        httpx.Response(200, json={"access_token": "x"}),
    )
    client, _ = make_client(handler, authorizer=AccessTokenAuthorizer(TOKEN))
    await client.post("transfer", data={"DATA_TYPE": "transfer", "DATA": []})
    await client.post("token", data={"grant_type": "refresh_token", "x": None}, encoding="form")
    assert json.loads(seen[0].content) == {"DATA_TYPE": "transfer", "DATA": []}
    assert seen[0].headers["Authorization"] == f"Bearer {TOKEN}"
    assert seen[0].headers["User-Agent"] == f"gtui/{__version__}"
    assert seen[1].headers["content-type"] == "application/x-www-form-urlencoded"
    assert seen[1].content == b"grant_type=refresh_token"


async def test_put_patch_delete_use_their_methods() -> None:
    handler, seen = sequence(
        httpx.Response(200, json={}), httpx.Response(200, json={}), httpx.Response(204)
    )
    client, _ = make_client(handler)
    await client.put("a", data={"x": 1})
    await client.patch("b", data={"y": 2})
    resp = await client.delete("c")
    assert [r.method for r in seen] == ["PUT", "PATCH", "DELETE"]
    assert resp.data is None


@pytest.mark.parametrize("status", [400, 403, 404, 409])
async def test_client_errors_are_never_retried(status: int) -> None:
    handler, seen = sequence(httpx.Response(status, json=error_body("ClientError.Whatever")))
    client, sleeps = make_client(handler)
    with pytest.raises(TransferAPIError) as info:
        await client.get("x")
    assert info.value.http_status == status
    assert len(seen) == 1
    assert sleeps.delays == []


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
async def test_server_errors_are_retried_with_capped_backoff(status: int) -> None:
    failures = [httpx.Response(status, json=error_body("ServerError")) for _ in range(6)]
    handler, seen = sequence(*failures)
    client, sleeps = make_client(handler)
    with pytest.raises(TransferAPIError):
        await client.get("x")
    assert len(seen) == 6
    # jitter fixed at 0.5: (0.25 + 0.25) * 2**attempt, capped at 10 s
    assert sleeps.delays == [0.5, 1.0, 2.0, 4.0, 8.0, 10.0][:5]


async def test_success_after_retries_returns_the_response() -> None:
    handler, seen = sequence(
        httpx.Response(502, json=error_body("ServerError")),
        httpx.Response(200, json={"value": 1}),
    )
    client, sleeps = make_client(handler)
    resp = await client.get("x")
    assert resp["value"] == 1
    assert len(seen) == 2
    assert sleeps.delays == [0.5]


async def test_retry_after_is_honoured_and_capped() -> None:
    handler, _ = sequence(
        httpx.Response(429, headers={"Retry-After": "3"}, json=error_body("RateLimit")),
        httpx.Response(503, headers={"Retry-After": "120"}, json=error_body("Unavailable")),
        httpx.Response(429, headers={"Retry-After": "Wed, 21 Oct 2026 07:28:00 GMT"}),
        httpx.Response(200, json={}),
    )
    client, sleeps = make_client(handler)
    await client.get("x")
    assert sleeps.delays == [3.0, 10.0, 2.0]


def test_backoff_of_a_late_attempt_is_the_cap_not_an_overflow() -> None:
    policy = RetryPolicy(max_retries=5000, max_backoff=10.0, jitter=lambda: 0.5)
    assert policy.backoff(3) == 4.0
    assert policy.backoff(1024) == policy.backoff(5000) == 10.0


async def test_transfer_external_errors_are_not_retried_except_429_or_503() -> None:
    handler, seen = sequence(
        httpx.Response(502, json=error_body("ExternalError.DirListingFailed.GCDisconnected"))
    )
    client, sleeps = make_client(handler, cls=TransferClient)
    with pytest.raises(TransferAPIError) as info:
        await client.get("ls")
    assert info.value.code == "ExternalError.DirListingFailed.GCDisconnected"
    assert len(seen) == 1 and sleeps.delays == []

    handler, seen = sequence(
        httpx.Response(503, json=error_body("EndpointError")),
        httpx.Response(200, json={"ok": True}),
    )
    client, sleeps = make_client(handler, cls=TransferClient)
    assert (await client.get("ls"))["ok"] is True
    assert len(seen) == 2


@pytest.mark.parametrize("code", ["ExternalError.DirListingFailed.GCDisconnected", "EndpointError"])
async def test_the_no_retry_rule_belongs_to_the_transfer_client(code: str) -> None:
    """The base client retries these codes, even under the name "transfer"; TransferClient not."""
    for cls in (TransferLike, GroupsLike):
        handler, seen = sequence(
            httpx.Response(502, json=error_body(code)), httpx.Response(200, json={"ok": True})
        )
        client, _ = make_client(handler, cls=cls)
        assert (await client.get("ls"))["ok"] is True
        assert len(seen) == 2, cls.__name__

    handler, seen = sequence(httpx.Response(502, json=error_body(code)))
    client, sleeps = make_client(handler, cls=TransferClient)
    with pytest.raises(TransferAPIError) as info:
        await client.get("ls")
    assert info.value.code == code
    assert len(seen) == 1 and sleeps.delays == []


async def test_other_services_retry_external_error_codes() -> None:
    handler, seen = sequence(
        httpx.Response(502, json=error_body("ExternalError.Something")),
        httpx.Response(200, json=[]),
    )
    client, _ = make_client(handler, cls=GroupsLike)
    assert (await client.get("groups/my_groups")).data == []
    assert len(seen) == 2


async def test_network_errors_are_retried_then_raise_network_error() -> None:
    handler, seen = sequence(*[httpx.ConnectError("refused") for _ in range(6)])
    client, sleeps = make_client(handler)
    with pytest.raises(NetworkError) as info:
        await client.get("x")
    assert "transfer.api.globus.org" in str(info.value)
    assert len(seen) == 6
    assert len(sleeps.delays) == 5


async def test_network_error_then_success() -> None:
    handler, _ = sequence(httpx.ReadTimeout("slow"), httpx.Response(200, json={"a": 1}))
    client, _ = make_client(handler)
    assert (await client.get("x"))["a"] == 1


class CountingAuthorizer:
    def __init__(self, tokens: list[str], can_refresh: bool = True) -> None:
        self.tokens = tokens
        self.index = 0
        self.can_refresh = can_refresh
        self.refreshes = 0

    async def get_authorization_header(self) -> str | None:
        return f"Bearer {self.tokens[self.index]}"

    async def handle_missing_authorization(self) -> bool:
        self.refreshes += 1
        if not self.can_refresh:
            return False
        self.index += 1
        return True


async def test_401_refreshes_and_retries_once() -> None:
    handler, seen = sequence(
        httpx.Response(401, json=error_body("AuthenticationFailed")),
        httpx.Response(200, json={"ok": 1}),
    )
    authorizer = CountingAuthorizer(["old", "new"])
    client, _ = make_client(handler, authorizer=authorizer)
    assert (await client.get("x"))["ok"] == 1
    assert [r.headers["Authorization"] for r in seen] == ["Bearer old", "Bearer new"]
    assert authorizer.refreshes == 1


async def test_second_401_is_raised_without_another_refresh() -> None:
    handler, seen = sequence(
        httpx.Response(401, json=error_body("AuthenticationFailed")),
        httpx.Response(401, json=error_body("AuthenticationFailed")),
    )
    authorizer = CountingAuthorizer(["old", "new", "newer"])
    client, _ = make_client(handler, authorizer=authorizer)
    with pytest.raises(TransferAPIError) as info:
        await client.get("x")
    assert info.value.http_status == 401
    assert authorizer.refreshes == 1
    assert len(seen) == 2


async def test_401_with_an_authorizer_that_cannot_refresh_is_raised() -> None:
    handler, seen = sequence(httpx.Response(401, json=error_body("AuthenticationFailed")))
    client, _ = make_client(handler, authorizer=CountingAuthorizer(["a"], can_refresh=False))
    with pytest.raises(TransferAPIError):
        await client.get("x")
    assert len(seen) == 1


@pytest.mark.parametrize(
    ("response", "reason"),
    [
        (
            httpx.Response(
                200,
                text="<html><body>Proxy login</body></html>",
                headers={"content-type": "text/html"},
            ),
            "HTML",
        ),
        (
            httpx.Response(
                200, content=b'{"DATA": [', headers={"content-type": "application/json"}
            ),
            "truncated",
        ),
        (
            httpx.Response(200, json={"code": "ClientError.NotFound", "message": "x"}),
            "error document",
        ),
        (
            httpx.Response(404, text="<html>404</html>", headers={"content-type": "text/html"}),
            "HTML",
        ),
    ],
)
async def test_malformed_bodies_raise_malformed_response_error(
    response: httpx.Response, reason: str
) -> None:
    handler, _ = sequence(response)
    client, _ = make_client(handler)
    with pytest.raises(MalformedResponseError) as info:
        await client.get("x")
    assert isinstance(info.value, TransferAPIError)
    assert reason in str(info.value)


async def test_dict_access_on_a_list_body_is_malformed() -> None:
    handler, _ = sequence(httpx.Response(200, json=[{"a": 1}, {"b": 2}]))
    client, _ = make_client(handler)
    resp = await client.get("x")
    assert list(resp) == [{"a": 1}, {"b": 2}]
    with pytest.raises(MalformedResponseError, match="expected a JSON object"):
        resp["DATA"]


async def test_empty_success_body_is_malformed_but_204_has_none_data() -> None:
    handler, _ = sequence(httpx.Response(200, content=b""), httpx.Response(204))
    client, _ = make_client(handler)
    with pytest.raises(MalformedResponseError, match="empty body"):
        await client.get("x")
    assert (await client.get("x")).data is None


async def test_aclose_closes_only_an_owned_client() -> None:
    shared = httpx.AsyncClient()
    client = TransferLike(base_url=ROOT, http_client=shared)
    await client.aclose()
    assert not shared.is_closed
    await shared.aclose()
    own = TransferLike(base_url=ROOT)
    await own.aclose()
    assert own.http_client.is_closed


def test_timeout_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GLOBUS_SDK_HTTP_TIMEOUT", "12.5")
    assert http_timeout() == 12.5
    monkeypatch.setenv("GLOBUS_SDK_HTTP_TIMEOUT", "-1")
    assert http_timeout() is None
    monkeypatch.delenv("GLOBUS_SDK_HTTP_TIMEOUT")
    assert http_timeout() == 60.0


def test_default_base_url_comes_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GLOBUS_SDK_SERVICE_URL_TRANSFER", "http://127.0.0.1:5000/transfer/")
    client = TransferLike(http_client=httpx.AsyncClient())
    assert client.base_url == "http://127.0.0.1:5000/transfer/v0.10/"


async def test_debug_log_has_method_url_status_and_no_token(
    caplog: pytest.LogCaptureFixture,
) -> None:
    handler, _ = sequence(
        httpx.Response(200, json={}, headers={"X-Request-Id": "rid-42"}),
        httpx.Response(400, json=error_body("ClientError.BadRequest", f"bad {TOKEN}")),
    )
    client, _ = make_client(handler, authorizer=AccessTokenAuthorizer(TOKEN))
    with caplog.at_level(logging.DEBUG, logger="gtui"):
        await client.get("task_list", query_params={"code": "secretcode123", "limit": 5})
        with pytest.raises(GlobusAPIError) as info:
            await client.post("token", data={"refresh_token": TOKEN}, encoding="form")
    text = caplog.text
    assert "GET" in text and "task_list" in text and "200" in text and "rid-42" in text
    assert "limit=5" in text
    assert TOKEN not in text
    assert "secretcode123" not in text
    assert TOKEN not in str(info.value)


def _response(body: bytes) -> GlobusResponse:
    raw = httpx.Response(
        200,
        headers={"content-type": "application/json"},
        content=body,
        request=httpx.Request("GET", "https://transfer.example/v0.10/endpoint/E"),
    )
    return GlobusResponse(raw)


def test_document_is_the_object_body_and_anything_else_is_malformed() -> None:
    assert _response(b'{"id": "E", "gmeta": []}').document() == {"id": "E", "gmeta": []}
    for body in (b'[{"id": "E"}]', b'"E"', b"null"):
        with pytest.raises(MalformedResponseError, match="expected a JSON object"):
            _response(body).document()


def test_documents_lists_only_json_objects() -> None:
    answer = _response(b'{"gmeta": [{"subject": "a"}], "none": null, "odd": [1, {"a": 2}]}')
    assert answer.documents("gmeta") == [{"subject": "a"}]
    assert answer.documents("missing") == []
    for key in ("none", "odd"):
        with pytest.raises(MalformedResponseError, match="not a list of JSON objects"):
            answer.documents(key)

"""Shared fixtures for the core's tests: a scripted fake Globus service on httpx.MockTransport."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

Handler = Callable[[httpx.Request], httpx.Response]


class FakeService:
    """Routes requests by method and path to handlers and records every request it saw.

    An answer is JSON data (sent with status 200), an ``httpx.Response``, or a callable
    taking the request. Several answers are given in turn, the last one repeating.
    """

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], Any] = {}
        self.requests: list[httpx.Request] = []

    def route(self, method: str, path: str, *answers: Any) -> None:
        self.routes[(method.upper(), path)] = list(answers)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        key = (request.method, request.url.path)
        if key not in self.routes:
            return httpx.Response(
                404,
                json={
                    "code": "ClientError.NotFound",
                    "message": f"no route {key}",
                    "request_id": "fake",
                },
            )
        answers = self.routes[key]
        answer = answers.pop(0) if len(answers) > 1 else answers[0]
        if callable(answer):
            answer = answer(request)
        if isinstance(answer, httpx.Response):
            return answer
        return httpx.Response(200, json=answer)

    def calls(self, method: str, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == method and r.url.path == path]

    @staticmethod
    def body(request: httpx.Request) -> Any:
        return json.loads(request.content)


@pytest.fixture
def fake_service() -> FakeService:
    return FakeService()


@pytest.fixture
async def http_client(fake_service: FakeService):
    async with httpx.AsyncClient(transport=httpx.MockTransport(fake_service)) as client:
        yield client


@pytest.fixture
def no_sleep() -> Callable[[float], Any]:
    async def sleep(_seconds: float) -> None:
        return None

    return sleep


@pytest.fixture
def sim(tmp_path, monkeypatch):
    """The embedded service on a fresh demo world, in a thread, for end-to-end checks."""
    from gtui.sim.serve import start_in_thread

    for name in ("DATA", "CONFIG", "LOG"):
        folder = tmp_path / name.lower()
        folder.mkdir()
        monkeypatch.setenv(f"GTUI_{name}_DIR", str(folder))
    running = start_in_thread(tmp_path / "root")
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
async def sim_transfer(sim):
    """A TransferClient on the embedded service, as the demo world's confidential client."""
    from gtui.core.authorizers import AccessTokenAuthorizer
    from gtui.core.scopes import TransferScopes
    from gtui.core.transfer import TransferClient
    from gtui.sim.world import DEMO_CONFIDENTIAL_CLIENT_ID, DEMO_CONFIDENTIAL_CLIENT_SECRET

    async with httpx.AsyncClient(timeout=30) as http:
        answer = await http.post(
            f"{sim.service_urls['auth']}v2/oauth2/token",
            data={"grant_type": "client_credentials", "scope": TransferScopes.all},
            auth=(DEMO_CONFIDENTIAL_CLIENT_ID, DEMO_CONFIDENTIAL_CLIENT_SECRET),
        )
        answer.raise_for_status()
        client = TransferClient(
            base_url=sim.service_urls["transfer"],
            authorizer=AccessTokenAuthorizer(answer.json()["access_token"]),
            http_client=http,
        )
        yield client

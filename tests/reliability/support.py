"""Logins on the embedded service, as a person would do them, for the reliability tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from gtui.core.session import GlobusSession
from gtui.core.tokens import TokenStore
from gtui.sim.serve import RunningSim
from gtui.sim.world import DEMO_NATIVE_CLIENT_ID
from tests.sim_login import read_auth_code


def access_tokens(response: dict[str, Any]) -> dict[str, str]:
    """Resource server -> access token of a token response."""
    tokens = [response, *response.get("other_tokens", [])]
    return {t["resource_server"]: t["access_token"] for t in tokens}


async def login_session(sim: RunningSim, store_path: Path, **store_kwargs: Any) -> GlobusSession:
    """A GlobusSession on ``sim`` whose tokens come from gtui's own native-app login."""
    store = TokenStore.for_client("sim", DEMO_NATIVE_CLIENT_ID, path=store_path, **store_kwargs)
    session = GlobusSession(
        DEMO_NATIVE_CLIENT_ID,
        environment="sim",
        token_store=store,
        service_urls=sim.service_urls,
    )
    flow = session.login_flow()
    async with httpx.AsyncClient() as client:
        page = await client.get(flow.authorize_url)
        page.raise_for_status()
    await session.complete_login(flow, read_auth_code(page.text), flow.state)
    return session


class WireLog(httpx.AsyncBaseTransport):
    """Passes every request on and keeps (method, path, query, JSON body) of each one."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.sent: list[tuple[str, str, dict[str, str], Any]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body: Any = None
        if request.headers.get("content-type", "").startswith("application/json"):
            body = json.loads(request.content or b"null")
        self.sent.append((request.method, request.url.path, dict(request.url.params), body))
        return await self.inner.handle_async_request(request)

    def last(self, method: str, path_end: str) -> tuple[dict[str, str], Any] | None:
        """Query and body of the latest request to a path ending in ``path_end``."""
        for sent_method, path, query, body in reversed(self.sent):
            if sent_method == method and path.endswith(path_end):
                return query, body
        return None

    async def aclose(self) -> None:
        await self.inner.aclose()


def session_on(sim: RunningSim, transport: httpx.AsyncBaseTransport, **kwargs: Any) -> Any:
    """A GlobusSession on ``sim`` whose HTTP goes through ``transport``."""
    return GlobusSession(
        DEMO_NATIVE_CLIENT_ID,
        environment="sim",
        service_urls=sim.service_urls,
        http_client=httpx.AsyncClient(transport=transport, timeout=30),
        **kwargs,
    )

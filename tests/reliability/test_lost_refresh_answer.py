"""A refresh whose answer is lost on the way back: the service has already rotated the refresh
token, the client never saw the new one. gtui retries with the token it has, the service's
grace window honours that once, and the user stays logged in."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx

from gtui.core.http import RetryPolicy
from gtui.core.tokens import TokenStore
from gtui.sim.serve import RunningSim
from gtui.sim.world import DEMO_NATIVE_CLIENT_ID, DEMO_USER_ID, LAPTOP_ID
from tests.reliability.support import login_session, session_on


class DropFirstRefreshAnswer(httpx.AsyncBaseTransport):
    """Sends every request to the service; the first refresh's answer is dropped after it ran."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.refreshes = 0
        self.dropped = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        answer = await self.inner.handle_async_request(request)
        await answer.aread()
        if request.url.path.endswith("/oauth2/token") and b"refresh_token" in request.content:
            self.refreshes += 1
            if self.dropped == 0:
                self.dropped += 1
                raise httpx.ReadError("connection reset by peer", request=request)
        return answer

    async def aclose(self) -> None:
        await self.inner.aclose()


async def test_a_dropped_refresh_answer_does_not_log_the_user_out(
    sim_factory: Callable[..., RunningSim], tmp_path: Path
) -> None:
    sim = sim_factory()
    store_path = tmp_path / "tokens.json"
    login = await login_session(sim, store_path)
    await login.aclose()
    before = TokenStore.for_client("sim", DEMO_NATIVE_CLIENT_ID, path=store_path)
    old_refresh = before.get_token_data("transfer.api.globus.org")["refresh_token"]
    assert sim.ctx.auth.expire_access_tokens(DEMO_USER_ID) >= 1

    transport = DropFirstRefreshAnswer()
    session = session_on(
        sim,
        transport,
        token_store=TokenStore.for_client("sim", DEMO_NATIVE_CLIENT_ID, path=store_path),
        retry_policy=RetryPolicy(max_backoff=0.05),
    )
    try:
        listing = await session.transfer.operation_ls(LAPTOP_ID, path="/~/")
        assert any(item["name"] == "Documents" for item in listing)
    finally:
        await session.aclose()
    assert transport.dropped == 1 and transport.refreshes == 2
    after = TokenStore.for_client("sim", DEMO_NATIVE_CLIENT_ID, path=store_path)
    kept = after.get_token_data("transfer.api.globus.org")["refresh_token"]
    assert kept != old_refresh

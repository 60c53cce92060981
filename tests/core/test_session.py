"""GlobusSession end to end against the embedded service: login, refresh, consent repair, logout."""

from __future__ import annotations

import asyncio
import multiprocessing
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gtui.core.auth import AuthClient, LocalServerCodeReceiver, NativeAppFlow
from gtui.core.authorizers import AccessTokenAuthorizer, RefreshTokenAuthorizer
from gtui.core.errors import AuthorizationRequirement, LoginRequired, TransferAPIError
from gtui.core.session import GlobusSession
from gtui.core.tokens import TokenStore
from gtui.core.transfer import TransferClient
from gtui.sim.serve import RunningSim, start_in_thread
from gtui.sim.world import ARCHIVE_ID, DEMO_NATIVE_CLIENT_ID, DEMO_USER_ID, LAPTOP_ID

CODE = re.compile(r'<code id="auth-code">([^<]+)</code>')
TRANSFER_RS = "transfer.api.globus.org"


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSim]:
    running = start_in_thread(tmp_path_factory.mktemp("world"))
    yield running
    running.stop()


@pytest.fixture
def store(tmp_path: Path) -> TokenStore:
    return TokenStore.for_client("sim", DEMO_NATIVE_CLIENT_ID, path=tmp_path / "tokens.json")


@pytest.fixture
async def session(sim: RunningSim, store: TokenStore) -> AsyncIterator[GlobusSession]:
    async with GlobusSession(
        DEMO_NATIVE_CLIENT_ID,
        environment="sim",
        token_store=store,
        service_urls=sim.service_urls,
    ) as opened:
        yield opened


async def read_code(flow: NativeAppFlow) -> str:
    async with httpx.AsyncClient() as browser:
        page = await browser.get(flow.authorize_url)
    page.raise_for_status()
    match = CODE.search(page.text)
    assert match, "the authorize page shows no code"
    return match.group(1)


async def log_in(session: GlobusSession, **kwargs: object) -> None:
    flow = session.login_flow(**kwargs)  # type: ignore[arg-type]
    await session.complete_login(flow, await read_code(flow), flow.state)


async def test_login_stores_tokens_and_knows_the_user(
    session: GlobusSession, store: TokenStore
) -> None:
    with pytest.raises(LoginRequired):
        await session.transfer.operation_ls(LAPTOP_ID, path="/home/demo/")
    assert session.has_tokens() is False
    await log_in(session)
    assert session.identity is not None and session.identity.id == DEMO_USER_ID
    tokens = store.get_by_resource_server()
    assert {
        "auth.globus.org",
        TRANSFER_RS,
        "groups.api.globus.org",
        "search.api.globus.org",
    } <= set(tokens)
    assert all(t["identity_id"] == DEMO_USER_ID and t["refresh_token"] for t in tokens.values())
    listing = await session.transfer.operation_ls(LAPTOP_ID, path="/home/demo/")
    assert listing["DATA_TYPE"] == "file_list"
    assert session.has_tokens()
    who = await session.fetch_identity()
    assert who.username == "demo@gtui.example"


async def test_wrong_state_is_refused(session: GlobusSession) -> None:
    flow = session.login_flow()
    code = await read_code(flow)
    with pytest.raises(Exception, match="state mismatch"):
        await session.complete_login(flow, code, "forged-state")


async def test_expired_token_is_refreshed_from_the_service_and_saved(
    sim: RunningSim, session: GlobusSession, store: TokenStore
) -> None:
    await log_in(session)
    before = store.get_token_data(TRANSFER_RS)
    assert before is not None
    store.update_token(TRANSFER_RS, {**before, "expires_at_seconds": 0})
    session.authorizers["transfer"].forget()
    await session.transfer.operation_ls(LAPTOP_ID, path="/home/demo/")
    after = store.get_token_data(TRANSFER_RS)
    assert after is not None
    assert after["access_token"] != before["access_token"]
    assert after["expires_at_seconds"] > 0
    assert after["refresh_token"]


async def test_a_second_session_uses_the_saved_login(
    sim: RunningSim, session: GlobusSession, store: TokenStore
) -> None:
    await log_in(session)
    async with GlobusSession(
        DEMO_NATIVE_CLIENT_ID, environment="sim", token_store=store, service_urls=sim.service_urls
    ) as again:
        resp = await again.transfer.get_endpoint(LAPTOP_ID)
        assert resp["id"] == LAPTOP_ID


async def test_consent_required_is_repaired_by_a_login_for_the_required_scopes(
    session: GlobusSession,
) -> None:
    await log_in(session)
    with pytest.raises(TransferAPIError) as info:
        await session.transfer.operation_ls(ARCHIVE_ID, path="/home/demo/")
    assert info.value.consent_required
    asked: list[AuthorizationRequirement] = []

    async def on_requirement(requirement: AuthorizationRequirement) -> bool:
        asked.append(requirement)
        flow = session.login_flow(authorization_requirement=requirement)
        assert requirement.required_scopes[0] in flow.requested_scopes
        await session.complete_login(flow, await read_code(flow), flow.state)
        return True

    calls = 0

    async def list_archive() -> object:
        nonlocal calls
        calls += 1
        return await session.transfer.operation_ls(ARCHIVE_ID, path="/home/demo/")

    listing = await session.call_with_consent_repair(list_archive, on_requirement)
    assert listing["DATA_TYPE"] == "file_list"  # type: ignore[index]
    assert calls == 2
    assert len(asked) == 1 and ARCHIVE_ID in asked[0].required_scopes[0]


async def test_declined_repair_raises_the_original_error(session: GlobusSession) -> None:
    await log_in(session)

    async def decline(requirement: AuthorizationRequirement) -> bool:
        return False

    with pytest.raises(TransferAPIError) as info:
        await session.call_with_consent_repair(
            lambda: session.transfer.operation_ls(ARCHIVE_ID, path="/home/demo/"), decline
        )
    assert info.value.code == "ConsentRequired"


async def test_errors_without_requirement_are_not_repaired(session: GlobusSession) -> None:
    await log_in(session)
    asked: list[AuthorizationRequirement] = []

    async def record(requirement: AuthorizationRequirement) -> bool:
        asked.append(requirement)
        return True

    with pytest.raises(TransferAPIError) as info:
        await session.call_with_consent_repair(
            lambda: session.transfer.operation_ls(LAPTOP_ID, path="/no/such/folder/"), record
        )
    assert info.value.http_status == 404
    assert asked == []


async def test_logout_revokes_at_the_service_and_forgets_tokens(
    sim: RunningSim, session: GlobusSession, store: TokenStore
) -> None:
    await log_in(session)
    access = store.get_token_data(TRANSFER_RS)["access_token"]  # type: ignore[index]
    logged_out = await session.logout()
    assert TRANSFER_RS in logged_out
    assert store.get_by_resource_server() == {}
    assert session.identity is None
    async with TransferClient(
        base_url=sim.service_urls["transfer"], authorizer=AccessTokenAuthorizer(access)
    ) as stale:
        with pytest.raises(TransferAPIError) as info:
            await stale.get_endpoint(LAPTOP_ID)
    assert info.value.http_status == 401
    with pytest.raises(LoginRequired):
        await session.transfer.get_endpoint(LAPTOP_ID)


async def test_login_through_a_local_browser_redirect(
    session: GlobusSession, store: TokenStore
) -> None:
    async with LocalServerCodeReceiver() as receiver:
        flow = session.login_flow(redirect_uri=receiver.redirect_uri)
        async with httpx.AsyncClient(follow_redirects=True) as browser:
            page = await browser.get(flow.authorize_url)
        assert "return to gtui" in page.text
        code, state = await asyncio.wait_for(receiver.wait(), 10)
    await session.complete_login(flow, code, state)
    assert store.get_token_data(TRANSFER_RS) is not None


def _refresh_in_another_process(auth_root: str, path: str, start: Any, results: Any) -> None:
    async def run() -> str:
        store = TokenStore.for_client("sim", DEMO_NATIVE_CLIENT_ID, path=path)
        async with AuthClient(base_url=auth_root, client_id=DEMO_NATIVE_CLIENT_ID) as auth:
            authorizer = RefreshTokenAuthorizer(auth, store, TRANSFER_RS)
            header = await authorizer.get_authorization_header()
            return header or ""

    start.wait()
    try:
        results.put(("ok", asyncio.run(run())))
    except Exception as exc:
        results.put(("error", f"{type(exc).__name__}: {exc}"))


async def test_two_processes_refreshing_a_rotating_token_at_once_both_succeed(
    sim: RunningSim, session: GlobusSession, store: TokenStore
) -> None:
    await log_in(session)
    token = store.get_token_data(TRANSFER_RS)
    assert token is not None
    store.update_token(TRANSFER_RS, {**token, "expires_at_seconds": 0})
    ctx = multiprocessing.get_context("fork")
    start, results = ctx.Event(), ctx.Queue()
    workers = [
        ctx.Process(
            target=_refresh_in_another_process,
            args=(sim.service_urls["auth"], str(store.path), start, results),
        )
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    start.set()
    outcomes = [await asyncio.to_thread(results.get, True, 30) for _ in workers]
    for worker in workers:
        await asyncio.to_thread(worker.join, 30)
    assert [status for status, _ in outcomes] == ["ok", "ok"], outcomes
    assert outcomes[0][1] == outcomes[1][1]
    session.authorizers["transfer"].forget()
    resp = await session.transfer.get_endpoint(LAPTOP_ID)
    assert resp["id"] == LAPTOP_ID

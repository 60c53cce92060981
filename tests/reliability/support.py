"""Logins on the embedded service, as a person would do them, for the reliability tests."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from gtui.core.session import GlobusSession
from gtui.core.tokens import TokenStore
from gtui.sim.serve import RunningSim
from gtui.sim.world import DEMO_NATIVE_CLIENT_ID, DEMO_USER_ID

TRANSFER_SCOPE = "urn:globus:auth:scope:transfer.api.globus.org:all"
GROUPS_SCOPE = "urn:globus:auth:scope:groups.api.globus.org:all"
SEARCH_SCOPE = "urn:globus:auth:scope:search.api.globus.org:all"
AUTH_SCOPES = "openid profile email urn:globus:auth:scope:auth.globus.org:view_identities"
USER_SCOPES = f"{AUTH_SCOPES} {TRANSFER_SCOPE} {GROUPS_SCOPE} {SEARCH_SCOPE}"
CODE_PATTERN = re.compile(r'<code id="auth-code">([^<]+)</code>')


def read_auth_code(page: str) -> str:
    match = CODE_PATTERN.search(page)
    assert match, "the authorize page shows no code"
    return match.group(1)


def login_response(
    sim: RunningSim,
    *,
    identity_id: str = DEMO_USER_ID,
    scopes: str = USER_SCOPES,
    offline: bool = True,
) -> dict[str, Any]:
    """Log in on the authorize page, read the code, exchange it with its PKCE verifier."""
    verifier = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()
    challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )
    auth_root = sim.service_urls["auth"]
    params = {
        "client_id": DEMO_NATIVE_CLIENT_ID,
        "redirect_uri": f"{auth_root}v2/web/auth-code",
        "scope": scopes,
        "state": secrets.token_hex(8),
        "response_type": "code",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "access_type": "offline" if offline else "online",
        "session_required_identities": identity_id,
    }
    with httpx.Client() as client:
        page = client.get(f"{auth_root}v2/oauth2/authorize", params=params)
        page.raise_for_status()
        answer = client.post(
            f"{auth_root}v2/oauth2/token",
            data={
                "grant_type": "authorization_code",
                "code": read_auth_code(page.text),
                "code_verifier": verifier,
                "redirect_uri": params["redirect_uri"],
                "client_id": DEMO_NATIVE_CLIENT_ID,
            },
        )
        answer.raise_for_status()
        return answer.json()


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


@dataclass(frozen=True)
class Shown:
    """One notification as the app asked for it."""

    message: str
    severity: str


def record_notifications(app: Any) -> list[Shown]:
    """Every notification the app shows from now on, kept after its toast times out."""
    shown: list[Shown] = []
    original = app.notify

    def notify(message: str, *args: Any, **kwargs: Any) -> Any:
        shown.append(Shown(str(message), kwargs.get("severity", "information")))
        return original(message, *args, **kwargs)

    app.notify = notify
    return shown

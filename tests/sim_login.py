"""Logging in to the embedded service the way a person does: the authorize page, the code it
shows, a PKCE exchange. Shared by the service, reliability and app tests."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from typing import Any

import httpx

from gtui.sim.serve import RunningSim
from gtui.sim.world import DEMO_NATIVE_CLIENT_ID, DEMO_USER_ID

TRANSFER_SCOPE = "urn:globus:auth:scope:transfer.api.globus.org:all"
GROUPS_SCOPE = "urn:globus:auth:scope:groups.api.globus.org:all"
SEARCH_SCOPE = "urn:globus:auth:scope:search.api.globus.org:all"
AUTH_SCOPES = "openid profile email urn:globus:auth:scope:auth.globus.org:view_identities"
USER_SCOPES = f"{AUTH_SCOPES} {TRANSFER_SCOPE} {GROUPS_SCOPE} {SEARCH_SCOPE}"
CODE_PATTERN = re.compile(r'<code id="auth-code">([^<]+)</code>')


def read_auth_code(page: str) -> str:
    """The code the authorize page shows to the person logging in."""
    match = CODE_PATTERN.search(page)
    assert match, "the authorize page shows no code"
    return match.group(1)


def pkce_pair() -> tuple[str, str]:
    verifier = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def login_through_page(
    sim: RunningSim,
    *,
    scopes: str = USER_SCOPES,
    identity_id: str = DEMO_USER_ID,
    offline: bool = True,
    extra: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Log in like a person would: open the authorize page, read the code, exchange it."""
    verifier, challenge = pkce_pair()
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
        **(extra or {}),
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


def by_resource_server(response: dict[str, Any]) -> dict[str, str]:
    tokens = [response, *response.get("other_tokens", [])]
    return {t["resource_server"]: t["access_token"] for t in tokens}

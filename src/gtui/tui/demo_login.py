"""Logging in to the embedded demo service without a browser.

``gtui --demo`` runs the service on 127.0.0.1, which a browser on another machine (the usual
case over SSH) cannot reach. The service's authorize page logs in its demo user and shows the
code, so gtui can fetch that page itself and finish the very same PKCE flow with the code,
exactly as if the user had pasted it (PKCE checked by the service, so the tokens are
genuine). The demo's start and the login dialog's "Approve as the demo user" both use it;
production Globus never gets this shortcut.
"""

from __future__ import annotations

import html
import re
import urllib.parse

import httpx

from gtui.core.auth import NativeAppFlow
from gtui.core.errors import GlobusError
from gtui.core.session import GlobusSession

DEMO_ENVIRONMENT = "sim"
_AUTH_CODE = re.compile(r'<code id="auth-code">([^<]+)</code>')


def can_approve_as_demo_user(session: GlobusSession) -> bool:
    """Only the embedded service logs its demo user in on the authorize page."""
    return session.environment == DEMO_ENVIRONMENT


async def demo_login(session: GlobusSession) -> None:
    """Log in to the embedded service as the demo user, through its real authorize page."""
    flow = session.login_flow()
    code, state = await approve_as_demo_user(session, flow)
    await session.complete_login(flow, code, state)


async def approve_as_demo_user(
    session: GlobusSession, flow: NativeAppFlow
) -> tuple[str, str | None]:
    """Open ``flow``'s authorize URL with the session's HTTP client; (code, state) it answers.

    The page either shows the code (default redirect) or redirects to the loopback address the
    flow listens on; both carry the code the flow's PKCE verifier was made for.
    """
    if not can_approve_as_demo_user(session):
        raise GlobusError("Only the embedded demo service can approve a login by itself.")
    try:
        page = await session.http_client.get(flow.authorize_url, follow_redirects=False)
    except httpx.HTTPError as exc:
        raise GlobusError(f"The demo service could not be reached ({type(exc).__name__}).") from exc
    if page.is_redirect:
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(page.headers["location"]).query)
        code = query.get("code", [""])[0]
        if not code:
            why = query.get("error_description", query.get("error", ["no code"]))[0]
            raise GlobusError(f"The demo service refused the login: {why}")
        return code, query.get("state", [flow.state])[0]
    match = _AUTH_CODE.search(page.text)
    if page.status_code != 200 or match is None:
        raise GlobusError(
            f"The demo service's authorize page showed no code (HTTP {page.status_code})."
        )
    return html.unescape(match.group(1)), flow.state

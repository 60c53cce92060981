"""The browser side of the embedded Auth service: the authorize page and the code page.

The demo needs no password: the page logs in the demo user (or the identity named by
``session_required_identities`` / ``login_hint``), grants the consent asked for, and either
shows the code in ``<code id="auth-code">`` or redirects to a loopback ``redirect_uri``.
"""

from __future__ import annotations

import html
import urllib.parse
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from gtui.sim.auth.clients import CLIENTS
from gtui.sim.auth.discovery import auth_root
from gtui.sim.auth.scopes import ScopeError, group_by_resource_server
from gtui.sim.context import context_of
from gtui.sim.ids import DEMO_USER_ID

if TYPE_CHECKING:
    from gtui.sim.context import SimContext
    from gtui.sim.world import User

SESSION_PARAMS = (
    "session_required_identities",
    "session_required_single_domain",
    "session_required_policies",
    "session_required_mfa",
    "session_message",
    "prompt",
    "prefill_named_grant",
    "access_type",
    "login_hint",
)
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def is_loopback_redirect(uri: str) -> bool:
    parsed = urllib.parse.urlsplit(uri)
    return parsed.scheme == "http" and parsed.hostname in LOOPBACK_HOSTS


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"</head><body><h1>{html.escape(title)}</h1>{body}</body></html>",
        status_code=status,
    )


def _error_page(message: str, status: int = 400) -> HTMLResponse:
    return _page("Globus Auth error", f"<p id='auth-error'>{html.escape(message)}</p>", status)


def _session_user(ctx: SimContext, params: dict[str, str]) -> User:
    """The demo user, unless the request names another identity of the world to log in as."""
    wanted = params.get("session_required_identities", "") or params.get("login_hint", "")
    for item in (p.strip() for p in wanted.split(",")):
        user = ctx.world.user_for(item) or ctx.world.user_by_username(item)
        if user is not None:
            return user
    return ctx.world.users[DEMO_USER_ID]


async def authorize(request: Request) -> Response:
    ctx = context_of(request)
    query = dict(request.query_params)
    client = CLIENTS.get(query.get("client_id", ""))
    if client is None:
        return _error_page("Unknown client: the client_id is not registered.")
    default_redirect = f"{auth_root(request)}/v2/web/auth-code"
    redirect_uri = query.get("redirect_uri") or default_redirect
    shows_code = redirect_uri == default_redirect
    if not shows_code and not is_loopback_redirect(redirect_uri):
        return _error_page("The redirect_uri is not registered for this client.")
    state = query.get("state", "")

    def fail(error: str, description: str) -> Response:
        if shows_code:
            return _error_page(f"{error}: {description}")
        params = urllib.parse.urlencode(
            {"error": error, "error_description": description, "state": state}
        )
        return RedirectResponse(f"{redirect_uri}?{params}", status_code=302)

    if query.get("response_type", "code") != "code":
        return fail("unsupported_response_type", "Only response_type=code is supported")
    try:
        grouped = group_by_resource_server(query.get("scope", ""))
    except ScopeError as exc:
        return fail("invalid_scope", str(exc))
    challenge = query.get("code_challenge")
    method = query.get("code_challenge_method")
    if challenge or not client.confidential:
        if not challenge:
            return fail("invalid_request", "code_challenge is required for this client")
        if method != "S256":
            return fail("invalid_request", "code_challenge_method must be S256")
    session = {k: query[k] for k in SESSION_PARAMS if k in query}
    ctx.auth.authorize_requests.append(
        {"client_id": client.client_id, "scope": query.get("scope", ""), **session}
    )
    user = _session_user(ctx, session)
    code = ctx.auth.create_code(
        {
            "client_id": client.client_id,
            "redirect_uri": redirect_uri,
            "sub": user.id,
            "scope": query.get("scope", ""),
            "challenge": challenge,
            "offline": session.get("access_type") == "offline",
            "nonce": query.get("nonce"),
        }
    )
    if not shows_code:
        params = urllib.parse.urlencode({"code": code, "state": state})
        return RedirectResponse(f"{redirect_uri}?{params}", status_code=302)
    scopes = "".join(
        f"<li>{html.escape(s)}</li>" for rs in grouped for s in (str(x) for x in grouped[rs])
    )
    body = (
        f"<p id='auth-user'>You are logged in as demo user {html.escape(user.name)} "
        f"({html.escape(user.username)}).</p>"
        f"<p id='auth-consent'>Consent granted to {html.escape(client.name)} for:</p>"
        f"<ul>{scopes}</ul>"
        "<p>Copy this code and paste it into the application:</p>"
        f'<code id="auth-code">{html.escape(code)}</code>'
    )
    return _page("Globus Auth (demo)", body)


async def web_auth_code(request: Request) -> Response:
    code = request.query_params.get("code")
    if not code:
        return _error_page(request.query_params.get("error_description", "No code was given."))
    return _page("Globus Auth (demo)", f'<code id="auth-code">{html.escape(code)}</code>')

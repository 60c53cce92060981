"""The token endpoints of Auth: grant, revoke, validate and introspect tokens.

Every call authenticates its client first (Basic auth, or ``client_id`` for public clients).
"""

from __future__ import annotations

import base64
import hashlib
import re
import urllib.parse
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from gtui.sim.auth.clients import authenticate_client
from gtui.sim.auth.discovery import auth_root
from gtui.sim.auth.id_tokens import id_token
from gtui.sim.auth.scopes import AUTH_RS, Scope, ScopeError, group_by_resource_server
from gtui.sim.context import context_of
from gtui.sim.errors import OAuthError

_VERIFIER = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")


async def read_form(request: Request) -> dict[str, str]:
    """The urlencoded body (last value wins), decoded without a multipart dependency."""
    body = (await request.body()).decode("utf-8", errors="replace")
    return {k: v for k, v in urllib.parse.parse_qsl(body, keep_blank_values=True)}


def _verify_pkce(challenge: str | None, verifier: str | None) -> None:
    if challenge is None:
        return
    if not verifier or not _VERIFIER.match(verifier):
        raise OAuthError(400, "invalid_grant", "A valid code_verifier is required")
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    computed = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    if computed != challenge:
        raise OAuthError(400, "invalid_grant", "The code_verifier does not match the challenge")


def _token_response(docs: list[dict[str, Any]], **extra: Any) -> JSONResponse:
    top, others = docs[0], docs[1:]
    return JSONResponse(
        {**top, **extra, "other_tokens": others},
        headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
    )


def _grouped_or_error(scope: str) -> dict[str, list[Scope]]:
    try:
        return group_by_resource_server(scope)
    except ScopeError as exc:
        raise OAuthError(400, "invalid_scope", str(exc)) from None


async def token(request: Request) -> Response:
    ctx = context_of(request)
    form = await read_form(request)
    client = authenticate_client(request, form)
    grant_type = form.get("grant_type", "")
    if grant_type == "authorization_code":
        record = ctx.auth.take_code(form.get("code", ""))
        if record is None or record["client_id"] != client.client_id:
            # Globus answers an unknown, used, expired or foreign code with a 401.
            raise OAuthError(401, "invalid_grant", "Invalid or expired authorization code")
        if form.get("redirect_uri") != record["redirect_uri"]:
            raise OAuthError(400, "invalid_grant", "redirect_uri does not match the authorize call")
        _verify_pkce(record["challenge"], form.get("code_verifier"))
        grouped = _grouped_or_error(record["scope"])
        docs = ctx.auth.issue(record["sub"], client.client_id, grouped, offline=record["offline"])
        extra: dict[str, Any] = {"state": form.get("state", "_default")}
        if any(s.name == "openid" for s in grouped.get(AUTH_RS, [])):
            extra["id_token"] = id_token(
                ctx, request, record["sub"], client.client_id, record.get("nonce")
            )
        return _token_response(docs, **extra)
    if grant_type == "refresh_token":
        doc = ctx.auth.refresh(form.get("refresh_token", ""), client.client_id)
        if doc is None:
            raise OAuthError(400, "invalid_grant", "Invalid refresh token")
        sub = doc.pop("sub")
        extra = {}
        if doc["resource_server"] == AUTH_RS and "openid" in doc["scope"].split():
            extra["id_token"] = id_token(ctx, request, sub, client.client_id)
        return _token_response([doc], **extra)
    if grant_type == "client_credentials":
        if not client.confidential:
            raise OAuthError(400, "unauthorized_client", "Only confidential clients may do this")
        grouped = _grouped_or_error(form.get("scope", ""))
        docs = ctx.auth.issue(client.client_id, client.client_id, grouped, offline=False)
        extra = {}
        if any(s.name == "openid" for s in grouped.get(AUTH_RS, [])):
            extra["id_token"] = id_token(ctx, request, client.client_id, client.client_id)
        return _token_response(docs, **extra)
    raise OAuthError(400, "unsupported_grant_type", f"Unsupported grant_type {grant_type!r}")


async def revoke(request: Request) -> JSONResponse:
    form = await read_form(request)
    client = authenticate_client(request, form)
    if not form.get("token"):
        raise OAuthError(400, "invalid_request", "token is required")
    context_of(request).auth.revoke(form["token"], client.client_id)
    return JSONResponse({"active": False})


async def validate(request: Request) -> JSONResponse:
    form = await read_form(request)
    client = authenticate_client(request, form)
    record = context_of(request).auth.lookup(form.get("token", ""))
    return JSONResponse({"active": record is not None and record["client_id"] == client.client_id})


async def introspect(request: Request) -> JSONResponse:
    form = await read_form(request)
    if not request.headers.get("authorization", "").lower().startswith("basic "):
        raise OAuthError(401, "invalid_client", "Introspection needs client credentials")
    authenticate_client(request, form)
    ctx = context_of(request)
    record = ctx.auth.lookup(form.get("token", ""))
    if record is None:
        return JSONResponse({"active": False})
    identity = ctx.auth.identity_doc(record["sub"]) or {}
    body: dict[str, Any] = {
        "active": True,
        "token_type": "Bearer",
        "scope": record["scope"],
        "client_id": record["client_id"],
        "sub": record["sub"],
        "username": identity.get("username"),
        "name": identity.get("name"),
        "email": identity.get("email"),
        "exp": record["exp"],
        "iat": record["iat"],
        "nbf": record["iat"],
        "aud": [record["rs"], record["client_id"]],
        "iss": auth_root(request),
    }
    if "identity_set" in form.get("include", "").split(","):
        linked = [u.id for u in ctx.world.identity_set(record["sub"])]
        body["identity_set"] = linked or [record["sub"]]
    return JSONResponse(body)

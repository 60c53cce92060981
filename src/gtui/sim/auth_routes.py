"""HTTP routes of the embedded Auth service: discovery, tokens, userinfo and identities."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import time
import urllib.parse
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gtui.sim.auth import CLIENTS, Client, require_caller
from gtui.sim.auth_pages import auth_root, authorize, web_auth_code
from gtui.sim.auth_scopes import AUTH_RS, ScopeError, group_by_resource_server
from gtui.sim.errors import OAuthError, SimAPIError
from gtui.sim.jwt_keys import SIGNING_ALGORITHM
from gtui.sim.world import ORCID_PROVIDER_ID

if TYPE_CHECKING:
    from gtui.sim.app import SimContext

_VERIFIER = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")
IDENTITY_PROVIDER_NAME = "gtui Demo Identity Provider"
PROVIDER_NAMES = {ORCID_PROVIDER_ID: "ORCID"}


async def read_form(request: Request) -> dict[str, str]:
    """The urlencoded body (last value wins), decoded without a multipart dependency."""
    body = (await request.body()).decode("utf-8", errors="replace")
    return {k: v for k, v in urllib.parse.parse_qsl(body, keep_blank_values=True)}


def authenticate_client(request: Request, form: dict[str, str]) -> Client:
    """The client calling: Basic auth for confidential clients, ``client_id`` for public ones."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise OAuthError(401, "invalid_client", "Malformed client credentials") from None
        client_id, _, secret = decoded.partition(":")
        client = CLIENTS.get(urllib.parse.unquote(client_id))
        if client is None or client.secret != urllib.parse.unquote(secret):
            raise OAuthError(401, "invalid_client", "Invalid client credentials")
        return client
    client = CLIENTS.get(form.get("client_id", ""))
    if client is None:
        raise OAuthError(401, "invalid_client", "Unknown or missing client_id")
    if client.confidential:
        raise OAuthError(401, "invalid_client", "This client must authenticate with its secret")
    return client


def _ctx(request: Request) -> SimContext:
    return request.app.state.ctx


# -- discovery ---------------------------------------------------------------------------
async def openid_configuration(request: Request) -> JSONResponse:
    root = auth_root(request)
    return JSONResponse(
        {
            "issuer": root,
            "authorization_endpoint": f"{root}/v2/oauth2/authorize",
            "token_endpoint": f"{root}/v2/oauth2/token",
            "userinfo_endpoint": f"{root}/v2/oauth2/userinfo",
            "revocation_endpoint": f"{root}/v2/oauth2/token/revoke",
            "introspection_endpoint": f"{root}/v2/oauth2/token/introspect",
            "jwks_uri": f"{root}/jwk.json",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": [SIGNING_ALGORITHM],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": ["openid", "profile", "email"],
            "claims_supported": [
                "sub",
                "iss",
                "aud",
                "exp",
                "iat",
                "email",
                "name",
                "preferred_username",
                "organization",
                "identity_set",
            ],
        }
    )


async def jwks(request: Request) -> JSONResponse:
    return JSONResponse(_ctx(request).key.jwks())


# -- the token endpoint --------------------------------------------------------------------
def _verify_pkce(challenge: str | None, verifier: str | None) -> None:
    if challenge is None:
        return
    if not verifier or not _VERIFIER.match(verifier):
        raise OAuthError(400, "invalid_grant", "A valid code_verifier is required")
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    computed = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    if computed != challenge:
        raise OAuthError(400, "invalid_grant", "The code_verifier does not match the challenge")


def _id_token(
    ctx: SimContext, request: Request, sub: str, client_id: str, nonce: str | None = None
) -> str:
    now = int(time.time())
    user = ctx.world.user_for(sub)
    identity = ctx.auth.identity_doc(sub) or {}
    claims: dict[str, Any] = {
        "iss": auth_root(request),
        "sub": sub,
        "aud": client_id,
        "iat": now,
        "exp": now + int(ctx.settings.token_lifetime_seconds),
        "last_authentication": now,
        "preferred_username": identity.get("username"),
        "name": identity.get("name"),
        "email": identity.get("email"),
        "organization": identity.get("organization"),
        "identity_provider": identity.get("identity_provider"),
        "identity_provider_display_name": IDENTITY_PROVIDER_NAME,
        "identity_set": _identity_set(ctx, sub, now) if user else [],
    }
    if nonce:
        claims["nonce"] = nonce
    return ctx.key.sign(claims)


def _identity_set(ctx: SimContext, sub: str, now: int) -> list[dict[str, Any]]:
    return [_identity_set_item(u.to_identity_doc(), now) for u in ctx.world.identity_set(sub)]


def _identity_set_item(identity: dict[str, Any], now: int) -> dict[str, Any]:
    return {
        "sub": identity.get("id"),
        "username": identity.get("username"),
        "name": identity.get("name"),
        "email": identity.get("email"),
        "organization": identity.get("organization"),
        "identity_provider": identity.get("identity_provider"),
        "identity_provider_display_name": PROVIDER_NAMES.get(
            identity.get("identity_provider") or "", IDENTITY_PROVIDER_NAME
        ),
        "last_authentication": now,
    }


def _token_response(docs: list[dict[str, Any]], **extra: Any) -> JSONResponse:
    top, others = docs[0], docs[1:]
    return JSONResponse(
        {**top, **extra, "other_tokens": others},
        headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
    )


def _grouped_or_error(scope: str) -> dict[str, Any]:
    try:
        return group_by_resource_server(scope)
    except ScopeError as exc:
        raise OAuthError(400, "invalid_scope", str(exc)) from None


async def token(request: Request) -> Response:
    ctx = _ctx(request)
    form = await read_form(request)
    client = authenticate_client(request, form)
    grant_type = form.get("grant_type", "")
    if grant_type == "authorization_code":
        record = ctx.auth.take_code(form.get("code", ""))
        if record is None or record["client_id"] != client.client_id:
            raise OAuthError(400, "invalid_grant", "Invalid or expired authorization code")
        if form.get("redirect_uri") != record["redirect_uri"]:
            raise OAuthError(400, "invalid_grant", "redirect_uri does not match the authorize call")
        _verify_pkce(record["challenge"], form.get("code_verifier"))
        grouped = _grouped_or_error(record["scope"])
        docs = ctx.auth.issue(record["sub"], client.client_id, grouped, offline=record["offline"])
        extra: dict[str, Any] = {"state": form.get("state", "_default")}
        if any(s.name == "openid" for s in grouped.get(AUTH_RS, [])):
            extra["id_token"] = _id_token(
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
            extra["id_token"] = _id_token(ctx, request, sub, client.client_id)
        return _token_response([doc], **extra)
    if grant_type == "client_credentials":
        if not client.confidential:
            raise OAuthError(400, "unauthorized_client", "Only confidential clients may do this")
        grouped = _grouped_or_error(form.get("scope", ""))
        docs = ctx.auth.issue(client.client_id, client.client_id, grouped, offline=False)
        return _token_response(docs)
    raise OAuthError(400, "unsupported_grant_type", f"Unsupported grant_type {grant_type!r}")


async def revoke(request: Request) -> JSONResponse:
    form = await read_form(request)
    client = authenticate_client(request, form)
    if not form.get("token"):
        raise OAuthError(400, "invalid_request", "token is required")
    _ctx(request).auth.revoke(form["token"], client.client_id)
    return JSONResponse({"active": False})


async def validate(request: Request) -> JSONResponse:
    form = await read_form(request)
    client = authenticate_client(request, form)
    record = _ctx(request).auth.lookup(form.get("token", ""))
    return JSONResponse({"active": record is not None and record["client_id"] == client.client_id})


async def introspect(request: Request) -> JSONResponse:
    form = await read_form(request)
    if not request.headers.get("authorization", "").lower().startswith("basic "):
        raise OAuthError(401, "invalid_client", "Introspection needs client credentials")
    authenticate_client(request, form)
    ctx = _ctx(request)
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


# -- resource-server side of Auth --------------------------------------------------------
async def userinfo(request: Request) -> JSONResponse:
    ctx = _ctx(request)
    caller = require_caller(request, AUTH_RS)
    if "openid" not in caller.scopes:
        raise SimAPIError(403, "FORBIDDEN", "The token lacks the openid scope")
    identity = ctx.auth.identity_doc(caller.identity_id) or {}
    now = int(time.time())
    return JSONResponse(
        {
            "sub": caller.identity_id,
            "preferred_username": identity.get("username"),
            "name": identity.get("name"),
            "email": identity.get("email"),
            "organization": identity.get("organization"),
            "identity_provider": identity.get("identity_provider"),
            "identity_provider_display_name": IDENTITY_PROVIDER_NAME,
            "last_authentication": now,
            "identity_set": _identity_set(ctx, caller.identity_id, now)
            or [_identity_set_item(identity, now)],
        }
    )


async def identities(request: Request) -> JSONResponse:
    ctx = _ctx(request)
    require_caller(request, AUTH_RS)
    ids = request.query_params.get("ids")
    usernames = request.query_params.get("usernames")
    if ids and usernames:
        raise SimAPIError(400, "INVALID_PARAMETERS", "Give either ids or usernames, not both")
    found: list[dict[str, Any]] = []
    for item in (p.strip() for p in (ids or "").split(",") if p.strip()):
        doc = ctx.auth.identity_doc(item)
        if doc is not None:
            found.append(doc)
    for item in (p.strip() for p in (usernames or "").split(",") if p.strip()):
        user = ctx.world.user_by_username(item)
        if user is not None:
            found.append(user.to_identity_doc())
        else:
            client_id = item.split("@", 1)[0]
            doc = ctx.auth.identity_doc(client_id)
            if doc is not None and doc["username"] == item.lower():
                found.append(doc)
    return JSONResponse({"identities": found})


def auth_routes(ctx: SimContext) -> list[Route]:
    return [
        Route("/.well-known/openid-configuration", openid_configuration),
        Route("/jwk.json", jwks),
        Route("/v2/oauth2/authorize", authorize),
        Route("/v2/web/auth-code", web_auth_code),
        Route("/v2/oauth2/token", token, methods=["POST"]),
        Route("/v2/oauth2/token/revoke", revoke, methods=["POST"]),
        Route("/v2/oauth2/token/validate", validate, methods=["POST"]),
        Route("/v2/oauth2/token/introspect", introspect, methods=["POST"]),
        Route("/v2/oauth2/userinfo", userinfo, methods=["GET", "POST"]),
        Route("/v2/api/identities", identities),
    ]

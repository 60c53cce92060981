"""Auth as a resource server: who the token holder is (userinfo) and who other people are."""

from __future__ import annotations

import time
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from gtui.sim.auth.bearer import require_caller
from gtui.sim.auth.id_tokens import IDENTITY_PROVIDER_NAME, identity_set, identity_set_item
from gtui.sim.auth.scopes import AUTH_RS
from gtui.sim.context import context_of
from gtui.sim.errors import SimAPIError


async def userinfo(request: Request) -> JSONResponse:
    ctx = context_of(request)
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
            "identity_set": identity_set(ctx, caller.identity_id, now)
            or [identity_set_item(identity, now)],
        }
    )


async def identities(request: Request) -> JSONResponse:
    ctx = context_of(request)
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

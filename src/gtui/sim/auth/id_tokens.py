"""OpenID Connect claims: the signed id_token, and the identity set it shares with userinfo."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from gtui.sim.auth.discovery import auth_root
from gtui.sim.ids import ORCID_PROVIDER_ID

if TYPE_CHECKING:
    from starlette.requests import Request

    from gtui.sim.context import SimContext

IDENTITY_PROVIDER_NAME = "gtui Demo Identity Provider"
PROVIDER_NAMES = {ORCID_PROVIDER_ID: "ORCID"}


def id_token(
    ctx: SimContext, request: Request, sub: str, client_id: str, nonce: str | None = None
) -> str:
    """The id_token for ``sub``, signed with the service's key, for ``client_id``.

    ``sub`` is a person, or (client credentials asking for ``openid``) the client itself, whose
    identity set is its own client identity.
    """
    now = int(time.time())
    user = ctx.world.user_for(sub)
    identity = ctx.auth.identity_doc(sub) or {}
    if user is not None:
        linked = identity_set(ctx, sub, now)
    else:
        linked = [identity_set_item(identity, now)] if identity else []
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
        "identity_set": linked,
    }
    if nonce:
        claims["nonce"] = nonce
    return ctx.key.sign(claims)


def identity_set(ctx: SimContext, sub: str, now: int) -> list[dict[str, Any]]:
    """The ``identity_set`` claim: ``sub`` and the identities linked to it."""
    return [identity_set_item(u.to_identity_doc(), now) for u in ctx.world.identity_set(sub)]


def identity_set_item(identity: dict[str, Any], now: int) -> dict[str, Any]:
    """One identity as an item of the ``identity_set`` claim."""
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

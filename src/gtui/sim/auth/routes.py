"""The Auth routes, relative to the service root (``/auth``).

Discovery and the login pages serve browsers and libraries; the token endpoints serve OAuth
clients; userinfo, identities and consents serve token holders.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.routing import BaseRoute, Route

from gtui.sim.auth import consents, discovery, identities, pages, token_endpoints

if TYPE_CHECKING:
    from gtui.sim.context import SimContext


def auth_routes(ctx: SimContext) -> list[BaseRoute]:
    """Every route of the Auth API this service answers."""
    return [
        Route("/.well-known/openid-configuration", discovery.openid_configuration),
        Route("/jwk.json", discovery.jwks),
        Route("/v2/oauth2/authorize", pages.authorize),
        Route("/v2/web/auth-code", pages.web_auth_code),
        Route("/v2/oauth2/token", token_endpoints.token, methods=["POST"]),
        Route("/v2/oauth2/token/revoke", token_endpoints.revoke, methods=["POST"]),
        Route("/v2/oauth2/token/validate", token_endpoints.validate, methods=["POST"]),
        Route("/v2/oauth2/token/introspect", token_endpoints.introspect, methods=["POST"]),
        Route("/v2/oauth2/userinfo", identities.userinfo, methods=["GET", "POST"]),
        Route("/v2/api/identities", identities.identities),
        Route("/v2/api/identities/{identity_id}/consents", consents.consents),
    ]

"""Where Auth says what it is: its root URL (the issuer), the OpenID configuration, the JWKS."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from gtui.sim.auth.signing_key import SIGNING_ALGORITHM
from gtui.sim.context import context_of


def auth_root(request: Request) -> str:
    """The Auth service root URL: the configured issuer, else derived from the request."""
    ctx = context_of(request)
    return ctx.settings.issuer or str(request.base_url).rstrip("/") + "/auth"


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
    return JSONResponse(context_of(request).key.jwks())

"""Verification of the OIDC `id_token` against the keys Globus Auth publishes.

Algorithms and issuer come from the openid-configuration (Globus signs with RS512, so nothing
is hard-coded); the configuration and the JWKS are cached on the AuthClient, and fetched
again once when a token names a key the cached set lacks (key rotation). PyJWT and
cryptography are imported on first use: most starts reuse stored tokens and never need them.
The verifier needs of the AuthClient only what `OpenIDProvider` names.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from gtui.core.errors import GlobusError

DEFAULT_LEEWAY = 30.0
REQUIRED_CLAIMS = ["exp", "iat", "aud", "iss", "sub"]


class IDTokenError(GlobusError):
    """The id_token is not one Globus Auth issued for this client, or it has expired."""


class OpenIDProvider(Protocol):
    """What verification needs of Globus Auth (`AuthClient`): its configuration and keys."""

    @property
    def client_id(self) -> str | None: ...

    async def get_openid_configuration(self, *, refresh: bool = False) -> Mapping[str, Any]: ...

    async def get_jwk(self, *, refresh: bool = False) -> Mapping[str, Any]: ...


class IDTokenVerifier:
    """Decodes and checks id_tokens: signature, audience (client id), issuer, expiry."""

    def __init__(
        self,
        auth_client: OpenIDProvider,
        client_id: str | None = None,
        *,
        leeway: float = DEFAULT_LEEWAY,
    ) -> None:
        self.auth_client = auth_client
        self.client_id = client_id or auth_client.client_id
        self.leeway = leeway

    async def _signing_key(self, kid: str | None) -> Any:
        import jwt

        for refresh in (False, True):
            jwks = await self.auth_client.get_jwk(refresh=refresh)
            keys = [k for k in jwks.get("keys") or [] if isinstance(k, dict)]
            if kid is None and keys:
                chosen: dict[str, Any] | None = keys[0]
            else:
                chosen = next((k for k in keys if k.get("kid") == kid), None)
            if chosen is not None:
                try:
                    return jwt.PyJWK(chosen).key
                except jwt.PyJWTError as exc:
                    raise IDTokenError(f"Globus Auth published an unusable key: {exc}") from None
        raise IDTokenError(f"The id_token is signed with an unknown key ({kid!r}).")

    async def decode(self, id_token: str) -> dict[str, Any]:
        """The verified claims of `id_token`; raises IDTokenError with the reason otherwise."""
        import jwt

        if not self.client_id:
            raise IDTokenError("Cannot check an id_token without the client id it was issued to.")
        config = await self.auth_client.get_openid_configuration()
        algorithms = config.get("id_token_signing_alg_values_supported")
        issuer = config.get("issuer")
        if not isinstance(algorithms, list) or not algorithms or not isinstance(issuer, str):
            raise IDTokenError("Globus Auth's OpenID configuration lacks algorithms or issuer.")
        try:
            header = jwt.get_unverified_header(id_token)
        except jwt.PyJWTError as exc:
            raise IDTokenError(f"The id_token is not a JWT: {exc}") from None
        key = await self._signing_key(header.get("kid"))
        try:
            return jwt.decode(
                id_token,
                key=key,
                algorithms=algorithms,
                audience=self.client_id,
                issuer=issuer,
                leeway=self.leeway,
                options={"require": REQUIRED_CLAIMS},
            )
        except jwt.ExpiredSignatureError:
            raise IDTokenError("The id_token has expired.") from None
        except jwt.InvalidAudienceError:
            raise IDTokenError("The id_token was issued to another client.") from None
        except jwt.InvalidIssuerError:
            raise IDTokenError("The id_token was not issued by this Globus Auth.") from None
        except jwt.InvalidSignatureError:
            raise IDTokenError("The id_token's signature does not verify.") from None
        except jwt.PyJWTError as exc:
            raise IDTokenError(f"The id_token is invalid: {exc}") from None

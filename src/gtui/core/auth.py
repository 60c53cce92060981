"""Globus Auth: `AuthClient`, the token response, and the native-app (PKCE) login flow."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import time
import urllib.parse
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

import httpx

from gtui.core.errors import AuthAPIError, AuthorizationRequirement, GlobusError
from gtui.core.http import ServiceClient, malformed_error, slash_join
from gtui.core.id_token import IDTokenError, IDTokenVerifier
from gtui.core.loopback import LocalServerCodeReceiver, LoginCancelled
from gtui.core.response import GlobusResponse
from gtui.core.scopes import Scope, scopes_to_str

DEFAULT_REDIRECT_PATH = "v2/web/auth-code"
_VERIFIER_CHARS = re.compile(r"^[A-Za-z0-9~_.-]{43,128}$")


class LoginStateMismatch(GlobusError):
    """The `state` that came back is not the one this login sent: a stale or forged redirect."""

    def __init__(self) -> None:
        super().__init__(
            "The login answer does not belong to this login attempt (state mismatch). "
            "Start the login again and use the newest browser tab."
        )


class OAuthTokenResponse(GlobusResponse):
    """A token grant: the top-level token plus `other_tokens`, keyed by resource server.

    `expires_at_seconds` is computed from `expires_in` when the response is parsed.
    """

    def __init__(self, response: httpx.Response, data: Any, *, received_at: float | None = None):
        super().__init__(response, data)
        now = time.time() if received_at is None else received_at
        tokens = [data, *(data.get("other_tokens") or [])]
        self.by_resource_server: dict[str, dict[str, Any]] = {}
        for token in tokens:
            if not isinstance(token, dict) or "resource_server" not in token:
                continue
            expires_in = token.get("expires_in")
            self.by_resource_server[token["resource_server"]] = {
                "scope": token.get("scope"),
                "access_token": token.get("access_token"),
                "refresh_token": token.get("refresh_token"),
                "token_type": token.get("token_type"),
                "expires_at_seconds": int(now + expires_in)
                if isinstance(expires_in, int | float)
                else None,
                "resource_server": token["resource_server"],
            }

    @property
    def id_token(self) -> str | None:
        value = self.get("id_token")
        return value if isinstance(value, str) else None

    async def decode_id_token(self, verifier: IDTokenVerifier) -> dict[str, Any]:
        if self.id_token is None:
            raise IDTokenError("The token response has no id_token (was 'openid' requested?).")
        return await verifier.decode(self.id_token)

    def __repr__(self) -> str:
        return f"OAuthTokenResponse(resource_servers={sorted(self.by_resource_server)})"


class AuthClient(ServiceClient):
    """Globus Auth. Token calls are form-encoded and authenticated by the client, not a token."""

    service_name: ClassVar[str] = "auth"
    base_path: ClassVar[str] = ""
    error_class = AuthAPIError

    def __init__(
        self, *, client_id: str | None = None, client_secret: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.client_id = client_id
        self._client_secret = client_secret
        self._openid_configuration: dict[str, Any] | None = None
        self._jwks: dict[str, Any] | None = None

    def __repr__(self) -> str:
        return f"AuthClient(base_url={self.base_url!r}, client_id={self.client_id!r})"

    # -- identities and userinfo -----------------------------------------------------------

    async def get_identities(
        self,
        *,
        usernames: str | Iterable[str] | None = None,
        ids: str | Iterable[str] | None = None,
        provision: bool = False,
        query_params: Mapping[str, Any] | None = None,
    ) -> GlobusResponse:
        """Look identities up by ids or by usernames (not both), as the SDK does."""
        if usernames is not None and ids is not None:
            raise ValueError("get_identities takes usernames or ids, not both")
        params: dict[str, Any] = dict(query_params or {})
        if usernames is not None:
            params["usernames"] = _comma_join(usernames)
            params["provision"] = "true" if provision else "false"
        if ids is not None:
            params["ids"] = _comma_join(ids)
        return await self.get("v2/api/identities", query_params=params)

    async def userinfo(self) -> GlobusResponse:
        return await self.get("v2/oauth2/userinfo")

    async def get_consents(self, identity_id: str, *, all: bool = False) -> GlobusResponse:
        """The identity's consents, one entry per node of its consent trees (``consents``).

        Only those rooted at this client unless ``all`` (which needs ``view_consents``);
        `gtui.core.consents.ConsentForest` answers whether they cover a scope.
        """
        return await self.get(
            f"v2/api/identities/{identity_id}/consents", query_params={"all": all}
        )

    # -- OIDC discovery (cached: the configuration and keys change rarely) ------------------

    async def get_openid_configuration(self, *, refresh: bool = False) -> dict[str, Any]:
        if self._openid_configuration is None or refresh:
            resp = await self.request(
                "GET", ".well-known/openid-configuration", authenticated=False
            )
            self._openid_configuration = _require_dict(resp, self.error_class)
        return self._openid_configuration

    async def get_jwk(self, *, refresh: bool = False) -> dict[str, Any]:
        """The JWKS named by the configuration's `jwks_uri`."""
        if self._jwks is None or refresh:
            config = await self.get_openid_configuration()
            jwks_uri = config.get("jwks_uri")
            if not isinstance(jwks_uri, str):
                raise IDTokenError("Globus Auth's OpenID configuration names no jwks_uri.")
            resp = await self.request("GET", jwks_uri, authenticated=False)
            self._jwks = _require_dict(resp, self.error_class)
        return self._jwks

    # -- OAuth2 ------------------------------------------------------------------------------

    def _client_auth(self, form: dict[str, Any]) -> dict[str, str]:
        """Basic auth for a confidential client; a native client names itself in the form."""
        if self._client_secret is not None:
            pair = f"{self.client_id}:{self._client_secret}".encode()
            return {"Authorization": "Basic " + base64.b64encode(pair).decode("ascii")}
        if self.client_id is not None:
            form.setdefault("client_id", self.client_id)
        return {}

    async def _oauth2_form(self, path: str, form: dict[str, Any]) -> GlobusResponse:
        headers = self._client_auth(form)
        return await self.request(
            "POST", path, data=form, encoding="form", headers=headers, authenticated=False
        )

    async def oauth2_token(self, form_data: Mapping[str, Any]) -> OAuthTokenResponse:
        """POST to the token endpoint; the answer must carry an access token."""
        resp = await self._oauth2_form("v2/oauth2/token", dict(form_data))
        data = resp.data
        if not isinstance(data, dict) or not isinstance(data.get("access_token"), str):
            raise malformed_error(
                self.error_class, resp.raw_response, "the token response has no access_token"
            )
        return OAuthTokenResponse(resp.raw_response, data)

    async def oauth2_exchange_code_for_tokens(
        self, code: str, *, code_verifier: str, redirect_uri: str
    ) -> OAuthTokenResponse:
        return await self.oauth2_token(
            {
                "grant_type": "authorization_code",
                "code": code,
                "code_verifier": code_verifier,
                "redirect_uri": redirect_uri,
            }
        )

    async def oauth2_refresh_token(self, refresh_token: str) -> OAuthTokenResponse:
        return await self.oauth2_token(
            {"grant_type": "refresh_token", "refresh_token": refresh_token}
        )

    async def oauth2_client_credentials_tokens(
        self, requested_scopes: str | Iterable[str | Scope]
    ) -> OAuthTokenResponse:
        scope = requested_scopes if isinstance(requested_scopes, str) else None
        return await self.oauth2_token(
            {
                "grant_type": "client_credentials",
                "scope": scope or scopes_to_str(requested_scopes),
            }
        )

    async def oauth2_revoke_token(self, token: str) -> GlobusResponse:
        return await self._oauth2_form("v2/oauth2/token/revoke", {"token": token})

    async def oauth2_validate_token(self, token: str) -> GlobusResponse:
        """Ask whether a token is still active (`{"active": bool}`); deprecated upstream."""
        return await self._oauth2_form("v2/oauth2/token/validate", {"token": token})

    def oauth2_start_flow(
        self,
        requested_scopes: str | Iterable[str | Scope],
        *,
        redirect_uri: str | None = None,
        refresh_tokens: bool = True,
        prefill_named_grant: str | None = None,
        authorization_requirement: AuthorizationRequirement | None = None,
    ) -> NativeAppFlow:
        return NativeAppFlow(
            self,
            requested_scopes,
            redirect_uri=redirect_uri,
            refresh_tokens=refresh_tokens,
            prefill_named_grant=prefill_named_grant,
            authorization_requirement=authorization_requirement,
        )


class NativeAppFlow:
    """One native-app login: PKCE S256, a random `state` checked on return, code exchange."""

    def __init__(
        self,
        auth_client: AuthClient,
        requested_scopes: str | Iterable[str | Scope],
        *,
        redirect_uri: str | None = None,
        refresh_tokens: bool = True,
        prefill_named_grant: str | None = None,
        authorization_requirement: AuthorizationRequirement | None = None,
        verifier: str | None = None,
        state: str | None = None,
    ) -> None:
        if not auth_client.client_id:
            raise ValueError("a native-app login needs the AuthClient's client_id")
        self.auth_client = auth_client
        self.client_id = auth_client.client_id
        self.requested_scopes = (
            requested_scopes
            if isinstance(requested_scopes, str)
            else scopes_to_str(requested_scopes)
        )
        self.redirect_uri = redirect_uri or slash_join(auth_client.base_url, DEFAULT_REDIRECT_PATH)
        self.refresh_tokens = refresh_tokens
        self.prefill_named_grant = prefill_named_grant
        self.authorization_requirement = authorization_requirement
        self._verifier = verifier or secrets.token_urlsafe(48)
        if not _VERIFIER_CHARS.match(self._verifier):
            raise ValueError("a PKCE verifier has 43-128 characters from [A-Za-z0-9~_.-]")
        self.state = state or secrets.token_urlsafe(24)
        digest = hashlib.sha256(self._verifier.encode("ascii")).digest()
        self.challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")

    def __repr__(self) -> str:
        return f"NativeAppFlow(client_id={self.client_id!r}, scopes={self.requested_scopes!r})"

    def authorize_params(self) -> dict[str, str]:
        params = {
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": self.requested_scopes,
            "state": self.state,
            "response_type": "code",
            "code_challenge": self.challenge,
            "code_challenge_method": "S256",
            "access_type": "offline" if self.refresh_tokens else "online",
        }
        if self.prefill_named_grant:
            params["prefill_named_grant"] = self.prefill_named_grant
        if self.authorization_requirement is not None:
            params.update(self.authorization_requirement.authorize_params())
        return params

    def get_authorize_url(self, query_params: Mapping[str, str] | None = None) -> str:
        params = {**self.authorize_params(), **(query_params or {})}
        base = slash_join(self.auth_client.base_url, "v2/oauth2/authorize")
        return base + "?" + urllib.parse.urlencode(params, quote_via=urllib.parse.quote)

    @property
    def authorize_url(self) -> str:
        return self.get_authorize_url()

    async def exchange_code(self, code: str, state: str | None) -> OAuthTokenResponse:
        """Trade the code for tokens, after checking that `state` is the one sent."""
        if state is None or not secrets.compare_digest(state, self.state):
            raise LoginStateMismatch()
        return await self.auth_client.oauth2_exchange_code_for_tokens(
            code.strip(), code_verifier=self._verifier, redirect_uri=self.redirect_uri
        )


def _comma_join(values: str | Iterable[str]) -> str:
    if isinstance(values, str):
        return values
    return ",".join(dict.fromkeys(str(v) for v in values))


def _require_dict(resp: GlobusResponse, error_class: type[AuthAPIError]) -> dict[str, Any]:
    if not isinstance(resp.data, dict):
        raise malformed_error(error_class, resp.raw_response, "expected a JSON object")
    return resp.data


__all__ = [
    "AuthClient",
    "IDTokenError",
    "IDTokenVerifier",
    "LocalServerCodeReceiver",
    "LoginCancelled",
    "LoginStateMismatch",
    "NativeAppFlow",
    "OAuthTokenResponse",
]

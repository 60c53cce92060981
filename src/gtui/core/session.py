"""`GlobusSession`: one environment, one token store, one HTTP connection pool, six clients.

The UI holds one session. Its clients refresh their tokens from the store on their own; a
call that fails for want of consent or a fresher session is repaired by
`call_with_consent_repair`, which asks the UI to log in for exactly what was required and
then retries the call once. A GCSv5 endpoint's GCS Manager gets a client of its own on
demand (`gcs_client`), with its own connection pool (it trusts what ``GLOBUS_SDK_VERIFY_SSL``
says, as the SDK does).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, TypeVar

import httpx

from gtui.core.auth import AuthClient, NativeAppFlow, OAuthTokenResponse
from gtui.core.authorizers import RefreshTokenAuthorizer
from gtui.core.environments import (
    SERVICE_URL_VAR,
    TIMER_SERVICE,
    UnknownEnvironmentError,
    get_environment_name,
    get_service_url,
    get_service_urls,
    sibling_service_url,
)
from gtui.core.errors import (
    AuthorizationRequirement,
    ConsentMissing,
    GlobusAPIError,
    GlobusError,
    LoginRequired,
)
from gtui.core.flows import FlowsClient, SpecificFlowClient
from gtui.core.gcs import GCSClient, manage_collections_scope, new_gcs_http_client
from gtui.core.groups import GroupsClient
from gtui.core.http import RetryPolicy, new_http_client
from gtui.core.id_token import IDTokenError, IDTokenVerifier
from gtui.core.models import Identity
from gtui.core.redact import get_logger
from gtui.core.scopes import (
    AUTH_RESOURCE_SERVER,
    DEFAULT_SCOPES,
    FLOWS_RESOURCE_SERVER,
    GROUPS_RESOURCE_SERVER,
    SEARCH_RESOURCE_SERVER,
    TIMER_TRANSFER_SCOPE,
    TIMERS_RESOURCE_SERVER,
    TRANSFER_RESOURCE_SERVER,
    FlowsScopes,
    Scope,
    flow_run_scope,
)
from gtui.core.search import SearchClient
from gtui.core.timers import TimersClient
from gtui.core.tokens import TokenStore
from gtui.core.transfer import TransferClient

log = get_logger(__name__)

T = TypeVar("T")
RequirementHandler = Callable[[AuthorizationRequirement], Awaitable[bool]]

RESOURCE_SERVERS = {
    "auth": AUTH_RESOURCE_SERVER,
    "transfer": TRANSFER_RESOURCE_SERVER,
    "groups": GROUPS_RESOURCE_SERVER,
    "search": SEARCH_RESOURCE_SERVER,
    "timers": TIMERS_RESOURCE_SERVER,
    "flows": FLOWS_RESOURCE_SERVER,
}
# The scope whose consent a login without a token for the resource server lacks (a login
# made before gtui used the service).
CONSENT_SCOPES = {
    "timers": (TIMER_TRANSFER_SCOPE, "Globus Timers"),
    "flows": (FlowsScopes.all, "Globus Flows"),
}
FLOWS_SERVICE = "flows"


class ConsentingAuthorizer(RefreshTokenAuthorizer[OAuthTokenResponse]):
    """A refresh-token authorizer for a service that an older login did not include.

    With no token for its resource server while Transfer's is there, the call needs one more
    consent rather than a new login: it raises `ConsentMissing` naming the scope, which
    `GlobusSession.call_with_consent_repair` (and so the UI's consent dialog) asks for.
    """

    def __init__(
        self,
        auth_client: AuthClient,
        token_store: TokenStore,
        resource_server: str,
        *,
        scope: str,
        service: str,
    ) -> None:
        super().__init__(auth_client, token_store, resource_server)
        self.scope = scope
        self.service = service

    async def _load(self) -> dict[str, Any]:
        try:
            return await super()._load()
        except LoginRequired:
            logged_in = await asyncio.to_thread(
                self.token_store.can_refresh, TRANSFER_RESOURCE_SERVER
            )
            if not logged_in:
                raise
            requirement = AuthorizationRequirement(
                code="ConsentRequired", required_scopes=(self.scope,)
            )
            raise ConsentMissing(requirement, self.service) from None


def _later_service_url(urls: Mapping[str, str], service: str, environment: str, given: bool) -> str:
    """The root of a service gtui took up after the first four (Timers, Flows): as given,
    else from the environment (``GLOBUS_SDK_SERVICE_URL_TIMER``, ``…_FLOWS``).

    Roots given without one (an embedded service from before that service) and a "sim"
    environment without the variable get the folder beside Auth's.
    """
    if service in urls:
        return urls[service]
    if not given or os.environ.get(SERVICE_URL_VAR.format(service.upper())):
        try:
            return get_service_url(service, environment)
        except UnknownEnvironmentError:
            if "auth" not in urls:
                raise
    return sibling_service_url(urls["auth"], service)


class GlobusSession:
    """Everything gtui needs to talk to Globus as the logged-in user."""

    def __init__(
        self,
        client_id: str,
        *,
        environment: str | None = None,
        token_store: TokenStore | None = None,
        http_client: httpx.AsyncClient | None = None,
        service_urls: dict[str, str] | None = None,
        retry_policy: RetryPolicy | None = None,
        passphrase: str | None = None,
    ) -> None:
        self.client_id = client_id
        self.environment = environment or get_environment_name()
        urls = dict(service_urls or get_service_urls(self.environment))
        for later in (TIMER_SERVICE, FLOWS_SERVICE):
            urls[later] = _later_service_url(urls, later, self.environment, bool(service_urls))
        self.service_urls = dict(urls)
        self.token_store = token_store or TokenStore.for_client(
            self.environment, client_id, passphrase=passphrase
        )
        self._owns_http_client = http_client is None
        plain_http = all(url.startswith("http://") for url in self.service_urls.values())
        self.http_client = http_client or new_http_client(tls=not plain_http)
        common: dict[str, Any] = {"http_client": self.http_client, "retry_policy": retry_policy}
        self.auth = AuthClient(base_url=urls["auth"], client_id=client_id, **common)
        self.transfer = TransferClient(base_url=urls["transfer"], **common)
        self.groups = GroupsClient(base_url=urls["groups"], **common)
        self.search = SearchClient(base_url=urls["search"], **common)
        self.timers = TimersClient(base_url=urls[TIMER_SERVICE], **common)
        self.flows = FlowsClient(base_url=urls[FLOWS_SERVICE], **common)
        self._retry_policy = retry_policy
        self.authorizers: dict[str, RefreshTokenAuthorizer[OAuthTokenResponse]] = {}
        for name, client in self.clients.items():
            authorizer = self._authorizer(name)
            client.authorizer = authorizer
            self.authorizers[name] = authorizer
        self.id_token_verifier = IDTokenVerifier(self.auth, client_id)
        self._identity: Identity | None = None
        self._gcs_http_client: httpx.AsyncClient | None = None

    def __repr__(self) -> str:
        return f"GlobusSession(environment={self.environment!r}, client_id={self.client_id!r})"

    def _authorizer(self, name: str) -> RefreshTokenAuthorizer[OAuthTokenResponse]:
        resource_server = RESOURCE_SERVERS[name]
        if name in CONSENT_SCOPES:
            scope, service = CONSENT_SCOPES[name]
            return ConsentingAuthorizer(
                self.auth, self.token_store, resource_server, scope=scope, service=service
            )
        return RefreshTokenAuthorizer(self.auth, self.token_store, resource_server)

    @property
    def clients(self) -> dict[str, Any]:
        """Every client by name (Timers' is ``"timers"``; its service and URL are ``"timer"``)."""
        return {
            "auth": self.auth,
            "transfer": self.transfer,
            "groups": self.groups,
            "search": self.search,
            "timers": self.timers,
            "flows": self.flows,
        }

    def gcs_client(
        self,
        gcs_manager_url: str,
        endpoint_id: str,
        *,
        data_access_collection: str | None = None,
    ) -> GCSClient:
        """A client of a GCSv5 endpoint's GCS Manager (from a collection document:
        ``gcs_manager_url``, and ``owner_id``, the endpoint's id), with the stored login's
        token for the endpoint.

        Without one (the login never consented to ``manage_collections`` there), a call raises
        `ConsentMissing` naming that scope, with ``data_access_collection``'s ``data_access``
        as its dependency when given (making a guest collection on that mapped collection
        needs it), so one consent repair covers the call. The authorizer is kept under
        ``authorizers["gcs:<endpoint_id>"]``, so a new login refreshes it like the others.
        """
        name = f"gcs:{endpoint_id}"
        scope = manage_collections_scope(endpoint_id, data_access_collection)
        authorizer = self.authorizers.get(name)
        if not isinstance(authorizer, ConsentingAuthorizer) or authorizer.scope != scope:
            authorizer = ConsentingAuthorizer(
                self.auth,
                self.token_store,
                endpoint_id,
                scope=scope,
                service="this collection's Globus Connect Server",
            )
            self.authorizers[name] = authorizer
        if self._gcs_http_client is None:
            self._gcs_http_client = new_gcs_http_client()
        return GCSClient(gcs_manager_url, authorizer=authorizer, http_client=self._gcs_http_client)

    def specific_flow_client(
        self,
        flow_id: str,
        *,
        calls_transfer: bool = True,
        data_access_collections: Iterable[str] = (),
    ) -> SpecificFlowClient:
        """A client for one flow, with the stored login's token for that flow's scope.

        Without one (the first run of this flow), a call raises `ConsentMissing` naming the
        flow's scope with what it acts through (Transfer, and the ``data_access`` of
        ``data_access_collections``, the collections of this run that take one), so one
        consent repair covers the run. The authorizer is kept under
        ``authorizers["flow:<flow_id>"]``, so a new login refreshes it like the others.
        """
        name = f"flow:{flow_id}"
        scope = flow_run_scope(
            flow_id,
            calls_transfer=calls_transfer,
            data_access_collection_ids=data_access_collections,
        )
        authorizer = self.authorizers.get(name)
        if not isinstance(authorizer, ConsentingAuthorizer) or authorizer.scope != scope:
            authorizer = ConsentingAuthorizer(
                self.auth, self.token_store, flow_id, scope=scope, service="this flow"
            )
            self.authorizers[name] = authorizer
        return SpecificFlowClient(
            flow_id,
            base_url=self.service_urls[FLOWS_SERVICE],
            authorizer=authorizer,
            http_client=self.http_client,
            retry_policy=self._retry_policy,
        )

    # -- state ---------------------------------------------------------------------------

    def has_tokens(self) -> bool:
        """True when the store holds a refresh token for Transfer (the one gtui cannot lack).

        Raises LoginRequired when the store is damaged.
        """
        return self.token_store.can_refresh(TRANSFER_RESOURCE_SERVER)

    @property
    def identity(self) -> Identity | None:
        """The logged-in identity, once known (from the id_token at login, or `fetch_identity`)."""
        return self._identity

    async def fetch_identity(self) -> Identity:
        """Ask Auth's userinfo who is logged in, and remember it."""
        info = await self.auth.userinfo()
        self._identity = Identity.from_api(info.document())
        return self._identity

    # -- login ---------------------------------------------------------------------------

    def login_flow(
        self,
        scopes: Iterable[str | Scope] | str | None = None,
        authorization_requirement: AuthorizationRequirement | None = None,
        *,
        redirect_uri: str | None = None,
        prefill_named_grant: str | None = None,
    ) -> NativeAppFlow:
        """A native-app login for `scopes` (default: everything gtui uses).

        With an authorization requirement, its scopes are requested and its session
        parameters (identities, domains, policies, MFA, prompt) go into the authorize URL.
        """
        requested: list[str | Scope] = [scopes] if isinstance(scopes, str) else list(scopes or [])
        if authorization_requirement is not None:
            requested.extend(authorization_requirement.required_scopes)
        if not requested:
            requested = list(DEFAULT_SCOPES)
        return self.auth.oauth2_start_flow(
            requested,
            redirect_uri=redirect_uri,
            prefill_named_grant=prefill_named_grant,
            authorization_requirement=authorization_requirement,
        )

    async def complete_login(
        self, flow: NativeAppFlow, code: str, state: str | None
    ) -> OAuthTokenResponse:
        """Exchange the code, verify the id_token if there is one, and store the tokens."""
        response = await flow.exchange_code(code, state)
        identity_id: str | None = None
        if response.id_token is not None:
            claims = await response.decode_id_token(self.id_token_verifier)
            identity_id = claims.get("sub")
            self._identity = Identity.from_api(claims)
        elif self._identity is not None:
            identity_id = self._identity.id
        await asyncio.to_thread(
            self.token_store.store_token_response, response, identity_id=identity_id
        )
        for authorizer in self.authorizers.values():
            authorizer.forget()
        log.info("stored tokens for %s", ", ".join(sorted(response.by_resource_server)))
        return response

    async def call_with_consent_repair(
        self,
        fn: Callable[[], Awaitable[T]],
        on_requirement: RequirementHandler,
    ) -> T:
        """Run `fn`; on an authorization requirement let the UI satisfy it, then retry once.

        `on_requirement(requirement)` runs the login for that requirement (see `login_flow`)
        and returns True when new tokens are stored; otherwise the original error stands.
        """
        try:
            return await fn()
        except (GlobusAPIError, ConsentMissing) as error:
            requirement = error.authorization_requirement
            if requirement is None:
                raise
            log.info("call needs authorization (%s); asking for a new login", requirement.code)
            if not await on_requirement(requirement):
                raise
        return await fn()

    # -- logout and shutdown -------------------------------------------------------------

    async def logout(self) -> list[str]:
        """Revoke every stored token at Globus Auth, then forget them all.

        Tokens are removed even when a revocation fails (offline, already revoked), so the
        machine keeps nothing; returns the resource servers that were logged out.
        """
        try:
            tokens = await asyncio.to_thread(self.token_store.get_by_resource_server)
        except LoginRequired:
            tokens = {}
        for data in tokens.values():
            for key in ("refresh_token", "access_token"):
                value = data.get(key)
                if not value:
                    continue
                try:
                    await self.auth.oauth2_revoke_token(value)
                except GlobusError as exc:
                    log.warning("could not revoke a %s: %s", key.replace("_", " "), exc)
        await asyncio.to_thread(self.token_store.remove_tokens)
        for authorizer in self.authorizers.values():
            authorizer.forget()
        self._identity = None
        return sorted(tokens)

    async def aclose(self) -> None:
        if self._gcs_http_client is not None:
            await self._gcs_http_client.aclose()
            self._gcs_http_client = None
        if self._owns_http_client:
            await self.http_client.aclose()

    async def __aenter__(self) -> GlobusSession:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


__all__ = ["GlobusSession", "IDTokenError", "RESOURCE_SERVERS"]

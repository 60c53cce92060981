"""`GCSClient`: a Globus Connect Server v5 endpoint's GCS Manager API, with the SDK's names.

Each GCSv5 endpoint answers its own GCS Manager at its ``gcs_manager_url`` (``https://`` only;
the API is under ``/api``), for tokens of the endpoint's resource server (its id) with its
``manage_collections`` scope. Making a guest collection on a mapped collection that needs
``data_access`` consent needs that scope with the collection's ``data_access`` as a dependency
(``manage_collections_scope``); a token without it gets a 403 ``ConsentRequired`` whose
requirement `GlobusSession.call_with_consent_repair` repairs like any other.

Answers are ``result`` documents listing their documents under ``data``: iterating a
`GCSResponse` yields them, ``unpacked("collection")`` picks the first of a type (the SDK's
``UnpackingGCSResponse``).

TLS: ``GLOBUS_SDK_VERIFY_SSL`` says what to trust, as it does for the Globus SDK: a boolean
word, or the path of a CA bundle (the embedded service's own authority, which ``gtui sim
serve`` prints). Unset, the system's authorities.
"""

from __future__ import annotations

import functools
import os
import ssl
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar
from uuid import UUID

import httpx

from gtui.core.errors import GlobusAPIError, MalformedResponseError
from gtui.core.http import (
    Authorizer,
    RetryPolicy,
    ServiceClient,
    default_ssl_context,
    new_http_client,
    slash_join,
)
from gtui.core.paging import MarkerPaginator, Paginated, has_paginator
from gtui.core.response import GlobusResponse
from gtui.core.scopes import data_access_scope, url_scope

ID = UUID | str
VERIFY_SSL_VAR = "GLOBUS_SDK_VERIFY_SSL"
_TRUE = frozenset({"y", "yes", "t", "true", "on", "1"})
_FALSE = frozenset({"n", "no", "f", "false", "off", "0"})

__all__ = [
    "GCSAPIError",
    "GCSClient",
    "GCSResponse",
    "GuestCollectionDocument",
    "RoleDocument",
    "gcs_verify",
    "manage_collections_scope",
]


def manage_collections_scope(endpoint_id: ID, data_access_collection: ID | None = None) -> str:
    """An endpoint's ``manage_collections`` scope; with a mapped collection, its
    ``data_access`` as an (optional) dependency, as making a guest collection there needs."""
    scope = url_scope(str(endpoint_id), "manage_collections")
    if data_access_collection is not None:
        scope += f"[*{data_access_scope(str(data_access_collection))}]"
    return scope


@functools.cache
def _context_for(cafile: str) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=cafile)


def gcs_verify(value: str | None = None) -> ssl.SSLContext | bool:
    """What to trust for a GCS Manager's TLS, from ``GLOBUS_SDK_VERIFY_SSL`` (or ``value``)
    read as the SDK reads it: a boolean word, or the path of a CA bundle file."""
    raw = os.environ.get(VERIFY_SSL_VAR, "1") if value is None else value
    word = raw.strip().lower()
    if word in _TRUE:
        return default_ssl_context()
    if word in _FALSE:
        return False
    if os.path.isfile(raw):
        return _context_for(os.path.abspath(raw))
    raise ValueError(
        f"{VERIFY_SSL_VAR} must be a boolean word or the path of a CA bundle file, not {raw!r}"
    )


def new_gcs_http_client() -> httpx.AsyncClient:
    """An HTTP client for GCS Managers, trusting what ``GLOBUS_SDK_VERIFY_SSL`` says."""
    return new_http_client(verify=gcs_verify())


class GCSAPIError(GlobusAPIError):
    """An error of a GCS Manager: ``code``, ``message`` and ``detail`` of its result document
    (``detail_data_type`` when the detail is a document, e.g. ``authentication_timeout#1.1.0``)."""

    service_label = "Globus Connect Server"

    def __init__(self, response: httpx.Response) -> None:
        super().__init__(response)
        body = self.raw_json if isinstance(self.raw_json, dict) else {}
        detail = body.get("detail")
        self.detail: str | dict[str, Any] | None = (
            detail if isinstance(detail, str | dict) else None
        )
        kind = detail.get("DATA_TYPE") if isinstance(detail, dict) else None
        self.detail_data_type: str | None = kind if isinstance(kind, str) else None


class GCSResponse(GlobusResponse):
    """A GCS Manager's answer: iterating yields the documents of its ``data`` list."""

    def _items(self) -> list[Any]:
        items = self.get("data")
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise MalformedResponseError(
                self.raw_response, reason="expected a list of documents (a data array)"
            )
        return items

    def unpacked(self, name: str) -> dict[str, Any]:
        """The first listed document of type ``name`` (its ``DATA_TYPE`` is ``name#x.y.z``)."""
        for item in self._items():
            data_type = item.get("DATA_TYPE")
            if isinstance(data_type, str) and data_type.split("#", 1)[0] == name:
                found: dict[str, Any] = item
                return found
        raise MalformedResponseError(self.raw_response, reason=f"the answer lists no {name!r}")


# The DATA_TYPE version a field needs (the SDK's table for collection documents).
_VERSION_OF_FIELD = {
    "associated_flow_policy": (1, 15, 0),
    "activity_notification_policy": (1, 14, 0),
    "auto_delete_timeout": (1, 13, 0),
    "skip_auto_delete": (1, 13, 0),
    "restrict_transfers_to_high_assurance": (1, 12, 0),
    "acl_expiration_mins": (1, 10, 0),
    "delete_protected": (1, 8, 0),
    "guest_auth_policy_id": (1, 6, 0),
    "disable_anonymous_writes": (1, 5, 0),
    "force_verify": (1, 4, 0),
    "enable_https": (1, 1, 0),
    "user_message": (1, 1, 0),
    "user_message_link": (1, 1, 0),
}


class GuestCollectionDocument(dict[str, Any]):
    """A guest collection to make (``create_collection``) or the changes to one
    (``update_collection``); arguments left None are left out.

    Making one needs ``mapped_collection_id``, ``user_credential_id`` (the caller's, from
    ``get_user_credential_list``), ``collection_base_path`` (a folder of the mapped
    collection's storage, from its root path) and ``display_name``. ``DATA_TYPE`` is the
    lowest ``collection#1.x.0`` that has every field given.
    """

    def __init__(
        self,
        *,
        mapped_collection_id: ID | None = None,
        user_credential_id: ID | None = None,
        collection_base_path: str | None = None,
        display_name: str | None = None,
        identity_id: ID | None = None,
        description: str | None = None,
        keywords: Iterable[str] | None = None,
        public: bool | None = None,
        contact_email: str | None = None,
        contact_info: str | None = None,
        info_link: str | None = None,
        organization: str | None = None,
        department: str | None = None,
        default_directory: str | None = None,
        user_message: str | None = None,
        user_message_link: str | None = None,
        force_encryption: bool | None = None,
        enable_https: bool | None = None,
        activity_notification_policy: Mapping[str, list[str]] | None = None,
        data_type: str | None = None,
        additional_fields: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__()
        given: dict[str, Any] = {
            "collection_type": "guest",
            "mapped_collection_id": mapped_collection_id,
            "user_credential_id": user_credential_id,
            "collection_base_path": collection_base_path,
            "display_name": display_name,
            "identity_id": identity_id,
            "description": description,
            "keywords": list(keywords) if keywords is not None else None,
            "public": public,
            "contact_email": contact_email,
            "contact_info": contact_info,
            "info_link": info_link,
            "organization": organization,
            "department": department,
            "default_directory": default_directory,
            "user_message": user_message,
            "user_message_link": user_message_link,
            "force_encryption": force_encryption,
            "enable_https": enable_https,
            "activity_notification_policy": (
                dict(activity_notification_policy)
                if activity_notification_policy is not None
                else None
            ),
        }
        for key, value in given.items():
            if value is not None:
                self[key] = str(value) if isinstance(value, UUID) else value
        self.update(additional_fields or {})
        self["DATA_TYPE"] = data_type or self._deduced_data_type()

    def _deduced_data_type(self) -> str:
        version = max(
            [(1, 0, 0), *(v for k, v in _VERSION_OF_FIELD.items() if k in self)],
        )
        message = self.get("user_message")
        if isinstance(message, str) and len(message) > 64:
            version = max(version, (1, 7, 0))
        return "collection#" + ".".join(str(part) for part in version)


class RoleDocument(dict[str, Any]):
    """A role to give (``create_role``): ``principal`` is an identity or group URN
    (``urn:globus:auth:identity:<id>``); without ``collection`` it is a role on the endpoint."""

    def __init__(self, *, principal: str, role: str, collection: ID | None = None) -> None:
        super().__init__(DATA_TYPE="role#1.0.0", principal=principal, role=role)
        if collection is not None:
            self["collection"] = str(collection)


def _opt_id(value: ID | None) -> str | None:
    return None if value is None else str(value)


def _comma(value: str | Iterable[str] | None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return ",".join(value)


class GCSClient(ServiceClient):
    """Async client of one GCS Manager; errors are `GCSAPIError`, answers `GCSResponse`.

    ``gcs_address`` is the endpoint's ``gcs_manager_url`` (or its bare DNS name); ``/api`` is
    added as the SDK adds it. Without an ``http_client`` the client makes its own, trusting
    what ``GLOBUS_SDK_VERIFY_SSL`` says.
    """

    service_name: ClassVar[str] = "globus_connect_server"
    error_class: ClassVar[type[GCSAPIError]] = GCSAPIError
    paginated = Paginated()

    def __init__(
        self,
        gcs_address: str,
        *,
        authorizer: Authorizer | None = None,
        http_client: httpx.AsyncClient | None = None,
        retry_policy: RetryPolicy | None = None,
    ) -> None:
        if gcs_address.startswith("http://"):
            raise ValueError(f"a GCS Manager answers over https only, not at {gcs_address!r}")
        if not gcs_address.startswith("https://"):
            gcs_address = f"https://{gcs_address}/api/"
        elif not gcs_address.rstrip("/").endswith("/api"):
            gcs_address = slash_join(gcs_address, "api/")
        super().__init__(
            base_url=gcs_address,
            authorizer=authorizer,
            http_client=http_client or new_gcs_http_client(),
            retry_policy=retry_policy,
        )
        # Made here, so closed here.
        self._owns_http_client = http_client is None

    def _make_response(self, response: httpx.Response) -> GCSResponse:
        return GCSResponse(response, super()._make_response(response).data)

    async def _get(self, path: str, query: Mapping[str, Any] | None = None) -> GCSResponse:
        answer = await self.get(path, query_params=query)
        assert isinstance(answer, GCSResponse)
        return answer

    async def _send(
        self,
        method: str,
        path: str,
        data: Any = None,
        query: Mapping[str, Any] | None = None,
    ) -> GCSResponse:
        answer = await self.request(method, path, data=data, query_params=query)
        assert isinstance(answer, GCSResponse)
        return answer

    # -- the endpoint -------------------------------------------------------------------------

    async def get_gcs_info(self) -> GCSResponse:
        """``GET /info`` (no token needed): ``unpacked("info")["client_id"]`` is the endpoint's
        resource server."""
        answer = await self.request("GET", "info", authenticated=False)
        assert isinstance(answer, GCSResponse)
        return answer

    async def get_endpoint(self) -> GCSResponse:
        """``GET /endpoint``: ``unpacked("endpoint")``."""
        return await self._get("endpoint")

    # -- collections --------------------------------------------------------------------------

    @has_paginator(MarkerPaginator, items_key="data")
    async def get_collection_list(
        self,
        *,
        mapped_collection_id: ID | None = None,
        filter: str | Iterable[str] | None = None,  # noqa: A002 - the SDK's name
        include: str | Iterable[str] | None = None,
        page_size: int | None = None,
        marker: str | None = None,
        query_params: Mapping[str, Any] | None = None,
    ) -> GCSResponse:
        """``GET /collections``: the endpoint's collections the caller may see; ``filter``
        any of ``mapped_collections``, ``guest_collections``, ``managed_by_me``,
        ``created_by_me``."""
        query = {
            "mapped_collection_id": _opt_id(mapped_collection_id),
            "filter": _comma(filter),
            "include": _comma(include),
            "page_size": page_size,
            "marker": marker,
            **(query_params or {}),
        }
        return await self._get("collections", query)

    async def get_collection(
        self, collection_id: ID, *, query_params: Mapping[str, Any] | None = None
    ) -> GCSResponse:
        """``GET /collections/{id}``: ``unpacked("collection")``."""
        return await self._get(f"collections/{collection_id}", query_params)

    async def create_collection(self, collection_data: Mapping[str, Any]) -> GCSResponse:
        """``POST /collections`` with a `GuestCollectionDocument`: the new collection, whose
        administrator the caller becomes."""
        return await self._send("POST", "collections", dict(collection_data))

    async def update_collection(
        self,
        collection_id: ID,
        collection_data: Mapping[str, Any],
        *,
        query_params: Mapping[str, Any] | None = None,
    ) -> GCSResponse:
        """``PATCH /collections/{id}`` with the fields to change."""
        return await self._send(
            "PATCH", f"collections/{collection_id}", dict(collection_data), query_params
        )

    async def delete_collection(
        self, collection_id: ID, *, query_params: Mapping[str, Any] | None = None
    ) -> GCSResponse:
        """``DELETE /collections/{id}``."""
        return await self._send("DELETE", f"collections/{collection_id}", query=query_params)

    # -- storage gateways and user credentials ------------------------------------------------

    @has_paginator(MarkerPaginator, items_key="data")
    async def get_storage_gateway_list(
        self,
        *,
        include: str | Iterable[str] | None = None,
        page_size: int | None = None,
        marker: str | None = None,
        query_params: Mapping[str, Any] | None = None,
    ) -> GCSResponse:
        """``GET /storage_gateways``."""
        query = {
            "include": _comma(include),
            "page_size": page_size,
            "marker": marker,
            **(query_params or {}),
        }
        return await self._get("storage_gateways", query)

    @has_paginator(MarkerPaginator, items_key="data")
    async def get_user_credential_list(
        self,
        storage_gateway: ID | None = None,
        *,
        page_size: int | None = None,
        marker: str | None = None,
        query_params: Mapping[str, Any] | None = None,
    ) -> GCSResponse:
        """``GET /user_credentials``: the caller's credentials (on one storage gateway)."""
        query = {
            "storage_gateway": _opt_id(storage_gateway),
            "page_size": page_size,
            "marker": marker,
            **(query_params or {}),
        }
        return await self._get("user_credentials", query)

    # -- roles ----------------------------------------------------------------------------------

    @has_paginator(MarkerPaginator, items_key="data")
    async def get_role_list(
        self,
        collection_id: ID | None = None,
        include: str | None = None,
        *,
        page_size: int | None = None,
        marker: str | None = None,
        query_params: Mapping[str, Any] | None = None,
    ) -> GCSResponse:
        """``GET /roles``: the caller's roles on a collection (the endpoint's without one);
        ``include="all_roles"`` every role, for its administrators."""
        query = {
            "collection_id": _opt_id(collection_id),
            "include": include,
            "page_size": page_size,
            "marker": marker,
            **(query_params or {}),
        }
        return await self._get("roles", query)

    async def create_role(
        self, data: Mapping[str, Any], *, query_params: Mapping[str, Any] | None = None
    ) -> GCSResponse:
        """``POST /roles`` with a `RoleDocument`: ``unpacked("role")``."""
        return await self._send("POST", "roles", dict(data), query_params)

    async def get_role(self, role_id: ID) -> GCSResponse:
        """``GET /roles/{id}``."""
        return await self._get(f"roles/{role_id}")

    async def delete_role(self, role_id: ID) -> GCSResponse:
        """``DELETE /roles/{id}``."""
        return await self._send("DELETE", f"roles/{role_id}")

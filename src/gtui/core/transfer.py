"""`TransferClient`: the Transfer API v0.10 calls gtui makes (globus-api.md §3, §14), SDK names.

Query encoding follows the service, not Python: booleans such as ``show_hidden`` go as 1/0,
``orderby`` lists are comma-joined, an ls ``filter`` dict becomes ``k:v1,v2`` clauses joined
by ``/`` and a list of filters becomes repeated ``filter`` parameters (ORed by the service).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar
from uuid import UUID

from gtui.core.errors import GlobusAPIError, TransferAPIError
from gtui.core.http import ServiceClient, malformed_error
from gtui.core.paging import (
    HasNextPaginator,
    LimitOffsetTotalPaginator,
    NullableMarkerPaginator,
    Paginated,
    has_paginator,
)
from gtui.core.response import GlobusResponse

ID = UUID | str
FilterValue = str | Sequence[str] | None
LsFilter = str | Mapping[str, FilterValue] | Sequence[str | Mapping[str, FilterValue]]

FILTER_SCOPES = (
    "all",
    "my-endpoints",
    "my-gcp-endpoints",
    "recently-used",
    "in-use",
    "shared-by-me",
    "shared-with-me",
    "administered-by-me",
)
# Final even with a 5xx status: the endpoint, not the Transfer service, failed.
_NO_RETRY_CODES = ("ExternalError", "EndpointError")
_OWNER_CONFLICTING_SCOPES = frozenset({"my-endpoints", "my-gcp-endpoints", "shared-by-me"})
ENTITY_TYPES = (
    "GCP_mapped_collection",
    "GCP_guest_collection",
    "GCSv5_endpoint",
    "GCSv5_mapped_collection",
    "GCSv5_guest_collection",
)


def _flag(value: bool | None) -> int | None:
    return None if value is None else int(bool(value))


def encode_filter_clauses(value: str | Mapping[str, FilterValue]) -> str:
    """``{"type": "dir", "name": ["a", "b"]}`` → ``"type:dir/name:a,b"``; strings pass through."""
    if isinstance(value, str):
        return value
    clauses = []
    for key, raw in value.items():
        if raw is None:
            continue
        joined = raw if isinstance(raw, str) else ",".join(str(v) for v in raw)
        clauses.append(f"{key}:{joined}")
    return "/".join(clauses)


def encode_ls_filter(value: LsFilter | None) -> str | list[str] | None:
    """One filter string, or a list of them sent as repeated ``filter`` parameters."""
    if value is None:
        return None
    if isinstance(value, str | Mapping):
        return encode_filter_clauses(value)
    return [encode_filter_clauses(item) for item in value]


def encode_orderby(value: str | Sequence[str] | None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return ",".join(value)


def _merge(extra: Mapping[str, Any] | None, params: dict[str, Any]) -> dict[str, Any]:
    merged = dict(extra or {})
    merged.update({k: v for k, v in params.items() if v is not None})
    return merged


class TransferClient(ServiceClient):
    """Async client for Globus Transfer: collections, file operations, tasks, bookmarks,
    and the sharing of guest collections (access rules, roles)."""

    service_name: ClassVar[str] = "transfer"
    base_path: ClassVar[str] = "/v0.10/"
    error_class: ClassVar[type[TransferAPIError]] = TransferAPIError
    paginated = Paginated()

    def may_retry(self, error: GlobusAPIError) -> bool:
        """Not for ExternalError/EndpointError: a retry would not bring the endpoint back.

        As the Globus SDK's ``check_transfer_transient_error`` (services/transfer/transport.py).
        """
        code = error.code or ""
        return not any(c in code for c in _NO_RETRY_CODES)

    # Endpoints and collections

    @has_paginator(HasNextPaginator, items_key="DATA", page_size=100, max_total_results=1000)
    async def endpoint_search(
        self,
        filter_fulltext: str | None = None,
        *,
        filter_scope: str | None = None,
        filter_owner_id: ID | None = None,
        filter_host_endpoint: ID | None = None,
        filter_non_functional: bool | None = None,
        filter_entity_type: str | None = None,
        limit: int | None = None,
        offset: int | None = None,
        query_params: Mapping[str, Any] | None = None,
    ) -> GlobusResponse:
        """Search collections; at most 1000 results in total, pages of up to 100."""
        if filter_scope is not None and filter_scope not in FILTER_SCOPES:
            raise ValueError(
                f"Unrecognized filter_scope {filter_scope!r} (one of {', '.join(FILTER_SCOPES)})"
            )
        if filter_owner_id is not None and filter_scope in _OWNER_CONFLICTING_SCOPES:
            raise ValueError(f"filter_owner_id cannot be combined with filter_scope={filter_scope}")
        if filter_entity_type is not None and filter_non_functional is not None:
            raise ValueError("filter_entity_type cannot be combined with filter_non_functional")
        params = _merge(
            query_params,
            {
                "filter_fulltext": filter_fulltext,
                "filter_scope": filter_scope,
                "filter_owner_id": None if filter_owner_id is None else str(filter_owner_id),
                "filter_host_endpoint": None
                if filter_host_endpoint is None
                else str(filter_host_endpoint),
                "filter_non_functional": _flag(filter_non_functional),
                "filter_entity_type": filter_entity_type,
                "limit": limit,
                "offset": offset,
            },
        )
        return await self.get("endpoint_search", query_params=params)

    async def get_endpoint(self, endpoint_id: ID) -> GlobusResponse:
        return await self.get(f"endpoint/{endpoint_id}")

    # File operations

    async def operation_ls(
        self,
        endpoint_id: ID,
        path: str | None = None,
        *,
        show_hidden: bool | None = None,
        orderby: str | Sequence[str] | None = None,
        filter: LsFilter | None = None,
        limit: int | None = None,
        offset: int | None = None,
        local_user: str | None = None,
        query_params: Mapping[str, Any] | None = None,
    ) -> GlobusResponse:
        """List a folder (the home folder when ``path`` is None)."""
        params = _merge(
            query_params,
            {
                "path": path,
                "show_hidden": _flag(show_hidden),
                "orderby": encode_orderby(orderby),
                "filter": encode_ls_filter(filter),
                "limit": limit,
                "offset": offset,
                "local_user": local_user,
            },
        )
        return await self.get(f"operation/endpoint/{endpoint_id}/ls", query_params=params)

    async def operation_stat(
        self, endpoint_id: ID, path: str | None = None, *, local_user: str | None = None
    ) -> GlobusResponse:
        params = _merge(None, {"path": path, "local_user": local_user})
        return await self.get(f"operation/endpoint/{endpoint_id}/stat", query_params=params)

    async def operation_mkdir(
        self, endpoint_id: ID, path: str, *, local_user: str | None = None
    ) -> GlobusResponse:
        body = _merge(None, {"DATA_TYPE": "mkdir", "path": path, "local_user": local_user})
        return await self.post(f"operation/endpoint/{endpoint_id}/mkdir", data=body)

    async def operation_rename(
        self, endpoint_id: ID, oldpath: str, newpath: str, *, local_user: str | None = None
    ) -> GlobusResponse:
        body = _merge(
            None,
            {
                "DATA_TYPE": "rename",
                "old_path": oldpath,
                "new_path": newpath,
                "local_user": local_user,
            },
        )
        return await self.post(f"operation/endpoint/{endpoint_id}/rename", data=body)

    # Task submission

    async def get_submission_id(self) -> GlobusResponse:
        return await self.get("submission_id")

    async def _ensure_submission_id(self, data: dict[str, Any]) -> None:
        # Written into the caller's document, so re-sending it after a network error
        # re-uses the id and the service creates no second task [001 §1.14.6, 000 v3.11].
        if not data.get("submission_id"):
            data["submission_id"] = (await self.get_submission_id())["value"]

    async def submit_transfer(self, data: dict[str, Any]) -> GlobusResponse:
        """Submit a TransferData document, fetching a submission id first if it has none."""
        await self._ensure_submission_id(data)
        return _with_task_id(await self.post("transfer", data=data))

    async def submit_delete(self, data: dict[str, Any]) -> GlobusResponse:
        """Submit a DeleteData document, fetching a submission id first if it has none."""
        await self._ensure_submission_id(data)
        return _with_task_id(await self.post("delete", data=data))

    # Tasks

    @has_paginator(
        LimitOffsetTotalPaginator, items_key="DATA", page_size=1000, max_total_results=1000
    )
    async def task_list(
        self,
        *,
        filter: str | Mapping[str, FilterValue] | None = None,
        orderby: str | Sequence[str] | None = None,
        limit: int | None = None,
        offset: int | None = None,
        query_params: Mapping[str, Any] | None = None,
    ) -> GlobusResponse:
        """List tasks; ``filter={"status": ["ACTIVE"], "type": "TRANSFER,DELETE"}`` or a string."""
        params = _merge(
            query_params,
            {
                "filter": None if filter is None else encode_filter_clauses(filter),
                "orderby": encode_orderby(orderby),
                "limit": limit,
                "offset": offset,
            },
        )
        return await self.get("task_list", query_params=params)

    async def get_task(self, task_id: ID) -> GlobusResponse:
        return await self.get(f"task/{task_id}")

    async def update_task(self, task_id: ID, data: Mapping[str, Any]) -> GlobusResponse:
        """Change the label or deadline of a task that is still running."""
        body = {"DATA_TYPE": "task", **data}
        return await self.put(f"task/{task_id}", data=body)

    async def cancel_task(self, task_id: ID) -> GlobusResponse:
        return await self.post(f"task/{task_id}/cancel")

    @has_paginator(
        LimitOffsetTotalPaginator, items_key="DATA", page_size=1000, max_total_results=1000
    )
    async def task_event_list(
        self,
        task_id: ID,
        *,
        filter: str | Mapping[str, FilterValue] | None = None,
        limit: int | None = None,
        offset: int | None = None,
        query_params: Mapping[str, Any] | None = None,
    ) -> GlobusResponse:
        params = _merge(
            query_params,
            {
                "filter": None if filter is None else encode_filter_clauses(filter),
                "limit": limit,
                "offset": offset,
            },
        )
        return await self.get(f"task/{task_id}/event_list", query_params=params)

    @has_paginator(NullableMarkerPaginator, items_key="DATA")
    async def task_successful_transfers(
        self, task_id: ID, *, marker: int | str | None = None
    ) -> GlobusResponse:
        params = _merge(None, {"marker": marker})
        return await self.get(f"task/{task_id}/successful_transfers", query_params=params)

    @has_paginator(NullableMarkerPaginator, items_key="DATA")
    async def task_skipped_errors(
        self, task_id: ID, *, marker: int | str | None = None
    ) -> GlobusResponse:
        params = _merge(None, {"marker": marker})
        return await self.get(f"task/{task_id}/skipped_errors", query_params=params)

    async def task_pause_info(self, task_id: ID) -> GlobusResponse:
        return await self.get(f"task/{task_id}/pause_info")

    # Bookmarks

    async def bookmark_list(self) -> GlobusResponse:
        return await self.get("bookmark_list")

    async def create_bookmark(self, bookmark_data: Mapping[str, Any]) -> GlobusResponse:
        body = {"DATA_TYPE": "bookmark", **bookmark_data}
        return await self.post("bookmark", data=body)

    async def get_bookmark(self, bookmark_id: ID) -> GlobusResponse:
        return await self.get(f"bookmark/{bookmark_id}")

    async def update_bookmark(
        self, bookmark_id: ID, bookmark_data: Mapping[str, Any]
    ) -> GlobusResponse:
        body = {"DATA_TYPE": "bookmark", **bookmark_data}
        return await self.put(f"bookmark/{bookmark_id}", data=body)

    async def delete_bookmark(self, bookmark_id: ID) -> GlobusResponse:
        return await self.delete(f"bookmark/{bookmark_id}")

    # Sharing: a guest collection's access rules, a collection's roles (globus-api.md §14)

    async def my_shared_endpoint_list(
        self, endpoint_id: ID, *, query_params: Mapping[str, Any] | None = None
    ) -> GlobusResponse:
        """The guest collections on a host collection that the caller administers or manages
        the access of (``DATA``: endpoint documents)."""
        return await self.get(
            f"endpoint/{endpoint_id}/my_shared_endpoint_list", query_params=query_params
        )

    async def endpoint_acl_list(
        self, endpoint_id: ID, *, query_params: Mapping[str, Any] | None = None
    ) -> GlobusResponse:
        """A guest collection's access rules (``DATA``), the role-held ones with a null id."""
        return await self.get(f"endpoint/{endpoint_id}/access_list", query_params=query_params)

    async def get_endpoint_acl_rule(
        self, endpoint_id: ID, rule_id: str, *, query_params: Mapping[str, Any] | None = None
    ) -> GlobusResponse:
        return await self.get(f"endpoint/{endpoint_id}/access/{rule_id}", query_params=query_params)

    async def add_endpoint_acl_rule(
        self, endpoint_id: ID, rule_data: Mapping[str, Any]
    ) -> GlobusResponse:
        """Create a rule (``principal_type``, ``principal``, ``path`` ending in ``/``,
        ``permissions`` ``r``/``rw``, optional ``expiration_date``, ``notify_email``,
        ``notify_message``); the answer's ``access_id`` names it."""
        body = {"DATA_TYPE": "access", **rule_data}
        return await self.post(f"endpoint/{endpoint_id}/access", data=body)

    async def update_endpoint_acl_rule(
        self, endpoint_id: ID, rule_id: str, rule_data: Mapping[str, Any]
    ) -> GlobusResponse:
        """Change a rule's ``permissions`` or ``expiration_date`` (null: never expires)."""
        body = {"DATA_TYPE": "access", **rule_data}
        return await self.put(f"endpoint/{endpoint_id}/access/{rule_id}", data=body)

    async def delete_endpoint_acl_rule(self, endpoint_id: ID, rule_id: str) -> GlobusResponse:
        return await self.delete(f"endpoint/{endpoint_id}/access/{rule_id}")

    async def endpoint_role_list(
        self, endpoint_id: ID, *, query_params: Mapping[str, Any] | None = None
    ) -> GlobusResponse:
        return await self.get(f"endpoint/{endpoint_id}/role_list", query_params=query_params)

    async def add_endpoint_role(
        self, endpoint_id: ID, role_data: Mapping[str, Any]
    ) -> GlobusResponse:
        """Give a ``principal`` (identity or group) a ``role``: ``administrator``,
        ``access_manager``, ``activity_manager`` or ``activity_monitor``."""
        body = {"DATA_TYPE": "role", **role_data}
        return await self.post(f"endpoint/{endpoint_id}/role", data=body)

    async def get_endpoint_role(
        self, endpoint_id: ID, role_id: str, *, query_params: Mapping[str, Any] | None = None
    ) -> GlobusResponse:
        return await self.get(f"endpoint/{endpoint_id}/role/{role_id}", query_params=query_params)

    async def delete_endpoint_role(self, endpoint_id: ID, role_id: str) -> GlobusResponse:
        return await self.delete(f"endpoint/{endpoint_id}/role/{role_id}")


def _with_task_id(response: GlobusResponse) -> GlobusResponse:
    """A submission's answer, which must name the task it made (else it means nothing)."""
    task_id = response.get("task_id")
    if not isinstance(task_id, str) or not task_id:
        raise malformed_error(
            TransferAPIError, response.raw_response, "the submission's answer has no task_id"
        )
    return response

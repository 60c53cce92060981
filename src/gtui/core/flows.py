"""`FlowsClient` and `SpecificFlowClient` for Globus Flows (globus-api.md §13), with the
Globus SDK 4.9's method names and arguments (``globus_sdk/services/flows/client.py``).

Two clients, as in the SDK, because two kinds of token are at work: the Flows service's own
(listing, reading, changing flows and runs) and each flow's (starting a run of that flow,
resuming it, checking its input), whose resource server is the flow's id. A missing field is
never sent: ``None`` means "not given", like the SDK's ``MISSING``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar
from uuid import UUID

import httpx

from gtui.core.errors import FlowsAPIError
from gtui.core.http import Authorizer, RetryPolicy, ServiceClient
from gtui.core.paging import MarkerPaginator, Paginated, has_paginator
from gtui.core.response import GlobusResponse
from gtui.core.scopes import flow_user_scope

ID = UUID | str
Roles = str | Iterable[str]


def commajoin(value: str | ID | Iterable[ID] | None) -> str | None:
    """``["a", "b"]`` → ``"a,b"``; a single value passes as text; None stays None (the
    SDK's ``commajoin`` for ``filter_roles`` and ``filter_flow_id``)."""
    if value is None:
        return None
    if isinstance(value, str | UUID):
        return str(value)
    return ",".join(str(item) for item in value)


def _orderby(value: str | Iterable[str] | None) -> str | list[str] | None:
    """One ``orderby`` or several, each sent as its own parameter (as the SDK does)."""
    if value is None or isinstance(value, str):
        return value
    return list(value)


def _given(data: Mapping[str, Any], extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The body's fields that were given (None is "not given"), then ``additional_fields``."""
    body = {key: value for key, value in data.items() if value is not None}
    body.update(extra or {})
    return body


def _params(params: Mapping[str, Any], extra: Mapping[str, Any] | None) -> dict[str, Any]:
    merged = {key: value for key, value in params.items() if value is not None}
    merged.update(extra or {})
    return merged


class FlowsClient(ServiceClient):
    """Async client for the Globus Flows service; errors are `FlowsAPIError`."""

    service_name: ClassVar[str] = "flows"
    base_path: ClassVar[str] = ""
    error_class: ClassVar[type[FlowsAPIError]] = FlowsAPIError
    paginated = Paginated()

    # -- flows ------------------------------------------------------------------------------

    async def create_flow(
        self,
        title: str,
        definition: Mapping[str, Any],
        input_schema: Mapping[str, Any],
        *,
        subtitle: str | None = None,
        description: str | None = None,
        flow_viewers: list[str] | None = None,
        flow_starters: list[str] | None = None,
        flow_administrators: list[str] | None = None,
        run_managers: list[str] | None = None,
        run_monitors: list[str] | None = None,
        keywords: list[str] | None = None,
        subscription_id: ID | None = None,
        authentication_policy_id: ID | None = None,
        additional_fields: Mapping[str, Any] | None = None,
    ) -> GlobusResponse:
        """``POST /flows``: a new flow; answers its document."""
        data = {
            "title": title,
            "definition": dict(definition),
            "input_schema": dict(input_schema),
            "subtitle": subtitle,
            "description": description,
            "flow_viewers": flow_viewers,
            "flow_starters": flow_starters,
            "flow_administrators": flow_administrators,
            "run_managers": run_managers,
            "run_monitors": run_monitors,
            "keywords": keywords,
            "subscription_id": str(subscription_id) if subscription_id else None,
            "authentication_policy_id": (
                str(authentication_policy_id) if authentication_policy_id else None
            ),
        }
        # Flows takes no idempotency key: a repeat after a lost answer would make two flows.
        return await self.post("flows", data=_given(data, additional_fields), idempotent=False)

    async def get_flow(
        self, flow_id: ID, *, query_params: Mapping[str, Any] | None = None
    ) -> GlobusResponse:
        """``GET /flows/{id}``: one flow, with its definition and input schema."""
        return await self.get(f"flows/{flow_id}", query_params=query_params)

    @has_paginator(MarkerPaginator, items_key="flows")
    async def list_flows(
        self,
        *,
        filter_role: str | None = None,
        filter_roles: Roles | None = None,
        filter_fulltext: str | None = None,
        orderby: str | Iterable[str] | None = None,
        marker: str | None = None,
        query_params: Mapping[str, Any] | None = None,
    ) -> GlobusResponse:
        """``GET /flows``: ``{flows, limit, has_next_page, marker}``.

        ``filter_roles`` keeps the flows on which I hold any of the roles
        (``flow_starter``, ``flow_owner``…); ``filter_role`` is the older single-role form
        (one role and those above it). ``orderby`` is e.g. ``"updated_at DESC"``.
        """
        params = {
            "filter_role": filter_role,
            "filter_roles": commajoin(filter_roles),
            "filter_fulltext": filter_fulltext,
            "orderby": _orderby(orderby),
            "marker": marker,
        }
        return await self.get("flows", query_params=_params(params, query_params))

    async def update_flow(
        self,
        flow_id: ID,
        *,
        title: str | None = None,
        definition: Mapping[str, Any] | None = None,
        input_schema: Mapping[str, Any] | None = None,
        subtitle: str | None = None,
        description: str | None = None,
        flow_owner: str | None = None,
        flow_viewers: list[str] | None = None,
        flow_starters: list[str] | None = None,
        flow_administrators: list[str] | None = None,
        run_managers: list[str] | None = None,
        run_monitors: list[str] | None = None,
        keywords: list[str] | None = None,
        subscription_id: ID | None = None,
        authentication_policy_id: ID | None = None,
        additional_fields: Mapping[str, Any] | None = None,
    ) -> GlobusResponse:
        """``PUT /flows/{id}`` with the fields to change; answers the flow."""
        data = {
            "title": title,
            "definition": dict(definition) if definition is not None else None,
            "input_schema": dict(input_schema) if input_schema is not None else None,
            "subtitle": subtitle,
            "description": description,
            "flow_owner": flow_owner,
            "flow_viewers": flow_viewers,
            "flow_starters": flow_starters,
            "flow_administrators": flow_administrators,
            "run_managers": run_managers,
            "run_monitors": run_monitors,
            "keywords": keywords,
            "subscription_id": str(subscription_id) if subscription_id else None,
            "authentication_policy_id": (
                str(authentication_policy_id) if authentication_policy_id else None
            ),
        }
        return await self.put(f"flows/{flow_id}", data=_given(data, additional_fields))

    async def delete_flow(
        self, flow_id: ID, *, query_params: Mapping[str, Any] | None = None
    ) -> GlobusResponse:
        """``DELETE /flows/{id}``; answers the deleted flow."""
        return await self.delete(f"flows/{flow_id}", query_params=query_params)

    async def validate_flow(
        self, definition: Mapping[str, Any], input_schema: Mapping[str, Any] | None = None
    ) -> GlobusResponse:
        """``POST /flows/validate``: whether a definition (and schema) would make a flow."""
        data = {
            "definition": dict(definition),
            "input_schema": dict(input_schema) if input_schema is not None else None,
        }
        return await self.post("flows/validate", data=_given(data))

    # -- runs -------------------------------------------------------------------------------

    @has_paginator(MarkerPaginator, items_key="runs")
    async def list_runs(
        self,
        *,
        filter_flow_id: ID | Iterable[ID] | None = None,
        filter_roles: Roles | None = None,
        marker: str | None = None,
        query_params: Mapping[str, Any] | None = None,
    ) -> GlobusResponse:
        """``GET /runs``: ``{runs, limit, has_next_page, marker}``, newest first."""
        params = {
            "filter_flow_id": commajoin(filter_flow_id),
            "filter_roles": commajoin(filter_roles),
            "marker": marker,
        }
        return await self.get("runs", query_params=_params(params, query_params))

    @has_paginator(MarkerPaginator, items_key="entries")
    async def get_run_logs(
        self,
        run_id: ID,
        *,
        limit: int | None = None,
        reverse_order: bool | None = None,
        marker: str | None = None,
        query_params: Mapping[str, Any] | None = None,
    ) -> GlobusResponse:
        """``GET /runs/{id}/log``: ``{entries, limit, has_next_page, marker}`` (``limit``
        1–100; ``reverse_order`` newest first)."""
        params = {"limit": limit, "reverse_order": reverse_order, "marker": marker}
        return await self.get(f"runs/{run_id}/log", query_params=_params(params, query_params))

    async def get_run(
        self,
        run_id: ID,
        *,
        include_flow_description: bool | None = None,
        query_params: Mapping[str, Any] | None = None,
    ) -> GlobusResponse:
        """``GET /runs/{id}``: one run (with ``flow_description`` when asked)."""
        params = {"include_flow_description": include_flow_description}
        return await self.get(f"runs/{run_id}", query_params=_params(params, query_params))

    async def get_run_definition(self, run_id: ID) -> GlobusResponse:
        """``GET /runs/{id}/definition``: the definition and input schema the run started with."""
        return await self.get(f"runs/{run_id}/definition")

    async def cancel_run(self, run_id: ID) -> GlobusResponse:
        """``POST /runs/{id}/cancel``; answers the run."""
        return await self.post(f"runs/{run_id}/cancel")

    async def update_run(
        self,
        run_id: ID,
        *,
        label: str | None = None,
        tags: list[str] | None = None,
        run_monitors: list[str] | None = None,
        run_managers: list[str] | None = None,
        additional_fields: Mapping[str, Any] | None = None,
    ) -> GlobusResponse:
        """``PUT /runs/{id}``: a new label, tags, monitors or managers; answers the run."""
        data = {
            "tags": tags,
            "label": label,
            "run_monitors": run_monitors,
            "run_managers": run_managers,
        }
        return await self.put(f"runs/{run_id}", data=_given(data, additional_fields))

    async def delete_run(self, run_id: ID) -> GlobusResponse:
        """``POST /runs/{id}/release``: forget a finished run; answers it."""
        return await self.post(f"runs/{run_id}/release")


class SpecificFlowClient(ServiceClient):
    """Async client for one flow, with a token for that flow's scope (`scope`): starting a
    run, resuming one, checking an input; errors are `FlowsAPIError`."""

    service_name: ClassVar[str] = "flows"
    base_path: ClassVar[str] = ""
    error_class: ClassVar[type[FlowsAPIError]] = FlowsAPIError

    def __init__(
        self,
        flow_id: ID,
        *,
        base_url: str | None = None,
        authorizer: Authorizer | None = None,
        http_client: httpx.AsyncClient | None = None,
        environment: str | None = None,
        retry_policy: RetryPolicy | None = None,
    ) -> None:
        super().__init__(
            base_url=base_url,
            authorizer=authorizer,
            http_client=http_client,
            environment=environment,
            retry_policy=retry_policy,
        )
        self.flow_id = str(flow_id)

    @property
    def scope(self) -> str:
        """The flow's user scope, which its runs are started with."""
        return flow_user_scope(self.flow_id)

    async def run_flow(
        self,
        body: Mapping[str, Any],
        *,
        label: str | None = None,
        tags: list[str] | None = None,
        activity_notification_policy: Mapping[str, Any] | None = None,
        run_monitors: list[str] | None = None,
        run_managers: list[str] | None = None,
        additional_fields: Mapping[str, Any] | None = None,
    ) -> GlobusResponse:
        """``POST /flows/{id}/run``: start a run with ``body`` as its input; answers the run.

        ``activity_notification_policy`` is e.g. ``{"status": ["INACTIVE", "FAILED"]}``.
        Flows takes no idempotency key (Transfer's ``submission_id`` has no counterpart), so
        the run is not sent again once it may have reached the service: a dropped connection
        or a 500/502/504 raises ``OutcomeUnknown`` instead of risking a second run.
        """
        data = {
            "body": dict(body),
            "tags": tags,
            "label": label,
            "activity_notification_policy": (
                dict(activity_notification_policy)
                if activity_notification_policy is not None
                else None
            ),
            "run_monitors": run_monitors,
            "run_managers": run_managers,
        }
        return await self.post(
            f"flows/{self.flow_id}/run", data=_given(data, additional_fields), idempotent=False
        )

    async def resume_run(self, run_id: ID) -> GlobusResponse:
        """``POST /runs/{id}/resume``: an INACTIVE run goes on (with this call's token, so
        the consents given since reach the actions); answers the run."""
        return await self.post(f"runs/{run_id}/resume")

    async def validate_run(
        self,
        body: Mapping[str, Any],
        *,
        label: str | None = None,
        tags: list[str] | None = None,
        run_monitors: list[str] | None = None,
        run_managers: list[str] | None = None,
        activity_notification_policy: Mapping[str, Any] | None = None,
        additional_fields: Mapping[str, Any] | None = None,
    ) -> GlobusResponse:
        """``POST /flows/{id}/validate_run``: what ``run_flow`` would say of this input,
        without starting anything (a 400 ``FLOW_INPUT_ERROR`` names each bad field)."""
        data = {
            "body": dict(body),
            "tags": tags,
            "label": label,
            "run_monitors": run_monitors,
            "run_managers": run_managers,
            "activity_notification_policy": (
                dict(activity_notification_policy)
                if activity_notification_policy is not None
                else None
            ),
        }
        return await self.post(
            f"flows/{self.flow_id}/validate_run", data=_given(data, additional_fields)
        )

"""The handlers of the Groups v2 routes: read the request, ask the service, answer JSON."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from gtui.sim.auth.bearer import require_caller
from gtui.sim.auth.scopes import GROUPS_RS
from gtui.sim.context import context_of
from gtui.sim.errors import SimAPIError
from gtui.sim.groups.errors import GroupsError
from gtui.sim.groups.records import STATUSES
from gtui.sim.groups.service import GroupsService

INCLUDES = {"memberships", "my_memberships", "policies", "allowed_actions", "child_ids"}


def _service(request: Request) -> GroupsService:
    return context_of(request).groups


def _split(value: str | None) -> list[str]:
    return [p.strip() for p in (value or "").split(",") if p.strip()]


async def _json_body(request: Request) -> Any:
    try:
        return json.loads(await request.body() or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise SimAPIError(400, "INVALID_REQUEST", "The body is not valid JSON") from None


def _raise(exc: GroupsError) -> SimAPIError:
    return SimAPIError(exc.status, exc.code, exc.message)


async def my_groups(request: Request) -> JSONResponse:
    caller = require_caller(request, GROUPS_RS)
    statuses = tuple(_split(request.query_params.get("statuses"))) or ("active",)
    bad = [s for s in statuses if s not in STATUSES]
    if bad:
        raise SimAPIError(400, "INVALID_REQUEST", f"Unknown statuses: {', '.join(bad)}")
    return JSONResponse(_service(request).my_groups(caller.identity_id, statuses))


async def get_group(request: Request) -> JSONResponse:
    caller = require_caller(request, GROUPS_RS)
    include = set(_split(request.query_params.get("include")))
    if include - INCLUDES:
        raise SimAPIError(400, "INVALID_REQUEST", f"Unknown include: {sorted(include - INCLUDES)}")
    service = _service(request)
    try:
        group = service.get(request.path_params["group_id"], caller.identity_id)
    except GroupsError as exc:
        raise _raise(exc) from None
    return JSONResponse(service.group_doc(group, caller.identity_id, include))


async def batch(request: Request) -> JSONResponse:
    caller = require_caller(request, GROUPS_RS)
    body = await _json_body(request)
    try:
        answer = _service(request).batch(request.path_params["group_id"], caller.identity_id, body)
    except GroupsError as exc:
        raise _raise(exc) from None
    return JSONResponse(answer)


async def create_group(request: Request) -> JSONResponse:
    caller = require_caller(request, GROUPS_RS)
    body = await _json_body(request)
    try:
        return JSONResponse(_service(request).create(caller.identity_id, body))
    except GroupsError as exc:
        raise _raise(exc) from None


async def change_group(request: Request) -> JSONResponse:
    caller = require_caller(request, GROUPS_RS)
    service = _service(request)
    group_id = request.path_params["group_id"]
    try:
        if request.method == "DELETE":
            return JSONResponse(service.delete(group_id, caller.identity_id))
        body = await _json_body(request)
        return JSONResponse(service.update(group_id, caller.identity_id, body))
    except GroupsError as exc:
        raise _raise(exc) from None


async def policies(request: Request) -> JSONResponse:
    caller = require_caller(request, GROUPS_RS)
    service = _service(request)
    group_id = request.path_params["group_id"]
    try:
        if request.method == "PUT":
            body = await _json_body(request)
            if not isinstance(body, dict):
                raise SimAPIError(400, "INVALID_REQUEST", "The body must be a JSON object")
            return JSONResponse(service.set_policies(group_id, caller.identity_id, body))
        group = service.get(group_id, caller.identity_id)
    except GroupsError as exc:
        raise _raise(exc) from None
    return JSONResponse(dict(group["policies"]))


async def subscription_info(request: Request) -> JSONResponse:
    """``GET /v2/subscription_info/{id}``: the group providing a subscription (any caller)."""
    require_caller(request, GROUPS_RS)
    try:
        return JSONResponse(
            _service(request).subscription_info(request.path_params["subscription_id"])
        )
    except GroupsError as exc:
        raise _raise(exc) from None


async def subscription_admin_verified(request: Request) -> JSONResponse:
    """``PUT /v2/groups/{id}/subscription_admin_verified``: set or clear the verification."""
    caller = require_caller(request, GROUPS_RS)
    body = await _json_body(request)
    try:
        answer = _service(request).set_subscription_admin_verified(
            request.path_params["group_id"], caller.identity_id, body
        )
    except GroupsError as exc:
        raise _raise(exc) from None
    return JSONResponse(answer)

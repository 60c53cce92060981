"""``endpoint/{id}/access_list``, ``access`` and ``access/{rule_id}``: a guest collection's
access rules, and ``my_shared_endpoint_list``: the guest collections a caller manages.

Only guest collections have an access list (409 Conflict elsewhere), and only their
administrators and access managers read or change it (403 PermissionDenied). A rule names a
principal (``identity``, ``group``, ``all_authenticated_users`` or ``anonymous``), a folder
(``path``, which starts and ends with ``/``), ``r`` or ``rw``, and may expire. The list also
shows the rules that administrators and access managers hold by their role, with a null id.
Who may do what under the rules is decided in ``access_policy.py``.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from gtui.sim.auth.tokens import Caller
from gtui.sim.context import context_of
from gtui.sim.errors import SimAPIError
from gtui.sim.transfer.access_policy import MANAGING_ROLES, takes_rules
from gtui.sim.transfer.access_store import PERMISSIONS, PRINCIPAL_TYPES
from gtui.sim.transfer.common import (
    access_of,
    answer,
    caller_of,
    collection_for,
    endpoint_not_found,
    read_document,
    result,
)
from gtui.sim.transfer.model import iso_time, parse_iso
from gtui.sim.world import Collection

MAX_PATH_LENGTH = 2000
MAX_MESSAGE_LENGTH = 2048
# Fields of a rule that an update may repeat but not change.
FIXED_FIELDS = ("principal_type", "principal", "path")


def bad_request(message: str) -> SimAPIError:
    return SimAPIError(400, "ClientError.BadRequest", message)


def principal_of(doc: dict[str, Any], types: tuple[str, ...]) -> tuple[str, str]:
    """The document's ``principal_type`` and ``principal``: an identity or group id, or ""
    for ``all_authenticated_users`` and ``anonymous``."""
    principal_type = doc.get("principal_type")
    if principal_type not in types:
        raise bad_request(f"Invalid principal_type {principal_type!r}: one of {', '.join(types)}")
    principal = doc.get("principal")
    if principal_type in ("identity", "group"):
        try:
            return principal_type, str(uuid.UUID(str(principal)))
        except ValueError:
            raise bad_request(
                f"Invalid principal {principal!r}: a {principal_type} id (a UUID)"
            ) from None
    if principal not in (None, ""):
        raise bad_request(f"principal must be empty when principal_type is '{principal_type}'")
    return principal_type, ""


def rule_path(value: Any) -> str:
    """A folder path as Transfer takes it in a rule: absolute, normalized, ending in ``/``."""
    if not isinstance(value, str) or not value.startswith("/") or not value.endswith("/"):
        raise SimAPIError(
            400, "InvalidPath", f"Invalid path {value!r}: it must begin and end with '/'"
        )
    segments = value.split("/")[1:-1]
    if (
        "\x00" in value
        or len(value) > MAX_PATH_LENGTH
        or any(s in ("", ".", "..") for s in segments)
    ):
        raise SimAPIError(
            400,
            "InvalidPath",
            f"Invalid path {value!r}: it must be normalized (no '//', '/./' or '/../') "
            f"and at most {MAX_PATH_LENGTH} characters",
        )
    return value


def permissions_of(value: Any) -> str:
    if value not in PERMISSIONS:
        raise bad_request(f"Invalid permissions {value!r}: 'r' or 'rw'")
    return str(value)


def expiration_of(value: Any) -> tuple[str | None, float | None]:
    """An ``expiration_date`` as stored: its text (``2026-03-01T00:00:00+00:00``) and its
    time; null means the rule never expires. It must be in the future."""
    if value is None:
        return None, None
    if not isinstance(value, str):
        raise bad_request("Invalid expiration_date: an ISO-8601 date and time")
    try:
        seconds = parse_iso(value)
    except ValueError:
        raise bad_request(f"Invalid expiration_date {value!r}: an ISO-8601 date and time") from None
    if seconds <= time.time():
        raise bad_request(f"Invalid expiration_date {value!r}: it is in the past")
    return iso_time(seconds), seconds


def _text(doc: dict[str, Any], name: str) -> str | None:
    value = doc.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > MAX_MESSAGE_LENGTH:
        raise bad_request(f"Invalid {name}: a string of at most {MAX_MESSAGE_LENGTH} characters")
    return value


def _check_data_type(doc: dict[str, Any]) -> None:
    if doc.get("DATA_TYPE", "access") != "access":
        raise bad_request("DATA_TYPE must be 'access'")


def managed_collection(request: Request, caller: Caller) -> Collection:
    """The guest collection of the request, if the caller may manage its access rules."""
    endpoint_id = request.path_params["endpoint_id"]
    collection = collection_for(request, endpoint_id, caller)
    if not takes_rules(collection):
        raise SimAPIError(
            409,
            "Conflict",
            f"Endpoint '{collection.display_name}' ({endpoint_id}) has no access list: "
            "access rules are kept on guest collections",
        )
    if not access_of(request).manages_access(collection, caller.identity_id):
        raise SimAPIError(
            403,
            "PermissionDenied",
            f"You do not have permission to manage the access rules of endpoint "
            f"'{endpoint_id}': only its administrators and access managers may",
        )
    return collection


async def access_list(request: Request) -> Response:
    caller = caller_of(request)
    collection = managed_collection(request, caller)
    store = access_of(request).store
    implicit = [
        role.implicit_rule_doc()
        for role in store.roles_of(collection.id)
        if role.role in MANAGING_ROLES
    ]
    rules = [rule.to_doc() for rule in store.rules_of(collection.id)]
    return answer({"DATA_TYPE": "access_list", "endpoint": collection.id, "DATA": implicit + rules})


async def create_rule(request: Request) -> Response:
    caller = caller_of(request)
    collection = managed_collection(request, caller)
    doc = await read_document(request)
    _check_data_type(doc)
    principal_type, principal = principal_of(doc, PRINCIPAL_TYPES)
    expiration_date, expires_at = expiration_of(doc.get("expiration_date"))
    rule = access_of(request).store.add_rule(
        collection.id,
        principal_type=principal_type,
        principal=principal,
        path=rule_path(doc.get("path")),
        permissions=permissions_of(doc.get("permissions")),
        expiration_date=expiration_date,
        expires_at=expires_at,
        notify_email=_text(doc, "notify_email"),
        notify_message=_text(doc, "notify_message"),
    )
    body = result(
        request,
        "access_create_result",
        "Created",
        "Access rule created successfully.",
        access_id=rule.id,
    )
    return answer(body, 201)


async def get_rule(request: Request) -> Response:
    caller = caller_of(request)
    collection = managed_collection(request, caller)
    rule = access_of(request).store.rule(collection.id, request.path_params["rule_id"])
    return answer(rule.to_doc())


async def update_rule(request: Request) -> Response:
    """Change a rule's ``permissions`` and ``expiration_date``; the other fields may be
    repeated (a whole document read back) but not changed."""
    caller = caller_of(request)
    collection = managed_collection(request, caller)
    rule_id = request.path_params["rule_id"]
    store = access_of(request).store
    rule = store.rule(collection.id, rule_id)
    doc = await read_document(request)
    _check_data_type(doc)
    if doc.get("id") not in (None, rule_id):
        raise bad_request(f"The id {doc['id']!r} does not match the rule {rule_id!r}")
    for name in FIXED_FIELDS:
        if name in doc and doc[name] != getattr(rule, name):
            raise bad_request(
                f"The {name} of an access rule cannot be changed: delete the rule and create "
                "another"
            )
    permissions = permissions_of(doc["permissions"]) if "permissions" in doc else None
    expiration = expiration_of(doc["expiration_date"]) if "expiration_date" in doc else None
    store.update_rule(collection.id, rule_id, permissions=permissions, expiration=expiration)
    return answer(
        result(request, "result", "Updated", f"Access rule '{rule_id}' updated successfully")
    )


async def delete_rule(request: Request) -> Response:
    caller = caller_of(request)
    collection = managed_collection(request, caller)
    rule_id = request.path_params["rule_id"]
    access_of(request).store.delete_rule(collection.id, rule_id)
    return answer(
        result(request, "result", "Deleted", f"Access rule '{rule_id}' deleted successfully")
    )


def _hosted_on(collection: Collection, endpoint_id: str) -> bool:
    doc = collection.to_endpoint_doc()
    return endpoint_id in (doc.get("host_endpoint_id"), doc.get("mapped_collection_id"))


async def my_shared_endpoint_list(request: Request) -> Response:
    """The guest collections on a host (its mapped collection, or the GCSv5 endpoint it names
    as host) that the caller administers or manages the access of."""
    caller = caller_of(request)
    endpoint_id = request.path_params["endpoint_id"]
    world = context_of(request).world
    if endpoint_id not in world.collections and not any(
        c.host_endpoint_id == endpoint_id for c in world.collections.values()
    ):
        raise endpoint_not_found(endpoint_id)
    policy = access_of(request)
    shares = [
        c
        for c in world.collections.values()
        if takes_rules(c)
        and _hosted_on(c, endpoint_id)
        and policy.manages_access(c, caller.identity_id)
    ]
    return answer({"DATA_TYPE": "endpoint_list", "DATA": [c.to_endpoint_doc() for c in shares]})

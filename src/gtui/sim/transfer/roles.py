"""``endpoint/{id}/role_list``, ``role`` and ``role/{role_id}``: who administers a guest or
Globus Connect Personal collection, manages its access, or watches its activity.

Anyone holding a role on the collection reads its roles; only administrators add and remove
them, and a collection always keeps one administrator. Roles are kept by ``access_store.py``;
an administrator or access manager of a guest collection reads and writes all of it
(``access_policy.py``).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from gtui.sim.auth.tokens import Caller
from gtui.sim.errors import SimAPIError
from gtui.sim.transfer.access_policy import takes_roles
from gtui.sim.transfer.access_rules import bad_request, principal_of
from gtui.sim.transfer.access_store import ROLE_PRINCIPAL_TYPES, ROLES
from gtui.sim.transfer.common import (
    access_of,
    answer,
    caller_of,
    collection_for,
    read_document,
    result,
)
from gtui.sim.world import Collection


def _collection(request: Request, caller: Caller, *, administer: bool) -> Collection:
    """The collection of the request if the caller holds a role on it (the administrator
    role when ``administer``)."""
    endpoint_id = request.path_params["endpoint_id"]
    collection = collection_for(request, endpoint_id, caller)
    if not takes_roles(collection):
        raise SimAPIError(
            409,
            "Conflict",
            f"Endpoint '{collection.display_name}' ({endpoint_id}) keeps its roles in its "
            "Globus Connect Server: Transfer has roles for guest and Globus Connect Personal "
            "collections",
        )
    held = access_of(request).effective_roles(collection, caller.identity_id)
    if administer and "administrator" not in held:
        raise SimAPIError(
            403,
            "PermissionDenied",
            f"You do not have permission to change the roles of endpoint '{endpoint_id}': "
            "only its administrators may",
        )
    if not held:
        raise SimAPIError(
            403,
            "PermissionDenied",
            f"You do not have permission to see the roles of endpoint '{endpoint_id}'",
        )
    return collection


async def role_list(request: Request) -> Response:
    caller = caller_of(request)
    collection = _collection(request, caller, administer=False)
    roles = access_of(request).store.roles_of(collection.id)
    return answer({"DATA_TYPE": "role_list", "DATA": [role.to_doc() for role in roles]})


async def create_role(request: Request) -> Response:
    caller = caller_of(request)
    collection = _collection(request, caller, administer=True)
    doc = await read_document(request)
    if doc.get("DATA_TYPE", "role") != "role":
        raise bad_request("DATA_TYPE must be 'role'")
    principal_type, principal = principal_of(doc, ROLE_PRINCIPAL_TYPES)
    role = doc.get("role")
    if role not in ROLES:
        raise bad_request(f"Invalid role {role!r}: one of {', '.join(ROLES)}")
    made = access_of(request).store.add_role(collection.id, principal_type, principal, str(role))
    return answer(made.to_doc())


async def get_role(request: Request) -> Response:
    caller = caller_of(request)
    collection = _collection(request, caller, administer=False)
    role = access_of(request).store.role(collection.id, request.path_params["role_id"])
    return answer(role.to_doc())


async def delete_role(request: Request) -> Response:
    caller = caller_of(request)
    collection = _collection(request, caller, administer=True)
    role_id = request.path_params["role_id"]
    access_of(request).store.delete_role(collection.id, role_id)
    return answer(result(request, "result", "Deleted", f"Role '{role_id}' deleted successfully"))

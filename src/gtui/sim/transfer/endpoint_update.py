"""``PUT /endpoint/{id}``: an administrator changes a collection's description, name, contact
details, default directory, visibility and the like (``globus endpoint update``,
``TransferClient.update_endpoint``).

The body is a partial endpoint document. Its writable fields change and persist
(``endpoint_store.py``); a read-only field (``id``, ``canonical_name``, ``entity_type``,
``owner_id``, ...) may be repeated with its current value (a document read, changed and sent
back) but not changed: 400, as for an unknown field, a value of the wrong type and the GCSv4
server settings (``myproxy_server``, ``network_use``, ...) on a collection that has none.
The answer is a ``result`` document, ``code`` ``Updated``. The demo Search index follows a new
name or visibility of the collection's files (``SearchIndex.collection_changed``).

Transfer keeps the documents of Globus Connect Personal (and GCSv4) endpoints only: a GCSv5
endpoint or collection is changed through its GCS Manager (``gcs/``), so ``PUT`` answers 409
there. Only the collection's administrators change it (its owner, or an ``administrator``
role, ``access_policy.py``): 403 for anyone else who may see it.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gtui.sim.auth.tokens import Caller
from gtui.sim.context import context_of
from gtui.sim.errors import SimAPIError
from gtui.sim.transfer.common import (
    access_of,
    answer,
    caller_of,
    collection_for,
    read_document,
    result,
)
from gtui.sim.transfer.endpoint_store import TRADITIONAL, EndpointStore, with_changes
from gtui.sim.transfer.endpoints import effective_roles
from gtui.sim.world import Collection

if TYPE_CHECKING:
    from gtui.sim.context import SimContext

_TEXT = (str,)
_NULLABLE_TEXT = (str, type(None))
_FLAG = (bool,)
# The fields an administrator may set, each with the JSON types it takes.
WRITABLE: dict[str, tuple[type, ...]] = {
    "display_name": _TEXT,
    "description": _NULLABLE_TEXT,
    "organization": _NULLABLE_TEXT,
    "department": _NULLABLE_TEXT,
    "keywords": _NULLABLE_TEXT,
    "contact_email": _NULLABLE_TEXT,
    "contact_info": _NULLABLE_TEXT,
    "info_link": _NULLABLE_TEXT,
    "default_directory": _NULLABLE_TEXT,
    "user_message": _NULLABLE_TEXT,
    "user_message_link": _NULLABLE_TEXT,
    "public": _FLAG,
    "force_encryption": _FLAG,
    "force_verify": _FLAG,
    "disable_verify": _FLAG,
}
# Settings of a GCSv4 server, which Globus Connect Personal collections do not have.
GCSV4_ONLY = (
    "myproxy_server",
    "myproxy_dn",
    "oauth_server",
    "location",
    "network_use",
    "max_concurrency",
    "preferred_concurrency",
    "max_parallelism",
    "preferred_parallelism",
)
# Fields that say how the endpoint stands for the caller or right now: a document read and
# sent back carries them, and they are neither checked nor changed.
PER_CALLER = frozenset(
    {"my_effective_roles", "in_use", "_rank", "is_go_storage", "last_accessed_time"}
)
MAX_LENGTHS = {"display_name": 128, "keywords": 1024, "user_message": 2048}
MAX_TEXT_LENGTH = 4096
LINKS = ("info_link", "user_message_link")


def bad_request(message: str) -> SimAPIError:
    return SimAPIError(400, "ClientError.BadRequest", message)


def update_route(ctx: SimContext) -> Route:
    """The ``PUT /endpoint/{endpoint_id}`` route, once the changes made before this start are
    back in the world."""
    store = EndpointStore(ctx.db)
    for changed in store.restore(ctx.world):
        ctx.search.collection_changed(changed)  # the demo index names and shows its files

    async def update_endpoint(request: Request) -> Response:
        return await _update(request, store)

    return Route("/endpoint/{endpoint_id}", update_endpoint, methods=["PUT"])


def administers(request: Request, collection: Collection, identity_id: str) -> bool:
    """The collection's owner, and whoever holds its ``administrator`` role."""
    if "administrator" in effective_roles(collection, identity_id):
        return True
    return "administrator" in access_of(request).effective_roles(collection, identity_id)


async def _update(request: Request, store: EndpointStore) -> Response:
    caller = caller_of(request)
    endpoint_id = request.path_params["endpoint_id"]
    collection = _collection(request, endpoint_id, caller)
    doc = await read_document(request)
    current = collection.to_endpoint_doc()
    fields = checked_fields(doc, current)
    if fields:
        store.record(collection.id, fields)
        ctx = context_of(request)
        latest = with_changes(ctx.world.collections.get(collection.id, collection), fields)
        ctx.world.collections = {**ctx.world.collections, collection.id: latest}
        ctx.search.collection_changed(latest)
    return answer(result(request, "result", "Updated", "Endpoint updated successfully"))


def _collection(request: Request, endpoint_id: str, caller: Caller) -> Collection:
    """The collection to change: one the caller sees, Transfer keeps and the caller
    administers."""
    gcs_endpoint = context_of(request).world.endpoints.get(endpoint_id)
    if gcs_endpoint is not None:
        raise _managed_by_gcs(endpoint_id, gcs_endpoint.display_name, "endpoint")
    collection = collection_for(request, endpoint_id, caller)
    if collection.entity_type not in TRADITIONAL:
        raise _managed_by_gcs(endpoint_id, collection.display_name, "collection")
    if not administers(request, collection, caller.identity_id):
        raise SimAPIError(
            403,
            "PermissionDenied",
            f"You do not have permission to update endpoint '{endpoint_id}': "
            "only its administrators may",
        )
    return collection


def _managed_by_gcs(endpoint_id: str, name: str, kind: str) -> SimAPIError:
    return SimAPIError(
        409,
        "Conflict",
        f"'{name}' ({endpoint_id}) is a Globus Connect Server v5 {kind}: change it through "
        "its GCS Manager (globus gcs collection update / GCSClient), not Transfer",
    )


def checked_fields(doc: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """The fields of an update document to set (those whose value changes), or 400."""
    if doc.get("DATA_TYPE", "endpoint") != "endpoint":
        raise bad_request("DATA_TYPE must be 'endpoint'")
    if doc.get("no_default_directory") and doc.get("default_directory") is not None:
        raise bad_request("default_directory cannot be combined with no_default_directory")
    fields: dict[str, Any] = {}
    for name, value in doc.items():
        if name == "DATA_TYPE" or name in PER_CALLER:
            continue
        if name == "no_default_directory":  # what ``globus endpoint update`` sends to unset it
            if not isinstance(value, bool):
                raise bad_request("no_default_directory must be true or false")
            if value:
                fields["default_directory"] = None
            continue
        if name in ("subscription_id", "managed"):
            fields.update(_subscription(name, value, current))
            continue
        if name in GCSV4_ONLY:
            if value is not None:
                raise bad_request(f"'{name}' can only be set on Globus Connect Server v4 endpoints")
            continue
        if name in WRITABLE:
            fields[name] = _checked_value(name, value)
            continue
        if name not in current:
            raise bad_request(f"Unknown endpoint field '{name}'")
        if value != current[name]:
            raise bad_request(f"'{name}' is a read-only field of an endpoint")
    return {name: value for name, value in fields.items() if current.get(name) != value}


def _checked_value(name: str, value: Any) -> Any:
    types = WRITABLE[name]
    if not isinstance(value, types):
        wanted = "true or false" if types == _FLAG else "a string"
        if type(None) in types:
            wanted += " or null"
        raise bad_request(f"Invalid value for '{name}': it must be {wanted}")
    if not isinstance(value, str):
        return value
    if len(value) > MAX_LENGTHS.get(name, MAX_TEXT_LENGTH):
        raise bad_request(
            f"'{name}' is too long: at most {MAX_LENGTHS.get(name, MAX_TEXT_LENGTH)} characters"
        )
    if name == "display_name" and not value.strip():
        raise bad_request("display_name must not be empty")
    if name in LINKS and value and not value.startswith(("https://", "http://")):
        raise bad_request(f"'{name}' must be an http:// or https:// URL")
    if name == "contact_email" and value and "@" not in value:
        raise bad_request(f"Invalid contact_email '{value}'")
    if name == "default_directory" and value and not value.startswith(("/", "~")):
        raise bad_request("default_directory must be an absolute path (or start with '~')")
    return value


def _subscription(name: str, value: Any, current: dict[str, Any]) -> dict[str, Any]:
    """The change to the endpoint's subscription: an administrator may take the endpoint off
    its subscription (``managed: false``, ``subscription_id: null``); putting it on one is
    for a manager of that subscription (none in the demo world): 403."""
    if name == "managed":
        if not isinstance(value, bool):
            raise bad_request("managed must be true or false")
        if value is False:
            return {"subscription_id": None}
        if current.get("subscription_id") is not None:
            return {}
    elif value is None:
        return {"subscription_id": None}
    else:
        try:
            wanted = str(uuid.UUID(str(value)))
        except ValueError:
            raise bad_request(f"Invalid subscription_id {value!r}: a UUID or null") from None
        if wanted == current.get("subscription_id"):
            return {}
    raise SimAPIError(
        403,
        "PermissionDenied",
        "Only a manager of the subscription may put an endpoint on a subscription",
    )

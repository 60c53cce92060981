"""The GCS Manager API's routes: each reads its endpoint, its caller and its body, asks the
service (``service.py``) and answers a ``result`` document (``documents.py``).

Every route but ``/info`` needs a token for the endpoint's resource server (its id) with its
``manage_collections`` scope.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from gtui.sim.auth.bearer import bearer_token
from gtui.sim.auth.scopes import manage_collections_scope
from gtui.sim.auth.tokens import Caller
from gtui.sim.context import context_of
from gtui.sim.gcs import documents
from gtui.sim.gcs.errors import GCSError, bad_request, not_found, permission_denied
from gtui.sim.gcs.service import GCSService
from gtui.sim.world import GCSEndpoint

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
COLLECTION_FILTERS = frozenset(
    {"mapped_collections", "guest_collections", "managed_by_me", "created_by_me"}
)


def service_of(request: Request) -> GCSService:
    gcs = context_of(request).gcs
    if gcs is None:
        raise RuntimeError("the GCS Managers were not built with the application")
    return gcs


def endpoint_of(request: Request) -> GCSEndpoint:
    return service_of(request).endpoint(request.path_params["endpoint_id"])


def caller_of(request: Request, endpoint: GCSEndpoint) -> Caller:
    """The caller proven by a token for the endpoint with ``manage_collections``, or 401."""
    token = bearer_token(request)
    if token is None:
        raise GCSError(401, "unauthorized", "No Authorization header provided")
    caller = context_of(request).auth.caller_for(token, endpoint.id)
    if caller is None:
        raise GCSError(
            401,
            "unauthorized",
            f"Token is not active, or not valid for endpoint {endpoint.id}",
        )
    scope = manage_collections_scope(endpoint.id)
    if scope not in caller.scopes:
        raise permission_denied(f"The token lacks the scope {scope}")
    return caller


def answer(data: list[dict[str, Any]], **extra: Any) -> JSONResponse:
    return JSONResponse(documents.result(data, **extra))


async def read_body(request: Request) -> dict[str, Any]:
    body = await request.body()
    try:
        data = json.loads(body) if body else None
    except (ValueError, UnicodeDecodeError):
        raise bad_request("Request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise bad_request("Request body must be a JSON object")
    return data


def _includes(request: Request) -> set[str]:
    return {p for v in request.query_params.getlist("include") for p in v.split(",") if p}


def _page(request: Request, items: list[dict[str, Any]]) -> JSONResponse:
    """One page of ``items`` (``page_size``, and the opaque ``marker`` of the next page)."""
    try:
        size = int(request.query_params.get("page_size") or DEFAULT_PAGE_SIZE)
        start = int(request.query_params.get("marker") or 0)
    except ValueError:
        raise bad_request("page_size and marker must be numbers from this API") from None
    if not 1 <= size <= MAX_PAGE_SIZE or start < 0:
        raise bad_request(f"page_size must be between 1 and {MAX_PAGE_SIZE}")
    page = items[start : start + size]
    more = start + size < len(items)
    return answer(page, has_next_page=more, marker=str(start + size) if more else "")


# -- the endpoint -----------------------------------------------------------------------------


async def info(request: Request) -> Response:
    """``GET /info``: who the endpoint is (no token needed)."""
    return answer(documents.info_docs(endpoint_of(request)))


async def get_endpoint(request: Request) -> Response:
    endpoint = endpoint_of(request)
    caller_of(request, endpoint)
    return answer([documents.endpoint_doc(endpoint)])


async def storage_gateways(request: Request) -> Response:
    endpoint = endpoint_of(request)
    caller_of(request, endpoint)
    return _page(request, [documents.storage_gateway_doc(endpoint)])


async def storage_gateway(request: Request) -> Response:
    endpoint = endpoint_of(request)
    caller_of(request, endpoint)
    gateway = documents.storage_gateway_doc(endpoint)
    if request.path_params["gateway_id"] != gateway["id"]:
        raise not_found(f"Storage gateway '{request.path_params['gateway_id']}' not found")
    return answer([gateway])


def _credentials(request: Request, endpoint: GCSEndpoint, caller: Caller) -> list[dict[str, Any]]:
    """The caller's user credentials: one per identity of its identity set."""
    service = service_of(request)
    auth = context_of(request).auth
    gateway = request.query_params.get("storage_gateway")
    if gateway and gateway != documents.storage_gateway_id(endpoint.id):
        return []
    me = caller.identity_id
    mine = [me, *sorted(service.identities(me) - {me})]
    return [documents.user_credential_doc(endpoint, i, auth.username_of(i)) for i in mine]


async def user_credentials(request: Request) -> Response:
    endpoint = endpoint_of(request)
    caller = caller_of(request, endpoint)
    return _page(request, _credentials(request, endpoint, caller))


async def user_credential(request: Request) -> Response:
    endpoint = endpoint_of(request)
    caller = caller_of(request, endpoint)
    wanted = request.path_params["credential_id"]
    for doc in _credentials(request, endpoint, caller):
        if doc["id"] == wanted:
            return answer([doc])
    raise not_found(f"User credential '{wanted}' not found")


# -- collections ------------------------------------------------------------------------------


async def collection_list(request: Request) -> Response:
    endpoint = endpoint_of(request)
    caller = caller_of(request, endpoint)
    service = service_of(request)
    filters = {f for v in request.query_params.getlist("filter") for f in v.split(",") if f}
    unknown = filters - COLLECTION_FILTERS
    if unknown:
        raise bad_request(f"Unknown filter {sorted(unknown)[0]!r}")
    found = service.collection_list(
        endpoint,
        caller,
        filters=filters,
        mapped_collection_id=request.query_params.get("mapped_collection_id") or None,
    )
    private = "private_policies" in _includes(request)
    docs = [
        service.document(
            endpoint,
            c,
            private=private and service.administers(endpoint, c, caller.identity_id),
        )
        for c in found
    ]
    return _page(request, docs)


async def get_collection(request: Request) -> Response:
    endpoint = endpoint_of(request)
    caller = caller_of(request, endpoint)
    service = service_of(request)
    collection = service.collection(endpoint, request.path_params["collection_id"])
    if not service.sees(endpoint, collection, caller.identity_id):
        raise permission_denied(f"You may not see collection '{collection.id}'")
    private = "private_policies" in _includes(request)
    if private and not service.administers(endpoint, collection, caller.identity_id):
        raise permission_denied("Only administrators may see a collection's private policies")
    return answer([service.document(endpoint, collection, private=private)])


async def create_collection(request: Request) -> Response:
    endpoint = endpoint_of(request)
    caller = caller_of(request, endpoint)
    service = service_of(request)
    guest = service.create_guest(endpoint, caller, await read_body(request))
    return answer([service.document(endpoint, guest)])


async def update_collection(request: Request) -> Response:
    endpoint = endpoint_of(request)
    caller = caller_of(request, endpoint)
    service = service_of(request)
    collection = service.collection(endpoint, request.path_params["collection_id"])
    changed = service.update(endpoint, caller, collection, await read_body(request))
    return answer([service.document(endpoint, changed)])


async def delete_collection(request: Request) -> Response:
    endpoint = endpoint_of(request)
    caller = caller_of(request, endpoint)
    service = service_of(request)
    collection = service.collection(endpoint, request.path_params["collection_id"])
    service.delete(endpoint, caller, collection)
    return answer([], message=f"Deleted collection {collection.id}")


# -- roles ------------------------------------------------------------------------------------


async def role_list(request: Request) -> Response:
    endpoint = endpoint_of(request)
    caller = caller_of(request, endpoint)
    roles = service_of(request).role_list(
        endpoint,
        caller,
        request.query_params.get("collection_id") or None,
        all_roles="all_roles" in _includes(request),
    )
    return _page(request, roles)


async def create_role(request: Request) -> Response:
    endpoint = endpoint_of(request)
    caller = caller_of(request, endpoint)
    made = service_of(request).create_role(endpoint, caller, await read_body(request))
    return answer([made])


async def get_role(request: Request) -> Response:
    endpoint = endpoint_of(request)
    caller = caller_of(request, endpoint)
    return answer([service_of(request).get_role(endpoint, caller, request.path_params["role_id"])])


async def delete_role(request: Request) -> Response:
    endpoint = endpoint_of(request)
    caller = caller_of(request, endpoint)
    role_id = request.path_params["role_id"]
    service_of(request).delete_role(endpoint, caller, role_id)
    return answer([], message=f"Deleted role {role_id}")

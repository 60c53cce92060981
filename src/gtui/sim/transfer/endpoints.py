"""``endpoint_search`` and ``endpoint/{id}``: the collections a caller can find and open.

Both answer the collection's document with the caller's ``my_effective_roles`` (the owner of a
collection is its administrator); search results also carry ``_rank``, the relevance of the
result to ``filter_fulltext`` (results come best first), and ``is_go_storage``.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from gtui.sim.auth.tokens import Caller
from gtui.sim.context import context_of
from gtui.sim.errors import SimAPIError
from gtui.sim.transfer import history
from gtui.sim.transfer.common import answer, caller_of, collection_for, query_int, service_of
from gtui.sim.world import Collection

SEARCH_MAX_RESULTS = 1000
SEARCH_DEFAULT_LIMIT = 25
SEARCH_MAX_LIMIT = 100
ENTITY_TYPES = (
    "GCP_mapped_collection",
    "GCP_guest_collection",
    "GCSv5_endpoint",
    "GCSv5_mapped_collection",
    "GCSv5_guest_collection",
)
SCOPES = (
    "all",
    "my-endpoints",
    "my-gcp-endpoints",
    "recently-used",
    "in-use",
    "shared-by-me",
    "shared-with-me",
    "administered-by-me",
)
OWNER_CONFLICTS = ("my-endpoints", "my-gcp-endpoints", "shared-by-me")


def bad_request(message: str) -> SimAPIError:
    return SimAPIError(400, "ClientError.BadRequest", message)


def _text_of(c: Collection) -> str:
    return " ".join(
        (
            c.display_name,
            c.canonical_name,
            c.description,
            c.keywords,
            c.owner_string,
            c.organization,
            c.id,
        )
    ).lower()


def _matches_fulltext(c: Collection, fulltext: str) -> bool:
    text = _text_of(c)
    return all(word in text for word in fulltext.lower().split())


# How much a query word found in each field adds to a result's ``_rank``.
RANK_WEIGHTS = (("display_name", 4.0), ("keywords", 2.0), ("canonical_name", 1.5))


def _rank(c: Collection, fulltext: str) -> float:
    """The relevance of a result to the query: its words weighed by where they are found."""
    score = 0.0
    for word in fulltext.lower().split():
        score += 1.0
        for name, weight in RANK_WEIGHTS:
            if word in str(getattr(c, name)).lower():
                score += weight
    return round(score, 4)


def effective_roles(c: Collection, identity_id: str) -> list[str]:
    """The caller's ``my_effective_roles`` on a collection: its owner administers it.

    The owner is the person (``owner_identity_id`` where a collection names one apart from the
    ``owner_id`` of its document, as GCSv5 collections do), not the GCSv5 endpoint.
    """
    owner = getattr(c, "owner_identity_id", None) or c.owner_id
    return ["administrator"] if identity_id == owner else []


def _caller_doc(c: Collection, caller: Caller, in_use: set[str]) -> dict[str, Any]:
    """The collection's document as this caller sees it."""
    doc = c.to_endpoint_doc()
    doc["in_use"] = c.id in in_use
    doc["my_effective_roles"] = effective_roles(c, caller.identity_id)
    return doc


def _scoped(request: Request, scope: str, caller: Caller) -> list[Collection]:
    ctx = context_of(request)
    world = ctx.world
    me = caller.identity_id
    visible = world.visible_collections(me)
    guest = "GCSv5_guest_collection"
    # Guest collections shared by an access rule (or a role) exist for the identity too.
    access = ctx.access
    if access is not None:
        known = {c.id for c in visible}
        visible += [c for c in access.shared_with(me) if c.id not in known]
        known = {c.id for c in visible}
        visible += [
            c
            for c in world.collections.values()
            if c.id not in known and c.entity_type == guest and access.manages_access(c, me)
        ]
    if scope == "all":
        return visible
    # The owner is the person (a GCSv5 collection's owner_id is its endpoint).
    if scope in ("my-endpoints", "administered-by-me"):
        return [c for c in visible if c.owner_identity_id == me]
    if scope == "my-gcp-endpoints":
        return [c for c in visible if c.owner_identity_id == me and c.is_gcp]
    if scope == "shared-by-me":
        return [
            c
            for c in visible
            if c.entity_type == guest
            and (c.owner_identity_id == me or (access is not None and access.manages_access(c, me)))
        ]
    if scope == "shared-with-me":
        shared = {c.id for c in access.shared_with(me)} if access is not None else set()
        return [
            c
            for c in visible
            if c.entity_type == guest
            and c.owner_identity_id != me
            and (me in c.shared_with or c.id in shared)
        ]
    store = service_of(request).store
    if scope == "recently-used":
        ids = history.recently_used_endpoints(store, me)
    else:
        ids = history.in_use_endpoints(store, me)
    by_id = {c.id: c for c in visible}
    return [by_id[i] for i in ids if i in by_id]


async def endpoint_search(request: Request) -> Response:
    caller = caller_of(request)
    params = request.query_params
    scope = params.get("filter_scope") or "all"
    if scope not in SCOPES:
        raise bad_request(f"Invalid filter_scope '{scope}'")
    fulltext = (params.get("filter_fulltext") or "").strip()
    if scope == "all" and not fulltext:
        raise bad_request("filter_fulltext is required when filter_scope is 'all'")
    owner = params.get("filter_owner_id")
    if owner and scope in OWNER_CONFLICTS:
        raise bad_request(f"filter_owner_id cannot be combined with filter_scope '{scope}'")
    entity_type = params.get("filter_entity_type")
    non_functional = params.get("filter_non_functional")
    if entity_type and non_functional not in (None, ""):
        raise bad_request("filter_entity_type cannot be combined with filter_non_functional")
    if entity_type and entity_type not in ENTITY_TYPES:
        raise bad_request(f"Invalid filter_entity_type '{entity_type}'")
    limit = query_int(request, "limit", SEARCH_DEFAULT_LIMIT, minimum=1, maximum=SEARCH_MAX_LIMIT)
    offset = query_int(request, "offset", 0, minimum=0, maximum=SEARCH_MAX_RESULTS - 1)
    if offset + limit > SEARCH_MAX_RESULTS:
        raise bad_request(f"offset + limit must not exceed {SEARCH_MAX_RESULTS}")

    found = _scoped(request, scope, caller)
    if fulltext:
        found = [c for c in found if _matches_fulltext(c, fulltext)]
    ranks = {c.id: _rank(c, fulltext) for c in found}
    found = sorted(found, key=lambda c: -ranks[c.id])  # stable: a scope's order breaks ties
    if owner:
        found = [c for c in found if c.owner_id == owner]
    if entity_type:
        found = [c for c in found if c.entity_type == entity_type]
    if non_functional not in (None, ""):
        wanted = non_functional.lower() in ("1", "true")
        found = [c for c in found if c.to_endpoint_doc().get("non_functional") is wanted]
    host = params.get("filter_host_endpoint")
    if host:
        found = [c for c in found if c.host_endpoint_id == host]
    found = found[:SEARCH_MAX_RESULTS]
    page = found[offset : offset + limit]
    in_use = set(history.in_use_endpoints(service_of(request).store, caller.identity_id))
    docs = []
    for c in page:
        doc = {"_rank": ranks[c.id], **_caller_doc(c, caller, in_use)}
        doc["is_go_storage"] = False
        docs.append(doc)
    return answer(
        {
            "DATA_TYPE": "endpoint_list",
            "DATA": docs,
            "has_next_page": offset + limit < len(found),
            "limit": limit,
            "offset": offset,
        }
    )


async def get_endpoint(request: Request) -> Response:
    caller = caller_of(request)
    endpoint = context_of(request).world.endpoints.get(request.path_params["endpoint_id"])
    if endpoint is not None:  # a GCSv5 endpoint: public, no collection
        return answer(endpoint.to_endpoint_doc())
    collection = collection_for(request, request.path_params["endpoint_id"], caller)
    in_use = set(history.in_use_endpoints(service_of(request).store, caller.identity_id))
    return answer(_caller_doc(collection, caller, in_use))

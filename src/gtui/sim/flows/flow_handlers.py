"""``/flows``: list, create, read, update, delete and validate flows; start and validate runs.

Who may: a flow is seen by its owner, administrators, starters and viewers (``public``: by
anyone, ``all_authenticated_users``: by anyone logged in) and its run managers and monitors;
it is run by starters and above, changed and deleted by administrators and its owner. A flow
the caller may not see is 404; one they may see but not act on is 403 ``FORBIDDEN``. Running
takes a token for the flow's own scope; another token is a 403 ``MISSING_SCOPE`` whose
``authorization_parameters`` ask for it.
"""

from __future__ import annotations

import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from gtui.sim.auth.scopes import flow_scope
from gtui.sim.errors import SimAPIError
from gtui.sim.flows import roles, validation
from gtui.sim.flows.common import (
    MISSING_SCOPE,
    FlowsCaller,
    answer,
    caller_of,
    make_marker,
    query_int,
    query_list,
    read_document,
    read_marker,
    service_of,
)
from gtui.sim.flows.documents import deleted_flow_document, flow_document, run_document
from gtui.sim.flows.errors import forbidden, not_found, unprocessable
from gtui.sim.flows.model import Flow

VIEW = ("view_flows", "manage_flows")
MANAGE = ("manage_flows",)
FLOW_ORDERS = {
    "id": lambda f: f.flow_id,
    "scope_string": lambda f: flow_scope(f.flow_id),
    "title": lambda f: f.title.lower(),
    "created_at": lambda f: f.created_at,
    "updated_at": lambda f: f.updated_at,
    "flow_owners": lambda f: f.owner_id,
    "flow_administrators": lambda f: ",".join(f.administrators),
}
DEFAULT_LIMIT = 20
MAX_LIMIT = 50
EDITABLE = {
    "title": "title",
    "subtitle": "subtitle",
    "description": "description",
    "keywords": "keywords",
    "definition": "definition",
    "input_schema": "input_schema",
    "flow_viewers": "viewers",
    "flow_starters": "starters",
    "flow_administrators": "administrators",
    "run_managers": "run_managers",
    "run_monitors": "run_monitors",
    "subscription_id": "subscription_id",
}


def visible_flow(request: Request, caller: FlowsCaller, flow_id: str) -> tuple[Flow, str]:
    """The flow and the caller's role on it, or a 404."""
    flow = service_of(request).store.flow(flow_id)
    role = roles.flow_role(flow, caller.principals) if flow is not None else None
    if flow is None or role is None:
        raise not_found("flow", flow_id)
    return flow, role


# -- listing ----------------------------------------------------------------------------------
def sort_key_list(
    orderby: list[str], known: dict[str, Any], default: str
) -> list[tuple[str, bool]]:
    """``["title ASC", "updated_at DESC"]`` as (field, descending) pairs; a 422 for others."""
    pairs = []
    for item in orderby or [default]:
        field, _, direction = item.strip().partition(" ")
        direction = direction.strip().upper() or "ASC"
        if field not in known or direction not in ("ASC", "DESC"):
            raise SimAPIError(
                422, "UNPROCESSABLE_ENTITY", f"Cannot order by {item!r}: use FIELD ASC|DESC"
            )
        pairs.append((field, direction == "DESC"))
    return pairs


def ordered(items: list[Any], pairs: list[tuple[str, bool]], known: dict[str, Any]) -> list[Any]:
    for field, descending in reversed(pairs):
        items.sort(key=known[field], reverse=descending)
    return items


def _matches_text(flow: Flow, text: str) -> bool:
    haystack = " ".join(
        [flow.flow_id, flow.title, flow.subtitle, flow.description, *flow.keywords]
    ).lower()
    return all(word in haystack for word in text.lower().split())


async def list_flows(request: Request) -> Response:
    caller = caller_of(request)
    caller.require(*VIEW, "run")
    offset, kept = read_marker(request)
    filters = kept or {
        "roles": query_list(request, "filter_roles") + query_list(request, "filter_role"),
        "fulltext": request.query_params.get("filter_fulltext", ""),
        "orderby": query_list(request, "orderby"),
    }
    unknown = set(filters["roles"]) - set(roles.FLOW_ROLE_FILTERS)
    if unknown:
        raise SimAPIError(
            422, "UNPROCESSABLE_ENTITY", f"Unknown role filter(s): {', '.join(sorted(unknown))}"
        )
    limit = query_int(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    pairs = sort_key_list(filters["orderby"], FLOW_ORDERS, "updated_at DESC")
    found: list[tuple[Flow, str]] = []
    for flow in service_of(request).store.flows():
        held = roles.flow_roles(flow, caller.principals)
        if not held or (filters["roles"] and not held & set(filters["roles"])):
            continue
        if filters["fulltext"] and not _matches_text(flow, filters["fulltext"]):
            continue
        role = roles.flow_role(flow, caller.principals)
        found.append((flow, role or roles.FLOW_VIEWER))
    found = ordered(found, pairs, {k: (lambda p, g=g: g(p[0])) for k, g in FLOW_ORDERS.items()})
    page = found[offset : offset + limit]
    more = offset + limit < len(found)
    return answer(
        {
            "flows": [flow_document(flow, role) for flow, role in page],
            "limit": limit,
            "has_next_page": more,
            "marker": make_marker(offset + limit, filters) if more else None,
        }
    )


# -- one flow ---------------------------------------------------------------------------------
async def create_flow(request: Request) -> Response:
    caller = caller_of(request)
    caller.require(*MANAGE)
    doc = await read_document(request)
    validation.check_flow_fields(doc, creating=True)
    service = service_of(request)
    now = service.clock.now()
    flow = Flow(
        flow_id=str(uuid.uuid4()),
        owner_id=caller.identity_id,
        title=doc["title"],
        definition=doc["definition"],
        input_schema=doc.get("input_schema") or {},
        created_at=now,
        updated_at=now,
    )
    _apply(flow, doc)
    service.store.add_flow(flow)
    return answer(flow_document(flow, roles.FLOW_OWNER), 201)


def _apply(flow: Flow, doc: dict[str, Any]) -> None:
    """Set the fields ``doc`` gives (already checked by ``validation``)."""
    for given, name in EDITABLE.items():
        if given in doc:
            value = doc[given]
            setattr(flow, name, None if value == "DEFAULT" else value)


async def get_flow(request: Request) -> Response:
    caller = caller_of(request)
    flow_id = request.path_params["flow_id"]
    caller.require(*VIEW, "run", flow_id=flow_id)
    flow, role = visible_flow(request, caller, flow_id)
    return answer(flow_document(flow, role))


async def update_flow(request: Request) -> Response:
    caller = caller_of(request)
    caller.require(*MANAGE)
    flow, role = visible_flow(request, caller, request.path_params["flow_id"])
    if not roles.at_least(role, roles.FLOW_ADMINISTRATOR):
        raise forbidden("flow", flow.flow_id, "UPDATE")
    doc = await read_document(request)
    validation.check_flow_fields(doc, creating=False)
    if "flow_owner" in doc and doc["flow_owner"] != roles.identity_urn(flow.owner_id):
        raise SimAPIError(422, "UNPROCESSABLE_ENTITY", "The owner of a flow cannot be changed")
    _apply(flow, doc)
    service = service_of(request)
    flow.updated_at = service.clock.now()
    service.store.replace_flow(flow)
    return answer(flow_document(flow, role))


async def delete_flow(request: Request) -> Response:
    caller = caller_of(request)
    caller.require(*MANAGE)
    flow, role = visible_flow(request, caller, request.path_params["flow_id"])
    if not roles.at_least(role, roles.FLOW_ADMINISTRATOR):
        raise forbidden("flow", flow.flow_id, "DELETE")
    service = service_of(request)
    service.store.delete_flow(flow.flow_id)
    return answer(deleted_flow_document(flow, role, service.clock.now()))


async def validate_flow(request: Request) -> Response:
    caller = caller_of(request)
    caller.require(*MANAGE, "view_flows", "run")
    doc = await read_document(request)
    if "definition" not in doc:
        raise unprocessable([(["definition"], "field required")])
    validation.check_flow_fields(
        {k: doc[k] for k in ("definition", "input_schema") if k in doc}, creating=False
    )
    return answer({"scopes": {"User": validation.required_scopes(doc["definition"])}})


# -- runs of a flow ---------------------------------------------------------------------------
def missing_flow_scope(flow_id: str, message: str) -> SimAPIError:
    """The 403 for a token that is not for the flow's own scope: it names that scope where a
    client's consent repair finds it."""
    scope = flow_scope(flow_id)
    return SimAPIError(
        403,
        MISSING_SCOPE,
        f"This action requires the following scope: {scope}",
        authorization_parameters={"session_message": message, "required_scopes": [scope]},
    )


def runnable_flow(request: Request, caller: FlowsCaller, *, starting: bool) -> Flow:
    """The flow the caller may start; starting it takes a token for its own scope."""
    flow_id = request.path_params["flow_id"]
    flow, role = visible_flow(request, caller, flow_id)
    if not roles.at_least(role, roles.FLOW_STARTER):
        raise forbidden("flow", flow_id, "RUN")
    if starting and not caller.flow_token_for(flow_id):
        raise missing_flow_scope(flow_id, "Starting this flow needs your consent to its scope")
    if not starting:
        caller.require("run", flow_id=flow_id)
    return flow


async def run_flow(request: Request) -> Response:
    caller = caller_of(request)
    flow = runnable_flow(request, caller, starting=True)
    doc = await read_document(request)
    validation.check_run_request(doc, starting=True)
    validation.check_input(flow.input_schema, doc["body"])
    if "tags" in doc:
        doc["tags"] = validation.normal_tags(doc["tags"])
    service = service_of(request)
    run = service.start_run(flow, caller.identity_id, doc)
    return answer(run_document(run, roles.RUN_OWNER, service.store.last_log(run.run_id)))


async def validate_run(request: Request) -> Response:
    caller = caller_of(request)
    flow = runnable_flow(request, caller, starting=False)
    doc = await read_document(request)
    validation.check_run_request(doc, starting=True)
    validation.check_input(flow.input_schema, doc["body"])
    return answer({"message": "validation successful"})

"""What every Flows route needs: the caller and what their token allows, the service, the
request's document, and the paging markers.

A Flows token is one for the Flows service (``eec9b274-…``) with some of its scopes (``all``
allows everything), or one for a flow's own scope, which allows what concerns that flow and
its runs: running it above all, which nothing else allows.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from gtui.sim.auth.bearer import bearer_token
from gtui.sim.auth.scopes import FLOWS_RS, flow_of_scope, flow_scope, flows_scope
from gtui.sim.context import context_of
from gtui.sim.errors import SimAPIError
from gtui.sim.flows.errors import SHAPE
from gtui.sim.flows.roles import Principals, group_urn, identity_urn
from gtui.sim.json_api import read_json_object

if TYPE_CHECKING:
    from gtui.sim.flows.service import FlowsService

MISSING_SCOPE = "MISSING_SCOPE"


@dataclass(frozen=True)
class FlowsCaller:
    """Who calls, for which resource server their token is, and with which scopes."""

    identity_id: str
    resource_server: str
    scopes: frozenset[str]
    principals: Principals

    def flow_token_for(self, flow_id: str) -> bool:
        """Whether the token is for ``flow_id``'s own scope."""
        return self.resource_server == flow_id and flow_scope(flow_id) in self.scopes

    def require(self, *names: str, flow_id: str | None = None) -> None:
        """A 403 unless the token allows this: a Flows token with ``all`` or one of
        ``names``, or (with ``flow_id``) a token for that flow's own scope."""
        if flow_id is not None and self.flow_token_for(flow_id):
            return
        if self.resource_server == FLOWS_RS:
            wanted = {flows_scope(n) for n in ("all", *names)}
            if wanted & self.scopes:
                return
            needed = flows_scope(names[0]) if names else flows_scope("all")
        else:
            needed = flows_scope(names[0]) if names else flows_scope("all")
        raise SimAPIError(403, MISSING_SCOPE, f"This action requires the following scope: {needed}")


def caller_of(request: Request) -> FlowsCaller:
    """The caller proven by a Flows (or a flow's) token, or a 401."""
    ctx = context_of(request)
    token = bearer_token(request)
    record = ctx.auth.lookup(token) if token is not None else None
    if record is None or not (
        record["rs"] == FLOWS_RS or flow_of_scope(flow_scope(record["rs"])) == record["rs"]
    ):
        raise SimAPIError(401, "AUTHENTICATION_ERROR", "Expired or invalid Bearer token")
    caller = ctx.auth.caller_for(token or "", record["rs"])
    assert caller is not None
    groups = ctx.groups.my_groups(caller.identity_id, ("active",))
    urns = {identity_urn(caller.identity_id), *(group_urn(g["id"]) for g in groups)}
    return FlowsCaller(
        caller.identity_id,
        record["rs"],
        caller.scopes,
        Principals(caller.identity_id, frozenset(urns)),
    )


def service_of(request: Request) -> FlowsService:
    """The Flows service of the application (``build_app`` makes it with the app)."""
    flows = context_of(request).flows
    if flows is None:
        raise RuntimeError("the Flows service was not made with the application")
    return flows


def answer(data: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(data, status_code=status)


async def read_document(request: Request, *, optional: bool = False) -> dict[str, Any]:
    """The JSON object in the request body (``{}`` for an empty optional one), or a 400."""
    return await read_json_object(request, SHAPE, optional=optional)


def query_list(request: Request, name: str) -> list[str]:
    """A list parameter given comma-separated, repeated, or both."""
    values: list[str] = []
    for given in request.query_params.getlist(name):
        values.extend(v.strip() for v in given.split(",") if v.strip())
    return values


def query_int(request: Request, name: str, default: int, low: int, high: int) -> int:
    given = request.query_params.get(name)
    if given is None or given == "":
        return default
    try:
        value = int(given)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise SimAPIError(
            422, "UNPROCESSABLE_ENTITY", f"{name} must be an integer from {low} to {high}"
        )
    return value


def query_bool(request: Request, name: str) -> bool:
    return request.query_params.get(name, "").lower() in {"true", "1", "yes"}


def make_marker(offset: int, filters: dict[str, Any]) -> str:
    """An opaque marker for the page that starts at ``offset`` of the listing ``filters``
    describe (a marker alone, without the filters repeated, names the same listing)."""
    text = json.dumps({"offset": offset, "filters": filters}, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def read_marker(request: Request) -> tuple[int, dict[str, Any] | None]:
    """The offset and the filters of the page ``marker`` names (0 and None without one), or
    a 400 for a marker this service did not make."""
    marker = request.query_params.get("marker")
    if not marker:
        return 0, None
    try:
        padded = marker + "=" * (-len(marker) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        offset = int(data["offset"])
        filters = data["filters"]
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise SimAPIError(400, "BAD_REQUEST", "The marker is not valid") from None
    if offset < 0 or not isinstance(filters, dict):
        raise SimAPIError(400, "BAD_REQUEST", "The marker is not valid")
    return offset, filters

"""``/runs``: list runs, read one, its log and definition; cancel, resume, release, relabel.

A run is seen by its owner, its run managers and monitors and its flow's; it is managed
(cancelled, changed, released) by its owner and managers. A run the caller may not see is
404; one they may see but not manage is 403 ``FORBIDDEN``. Resuming takes a token for the
run's flow's own scope, and the consents its waiting action needs (``service.resume_run``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from gtui.sim.errors import SimAPIError
from gtui.sim.flows import roles, validation
from gtui.sim.flows.common import (
    FlowsCaller,
    answer,
    caller_of,
    make_marker,
    query_bool,
    query_int,
    query_list,
    read_document,
    read_marker,
    service_of,
)
from gtui.sim.flows.documents import run_document
from gtui.sim.flows.errors import forbidden, not_found
from gtui.sim.flows.flow_handlers import missing_flow_scope, ordered, sort_key_list
from gtui.sim.flows.model import FINISHED, RUN_STATUSES, Run

READ = ("run_status", "run_manage")
MANAGE = ("run_manage",)
RUN_ORDERS = {
    "start_time": lambda r: r.start_time,
    "completion_time": lambda r: r.completion_time or 0.0,
    "status": lambda r: r.status,
    "label": lambda r: r.label.lower(),
    "flow_title": lambda r: r.flow_title.lower(),
    "run_id": lambda r: r.run_id,
    "id": lambda r: r.run_id,
}
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
LOG_LIMIT = 10


def visible_run(request: Request, caller: FlowsCaller) -> tuple[Run, set[str]]:
    """The run of the path and the caller's roles on it, or a 404."""
    run_id = request.path_params["run_id"]
    service = service_of(request)
    run = service.store.run(run_id)
    if run is None:
        raise not_found("run", run_id)
    held = roles.run_roles(run, service.store.flow(run.flow_id), caller.principals)
    if not held:
        raise not_found("run", run_id)
    return run, held


def readable_run(request: Request) -> tuple[Run, set[str]]:
    caller = caller_of(request)
    run, held = visible_run(request, caller)
    caller.require(*READ, flow_id=run.flow_id)
    return run, held


def managed_run(request: Request, caller: FlowsCaller) -> tuple[Run, set[str]]:
    run, held = visible_run(request, caller)
    caller.require(*MANAGE, flow_id=run.flow_id)
    if not held & roles.MANAGING_RUN_ROLES:
        raise forbidden("run", run.run_id, "MANAGE")
    return run, held


def document(request: Request, run: Run, held: set[str], **options: Any) -> dict[str, Any]:
    store = service_of(request).store
    return run_document(run, roles.strongest_run_role(held), store.last_log(run.run_id), **options)


def _state_conflict(run: Run, allowed: set[str]) -> SimAPIError:
    wanted = ", ".join(f"'{s}'" for s in sorted(allowed))
    return SimAPIError(
        409,
        "STATE_CONFLICT",
        f"Run {run.run_id} has status '{run.status}' but must have status in"
        f" {{{wanted}}} for requested operation",
    )


# -- listing ----------------------------------------------------------------------------------
def _time_range(value: str) -> tuple[float | None, float | None]:
    """``FROM,TO`` (ISO 8601, either may be empty) as epoch seconds."""
    low, _, high = value.partition(",")
    try:
        return (
            datetime.fromisoformat(low.strip()).timestamp() if low.strip() else None,
            datetime.fromisoformat(high.strip()).timestamp() if high.strip() else None,
        )
    except ValueError:
        raise SimAPIError(
            422, "UNPROCESSABLE_ENTITY", f"Not a time range (FROM,TO in ISO 8601): {value!r}"
        ) from None


def _within(moment: float | None, bounds: str) -> bool:
    if not bounds:
        return True
    low, high = _time_range(bounds)
    if moment is None:
        return False
    return (low is None or moment >= low) and (high is None or moment <= high)


def _matches(run: Run, held: set[str], filters: dict[str, Any]) -> bool:
    if filters["flow_ids"] and run.flow_id not in filters["flow_ids"]:
        return False
    if filters["roles"] and not held & set(filters["roles"]):
        return False
    if filters["statuses"] and run.status not in filters["statuses"]:
        return False
    labels = [label.lower() for label in filters["labels"]]
    if labels and not any(label in run.label.lower() for label in labels):
        return False
    if filters["fulltext"]:
        haystack = " ".join([run.run_id, run.label, run.flow_title, *run.tags]).lower()
        if not all(word in haystack for word in filters["fulltext"].lower().split()):
            return False
    return _within(run.start_time, filters["start_time"]) and _within(
        run.completion_time, filters["completion_time"]
    )


async def list_runs(request: Request) -> Response:
    caller = caller_of(request)
    caller.require(*READ)
    offset, kept = read_marker(request)
    filters = kept or {
        "flow_ids": query_list(request, "filter_flow_id"),
        "roles": query_list(request, "filter_roles") + query_list(request, "filter_role"),
        "statuses": [s.upper() for s in query_list(request, "filter_status")],
        "labels": query_list(request, "filter_label"),
        "fulltext": request.query_params.get("filter_fulltext", ""),
        "start_time": request.query_params.get("filter_start_time", ""),
        "completion_time": request.query_params.get("filter_completion_time", ""),
        "orderby": query_list(request, "orderby"),
    }
    unknown_roles = set(filters["roles"]) - set(roles.RUN_RANKS)
    unknown_statuses = set(filters["statuses"]) - set(RUN_STATUSES)
    if unknown_roles or unknown_statuses:
        bad = ", ".join(sorted(unknown_roles | unknown_statuses))
        raise SimAPIError(422, "UNPROCESSABLE_ENTITY", f"Unknown filter value(s): {bad}")
    limit = query_int(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    pairs = sort_key_list(filters["orderby"], RUN_ORDERS, "start_time DESC")
    service = service_of(request)
    flows = {flow.flow_id: flow for flow in service.store.flows()}
    found: list[tuple[Run, set[str]]] = []
    for run in service.store.runs():
        held = roles.run_roles(run, flows.get(run.flow_id), caller.principals)
        if held and _matches(run, held, filters):
            found.append((run, held))
    found = ordered(found, pairs, {k: (lambda p, g=g: g(p[0])) for k, g in RUN_ORDERS.items()})
    page = found[offset : offset + limit]
    more = offset + limit < len(found)
    return answer(
        {
            "runs": [document(request, run, held) for run, held in page],
            "limit": limit,
            "has_next_page": more,
            "marker": make_marker(offset + limit, filters) if more else None,
        }
    )


# -- one run ----------------------------------------------------------------------------------
async def get_run(request: Request) -> Response:
    run, held = readable_run(request)
    flow = None
    if query_bool(request, "include_flow_description"):
        flow = service_of(request).store.flow(run.flow_id)
    return answer(document(request, run, held, flow=flow))


async def get_run_log(request: Request) -> Response:
    run, _ = readable_run(request)
    offset, kept = read_marker(request)
    reverse = bool(kept["reverse"]) if kept else query_bool(request, "reverse_order")
    limit = query_int(request, "limit", LOG_LIMIT, 1, 100)
    entries, more = service_of(request).store.log_page(run.run_id, offset, limit, reverse=reverse)
    body: dict[str, Any] = {"entries": entries, "limit": limit, "has_next_page": more}
    body["marker"] = make_marker(offset + limit, {"reverse": reverse}) if more else None
    return answer(body)


async def get_run_definition(request: Request) -> Response:
    run, _ = readable_run(request)
    return answer(
        {"flow_id": run.flow_id, "definition": run.definition, "input_schema": run.input_schema}
    )


async def update_run(request: Request) -> Response:
    caller = caller_of(request)
    run, held = managed_run(request, caller)
    doc = await read_document(request)
    validation.check_run_request(doc, starting=False)
    changes: dict[str, Any] = {}
    if doc.get("label") is not None:
        changes["label"] = doc["label"]
    if doc.get("tags") is not None:
        changes["tags"] = validation.normal_tags(doc["tags"])
    for name in ("run_managers", "run_monitors"):
        if doc.get(name) is not None:
            changes[name] = doc[name]
    store = service_of(request).store
    store.change_run(run.run_id, changes)
    return answer(document(request, store.run(run.run_id) or run, held))


async def cancel_run(request: Request) -> Response:
    caller = caller_of(request)
    run, held = managed_run(request, caller)
    if run.status in FINISHED:
        raise _state_conflict(run, {"ACTIVE", "INACTIVE"})
    ended = await service_of(request).cancel_run(run)
    return answer(document(request, ended, held))


async def resume_run(request: Request) -> Response:
    caller = caller_of(request)
    run, held = managed_run(request, caller)
    if not caller.flow_token_for(run.flow_id):
        raise missing_flow_scope(run.flow_id, "Resuming this run needs your consent to its flow")
    if run.status in FINISHED:
        raise _state_conflict(run, {"ACTIVE", "INACTIVE"})
    resumed = service_of(request).resume_run(run)
    return answer(document(request, resumed, held))


async def release_run(request: Request) -> Response:
    caller = caller_of(request)
    run, held = managed_run(request, caller)
    if run.status not in FINISHED:
        raise _state_conflict(run, set(FINISHED))
    released = document(request, run, held)
    service_of(request).store.delete_run(run.run_id)
    return answer(released)

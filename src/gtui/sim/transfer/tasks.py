"""``task_list`` and ``task/{id}/*``: what a user can see and change of their own tasks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from gtui.sim.errors import SimAPIError
from gtui.sim.transfer.common import (
    answer,
    caller_of,
    query_int,
    read_document,
    result,
    service_of,
)
from gtui.sim.transfer.model import Task
from gtui.sim.transfer.submit import parse_deadline, parse_label
from gtui.sim.transfer.taskfilter import order_tasks, parse_task_filter

TASK_LIST_DEFAULT_LIMIT = 10
TASK_LIST_MAX_LIMIT = 1000
EVENT_LIST_DEFAULT_LIMIT = 10
EVENT_LIST_MAX_LIMIT = 1000
MARKER_PAGE_SIZE = 100


def _task(request: Request) -> Task:
    caller = caller_of(request)
    return service_of(request).store.task_for(caller.identity_id, request.path_params["task_id"])


async def task_list(request: Request) -> Response:
    caller = caller_of(request)
    predicate = parse_task_filter(request.query_params.get("filter"))
    limit = query_int(
        request, "limit", TASK_LIST_DEFAULT_LIMIT, minimum=1, maximum=TASK_LIST_MAX_LIMIT
    )
    offset = query_int(request, "offset", 0, minimum=0)
    tasks = sorted(
        service_of(request).store.tasks_of(caller.identity_id), key=lambda t: -t.sequence
    )
    docs = [d for d in (t.public_doc() for t in tasks) if predicate(d)]
    order_tasks(docs, request.query_params.get("orderby"), {t.task_id: t.sequence for t in tasks})
    page = docs[offset : offset + limit]
    return answer(
        {
            "DATA_TYPE": "task_list",
            "DATA": page,
            "length": len(page),
            "limit": limit,
            "offset": offset,
            "total": len(docs),
        }
    )


async def get_task(request: Request) -> Response:
    return answer(_task(request).public_doc())


async def update_task(request: Request) -> Response:
    task = _task(request)
    doc = await read_document(request)
    if task.is_final:
        raise SimAPIError(
            409, "Conflict", f"Task {task.task_id} is {task.status} and can no longer be updated"
        )
    unknown = set(doc) - {"DATA_TYPE", "label", "deadline"}
    if unknown:
        raise SimAPIError(
            400,
            "ClientError.BadRequest",
            f"Only label and deadline can be updated, not {sorted(unknown)}",
        )
    changes: dict[str, Any] = {}
    if "label" in doc:
        changes["label"] = parse_label(doc)
    if "deadline" in doc:
        changes["deadline"] = parse_deadline(doc["deadline"])
    with task.lock:
        task.doc.update(changes)
    service_of(request).store.mark_dirty()
    return answer(result(request, "result", "Updated", "Updated task successfully"))


async def cancel_task(request: Request) -> Response:
    task = _task(request)
    if task.is_final:
        return answer(
            result(
                request,
                "result",
                "TaskComplete",
                f"The task completed before it could be canceled ({task.status})",
            )
        )
    await service_of(request).engine.cancel(task)
    return answer(
        result(request, "result", "Canceled", "The task has been cancelled successfully.")
    )


EventPredicate = Callable[[dict[str, Any]], bool]


def _event_filter(text: str | None) -> EventPredicate:
    """The events an ``event_list`` filter keeps (``is_error:true/code:A,B``, all must hold)."""
    clauses: list[EventPredicate] = []
    for part in (text or "").split("/"):
        if not part:
            continue
        field, _, value = part.partition(":")
        if field == "is_error":
            clauses.append(_is_error_clause(value.lower() in ("1", "true")))
        elif field == "code":
            clauses.append(_code_clause(set(value.split(","))))
        else:
            raise SimAPIError(400, "ClientError.BadRequest", f"Invalid filter field '{field}'")
    return lambda e: all(c(e) for c in clauses)


def _is_error_clause(wanted: bool) -> EventPredicate:
    return lambda e: e["is_error"] is wanted


def _code_clause(codes: set[str]) -> EventPredicate:
    return lambda e: e["code"] in codes


async def task_event_list(request: Request) -> Response:
    task = _task(request)
    limit = query_int(
        request, "limit", EVENT_LIST_DEFAULT_LIMIT, minimum=1, maximum=EVENT_LIST_MAX_LIMIT
    )
    offset = query_int(request, "offset", 0, minimum=0)
    keep = _event_filter(request.query_params.get("filter"))
    with task.lock:
        events = [e for e in reversed(task.events) if keep(e)]
    page = events[offset : offset + limit]
    return answer(
        {
            "DATA_TYPE": "event_list",
            "DATA": page,
            "length": len(page),
            "limit": limit,
            "offset": offset,
            "total": len(events),
        }
    )


def _marker_page(request: Request, data_type: str, records: list[dict[str, Any]]) -> Response:
    marker = query_int(request, "marker", 0, minimum=0)
    page = records[marker : marker + MARKER_PAGE_SIZE]
    end = marker + len(page)
    return answer(
        {
            "DATA_TYPE": data_type,
            "marker": marker,
            "next_marker": end if end < len(records) else None,
            "DATA": page,
        }
    )


async def task_successful_transfers(request: Request) -> Response:
    task = _task(request)
    with task.lock:
        records = list(task.successful)
    return _marker_page(request, "successful_transfers", records)


async def task_skipped_errors(request: Request) -> Response:
    task = _task(request)
    with task.lock:
        records = list(task.skipped)
    return _marker_page(request, "skipped_errors", records)


async def task_pause_info(request: Request) -> Response:
    _task(request)
    return answer(
        {
            "DATA_TYPE": "pause_info_limited",
            "pause_rules": [],
            "source_pause_message": None,
            "source_pause_message_share": None,
            "destination_pause_message": None,
            "destination_pause_message_share": None,
        }
    )

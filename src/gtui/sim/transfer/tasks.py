"""``task_list`` and ``task/{id}/*``: what a user can see and change of their own tasks."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from gtui.sim.errors import SimAPIError
from gtui.sim.transfer import history
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
from gtui.sim.transfer.taskfilter import parse_task_filter, parse_task_order

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
    params = request.query_params
    where = parse_task_filter(params.get("filter"))
    limit = query_int(
        request, "limit", TASK_LIST_DEFAULT_LIMIT, minimum=1, maximum=TASK_LIST_MAX_LIMIT
    )
    offset = query_int(request, "offset", 0, minimum=0)
    order = parse_task_order(params.get("orderby"))
    page, total = history.task_page(
        service_of(request).store, caller.identity_id, where, order, limit, offset
    )
    return answer(
        {
            "DATA_TYPE": "task_list",
            "DATA": page,
            "length": len(page),
            "limit": limit,
            "offset": offset,
            "total": total,
        }
    )


async def get_task(request: Request) -> Response:
    return answer(_task(request).public_doc())


def _finished(task: Task) -> SimAPIError:
    return SimAPIError(
        409, "Conflict", f"Task {task.task_id} is {task.status} and can no longer be updated"
    )


async def update_task(request: Request) -> Response:
    task = _task(request)
    doc = await read_document(request)
    if task.is_final:
        raise _finished(task)
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
    if not service_of(request).store.update(task, changes):
        raise _finished(task)
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


async def task_event_list(request: Request) -> Response:
    task = _task(request)
    limit = query_int(
        request, "limit", EVENT_LIST_DEFAULT_LIMIT, minimum=1, maximum=EVENT_LIST_MAX_LIMIT
    )
    offset = query_int(request, "offset", 0, minimum=0)
    page, total = history.event_page(
        service_of(request).store, task, request.query_params.get("filter"), limit, offset
    )
    return answer(
        {
            "DATA_TYPE": "event_list",
            "DATA": page,
            "length": len(page),
            "limit": limit,
            "offset": offset,
            "total": total,
        }
    )


def _marker_page(request: Request, data_type: str, kind: str) -> Response:
    task = _task(request)
    marker = query_int(request, "marker", 0, minimum=0)
    page, next_marker = history.record_page(
        service_of(request).store, task, kind, marker, MARKER_PAGE_SIZE
    )
    return answer(
        {
            "DATA_TYPE": data_type,
            "marker": marker,
            "next_marker": next_marker,
            "DATA": page,
        }
    )


async def task_successful_transfers(request: Request) -> Response:
    return _marker_page(request, "successful_transfers", "successful")


async def task_skipped_errors(request: Request) -> Response:
    return _marker_page(request, "skipped_errors", "skipped")


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

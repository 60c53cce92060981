"""``bookmark_list`` and ``bookmark/{id}``: each user's own named folders on collections."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from gtui.sim.context import context_of
from gtui.sim.errors import SimAPIError
from gtui.sim.transfer.common import (
    answer,
    caller_of,
    endpoint_not_found,
    read_document,
    result,
    service_of,
)

MAX_NAME_LENGTH = 128


def _name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_NAME_LENGTH:
        raise SimAPIError(
            400,
            "ClientError.BadRequest",
            f"A bookmark needs a name of 1 to {MAX_NAME_LENGTH} characters",
        )
    return value


def _path(value: Any) -> str:
    if not isinstance(value, str) or not value.startswith("/") or "\x00" in value:
        raise SimAPIError(
            400, "ClientError.BadRequest", "A bookmark path must be an absolute folder path"
        )
    return value if value.endswith("/") else value + "/"


def _pinned(value: Any) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise SimAPIError(400, "ClientError.BadRequest", "'pinned' must be true or false")
    return value


async def bookmark_list(request: Request) -> Response:
    caller = caller_of(request)
    marks = service_of(request).bookmarks.bookmarks_of(caller.identity_id)
    marks.sort(key=lambda b: b["name"].lower())
    return answer({"DATA_TYPE": "bookmark_list", "DATA": marks})


async def create_bookmark(request: Request) -> Response:
    caller = caller_of(request)
    doc = await read_document(request)
    endpoint_id = doc.get("endpoint_id")
    world = context_of(request).world
    if not isinstance(endpoint_id, str) or endpoint_id not in world.collections:
        raise endpoint_not_found(str(endpoint_id))
    bookmark = {
        "name": _name(doc.get("name")),
        "endpoint_id": endpoint_id,
        "path": _path(doc.get("path")),
        "pinned": _pinned(doc.get("pinned")),
    }
    stored = service_of(request).bookmarks.put_bookmark(caller.identity_id, bookmark)
    return answer(stored)


async def get_bookmark(request: Request) -> Response:
    caller = caller_of(request)
    mark = service_of(request).bookmarks.bookmark_for(
        caller.identity_id, request.path_params["bookmark_id"]
    )
    return answer(mark)


async def update_bookmark(request: Request) -> Response:
    caller = caller_of(request)
    store = service_of(request).bookmarks
    mark = store.bookmark_for(caller.identity_id, request.path_params["bookmark_id"])
    doc = await read_document(request)
    if "name" in doc:
        mark["name"] = _name(doc["name"])
    if "pinned" in doc:
        mark["pinned"] = _pinned(doc["pinned"])
    return answer(store.put_bookmark(caller.identity_id, mark))


async def delete_bookmark(request: Request) -> Response:
    caller = caller_of(request)
    service_of(request).bookmarks.delete_bookmark(
        caller.identity_id, request.path_params["bookmark_id"]
    )
    return answer(result(request, "result", "Deleted", "Bookmark deleted successfully"))

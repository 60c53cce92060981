"""``operation/endpoint/{id}/ls|stat|mkdir|rename``: synchronous file operations.

On a guest collection each path is checked against the caller's access rules first: reading
(``ls``, ``stat``) needs ``r``, changing (``mkdir``, both paths of ``rename``) needs ``rw``.
"""

from __future__ import annotations

import asyncio
import os

from starlette.requests import Request
from starlette.responses import Response

from gtui.sim.context import context_of
from gtui.sim.errors import SimAPIError
from gtui.sim.ids import LAPTOP_ID, SCRATCH_ID
from gtui.sim.settings import FaultSettings
from gtui.sim.transfer.access_policy import READ, WRITE
from gtui.sim.transfer.common import (
    answer,
    caller_of,
    query_bool,
    query_int,
    raw_json,
    read_document,
    require_resolved,
    result,
    usable_collection,
)
from gtui.sim.transfer.listing import list_folder, stat_entry
from gtui.sim.transfer.lsfilter import parse_filter, parse_orderby
from gtui.sim.transfer.paths import ResolvedPath, resolve
from gtui.sim.world import BIG_FOLDER_PATH, LARGE_DATASET_PATH, WIDE_TREE_PATH, Collection

LS_MAX_LIMIT = 100_000


def _faults(request: Request) -> FaultSettings:
    return context_of(request).settings.faults


def _on_the_way(folder: str, target: str) -> bool:
    """Whether listing ``folder`` shows or enters ``target`` (a folder path)."""
    return folder != "/" and (target.startswith(folder) or folder.startswith(target))


async def _prepare_large_dataset(request: Request, collection: Collection, path: str) -> None:
    """The 3 GB survey appears once its own folder is opened (or the file asked about)."""
    if collection.id == LAPTOP_ID and path.startswith(LARGE_DATASET_PATH):
        await asyncio.to_thread(context_of(request).world.ensure_large_dataset)


async def _prepare_lazy_folders(request: Request, collection: Collection, folder: str) -> None:
    await _prepare_large_dataset(request, collection, folder)
    if collection.id != SCRATCH_ID:
        return
    world = context_of(request).world
    if _on_the_way(folder, BIG_FOLDER_PATH):
        await asyncio.to_thread(world.ensure_big_folder)
    if _on_the_way(folder, WIDE_TREE_PATH):
        await asyncio.to_thread(world.ensure_wide_tree)


async def operation_ls(request: Request) -> Response:
    caller = caller_of(request)
    collection = usable_collection(request, request.path_params["endpoint_id"], caller)
    params = request.query_params
    resolved = resolve(collection, params.get("path"), _faults(request))
    require_resolved(request, resolved, caller, READ)
    show_hidden = query_bool(request, "show_hidden", True)
    limit = query_int(request, "limit", LS_MAX_LIMIT, minimum=0, maximum=LS_MAX_LIMIT)
    offset = query_int(request, "offset", 0, minimum=0)
    predicate = parse_filter(params.getlist("filter"))
    order = parse_orderby(params.getlist("orderby"))
    await _prepare_lazy_folders(request, collection, resolved.folder_path)
    body = await asyncio.to_thread(
        list_folder,
        resolved,
        show_hidden=show_hidden,
        predicate=predicate,
        order=order,
        limit=limit,
        offset=offset,
    )
    return raw_json(body)


async def operation_stat(request: Request) -> Response:
    caller = caller_of(request)
    collection = usable_collection(request, request.path_params["endpoint_id"], caller)
    resolved = resolve(collection, request.query_params.get("path"), _faults(request))
    require_resolved(request, resolved, caller, READ)
    await _prepare_large_dataset(request, collection, resolved.folder_path)
    entry = await asyncio.to_thread(stat_entry, resolved)
    return answer(entry.to_doc())


def _resolve_body_path(
    request: Request, collection: Collection, value: object, field: str
) -> ResolvedPath:
    if not isinstance(value, str) or not value:
        raise SimAPIError(400, "ClientError.BadRequest", f"'{field}' must be a non-empty string")
    resolved = resolve(collection, value, _faults(request), follow_final_symlink=False)
    if resolved.globus_path == "/":
        raise SimAPIError(
            403, "EndpointPermissionDenied", "The root folder of a collection cannot be changed"
        )
    return resolved


def _mkdir(resolved: ResolvedPath) -> None:
    if os.path.lexists(resolved.real):
        raise SimAPIError(
            502,
            "ExternalError.MkdirFailed.Exists",
            f"Path already exists, Error Path '{resolved.requested}' already exists",
        )
    if not resolved.real.parent.is_dir():
        raise SimAPIError(
            404,
            "ClientError.NotFound",
            f"Parent folder of '{resolved.requested}' not found",
        )
    try:
        os.mkdir(resolved.real)
    except PermissionError:
        raise SimAPIError(
            403, "EndpointPermissionDenied", f"Permission denied creating '{resolved.requested}'"
        ) from None


async def operation_mkdir(request: Request) -> Response:
    caller = caller_of(request)
    collection = usable_collection(request, request.path_params["endpoint_id"], caller)
    doc = await read_document(request)
    resolved = _resolve_body_path(request, collection, doc.get("path"), "path")
    require_resolved(request, resolved, caller, WRITE, follow=False)
    await asyncio.to_thread(_mkdir, resolved)
    return answer(
        result(
            request, "mkdir_result", "DirectoryCreated", "The directory was created successfully"
        )
    )


def _rename(old: ResolvedPath, new: ResolvedPath) -> None:
    if not os.path.lexists(old.real):
        raise SimAPIError(404, "ClientError.NotFound", f"Path '{old.requested}' not found")
    if os.path.lexists(new.real):
        raise SimAPIError(
            502,
            "ExternalError.RenameFailed.Exists",
            f"Destination '{new.requested}' already exists",
        )
    if not new.real.parent.is_dir():
        raise SimAPIError(
            404, "ClientError.NotFound", f"Parent folder of '{new.requested}' not found"
        )
    if (new.folder_path).startswith(old.folder_path):
        raise SimAPIError(400, "ClientError.BadRequest", "A folder cannot be moved inside itself")
    os.rename(old.real, new.real)


async def operation_rename(request: Request) -> Response:
    caller = caller_of(request)
    collection = usable_collection(request, request.path_params["endpoint_id"], caller)
    doc = await read_document(request)
    old = _resolve_body_path(request, collection, doc.get("old_path"), "old_path")
    new = _resolve_body_path(request, collection, doc.get("new_path"), "new_path")
    require_resolved(request, old, caller, WRITE, follow=False)
    require_resolved(request, new, caller, WRITE, follow=False)
    await asyncio.to_thread(_rename, old, new)
    return answer(
        result(request, "result", "FileRenamed", "File or directory renamed successfully")
    )

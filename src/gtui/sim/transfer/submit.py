"""``submission_id``, ``transfer`` and ``delete``: validate a task document, create the task.

Validation follows the real service: the document is refused whole (400, 403, 404) before a
task exists; problems with the files themselves surface later, as task events. On a guest
collection every path must be allowed by the submitter's access rules (``r`` to read a
source, ``rw`` to write a destination or delete); the engine checks again as it goes.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from gtui.sim.auth.tokens import Caller
from gtui.sim.context import context_of
from gtui.sim.errors import SimAPIError, new_request_id
from gtui.sim.transfer.access_policy import READ, WRITE
from gtui.sim.transfer.common import (
    answer,
    caller_of,
    read_document,
    require_resolved,
    resource_of,
    service_of,
    usable_collection,
)
from gtui.sim.transfer.model import Task, iso_time, new_task_doc, parse_iso
from gtui.sim.transfer.paths import resolve
from gtui.sim.world import Collection

DEFAULT_DEADLINE_SECONDS = 24 * 3600
SYNC_LEVELS = {"exists": 0, "size": 1, "mtime": 2, "checksum": 3}
RECURSIVE_SYMLINKS = ("ignore", "keep", "copy")
MAX_LABEL_LENGTH = 128


def bad_request(message: str, code: str = "ClientError.BadRequest") -> SimAPIError:
    return SimAPIError(400, code, message)


async def get_submission_id(request: Request) -> Response:
    caller_of(request)
    return answer({"DATA_TYPE": "submission_id", "value": str(uuid.uuid4())})


def _flag(doc: dict[str, Any], name: str, default: bool = False) -> bool:
    value = doc.get(name, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise bad_request(f"Invalid value for '{name}': must be true or false")
    return value


def parse_label(doc: dict[str, Any]) -> str | None:
    label = doc.get("label")
    if label is None:
        return None
    if not isinstance(label, str) or len(label) > MAX_LABEL_LENGTH or "\x00" in label:
        raise bad_request(f"Invalid label: a string of at most {MAX_LABEL_LENGTH} characters")
    return label


def parse_deadline(value: Any) -> str:
    """The deadline as the task document writes it; a day from now when not given."""
    if value is None or value == "":
        return iso_time(time.time() + DEFAULT_DEADLINE_SECONDS)
    if not isinstance(value, str):
        raise bad_request("Invalid deadline: must be an ISO-8601 date and time")
    try:
        seconds = parse_iso(value)
    except ValueError:
        raise bad_request(f"Invalid deadline '{value}'") from None
    if seconds <= time.time():
        raise bad_request(f"Invalid deadline '{value}': it is in the past")
    return iso_time(seconds)


def _sync_level(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, str) and value in SYNC_LEVELS:
        return SYNC_LEVELS[value]
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 3:
        raise bad_request(f"Invalid sync_level {value!r}: must be 0, 1, 2 or 3")
    return value


def _filter_rules(value: Any) -> list[dict[str, Any]] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise bad_request("Invalid filter_rules: must be a list")
    rules = []
    for rule in value:
        if not isinstance(rule, dict):
            raise bad_request("Invalid filter rule: must be an object")
        method = rule.get("method", "exclude")
        name = rule.get("name")
        kind = rule.get("type")
        if method not in ("include", "exclude") or not isinstance(name, str) or not name:
            raise bad_request("Invalid filter rule: needs a method include|exclude and a name")
        if kind not in (None, "file", "dir"):
            raise bad_request("Invalid filter rule: type must be file or dir")
        rules.append({"DATA_TYPE": "filter_rule", "method": method, "name": name, "type": kind})
    return rules


def _submission_id(doc: dict[str, Any]) -> str:
    value = doc.get("submission_id")
    if not isinstance(value, str) or not value.strip():
        raise bad_request("A submission_id is required; get one from /submission_id")
    return value


def _endpoint(request: Request, doc: dict[str, Any], field: str, caller: Caller) -> Collection:
    value = doc.get(field)
    if not isinstance(value, str) or not value:
        raise bad_request(f"'{field}' is required")
    return usable_collection(request, value, caller)


def _items(
    doc: dict[str, Any], kinds: tuple[str, ...], empty_code: str, empty_message: str
) -> list[dict[str, Any]]:
    items = doc.get("DATA")
    if items is None or items == []:
        raise bad_request(empty_message, empty_code)
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise bad_request("'DATA' must be a list of items")
    for item in items:
        if item.get("DATA_TYPE", kinds[0]) not in kinds:
            raise bad_request(f"Invalid item DATA_TYPE {item.get('DATA_TYPE')!r}")
    return items


def _path(
    request: Request,
    collection: Collection,
    caller: Caller,
    value: Any,
    field: str,
    need: str,
    *,
    follow: bool = True,
) -> str:
    """The item's path on the collection, if the caller may ``need`` it (``r``/``rw``); a
    symlink is followed unless it is the subject."""
    if not isinstance(value, str) or not value:
        raise bad_request(f"Every item needs a '{field}'")
    faults = context_of(request).settings.faults
    resolved = resolve(collection, value, faults, follow_final_symlink=follow)
    require_resolved(request, resolved, caller, need, follow=follow)
    return resolved.globus_path


def _accepted(request: Request, data_type: str, noun: str, task: Task, created: bool) -> Response:
    body = {
        "DATA_TYPE": data_type,
        "code": "Accepted" if created else "Duplicate",
        "message": (
            f"The {noun} has been accepted and a task has been created and queued for execution"
            if created
            else f"A {noun} with id '{task.submission_id}' was already submitted"
        ),
        "request_id": new_request_id(),
        "resource": resource_of(request),
        "submission_id": task.submission_id,
        "task_id": task.task_id,
        "task_link": {
            "DATA_TYPE": "link",
            "href": f"/v0.10/task/{task.task_id}?format=json",
            "rel": "related",
            "resource": "task",
            "title": "related task",
        },
    }
    if created:
        service_of(request).wake()
    return answer(body, 202 if created else 200)


def _existing(request: Request, caller: Caller, submission_id: str) -> Task | None:
    return service_of(request).store.task_by_submission(caller.identity_id, submission_id)


async def submit_transfer(request: Request) -> Response:
    caller = caller_of(request)
    doc = await read_document(request)
    if doc.get("DATA_TYPE", "transfer") != "transfer":
        raise bad_request("DATA_TYPE must be 'transfer'")
    submission_id = _submission_id(doc)
    duplicate = _existing(request, caller, submission_id)
    if duplicate is not None:
        return _accepted(request, "transfer_result", "transfer", duplicate, False)
    source = _endpoint(request, doc, "source_endpoint", caller)
    destination = _endpoint(request, doc, "destination_endpoint", caller)
    raw_items = _items(
        doc,
        ("transfer_item", "transfer_symlink_item"),
        "ClientError.BadRequest.NoTransferItems",
        "A transfer requires at least one item",
    )
    items = []
    for item in raw_items:
        recursive = item.get("recursive")
        if recursive is not None and not isinstance(recursive, bool):
            raise bad_request("'recursive' must be true or false")
        items.append(
            {
                "DATA_TYPE": item.get("DATA_TYPE", "transfer_item"),
                "source_path": _path(
                    request,
                    source,
                    caller,
                    item.get("source_path"),
                    "source_path",
                    READ,
                    follow=item.get("DATA_TYPE") != "transfer_symlink_item",
                ),
                "destination_path": _path(
                    request,
                    destination,
                    caller,
                    item.get("destination_path"),
                    "destination_path",
                    WRITE,
                ),
                "recursive": recursive,
                "external_checksum": item.get("external_checksum"),
                "checksum_algorithm": item.get("checksum_algorithm"),
            }
        )
    recursive_symlinks = doc.get("recursive_symlinks") or "ignore"
    if recursive_symlinks not in RECURSIVE_SYMLINKS:
        raise bad_request(f"Invalid recursive_symlinks {recursive_symlinks!r}")
    options = {
        "sync_level": _sync_level(doc.get("sync_level")),
        "verify_checksum": _flag(doc, "verify_checksum"),
        "encrypt_data": _flag(doc, "encrypt_data"),
        "preserve_timestamp": _flag(doc, "preserve_timestamp"),
        "skip_source_errors": _flag(doc, "skip_source_errors"),
        "fail_on_quota_errors": _flag(doc, "fail_on_quota_errors"),
        "delete_destination_extra": _flag(doc, "delete_destination_extra"),
        "recursive_symlinks": recursive_symlinks,
        "filter_rules": _filter_rules(doc.get("filter_rules")),
        "source_local_user": doc.get("source_local_user"),
        "destination_local_user": doc.get("destination_local_user"),
    }
    task_doc = new_task_doc(
        task_id=str(uuid.uuid4()),
        task_type="TRANSFER",
        owner_id=caller.identity_id,
        username=caller.username,
        label=parse_label(doc),
        source=source.to_endpoint_doc(),
        destination=destination.to_endpoint_doc(),
        deadline=parse_deadline(doc.get("deadline")),
        options=options,
    )
    for name in ("notify_on_succeeded", "notify_on_failed", "notify_on_inactive"):
        task_doc[name] = _flag(doc, name, True)
    spec = {"items": items, **{k: task_doc[k] for k in ("sync_level", "recursive_symlinks")}}
    task, created = service_of(request).store.add_task(Task(task_doc, spec, submission_id))
    return _accepted(request, "transfer_result", "transfer", task, created)


async def submit_delete(request: Request) -> Response:
    caller = caller_of(request)
    doc = await read_document(request)
    if doc.get("DATA_TYPE", "delete") != "delete":
        raise bad_request("DATA_TYPE must be 'delete'")
    submission_id = _submission_id(doc)
    duplicate = _existing(request, caller, submission_id)
    if duplicate is not None:
        return _accepted(request, "delete_result", "delete", duplicate, False)
    endpoint = _endpoint(request, doc, "endpoint", caller)
    raw_items = _items(
        doc,
        ("delete_item",),
        "ClientError.BadRequest.NoDeleteItems",
        "A delete requires at least one item",
    )
    items = []
    for item in raw_items:
        path = _path(request, endpoint, caller, item.get("path"), "path", WRITE, follow=False)
        if path == "/":
            raise SimAPIError(
                403, "EndpointPermissionDenied", "The root folder of a collection cannot be deleted"
            )
        items.append({"DATA_TYPE": "delete_item", "path": path})
    task_doc = new_task_doc(
        task_id=str(uuid.uuid4()),
        task_type="DELETE",
        owner_id=caller.identity_id,
        username=caller.username,
        label=parse_label(doc),
        source=endpoint.to_endpoint_doc(),
        destination=None,
        deadline=parse_deadline(doc.get("deadline")),
        options={"source_local_user": doc.get("local_user")},
    )
    spec = {
        "items": items,
        "recursive": _flag(doc, "recursive"),
        "ignore_missing": _flag(doc, "ignore_missing"),
        "interpret_globs": _flag(doc, "interpret_globs"),
    }
    task, created = service_of(request).store.add_task(Task(task_doc, spec, submission_id))
    return _accepted(request, "delete_result", "delete", task, created)

"""The Transfer action providers' parameters, as the Transfer and Delete tasks they submit.

``https://transfer.actions.globus.org/transfer`` takes ``source_endpoint`` and
``destination_endpoint`` (or the older ``source_endpoint_id``/``destination_endpoint_id``),
``DATA`` (or ``transfer_items``): ``[{source_path, destination_path, recursive}]``, and the
task's options (``label``, ``sync_level``, ``verify_checksum``, ``preserve_timestamp``,
``encrypt_data``, ``delete_destination_extra``, ``skip_source_errors``,
``fail_on_quota_errors``, ``deadline``, ``filter_rules``, ``notify_on_*``…).
``…/delete`` takes ``endpoint`` (or ``endpoint_id``), ``DATA`` (or ``items``):
``[{path, recursive}]``, ``recursive``, ``ignore_missing``, ``label``, ``deadline``.
Parameters that are not well formed raise ``BadParameters``, which the action answers as
failed to start.
"""

from __future__ import annotations

from typing import Any

TRANSFER_OPTIONS = (
    "label",
    "sync_level",
    "verify_checksum",
    "preserve_timestamp",
    "encrypt_data",
    "delete_destination_extra",
    "skip_source_errors",
    "fail_on_quota_errors",
    "deadline",
    "filter_rules",
    "notify_on_succeeded",
    "notify_on_failed",
    "notify_on_inactive",
    "recursive_symlinks",
)
DELETE_OPTIONS = (
    "label",
    "ignore_missing",
    "interpret_globs",
    "deadline",
    "notify_on_succeeded",
    "notify_on_failed",
    "notify_on_inactive",
)


class BadParameters(ValueError):
    """The action's parameters cannot make a task."""


def _first(params: dict[str, Any], *names: str) -> Any:
    for name in names:
        if name in params:
            return params[name]
    return None


def _collection(params: dict[str, Any], *names: str) -> str:
    value = _first(params, *names)
    if not isinstance(value, str) or not value:
        raise BadParameters(f"'{names[0]}' is required: the id of a collection")
    return value


def _items(params: dict[str, Any], *names: str) -> list[dict[str, Any]]:
    value = _first(params, *names)
    if not isinstance(value, list) or not value or not all(isinstance(i, dict) for i in value):
        raise BadParameters(f"'{names[0]}' is required: a non-empty list of items")
    return value


def _path(item: dict[str, Any], name: str) -> str:
    value = item.get(name)
    if not isinstance(value, str) or not value:
        raise BadParameters(f"every item needs a '{name}'")
    return value


def transfer_collections(params: dict[str, Any]) -> list[str]:
    return [
        _collection(params, "source_endpoint", "source_endpoint_id"),
        _collection(params, "destination_endpoint", "destination_endpoint_id"),
    ]


def delete_collections(params: dict[str, Any]) -> list[str]:
    return [_collection(params, "endpoint", "endpoint_id")]


def transfer_document(params: dict[str, Any], submission_id: str) -> dict[str, Any]:
    """The Transfer API's transfer document for the action's parameters."""
    source, destination = transfer_collections(params)
    data = []
    for item in _items(params, "DATA", "transfer_items"):
        entry: dict[str, Any] = {
            "DATA_TYPE": "transfer_item",
            "source_path": _path(item, "source_path"),
            "destination_path": _path(item, "destination_path"),
        }
        if item.get("recursive") is not None:  # absent: a folder is copied whole, a file alone
            entry["recursive"] = bool(item["recursive"])
        data.append(entry)
    document = {
        "DATA_TYPE": "transfer",
        "submission_id": submission_id,
        "source_endpoint": source,
        "destination_endpoint": destination,
        "DATA": data,
    }
    document.update({k: params[k] for k in TRANSFER_OPTIONS if params.get(k) is not None})
    return document


def delete_document(params: dict[str, Any], submission_id: str) -> dict[str, Any]:
    """The Transfer API's delete document for the action's parameters."""
    (endpoint,) = delete_collections(params)
    items = _items(params, "DATA", "items")
    document = {
        "DATA_TYPE": "delete",
        "submission_id": submission_id,
        "endpoint": endpoint,
        "recursive": bool(params.get("recursive")) or any(i.get("recursive") for i in items),
        "DATA": [{"DATA_TYPE": "delete_item", "path": _path(i, "path")} for i in items],
    }
    document.update({k: params[k] for k in DELETE_OPTIONS if params.get(k) is not None})
    return document

"""A timer's transfer body: checked when the timer is made, so its runs fail only for reasons
that arise later (a file gone, a consent withdrawn), never for a document Transfer would
refuse every time."""

from __future__ import annotations

from collections.abc import Container
from typing import Any

from gtui.sim.timers.schedule import invalid

IGNORED = ("submission_id", "skip_activation_check")
ITEM_TYPES = ("transfer_item", "transfer_symlink_item")
MAX_LABEL_LENGTH = 128


def clean_body(body: Any, collections: Container[str]) -> dict[str, Any]:
    """The body as the timer keeps it; ``collections`` are the ones that exist."""
    if not isinstance(body, dict):
        raise invalid("'body' must be a transfer document (an object)")
    if body.get("DATA_TYPE", "transfer") != "transfer":
        raise invalid("'body.DATA_TYPE' must be 'transfer'")
    for side in ("source_endpoint", "destination_endpoint"):
        value = body.get(side)
        if not isinstance(value, str) or not value:
            raise invalid(f"'body.{side}' is required: the id of a collection")
        if value not in collections:
            raise invalid(f"'body.{side}' names no known collection: {value!r}")
    items = body.get("DATA")
    if not isinstance(items, list) or not items:
        raise invalid("'body.DATA' must list at least one transfer item")
    for index, item in enumerate(items):
        _check_item(item, index)
    label = body.get("label")
    if label is not None and (not isinstance(label, str) or len(label) > MAX_LABEL_LENGTH):
        raise invalid(f"'body.label' must be a string of at most {MAX_LABEL_LENGTH} characters")
    cleaned = {k: v for k, v in body.items() if k not in IGNORED}
    cleaned["DATA_TYPE"] = "transfer"
    return cleaned


def _check_item(item: Any, index: int) -> None:
    where = f"body.DATA[{index}]"
    if not isinstance(item, dict):
        raise invalid(f"'{where}' must be an object")
    if item.get("DATA_TYPE", ITEM_TYPES[0]) not in ITEM_TYPES:
        raise invalid(f"'{where}.DATA_TYPE' must be one of {', '.join(ITEM_TYPES)}")
    for field in ("source_path", "destination_path"):
        value = item.get(field)
        if not isinstance(value, str) or not value:
            raise invalid(f"'{where}.{field}' is required")


def run_label(body: dict[str, Any], timer_name: str, run_number: int) -> str:
    """The label of a run's task: the body's own, else ``"<timer name>, run <n>"``."""
    label = body.get("label")
    if isinstance(label, str) and label:
        return label
    suffix = f", run {run_number}"
    return timer_name[: MAX_LABEL_LENGTH - len(suffix)] + suffix

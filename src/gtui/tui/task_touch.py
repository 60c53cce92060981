"""Which folders a finished task changed, so the panes showing them are listed again.

A transfer changes its destination, a delete its source collection. For a task gtui submitted
the items it sent are known (kept with the app's state); a task started elsewhere (by a flow,
a timer, another client) names only its collections, so every pane on the changed collection
is listed again.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from gtui.core.models import Task

# Transfer writes times in whole seconds: a task that ended in the second before gtui looked
# is still news.
CLOCK_SLACK = timedelta(seconds=2)


def changed_collection(task: Task) -> str | None:
    """The collection whose folders the task changed."""
    return task.source_endpoint_id if task.type == "DELETE" else task.destination_endpoint_id


def touched_folders(task: Task, document: Mapping[str, Any] | None) -> list[str] | None:
    """The folders the task's items were in, from the document gtui submitted; None when
    unknown (a task submitted elsewhere)."""
    items = document.get("DATA") if document else None
    if not isinstance(items, list):
        return None
    key = "path" if task.type == "DELETE" else "destination_path"
    paths = [item.get(key) for item in items if isinstance(item, Mapping)]
    folders = [_folder_of(path) for path in paths if isinstance(path, str) and path]
    return folders or None


def touches(folder: str, touched: list[str] | None) -> bool:
    """Whether a pane showing ``folder`` sees the task's change: the folder holds a touched
    path, or lies inside one (a deleted folder, a folder written into)."""
    if touched is None:
        return True
    here = _slashed(folder)
    return any(here.startswith(there) or there.startswith(here) for there in touched)


def ended_since(task: Task, moment: datetime) -> bool:
    """Whether a finished task ended after ``moment`` (news, not history)."""
    ended = task.completion_time
    return task.is_finished and ended is not None and ended >= moment - CLOCK_SLACK


def _folder_of(path: str) -> str:
    """The folder an item is in: ``/a/b/c.txt`` and ``/a/b/c/`` are both in ``/a/b/``."""
    head = path.rstrip("/").rpartition("/")[0]
    return _slashed(head or "/")


def _slashed(folder: str) -> str:
    return folder if folder.endswith("/") else folder + "/"

"""Sizing submitted transfers in the background, so the queue's progress is in bytes.

The task document has no total byte count (features.md §1.4), so without help a folder copy
can only show progress in files, and the bar stalls while one large file copies. Right after
a submit (never before it) the chosen folders are walked with ``recursive_ls`` — no depth
limit, a few folders at once, one rate limiter shared by every scan — and the sizes of chosen
files come from the pane that listed them (or from a listing of their folder). The sum goes
to the task monitor, which then derives percent, rate and ETA from bytes.

A scan that cannot finish (permission, consent, network, login) changes nothing: the task
keeps its files-based progress and the reason is logged. A scan ends with its task.
"""

from __future__ import annotations

import logging
import posixpath
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from textual.app import App
from textual.worker import Worker, get_current_worker

from gtui.core.errors import GlobusError
from gtui.core.models import FileEntry
from gtui.core.recursive import RateLimiter, recursive_ls
from gtui.core.transfer import TransferClient

log = logging.getLogger(__name__)

UNLIMITED_DEPTH = 1_000_000
SCAN_CONCURRENCY = 4
SCAN_CALLS_PER_SECOND = 20.0
LS_PARAMS = {"show_hidden": True}


@dataclass(frozen=True)
class SizingItem:
    """One submitted source path: a folder to walk, or a file whose size may be known."""

    path: str
    recursive: bool | None = None
    size: int | None = None


def sizing_items(document: Mapping[str, Any], known_sizes: Mapping[str, int]) -> list[SizingItem]:
    """The source paths of a transfer document, with the sizes already known by path."""
    items = []
    for item in document.get("DATA") or []:
        if not isinstance(item, Mapping) or item.get("DATA_TYPE") != "transfer_item":
            continue
        path = item.get("source_path")
        if not isinstance(path, str) or not path:
            continue
        recursive = item.get("recursive")
        recursive = recursive if isinstance(recursive, bool) else None
        size = None if recursive else known_sizes.get(path)
        items.append(SizingItem(path, recursive, size))
    return items


async def _walk_size(
    client: TransferClient, endpoint_id: str, folder: str, limiter: RateLimiter
) -> int:
    total = 0
    async for entry in recursive_ls(
        client,
        endpoint_id,
        folder,
        max_depth=UNLIMITED_DEPTH,
        ls_params=LS_PARAMS,
        concurrency=SCAN_CONCURRENCY,
        rate_limiter=limiter,
        on_error="raise",
    ):
        if isinstance(entry, FileEntry) and entry.type == "file":
            total += max(int(entry.size or 0), 0)
    return total


async def scan_total_bytes(
    client: TransferClient, endpoint_id: str, items: Iterable[SizingItem], *, limiter: RateLimiter
) -> int:
    """The bytes under ``items``: known sizes, then one listing per folder of unknown files.

    Raises the ``GlobusError`` of the first call that fails: a partial sum would not be a total.
    """
    total = 0
    folders: list[str] = []
    unknown: dict[str, set[str]] = defaultdict(set)
    for item in items:
        if item.recursive:
            folders.append(item.path)
        elif item.size is not None:
            total += max(item.size, 0)
        else:
            stripped = item.path.rstrip("/") or "/"
            parent, name = posixpath.split(stripped)
            unknown[parent or "/"].add(name)
    for parent, names in unknown.items():
        async for entry in recursive_ls(
            client,
            endpoint_id,
            parent,
            max_depth=0,
            ls_params=LS_PARAMS,
            rate_limiter=limiter,
            on_error="raise",
        ):
            if not isinstance(entry, FileEntry) or entry.name not in names:
                continue
            if entry.type == "file":
                total += max(int(entry.size or 0), 0)
            elif entry.is_dir and not entry.is_symlink:
                folders.append(posixpath.join(parent, entry.name) + "/")
    for folder in folders:
        total += await _walk_size(client, endpoint_id, folder, limiter)
    return total


class SizingScans:
    """The running scans, one per task, and the ids of the tasks still being sized.

    ``host`` runs the scans as workers (so they end with the app); ``on_total`` receives each
    total found and ``on_change`` is told when a task starts or stops being sized.
    """

    def __init__(
        self,
        host: App[int],
        transfer: TransferClient,
        *,
        on_total: Callable[[str, int], None],
        on_change: Callable[[str], None],
        limiter: RateLimiter | None = None,
    ) -> None:
        self.host = host
        self.transfer = transfer
        self.on_total = on_total
        self.on_change = on_change
        self.limiter = limiter or RateLimiter(SCAN_CALLS_PER_SECOND, burst=SCAN_CONCURRENCY)
        self.sizing: set[str] = set()
        self.failed: dict[str, str] = {}
        self._workers: dict[str, Worker[None]] = {}

    def start(self, task_id: str, endpoint_id: str, items: list[SizingItem]) -> None:
        """Size ``items`` for ``task_id``; with every size already known, at once."""
        if not items:
            return
        if all(not item.recursive and item.size is not None for item in items):
            self.on_total(task_id, sum(max(item.size or 0, 0) for item in items))
            return
        self.cancel(task_id)
        self.sizing.add(task_id)
        self._workers[task_id] = self.host.run_worker(
            self._scan(task_id, endpoint_id, items),
            name=f"sizing {task_id}",
            group="sizing",
            exit_on_error=False,
        )

    def scan_of(self, task_id: str) -> Worker[None] | None:
        """The worker sizing ``task_id``, while it runs."""
        return self._workers.get(task_id)

    def cancel(self, task_id: str) -> None:
        """Stop sizing ``task_id`` (it finished, or was cancelled)."""
        worker = self._workers.pop(task_id, None)
        if worker is not None:
            worker.cancel()
        if task_id in self.sizing:
            self.sizing.discard(task_id)
            self.on_change(task_id)

    async def _scan(self, task_id: str, endpoint_id: str, items: list[SizingItem]) -> None:
        try:
            total = await scan_total_bytes(self.transfer, endpoint_id, items, limiter=self.limiter)
        except GlobusError as exc:
            self.failed[task_id] = str(exc)
            log.info("could not size task %s, progress stays in files: %s", task_id, exc)
        else:
            log.info("task %s: %d bytes to transfer at most", task_id, total)
            self.on_total(task_id, total)
        finally:
            if self._workers.get(task_id) is get_current_worker():
                self._workers.pop(task_id, None)
                self.sizing.discard(task_id)
                self.on_change(task_id)

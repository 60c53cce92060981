"""What every task's job shares: counters, events, retries, skipped errors, stopping.

A job runs one task to its end in a worker thread. It moves the task's counters as it goes,
records events, retries failing paths (counting faults) until they work or the task is
stopped, and raises ``Stopped`` when cancel, the deadline or shutdown ends it early. Before it
touches a path it asks the access policy (``access``, given by the engine) whether the task's
owner may: a refused path is never retried; it fails the task with a PERMISSION_DENIED event
(or is skipped, on the source side, with ``skip_source_errors``).
"""

from __future__ import annotations

import json
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gtui.sim.errors import SimAPIError
from gtui.sim.settings import SimSettings
from gtui.sim.transfer.copier import Stopped
from gtui.sim.transfer.model import Task, iso_time
from gtui.sim.transfer.paths import globus_path_of, resolve
from gtui.sim.world import Collection

if TYPE_CHECKING:
    from gtui.sim.transfer.access_policy import AccessPolicy

RETRY_INITIAL_SECONDS = 0.5
RETRY_MAX_SECONDS = 10.0


class Fatal(Exception):
    """An error that ends the task at once (a quota error with fail_on_quota_errors)."""

    def __init__(self, code: str, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


class OpError(Exception):
    def __init__(self, code: str, details: str, *, source_side: bool) -> None:
        super().__init__(details)
        self.code = code
        self.details = details
        self.source_side = source_side


class AccessDenied(OpError):
    """The collection's access rules do not let the task's owner use a path (final)."""

    def __init__(self, details: str, *, source_side: bool) -> None:
        super().__init__("PERMISSION_DENIED", details, source_side=source_side)


def classify(exc: OSError, *, source_side: bool) -> OpError:
    if isinstance(exc, FileNotFoundError):
        return OpError(
            "FILE_NOT_FOUND", f"No such file or directory: {exc.filename}", source_side=source_side
        )
    if isinstance(exc, PermissionError):
        return OpError(
            "PERMISSION_DENIED", f"Permission denied: {exc.filename}", source_side=source_side
        )
    if exc.errno in (28, 122):
        return OpError(
            "QUOTA_EXCEEDED", f"No space left or quota exceeded: {exc.strerror}", source_side=False
        )
    return OpError("GENERAL_ERROR", f"{exc.strerror or exc}", source_side=source_side)


class Job(ABC):
    """What transfers and deletes share: counters, events, retries, stopping, access."""

    # Who may use which path of a collection; None (a job made outside an engine) allows all.
    access: AccessPolicy | None = None

    def __init__(
        self,
        task: Task,
        settings: SimSettings,
        stop: threading.Event,
        on_change: Callable[[], None],
    ) -> None:
        self.task = task
        self.settings = settings
        self.stop = stop
        self.on_change = on_change
        self.started = time.monotonic()

    @abstractmethod
    def run(self) -> None:
        """Run the task to its end (in a worker thread); raises Stopped or Fatal to end early."""

    def bump(self, **deltas: int) -> None:
        with self.task.lock:
            doc = self.task.doc
            for name, delta in deltas.items():
                doc[name] += delta
            elapsed = max(time.monotonic() - self.started, 1e-3)
            doc["effective_bytes_per_second"] = int(doc["bytes_transferred"] / elapsed)
        self.on_change()

    def set_status(self, **fields: Any) -> None:
        with self.task.lock:
            self.task.doc.update(fields)
        self.on_change()

    def check_stop(self) -> None:
        if self.stop.is_set():
            raise Stopped()

    def retrying(
        self,
        action: Callable[[], None],
        *,
        source_path: str,
        destination_path: str,
        is_directory: bool = False,
    ) -> bool:
        """Run ``action`` until it works; False when its source error was skipped instead."""
        delay = RETRY_INITIAL_SECONDS
        retried = False
        while True:
            self.check_stop()
            try:
                action()
            except AccessDenied as err:
                self.refuse(err, source_path, destination_path, is_directory=is_directory)
                if retried:
                    self.bump(subtasks_retrying=-1)
                return False
            except OpError as err:
                if err.code == "QUOTA_EXCEEDED" and self.task.doc.get("fail_on_quota_errors"):
                    raise Fatal(err.code, err.details) from None
                if err.source_side and self.task.doc.get("skip_source_errors"):
                    self.skip(
                        err.code,
                        err.details,
                        source_path,
                        destination_path,
                        is_directory=is_directory,
                    )
                    if retried:
                        self.bump(subtasks_retrying=-1)
                    return False
                self.fault(err.code, err.details, source_path)
                if not retried:
                    self.bump(subtasks_retrying=1)
                    retried = True
                if self.stop.wait(delay):
                    raise Stopped() from None
                delay = min(delay * 2, RETRY_MAX_SECONDS)
                continue
            if retried:
                self.bump(subtasks_retrying=-1)
                self.set_status(
                    is_ok=True,
                    nice_status="OK",
                    nice_status_short_description="OK",
                    nice_status_details=None,
                )
            return True

    def require(
        self,
        collection: Collection,
        path: str,
        need: str,
        *,
        source_side: bool,
        real: Path | None = None,
    ) -> None:
        """Raise AccessDenied unless the task's owner may ``need`` (``r``/``rw``) a Globus
        path (and the one its symlinks lead to, given its ``real`` path). A path the service
        refuses by fault (``--deny-path``) is refused here too, inside recursive items."""
        if self.settings.faults.is_denied(collection.id, path):
            raise AccessDenied(f"Permission denied: {path}", source_side=source_side)
        if self.access is None:
            return
        limits = self.access.restrictions(collection, self.task.owner_id)
        if limits is None:
            return
        denial = self.access.refusal(collection, limits, path, need)
        if denial is None and real is not None:
            led_to = globus_path_of(collection, real)
            if led_to is not None and led_to != path:
                denial = self.access.refusal(collection, limits, led_to, need)
        if denial is not None:
            raise AccessDenied(denial, source_side=source_side)

    def refuse(
        self,
        err: AccessDenied,
        source_path: str,
        destination_path: str,
        *,
        is_directory: bool = False,
    ) -> None:
        """A refused path: skipped on the source side with ``skip_source_errors``, else the
        task fails (PERMISSION_DENIED event, then Fatal): retrying cannot change a rule."""
        if err.source_side and self.task.doc.get("skip_source_errors"):
            self.skip(
                err.code, err.details, source_path, destination_path, is_directory=is_directory
            )
            return
        self.fault(err.code, err.details, source_path if err.source_side else destination_path)
        raise Fatal(err.code, err.details)

    def fault(self, code: str, details: str, path: str) -> None:
        description = {
            "FILE_NOT_FOUND": "file not found",
            "PERMISSION_DENIED": "permission denied",
            "QUOTA_EXCEEDED": "quota exceeded",
            "CHECKSUM_MISMATCH": "checksum verification failed",
        }.get(code, code.lower().replace("_", " "))
        self.task.add_event(
            code, description, json.dumps({"path": path, "details": details}), is_error=True
        )
        self.bump(faults=1)
        self.set_status(
            is_ok=False,
            nice_status=code,
            nice_status_short_description=description,
            nice_status_details=details,
        )

    def skip(
        self,
        code: str,
        details: str,
        source_path: str,
        destination_path: str,
        *,
        is_directory: bool = False,
        is_symlink: bool = False,
    ) -> None:
        self.task.add_skipped(
            {
                "source_path": source_path,
                "destination_path": destination_path,
                "error_code": code,
                "error_details": details,
                "error_time": iso_time(),
                "is_directory": is_directory,
                "is_symlink": is_symlink,
                "is_delete_destination_extra": False,
                "external_checksum": None,
                "checksum_algorithm": None,
            }
        )
        self.bump(
            files_skipped=0 if is_directory else 1, subtasks_skipped_errors=1, subtasks_pending=-1
        )

    def resolve_or_error(self, collection: Collection, path: str, *, follow: bool = True) -> Path:
        try:
            return resolve(collection, path, self.settings.faults, follow_final_symlink=follow).real
        except SimAPIError as exc:
            raise OpError("PERMISSION_DENIED", exc.message, source_side=True) from None

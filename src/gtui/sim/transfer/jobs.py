"""Run one task to its end in a worker thread: transfers copy, deletes remove.

A job moves the task's counters as it goes, records events, retries failing paths (counting
faults) until they work or the task is stopped, and returns how the task ended. Stopping
(cancel, deadline, shutdown) is signalled through ``stop`` and noticed within one chunk.
"""

from __future__ import annotations

import fnmatch
import json
import os
import shutil
import stat
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gtui.sim.errors import SimAPIError
from gtui.sim.settings import SimSettings
from gtui.sim.transfer.copier import ChecksumMismatch, Stopped, Throttle, copy_file, file_md5
from gtui.sim.transfer.listing import readable
from gtui.sim.transfer.model import Task, iso_time
from gtui.sim.transfer.paths import resolve
from gtui.sim.transfer.plan import Op, Plan, PlanError, Planner, rule_allows
from gtui.sim.world import Collection

RETRY_INITIAL_SECONDS = 0.5
RETRY_MAX_SECONDS = 10.0
SOURCE_ERRORS = ("FILE_NOT_FOUND", "PERMISSION_DENIED", "NOT_A_DIRECTORY", "IS_A_DIRECTORY")


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


def _classify(exc: OSError, *, source_side: bool) -> OpError:
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


class Job:
    """What transfers and deletes share: counters, events, retries, stopping."""

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


class TransferJob(Job):
    """Copies a transfer task's items from the source collection to the destination."""

    def __init__(
        self,
        task: Task,
        settings: SimSettings,
        stop: threading.Event,
        on_change: Callable[[], None],
        source: Collection,
        destination: Collection,
    ) -> None:
        super().__init__(task, settings, stop, on_change)
        self.source = source
        self.destination = destination
        self.throttle = Throttle(lambda: settings.throttle_bytes_per_second, stop)

    def run(self) -> None:
        plan = Plan()
        planner = Planner(self.source, self.task.doc)
        for item in self.task.spec["items"]:
            self.check_stop()
            self._plan_item(planner, plan, item)
        self._count(plan)
        for error in plan.errors:
            self._planned_error(error, planner)
        for op in plan.ops:
            self.check_stop()
            self._run_op(op)
        if self.task.doc.get("delete_destination_extra"):
            for _src, dst in plan.roots:
                self._delete_extra(dst, plan)

    def _plan_item(self, planner: Planner, plan: Plan, item: dict[str, Any]) -> None:
        src_path, dst_path = item["source_path"], item["destination_path"]

        def resolve_both() -> tuple[Path, Path]:
            is_link_item = item.get("DATA_TYPE") == "transfer_symlink_item"
            src = self.resolve_or_error(self.source, src_path, follow=not is_link_item)
            try:
                dst = self.resolve_or_error(self.destination, dst_path)
            except OpError as err:
                raise OpError(err.code, err.details, source_side=False) from None
            return src, dst

        try:
            src, dst = resolve_both()
        except OpError as err:
            plan.errors.append(PlanError(err.code, src_path, dst_path, err.details, item=item))
            return
        planner.add_item(plan, item, src, dst)

    def _planned_error(self, error: PlanError, planner: Planner) -> None:
        """Retry a path that could not be read: plan it again, and run it once it works."""

        def attempt() -> None:
            sub = Plan()
            self._plan_item(planner, sub, error.item)
            if sub.errors:
                first = sub.errors[0]
                raise OpError(first.code, first.details, source_side=True)
            self._count(sub)
            for op in sub.ops:
                self._run_op(op)

        done = self.retrying(
            attempt,
            source_path=error.source_path,
            destination_path=error.destination_path,
            is_directory=error.is_directory,
        )
        if done:
            self.bump(subtasks_pending=-1, subtasks_succeeded=1)

    def _count(self, plan: Plan) -> None:
        files = sum(1 for op in plan.ops if op.kind == "file")
        dirs = sum(1 for op in plan.ops if op.kind == "mkdir")
        total = len(plan.ops) + len(plan.errors)
        self.bump(
            files=files,
            directories=dirs,
            symlinks=plan.symlinks,
            subtasks_total=total,
            subtasks_pending=total,
        )

    def _run_op(self, op: Op) -> None:
        actions = {"mkdir": self._mkdir, "file": self._copy, "link": self._make_link}
        done = self.retrying(
            lambda: actions[op.kind](op),
            source_path=op.source_path,
            destination_path=op.destination_path,
            is_directory=op.kind == "mkdir",
        )
        if done:
            self.bump(subtasks_pending=-1, subtasks_succeeded=1)

    def _mkdir(self, op: Op) -> None:
        try:
            if op.destination.is_dir() and not op.destination.is_symlink():
                return
            if os.path.lexists(op.destination):
                os.unlink(op.destination)
            os.makedirs(op.destination, exist_ok=True)
        except OSError as exc:
            raise _classify(exc, source_side=False) from None

    def _make_link(self, op: Op) -> None:
        try:
            if os.path.lexists(op.destination):
                if os.path.islink(op.destination) and os.readlink(op.destination) == op.link_target:
                    return
                os.unlink(op.destination)
            os.symlink(op.link_target or "", op.destination)
        except OSError as exc:
            raise _classify(exc, source_side=False) from None

    def _needs_copy(self, op: Op) -> bool:
        level = self.task.doc.get("sync_level")
        if level is None:
            return True
        try:
            dst = os.stat(op.destination)
        except OSError:
            return True
        if level == 0:
            return False
        if level == 1:
            return dst.st_size != op.size
        if level == 2:
            return int(op.mtime) > int(dst.st_mtime) or dst.st_size != op.size
        if dst.st_size != op.size:
            return True
        checksummed = lambda n: self.bump(bytes_checksummed=n)  # noqa: E731
        return file_md5(op.source, self.stop, checksummed) != file_md5(
            op.destination, self.stop, checksummed
        )

    def _copy(self, op: Op) -> None:
        try:
            st = os.stat(op.source)
        except OSError as exc:
            raise _classify(exc, source_side=True) from None
        if not readable(st.st_mode):
            raise OpError(
                "PERMISSION_DENIED", f"Permission denied: {op.source_path}", source_side=True
            )
        try:
            if not self._needs_copy(op):
                self.bump(files_skipped=1)
                return
        except OSError as exc:
            raise _classify(exc, source_side=True) from None
        try:
            op.destination.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _classify(exc, source_side=False) from None
        copied = 0

        def on_bytes(count: int) -> None:
            nonlocal copied
            copied += count
            self.bump(bytes_transferred=count)

        verify = bool(self.task.doc.get("verify_checksum"))
        try:
            checksum = copy_file(
                op.source,
                op.destination,
                throttle=self.throttle,
                stop=self.stop,
                on_bytes=on_bytes,
                on_checksummed=lambda n: self.bump(bytes_checksummed=n),
                checksum=verify or bool(op.external_checksum),
                verify=verify,
                mtime=st.st_mtime if self.task.doc.get("preserve_timestamp") else None,
            )
        except ChecksumMismatch as exc:
            self.bump(bytes_transferred=-copied)
            raise OpError("CHECKSUM_MISMATCH", str(exc), source_side=False) from None
        except OSError as exc:
            self.bump(bytes_transferred=-copied)
            source_side = exc.filename in (str(op.source), op.source)
            raise _classify(exc, source_side=source_side) from None
        except Stopped:
            self.bump(bytes_transferred=-copied)
            raise
        if op.external_checksum and checksum and op.external_checksum.lower() != checksum:
            raise OpError(
                "CHECKSUM_MISMATCH", "the file does not match external_checksum", source_side=True
            )
        self.bump(files_transferred=1)
        self.task.add_successful(op.source_path, op.destination_path)

    def _delete_extra(self, dst_root: Path, plan: Plan) -> None:
        rules = self.task.doc.get("filter_rules")
        for folder, kept in plan.kept.items():
            if not str(folder).startswith(str(dst_root)):
                continue
            try:
                names = os.listdir(folder)
            except OSError:
                continue
            for name in names:
                target = folder / name
                if name in kept or name.endswith(".gtui-part"):
                    continue
                is_dir = target.is_dir() and not target.is_symlink()
                if not rule_allows(rules, name, is_dir):
                    continue
                if is_dir:
                    shutil.rmtree(target, ignore_errors=True)
                else:
                    target.unlink(missing_ok=True)


class DeleteJob(Job):
    """Removes a delete task's items (symlinks are removed, never followed)."""

    def __init__(
        self,
        task: Task,
        settings: SimSettings,
        stop: threading.Event,
        on_change: Callable[[], None],
        endpoint: Collection,
    ) -> None:
        super().__init__(task, settings, stop, on_change)
        self.endpoint = endpoint

    def run(self) -> None:
        items = self._expand(self.task.spec["items"])
        self.bump(subtasks_total=len(items), subtasks_pending=len(items))
        for path in items:
            self.check_stop()
            done = self.retrying(
                lambda p=path: self._delete(p), source_path=path, destination_path=path
            )
            if done:
                self.bump(subtasks_pending=-1, subtasks_succeeded=1)

    def _expand(self, items: list[dict[str, Any]]) -> list[str]:
        paths: list[str] = []
        for item in items:
            path = item["path"]
            name = path.rstrip("/").rsplit("/", 1)[-1]
            if self.task.spec.get("interpret_globs") and any(c in name for c in "*?["):
                parent = path.rstrip("/").rsplit("/", 1)[0] or "/"
                try:
                    folder = self.resolve_or_error(self.endpoint, parent)
                    names = sorted(os.listdir(folder))
                except (OpError, OSError):
                    names = []
                paths.extend(
                    parent.rstrip("/") + "/" + n for n in names if fnmatch.fnmatchcase(n, name)
                )
            else:
                paths.append(path)
        return paths

    def _delete(self, path: str) -> None:
        real = self.resolve_or_error(self.endpoint, path, follow=False)
        try:
            st = os.lstat(real)
        except FileNotFoundError:
            if self.task.spec.get("ignore_missing"):
                return
            raise OpError(
                "FILE_NOT_FOUND", f"No such file or directory: {path}", source_side=False
            ) from None
        if not stat.S_ISDIR(st.st_mode):
            try:
                os.unlink(real)
            except OSError as exc:
                raise _classify(exc, source_side=False) from None
            self.bump(files=1)
            return
        if not self.task.spec.get("recursive"):
            raise OpError(
                "IS_A_DIRECTORY",
                f"{path} is a directory; deleting it needs recursive",
                source_side=False,
            )
        self._delete_tree(real)

    def _delete_tree(self, real: Path) -> None:
        for current, dirs, files in os.walk(real, topdown=False):
            self.check_stop()
            for name in files:
                try:
                    os.unlink(os.path.join(current, name))
                except OSError as exc:
                    raise _classify(exc, source_side=False) from None
                self.bump(files=1)
            for name in dirs:
                full = os.path.join(current, name)
                try:
                    if os.path.islink(full):
                        os.unlink(full)
                        self.bump(files=1)
                    else:
                        os.rmdir(full)
                        self.bump(directories=1)
                except OSError as exc:
                    raise _classify(exc, source_side=False) from None
        try:
            os.rmdir(real)
        except OSError as exc:
            raise _classify(exc, source_side=False) from None
        self.bump(directories=1)

"""Transfer jobs: plan the items, then create folders, copy files and make links."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from gtui.sim.settings import SimSettings
from gtui.sim.transfer.access_policy import READ, WRITE
from gtui.sim.transfer.copier import ChecksumMismatch, Stopped, Throttle, copy_file, file_md5
from gtui.sim.transfer.jobs import AccessDenied, Job, OpError, classify
from gtui.sim.transfer.listing import readable
from gtui.sim.transfer.model import Task
from gtui.sim.transfer.paths import globus_path_of
from gtui.sim.transfer.plan import Op, Plan, PlanError, Planner, rule_allows
from gtui.sim.world import Collection

COPY_THREADS = 2


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
            if self._item_allowed(item):
                self._plan_item(planner, plan, item)
        self._count(plan)
        for error in plan.errors:
            self._planned_error(error, planner)
        self._run_ops(plan.ops)
        if self.task.doc.get("delete_destination_extra"):
            for _src, dst in plan.roots:
                self._delete_extra(dst, plan)

    def _item_allowed(self, item: dict[str, Any]) -> bool:
        """Whether the owner may read the item's source and write its destination; a refused
        item fails the task (or is skipped, on the source side, with skip_source_errors)."""
        src_path, dst_path = item["source_path"], item["destination_path"]
        try:
            self.require(self.source, src_path, READ, source_side=True)
            self.require(self.destination, dst_path, WRITE, source_side=False)
        except AccessDenied as err:
            self.bump(subtasks_total=1, subtasks_pending=1)
            self.refuse(err, src_path, dst_path)
            return False
        return True

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

    def _run_ops(self, ops: list[Op]) -> None:
        """Folders and links in plan order, then files ``COPY_THREADS`` at a time, smallest first.

        A small file's copy is mostly system calls (create, copy, rename) that release the
        interpreter lock, so copying a few at once overlaps them; one file at a time made a
        tree of 2,000 files copy at 0.67x the speed of ``cp -r``.
        """
        files = []
        for op in ops:
            if op.kind == "file":
                files.append(op)
                continue
            self.check_stop()
            self._run_op(op)
        if len(files) < 2:
            for op in files:
                self.check_stop()
                self._run_op(op)
            return
        # Smallest first: their creates and renames then run before the big files fill the
        # page cache, instead of queueing behind the file system's journal while it writes
        # those pages back (1 GiB tree: 1.86 s -> 1.30-1.42 s).
        files.sort(key=lambda op: op.size or 0)
        with ThreadPoolExecutor(COPY_THREADS, thread_name_prefix="transfer-copy") as pool:
            futures = [pool.submit(self._run_op, op) for op in files]
            try:
                for future in futures:
                    future.result()
            except BaseException:
                for future in futures:
                    future.cancel()
                raise

    def _run_op(self, op: Op) -> None:
        actions = {"mkdir": self._mkdir, "file": self._copy, "link": self._make_link}

        def act() -> None:
            self._require_op(op)
            actions[op.kind](op)

        done = self.retrying(
            act,
            source_path=op.source_path,
            destination_path=op.destination_path,
            is_directory=op.kind == "mkdir",
        )
        if done:
            self.bump(subtasks_pending=-1, subtasks_succeeded=1)

    def _require_op(self, op: Op) -> None:
        """The access rules, checked again for every step: one may change mid-task."""
        if op.kind == "file":
            self.require(self.source, op.source_path, READ, source_side=True, real=op.source)
        elif op.kind == "link":
            self.require(self.source, op.source_path, READ, source_side=True)
        self.require(
            self.destination, op.destination_path, WRITE, source_side=False, real=op.destination
        )

    def _mkdir(self, op: Op) -> None:
        try:
            if op.destination.is_dir() and not op.destination.is_symlink():
                return
            if os.path.lexists(op.destination):
                os.unlink(op.destination)
            os.makedirs(op.destination, exist_ok=True)
        except OSError as exc:
            raise classify(exc, source_side=False) from None

    def _make_link(self, op: Op) -> None:
        try:
            if os.path.lexists(op.destination):
                if os.path.islink(op.destination) and os.readlink(op.destination) == op.link_target:
                    return
                os.unlink(op.destination)
            os.symlink(op.link_target or "", op.destination)
        except OSError as exc:
            raise classify(exc, source_side=False) from None

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
            raise classify(exc, source_side=True) from None
        if not readable(st.st_mode):
            raise OpError(
                "PERMISSION_DENIED", f"Permission denied: {op.source_path}", source_side=True
            )
        try:
            if not self._needs_copy(op):
                self.bump(files_skipped=1)
                return
        except OSError as exc:
            raise classify(exc, source_side=True) from None
        try:
            op.destination.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise classify(exc, source_side=False) from None
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
            raise classify(exc, source_side=source_side) from None
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
            folder_path = globus_path_of(self.destination, folder)
            for name in names:
                target = folder / name
                if name in kept or name.endswith(".gtui-part"):
                    continue
                is_dir = target.is_dir() and not target.is_symlink()
                if not rule_allows(rules, name, is_dir):
                    continue
                if folder_path is not None:
                    path = folder_path.rstrip("/") + "/" + name
                    try:
                        self.require(self.destination, path, WRITE, source_side=False)
                    except AccessDenied as err:
                        self.refuse(err, path, path, is_directory=is_dir)
                if is_dir:
                    shutil.rmtree(target, ignore_errors=True)
                else:
                    target.unlink(missing_ok=True)

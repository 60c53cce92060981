"""Expand a transfer's items into the folders, files and links to create at the destination.

Recursive items walk the source tree; filter rules decide per entry (the first rule whose
name glob and type match decides, anything unmatched is included); symlinks are ignored,
kept as links or copied as their targets, per ``recursive_symlinks``, and a link leading
outside the collection is never followed.
"""

from __future__ import annotations

import fnmatch
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gtui.sim.transfer.listing import readable
from gtui.sim.transfer.paths import is_inside_root
from gtui.sim.world import Collection


@dataclass
class Op:
    """One step of a transfer: ``mkdir``, ``file`` or ``link``."""

    kind: str
    source: Path
    destination: Path
    source_path: str
    destination_path: str
    size: int = 0
    mtime: float = 0.0
    link_target: str | None = None
    external_checksum: str | None = None


@dataclass
class PlanError:
    """A source path that could not be read (missing, unreadable, wrong kind)."""

    code: str
    source_path: str
    destination_path: str
    details: str
    is_directory: bool = False
    is_symlink: bool = False
    item: dict[str, Any] = field(default_factory=dict)


@dataclass
class Plan:
    ops: list[Op] = field(default_factory=list)
    errors: list[PlanError] = field(default_factory=list)
    symlinks: int = 0
    roots: list[tuple[Path, Path]] = field(default_factory=list)
    kept: dict[Path, set[str]] = field(default_factory=dict)


def rule_allows(rules: list[dict[str, Any]] | None, name: str, is_dir: bool) -> bool:
    """Whether the filter rules include an entry; the first matching rule decides."""
    for rule in rules or ():
        kind = rule.get("type")
        if kind == "dir" and not is_dir or kind == "file" and is_dir:
            continue
        if fnmatch.fnmatchcase(name, rule["name"]):
            return bool(rule["method"] == "include")
    return True


def _join(folder: str, name: str) -> str:
    return folder.rstrip("/") + "/" + name


class Planner:
    """Builds the plan of one transfer task on its two collections."""

    def __init__(self, source: Collection, options: dict[str, Any]) -> None:
        self.source = source
        self.rules = options.get("filter_rules")
        self.symlink_mode = options.get("recursive_symlinks") or "ignore"

    def add_item(self, plan: Plan, item: dict[str, Any], src: Path, dst: Path) -> None:
        before = len(plan.errors)
        self._add_item(plan, item, src, dst)
        for error in plan.errors[before:]:
            if not error.item:
                error.item = item

    def _add_item(self, plan: Plan, item: dict[str, Any], src: Path, dst: Path) -> None:
        src_path, dst_path = item["source_path"], item["destination_path"]
        if item.get("DATA_TYPE") == "transfer_symlink_item":
            self._link(plan, src, dst, src_path, dst_path)
            return
        try:
            st = os.stat(src)
        except FileNotFoundError:
            plan.errors.append(
                PlanError(
                    "FILE_NOT_FOUND", src_path, dst_path, f"No such file or directory: {src_path}"
                )
            )
            return
        except PermissionError:
            plan.errors.append(
                PlanError("PERMISSION_DENIED", src_path, dst_path, f"Permission denied: {src_path}")
            )
            return
        is_dir = stat.S_ISDIR(st.st_mode)
        recursive = item.get("recursive")
        if recursive is True and not is_dir:
            plan.errors.append(
                PlanError("NOT_A_DIRECTORY", src_path, dst_path, f"Not a directory: {src_path}")
            )
            return
        if recursive is False and is_dir:
            plan.errors.append(
                PlanError(
                    "IS_A_DIRECTORY",
                    src_path,
                    dst_path,
                    f"Is a directory (use recursive): {src_path}",
                    is_directory=True,
                )
            )
            return
        if not is_dir:
            plan.ops.append(
                Op(
                    "file",
                    src,
                    dst,
                    src_path,
                    dst_path,
                    st.st_size,
                    st.st_mtime,
                    external_checksum=item.get("external_checksum"),
                )
            )
            return
        plan.roots.append((src, dst))
        plan.ops.append(Op("mkdir", src, dst, src_path, dst_path, mtime=st.st_mtime))
        self._walk(plan, src, dst, src_path, dst_path, {os.path.realpath(src)})

    def _link(self, plan: Plan, src: Path, dst: Path, src_path: str, dst_path: str) -> None:
        try:
            target = os.readlink(src)
        except OSError:
            plan.errors.append(
                PlanError(
                    "FILE_NOT_FOUND",
                    src_path,
                    dst_path,
                    f"Not a symlink: {src_path}",
                    is_symlink=True,
                )
            )
            return
        plan.symlinks += 1
        plan.ops.append(Op("link", src, dst, src_path, dst_path, link_target=target))

    def _walk(
        self, plan: Plan, src: Path, dst: Path, src_path: str, dst_path: str, visiting: set[str]
    ) -> None:
        try:
            folder_mode = os.stat(src).st_mode
            if not readable(folder_mode):
                raise PermissionError(src_path)
            with os.scandir(src) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            code = "PERMISSION_DENIED" if isinstance(exc, PermissionError) else "FILE_NOT_FOUND"
            plan.errors.append(
                PlanError(
                    code,
                    src_path + "/",
                    dst_path + "/",
                    f"{exc.strerror or 'Cannot list'}: {src_path}/",
                    is_directory=True,
                    item={"source_path": src_path, "destination_path": dst_path, "recursive": True},
                )
            )
            return
        kept = plan.kept.setdefault(dst, set())
        for entry in entries:
            self._entry(plan, entry, src, dst, src_path, dst_path, visiting, kept)

    def _entry(
        self,
        plan: Plan,
        entry: os.DirEntry[str],
        src: Path,
        dst: Path,
        src_path: str,
        dst_path: str,
        visiting: set[str],
        kept: set[str],
    ) -> None:
        child_src, child_dst = src / entry.name, dst / entry.name
        child_src_path, child_dst_path = _join(src_path, entry.name), _join(dst_path, entry.name)
        try:
            is_link = entry.is_symlink()
            if is_link:
                if self.symlink_mode == "ignore":
                    return
                if self.symlink_mode == "keep":
                    if rule_allows(self.rules, entry.name, False):
                        kept.add(entry.name)
                        self._link(plan, child_src, child_dst, child_src_path, child_dst_path)
                    return
                if not is_inside_root(self.source, child_src):
                    return
            st = os.stat(child_src) if is_link else entry.stat(follow_symlinks=False)
        except OSError:
            return
        is_dir = stat.S_ISDIR(st.st_mode)
        if not rule_allows(self.rules, entry.name, is_dir):
            return
        kept.add(entry.name)
        if is_dir:
            real = os.path.realpath(child_src)
            if real in visiting:
                return
            plan.ops.append(
                Op(
                    "mkdir",
                    child_src,
                    child_dst,
                    child_src_path + "/",
                    child_dst_path + "/",
                    mtime=st.st_mtime,
                )
            )
            self._walk(
                plan, child_src, child_dst, child_src_path, child_dst_path, visiting | {real}
            )
        elif stat.S_ISREG(st.st_mode):
            plan.ops.append(
                Op(
                    "file",
                    child_src,
                    child_dst,
                    child_src_path,
                    child_dst_path,
                    st.st_size,
                    st.st_mtime,
                )
            )

"""Delete jobs: remove files and, with ``recursive``, whole folders (links are never followed)."""

from __future__ import annotations

import fnmatch
import functools
import os
import stat
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gtui.sim.settings import SimSettings
from gtui.sim.transfer.access_policy import WRITE
from gtui.sim.transfer.jobs import Job, OpError, classify
from gtui.sim.transfer.model import Task
from gtui.sim.world import Collection


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
                functools.partial(self._delete, path), source_path=path, destination_path=path
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
        self.require(self.endpoint, path, WRITE, source_side=False)
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
                raise classify(exc, source_side=False) from None
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
                    raise classify(exc, source_side=False) from None
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
                    raise classify(exc, source_side=False) from None
        try:
            os.rmdir(real)
        except OSError as exc:
            raise classify(exc, source_side=False) from None
        self.bump(directories=1)

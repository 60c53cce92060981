"""Temporary copies left by a service killed mid-copy, removed when the next one starts.

The copier writes each file under a hidden temporary name next to its destination
(``copier.part_path``: a dot, the file's name, a dot, eight random hex digits, then
``.gtui-part``) and renames it into place when done, or removes it when stopped; only a killed
process leaves one behind. At start, before the engine resumes anything, the destinations of
the transfers that were unfinished are searched for files
named exactly that way, and those are removed. Nothing else is touched, and no symlink is
followed out of a destination.
"""

from __future__ import annotations

import logging
import os
import re
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from gtui.sim.errors import SimAPIError
from gtui.sim.settings import FaultSettings
from gtui.sim.transfer.copier import PART_SUFFIX
from gtui.sim.transfer.model import Task
from gtui.sim.transfer.paths import is_inside_root, resolve
from gtui.sim.world import Collection

log = logging.getLogger(__name__)

PART_NAME = re.compile(r"\..+\.[0-9a-f]{8}" + re.escape(PART_SUFFIX))


def is_part_name(name: str) -> bool:
    """Whether ``name`` is one the copier gives a file while it is being written."""
    return PART_NAME.fullmatch(name) is not None


def remove_partial_files(
    tasks: Iterable[Task], collections: dict[str, Collection], faults: FaultSettings
) -> int:
    """Remove the copier's temporary files under the destinations of ``tasks``; returns how
    many were removed."""
    removed = 0
    for task in tasks:
        collection = collections.get(task.doc.get("destination_endpoint_id") or "")
        if task.doc["type"] != "TRANSFER" or collection is None:
            continue
        for item in task.spec.get("items", []):
            for path in _leftovers(collection, item["destination_path"], faults):
                try:
                    if stat.S_ISREG(os.lstat(path).st_mode):
                        path.unlink()
                        removed += 1
                except OSError:
                    continue
    if removed:
        log.info("removed %d unfinished copies left by the last run", removed)
    return removed


def _leftovers(collection: Collection, path: str, faults: FaultSettings) -> Iterator[Path]:
    """The files with temporary names under one destination: anywhere below a folder, or
    next to a file (for that file only)."""
    try:
        real = Path(os.path.realpath(resolve(collection, path, faults).real))
    except SimAPIError:
        return
    if real.is_dir():
        for current, _dirs, files in os.walk(real):
            yield from (Path(current, name) for name in files if is_part_name(name))
        return
    if not is_inside_root(collection, real.parent):
        return
    prefix = f".{real.name}."
    try:
        names = os.listdir(real.parent)
    except OSError:
        return
    yield from (real.parent / n for n in names if n.startswith(prefix) and is_part_name(n))

"""The transfer (and delete) that makes one side of a ``Comparison`` like the other.

The transfer lists exactly the entries that differ: files only on the source, newer on
either side or of another size, and a folder missing on the destination as one recursive
item. It has no ``sync_level``, so the service copies each listed item as it is (the compare
already decided), and ``preserve_timestamp`` so that comparing again shows the copies SAME.
Entries the compare could not vouch for (a type conflict, a link, a folder that could not be
listed) are never copied, and are counted in ``skipped``.

Extra entries on the destination are deleted by a separate delete task, because Globus's
``delete_destination_extra`` only acts inside recursive items: a transfer of single files
would never remove anything. A folder is deleted whole only when everything under it was
listed and is extra; a folder with an unlistable part is never deleted blind.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from gtui.core.compare import (
    ABSENT,
    FILE,
    FOLDER,
    LINK,
    Comparison,
    Diff,
    Place,
    minimal_folders,
)
from gtui.core.transfer_data import DeleteData, TransferData

Direction = Literal["left_to_right", "right_to_left"]

SKIP_REASONS: dict[Diff, str] = {
    Diff.TYPE_CONFLICT: "a file on one side and a folder on the other",
    Diff.NOT_COMPARABLE: "links, or in folders that could not be listed",
}
_CHANGED = (Diff.NEWER_LEFT, Diff.NEWER_RIGHT, Diff.SIZE_DIFFERS)
_UNITS = ("B", "kB", "MB", "GB", "TB", "PB")


class PlanError(ValueError):
    """No plan can be made (the source folder does not exist, say)."""


def size_words(size: int) -> str:
    """A decimal size such as ``3.2 GB``, as Globus reports them."""
    value = float(size)
    for unit in _UNITS:
        if abs(value) < 1000 or unit == _UNITS[-1]:
            return f"{int(value)} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} PB"  # pragma: no cover - the loop always returns


def _count(number: int, noun: str, nouns: str | None = None) -> str:
    return f"{number:,} {noun if number == 1 else (nouns or noun + 's')}"


@dataclass
class SyncPlan:
    """What a sync would do, and the task documents that do it (None when nothing to do).

    ``files``/``bytes`` are what the transfer copies; ``folders_created`` the folders it
    makes on the destination; ``delete_count`` the entries the delete removes (everything
    under a deleted folder included) and ``delete_paths`` its items, relative, folders with
    a trailing slash; ``kept_extra`` the entries only on the destination left in place;
    ``touched`` the folders to compare again once the tasks are done
    (``recompare_subtrees``).
    """

    direction: Direction
    source: Place
    destination: Place
    transfer: TransferData | None = None
    deletes: DeleteData | None = None
    files: int = 0
    bytes: int = 0
    folders_created: int = 0
    delete_count: int = 0
    delete_files: int = 0
    delete_bytes: int = 0
    delete_paths: list[str] = field(default_factory=list)
    kept_extra: int = 0
    skipped: dict[Diff, int] = field(default_factory=dict)
    touched: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return self.transfer is None and self.deletes is None

    def preview_lines(self, *, max_deletes: int = 50) -> list[str]:
        """The plan in words: what is copied, deleted, kept and skipped, and why."""
        lines: list[str] = []
        if self.transfer is not None:
            copy = f"Copy {_count(self.files, 'file')} ({size_words(self.bytes)})"
            if self.folders_created:
                copy += f", creating {_count(self.folders_created, 'folder')},"
            lines.append(f"{copy} to {self.destination.path}")
        else:
            lines.append("Nothing to copy.")
        if self.deletes is not None:
            lines.append(
                f"Delete {_count(self.delete_count, 'entry', 'entries')} "
                f"({_count(self.delete_files, 'file')}, {size_words(self.delete_bytes)}) "
                f"found only in {self.destination.path}:"
            )
            lines += [f"  - {path}" for path in self.delete_paths[:max_deletes]]
            if len(self.delete_paths) > max_deletes:
                lines.append(f"  … and {len(self.delete_paths) - max_deletes:,} more")
        if self.kept_extra:
            lines.append(
                f"Keep {_count(self.kept_extra, 'entry', 'entries')} found only in "
                f"{self.destination.path} (not deleted)."
            )
        for kind, reason in SKIP_REASONS.items():
            if self.skipped.get(kind):
                lines.append(f"Skip {_count(self.skipped[kind], 'entry', 'entries')}: {reason}.")
        lines.append("Sizes and modification times were compared, not contents.")
        return lines


def _selected(comparison: Comparison, selection: Iterable[int] | None) -> bytearray | None:
    """One byte per row, 1 when chosen; a chosen folder chooses everything under it."""
    if selection is None:
        return None
    chosen = bytearray(len(comparison))
    for index in selection:
        end = comparison.subtree_end(index)
        chosen[index:end] = b"\x01" * (end - index)
    return chosen


class _Planner:
    """Walks the chosen rows in tree order, building the two documents."""

    def __init__(
        self, comparison: Comparison, direction: Direction, plan: SyncPlan, label: str | None
    ) -> None:
        c = self.c = comparison
        self.plan = plan
        forward = direction == "left_to_right"
        self.only_source = Diff.ONLY_LEFT if forward else Diff.ONLY_RIGHT
        self.only_destination = Diff.ONLY_RIGHT if forward else Diff.ONLY_LEFT
        self.source_kind = c.left_kind if forward else c.right_kind
        self.source_size = c.left_size if forward else c.right_size
        self.destination_kind = c.right_kind if forward else c.left_kind
        self.destination_size = c.right_size if forward else c.left_size
        self.destination_exists = c.right_exists if forward else c.left_exists
        self.label = label
        self.items: list[tuple[str, bool]] = []
        self.delete_items: list[tuple[str, bool]] = []
        self.parents_seen: set[str] = set()
        self.touched: set[str] = set()

    def whole(self, index: int, end: int, kind: Diff, kinds: array[int]) -> bool:
        """Whether every row under ``index`` is ``kind`` (or a link, which a recursive copy
        ignores and a recursive delete removes), so the folder can go as one item."""
        rows = self.c.diff[index + 1 : end]
        if rows.count(kind) == len(rows):
            return True
        links = kinds[index + 1 : end]
        return all(
            d == kind or (d == Diff.NOT_COMPARABLE and k == LINK)
            for d, k in zip(rows, links, strict=True)
        )

    def note_parents(self, name: str) -> None:
        """Count the destination folders a new item at ``name`` makes appear."""
        if not self.destination_exists and not self.parents_seen:
            self.plan.folders_created += 1
            self.parents_seen.add("")
        parent = name.rpartition("/")[0]
        while parent and parent not in self.parents_seen:
            self.parents_seen.add(parent)
            index = self.c.index_of(parent)
            if index is not None and self.destination_kind[index] == ABSENT:
                self.plan.folders_created += 1
            parent = parent.rpartition("/")[0]

    def copy_folder(self, index: int, end: int) -> None:
        name = self.c.names[index]
        self.note_parents(name)
        self.items.append((name, True))
        self.touched.add(name)
        self.plan.folders_created += 1
        for row in range(index + 1, end):
            kind = self.source_kind[row]
            if self.c.diff[row] != self.only_source:
                self._skip(Diff.NOT_COMPARABLE)
            elif kind == FOLDER:
                self.plan.folders_created += 1
            elif kind == FILE:
                self.plan.files += 1
                self.plan.bytes += max(self.source_size[row], 0)

    def copy_file(self, index: int) -> None:
        name = self.c.names[index]
        self.note_parents(name)
        self.items.append((name, False))
        self.touched.add(name.rpartition("/")[0])
        self.plan.files += 1
        self.plan.bytes += max(self.source_size[index], 0)

    def delete(self, index: int, end: int) -> None:
        name = self.c.names[index]
        folder = self.destination_kind[index] == FOLDER
        self.delete_items.append((name, folder))
        self.touched.add(name if folder else name.rpartition("/")[0])
        for row in range(index, end):
            self.plan.delete_count += 1
            if self.destination_kind[row] in (FILE, LINK):
                self.plan.delete_files += 1
                self.plan.delete_bytes += max(self.destination_size[row], 0)

    def _skip(self, kind: Diff) -> None:
        self.plan.skipped[kind] = self.plan.skipped.get(kind, 0) + 1

    def run(self, chosen: bytearray | None, delete_extra: bool) -> None:
        c, index, count = self.c, 0, len(self.c)
        while index < count:
            if chosen is not None and not chosen[index]:
                index += 1
                continue
            diff = c.diff[index]
            if diff == self.only_source and self.source_kind[index] == FOLDER:
                end = c.subtree_end(index)
                if self.whole(index, end, self.only_source, self.source_kind):
                    self.copy_folder(index, end)
                    index = end
                    continue
                # Part of it could not be listed: copy the parts that could, one by one.
            elif diff == self.only_source or diff in _CHANGED:
                self.copy_file(index)
            elif diff == self.only_destination:
                end = c.subtree_end(index)
                if not delete_extra:
                    self.plan.kept_extra += end - index
                    index = end
                    continue
                is_folder = self.destination_kind[index] == FOLDER
                if not is_folder or self.whole(index, end, Diff(diff), self.destination_kind):
                    self.delete(index, end)
                    index = end
                    continue
            elif diff in SKIP_REASONS:
                self._skip(Diff(diff))
            index += 1

    def documents(self) -> tuple[TransferData | None, DeleteData | None]:
        source, destination = self.plan.source, self.plan.destination
        transfer = None
        if self.items:
            transfer = TransferData(
                source.collection_id,
                destination.collection_id,
                label=self.label,
                preserve_timestamp=True,
                recursive_symlinks="ignore",
            )
            for name, folder in self.items:
                transfer.add_item(
                    source.join(name, folder=folder),
                    destination.join(name, folder=folder),
                    recursive=folder,
                )
        deletes = None
        if self.delete_items:
            any_folder = any(folder for _, folder in self.delete_items)
            deletes = DeleteData(
                destination.collection_id,
                label=self.label,
                recursive=True if any_folder else None,
                ignore_missing=True,
            )
            for name, folder in self.delete_items:
                deletes.add_item(destination.join(name, folder=folder))
        return transfer, deletes


def plan_sync(
    comparison: Comparison,
    direction: Direction,
    *,
    selection: Iterable[int] | None = None,
    delete_extra: bool = False,
    label: str | None = None,
) -> SyncPlan:
    """Plan the tasks that copy what differs from one side to the other.

    ``selection`` restricts the plan to those rows (a chosen folder means everything under
    it). With ``delete_extra``, entries only on the destination are deleted by a second task.
    A pass over the rows in Python (~0.1 s per 100,000): from the app, run it off the loop.
    Raises ``PlanError`` when the source folder does not exist, so that a mistyped source
    can never plan the deletion of the whole destination.
    """
    if direction not in ("left_to_right", "right_to_left"):
        raise ValueError(f"direction must be left_to_right or right_to_left, not {direction!r}")
    forward = direction == "left_to_right"
    source, destination = (
        (comparison.left, comparison.right) if forward else (comparison.right, comparison.left)
    )
    if not (comparison.left_exists if forward else comparison.right_exists):
        raise PlanError(f"The source folder {source.path} does not exist.")
    plan = SyncPlan(direction, source, destination)
    planner = _Planner(comparison, direction, plan, label)
    planner.run(_selected(comparison, selection), delete_extra)
    plan.transfer, plan.deletes = planner.documents()
    plan.delete_paths = [name + ("/" if folder else "") for name, folder in planner.delete_items]
    plan.touched = minimal_folders(planner.touched)
    return plan

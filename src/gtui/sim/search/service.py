"""The Search service: indexes, their roles, the entries written into them, and tasks.

Every index is a row (``store.py``); the demo index's entries are the demo world's files
(built at start, ``index.py``) with what was ingested into it on top (an ingested entry with
the subject and entry id of a file's replaces it) and less what was deleted from it. Other
indexes hold only what was ingested.

Who may do what (principal URNs of the caller's identities and groups):

- anyone searches any index, and sees the entries whose ``visible_to`` names ``public`` or
  one of its principals; an index's ``owner`` and ``admin`` may bypass ``visible_to``;
- ``owner``, ``admin`` and ``writer`` ingest, delete subjects and entries, and read tasks;
- ``owner`` and ``admin`` delete by query and manage roles (only an ``owner`` grants or
  takes ``owner``, and an index keeps one); ``owner`` deletes and reopens the index;
- a new index is a trial index owned by its creator; one principal owns at most
  ``TRIAL_OWNER_LIMIT`` trial indexes.

Writes are tasks, as in Search: the request is checked, the task recorded (``PENDING``) and
its id answered; ``TASK_SECONDS`` later the task is done (``SUCCESS``, or ``FAILED``), in the
order tasks were submitted, and its entries are searchable. Tasks are run by a timer on the
event loop and, for any left over (a restart), by the next request: every route calls
``settle`` first, so what a finished task wrote is always seen.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from gtui.sim.errors import SimAPIError
from gtui.sim.search.results import Entry, Principals, matching_subjects, scroll_page, search_page
from gtui.sim.search.store import (
    GROUP_URN,
    IDENTITY_URN,
    IndexRow,
    RoleRow,
    SearchStore,
    TaskRow,
    entry_key,
)

if TYPE_CHECKING:
    from gtui.sim.database import Database
    from gtui.sim.world import World

log = logging.getLogger(__name__)

# Whether an identity is an active member of a group: (group_id, identity_id) -> bool.
MemberCheck = Callable[[str, str], bool]
GroupIds = Callable[[], list[str]]

ROLE_NAMES = ("owner", "admin", "writer")
WRITERS = frozenset(ROLE_NAMES)
ADMINS = frozenset({"owner", "admin"})
OWNERS = frozenset({"owner"})
OPEN = "open"
DELETE_PENDING = "delete-pending"
TRIAL_OWNER_LIMIT = 3
TRIAL_MAX_SIZE_MB = 1
TASK_SECONDS = 0.1
TASK_LIST_LIMIT = 1000
STATE_DESCRIPTIONS = {
    "PENDING": "Task pending",
    "PROGRESS": "Task in progress",
    "SUCCESS": "Task succeeded",
    "FAILED": "Task failed",
    "CANCELLED": "Task cancelled",
}


def forbidden(message: str) -> SimAPIError:
    return SimAPIError(403, "Forbidden.Generic", message)


def not_found(message: str) -> SimAPIError:
    return SimAPIError(404, "NotFound.Generic", message)


def no_such_index(index_id: str) -> SimAPIError:
    return SimAPIError(404, "NotFound.NoSuchIndex", f"There is no index named {index_id}")


def task_time(seconds: float | None = None) -> str:
    """A task date as Search writes it: ``2018-12-13T18:08:42.746911``."""
    moment = datetime.fromtimestamp(time.time() if seconds is None else seconds, UTC)
    return moment.replace(tzinfo=None).isoformat(timespec="microseconds")


def index_time() -> str:
    """An index or role date as Search writes it: ``2021-04-05 15:05:18``."""
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")


class IndexEntries:
    """One index's entries: ingested ones by (subject, entry id), and the demo files'."""

    def __init__(self, built: Callable[[], list[Entry]] | None = None) -> None:
        self.built = built
        self.stored: dict[tuple[str, str], Entry] = {}
        self.hidden: set[str] = set()
        self._merged: list[Entry] | None = None
        self._built_seen: list[Entry] | None = None

    def changed(self) -> None:
        self._merged = None

    def all(self) -> list[Entry]:
        """Every entry of the index, by subject."""
        built = self.built() if self.built is not None else []
        if self._merged is None or built is not self._built_seen:
            replaced = {subject for subject, key in self.stored if key == entry_key(None)}
            kept = [
                e for e in built if e["subject"] not in self.hidden and e["subject"] not in replaced
            ]
            merged = kept + list(self.stored.values())
            merged.sort(key=lambda e: e["subject"])
            self._merged, self._built_seen = merged, built
        return self._merged

    def built_subjects(self) -> set[str]:
        return {e["subject"] for e in (self.built() if self.built is not None else [])}


class SearchService:
    """Every index of the service, on the service database."""

    def __init__(
        self,
        db: Database,
        world: World,
        demo_entries: Callable[[], list[Entry]],
        demo_index_id: str,
        member_of: MemberCheck,
        group_ids: GroupIds,
    ) -> None:
        self.world = world
        self.store = SearchStore(db)
        self.demo_index_id = demo_index_id
        self.member_of = member_of
        self.group_ids = group_ids
        self._lock = threading.RLock()
        self.indexes: dict[str, IndexRow] = {i.id: i for i in self.store.indexes()}
        self.entries: dict[str, IndexEntries] = {
            i: IndexEntries(demo_entries if i == demo_index_id else None) for i in self.indexes
        }
        for index_id, entry in self.store.entries():
            self._entries_of(index_id).stored[(entry["subject"], entry_key(entry["entry_id"]))] = (
                entry
            )
        for index_id, subject in self.store.hidden():
            self._entries_of(index_id).hidden.add(subject)
        self._pending: list[TaskRow] = self.store.pending_tasks()
        self.settle()

    def _entries_of(self, index_id: str) -> IndexEntries:
        return self.entries.setdefault(index_id, IndexEntries())

    # -- who is asking ------------------------------------------------------------------------

    def principals(self, identity_id: str) -> frozenset[str]:
        """``public`` and the URNs of the caller's identities and of its groups."""
        identities = {identity_id, *(u.id for u in self.world.identity_set(identity_id))}
        groups = {
            GROUP_URN + g for g in self.group_ids() if any(self.member_of(g, i) for i in identities)
        }
        return frozenset({"public", *(IDENTITY_URN + i for i in identities), *groups})

    def roles_of(self, index_id: str, identity_id: str) -> set[str]:
        """The role names the caller holds on an index (directly or through a group)."""
        mine = self.principals(identity_id)
        return {r.role_name for r in self.store.roles(index_id) if r.principal in mine}

    def require(self, index_id: str, identity_id: str, allowed: frozenset[str], doing: str) -> None:
        """403 unless the caller holds one of the ``allowed`` roles on the index."""
        if not allowed & self.roles_of(index_id, identity_id):
            names = ", ".join(r for r in ROLE_NAMES if r in allowed)
            raise forbidden(f"You do not have permission to {doing}: it needs the {names} role")

    # -- indexes ------------------------------------------------------------------------------

    def index(self, index_id: str) -> IndexRow:
        found = self.indexes.get(index_id)
        if found is None:
            raise no_such_index(index_id)
        return found

    def open_index(self, index_id: str) -> IndexRow:
        """The index, if it is open (409 Conflict.IncompatibleIndexStatus otherwise)."""
        found = self.index(index_id)
        if found.status != OPEN:
            raise SimAPIError(
                409,
                "Conflict.IncompatibleIndexStatus",
                f"Index status ({found.status}) did not match required status for this "
                "operation: open",
            )
        return found

    def index_doc(self, index: IndexRow, permissions: list[str] | None = None) -> dict[str, Any]:
        entries = self.entries.get(index.id) or IndexEntries()
        everything = entries.all()
        size = sum(len(str(e["content"])) for e in everything) // 1_000_000
        doc: dict[str, Any] = {
            "@datatype": "GSearchIndex",
            "@version": "2017-09-01",
            "id": index.id,
            "display_name": index.display_name,
            "description": index.description,
            "creation_date": index.creation_date,
            "is_trial": index.is_trial,
            "subscription_id": index.subscription_id,
            "max_size_in_mb": index.max_size_in_mb,
            "size_in_mb": max(1, size) if everything and not index.is_trial else size,
            "num_subjects": len({e["subject"] for e in everything}),
            "num_entries": len(everything),
            "status": index.status,
        }
        if permissions is not None:
            doc["permissions"] = permissions
        return doc

    def permissions(self, index_id: str, identity_id: str) -> list[str]:
        held = self.roles_of(index_id, identity_id)
        return [r for r in ROLE_NAMES if r in held]

    def index_list(self, identity_id: str, wanted: set[str] | None) -> list[dict[str, Any]]:
        """The indexes where the caller holds a role (one of ``wanted``, when given); without a
        filter, also the demo index, which every caller may search."""
        docs = []
        for index in self.indexes.values():
            held = self.permissions(index.id, identity_id)
            shown = [r for r in held if r in wanted] if wanted is not None else held
            if shown or (wanted is None and index.id == self.demo_index_id):
                docs.append(self.index_doc(index, held))
        return docs

    def create_index(self, identity_id: str, display_name: str, description: str) -> IndexRow:
        owner = IDENTITY_URN + identity_id
        with self._lock:
            self._check_trial_limit(owner)
            index = IndexRow(
                str(uuid.uuid4()),
                display_name,
                description,
                index_time(),
                True,
                TRIAL_MAX_SIZE_MB,
                None,
                OPEN,
            )
            self.store.put_index(index, owner=owner)
            self.indexes[index.id] = index
            self.entries[index.id] = IndexEntries()
        return index

    def _check_trial_limit(self, principal: str) -> None:
        owned = [
            r
            for r in self.store.roles()
            if r.principal == principal
            and r.role_name == "owner"
            and (index := self.indexes.get(r.index_id)) is not None
            and index.is_trial
            and index.status == OPEN
        ]
        if len(owned) >= TRIAL_OWNER_LIMIT:
            raise SimAPIError(
                409,
                "Conflict.LimitExceeded",
                "Role limit exceeded",
                error_data={
                    "cause": (
                        "When creating an index, an 'owner' role is created automatically. "
                        "If this would exceed ownership limits, this error is raised instead."
                    ),
                    "constraint": (
                        "Cannot create more ownership roles on trial indices than the limit "
                        f"({TRIAL_OWNER_LIMIT})"
                    ),
                },
            )

    def update_index(self, index_id: str, changes: dict[str, str]) -> IndexRow:
        with self._lock:
            index = self.open_index(index_id)
            changed = dataclasses.replace(
                index,
                display_name=changes.get("display_name", index.display_name),
                description=changes.get("description", index.description),
            )
            self.store.put_index(changed)
            self.indexes[index_id] = changed
        return changed

    def set_status(self, index_id: str, status: str) -> None:
        """Mark an index for deletion (its pending tasks are cancelled) or reopen it."""
        with self._lock:
            index = self.index(index_id)
            required = OPEN if status == DELETE_PENDING else DELETE_PENDING
            if index.status != required:
                raise SimAPIError(
                    409,
                    "Conflict.IncompatibleIndexStatus",
                    f"Index status ({index.status}) did not match required status for this "
                    f"operation: {required}",
                )
            if status == DELETE_PENDING:
                self.store.cancel_tasks(index_id, task_time())
                self._pending = [t for t in self._pending if t.index_id != index_id]
            changed = dataclasses.replace(index, status=status)
            self.store.put_index(changed)
            self.indexes[index_id] = changed

    # -- roles --------------------------------------------------------------------------------

    def role_list(self, index_id: str) -> list[RoleRow]:
        return self.store.roles(index_id)

    def create_role(
        self, index_id: str, identity_id: str, principal: str, role_name: str
    ) -> RoleRow:
        with self._lock:
            index = self.open_index(index_id)
            if role_name == "owner":
                self.require(index_id, identity_id, OWNERS, "grant the owner role of this index")
                if index.is_trial:
                    self._check_trial_limit(principal)
            existing = self.store.roles(index_id)
            if any((r.principal, r.role_name) == (principal, role_name) for r in existing):
                raise SimAPIError(
                    409,
                    "Conflict.AlreadyExists",
                    f"{principal} already has the {role_name} role on this index",
                )
            return self.store.add_role(index_id, principal, role_name, index_time())

    def delete_role(self, index_id: str, identity_id: str, role_id: str) -> RoleRow:
        with self._lock:
            self.open_index(index_id)
            roles = self.store.roles(index_id)
            role = next((r for r in roles if r.id == role_id), None)
            if role is None:
                raise not_found(f"There is no role {role_id} on index {index_id}")
            if role.role_name == "owner":
                self.require(index_id, identity_id, OWNERS, "remove an owner of this index")
                if sum(r.role_name == "owner" for r in roles) <= 1:
                    raise SimAPIError(
                        409,
                        "Conflict.LastOwner",
                        "You cannot remove the last owner from an index",
                    )
            self.store.delete_role(role_id)
        return role

    # -- reading ------------------------------------------------------------------------------

    def visible_principals(self, index_id: str, identity_id: str, bypass: bool) -> Principals:
        """The caller's principals, or None (every entry) when an administrator bypasses
        ``visible_to``."""
        if bypass:
            self.require(index_id, identity_id, ADMINS, "bypass visible_to on this index")
            return None
        return self.principals(identity_id)

    def search(self, index_id: str, principals: Principals, query: dict[str, Any]) -> Any:
        self.open_index(index_id)
        return search_page(self.entries[index_id].all(), principals, query)

    def scroll(self, index_id: str, principals: Principals, query: dict[str, Any]) -> Any:
        self.open_index(index_id)
        return scroll_page(self.entries[index_id].all(), principals, query)

    def subject_entries(self, index_id: str, subject: str, principals: Principals) -> list[Entry]:
        """The subject's entries the caller may see (none: the subject is not there for it)."""
        self.open_index(index_id)
        return sorted(
            (
                e
                for e in self.entries[index_id].all()
                if e["subject"] == subject
                and (principals is None or not principals.isdisjoint(e["visible_to"]))
            ),
            key=lambda e: (e.get("entry_id") is not None, e.get("entry_id") or ""),
        )

    # -- tasks --------------------------------------------------------------------------------

    def submit(self, index_id: str, kind: str, payload: dict[str, Any]) -> TaskRow:
        """Record a task; it is done ``TASK_SECONDS`` from now (or at the next request)."""
        with self._lock:
            self.open_index(index_id)
            now = time.time()
            task = TaskRow(
                str(uuid.uuid4()),
                index_id,
                kind,
                "PENDING",
                task_time(now),
                None,
                None,
                None,
                payload,
                now + TASK_SECONDS,
            )
            self.store.add_task(task)
            self._pending.append(task)
        with contextlib.suppress(RuntimeError):  # no event loop: the next request settles
            asyncio.get_running_loop().call_later(TASK_SECONDS * 1.2, self._settle_later)
        return task

    def _settle_later(self) -> None:
        try:
            self.settle()
        except sqlite3.ProgrammingError:  # the service stopped (its database is closed)
            log.debug("search tasks left for the next start")

    def settle(self) -> None:
        """Do every task that is due, in the order they were submitted."""
        with self._lock:
            now = time.time()
            while self._pending and self._pending[0].due <= now:
                task = self._pending.pop(0)
                self._run(task)

    def _run(self, task: TaskRow) -> None:
        index = self.indexes.get(task.index_id)
        if index is None or index.status != OPEN or task.payload is None:
            self.store.finish_task(task.id, "FAILED", task_time(), message="The index is not open")
            return
        entries = self._entries_of(task.index_id)
        if task.kind == "ingest":
            self._ingest(task, entries)
        else:
            self._delete(task, entries)
        entries.changed()

    def _ingest(self, task: TaskRow, entries: IndexEntries) -> None:
        assert task.payload is not None
        written: list[Entry] = task.payload["entries"]
        self.store.finish_task(
            task.id,
            "SUCCESS",
            task_time(),
            details={"num_documents_ingested": len(written)},
            put=[(task.index_id, e) for e in written],
        )
        for entry in written:
            entries.stored[(entry["subject"], entry_key(entry["entry_id"]))] = entry

    def _delete(self, task: TaskRow, entries: IndexEntries) -> None:
        """Delete whole subjects (by query or by subject) or one entry."""
        assert task.payload is not None
        payload = task.payload
        if task.kind == "delete_entry":
            targets = [(payload["subject"], payload["entry_id"])]
        else:
            if task.kind == "delete_by_query":
                principals = payload.get("principals")
                subjects = set(
                    matching_subjects(
                        entries.all(),
                        None if principals is None else frozenset(principals),
                        payload["query"],
                    )
                )
            else:
                subjects = set(payload["subjects"])
            targets = [
                (e["subject"], e.get("entry_id")) for e in entries.all() if e["subject"] in subjects
            ]
        built = entries.built_subjects()
        remove = [(task.index_id, s, e) for s, e in targets if (s, entry_key(e)) in entries.stored]
        hide = [(task.index_id, s) for s, e in targets if e is None and s in built]
        gone = {s for s, _ in targets}
        self.store.finish_task(
            task.id,
            "SUCCESS",
            task_time(),
            details={"num_subjects_deleted": len(gone), "num_entries_deleted": len(targets)},
            remove=remove,
            hide=hide,
        )
        for _, subject, entry_id in remove:
            entries.stored.pop((subject, entry_key(entry_id)), None)
        entries.hidden.update(s for _, s in hide)

    def task_doc(self, task: TaskRow) -> dict[str, Any]:
        return {
            "task_id": task.id,
            "state": task.state,
            "state_description": STATE_DESCRIPTIONS.get(task.state, task.state),
            "index_id": task.index_id,
            "creation_date": task.creation_date,
            "completion_date": task.completion_date,
            "message": task.message,
            "additional_details": task.additional_details,
        }

    def task(self, task_id: str) -> TaskRow:
        found = self.store.task(task_id)
        if found is None:
            raise not_found(f"There is no task {task_id}")
        return found

    def tasks_of(self, index_id: str) -> list[TaskRow]:
        return self.store.tasks_of(index_id, TASK_LIST_LIMIT)

"""Small frozen records the UI renders, each built from an API document with ``from_api``.

API documents grow and shrink between service versions and between the real service and the
embedded one, so every ``from_api`` tolerates missing optional fields and wrong-typed values
instead of raising: a half-filled row is better than a crashed screen.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import MISSING, dataclass, field, fields
from datetime import UTC, datetime
from typing import Any, TypeVar

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

TASK_FINAL_STATUSES = frozenset({"SUCCEEDED", "FAILED"})

_COLLECTION_KINDS = {
    "GCP_mapped_collection": "GCP",
    "GCP_guest_collection": "GCP guest",
    "GCSv5_endpoint": "GCSv5 endpoint",
    "GCSv5_mapped_collection": "GCSv5 mapped",
    "GCSv5_guest_collection": "GCSv5 guest",
    "GCSv4_host": "GCSv4",
    "GCSv4_share": "GCSv4 share",
}


def parse_time(value: Any) -> datetime | None:
    """Read the service's ISO-8601 times ("2020-09-23 18:53:12+00:00", "...Z"); naive means UTC."""
    if not isinstance(value, str) or not value:
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _int(value: Any, default: int = 0) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return default
    return default


def _opt_int(value: Any) -> int | None:
    return None if value is None else _int(value)


def _str(value: Any, default: str = "") -> str:
    return value if isinstance(value, str) else default


def _opt_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _bool(value: Any, default: bool = False) -> bool:
    return value if isinstance(value, bool) else default


def _dict(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else {}


def _dicts(value: Any) -> Iterable[Mapping[str, Any]]:
    if not isinstance(value, list):
        return ()
    return (item for item in value if isinstance(item, Mapping))


def _opt_bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


_READERS: dict[str, Callable[[Any], Any]] = {
    "str": _opt_str,
    "str | None": _opt_str,
    "int": _opt_int,
    "int | None": _opt_int,
    "bool": _opt_bool,
    "bool | None": _opt_bool,
    "datetime | None": parse_time,
}
_EMPTY: dict[str, Any] = {"str": "", "int": 0, "bool": False}

R = TypeVar("R")


_NO_EMPTY = object()
"""A field that has a default of its own: a missing key leaves it to the dataclass."""


@dataclass(frozen=True)
class _FieldReader:
    name: str
    read: Callable[[Any], Any] | None
    """None: a field no document key fills (only ``given`` values)."""
    optional: bool
    empty: Any


_PLANS: dict[type, tuple[_FieldReader, ...]] = {}


def _readers_of(cls: type) -> tuple[_FieldReader, ...]:
    """How each field of ``cls`` is read, worked out once per class (a long task history
    builds thousands of documents, and ``fields`` with each type's text was a third of it)."""
    known = _PLANS.get(cls)
    if known is not None:
        return known
    plan = []
    for spec in fields(cls):
        kind = str(spec.type)
        has_default = spec.default is not MISSING or spec.default_factory is not MISSING
        plan.append(
            _FieldReader(
                spec.name,
                _READERS.get(kind),
                kind.endswith("| None"),
                _NO_EMPTY if has_default else _EMPTY.get(kind, _NO_EMPTY),
            )
        )
    _PLANS[cls] = tuple(plan)
    return _PLANS[cls]


def _read(cls: type[R], doc: Mapping[str, Any], **given: Any) -> R:
    """Build ``cls`` from the document keys named like its plain fields.

    A key that is missing or holds the wrong type leaves the field's default (a field typed
    ``X | None`` becomes None); ``given`` values are used as they are.
    """
    kwargs: dict[str, Any] = {}
    for field_reader in _readers_of(cls):
        name = field_reader.name
        if name in given:
            kwargs[name] = given[name]
        elif field_reader.read is not None:
            value = field_reader.read(doc.get(name))
            if value is not None or field_reader.optional:
                kwargs[name] = value
            elif field_reader.empty is not _NO_EMPTY:
                kwargs[name] = field_reader.empty
    return cls(**kwargs)


@dataclass(frozen=True)
class FileEntry:
    """One row of an ``operation_ls`` listing (or of a recursive walk, with ``abs_path``)."""

    name: str
    type: str = "file"
    size: int = 0
    last_modified: datetime | None = None
    permissions: str | None = None
    user: str | None = None
    group: str | None = None
    link_target: str | None = None
    link_user: str | None = None
    link_group: str | None = None
    link_size: int | None = None
    link_last_modified: datetime | None = None
    abs_path: str | None = None

    @classmethod
    def from_api(cls, doc: Mapping[str, Any], *, parent_path: str | None = None) -> FileEntry:
        name = _str(doc.get("name"))
        abs_path = _opt_str(doc.get("abs_path"))
        if abs_path is None and parent_path is not None:
            abs_path = parent_path.rstrip("/") + "/" + name
        return _read(cls, doc, name=name, abs_path=abs_path)

    @property
    def is_dir(self) -> bool:
        return self.type == "dir"

    @property
    def is_symlink(self) -> bool:
        return self.link_target is not None or self.type == "invalid_symlink"

    @property
    def extension(self) -> str:
        base = self.name.rsplit("/", 1)[-1]
        stem, dot, ext = base.rpartition(".")
        return ext.lower() if dot and stem else ""

    def sort_key(self, by: str = "name") -> tuple[Any, ...]:
        """Folders first, then by name, size, last_modified, type or extension."""
        folded = self.name.casefold()
        if by == "size":
            primary: Any = self.size
        elif by == "last_modified":
            primary = self.last_modified or _EPOCH
        elif by == "type":
            primary = self.type
        elif by == "extension":
            primary = self.extension
        elif by == "name":
            primary = folded
        else:
            raise ValueError(f"cannot sort files by {by!r}")
        return (not self.is_dir, primary, folded, self.name)


@dataclass(frozen=True)
class Collection:
    """A Transfer endpoint or collection, as endpoint_search and get_endpoint describe it."""

    id: str
    display_name: str
    entity_type: str | None = None
    canonical_name: str | None = None
    owner_id: str | None = None
    owner_string: str | None = None
    description: str | None = None
    organization: str | None = None
    department: str | None = None
    keywords: str | None = None
    contact_email: str | None = None
    high_assurance: bool = False
    default_directory: str | None = None
    host_endpoint_id: str | None = None
    is_globus_connect: bool = False
    gcp_connected: bool | None = None
    gcp_paused: bool | None = None
    non_functional: bool = False
    public: bool = False
    shareable: bool = False
    force_encryption: bool = False
    gcs_version: str | None = None
    gcs_manager_url: str | None = None
    subscription_id: str | None = None

    @classmethod
    def from_api(cls, doc: Mapping[str, Any]) -> Collection:
        ident = _str(doc.get("id"))
        canonical = _opt_str(doc.get("canonical_name"))
        display = _opt_str(doc.get("display_name")) or canonical or _opt_str(doc.get("name"))
        return _read(cls, doc, id=ident, display_name=display or ident)

    @property
    def kind(self) -> str:
        """A short label for the collection type ("GCP", "GCSv5 mapped", "GCSv5 guest", ...)."""
        if self.entity_type in _COLLECTION_KINDS:
            return _COLLECTION_KINDS[self.entity_type]
        if self.is_globus_connect:
            return "GCP"
        return self.entity_type or "unknown"

    @property
    def requires_data_access(self) -> bool:
        """Non high-assurance GCSv5 mapped collections need a ``data_access`` consent."""
        return self.entity_type == "GCSv5_mapped_collection" and not self.high_assurance

    @property
    def is_offline(self) -> bool:
        """A Globus Connect Personal endpoint whose laptop is disconnected or paused."""
        return self.gcp_connected is False or self.gcp_paused is True


@dataclass(frozen=True)
class Task:
    """A Transfer task document, with every field the task queue and task detail show."""

    task_id: str
    type: str = "TRANSFER"
    status: str = "ACTIVE"
    label: str | None = None
    owner_id: str | None = None
    username: str | None = None
    command: str | None = None
    nice_status: str | None = None
    nice_status_short_description: str | None = None
    nice_status_details: str | None = None
    nice_status_expires_in: int | None = None
    is_paused: bool = False
    is_ok: bool | None = None
    fatal_error: dict[str, Any] | None = field(default=None, hash=False)
    canceled_by_admin: str | None = None
    canceled_by_admin_message: str | None = None
    history_deleted: bool = False
    source_endpoint_id: str | None = None
    destination_endpoint_id: str | None = None
    source_endpoint_display_name: str | None = None
    destination_endpoint_display_name: str | None = None
    request_time: datetime | None = None
    completion_time: datetime | None = None
    deadline: datetime | None = None
    bytes_transferred: int = 0
    bytes_checksummed: int = 0
    effective_bytes_per_second: int = 0
    files: int = 0
    directories: int = 0
    symlinks: int = 0
    files_transferred: int = 0
    files_skipped: int = 0
    faults: int = 0
    subtasks_total: int = 0
    subtasks_pending: int = 0
    subtasks_retrying: int = 0
    subtasks_succeeded: int = 0
    subtasks_failed: int = 0
    subtasks_canceled: int = 0
    subtasks_expired: int = 0
    subtasks_skipped_errors: int = 0
    sync_level: int | None = None
    verify_checksum: bool = False
    encrypt_data: bool = False
    preserve_timestamp: bool = False
    skip_source_errors: bool = False
    fail_on_quota_errors: bool = False
    delete_destination_extra: bool = False
    recursive_symlinks: str | None = None
    filter_rules: tuple[dict[str, Any], ...] = field(default=(), hash=False)

    @classmethod
    def from_api(cls, doc: Mapping[str, Any]) -> Task:
        fatal = doc.get("fatal_error")
        src_name = _opt_str(doc.get("source_endpoint_display_name")) or _opt_str(
            doc.get("source_endpoint")
        )
        dst_name = _opt_str(doc.get("destination_endpoint_display_name")) or _opt_str(
            doc.get("destination_endpoint")
        )
        return _read(
            cls,
            doc,
            fatal_error=dict(fatal) if isinstance(fatal, Mapping) else None,
            source_endpoint_display_name=src_name,
            destination_endpoint_display_name=dst_name,
            filter_rules=tuple(dict(rule) for rule in _dicts(doc.get("filter_rules"))),
        )

    @property
    def is_finished(self) -> bool:
        return self.status in TASK_FINAL_STATUSES

    @property
    def source_name(self) -> str:
        return self.source_endpoint_display_name or self.source_endpoint_id or "?"

    @property
    def destination_name(self) -> str:
        return self.destination_endpoint_display_name or self.destination_endpoint_id or "?"

    @property
    def title(self) -> str:
        """The label if the user gave one, else "source → destination"."""
        if self.label:
            return self.label
        if self.type == "DELETE":
            return f"delete on {self.source_name}"
        return f"{self.source_name} → {self.destination_name}"

    @property
    def fatal_error_text(self) -> str | None:
        if not self.fatal_error:
            return None
        code = _str(self.fatal_error.get("code"))
        description = _str(self.fatal_error.get("description"))
        return ": ".join(part for part in (code, description) if part) or None


@dataclass(frozen=True)
class TaskEvent:
    """One entry of a task's event log; ``details`` is often JSON text, see ``details_data``."""

    code: str
    description: str = ""
    details: str = ""
    is_error: bool = False
    time: datetime | None = None

    @classmethod
    def from_api(cls, doc: Mapping[str, Any]) -> TaskEvent:
        details = doc.get("details")
        if details is not None and not isinstance(details, str):
            details = json.dumps(details)
        return _read(cls, doc, details=details or "")

    @property
    def details_data(self) -> Any:
        """The details parsed as JSON when they are JSON, else None."""
        try:
            return json.loads(self.details)
        except ValueError:
            return None


@dataclass(frozen=True)
class SuccessfulTransfer:
    """A file a task copied (directories and sync-skipped files never appear)."""

    source_path: str
    destination_path: str

    @classmethod
    def from_api(cls, doc: Mapping[str, Any]) -> SuccessfulTransfer:
        return _read(cls, doc)


@dataclass(frozen=True)
class SkippedError:
    """A path a task skipped because of ``skip_source_errors``."""

    source_path: str
    destination_path: str
    error_code: str = ""
    error_details: str = ""
    error_time: datetime | None = None
    is_directory: bool = False
    is_symlink: bool = False

    @classmethod
    def from_api(cls, doc: Mapping[str, Any]) -> SkippedError:
        return _read(cls, doc)


@dataclass(frozen=True)
class Membership:
    """A person's place in a group: role (member/manager/admin) and status (active, invited...)."""

    group_id: str
    identity_id: str
    username: str | None = None
    role: str = "member"
    status: str | None = None
    invite_email_address: str | None = None

    @classmethod
    def from_api(cls, doc: Mapping[str, Any], *, group_id: str = "") -> Membership:
        return _read(cls, doc, group_id=_str(doc.get("group_id"), group_id))


_ROLE_RANK = {"member": 1, "manager": 2, "admin": 3}


@dataclass(frozen=True)
class Group:
    """A Globus group with the caller's memberships (and all memberships when included)."""

    id: str
    name: str
    description: str | None = None
    parent_id: str | None = None
    group_type: str = "regular"
    enforce_session: bool = False
    session_limit: int | None = None
    subscription_id: str | None = None
    terms_and_conditions: str | None = None
    policies: dict[str, Any] = field(default_factory=dict, hash=False)
    my_memberships: tuple[Membership, ...] = ()
    memberships: tuple[Membership, ...] = ()
    allowed_actions: tuple[str, ...] = ()

    @classmethod
    def from_api(cls, doc: Mapping[str, Any]) -> Group:
        ident = _str(doc.get("id"))
        actions = doc.get("allowed_actions")
        if isinstance(actions, Mapping):
            allowed = tuple(sorted(k for k, v in actions.items() if v))
        elif isinstance(actions, list):
            allowed = tuple(a for a in actions if isinstance(a, str))
        else:
            allowed = ()
        return cls(
            id=ident,
            name=_str(doc.get("name"), ident),
            description=_opt_str(doc.get("description")),
            parent_id=_opt_str(doc.get("parent_id")),
            group_type=_str(doc.get("group_type"), "regular"),
            enforce_session=_bool(doc.get("enforce_session")),
            session_limit=_opt_int(doc.get("session_limit")),
            subscription_id=_opt_str(doc.get("subscription_id")),
            terms_and_conditions=_opt_str(doc.get("terms_and_conditions")),
            policies=_dict(doc.get("policies")),
            my_memberships=tuple(
                Membership.from_api(m, group_id=ident) for m in _dicts(doc.get("my_memberships"))
            ),
            memberships=tuple(
                Membership.from_api(m, group_id=ident) for m in _dicts(doc.get("memberships"))
            ),
            allowed_actions=allowed,
        )

    @property
    def visibility(self) -> str | None:
        return _opt_str(self.policies.get("group_visibility"))

    @property
    def members_visibility(self) -> str | None:
        return _opt_str(self.policies.get("group_members_visibility"))

    @property
    def my_role(self) -> str | None:
        """The highest role among the caller's active (or status-less) memberships."""
        roles = [m.role for m in self.my_memberships if m.status in (None, "active")]
        return max(roles, key=lambda r: _ROLE_RANK.get(r, 0)) if roles else None

    @property
    def my_status(self) -> str | None:
        if not self.my_memberships:
            return None
        if self.my_role is not None:
            return "active"
        return self.my_memberships[0].status


_TITLE_KEYS = ("title", "titles", "name", "display_name", "filename", "label", "subject")
_PREVIEW_KEYS = ("description", "abstract", "summary", "text", "content")


def _find_text(content: Mapping[str, Any], keys: tuple[str, ...], depth: int = 0) -> str | None:
    for key in keys:
        value = content.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
        if isinstance(value, list) and value:
            first = value[0]
            if isinstance(first, str) and first.strip():
                return first.strip()
            if isinstance(first, Mapping) and depth < 3:
                found = _find_text(first, keys, depth + 1)
                if found:
                    return found
    if depth < 3:
        for value in content.values():
            if isinstance(value, Mapping):
                found = _find_text(value, keys, depth + 1)
                if found:
                    return found
    return None


def _flatten(content: Mapping[str, Any], prefix: str = "") -> Iterable[str]:
    for key, value in content.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            yield from _flatten(value, name + ".")
        elif isinstance(value, list):
            shown = ", ".join(str(v) for v in value if not isinstance(v, (Mapping, list)))
            if shown:
                yield f"{name}: {shown}"
        elif value is not None:
            yield f"{name}: {value}"


@dataclass(frozen=True)
class SearchHit:
    """One ``gmeta`` result: a subject and its entries, with a title and preview guessed."""

    subject: str
    entries: tuple[dict[str, Any], ...] = field(default=(), hash=False)

    @classmethod
    def from_api(cls, doc: Mapping[str, Any]) -> SearchHit:
        entries = tuple(
            {"entry_id": e.get("entry_id"), "content": _dict(e.get("content"))}
            for e in _dicts(doc.get("entries"))
        )
        return cls(subject=_str(doc.get("subject")), entries=entries)

    @property
    def content(self) -> dict[str, Any]:
        return dict(self.entries[0]["content"]) if self.entries else {}

    @property
    def title(self) -> str:
        return _find_text(self.content, _TITLE_KEYS) or self.subject

    @property
    def preview(self) -> str:
        """A one-paragraph preview: a description-like field, else the fields flattened."""
        text = _find_text(self.content, _PREVIEW_KEYS)
        if text is None:
            text = "; ".join(_flatten(self.content))
        text = " ".join(text.split())
        return text if len(text) <= 300 else text[:299] + "…"


@dataclass(frozen=True)
class Bookmark:
    """A saved collection and path, private to the user."""

    id: str
    name: str
    endpoint_id: str
    path: str = "/~/"
    pinned: bool = False

    @classmethod
    def from_api(cls, doc: Mapping[str, Any]) -> Bookmark:
        return _read(cls, doc)


@dataclass(frozen=True)
class AccessRule:
    """A rule of a guest collection's access list: who (``principal_type``: identity, group,
    all_authenticated_users or anonymous; ``principal``: an id, or "" for the last two) may
    read (``r``) or read and write (``rw``) which folder (``path``, ending in ``/``), until
    when. ``id`` is None for the access an administrator or access manager holds by its role
    (``role_id``, ``role_type``); such a rule cannot be changed or deleted."""

    id: str | None
    principal_type: str
    principal: str = ""
    path: str = "/"
    permissions: str = "r"
    role_id: str | None = None
    role_type: str | None = None
    create_time: datetime | None = None
    expiration_date: datetime | None = None
    notify_email: str | None = None
    notify_message: str | None = None

    @classmethod
    def from_api(cls, doc: Mapping[str, Any]) -> AccessRule:
        return _read(cls, doc)

    @property
    def is_role_rule(self) -> bool:
        return self.id is None

    @property
    def can_write(self) -> bool:
        return self.permissions == "rw"

    def expired(self, now: datetime | None = None) -> bool:
        """Whether the rule no longer grants anything (the service then deletes it)."""
        if self.expiration_date is None:
            return False
        return self.expiration_date <= (now or datetime.now(UTC))


@dataclass(frozen=True)
class CollectionRole:
    """A role on a collection: ``administrator``, ``access_manager``, ``activity_manager`` or
    ``activity_monitor``, held by an identity or a group (``principal_type``)."""

    id: str
    principal_type: str
    principal: str
    role: str

    @classmethod
    def from_api(cls, doc: Mapping[str, Any]) -> CollectionRole:
        return _read(cls, doc)


@dataclass(frozen=True)
class Identity:
    """A Globus Auth identity, from ``get_identities`` items or from ``userinfo`` claims."""

    id: str
    username: str
    name: str | None = None
    email: str | None = None
    organization: str | None = None
    identity_provider: str | None = None
    status: str | None = None

    @classmethod
    def from_api(cls, doc: Mapping[str, Any]) -> Identity:
        return cls(
            id=_str(doc.get("id")) or _str(doc.get("sub")),
            username=_str(doc.get("username")) or _str(doc.get("preferred_username")),
            name=_opt_str(doc.get("name")),
            email=_opt_str(doc.get("email")),
            organization=_opt_str(doc.get("organization")),
            identity_provider=_opt_str(doc.get("identity_provider"))
            or _opt_str(doc.get("identity_provider_display_name")),
            status=_opt_str(doc.get("status")),
        )

    @property
    def display(self) -> str:
        return f"{self.name} ({self.username})" if self.name else self.username

"""Transfer and delete task documents (globus-api.md §3.3), as dicts ready to POST.

Options left as ``None`` are left out of the document, so the service applies its own
defaults. ``submit_transfer``/``submit_delete`` fill in a missing ``submission_id`` and write
it back here, so re-sending the same object after a network error cannot start a second task.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal
from uuid import UUID

SYNC_LEVELS: dict[str, int] = {"exists": 0, "size": 1, "mtime": 2, "checksum": 3}
RECURSIVE_SYMLINKS = ("ignore", "keep", "copy")

SyncLevel = Literal["exists", "size", "mtime", "checksum"] | int


def parse_sync_level(sync_level: SyncLevel | str) -> int:
    """Map a sync level name to the integer the API takes; unknown names are an error."""
    if isinstance(sync_level, bool):
        raise ValueError(f"Unrecognized sync_level {sync_level!r}")
    if isinstance(sync_level, int):
        if sync_level not in SYNC_LEVELS.values():
            raise ValueError(f"Unrecognized sync_level {sync_level!r}")
        return sync_level
    try:
        return SYNC_LEVELS[sync_level]
    except KeyError:
        choices = ", ".join(SYNC_LEVELS)
        raise ValueError(f"Unrecognized sync_level {sync_level!r} (one of {choices})") from None


def format_deadline(deadline: datetime | str) -> str:
    """An ISO-8601 deadline with an explicit offset; a naive datetime is read as local time."""
    if isinstance(deadline, str):
        return deadline
    aware = deadline if deadline.tzinfo else deadline.astimezone()
    return aware.astimezone(UTC).isoformat()


def _set_options(doc: dict[str, Any], options: dict[str, Any]) -> None:
    for key, value in options.items():
        if value is not None:
            doc[key] = value


class TransferData(dict[str, Any]):
    """A ``transfer`` document: the endpoints, options, items and filter rules."""

    def __init__(
        self,
        source_endpoint: UUID | str,
        destination_endpoint: UUID | str,
        *,
        label: str | None = None,
        submission_id: UUID | str | None = None,
        sync_level: SyncLevel | None = None,
        verify_checksum: bool | None = None,
        preserve_timestamp: bool | None = None,
        encrypt_data: bool | None = None,
        deadline: datetime | str | None = None,
        skip_source_errors: bool | None = None,
        fail_on_quota_errors: bool | None = None,
        delete_destination_extra: bool | None = None,
        recursive_symlinks: Literal["ignore", "keep", "copy"] | None = None,
        notify_on_succeeded: bool | None = None,
        notify_on_failed: bool | None = None,
        notify_on_inactive: bool | None = None,
        source_local_user: str | None = None,
        destination_local_user: str | None = None,
        additional_fields: dict[str, Any] | None = None,
    ) -> None:
        super().__init__()
        if recursive_symlinks is not None and recursive_symlinks not in RECURSIVE_SYMLINKS:
            raise ValueError(
                f"Unrecognized recursive_symlinks {recursive_symlinks!r} "
                f"(one of {', '.join(RECURSIVE_SYMLINKS)})"
            )
        self["DATA_TYPE"] = "transfer"
        self["source_endpoint"] = str(source_endpoint)
        self["destination_endpoint"] = str(destination_endpoint)
        self["DATA"] = []
        _set_options(
            self,
            {
                "label": label,
                "submission_id": None if submission_id is None else str(submission_id),
                "sync_level": None if sync_level is None else parse_sync_level(sync_level),
                "verify_checksum": verify_checksum,
                "preserve_timestamp": preserve_timestamp,
                "encrypt_data": encrypt_data,
                "deadline": None if deadline is None else format_deadline(deadline),
                "skip_source_errors": skip_source_errors,
                "fail_on_quota_errors": fail_on_quota_errors,
                "delete_destination_extra": delete_destination_extra,
                "recursive_symlinks": recursive_symlinks,
                "notify_on_succeeded": notify_on_succeeded,
                "notify_on_failed": notify_on_failed,
                "notify_on_inactive": notify_on_inactive,
                "source_local_user": source_local_user,
                "destination_local_user": destination_local_user,
            },
        )
        if additional_fields:
            self.update(additional_fields)

    def add_item(
        self,
        source_path: str,
        destination_path: str,
        *,
        recursive: bool | None = None,
        external_checksum: str | None = None,
        checksum_algorithm: str | None = None,
        additional_fields: dict[str, Any] | None = None,
    ) -> None:
        """Add a file or folder; leave ``recursive`` unset to let the service tell them apart.

        For a file, ``destination_path`` is the full path of the new file, not its folder.
        """
        if checksum_algorithm is not None and external_checksum is None:
            raise ValueError("checksum_algorithm needs an external_checksum")
        item: dict[str, Any] = {
            "DATA_TYPE": "transfer_item",
            "source_path": source_path,
            "destination_path": destination_path,
        }
        _set_options(
            item,
            {
                "recursive": recursive,
                "external_checksum": external_checksum,
                "checksum_algorithm": checksum_algorithm,
            },
        )
        item.update(additional_fields or {})
        self["DATA"].append(item)

    def add_symlink_item(self, source_path: str, destination_path: str) -> None:
        """Copy a symlink itself rather than what it points to."""
        self["DATA"].append(
            {
                "DATA_TYPE": "transfer_symlink_item",
                "source_path": source_path,
                "destination_path": destination_path,
            }
        )

    def add_filter_rule(
        self,
        name: str,
        *,
        method: Literal["include", "exclude"] = "exclude",
        type: Literal["file", "dir"] | None = None,
    ) -> None:
        """Add an include/exclude glob for recursive items; the first rule that matches decides."""
        if method not in ("include", "exclude"):
            raise ValueError(f"filter rule method must be include or exclude, not {method!r}")
        if type not in (None, "file", "dir"):
            raise ValueError(f"filter rule type must be file or dir, not {type!r}")
        rule: dict[str, Any] = {"DATA_TYPE": "filter_rule", "method": method, "name": name}
        if type is not None:
            rule["type"] = type
        self.setdefault("filter_rules", []).append(rule)

    def iter_items(self) -> list[dict[str, Any]]:
        return list(self["DATA"])


class DeleteData(dict[str, Any]):
    """A ``delete`` document: one endpoint, the paths to delete and the options."""

    def __init__(
        self,
        endpoint: UUID | str,
        *,
        label: str | None = None,
        submission_id: UUID | str | None = None,
        recursive: bool | None = None,
        ignore_missing: bool | None = None,
        interpret_globs: bool | None = None,
        deadline: datetime | str | None = None,
        notify_on_succeeded: bool | None = None,
        notify_on_failed: bool | None = None,
        notify_on_inactive: bool | None = None,
        local_user: str | None = None,
        additional_fields: dict[str, Any] | None = None,
    ) -> None:
        super().__init__()
        self["DATA_TYPE"] = "delete"
        self["endpoint"] = str(endpoint)
        self["DATA"] = []
        _set_options(
            self,
            {
                "label": label,
                "submission_id": None if submission_id is None else str(submission_id),
                "recursive": recursive,
                "ignore_missing": ignore_missing,
                "interpret_globs": interpret_globs,
                "deadline": None if deadline is None else format_deadline(deadline),
                "notify_on_succeeded": notify_on_succeeded,
                "notify_on_failed": notify_on_failed,
                "notify_on_inactive": notify_on_inactive,
                "local_user": local_user,
            },
        )
        if additional_fields:
            self.update(additional_fields)

    def add_item(self, path: str, *, additional_fields: dict[str, Any] | None = None) -> None:
        """Add a path to delete; folders need ``recursive=True`` on the document."""
        item: dict[str, Any] = {"DATA_TYPE": "delete_item", "path": path}
        item.update(additional_fields or {})
        self["DATA"].append(item)

    def iter_items(self) -> list[dict[str, Any]]:
        return list(self["DATA"])

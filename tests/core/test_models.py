"""Models read real-shape API documents and tolerate what the service leaves out."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from gtui.core.models import (
    Bookmark,
    Collection,
    FileEntry,
    Group,
    Identity,
    SearchHit,
    SkippedError,
    SuccessfulTransfer,
    Task,
    TaskEvent,
    parse_time,
)

LS_ITEM = {
    "DATA_TYPE": "file",
    "name": "godata",
    "type": "dir",
    "size": 4096,
    "permissions": "0755",
    "user": "root",
    "group": "root",
    "last_modified": "2020-09-23 18:53:12+00:00",
    "link_target": None,
    "link_user": None,
    "link_group": None,
    "link_size": None,
    "link_last_modified": None,
}

TASK_DOC = {
    "bytes_checksummed": 0,
    "bytes_transferred": 4,
    "canceled_by_admin": None,
    "command": "API 0.10",
    "completion_time": "2021-09-02T18:04:49+00:00",
    "deadline": "2021-09-03T18:04:47+00:00",
    "destination_endpoint": "mydest",
    "destination_endpoint_display_name": "Destination Endpoint",
    "destination_endpoint_id": "dst-id",
    "directories": 0,
    "effective_bytes_per_second": 3,
    "fatal_error": None,
    "faults": 0,
    "files": 1,
    "files_skipped": 0,
    "files_transferred": 1,
    "filter_rules": None,
    "is_ok": None,
    "is_paused": False,
    "label": None,
    "nice_status": None,
    "recursive_symlinks": "ignore",
    "request_time": "2021-09-02T18:04:47+00:00",
    "source_endpoint": "mysrc",
    "source_endpoint_display_name": "Source Endpoint",
    "source_endpoint_id": "src-id",
    "status": "SUCCEEDED",
    "subtasks_succeeded": 2,
    "subtasks_total": 2,
    "sync_level": None,
    "task_id": "task-1",
    "type": "TRANSFER",
    "verify_checksum": True,
}


def test_file_entry_reads_an_ls_item() -> None:
    entry = FileEntry.from_api(LS_ITEM, parent_path="/share/")
    assert entry.name == "godata"
    assert entry.is_dir and not entry.is_symlink
    assert entry.size == 4096
    assert entry.last_modified == datetime(2020, 9, 23, 18, 53, 12, tzinfo=UTC)
    assert entry.permissions == "0755" and entry.user == "root"
    assert entry.abs_path == "/share/godata"


def test_file_entry_tolerates_a_bare_item_and_marks_symlinks() -> None:
    entry = FileEntry.from_api({"name": "link", "link_target": "/elsewhere", "size": "12"})
    assert entry.type == "file" and entry.size == 12
    assert entry.last_modified is None
    assert entry.is_symlink
    assert FileEntry.from_api({"name": "x", "type": "invalid_symlink"}).is_symlink


def test_file_entries_sort_folders_first_then_by_key() -> None:
    entries = [
        FileEntry.from_api({"name": "b.txt", "size": 5, "last_modified": "2024-01-02 00:00:00"}),
        FileEntry.from_api({"name": "A.csv", "size": 50}),
        FileEntry.from_api({"name": "zdir", "type": "dir"}),
    ]
    assert [e.name for e in sorted(entries, key=FileEntry.sort_key)] == ["zdir", "A.csv", "b.txt"]
    by_size = sorted(entries, key=lambda e: e.sort_key("size"))
    assert [e.name for e in by_size] == ["zdir", "b.txt", "A.csv"]
    by_time = sorted(entries, key=lambda e: e.sort_key("last_modified"))
    assert [e.name for e in by_time] == ["zdir", "A.csv", "b.txt"]
    assert entries[1].extension == "csv"
    with pytest.raises(ValueError):
        entries[0].sort_key("colour")


@pytest.mark.parametrize(
    ("entity_type", "high_assurance", "kind", "needs_consent"),
    [
        ("GCP_mapped_collection", False, "GCP", False),
        ("GCSv5_mapped_collection", False, "GCSv5 mapped", True),
        ("GCSv5_mapped_collection", True, "GCSv5 mapped", False),
        ("GCSv5_guest_collection", False, "GCSv5 guest", False),
    ],
)
def test_collection_kind_and_data_access_requirement(
    entity_type: str, high_assurance: bool, kind: str, needs_consent: bool
) -> None:
    coll = Collection.from_api(
        {
            "id": "c1",
            "display_name": "Scratch",
            "entity_type": entity_type,
            "high_assurance": high_assurance,
        }
    )
    assert coll.kind == kind
    assert coll.requires_data_access is needs_consent


def test_collection_falls_back_to_canonical_name_and_reports_offline_gcp() -> None:
    coll = Collection.from_api(
        {
            "id": "c2",
            "display_name": None,
            "canonical_name": "me#laptop",
            "is_globus_connect": True,
            "gcp_connected": False,
            "owner_string": "me@example.org",
        }
    )
    assert coll.display_name == "me#laptop"
    assert coll.kind == "GCP"
    assert coll.is_offline
    assert coll.owner_string == "me@example.org"
    assert Collection.from_api({"id": "c3"}).display_name == "c3"


def test_task_reads_every_field_of_a_task_document() -> None:
    task = Task.from_api(TASK_DOC)
    assert task.task_id == "task-1" and task.status == "SUCCEEDED" and task.is_finished
    assert task.source_name == "Source Endpoint"
    assert task.title == "Source Endpoint → Destination Endpoint"
    assert task.request_time == datetime(2021, 9, 2, 18, 4, 47, tzinfo=UTC)
    assert task.completion_time is not None and task.deadline is not None
    assert (task.bytes_transferred, task.files, task.files_transferred) == (4, 1, 1)
    assert task.subtasks_total == 2 and task.subtasks_succeeded == 2
    assert task.verify_checksum and task.recursive_symlinks == "ignore"
    assert task.filter_rules == ()
    assert task.fatal_error_text is None


def test_task_tolerates_missing_fields_and_reports_fatal_errors() -> None:
    task = Task.from_api(
        {
            "task_id": "t2",
            "status": "FAILED",
            "label": "nightly",
            "fatal_error": {"code": "PERMISSION_DENIED", "description": "no access"},
        }
    )
    assert task.title == "nightly"
    assert task.bytes_transferred == 0 and task.request_time is None
    assert task.fatal_error_text == "PERMISSION_DENIED: no access"
    delete = Task.from_api({"task_id": "t3", "type": "DELETE", "source_endpoint_id": "e"})
    assert delete.title == "delete on e" and not delete.is_finished


def test_task_event_parses_json_details() -> None:
    event = TaskEvent.from_api(
        {
            "DATA_TYPE": "event",
            "code": "PERMISSION_DENIED",
            "description": "denied",
            "details": '{"path": "/x"}',
            "is_error": True,
            "time": "2021-09-02T18:04:48+00:00",
        }
    )
    assert event.is_error and event.details_data == {"path": "/x"}
    assert event.time is not None
    assert TaskEvent.from_api({"code": "STARTED", "details": "plain"}).details_data is None


def test_successful_transfer_and_skipped_error() -> None:
    ok = SuccessfulTransfer.from_api({"source_path": "/a", "destination_path": "/b"})
    assert (ok.source_path, ok.destination_path) == ("/a", "/b")
    skipped = SkippedError.from_api(
        {
            "source_path": "/a",
            "destination_path": "/b",
            "error_code": "FILE_NOT_FOUND",
            "is_directory": False,
            "error_time": "2022-01-01T00:00:00+00:00",
        }
    )
    assert skipped.error_code == "FILE_NOT_FOUND" and skipped.error_time is not None


def test_group_memberships_role_and_visibility() -> None:
    group = Group.from_api(
        {
            "name": "duke",
            "id": "g1",
            "parent_id": "p1",
            "group_type": "regular",
            "session_limit": 28800,
            "my_memberships": [
                {
                    "group_id": "g1",
                    "identity_id": "me",
                    "username": "me@x",
                    "role": "member",
                    "status": "active",
                },
                {"group_id": "g1", "identity_id": "me2", "username": "me2@x", "role": "admin"},
            ],
            "memberships": [{"identity_id": "other", "role": "manager", "status": "invited"}],
            "policies": {
                "group_visibility": "authenticated",
                "group_members_visibility": "members",
            },
            "allowed_actions": {"join": False, "leave": True},
        }
    )
    assert group.my_role == "admin" and group.my_status == "active"
    assert group.visibility == "authenticated" and group.members_visibility == "members"
    assert group.memberships[0].group_id == "g1" and group.memberships[0].status == "invited"
    assert group.allowed_actions == ("leave",)
    invited = Group.from_api(
        {"id": "g2", "name": "x", "my_memberships": [{"identity_id": "me", "status": "invited"}]}
    )
    assert invited.my_role is None and invited.my_status == "invited"


def test_search_hit_guesses_title_and_preview() -> None:
    hit = SearchHit.from_api(
        {
            "subject": "https://x/1",
            "entries": [
                {
                    "entry_id": None,
                    "content": {
                        "dc": {"titles": [{"title": "Ocean temps"}]},
                        "description": "Buoy  data\n2019",
                    },
                }
            ],
        }
    )
    assert hit.title == "Ocean temps"
    assert hit.preview == "Buoy data 2019"
    bare = SearchHit.from_api({"subject": "foo-bar", "entries": [{"content": {"foo": "bar"}}]})
    assert bare.title == "foo-bar" and bare.preview == "foo: bar"
    assert SearchHit.from_api({"subject": "s"}).content == {}


def test_bookmark_and_identity() -> None:
    bookmark = Bookmark.from_api(
        {
            "DATA_TYPE": "bookmark",
            "id": "b1",
            "name": "data",
            "endpoint_id": "e1",
            "path": "/data/",
            "pinned": True,
        }
    )
    assert bookmark.pinned and bookmark.path == "/data/"
    from_userinfo = Identity.from_api(
        {"sub": "u1", "preferred_username": "demo@gtui.example", "name": "Demo"}
    )
    assert from_userinfo.id == "u1" and from_userinfo.display == "Demo (demo@gtui.example)"
    from_identities = Identity.from_api({"id": "u2", "username": "x@y", "status": "used"})
    assert from_identities.display == "x@y" and from_identities.status == "used"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021-09-02T18:04:47Z", datetime(2021, 9, 2, 18, 4, 47, tzinfo=UTC)),
        ("2021-09-02 18:04:47", datetime(2021, 9, 2, 18, 4, 47, tzinfo=UTC)),
        ("not a time", None),
        (None, None),
    ],
)
def test_parse_time_accepts_service_spellings(text: str | None, expected: datetime | None) -> None:
    assert parse_time(text) == expected

"""TransferData/DeleteData documents and the TransferClient's requests, through a fake transport."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from gtui.core.transfer_data import DeleteData, TransferData, parse_sync_level


@pytest.mark.parametrize(
    ("name", "value"), [("exists", 0), ("size", 1), ("mtime", 2), ("checksum", 3), (2, 2)]
)
def test_sync_level_names_map_to_integers(name: str | int, value: int) -> None:
    assert parse_sync_level(name) == value
    assert TransferData("s", "d", sync_level=name)["sync_level"] == value


@pytest.mark.parametrize("bad", ["newer", "CHECKSUM", 7, True])
def test_unknown_sync_level_is_rejected(bad: object) -> None:
    with pytest.raises(ValueError, match="sync_level"):
        TransferData("s", "d", sync_level=bad)  # type: ignore[arg-type]


def test_transfer_data_carries_every_option_and_omits_unset_ones() -> None:
    tdata = TransferData(
        source_endpoint="src",
        destination_endpoint="dst",
        label="nightly",
        submission_id="sub-1",
        sync_level="mtime",
        verify_checksum=True,
        preserve_timestamp=True,
        encrypt_data=True,
        deadline=datetime(2026, 11, 23, 12, 0, tzinfo=timezone(timedelta(hours=2))),
        skip_source_errors=True,
        fail_on_quota_errors=True,
        delete_destination_extra=True,
        recursive_symlinks="keep",
        notify_on_succeeded=False,
        notify_on_failed=True,
        notify_on_inactive=False,
        source_local_user="alice",
        destination_local_user="bob",
        additional_fields={"perf_cc": 4},
    )
    assert tdata["DATA_TYPE"] == "transfer" and tdata["DATA"] == []
    assert tdata["deadline"] == "2026-11-23T10:00:00+00:00"
    assert tdata["sync_level"] == 2 and tdata["recursive_symlinks"] == "keep"
    assert tdata["notify_on_succeeded"] is False and tdata["notify_on_inactive"] is False
    assert tdata["source_local_user"] == "alice" and tdata["destination_local_user"] == "bob"
    assert tdata["perf_cc"] == 4
    bare = TransferData("src", "dst")
    assert set(bare) == {"DATA_TYPE", "source_endpoint", "destination_endpoint", "DATA"}


def test_naive_deadline_is_sent_with_an_explicit_utc_offset() -> None:
    tdata = TransferData("s", "d", deadline=datetime(2026, 11, 23, 12, 0))
    parsed = datetime.fromisoformat(tdata["deadline"])
    assert parsed.utcoffset() == timedelta(0)
    assert parsed == datetime(2026, 11, 23, 12, 0).astimezone()


def test_unknown_recursive_symlinks_is_rejected() -> None:
    with pytest.raises(ValueError, match="recursive_symlinks"):
        TransferData("s", "d", recursive_symlinks="follow")  # type: ignore[arg-type]


def test_items_symlinks_and_filter_rules_keep_their_order() -> None:
    tdata = TransferData("s", "d")
    tdata.add_item("/src/a.txt", "/dst/a.txt", external_checksum="abc", checksum_algorithm="SHA1")
    tdata.add_item("/src/dir/", "/dst/dir/", recursive=True)
    tdata.add_symlink_item("/src/link", "/dst/link")
    tdata.add_filter_rule("*.txt", method="include", type="file")
    tdata.add_filter_rule("*")
    assert tdata["DATA"] == [
        {
            "DATA_TYPE": "transfer_item",
            "source_path": "/src/a.txt",
            "destination_path": "/dst/a.txt",
            "external_checksum": "abc",
            "checksum_algorithm": "SHA1",
        },
        {
            "DATA_TYPE": "transfer_item",
            "source_path": "/src/dir/",
            "destination_path": "/dst/dir/",
            "recursive": True,
        },
        {
            "DATA_TYPE": "transfer_symlink_item",
            "source_path": "/src/link",
            "destination_path": "/dst/link",
        },
    ]
    assert tdata["filter_rules"] == [
        {"DATA_TYPE": "filter_rule", "method": "include", "name": "*.txt", "type": "file"},
        {"DATA_TYPE": "filter_rule", "method": "exclude", "name": "*"},
    ]
    with pytest.raises(ValueError):
        tdata.add_filter_rule("*", method="drop")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        tdata.add_item("/a", "/b", checksum_algorithm="MD5")


def test_delete_data_document() -> None:
    ddata = DeleteData(
        "ep",
        label="cleanup",
        recursive=True,
        ignore_missing=True,
        interpret_globs=False,
        local_user="alice",
        notify_on_failed=False,
    )
    ddata.add_item("/old/")
    ddata.add_item("/tmp/*.log")
    assert ddata["DATA_TYPE"] == "delete" and ddata["endpoint"] == "ep"
    assert ddata["recursive"] is True and ddata["ignore_missing"] is True
    assert ddata["interpret_globs"] is False and ddata["local_user"] == "alice"
    assert [item["path"] for item in ddata["DATA"]] == ["/old/", "/tmp/*.log"]
    assert all(item["DATA_TYPE"] == "delete_item" for item in ddata["DATA"])
    assert "submission_id" not in ddata

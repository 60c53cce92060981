"""The official globus-sdk TransferClient drives every Transfer call of the embedded service.

Every answer is parsed by the SDK itself, which is the proof that the wire format matches.
One service (and one logged-in client) serves the whole module; each test works in its own
folders.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import globus_sdk
import pytest

from gtui.sim.serve import RunningSim, start_in_thread
from gtui.sim.world import (
    ARCHIVE_ID,
    DEMO_CONFIDENTIAL_CLIENT_ID,
    DEMO_CONFIDENTIAL_CLIENT_SECRET,
    GUEST_ID,
    LAPTOP_ID,
    SCRATCH_ID,
)

TRANSFER_SCOPE = "urn:globus:auth:scope:transfer.api.globus.org:all"


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSim]:
    running = start_in_thread(tmp_path_factory.mktemp("sdk-transfer"))
    with pytest.MonkeyPatch.context() as patch:
        for name, value in running.env.items():
            patch.setenv(name, value)
        yield running
    running.stop()


def client_for(scopes: str) -> globus_sdk.TransferClient:
    auth = globus_sdk.ConfidentialAppAuthClient(
        DEMO_CONFIDENTIAL_CLIENT_ID, DEMO_CONFIDENTIAL_CLIENT_SECRET
    )
    return globus_sdk.TransferClient(
        authorizer=globus_sdk.ClientCredentialsAuthorizer(auth, scopes)
    )


@pytest.fixture(scope="module")
def tc(service: RunningSim) -> globus_sdk.TransferClient:
    return client_for(TRANSFER_SCOPE)


def home(service: RunningSim, collection_id: str) -> Path:
    folder = service.ctx.world.collections[collection_id].root
    return folder / "home" / "demo"


def make_tree(base: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        target = base / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def wait_for_task(tc: globus_sdk.TransferClient, task_id: str, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        task = tc.get_task(task_id)
        if task["status"] in ("SUCCEEDED", "FAILED"):
            return task
        assert time.monotonic() < deadline, f"task still {task['status']}: {task.data}"
        time.sleep(0.05)


def api_error(call: Any, *args: Any, **kwargs: Any) -> globus_sdk.TransferAPIError:
    with pytest.raises(globus_sdk.TransferAPIError) as info:
        call(*args, **kwargs)
    return info.value


def test_endpoint_search_finds_collections_by_text_and_scope(tc: globus_sdk.TransferClient) -> None:
    found = tc.endpoint_search("scratch cluster")
    assert [e["id"] for e in found] == [SCRATCH_ID]
    assert found["DATA_TYPE"] == "endpoint_list" and found["has_next_page"] is False
    shared = tc.endpoint_search(filter_scope="shared-with-me")
    assert [e["id"] for e in shared] == [GUEST_ID]
    mapped = tc.endpoint_search("hpc", filter_entity_type="GCSv5_mapped_collection")
    assert {e["id"] for e in mapped} == {SCRATCH_ID, ARCHIVE_ID}
    assert list(tc.endpoint_search(filter_scope="my-endpoints")) == []
    error = api_error(tc.endpoint_search, filter_scope="all")
    assert (error.http_status, error.code) == (400, "ClientError.BadRequest")


def test_endpoint_search_pages_with_has_next_page(tc: globus_sdk.TransferClient) -> None:
    first = tc.endpoint_search("gtui", limit=1)
    assert len(first["DATA"]) == 1 and first["has_next_page"] is True
    every = list(tc.paginated.endpoint_search("gtui", limit=1).items())
    assert len(every) == len({e["id"] for e in every}) >= 3


def test_get_endpoint_returns_the_collection_document(tc: globus_sdk.TransferClient) -> None:
    doc = tc.get_endpoint(LAPTOP_ID)
    assert doc["DATA_TYPE"] == "endpoint"
    assert doc["display_name"] == "Demo Laptop"
    assert doc["entity_type"] == "GCP_mapped_collection"
    error = api_error(tc.get_endpoint, str(uuid.uuid4()))
    assert (error.http_status, error.code) == (404, "EndpointNotFound")


def test_ls_answers_a_file_list_in_the_real_shape(
    tc: globus_sdk.TransferClient, service: RunningSim
) -> None:
    make_tree(home(service, LAPTOP_ID) / "lsdemo", {"b.txt": b"bb", "a.csv": b"a", ".h": b""})
    (home(service, LAPTOP_ID) / "lsdemo" / "sub").mkdir()
    listing = tc.operation_ls(LAPTOP_ID, path="/~/lsdemo")
    assert listing["DATA_TYPE"] == "file_list"
    assert listing["path"] == "/~/lsdemo/"
    assert listing["endpoint"] == LAPTOP_ID
    assert listing["total"] == listing["length"] == 4
    assert [e["name"] for e in listing] == [".h", "a.csv", "b.txt", "sub"]
    entry = next(e for e in listing if e["name"] == "b.txt")
    assert entry["DATA_TYPE"] == "file" and entry["type"] == "file" and entry["size"] == 2
    assert entry["permissions"] == "0644"
    assert datetime.fromisoformat(entry["last_modified"]).tzinfo is not None
    assert {
        "link_target",
        "link_user",
        "link_group",
        "link_size",
        "link_last_modified",
        "user",
        "group",
    } <= set(entry)


def test_ls_filters_orders_and_pages(tc: globus_sdk.TransferClient, service: RunningSim) -> None:
    base = home(service, LAPTOP_ID) / "lsfilter"
    make_tree(base, {"x1.txt": b"1", "x22.txt": b"22", "y.dat": b"333", ".hidden": b"4444"})
    (base / "folder").mkdir()
    path = "/~/lsfilter/"

    def names(**kwargs: Any) -> list[str]:
        return [e["name"] for e in tc.operation_ls(LAPTOP_ID, path=path, **kwargs)]

    assert names(show_hidden=False) == ["folder", "x1.txt", "x22.txt", "y.dat"]
    assert names(filter="name:~*.txt") == ["x1.txt", "x22.txt"]
    assert names(filter="name:!~*.txt/type:file") == [".hidden", "y.dat"]
    assert names(filter={"type": "dir"}) == ["folder"]
    assert names(filter=[{"type": "dir"}, {"name": "=y.dat"}]) == ["folder", "y.dat"]
    assert names(filter="name:!y.dat/type:file", show_hidden=False) == ["x1.txt", "x22.txt"]
    assert names(filter="size:>=2/type:file") == [".hidden", "x22.txt", "y.dat"]
    assert names(filter="last_modified:2000-01-01,") == sorted(names())
    assert names(filter="last_modified:,2000-01-01") == []
    assert names(orderby="size DESC", filter="type:file") == [
        ".hidden",
        "y.dat",
        "x22.txt",
        "x1.txt",
    ]
    assert names(orderby=["type DESC", "name DESC"]) == [
        "y.dat",
        "x22.txt",
        "x1.txt",
        ".hidden",
        "folder",
    ]
    page = tc.operation_ls(LAPTOP_ID, path=path, limit=2, offset=1)
    assert [e["name"] for e in page] == ["folder", "x1.txt"]
    assert page["total"] == 5 and page["length"] == 2
    error = api_error(tc.operation_ls, LAPTOP_ID, path=path, filter="colour:red")
    assert error.http_status == 400


def test_ls_errors_match_the_real_service(
    tc: globus_sdk.TransferClient, service: RunningSim
) -> None:
    make_tree(home(service, LAPTOP_ID) / "lserr", {"f.txt": b"x"})
    missing = api_error(tc.operation_ls, LAPTOP_ID, path="/~/lserr/nope")
    assert (missing.http_status, missing.code) == (404, "ExternalError.DirListingFailed.NotFound")
    not_dir = api_error(tc.operation_ls, LAPTOP_ID, path="/~/lserr/f.txt")
    assert not_dir.code == "ExternalError.DirListingFailed.NotDirectory"
    assert missing.request_id and missing.raw_json["resource"].endswith("/ls")


def test_ls_shows_symlinks_with_their_link_fields(tc: globus_sdk.TransferClient) -> None:
    listing = {e["name"]: e for e in tc.operation_ls(LAPTOP_ID, path="/~/")}
    inside = listing["latest-results"]
    assert inside["type"] == "dir"
    assert inside["link_target"] == "/home/demo/projects/climate-model/output"
    fixtures = {e["name"]: e for e in tc.operation_ls(LAPTOP_ID, path="/srv/test-fixtures/")}
    outside = fixtures["system-passwd"]
    assert outside["type"] == "invalid_symlink" and outside["link_target"] == "/etc/passwd"


def test_the_survey_folder_shows_its_3_gb_file_once_opened(tc: globus_sdk.TransferClient) -> None:
    datasets = {e["name"] for e in tc.operation_ls(LAPTOP_ID, path="/~/datasets/")}
    assert {"sky-survey-2026", "microscopy", "air-quality-2025.csv"} <= datasets
    survey = {e["name"]: e for e in tc.operation_ls(LAPTOP_ID, path="/~/datasets/sky-survey-2026/")}
    assert survey["sky_survey_2026.fits"]["size"] == 3 * 1024**3
    assert set(survey) == {"README.md", "sky_survey_2026.fits"}


def test_stat_mkdir_and_rename(tc: globus_sdk.TransferClient, service: RunningSim) -> None:
    made = tc.operation_mkdir(LAPTOP_ID, path="/~/opsdemo")
    assert (made["DATA_TYPE"], made["code"]) == ("mkdir_result", "DirectoryCreated")
    assert (home(service, LAPTOP_ID) / "opsdemo").is_dir()
    again = api_error(tc.operation_mkdir, LAPTOP_ID, path="/~/opsdemo")
    assert again.code == "ExternalError.MkdirFailed.Exists"
    renamed = tc.operation_rename(LAPTOP_ID, "/~/opsdemo", "/~/opsdemo2")
    assert renamed["code"] == "FileRenamed"
    info = tc.operation_stat(LAPTOP_ID, path="/~/opsdemo2")
    assert (info["name"], info["type"]) == ("opsdemo2", "dir")
    gone = api_error(tc.operation_stat, LAPTOP_ID, path="/~/opsdemo")
    assert (gone.http_status, gone.code) == (404, "NotFound")


def test_transfer_runs_to_success_with_events_and_successful_transfers(
    tc: globus_sdk.TransferClient, service: RunningSim
) -> None:
    files = {f"set/file_{i:03d}.txt": f"content {i}".encode() for i in range(130)}
    make_tree(home(service, LAPTOP_ID) / "bulk", files)
    data = globus_sdk.TransferData(
        source_endpoint=LAPTOP_ID,
        destination_endpoint=SCRATCH_ID,
        label="bulk copy",
        verify_checksum=True,
        preserve_timestamp=True,
    )
    data.add_item("/~/bulk/", "/~/bulk-copy/", recursive=True)
    result = tc.submit_transfer(data)
    assert (result.http_status, result["code"]) == (202, "Accepted")
    assert result["submission_id"] == data["submission_id"]
    task = wait_for_task(tc, result["task_id"])
    assert task["status"] == "SUCCEEDED", task.data
    assert task["files"] == task["files_transferred"] == 130
    assert task["directories"] == 2
    assert task["bytes_transferred"] == sum(len(v) for v in files.values())
    assert task["bytes_checksummed"] >= task["bytes_transferred"]
    assert task["label"] == "bulk copy" and task["type"] == "TRANSFER"
    assert task["completion_time"] and task["nice_status"] is None
    copied = home(service, SCRATCH_ID) / "bulk-copy" / "set"
    assert (copied / "file_042.txt").read_bytes() == b"content 42"
    source_mtime = (home(service, LAPTOP_ID) / "bulk" / "set" / "file_042.txt").stat().st_mtime
    assert int((copied / "file_042.txt").stat().st_mtime) == int(source_mtime)
    codes = [e["code"] for e in tc.task_event_list(result["task_id"])]
    assert codes[0] == "SUCCEEDED" and codes[-1] == "STARTED"
    transfers = list(tc.paginated.task_successful_transfers(result["task_id"]).items())
    assert len(transfers) == 130
    first_page = tc.task_successful_transfers(result["task_id"])
    assert first_page["next_marker"] is not None
    assert {t["destination_path"] for t in transfers} == {
        f"/home/demo/bulk-copy/{name}" for name in files
    }


def test_same_submission_id_twice_is_one_task(
    tc: globus_sdk.TransferClient, service: RunningSim
) -> None:
    make_tree(home(service, LAPTOP_ID) / "once", {"a.txt": b"a"})
    data = globus_sdk.TransferData(source_endpoint=LAPTOP_ID, destination_endpoint=SCRATCH_ID)
    data.add_item("/~/once/a.txt", "/~/once-copy/a.txt")
    data["submission_id"] = tc.get_submission_id()["value"]
    first = tc.submit_transfer(data)
    second = tc.submit_transfer(data)
    assert second.http_status == 200 and second["code"] == "Duplicate"
    assert second["task_id"] == first["task_id"]
    wait_for_task(tc, first["task_id"])
    ids = [t["task_id"] for t in tc.task_list(filter=f"task_id:{first['task_id']}")]
    assert ids == [first["task_id"]]


def test_bad_transfer_documents_are_refused(tc: globus_sdk.TransferClient) -> None:
    empty = globus_sdk.TransferData(source_endpoint=LAPTOP_ID, destination_endpoint=SCRATCH_ID)
    error = api_error(tc.submit_transfer, empty)
    assert (error.http_status, error.code) == (400, "ClientError.BadRequest.NoTransferItems")
    bad_sync = globus_sdk.TransferData(source_endpoint=LAPTOP_ID, destination_endpoint=SCRATCH_ID)
    bad_sync.add_item("/~/a", "/~/b")
    bad_sync["sync_level"] = 7
    assert api_error(tc.submit_transfer, bad_sync).http_status == 400
    unknown = globus_sdk.TransferData(
        source_endpoint=str(uuid.uuid4()), destination_endpoint=SCRATCH_ID
    )
    unknown.add_item("/~/a", "/~/b")
    assert api_error(tc.submit_transfer, unknown).http_status == 404


def test_delete_task_removes_files(tc: globus_sdk.TransferClient, service: RunningSim) -> None:
    make_tree(home(service, SCRATCH_ID) / "trash", {"a.txt": b"a", "deeper/b.txt": b"b"})
    data = globus_sdk.DeleteData(endpoint=SCRATCH_ID, recursive=True, label="cleanup")
    data.add_item("/~/trash/")
    result = tc.submit_delete(data)
    assert (result["DATA_TYPE"], result["code"]) == ("delete_result", "Accepted")
    task = wait_for_task(tc, result["task_id"])
    assert task["status"] == "SUCCEEDED" and task["type"] == "DELETE"
    assert not (home(service, SCRATCH_ID) / "trash").exists()
    listed = tc.task_list(filter="type:DELETE")
    assert result["task_id"] in {t["task_id"] for t in listed}
    assert result["task_id"] not in {t["task_id"] for t in tc.task_list(limit=100)}


def test_skipped_errors_list_unreadable_and_missing_sources(
    tc: globus_sdk.TransferClient, service: RunningSim
) -> None:
    base = home(service, LAPTOP_ID) / "partly"
    make_tree(base, {"ok.txt": b"fine", "locked.txt": b"secret"})
    (base / "locked.txt").chmod(0)
    data = globus_sdk.TransferData(
        source_endpoint=LAPTOP_ID, destination_endpoint=SCRATCH_ID, skip_source_errors=True
    )
    data.add_item("/~/partly/", "/~/partly-copy/", recursive=True)
    data.add_item("/~/partly/not-there.txt", "/~/partly-copy/not-there.txt")
    task = wait_for_task(tc, tc.submit_transfer(data)["task_id"])
    assert task["status"] == "SUCCEEDED"
    assert task["files_transferred"] == 1 and task["files_skipped"] == 2
    skipped = list(tc.paginated.task_skipped_errors(task["task_id"]).items())
    assert {(s["source_path"], s["error_code"]) for s in skipped} == {
        ("/home/demo/partly/locked.txt", "PERMISSION_DENIED"),
        ("/home/demo/partly/not-there.txt", "FILE_NOT_FOUND"),
    }
    assert tc.task_skipped_errors(task["task_id"])["next_marker"] is None
    assert (home(service, SCRATCH_ID) / "partly-copy" / "ok.txt").read_bytes() == b"fine"
    assert not (home(service, SCRATCH_ID) / "partly-copy" / "locked.txt").exists()


def test_update_cancel_and_pause_info(tc: globus_sdk.TransferClient, service: RunningSim) -> None:
    make_tree(home(service, LAPTOP_ID) / "slow", {"big.bin": b"z" * 400_000})
    service.settings.throttle_bytes_per_second = 20_000
    try:
        data = globus_sdk.TransferData(
            source_endpoint=LAPTOP_ID, destination_endpoint=SCRATCH_ID, label="slow one"
        )
        data.add_item("/~/slow/big.bin", "/~/slow-copy/big.bin")
        task_id = tc.submit_transfer(data)["task_id"]
        deadline = (datetime.now(UTC) + timedelta(hours=2)).replace(microsecond=0)
        updated = tc.update_task(task_id, {"label": "renamed", "deadline": deadline.isoformat()})
        assert updated["code"] == "Updated"
        task = tc.get_task(task_id)
        assert task["label"] == "renamed"
        assert datetime.fromisoformat(task["deadline"]) == deadline
        assert tc.task_pause_info(task_id)["pause_rules"] == []
        canceled = tc.cancel_task(task_id)
        assert canceled["code"] == "Canceled"
        task = tc.get_task(task_id)
        assert task["status"] == "FAILED" and task["fatal_error"]["code"] == "CANCELED"
        assert "CANCELED" in [e["code"] for e in tc.task_event_list(task_id)]
        again = tc.cancel_task(task_id)
        assert again["code"] == "TaskComplete"
        assert not (home(service, SCRATCH_ID) / "slow-copy" / "big.bin").exists()
    finally:
        service.settings.throttle_bytes_per_second = 0


def test_task_list_pages_and_filters(tc: globus_sdk.TransferClient, service: RunningSim) -> None:
    make_tree(home(service, LAPTOP_ID) / "many", {"a.txt": b"a"})
    ids = []
    for i in range(5):
        data = globus_sdk.TransferData(
            source_endpoint=LAPTOP_ID, destination_endpoint=SCRATCH_ID, label=f"paged {i}"
        )
        data.add_item("/~/many/a.txt", f"/~/many-{i}/a.txt")
        ids.append(tc.submit_transfer(data)["task_id"])
    for task_id in ids:
        wait_for_task(tc, task_id)
    page = tc.task_list(limit=2, offset=1, filter="label:~paged*")
    assert page["DATA_TYPE"] == "task_list"
    assert (page["length"], page["limit"], page["offset"], page["total"]) == (2, 2, 1, 5)
    assert [t["task_id"] for t in page] == [ids[3], ids[2]]
    every = list(tc.paginated.task_list(filter="label:~paged*/status:SUCCEEDED", limit=2).items())
    assert [t["task_id"] for t in every] == ids[::-1]
    oldest_first = tc.task_list(filter="label:~paged*", orderby="request_time ASC", limit=10)
    assert [t["task_id"] for t in oldest_first][0] == ids[0]
    assert list(tc.task_list(filter="label:=paged 3"))[0]["task_id"] == ids[3]
    others = tc.task_list(filter="label:!~paged*", limit=100)
    assert not {t["task_id"] for t in others} & set(ids)
    future = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S")
    assert list(tc.task_list(filter=f"request_time:{future},")) == []


def test_bookmarks_round_trip(tc: globus_sdk.TransferClient) -> None:
    made = tc.create_bookmark(
        {"endpoint_id": SCRATCH_ID, "path": "/~/datasets", "name": "My datasets"}
    )
    assert made["DATA_TYPE"] == "bookmark" and made["path"] == "/~/datasets/"
    assert tc.get_bookmark(made["id"])["name"] == "My datasets"
    tc.update_bookmark(made["id"], {"name": "Datasets"})
    assert [b["name"] for b in tc.bookmark_list()] == ["Datasets"]
    tc.delete_bookmark(made["id"])
    assert list(tc.bookmark_list()) == []
    assert api_error(tc.get_bookmark, made["id"]).http_status == 404


def test_consent_required_until_data_access_is_granted(tc: globus_sdk.TransferClient) -> None:
    error = api_error(tc.operation_ls, ARCHIVE_ID, path="/~/")
    assert (error.http_status, error.code) == (403, "ConsentRequired")
    assert error.info.consent_required
    scope = f"https://auth.globus.org/scopes/{ARCHIVE_ID}/data_access"
    assert error.info.consent_required.required_scopes == [f"{TRANSFER_SCOPE}[*{scope}]"]
    assert error.raw_json["authorization_parameters"]["session_message"]
    consented = client_for(f"{TRANSFER_SCOPE}[*{scope}]")
    assert "README.md" in [e["name"] for e in consented.operation_ls(ARCHIVE_ID, path="/~/")]

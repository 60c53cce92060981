"""TransferData/DeleteData documents and the TransferClient's requests, through a fake transport."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import httpx
import pytest

from gtui.core.errors import NetworkError, TransferAPIError
from gtui.core.http import RetryPolicy
from gtui.core.transfer import TransferClient
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


# The client, against a fake Transfer service.

BASE = "https://transfer.test/"
EP = "0f7d2f6a-7c3e-4c58-9a8b-1c8f3c2b9d10"
V = "/v0.10"

LS_RESULT = {
    "DATA_TYPE": "file_list",
    "endpoint": EP,
    "path": "/share/",
    "absolute_path": None,
    "length": 1,
    "total": 1,
    "rename_supported": True,
    "symlink_supported": True,
    "DATA": [
        {
            "DATA_TYPE": "file",
            "name": "godata",
            "type": "dir",
            "size": 4096,
            "permissions": "0755",
            "user": "root",
            "group": "root",
            "last_modified": "2020-09-23 18:53:12+00:00",
            "link_target": None,
        }
    ],
}
TRANSFER_RESULT = {
    "DATA_TYPE": "transfer_result",
    "code": "Accepted",
    "message": "The transfer has been accepted",
    "request_id": "ABCdef789",
    "resource": "/transfer",
    "submission_id": "sub-1",
    "task_id": "task-1",
    "task_link": {"href": "task/task-1?format=json", "rel": "related"},
}


@pytest.fixture
def transfer(http_client: httpx.AsyncClient, no_sleep) -> TransferClient:
    return TransferClient(
        base_url=BASE, http_client=http_client, retry_policy=RetryPolicy(sleep=no_sleep)
    )


def _params(request: httpx.Request) -> list[tuple[str, str]]:
    return list(request.url.params.multi_items())


async def test_operation_ls_encodes_hidden_orderby_and_filters(fake_service, transfer) -> None:
    fake_service.route("GET", f"{V}/operation/endpoint/{EP}/ls", LS_RESULT)
    resp = await transfer.operation_ls(
        EP,
        path="/share/",
        show_hidden=False,
        orderby=["type DESC", "name ASC"],
        filter=[{"type": "dir"}, {"name": "~*.txt", "size": None}],
        limit=50,
        offset=100,
        local_user="alice",
    )
    assert resp["DATA"][0]["name"] == "godata"
    assert _params(fake_service.requests[-1]) == [
        ("path", "/share/"),
        ("show_hidden", "0"),
        ("orderby", "type DESC,name ASC"),
        ("filter", "type:dir"),
        ("filter", "name:~*.txt"),
        ("limit", "50"),
        ("offset", "100"),
        ("local_user", "alice"),
    ]


async def test_operation_ls_dict_filter_joins_clauses(fake_service, transfer) -> None:
    fake_service.route("GET", f"{V}/operation/endpoint/{EP}/ls", LS_RESULT)
    await transfer.operation_ls(
        EP, show_hidden=True, filter={"type": "file", "last_modified": ["", "2021-01-01"]}
    )
    params = dict(_params(fake_service.requests[-1]))
    assert params == {"show_hidden": "1", "filter": "type:file/last_modified:,2021-01-01"}


async def test_operation_ls_error_is_a_transfer_api_error(fake_service, transfer) -> None:
    fake_service.route(
        "GET",
        f"{V}/operation/endpoint/{EP}/ls",
        httpx.Response(
            502,
            json={
                "code": "ExternalError.DirListingFailed.NotDirectory",
                "message": "Not a directory",
                "request_id": "r1",
            },
        ),
    )
    with pytest.raises(TransferAPIError) as caught:
        await transfer.operation_ls(EP, path="/file.txt")
    assert caught.value.code == "ExternalError.DirListingFailed.NotDirectory"
    assert len(fake_service.requests) == 1


async def test_stat_mkdir_rename_send_the_documented_bodies(fake_service, transfer) -> None:
    fake_service.route(
        "GET",
        f"{V}/operation/endpoint/{EP}/stat",
        {"DATA_TYPE": "file", "name": "a.txt", "type": "file", "size": 3},
    )
    fake_service.route(
        "POST",
        f"{V}/operation/endpoint/{EP}/mkdir",
        {"DATA_TYPE": "mkdir_result", "code": "DirectoryCreated"},
    )
    fake_service.route(
        "POST",
        f"{V}/operation/endpoint/{EP}/rename",
        {"DATA_TYPE": "result", "code": "FileRenamed"},
    )
    stat = await transfer.operation_stat(EP, "/a.txt", local_user="bob")
    assert stat["size"] == 3
    assert dict(_params(fake_service.requests[-1])) == {"path": "/a.txt", "local_user": "bob"}
    made = await transfer.operation_mkdir(EP, "/new")
    assert made["code"] == "DirectoryCreated"
    assert fake_service.body(fake_service.requests[-1]) == {"DATA_TYPE": "mkdir", "path": "/new"}
    renamed = await transfer.operation_rename(EP, "/a.txt", "/b.txt")
    assert renamed["code"] == "FileRenamed"
    assert fake_service.body(fake_service.requests[-1]) == {
        "DATA_TYPE": "rename",
        "old_path": "/a.txt",
        "new_path": "/b.txt",
    }


async def test_submit_transfer_fetches_a_submission_id_once_and_keeps_it(
    fake_service, transfer
) -> None:
    fake_service.route("GET", f"{V}/submission_id", {"value": "sub-1"})

    def flaky(request: httpx.Request) -> httpx.Response:
        if len(fake_service.calls("POST", f"{V}/transfer")) == 1:
            raise httpx.ConnectError("connection reset", request=request)
        return httpx.Response(200, json=TRANSFER_RESULT)

    fake_service.route("POST", f"{V}/transfer", flaky)
    tdata = TransferData(EP, EP, label="copy")
    tdata.add_item("/a", "/b")
    result = await transfer.submit_transfer(tdata)
    assert result["task_id"] == "task-1"
    assert tdata["submission_id"] == "sub-1"
    sent = [fake_service.body(r) for r in fake_service.calls("POST", f"{V}/transfer")]
    assert len(sent) == 2 and all(doc["submission_id"] == "sub-1" for doc in sent)
    await transfer.submit_transfer(tdata)
    assert len(fake_service.calls("GET", f"{V}/submission_id")) == 1


async def test_resubmitting_after_a_network_failure_reuses_the_submission_id(
    fake_service, http_client
) -> None:
    async def no_wait(_s: float) -> None:
        return None

    client = TransferClient(
        base_url=BASE,
        http_client=http_client,
        retry_policy=RetryPolicy(max_retries=0, sleep=no_wait),
    )
    fake_service.route("GET", f"{V}/submission_id", {"value": "sub-9"})

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("down", request=request)

    fake_service.route("POST", f"{V}/delete", down)
    ddata = DeleteData(EP, recursive=True)
    ddata.add_item("/old")
    with pytest.raises(NetworkError):
        await client.submit_delete(ddata)
    fake_service.route(
        "POST",
        f"{V}/delete",
        {"DATA_TYPE": "delete_result", "code": "Accepted", "task_id": "t-del"},
    )
    assert (await client.submit_delete(ddata))["task_id"] == "t-del"
    ids = {fake_service.body(r)["submission_id"] for r in fake_service.calls("POST", f"{V}/delete")}
    assert ids == {"sub-9"}
    assert len(fake_service.calls("GET", f"{V}/submission_id")) == 1


async def test_a_given_submission_id_is_never_replaced(fake_service, transfer) -> None:
    fake_service.route("POST", f"{V}/transfer", TRANSFER_RESULT)
    tdata = TransferData(EP, EP, submission_id="mine")
    tdata.add_item("/a", "/b")
    await transfer.submit_transfer(tdata)
    assert fake_service.calls("GET", f"{V}/submission_id") == []
    assert fake_service.body(fake_service.requests[-1])["submission_id"] == "mine"


async def test_endpoint_search_params_and_paging(fake_service, transfer) -> None:
    def page(request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params.get("offset", 0))
        limit = int(request.url.params.get("limit", 100))
        data = [
            {"id": f"ep{i}", "display_name": f"EP {i}"}
            for i in range(offset, min(offset + limit, 250))
        ]
        return httpx.Response(
            200,
            json={
                "DATA_TYPE": "endpoint_list",
                "DATA": data,
                "has_next_page": offset + limit < 250,
                "limit": limit,
                "offset": offset,
            },
        )

    fake_service.route("GET", f"{V}/endpoint_search", page)
    first = await transfer.endpoint_search(
        "scratch", filter_scope="my-endpoints", filter_non_functional=False, limit=5
    )
    assert len(first["DATA"]) == 5
    assert dict(_params(fake_service.requests[-1])) == {
        "filter_fulltext": "scratch",
        "filter_scope": "my-endpoints",
        "filter_non_functional": "0",
        "limit": "5",
    }
    fake_service.requests.clear()
    ids = [item["id"] async for item in transfer.paginated.endpoint_search("x").items()]
    assert len(ids) == 250 and ids[-1] == "ep249"
    assert [r.url.params["offset"] for r in fake_service.requests] == ["0", "100", "200"]


@pytest.mark.parametrize(
    "scope",
    [
        "all",
        "my-endpoints",
        "my-gcp-endpoints",
        "recently-used",
        "in-use",
        "shared-by-me",
        "shared-with-me",
        "administered-by-me",
    ],
)
async def test_endpoint_search_accepts_every_cli_scope(fake_service, transfer, scope) -> None:
    fake_service.route(
        "GET",
        f"{V}/endpoint_search",
        {"DATA_TYPE": "endpoint_list", "DATA": [], "has_next_page": False},
    )
    await transfer.endpoint_search(filter_scope=scope, filter_entity_type="GCSv5_guest_collection")
    assert fake_service.requests[-1].url.params["filter_scope"] == scope


async def test_endpoint_search_rejects_bad_combinations(transfer) -> None:
    with pytest.raises(ValueError, match="filter_scope"):
        await transfer.endpoint_search(filter_scope="everything")
    with pytest.raises(ValueError, match="filter_owner_id"):
        await transfer.endpoint_search(filter_scope="my-endpoints", filter_owner_id="u")
    with pytest.raises(ValueError, match="filter_entity_type"):
        await transfer.endpoint_search(
            filter_entity_type="GCSv5_endpoint", filter_non_functional=True
        )


async def test_get_endpoint(fake_service, transfer) -> None:
    fake_service.route(
        "GET",
        f"{V}/endpoint/{EP}",
        {
            "DATA_TYPE": "endpoint",
            "id": EP,
            "display_name": "Scratch",
            "entity_type": "GCSv5_mapped_collection",
        },
    )
    assert (await transfer.get_endpoint(EP))["display_name"] == "Scratch"


async def test_task_list_filter_dict_and_paging(fake_service, transfer) -> None:
    def page(request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params.get("offset", 0))
        limit = int(request.url.params.get("limit", 1000))
        data = [
            {"task_id": f"t{i}", "status": "ACTIVE"}
            for i in range(offset, min(offset + limit, 1500))
        ]
        return httpx.Response(
            200,
            json={
                "DATA_TYPE": "task_list",
                "DATA": data,
                "length": len(data),
                "limit": limit,
                "offset": offset,
                "total": 1500,
            },
        )

    fake_service.route("GET", f"{V}/task_list", page)
    await transfer.task_list(
        filter={"type": ["TRANSFER", "DELETE"], "status": "ACTIVE"},
        orderby="request_time DESC",
        limit=10,
    )
    assert dict(_params(fake_service.requests[-1])) == {
        "filter": "type:TRANSFER,DELETE/status:ACTIVE",
        "orderby": "request_time DESC",
        "limit": "10",
    }
    fake_service.requests.clear()
    tasks = [t async for t in transfer.paginated.task_list(limit=400).items()]
    assert len(tasks) == 1000
    assert [r.url.params["offset"] for r in fake_service.requests] == ["0", "400", "800"]
    assert fake_service.requests[-1].url.params["limit"] == "200"


async def test_task_detail_calls(fake_service, transfer) -> None:
    fake_service.route("GET", f"{V}/task/t1", {"DATA_TYPE": "task", "task_id": "t1"})
    fake_service.route(
        "PUT", f"{V}/task/t1", {"DATA_TYPE": "task", "task_id": "t1", "label": "renamed"}
    )
    fake_service.route("POST", f"{V}/task/t1/cancel", {"DATA_TYPE": "result", "code": "Canceled"})
    fake_service.route(
        "GET", f"{V}/task/t1/pause_info", {"DATA_TYPE": "pause_info_limited", "pause_rules": []}
    )
    assert (await transfer.get_task("t1"))["task_id"] == "t1"
    await transfer.update_task("t1", {"label": "renamed"})
    assert fake_service.body(fake_service.requests[-1]) == {"DATA_TYPE": "task", "label": "renamed"}
    assert (await transfer.cancel_task("t1"))["code"] == "Canceled"
    assert (await transfer.task_pause_info("t1"))["pause_rules"] == []


async def test_task_event_list_pages_by_total(fake_service, transfer) -> None:
    def page(request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params["offset"])
        data = [
            {
                "DATA_TYPE": "event",
                "code": "PROGRESS",
                "is_error": False,
                "description": str(i),
                "details": "",
                "time": "2021-01-01T00:00:00+00:00",
            }
            for i in range(offset, min(offset + 2, 5))
        ]
        return httpx.Response(
            200,
            json={
                "DATA_TYPE": "event_list",
                "DATA": data,
                "length": len(data),
                "offset": offset,
                "total": 5,
            },
        )

    fake_service.route("GET", f"{V}/task/t1/event_list", page)
    events = [
        e
        async for e in transfer.paginated.task_event_list(
            "t1", limit=2, filter="is_error:1"
        ).items()
    ]
    assert [e["description"] for e in events] == ["0", "1", "2", "3", "4"]
    assert all(r.url.params["filter"] == "is_error:1" for r in fake_service.requests)


@pytest.mark.parametrize("method", ["task_successful_transfers", "task_skipped_errors"])
async def test_marker_paged_task_lists_follow_next_marker_until_null(
    fake_service, transfer, method
) -> None:
    path = "successful_transfers" if method == "task_successful_transfers" else "skipped_errors"
    pages = {
        None: {
            "marker": 0,
            "next_marker": 93979,
            "DATA": [{"source_path": "/a", "destination_path": "/b"}],
        },
        "93979": {
            "marker": 93979,
            "next_marker": None,
            "DATA": [{"source_path": "/c", "destination_path": "/d"}],
        },
    }
    fake_service.route(
        "GET",
        f"{V}/task/t1/{path}",
        lambda r: httpx.Response(200, json=pages[r.url.params.get("marker")]),
    )
    paginator = getattr(transfer.paginated, method)("t1")
    items = [item async for item in paginator.items()]
    assert [i["source_path"] for i in items] == ["/a", "/c"]
    assert [r.url.params.get("marker") for r in fake_service.requests] == [None, "93979"]


async def test_bookmark_calls(fake_service, transfer) -> None:
    bookmark = {
        "DATA_TYPE": "bookmark",
        "id": "b1",
        "name": "data",
        "endpoint_id": EP,
        "path": "/data/",
        "pinned": False,
    }
    fake_service.route(
        "GET", f"{V}/bookmark_list", {"DATA_TYPE": "bookmark_list", "DATA": [bookmark]}
    )
    fake_service.route("POST", f"{V}/bookmark", bookmark)
    fake_service.route("GET", f"{V}/bookmark/b1", bookmark)
    fake_service.route("PUT", f"{V}/bookmark/b1", {**bookmark, "name": "renamed"})
    fake_service.route("DELETE", f"{V}/bookmark/b1", {"DATA_TYPE": "result", "code": "Deleted"})
    assert [b["id"] for b in await transfer.bookmark_list()] == ["b1"]
    await transfer.create_bookmark({"name": "data", "endpoint_id": EP, "path": "/data/"})
    assert fake_service.body(fake_service.requests[-1])["DATA_TYPE"] == "bookmark"
    assert (await transfer.get_bookmark("b1"))["path"] == "/data/"
    assert (await transfer.update_bookmark("b1", {"name": "renamed"}))["name"] == "renamed"
    assert fake_service.body(fake_service.requests[-1]) == {
        "DATA_TYPE": "bookmark",
        "name": "renamed",
    }
    assert (await transfer.delete_bookmark("b1"))["code"] == "Deleted"

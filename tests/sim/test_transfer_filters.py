"""The filter and orderby languages of ``ls`` and ``task_list`` (the latter as SQL)."""

from __future__ import annotations

import calendar
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from gtui.sim.errors import SimAPIError
from gtui.sim.transfer import history
from gtui.sim.transfer.files import Entry, entries_json
from gtui.sim.transfer.lsfilter import apply_order, parse_filter, parse_orderby
from gtui.sim.transfer.store import TransferStore
from gtui.sim.transfer.taskfilter import parse_task_filter, parse_task_order
from tests.sim.store_support import finish, make_task, open_store


def entry(name: str, kind: str = "file", size: int = 0, day: str = "2024-01-01") -> Entry:
    mtime = float(calendar.timegm(time.strptime(day, "%Y-%m-%d")))
    stamp = time.strftime("%Y-%m-%d %H:%M:%S+00:00", time.gmtime(mtime))
    return Entry(
        name, kind, size, "0644", "demo", "demo", stamp, None, None, None, None, None, mtime
    )


ENTRIES = [
    entry("alpha.txt", size=10, day="2024-01-01"),
    entry("beta.csv", size=300, day="2024-06-01"),
    entry("gamma.txt", size=20, day="2025-01-01"),
    entry("data", kind="dir", size=4096, day="2023-01-01"),
]


def names(filters: list[str]) -> list[str]:
    predicate = parse_filter(filters)
    assert predicate is not None
    return [e.name for e in ENTRIES if predicate(e)]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (["name:alpha.txt"], ["alpha.txt"]),
        (["name:=beta.csv"], ["beta.csv"]),
        (["name:!beta.csv"], ["alpha.txt", "gamma.txt", "data"]),
        (["name:~*.txt"], ["alpha.txt", "gamma.txt"]),
        (["name:!~*.txt"], ["beta.csv", "data"]),
        (["type:dir"], ["data"]),
        (["type:file/name:~*a*"], ["alpha.txt", "beta.csv", "gamma.txt"]),
        (["type:file/size:>15"], ["beta.csv", "gamma.txt"]),
        (["size:10,20"], ["alpha.txt", "gamma.txt"]),
        (["last_modified:2024-03-01,"], ["beta.csv", "gamma.txt"]),
        (["last_modified:,2024-01-02 00:00:00"], ["alpha.txt", "data"]),
        (["type:dir", "name:~g*"], ["gamma.txt", "data"]),
    ],
)
def test_ls_filters_and_within_a_parameter_and_or_across_parameters(
    filters: list[str], expected: list[str]
) -> None:
    assert names(filters) == expected


@pytest.mark.parametrize(
    "bad", ["colour:red", "nocolon", "type:socket", "size:big", "last_modified:yesterday,"]
)
def test_unknown_ls_filters_are_bad_requests(bad: str) -> None:
    with pytest.raises(SimAPIError) as info:
        parse_filter([bad])
    assert info.value.status == 400


def test_orderby_sorts_by_every_key_in_turn() -> None:
    entries = list(ENTRIES)
    apply_order(entries, parse_orderby(["type DESC,size ASC"]))
    assert [e.name for e in entries] == ["alpha.txt", "gamma.txt", "beta.csv", "data"]
    apply_order(entries, parse_orderby(["last_modified DESC"]))
    assert [e.name for e in entries] == ["gamma.txt", "beta.csv", "alpha.txt", "data"]
    with pytest.raises(SimAPIError):
        parse_orderby(["name SIDEWAYS"])


def test_listing_json_escapes_names_that_need_it() -> None:
    odd = entry('quote" back\\slash\ttab é')
    text = entries_json([odd, ENTRIES[0]])
    docs = json.loads(text)
    assert docs[0]["name"] == odd.name
    assert docs[1] == ENTRIES[0].to_doc()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[TransferStore]:
    opened = open_store(tmp_path / "service.db")
    yield opened
    opened.db.close()


def listed(
    store: TransferStore, text: str | None, orderby: str | None = "request_time ASC"
) -> list[str]:
    where = parse_task_filter(text)
    docs, total = history.task_page(store, "me", where, parse_task_order(orderby), 1000, 0)
    assert total == len(docs)
    return [d["task_id"] for d in docs]


def test_task_filters_cover_type_status_label_and_ids(store: TransferStore) -> None:
    for task in (
        make_task("1", "Nightly backup"),
        make_task("2", "scratch copy"),
        make_task("3", "cleanup", "DELETE"),
        make_task("4", "Ünïcode Backup"),
        make_task("5", None),
        make_task("6", "someone else's backup", owner="other"),
    ):
        store.add_task(task)
    finish(store, store.live["2"], completion_time="2024-05-01T12:00:00+00:00")

    assert listed(store, None) == ["1", "2", "4", "5"]
    assert listed(store, "type:TRANSFER,DELETE") == ["1", "2", "3", "4", "5"]
    assert listed(store, "type:delete") == ["3"]
    assert listed(store, "status:SUCCEEDED") == ["2"]
    assert listed(store, "status:active,succeeded") == ["1", "2", "4", "5"]
    assert listed(store, "label:~*BACKUP*") == ["1", "4"]
    assert listed(store, "label:~ÜNÏ*") == ["4"]
    assert listed(store, "label:!~*backup*") == ["2", "5"]
    assert listed(store, "label:=scratch copy") == ["2"]
    assert listed(store, "label:=") == ["5"]
    assert listed(store, "label:!scratch copy/type:TRANSFER,DELETE") == ["1", "3", "4", "5"]
    assert listed(store, "task_id:1,3,6/type:TRANSFER,DELETE") == ["1", "3"]
    assert listed(store, "completion_time:2024-05-01,2024-05-02") == ["2"]
    assert listed(store, "completion_time:,2024-04-30") == []
    assert listed(store, "request_time:2000-01-01,") == ["1", "2", "4", "5"]
    for bad in ("status:DONE", "colour:red", "nocolon", "request_time:yesterday,"):
        with pytest.raises(SimAPIError):
            parse_task_filter(bad)


def test_task_order_keeps_submission_order_for_equal_times(store: TransferStore) -> None:
    for i in range(4):
        store.add_task(make_task(str(i), f"t{i}"))
    assert listed(store, None, None) == ["3", "2", "1", "0"]
    assert listed(store, None, "request_time ASC") == ["0", "1", "2", "3"]
    store.live["2"].doc["bytes_transferred"] = 7
    store.live["2"].mark_changed()
    assert listed(store, None, "bytes_transferred DESC") == ["2", "3", "1", "0"]
    finish(store, store.live["1"], completion_time="2024-05-01T12:00:00+00:00")
    assert listed(store, None, "completion_time ASC, label DESC") == ["3", "2", "0", "1"]
    assert listed(store, None, "completion_time DESC") == ["1", "3", "2", "0"]
    with pytest.raises(SimAPIError):
        parse_task_order("label SIDEWAYS")

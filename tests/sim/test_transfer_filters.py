"""The filter and orderby languages of ``ls`` and ``task_list``, and the task store's file."""

from __future__ import annotations

import calendar
import json
import time
from pathlib import Path
from typing import Any

import pytest

from gtui.sim.errors import SimAPIError
from gtui.sim.transfer.files import Entry, entries_json
from gtui.sim.transfer.lsfilter import apply_order, parse_filter, parse_orderby
from gtui.sim.transfer.model import Task, new_task_doc
from gtui.sim.transfer.store import TransferStore
from gtui.sim.transfer.taskfilter import order_tasks, parse_task_filter


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


def make_task(task_id: str, label: str, kind: str = "TRANSFER", sequence_owner: str = "me") -> Task:
    doc = new_task_doc(
        task_id=task_id,
        task_type=kind,
        owner_id=sequence_owner,
        username="me",
        label=label,
        source=None,
        destination=None,
        deadline="2099-01-01T00:00:00+00:00",
        options={},
    )
    return Task(doc, {"items": []}, f"sub-{task_id}")


def test_task_filters_cover_type_status_label_and_ids() -> None:
    docs = [
        make_task("1", "Nightly backup").doc,
        make_task("2", "scratch copy").doc,
        make_task("3", "cleanup", "DELETE").doc,
    ]
    docs[1]["status"] = "SUCCEEDED"

    def matching(text: str | None) -> list[str]:
        keep = parse_task_filter(text)
        return [d["task_id"] for d in docs if keep(d)]

    assert matching(None) == ["1", "2"]
    assert matching("type:TRANSFER,DELETE") == ["1", "2", "3"]
    assert matching("type:DELETE") == ["3"]
    assert matching("status:SUCCEEDED") == ["2"]
    assert matching("label:~BACKUP") == ["1"]
    assert matching("label:!~backup") == ["2"]
    assert matching("label:=scratch copy") == ["2"]
    assert matching("label:!scratch copy/type:TRANSFER,DELETE") == ["1", "3"]
    assert matching("task_id:1,3/type:TRANSFER,DELETE") == ["1", "3"]
    with pytest.raises(SimAPIError):
        parse_task_filter("status:DONE")


def test_task_order_keeps_submission_order_for_equal_times() -> None:
    docs = [make_task(str(i), f"t{i}").doc for i in range(4)]
    sequence = {d["task_id"]: i for i, d in enumerate(docs)}
    order_tasks(docs, None, sequence)
    assert [d["task_id"] for d in docs] == ["3", "2", "1", "0"]
    order_tasks(docs, "request_time ASC", sequence)
    assert [d["task_id"] for d in docs] == ["0", "1", "2", "3"]


def test_the_store_survives_a_save_and_load(tmp_path: Path) -> None:
    path = tmp_path / "transfer.json"
    store = TransferStore(path)
    task, created = store.add_task(make_task("a", "kept"))
    assert created
    resubmitted = make_task("b", "same submission")
    resubmitted.submission_id = task.submission_id
    again, created_again = store.add_task(resubmitted)
    assert not created_again and again.task_id == "a"
    task.add_event("STARTED", "started")
    store.put_bookmark("me", {"name": "home", "endpoint_id": "x", "path": "/~/", "pinned": False})
    store.save()
    loaded = TransferStore(path)
    loaded.load()
    restored: Any = loaded.task_for("me", "a")
    assert restored.doc["label"] == "kept" and restored.events[0]["code"] == "STARTED"
    assert [b["name"] for b in loaded.bookmarks_of("me")] == ["home"]
    duplicate, fresh = loaded.add_task(make_task("c", "again"))
    assert fresh and duplicate.task_id == "c"
    with pytest.raises(SimAPIError) as info:
        loaded.task_for("someone-else", "a")
    assert info.value.status == 404

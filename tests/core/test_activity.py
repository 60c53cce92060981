"""The Activity view's logic: rows from each service's documents, the filter, the merged
pager (paging Transfer by request time, ties included) and the CSV/JSON export."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from gtui.core.activity import ActivityRow, row_from_flow_run, row_from_task, rows_from_job
from gtui.core.activity_export import to_csv, to_json, write_export
from gtui.core.activity_filter import ActivityFilter, label_pattern
from gtui.core.activity_pager import ActivityPager, FlowRunSource, TaskSource, activity_pager
from gtui.core.response import GlobusResponse

BASE = datetime(2026, 1, 1, tzinfo=UTC)
LAPTOP = "0a1b0000-0000-4000-8000-000000000001"
SCRATCH = "0a1b0000-0000-4000-8000-000000000002"


def at(minutes: int) -> str:
    return (BASE + timedelta(minutes=minutes)).isoformat()


def task(n: int, *, minutes: int | None = None, **fields: Any) -> dict[str, Any]:
    doc = {
        "DATA_TYPE": "task",
        "task_id": f"task-{n:05d}",
        "type": "TRANSFER",
        "status": "SUCCEEDED",
        "label": f"run {n}",
        "request_time": at(n if minutes is None else minutes),
        "completion_time": at((n if minutes is None else minutes) + 1),
        "source_endpoint_id": LAPTOP,
        "source_endpoint_display_name": "Laptop",
        "destination_endpoint_id": SCRATCH,
        "destination_endpoint_display_name": "Scratch",
        "bytes_transferred": n * 10,
    }
    doc.update(fields)
    return doc


class FakeTransfer:
    """``task_list`` over a list, newest first, honouring ``type:`` and the request time's
    upper bound (all the pager relies on) and ``offset``/``limit``; records each call."""

    def __init__(self, docs: list[dict[str, Any]]) -> None:
        self.docs = sorted(docs, key=lambda d: d["request_time"], reverse=True)
        self.calls: list[dict[str, Any]] = []

    async def task_list(self, **params: Any) -> Mapping[str, Any]:
        self.calls.append(params)
        clauses = dict(part.split(":", 1) for part in params["filter"].split("/"))
        types = clauses["type"].split(",")
        end = clauses.get("request_time", ",").split(",", 1)[1]
        found = [
            d for d in self.docs if d["type"] in types and (not end or d["request_time"] <= end)
        ]
        offset = params.get("offset") or 0
        return {"DATA": found[offset : offset + params["limit"]]}


class FakeTimers:
    def __init__(self, jobs: list[dict[str, Any]]) -> None:
        self.jobs = {job["job_id"]: job for job in jobs}

    async def list_jobs(self) -> Mapping[str, Any]:
        return {"jobs": [{"job_id": job_id} for job_id in self.jobs]}

    async def get_job(self, job_id: str) -> GlobusResponse:
        return GlobusResponse(httpx.Response(200, json=self.jobs[job_id]))


def job(job_id: str, name: str, runs: list[dict[str, Any]]) -> dict[str, Any]:
    return {"job_id": job_id, "name": name, "results": {"data": runs, "page_next": None}}


def timer_run(ran: int, details: dict[str, Any] | None) -> dict[str, Any]:
    data = None if details is None else {"action_id": details["task_id"], "details": details}
    return {"ran_at": at(ran), "status": 200 if details else 409, "errors": [], "data": data}


def pager_over(docs: list[dict[str, Any]], wanted: ActivityFilter | None = None) -> Any:
    transfer = FakeTransfer(docs)
    pager = activity_pager(wanted or ActivityFilter(), transfer=transfer, timers=None)  # type: ignore[arg-type]
    return transfer, pager


# -- rows -------------------------------------------------------------------------------------


def test_a_task_row_names_both_collections_and_its_times() -> None:
    row = row_from_task(task(3, type="DELETE", bytes_transferred=0))
    assert row.kind == "delete"
    assert (row.source_name, row.destination_name) == ("Laptop", "Scratch")
    assert row.started == BASE + timedelta(minutes=3)
    assert row.ended == BASE + timedelta(minutes=4)
    assert row.task_id == "task-00003"


def test_a_timer_run_carries_the_task_it_started_and_a_refused_run_its_failure() -> None:
    rows = rows_from_job(job("job-1", "nightly", [timer_run(10, task(9)), timer_run(20, None)]))
    assert [r.kind for r in rows] == ["timer run", "timer run"]
    refused, ran = rows
    assert refused.status == "FAILED" and refused.task_id is None
    assert ran.task_id == "task-00009" and ran.source_name == "Laptop" and ran.bytes == 90
    assert ran.timer_name == "nightly"


def test_a_flow_run_row() -> None:
    row = row_from_flow_run(
        {
            "run_id": "r1",
            "flow_id": "f1",
            "flow_title": "Move",
            "label": "move it",
            "status": "ENDED",
            "start_time": at(5),
            "completion_time": None,
        }
    )
    assert (row.kind, row.status, row.flow_title, row.label) == (
        "flow run",
        "ENDED",
        "Move",
        "move it",
    )
    assert row.started == BASE + timedelta(minutes=5) and row.ended is None


# -- the filter -------------------------------------------------------------------------------


def test_label_words_without_a_star_match_anywhere() -> None:
    assert label_pattern("climate") == "*climate*"
    assert label_pattern("wire-s*") == "wire-s*"
    wanted = ActivityFilter(label="RUN 1*")
    assert wanted.matches(row_from_task(task(12)))
    assert not wanted.matches(row_from_task(task(2)))


def test_the_task_filter_says_to_transfer_what_it_can_filter_itself() -> None:
    wanted = ActivityFilter(
        kinds=frozenset({"delete", "flow run"}),
        statuses=frozenset({"FAILED", "ENDED"}),
        label="a/b,c",
        since=BASE,
        until=BASE + timedelta(days=1),
    )
    assert wanted.task_filter() == (
        "type:DELETE/status:FAILED/label:~*a*b*c*"
        "/request_time:2026-01-01T00:00:00+00:00,2026-01-02T00:00:00+00:00"
    )
    assert wanted.task_filter(before=at(7)).endswith(
        f"request_time:2026-01-01T00:00:00+00:00,{at(7)}"
    )
    assert not ActivityFilter(statuses=frozenset({"ENDED"})).wants_tasks


def test_collection_and_free_text_match_names_and_ids() -> None:
    row = row_from_task(task(4))
    assert ActivityFilter(collection="scrat").matches(row)
    assert ActivityFilter(collection=LAPTOP).matches(row)
    assert not ActivityFilter(collection="archive").matches(row)
    assert ActivityFilter(text="laptop run 4").matches(row)
    assert ActivityFilter(text="task-00004").matches(row)
    assert not ActivityFilter(text="laptop run 5").matches(row)


def test_a_date_range_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(ValueError, match="ends before it starts"):
        ActivityFilter(since=BASE, until=BASE - timedelta(days=1))


# -- paging -----------------------------------------------------------------------------------


async def test_the_pager_reads_the_whole_history_by_request_time() -> None:
    docs = [task(n) for n in range(250)]
    transfer, pager = pager_over(docs)
    first = await pager.more(50)
    assert [r.task_id for r in first] == [f"task-{n:05d}" for n in range(249, 199, -1)]
    assert len(transfer.calls) == 1
    everything = await pager.everything()
    assert [r.task_id for r in everything] == [f"task-{n:05d}" for n in range(249, -1, -1)]
    # Each later page is bounded by the oldest request time of the page before it.
    assert transfer.calls[1]["filter"].endswith(f"request_time:,{at(150)}")
    assert transfer.calls[1]["offset"] == 1
    assert pager.exhausted


async def test_tasks_requested_at_the_same_moment_are_neither_lost_nor_repeated() -> None:
    docs = [task(n, minutes=n // 150) for n in range(400)]  # 150 tasks share each minute
    transfer, pager = pager_over(docs)
    rows = await pager.everything()
    assert sorted(r.task_id for r in rows) == sorted(d["task_id"] for d in docs)
    assert len({r.task_id for r in rows}) == 400
    assert len(transfer.calls) >= 4


async def test_rows_the_client_filters_are_skipped_until_enough_match() -> None:
    docs = [task(n) for n in range(300)]
    docs[7]["destination_endpoint_display_name"] = "Archive"
    transfer, pager = pager_over(docs, ActivityFilter(collection="archive"))
    found = await pager.more(10)
    assert [r.task_id for r in found] == ["task-00007"]
    assert pager.exhausted


async def test_sources_are_merged_newest_first_and_a_timers_task_is_shown_once() -> None:
    docs = [task(n, minutes=n * 10) for n in range(5)]  # minutes 0, 10, 20, 30, 40
    timers = FakeTimers([job("job-1", "nightly", [timer_run(21, docs[2]), timer_run(35, None)])])

    async def flow_page(marker: str | None) -> Mapping[str, Any]:
        pages = {
            None: {
                "runs": [_flow("f2", 45), _flow("f1", 25)],
                "has_next_page": True,
                "marker": "m1",
            },
            "m1": {"runs": [_flow("f0", 5)], "has_next_page": False, "marker": None},
        }
        return pages[marker]

    pager = activity_pager(
        ActivityFilter(),
        transfer=FakeTransfer(docs),  # type: ignore[arg-type]
        timers=timers,  # type: ignore[arg-type]
        flow_runs=flow_page,
    )
    rows = await pager.everything()
    assert [(r.kind, r.id.split("@")[0]) for r in rows] == [
        ("flow run", "f2"),
        ("transfer", "task-00004"),
        ("timer run", "job-1"),  # refused at minute 35
        ("transfer", "task-00003"),
        ("flow run", "f1"),
        ("timer run", "job-1"),  # task-00002, requested at minute 20
        ("transfer", "task-00001"),
        ("flow run", "f0"),
        ("transfer", "task-00000"),
    ]


def _flow(run_id: str, minutes: int) -> dict[str, Any]:
    return {"run_id": run_id, "status": "SUCCEEDED", "label": run_id, "start_time": at(minutes)}


async def test_a_flow_source_stops_when_the_marker_does_not_move() -> None:
    async def same_page(marker: str | None) -> Mapping[str, Any]:
        return {"runs": [_flow("f", 1)], "has_next_page": True, "marker": "stuck"}

    source = FlowRunSource(same_page)
    pager = ActivityPager([source], ActivityFilter())
    rows = await pager.everything()
    assert source.pages == 2 and len(rows) == 2


async def test_no_request_is_made_for_a_kind_filtered_out() -> None:
    transfer, pager = pager_over([task(1)], ActivityFilter(kinds=frozenset({"flow run"})))
    assert await pager.everything() == []
    assert transfer.calls == []
    assert not any(isinstance(s, TaskSource) for s in pager.sources)


# -- export -----------------------------------------------------------------------------------


def _rows() -> list[ActivityRow]:
    return [row_from_task(task(1, label='say "hi", then go')), row_from_task(task(2))]


def test_csv_export_has_a_header_and_a_line_per_row() -> None:
    lines = list(csv.DictReader(io.StringIO(to_csv(_rows()))))
    assert lines[0]["label"] == 'say "hi", then go'
    assert lines[0]["source"] == "Laptop" and lines[0]["destination_id"] == SCRATCH
    assert lines[1]["bytes"] == "20" and lines[1]["started"] == at(2)
    assert lines[1]["timer_id"] == ""


def test_json_export_keeps_types_and_nulls(tmp_path: Path) -> None:
    assert json.loads(to_json(_rows()))[1]["bytes"] == 20
    path = tmp_path / "view.json"
    assert write_export(_rows(), path) == "json"
    loaded = json.loads(path.read_text())
    assert [r["task_id"] for r in loaded] == ["task-00001", "task-00002"]
    assert loaded[0]["flow_id"] is None and loaded[0]["kind"] == "transfer"
    assert write_export(_rows(), tmp_path / "view.csv") == "csv"
    assert (tmp_path / "view.csv").read_text().startswith("kind,status,label,")

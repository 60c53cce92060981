"""A demo folder from before the database: its ``transfer.json`` moves into it once, whole.

The file is written as earlier versions saved it; the official SDK then reads every task,
list and bookmark back from the service, which renamed the file so it is never read again.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import globus_sdk
import pytest

from gtui.sim.serve import RunningSim
from gtui.sim.settings import STATE_DIR_NAME
from gtui.sim.transfer.model import new_task_doc
from gtui.sim.world import DEMO_USER_ID, LAPTOP_ID
from tests.sim_login import by_resource_server, login_through_page

LAPTOP = {"id": LAPTOP_ID, "canonical_name": "demo#laptop", "display_name": "Demo Laptop"}
BOOKMARK = {
    "name": "Old place",
    "endpoint_id": LAPTOP_ID,
    "path": "/home/demo/old/",
    "pinned": True,
    "id": "b0000000-0000-4000-8000-000000000001",
    "DATA_TYPE": "bookmark",
}


def _event(code: str, is_error: bool = False) -> dict[str, Any]:
    return {
        "DATA_TYPE": "event",
        "code": code,
        "description": code.lower(),
        "details": "{}",
        "is_error": is_error,
        "time": "2025-03-01T10:00:00+00:00",
    }


def _old_task(task_id: str, kind: str, sequence: int, **changes: Any) -> dict[str, Any]:
    doc = new_task_doc(
        task_id=task_id,
        task_type=kind,
        owner_id=DEMO_USER_ID,
        username="demo@gtui.example",
        label=f"old {kind.lower()}",
        source=LAPTOP,
        destination=LAPTOP if kind == "TRANSFER" else None,
        deadline="2099-01-01T00:00:00+00:00",
        options={},
    )
    doc.update(changes)
    return {"doc": doc, "submission_id": f"sub-{task_id}", "sequence": sequence}


def old_state() -> dict[str, Any]:
    """Two tasks as ``transfer.json`` held them: a finished copy and a delete still active."""
    finished = _old_task(
        "a0000000-0000-4000-8000-000000000001",
        "TRANSFER",
        1,
        status="SUCCEEDED",
        completion_time="2025-03-01T10:05:00+00:00",
        files_transferred=150,
    )
    finished.update(
        spec={"items": [], "sync_level": None, "recursive_symlinks": "ignore"},
        events=[_event("STARTED"), _event("SUCCEEDED")],
        successful=[
            {
                "DATA_TYPE": "successful_transfer",
                "source_path": f"/~/old/{i}.txt",
                "destination_path": f"/~/copy/{i}.txt",
            }
            for i in range(150)
        ],
        skipped=[{"DATA_TYPE": "skipped_error", "source_path": "/~/old/x", "error_code": "X"}],
    )
    active = _old_task("a0000000-0000-4000-8000-000000000002", "DELETE", 2)
    active.update(
        spec={
            "items": [{"DATA_TYPE": "delete_item", "path": "/~/nothing-here"}],
            "recursive": False,
            "ignore_missing": True,
            "interpret_globs": False,
        },
        events=[_event("STARTED")],
        successful=[],
        skipped=[],
    )
    return {
        "version": 1,
        "tasks": [active, finished],
        "bookmarks": {DEMO_USER_ID: {BOOKMARK["id"]: BOOKMARK}},
    }


def _client(sim: RunningSim, monkeypatch: pytest.MonkeyPatch) -> globus_sdk.TransferClient:
    for name, value in sim.env.items():
        monkeypatch.setenv(name, value)
    token = by_resource_server(login_through_page(sim))["transfer.api.globus.org"]
    return globus_sdk.TransferClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))


def test_an_old_state_file_is_moved_into_the_database_once(
    tmp_path: Path, sim_factory: Callable[..., RunningSim], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "demo"
    state_dir = root / STATE_DIR_NAME
    state_dir.mkdir(parents=True)
    state = old_state()
    (state_dir / "transfer.json").write_text(json.dumps(state))
    finished, active = state["tasks"][1], state["tasks"][0]

    sim = sim_factory(root)
    assert not (state_dir / "transfer.json").exists()
    assert json.loads((state_dir / "transfer.json.migrated").read_text()) == state
    tc = _client(sim, monkeypatch)
    assert tc.get_task(finished["doc"]["task_id"]).data == finished["doc"]
    events = tc.task_event_list(finished["doc"]["task_id"]).data["DATA"]
    assert events == list(reversed(finished["events"]))
    copied = list(tc.paginated.task_successful_transfers(finished["doc"]["task_id"]).items())
    assert [dict(c) for c in copied] == finished["successful"]
    skipped = tc.task_skipped_errors(finished["doc"]["task_id"]).data["DATA"]
    assert skipped == finished["skipped"]
    assert list(tc.bookmark_list()) == [BOOKMARK], "no demo bookmarks added"
    assert tc.task_wait(active["doc"]["task_id"], timeout=30, polling_interval=1)
    assert tc.get_task(active["doc"]["task_id"])["status"] == "SUCCEEDED"
    listed = tc.task_list(filter="type:TRANSFER,DELETE", orderby="request_time ASC").data
    assert [t["task_id"] for t in listed["DATA"]] == [
        finished["doc"]["task_id"],
        active["doc"]["task_id"],
    ]
    sim.stop()

    again = sim_factory(root)
    tc = _client(again, monkeypatch)
    assert tc.task_list(filter="type:TRANSFER,DELETE").data["total"] == 2
    assert [b["name"] for b in tc.bookmark_list()] == ["Old place"]

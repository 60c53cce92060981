"""Runs of the demo flows on the embedded service: a run that needs the archive's
``data_access`` consent waits INACTIVE and goes on once it is given; the two-stage flow's
Choice and Wait; a service stopped while a transfer action runs goes on after its restart
without submitting the transfer again."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import globus_sdk
import pytest
from globus_sdk.gare import to_gare

from gtui.sim.auth.scopes import TRANSFER_ALL, data_access_scope, flow_scope
from gtui.sim.serve import RunningSim
from gtui.sim.world import (
    ARCHIVE_FLOW_ID,
    ARCHIVE_ID,
    LAPTOP_ID,
    MOVE_FLOW_ID,
    SCRATCH_ID,
    TWO_STAGE_FLOW_ID,
)
from tests.sim.flows_support import (
    MOVE_OPTIONS,
    flow_client,
    flows_client,
    home,
    log_codes,
    move_input,
    wait_for_status,
    wait_until,
    write_files,
)
from tests.sim_login import TRANSFER_SCOPE, by_resource_server, login_through_page

ARCHIVE_ACCESS = data_access_scope(ARCHIVE_ID)


def use(sim: RunningSim, monkeypatch: pytest.MonkeyPatch) -> RunningSim:
    for name, value in sim.env.items():
        monkeypatch.setenv(name, value)
    return sim


def transfer_tasks(sim: RunningSim) -> list[dict[str, object]]:
    tokens = by_resource_server(login_through_page(sim, scopes=TRANSFER_SCOPE))
    client = globus_sdk.TransferClient(
        authorizer=globus_sdk.AccessTokenAuthorizer(tokens["transfer.api.globus.org"])
    )
    return list(client.task_list(limit=100, filter="type:TRANSFER,DELETE"))


def test_a_run_waits_for_the_archives_consent_and_goes_on_once_it_is_given(
    sim_factory: Callable[..., RunningSim], monkeypatch: pytest.MonkeyPatch
) -> None:
    sim = use(sim_factory(clock_speed=50), monkeypatch)
    flows = flows_client(sim)
    without = flow_client(sim, ARCHIVE_FLOW_ID)
    write_files(sim, "results", {"run-7.csv": b"1,2,3\n"})
    body = {
        "source": {"id": LAPTOP_ID, "path": "/~/results/"},
        "archive_path": "/~/kept/results/",
        **MOVE_OPTIONS,
    }

    run_id = without.run_flow(body, label="Keep run 7")["run_id"]
    waiting = wait_for_status(flows, run_id, "INACTIVE")
    details = waiting["details"]
    assert details["code"] == "ActionInactive"
    assert details["details"]["required_scope"] == ARCHIVE_ACCESS
    assert details["details"]["output"]["details"]["code"] == "ConsentRequired"
    assert ARCHIVE_ID in details["details"]["output"]["details"]["description"]
    assert transfer_tasks(sim) == []  # no task is made without the consent

    with pytest.raises(globus_sdk.FlowsAPIError) as refused:
        without.resume_run(run_id)
    assert refused.value.http_status == 403 and refused.value.code == "ConsentRequired"
    gare = to_gare(refused.value)
    assert gare is not None
    needed = f"{flow_scope(ARCHIVE_FLOW_ID)}[{TRANSFER_ALL}[*{ARCHIVE_ACCESS}]]"
    assert gare.authorization_parameters.required_scopes == [needed]
    assert flows.get_run(run_id)["status"] == "INACTIVE"

    consented = flow_client(sim, ARCHIVE_FLOW_ID, data_access=(ARCHIVE_ID,))
    resumed = consented.resume_run(run_id)
    assert resumed["status"] == "ACTIVE"
    done = wait_for_status(flows, run_id, "SUCCEEDED")
    assert (home(sim, ARCHIVE_ID) / "kept" / "results" / "run-7.csv").read_bytes() == b"1,2,3\n"
    result = done["details"]["output"]["ArchiveResult"]
    assert result["details"]["destination_endpoint_id"] == ARCHIVE_ID
    codes = log_codes(flows, run_id)
    assert codes[:3] == ["FlowStarted", "ActionStarted", "ActionInactive"]
    assert codes[-2:] == ["ActionCompleted", "FlowSucceeded"]


def test_the_two_stage_flow_copies_twice_through_its_choice_and_wait(
    sim_factory: Callable[..., RunningSim], monkeypatch: pytest.MonkeyPatch
) -> None:
    sim = use(sim_factory(clock_speed=50), monkeypatch)
    flows = flows_client(sim)
    write_files(sim, "instrument", {"frame-001.raw": b"\x00\x01" * 100})
    body = {
        "source": {"id": LAPTOP_ID, "path": "/~/instrument/"},
        "staging": {"id": SCRATCH_ID, "path": "/~/staging/"},
        "destination": {"id": SCRATCH_ID, "path": "/~/final/"},
        **MOVE_OPTIONS,
        "settle_seconds": 30,
    }
    run_id = flow_client(sim, TWO_STAGE_FLOW_ID).run_flow(body)["run_id"]
    run = wait_for_status(flows, run_id, "SUCCEEDED")
    for folder in ("staging", "final"):
        assert (home(sim, SCRATCH_ID) / folder / "frame-001.raw").stat().st_size == 200
    assert run["label"] == "Two-stage transfer (instrument → scratch → archive)"
    codes = log_codes(flows, run_id)
    assert "ChoiceStarted" in codes or any(c.startswith("Choice") for c in codes)
    assert any(c.startswith("Wait") for c in codes)
    assert codes.count("ActionCompleted") == 2


def test_a_run_stopped_with_the_service_mid_transfer_finishes_after_the_restart_once(
    sim_factory: Callable[..., RunningSim], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    root = tmp_path / "world"
    sim = use(sim_factory(root, clock_speed=50, throttle_bytes_per_second=400_000), monkeypatch)
    flows = flows_client(sim)
    data = os.urandom(1_200_000)
    write_files(sim, "big", {"survey.bin": data})
    run_id = flow_client(sim, MOVE_FLOW_ID).run_flow(move_input("big", "landed"))["run_id"]

    def copying() -> str | None:
        ids = sim.ctx.flows.store.task_ids(run_id) if sim.ctx.flows else []
        return ids[0] if ids else None

    task_id = wait_until(copying, "the copy's transfer task")
    (task,) = transfer_tasks(sim)
    assert task["task_id"] == task_id and task["status"] == "ACTIVE"
    sim.stop()

    again = use(sim_factory(root, clock_speed=50), monkeypatch)
    flows = flows_client(again)
    run = wait_for_status(flows, run_id, "SUCCEEDED", timeout=30)
    assert (home(again, SCRATCH_ID) / "landed" / "survey.bin").read_bytes() == data
    assert not (home(again, LAPTOP_ID) / "big").exists()
    assert run["details"]["output"]["CopyResult"]["details"]["task_id"] == task_id

    def both_tasks() -> list[dict[str, object]] | None:
        found = transfer_tasks(again)
        return found if len(found) >= 2 else None

    tasks = wait_until(both_tasks, "the delete task in the task list")
    assert sorted(t["type"] for t in tasks) == ["DELETE", "TRANSFER"]
    assert [t["task_id"] for t in tasks if t["type"] == "TRANSFER"] == [task_id]
    assert log_codes(flows, run_id).count("ActionStarted") == 2  # copy, delete: once each

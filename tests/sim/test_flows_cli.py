"""The official globus-cli (3.43.0) runs its flows commands unchanged against the embedded
service, logged in as the demo confidential client: ``globus flows list``, ``flows show``,
``flows start`` (``--input``, ``--label``), ``flows run list``, ``flows run show``,
``flows run show-logs`` and ``flows run cancel``. The client may start the demo's Move flow
(its starters include ``all_authenticated_users``); the run really moves the files."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gtui.sim.serve import RunningSim
from gtui.sim.world import (
    DEMO_CONFIDENTIAL_CLIENT_ID,
    DEMO_CONFIDENTIAL_CLIENT_SECRET,
    DEMO_USER_ID,
    MOVE_FLOW_ID,
    SCRATCH_ID,
)
from tests.sim.flows_support import home, move_input, wait_until, write_files
from tests.sim.test_cli_basics import GLOBUS, globus

pytestmark = pytest.mark.skipif(not GLOBUS.exists(), reason="globus-cli is not installed")

CLIENT_URN = f"urn:globus:auth:identity:{DEMO_CONFIDENTIAL_CLIENT_ID}"


def cli_env(sim: RunningSim, tmp_path: Path) -> dict[str, str]:
    """The CLI's environment: the service's variables, a client login, a home of its own."""
    cli_home = tmp_path / "cli-home"
    cli_home.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GLOBUS_")}
    return {
        **env,
        **sim.env,
        "HOME": str(cli_home),
        "TZ": "UTC",
        "GLOBUS_CLI_CLIENT_ID": DEMO_CONFIDENTIAL_CLIENT_ID,
        "GLOBUS_CLI_CLIENT_SECRET": DEMO_CONFIDENTIAL_CLIENT_SECRET,
    }


def as_json(env: dict[str, str], *args: str) -> Any:
    return json.loads(globus(env, *args, "-F", "json"))


def run_status(env: dict[str, str], run_id: str) -> str:
    status: str = as_json(env, "flows", "run", "show", run_id)["status"]
    return status


def test_list_show_start_and_follow_a_run_with_the_cli(
    sim_factory: Callable[..., RunningSim], tmp_path: Path
) -> None:
    sim = sim_factory(clock_speed=50)
    env = cli_env(sim, tmp_path)
    write_files(sim, "cli-outbox", {"notes.txt": b"from the cli\n"})

    listed = as_json(env, "flows", "list")
    assert [f["id"] for f in listed["flows"]] == [MOVE_FLOW_ID]  # what the client may see
    table = globus(env, "flows", "list")
    assert "Move (copy, then delete the source)" in table and MOVE_FLOW_ID in table
    assert "demo@gtui.example" in table  # the owner, named through Auth
    assert as_json(env, "flows", "list", "--filter-role", "flow_owner")["flows"] == []

    shown = as_json(env, "flows", "show", MOVE_FLOW_ID)
    assert shown["user_role"] == "flow_starter"
    assert shown["flow_owner"] == f"urn:globus:auth:identity:{DEMO_USER_ID}"
    record = globus(env, "flows", "show", MOVE_FLOW_ID)
    assert "Title:" in record and "Move (copy, then delete the source)" in record
    assert "Starters:" in record and "all_authenticated_users" in record

    body = json.dumps(move_input("cli-outbox", "cli-inbox"))
    started = as_json(
        env, "flows", "start", MOVE_FLOW_ID, "--input", body, "--label", "Moved from the CLI"
    )
    run_id = started["run_id"]
    assert started["label"] == "Moved from the CLI" and started["run_owner"] == CLIENT_URN
    assert started["status"] == "ACTIVE"
    wait_until(lambda: run_status(env, run_id) == "SUCCEEDED", "the CLI's run to succeed")
    assert (home(sim, SCRATCH_ID) / "cli-inbox" / "notes.txt").read_bytes() == b"from the cli\n"

    runs = as_json(env, "flows", "run", "list", "--filter-flow-id", MOVE_FLOW_ID)
    assert [r["run_id"] for r in runs["runs"]] == [run_id]
    run_table = globus(env, "flows", "run", "list")
    assert run_id in run_table and "SUCCEEDED" in run_table and "Moved from the CLI" in run_table
    shown_run = globus(env, "flows", "run", "show", run_id)
    assert "Run Label:" in shown_run and "Moved from the CLI" in shown_run
    assert "Status:" in shown_run and "SUCCEEDED" in shown_run

    logs = as_json(env, "flows", "run", "show-logs", run_id)
    codes = [e["code"] for e in logs["entries"]]
    assert codes[0] == "FlowStarted" and codes[-1] == "FlowSucceeded"
    assert codes.count("ActionCompleted") == 2
    newest_first = as_json(env, "flows", "run", "show-logs", run_id, "--reverse")
    assert [e["code"] for e in newest_first["entries"]] == codes[::-1]
    log_table = globus(env, "flows", "run", "show-logs", run_id)
    assert "FlowSucceeded" in log_table and "State Copy of type Action started" in log_table


def test_cancel_a_run_while_its_transfer_runs_with_the_cli(
    sim_factory: Callable[..., RunningSim], tmp_path: Path
) -> None:
    sim = sim_factory(clock_speed=50, throttle_bytes_per_second=200_000)
    env = cli_env(sim, tmp_path)
    source = write_files(sim, "cli-big", {"survey.bin": os.urandom(2_000_000)})
    body = json.dumps(move_input("cli-big", "cli-landed"))
    run_id = as_json(env, "flows", "start", MOVE_FLOW_ID, "--input", body)["run_id"]
    assert sim.ctx.flows is not None
    store = sim.ctx.flows.store
    wait_until(lambda: store.task_ids(run_id), "the copy's task")

    canceled = as_json(env, "flows", "run", "cancel", run_id)
    assert canceled["run_id"] == run_id and canceled["status"] == "ENDED"
    assert canceled["details"]["code"] == "FlowCanceled"
    (task_id,) = store.task_ids(run_id)
    transfer = sim.ctx.transfer
    assert transfer is not None
    wait_until(
        lambda: (
            transfer.store.task_for(DEMO_CONFIDENTIAL_CLIENT_ID, task_id).public_doc()["status"]
            == "FAILED"
        ),
        "the copy's task to be cancelled",
    )
    assert source.exists()  # never deleted: the run ended before its Delete
    codes = [e["code"] for e in as_json(env, "flows", "run", "show-logs", run_id)["entries"]]
    assert codes[-1] == "FlowCanceled" and "ActionCompleted" not in codes

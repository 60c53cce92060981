"""Helpers of the Flows service tests: clients logged in as a person, waiting for runs, the
demo's inputs."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import globus_sdk

from gtui.sim.auth.scopes import FLOWS_RS, TRANSFER_ALL, data_access_scope, flow_scope, flows_scope
from gtui.sim.serve import RunningSim
from gtui.sim.world import DEMO_USER_ID, LAPTOP_ID, SCRATCH_ID
from tests.sim_login import by_resource_server, login_through_page

FLOWS_ALL = flows_scope("all")
MOVE_OPTIONS = {"label": "moved by a test", "verify_checksum": True, "sync_level": "checksum"}


def flows_client(sim: RunningSim, identity_id: str = DEMO_USER_ID) -> globus_sdk.FlowsClient:
    tokens = by_resource_server(login_through_page(sim, scopes=FLOWS_ALL, identity_id=identity_id))
    return globus_sdk.FlowsClient(authorizer=globus_sdk.AccessTokenAuthorizer(tokens[FLOWS_RS]))


def flow_client(
    sim: RunningSim,
    flow_id: str,
    identity_id: str = DEMO_USER_ID,
    data_access: tuple[str, ...] = (),
) -> globus_sdk.SpecificFlowClient:
    """A client for one flow, logged in with the flow's own scope (and below it Transfer's
    with the ``data_access`` of ``data_access``)."""
    scope = flow_scope(flow_id)
    if data_access:
        below = " ".join(f"*{data_access_scope(c)}" for c in data_access)
        scope = f"{scope}[{TRANSFER_ALL}[{below}]]"
    tokens = by_resource_server(login_through_page(sim, scopes=scope, identity_id=identity_id))
    authorizer = globus_sdk.AccessTokenAuthorizer(tokens[flow_id])
    return globus_sdk.SpecificFlowClient(flow_id, authorizer=authorizer)


def home(sim: RunningSim, collection_id: str) -> Path:
    root: Path = sim.ctx.world.collections[collection_id].root
    return root / "home" / "demo"


def write_files(sim: RunningSim, folder: str, files: dict[str, bytes]) -> Path:
    """Files in a folder of the demo user's laptop home."""
    where = home(sim, LAPTOP_ID) / folder
    where.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (where / name).write_bytes(data)
    return where


def move_input(source: str, destination: str, to: str = SCRATCH_ID) -> dict[str, Any]:
    return {
        "source": {"id": LAPTOP_ID, "path": f"/~/{source}/"},
        "destination": {"id": to, "path": f"/~/{destination}/"},
        **MOVE_OPTIONS,
    }


def wait_until(condition: Callable[[], Any], what: str, timeout: float = 20) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        assert time.monotonic() < deadline, f"waited {timeout:g} s for {what}"
        time.sleep(0.05)


def wait_for_status(
    client: globus_sdk.FlowsClient, run_id: str, status: str, timeout: float = 20
) -> dict[str, Any]:
    def reached() -> dict[str, Any] | None:
        run: dict[str, Any] = client.get_run(run_id).data
        return run if run["status"] == status else None

    found: dict[str, Any] = wait_until(reached, f"run {run_id} to be {status}", timeout)
    return found


def log_codes(client: globus_sdk.FlowsClient, run_id: str) -> list[str]:
    return [e["code"] for e in client.get_run_logs(run_id, limit=100)["entries"]]

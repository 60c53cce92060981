"""Faults on the Timers, Flows and GCS Manager APIs, each answered in that service's own error
shape; and a flow run that rides out Transfer's transient failures of its action's submit
with exactly one task, the same one, whether the failure came before or after Transfer made it.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from gtui.sim.auth.scopes import FLOWS_RS, TIMER_RS, TIMER_SCOPE
from gtui.sim.faults import applies_to
from gtui.sim.serve import RunningSim
from gtui.sim.settings import FaultSettings
from gtui.sim.world import DEMO_USER_ID, LAPTOP_ID, MOVE_FLOW_ID, SCRATCH_ENDPOINT_ID, SCRATCH_ID
from tests.sim.flows_support import (
    FLOWS_ALL,
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


def token_for(sim: RunningSim, scopes: str, resource_server: str) -> dict[str, str]:
    tokens = by_resource_server(login_through_page(sim, scopes=scopes))
    return {"Authorization": f"Bearer {tokens[resource_server]}"}


def jobs_url(sim: RunningSim) -> str:
    return f"{sim.service_urls['timer']}jobs/"


def flows_url(sim: RunningSim) -> str:
    return f"{sim.service_urls['flows']}flows"


def test_timers_and_flows_paths_are_api_paths() -> None:
    assert applies_to("/timer/jobs/")
    assert applies_to("/timer/v2/timer")
    assert applies_to("/flows/flows")
    assert applies_to("/flows/runs/abc/log")


def test_timers_answer_a_5xx_fault_in_their_own_shape(sim: RunningSim) -> None:
    headers = token_for(sim, TIMER_SCOPE, TIMER_RS)
    sim.settings.faults = FaultSettings(error_rate=1.0, only_paths=["/timer/"])
    answer = httpx.get(jobs_url(sim), headers=headers)
    assert answer.status_code in (500, 502, 503, 504)
    error = answer.json()["error"]
    assert set(error) == {"code", "detail", "status"}
    assert error["status"] == answer.status_code
    assert error["code"] in {"InternalError", "BadGateway", "ServiceUnavailable", "GatewayTimeout"}
    assert error["detail"].endswith("please try again")
    # Faults limited to Timers leave the other services answering.
    groups = httpx.get(f"{sim.service_urls['groups']}v2/groups/my_groups")
    assert groups.status_code == 401
    sim.settings.faults = FaultSettings()
    assert httpx.get(jobs_url(sim), headers=headers).json() == {"jobs": []}


def test_timers_answer_a_429_fault_with_retry_after(sim: RunningSim) -> None:
    headers = token_for(sim, TIMER_SCOPE, TIMER_RS)
    sim.settings.faults = FaultSettings(rate_429=1.0)
    answer = httpx.get(jobs_url(sim), headers=headers)
    assert answer.status_code == 429
    assert answer.headers["Retry-After"] == "1"
    assert answer.json()["error"] == {
        "code": "RateLimitExceeded",
        "detail": "Too many requests; retry later",
        "status": 429,
    }


def test_flows_answer_faults_in_their_own_shape_with_a_debug_id(sim: RunningSim) -> None:
    headers = token_for(sim, FLOWS_ALL, FLOWS_RS)
    sim.settings.faults = FaultSettings(error_rate=1.0, only_paths=["/flows/"])
    answer = httpx.get(flows_url(sim), headers=headers)
    assert answer.status_code in (500, 502, 503, 504)
    body = answer.json()
    assert set(body) == {"error", "debug_id"} and body["debug_id"]
    assert set(body["error"]) == {"code", "detail"}
    assert body["error"]["code"] in {
        "INTERNAL_ERROR",
        "BAD_GATEWAY",
        "SERVICE_UNAVAILABLE",
        "GATEWAY_TIMEOUT",
    }
    sim.settings.faults = FaultSettings(rate_limit_per_second=1, only_paths=["/flows/"])
    answers = [httpx.get(flows_url(sim), headers=headers) for _ in range(4)]
    limited = next(a for a in answers if a.status_code == 429)
    assert int(limited.headers["Retry-After"]) >= 1
    assert limited.json()["error"]["code"] == "RATE_LIMIT_EXCEEDED"
    assert sim.ctx.fault_counts["rate_limited"] >= 1


def test_flows_connections_are_dropped_and_a_seeded_share_fails(sim: RunningSim) -> None:
    headers = token_for(sim, FLOWS_ALL, FLOWS_RS)
    sim.settings.faults = FaultSettings(drop_rate=1.0)
    with pytest.raises(httpx.TransportError), httpx.Client() as client:
        client.get(flows_url(sim), headers=headers)
    sim.settings.faults = FaultSettings(error_rate=0.3, seed=5)
    with httpx.Client() as client:
        statuses = [client.get(flows_url(sim), headers=headers).status_code for _ in range(100)]
    failed = [s for s in statuses if s >= 500]
    assert 0.15 <= len(failed) / len(statuses) <= 0.45
    assert set(statuses) - set(failed) == {200}


def test_the_gcs_manager_answers_faults_in_its_result_shape(sim: RunningSim) -> None:
    url = f"{sim.ctx.world.endpoints[SCRATCH_ENDPOINT_ID].gcs_manager_url}/api/info"
    trusted = ssl.create_default_context(cafile=sim.ca_bundle)
    sim.settings.faults = FaultSettings(error_rate=1.0, only_paths=["/gcs/"])
    answer = httpx.get(url, verify=trusted)
    assert answer.status_code in (500, 502, 503, 504)
    body = answer.json()
    assert body["DATA_TYPE"] == "result#1.0.0"
    assert body["http_response_code"] == answer.status_code
    assert body["code"] in {
        "internal_error",
        "bad_gateway",
        "service_unavailable",
        "gateway_timeout",
    }
    # Limited to the GCS Managers, the main listener is left alone.
    assert httpx.get(f"{sim.service_urls['auth']}jwk.json").status_code == 200
    sim.settings.faults = FaultSettings(drop_rate=1.0, only_paths=["/gcs/"])
    with pytest.raises(httpx.TransportError), httpx.Client(verify=trusted) as client:
        client.get(url)
    sim.settings.faults = FaultSettings()
    assert httpx.get(url, verify=trusted).status_code == 200


def _transfer_tasks(sim: RunningSim) -> list[dict[str, Any]]:
    import globus_sdk

    tokens = by_resource_server(login_through_page(sim, scopes=TRANSFER_SCOPE))
    client = globus_sdk.TransferClient(
        authorizer=globus_sdk.AccessTokenAuthorizer(tokens["transfer.api.globus.org"])
    )
    return list(client.task_list(limit=100, filter="type:TRANSFER,DELETE"))


def _first_action_id(flows: Any, run_id: str) -> str | None:
    for entry in flows.get_run_logs(run_id, limit=100)["entries"]:
        if entry["code"] == "ActionStarted":
            return str(entry["details"]["action_id"])
    return None


@pytest.fixture
def move_run(
    sim_factory: Callable[..., RunningSim], monkeypatch: pytest.MonkeyPatch
) -> Callable[[FaultSettings], tuple[RunningSim, Any, str]]:
    """Start the Move flow with Transfer already failing as ``faults`` says."""

    def start(faults: FaultSettings) -> tuple[RunningSim, Any, str]:
        sim = sim_factory(clock_speed=20)
        for name, value in sim.env.items():
            monkeypatch.setenv(name, value)
        write_files(sim, "flaky", {"a.txt": b"alpha\n", "b.txt": b"beta\n"})
        flows = flows_client(sim)
        starter = flow_client(sim, MOVE_FLOW_ID)
        sim.settings.faults = faults
        run_id = starter.run_flow(move_input("flaky", "landed"))["run_id"]
        return sim, flows, run_id

    return start


def _finishes_with_one_copy(sim: RunningSim, flows: Any, run_id: str) -> str:
    sim.settings.faults = FaultSettings()
    run = wait_for_status(flows, run_id, "SUCCEEDED", timeout=30)
    landed = home(sim, SCRATCH_ID) / "landed"
    assert (landed / "a.txt").read_bytes() == b"alpha\n"
    assert (landed / "b.txt").read_bytes() == b"beta\n"
    assert not (home(sim, LAPTOP_ID) / "flaky").exists()
    tasks = _transfer_tasks(sim)
    copies = [t["task_id"] for t in tasks if t["type"] == "TRANSFER"]
    assert len(copies) == 1
    assert run["details"]["output"]["CopyResult"]["details"]["task_id"] == copies[0]
    assert log_codes(flows, run_id).count("ActionStarted") == 2  # copy, delete: once each
    return str(copies[0])


def test_a_flow_run_rides_out_transfer_5xx_and_makes_one_task(
    move_run: Callable[[FaultSettings], tuple[RunningSim, Any, str]],
) -> None:
    sim, flows, run_id = move_run(FaultSettings(error_rate=1.0, only_paths=["/transfer/"]))
    action_id = wait_until(lambda: _first_action_id(flows, run_id), "the copy action to start")
    # The submit has failed more than once, and the action keeps trying: the run goes on.
    wait_until(lambda: sim.ctx.fault_counts["errors"] >= 3, "Transfer to refuse a few submits")
    assert sim.ctx.transfer.store.task_by_submission(DEMO_USER_ID, action_id) is None
    assert flows.get_run(run_id)["status"] == "ACTIVE"
    _finishes_with_one_copy(sim, flows, run_id)


def test_a_submit_dropped_after_transfer_made_the_task_is_not_made_twice(
    move_run: Callable[[FaultSettings], tuple[RunningSim, Any, str]],
) -> None:
    sim, flows, run_id = move_run(FaultSettings(drop_rate=1.0, seed=4, only_paths=["/transfer/"]))
    action_id = wait_until(lambda: _first_action_id(flows, run_id), "the copy action to start")
    # Half the drops come after Transfer ran the submit: the task exists, the action was
    # never told of it, and goes on submitting with the same submission id.
    made = wait_until(
        lambda: sim.ctx.transfer.store.task_by_submission(DEMO_USER_ID, action_id),
        "a dropped submit that made the task",
    )
    wait_until(lambda: sim.ctx.fault_counts["dropped"] >= 3, "more dropped submits")
    assert sim.ctx.flows is not None
    assert made.task_id not in sim.ctx.flows.store.task_ids(run_id)
    assert _finishes_with_one_copy(sim, flows, run_id) == made.task_id

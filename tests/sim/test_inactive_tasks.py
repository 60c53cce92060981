"""A running task whose owner withdraws a collection's data_access consent goes INACTIVE, stays
so across a restart, and runs on to SUCCEEDED by itself once the consent is given again:
seen through the official globus-sdk."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import globus_sdk
import pytest

from gtui.sim.serve import RunningSim
from gtui.sim.world import ARCHIVE_ID, DEMO_USER_ID, LAPTOP_ID
from tests.sim_login import TRANSFER_SCOPE, by_resource_server, login_through_page

DATA_ACCESS = f"https://auth.globus.org/scopes/{ARCHIVE_ID}/data_access"
CONSENTED = f"{TRANSFER_SCOPE}[*{DATA_ACCESS}]"
TRANSFER_RS = "transfer.api.globus.org"
SLOW = 128 * 1024
SOURCE_FILES = {"small.txt": b"small file\n", "big.bin": bytes(range(256)) * 8192}


def home(sim: RunningSim, collection_id: str) -> Path:
    return sim.ctx.world.collections[collection_id].root / "home" / "demo"


def consent(sim: RunningSim) -> str:
    """Log the demo user in with the archive's data_access consent; their Transfer token."""
    return by_resource_server(login_through_page(sim, scopes=CONSENTED))[TRANSFER_RS]


def client(
    sim: RunningSim, token: str, monkeypatch: pytest.MonkeyPatch
) -> globus_sdk.TransferClient:
    for name, value in sim.env.items():
        monkeypatch.setenv(name, value)
    return globus_sdk.TransferClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))


def wait_until(condition: Callable[[], Any], what: str, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        assert time.monotonic() < deadline, f"waited {timeout:g} s for {what}"
        time.sleep(0.05)


def task_in(tc: globus_sdk.TransferClient, task_id: str, *statuses: str) -> Any:
    task = tc.get_task(task_id)
    return task if task["status"] in statuses else None


def test_withdrawn_consent_makes_a_task_inactive_until_it_is_given_again(
    sim_factory: Callable[..., RunningSim], monkeypatch: pytest.MonkeyPatch
) -> None:
    sim = sim_factory()
    for name, data in SOURCE_FILES.items():
        (home(sim, ARCHIVE_ID) / "inactive" / name).parent.mkdir(parents=True, exist_ok=True)
        (home(sim, ARCHIVE_ID) / "inactive" / name).write_bytes(data)
    sim.settings.throttle_bytes_per_second = SLOW
    token = consent(sim)
    tc = client(sim, token, monkeypatch)
    data = globus_sdk.TransferData(
        source_endpoint=ARCHIVE_ID,
        destination_endpoint=LAPTOP_ID,
        label="archive copy",
        submission_id=str(uuid.uuid4()),
    )
    data.add_item("/~/inactive/", "/~/inactive-copy/", recursive=True)
    task_id = tc.submit_transfer(data)["task_id"]
    wait_until(
        lambda: (t := task_in(tc, task_id, "ACTIVE")) and t["files_transferred"] >= 1,
        "the small file to be copied",
    )

    assert sim.ctx.auth.revoke_consent(DEMO_USER_ID, DATA_ACCESS) >= 2

    task = wait_until(lambda: task_in(tc, task_id, "INACTIVE"), "the task to go INACTIVE")
    assert task["nice_status"] == "NO_CREDENTIALS"
    assert task["is_ok"] is False
    assert task["completion_time"] is None
    assert f"Endpoint: Tape Archive ({ARCHIVE_ID})" in task["nice_status_details"]
    events = list(tc.task_event_list(task_id, limit=100))
    (event,) = [e for e in events if e["code"] == "NO_CREDENTIALS"]
    assert event["is_error"] is True
    assert event["description"] == "no credentials"
    assert "Missing required data_access consent" in event["details"]
    assert ARCHIVE_ID in event["details"]
    listed = tc.task_list(filter=f"status:INACTIVE/task_id:{task_id}")
    assert [t["task_id"] for t in listed] == [task_id]

    copy = home(sim, LAPTOP_ID) / "inactive-copy"
    stopped = (task["files_transferred"], task["bytes_transferred"], sorted(copy.iterdir()))
    quiet_until = time.monotonic() + 1.5
    while time.monotonic() < quiet_until:
        again = tc.get_task(task_id)
        assert again["status"] == "INACTIVE"
        now = (again["files_transferred"], again["bytes_transferred"], sorted(copy.iterdir()))
        assert now == stopped, "an INACTIVE task copied on"
        time.sleep(0.1)
    assert not (copy / "big.bin").exists()

    sim.stop()
    sim = sim_factory(sim.settings.root)
    sim.settings.throttle_bytes_per_second = SLOW
    tc = client(sim, token, monkeypatch)
    asleep_until = time.monotonic() + 1.0
    while time.monotonic() < asleep_until:
        assert tc.get_task(task_id)["status"] == "INACTIVE", "the restart woke the task"
        time.sleep(0.1)

    consent(sim)
    wait_until(lambda: task_in(tc, task_id, "ACTIVE"), "the task to be ACTIVE again")
    sim.settings.throttle_bytes_per_second = 0

    done = wait_until(
        lambda: task_in(tc, task_id, "SUCCEEDED", "FAILED"), "the task to end", timeout=60
    )
    assert done["status"] == "SUCCEEDED"
    assert done["bytes_transferred"] == sum(len(b) for b in SOURCE_FILES.values())
    for name, expected in SOURCE_FILES.items():
        assert (copy / name).read_bytes() == expected
    codes = [e["code"] for e in tc.task_event_list(task_id, limit=100)]
    assert codes[0] == "SUCCEEDED" and "NO_CREDENTIALS" in codes

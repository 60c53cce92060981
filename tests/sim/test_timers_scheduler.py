"""Timers running by the service's clock (stepped forward by the tests): runs that really copy
files, runs skipped while the one before is still going, retries, one run a minute per user,
a consent withdrawn and given again, a restart, and a crashing run."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import globus_sdk
import pytest
from globus_sdk.gare import to_gare

from gtui.sim.auth.scopes import TIMER_SCOPE, TRANSFER_ALL, data_access_scope
from gtui.sim.database import FILE_NAME
from gtui.sim.serve import RunningSim
from gtui.sim.timers.submitter import RunSubmitter
from gtui.sim.world import ARCHIVE_ID, DEMO_USER_ID, LAPTOP_ID, SCRATCH_ID
from tests.sim_login import login_through_page

TimersFor = Callable[..., globus_sdk.TimersClient]
HOUR = 3600


def home(sim: RunningSim, collection_id: str) -> Path:
    return sim.ctx.world.collections[collection_id].root / "home" / "demo"


def wait_until(condition: Callable[[], Any], what: str, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        assert time.monotonic() < deadline, f"waited {timeout:g} s for {what}"
        time.sleep(0.05)


def stays(condition: Callable[[], bool], what: str, seconds: float = 0.6) -> None:
    """``condition`` holds throughout a short while (nothing happens that should not)."""
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        assert condition(), what
        time.sleep(0.05)


def outbox(sim: RunningSim, files: dict[str, bytes], collection_id: str = LAPTOP_ID) -> Path:
    folder = home(sim, collection_id) / "outbox"
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


def timer(
    name: str,
    schedule: dict[str, Any],
    source: str = LAPTOP_ID,
    destination: str = SCRATCH_ID,
) -> globus_sdk.TransferTimer:
    data = globus_sdk.TransferData(source, destination)
    data.add_item("/~/outbox/", "/~/inbox/", recursive=True)
    return globus_sdk.TransferTimer(name=name, schedule=schedule, body=data)


def every(seconds: int, **end: Any) -> dict[str, Any]:
    schedule: dict[str, Any] = {"type": "recurring", "interval_seconds": seconds}
    if end:
        schedule["end"] = end
    return schedule


ONCE = {"type": "once"}


def job_where(timers: globus_sdk.TimersClient, job_id: str, check: Callable[[Any], bool]) -> Any:
    job = timers.get_job(job_id)
    return job if check(job) else None


def runs_of(job: Any) -> list[dict[str, Any]]:
    return list(job["results"]["data"])


def settled(job: Any) -> bool:
    """Its last run's task has ended (no run in progress)."""
    return job["activity"] is None or job["activity"]["code"] != "run_in_progress"


@pytest.fixture
def timers(sim: RunningSim, timers_client_for: TimersFor) -> globus_sdk.TimersClient:
    return timers_client_for(sim)


def test_a_recurring_timer_copies_the_files_at_each_run_and_stops_after_its_count(
    sim: RunningSim, timers: globus_sdk.TimersClient
) -> None:
    source = outbox(sim, {"data.csv": b"run 1\n"})
    copied = home(sim, SCRATCH_ID) / "inbox" / "data.csv"
    job_id = timers.create_timer(timer("sync", every(HOUR, condition="iterations", count=3)))[
        "timer"
    ]["job_id"]

    for number in (1, 2, 3):
        if number > 1:
            (source / "data.csv").write_bytes(f"run {number}\n".encode())
            sim.ctx.clock.step(HOUR)
        job = wait_until(
            lambda n=number: job_where(timers, job_id, lambda j: j["n_runs"] == n and settled(j)),
            f"run {number} and its task to end",
        )
        assert copied.read_bytes() == f"run {number}\n".encode()
        latest = runs_of(job)[0]
        assert latest["status"] == 202
        assert latest["data"]["status"] == "SUCCEEDED"
        assert latest["data"]["label"] == f"sync, run {number}"

    assert job["status"] == "loaded"
    assert job["next_run"] is None
    assert job["activity"] is None
    assert job["n_errors"] == 0
    assert [r["data"]["label"] for r in runs_of(job)] == [
        "sync, run 3",
        "sync, run 2",
        "sync, run 1",
    ]
    ran_at = [r["ran_at"] for r in runs_of(job)]
    assert ran_at == sorted(ran_at, reverse=True)

    sim.ctx.clock.step(HOUR)
    stays(lambda: timers.get_job(job_id)["n_runs"] == 3, "a timer ran past its count")
    assert copied.read_bytes() == b"run 3\n"


def test_a_run_is_skipped_while_the_task_of_the_one_before_is_still_going(
    sim: RunningSim, timers: globus_sdk.TimersClient
) -> None:
    outbox(sim, {"big.bin": bytes(range(256)) * 4096})
    sim.settings.throttle_bytes_per_second = 64 * 1024
    job_id = timers.create_timer(timer("slow", every(600, condition="iterations", count=2)))[
        "timer"
    ]["job_id"]
    first = wait_until(
        lambda: job_where(timers, job_id, lambda j: j["n_runs"] == 1), "the first run"
    )
    task_id = runs_of(first)[0]["data"]["action_id"]
    assert first["activity"]["code"] == "run_in_progress"

    sim.ctx.clock.step(600)

    job = wait_until(
        lambda: job_where(timers, job_id, lambda j: len(runs_of(j)) == 2), "the skipped run"
    )
    skipped = runs_of(job)[0]
    assert skipped["status"] == 409
    assert skipped["data"] is None
    assert skipped["errors"] == [
        {
            "code": "RunSkipped",
            "detail": f"Skipped: the previous run's task {task_id} was still running",
        }
    ]
    assert job["n_runs"] == 1
    assert job["n_errors"] == 0
    assert job["next_run"] is not None

    sim.settings.throttle_bytes_per_second = 0
    wait_until(lambda: job_where(timers, job_id, settled), "the slow task to end")
    sim.ctx.clock.step(600)
    job = wait_until(
        lambda: job_where(timers, job_id, lambda j: j["n_runs"] == 2), "the second real run"
    )
    assert [r["status"] for r in runs_of(job)] == [202, 409, 202]
    assert job["next_run"] is None


def test_a_transient_failure_is_retried_and_the_run_made_once_transfer_answers(
    sim: RunningSim, timers: globus_sdk.TimersClient
) -> None:
    outbox(sim, {"note.txt": b"made it\n"})
    sim.settings.faults.only_paths = ["/transfer/"]  # Transfer fails; Timers answers
    sim.settings.faults.error_rate = 1.0
    job_id = timers.create_timer(timer("flaky", ONCE))["timer"]["job_id"]

    job = wait_until(
        lambda: job_where(
            timers, job_id, lambda j: (j["activity"] or {}).get("code") == "retrying"
        ),
        "the run to be retrying",
    )
    assert job["n_runs"] == 0
    assert runs_of(job) == []
    assert job["activity"]["start_timestamp"] is not None
    assert sim.ctx.fault_counts["errors"] >= 1

    sim.settings.faults.error_rate = 0.0
    sim.ctx.clock.step(60)

    job = wait_until(
        lambda: job_where(timers, job_id, lambda j: j["n_runs"] == 1 and settled(j)),
        "the retried run",
    )
    (run,) = runs_of(job)
    assert run["status"] == 202
    assert job["n_errors"] == 0
    assert job["activity"] is None
    assert (home(sim, SCRATCH_ID) / "inbox" / "note.txt").read_bytes() == b"made it\n"


def test_a_run_still_failing_after_half_its_interval_is_recorded_as_failed(
    sim: RunningSim, timers: globus_sdk.TimersClient
) -> None:
    outbox(sim, {"note.txt": b"never\n"})
    sim.settings.faults.only_paths = ["/transfer/"]  # Transfer fails; Timers answers
    sim.settings.faults.error_rate = 1.0
    job_id = timers.create_timer(timer("broken", every(120)))["timer"]["job_id"]
    wait_until(
        lambda: job_where(
            timers, job_id, lambda j: (j["activity"] or {}).get("code") == "retrying"
        ),
        "the run to be retrying",
    )

    for _ in range(5):
        sim.ctx.clock.step(15)
        time.sleep(0.1)
    job = wait_until(
        lambda: job_where(timers, job_id, lambda j: j["n_runs"] == 1), "the run to be given up"
    )

    (run,) = runs_of(job)
    assert run["status"] in (500, 502, 503, 504)
    assert run["data"] is None
    (error,) = run["errors"]
    assert error["code"] and error["detail"]
    assert job["n_errors"] == 1
    assert job["activity"]["code"] == "awaiting_next_run"
    assert not (home(sim, SCRATCH_ID) / "inbox").exists()


def test_a_users_timers_together_start_at_most_one_run_a_minute(
    sim: RunningSim, timers: globus_sdk.TimersClient
) -> None:
    outbox(sim, {"a.txt": b"a\n"})
    first = timers.create_timer(timer("first", ONCE))["timer"]["job_id"]
    second = timers.create_timer(timer("second", ONCE))["timer"]["job_id"]

    wait_until(
        lambda: job_where(timers, first, lambda j: j["n_runs"] == 1), "the first timer's run"
    )
    stays(lambda: timers.get_job(second)["n_runs"] == 0, "a second run started within the minute")
    waiting = timers.get_job(second)
    assert waiting["next_run"] is not None
    assert waiting["activity"]["code"] == "awaiting_next_run"

    sim.ctx.clock.step(60)

    ran = wait_until(
        lambda: job_where(timers, second, lambda j: j["n_runs"] == 1), "the second timer's run"
    )
    first_at = runs_of(timers.get_job(first))[0]["ran_at"]
    second_at = runs_of(ran)[0]["ran_at"]
    gap = datetime.fromisoformat(second_at) - datetime.fromisoformat(first_at)
    assert gap.total_seconds() >= 60


def test_a_withdrawn_consent_makes_a_timer_inactive_until_it_is_given_and_resumed(
    sim: RunningSim, timers_client_for: TimersFor
) -> None:
    data_access = data_access_scope(ARCHIVE_ID)
    source = outbox(sim, {"results.txt": b"version 1\n"})
    archived = home(sim, ARCHIVE_ID) / "inbox" / "results.txt"
    timers = timers_client_for(sim, data_access=(ARCHIVE_ID,))
    job_id = timers.create_timer(timer("to tape", every(HOUR), destination=ARCHIVE_ID))["timer"][
        "job_id"
    ]
    wait_until(
        lambda: job_where(timers, job_id, lambda j: j["n_runs"] == 1 and settled(j)),
        "the first run to the archive",
    )
    assert archived.read_bytes() == b"version 1\n"
    assert "data_access" in timers.get_job(job_id)["scope"]

    assert sim.ctx.auth.revoke_consent(DEMO_USER_ID, data_access) >= 1
    (source / "results.txt").write_bytes(b"version 2\n")
    sim.ctx.clock.step(HOUR)

    job = wait_until(
        lambda: job_where(timers, job_id, lambda j: j["status"] == "inactive"),
        "the timer to go inactive",
    )
    required = f"{TIMER_SCOPE}[{TRANSFER_ALL}[*{data_access}]]"
    assert job["inactive_reason"] == {
        "cause": "globus_auth_requirements",
        "detail": {
            "code": "ConsentRequired",
            "authorization_parameters": {
                "session_message": "Missing required data_access consent",
                "required_scopes": [required],
            },
        },
    }
    assert job["activity"]["code"] == "paused"
    assert job["n_runs"] == 1 and len(runs_of(job)) == 1
    assert archived.read_bytes() == b"version 1\n"

    with pytest.raises(globus_sdk.TimersAPIError) as refused:
        timers.resume_job(job_id, update_credentials=True)
    assert refused.value.http_status == 403
    assert refused.value.code == "ConsentRequired"
    gare = to_gare(refused.value)
    assert gare is not None
    assert gare.authorization_parameters.required_scopes == [required]
    assert timers.get_job(job_id)["status"] == "inactive"

    login_through_page(sim, scopes=required)
    resumed = timers.resume_job(job_id, update_credentials=True)

    assert resumed["message"] == f"Successfully resumed job {job_id}."
    job = wait_until(
        lambda: job_where(timers, job_id, lambda j: j["n_runs"] == 2 and settled(j)),
        "the run that was due to be made",
    )
    assert job["status"] == "loaded"
    assert job["inactive_reason"] is None
    assert archived.read_bytes() == b"version 2\n"


def test_timers_survive_a_restart_and_a_run_due_meanwhile_runs_once(
    sim_factory: Callable[..., RunningSim], timers_client_for: TimersFor
) -> None:
    sim = sim_factory()
    outbox(sim, {"log.txt": b"before\n"})
    timers = timers_client_for(sim)
    hourly = timers.create_timer(timer("hourly", every(HOUR)))["timer"]
    wait_until(
        lambda: job_where(timers, hourly["job_id"], lambda j: j["n_runs"] == 1 and settled(j)),
        "the first run",
    )
    tomorrow = datetime.fromtimestamp(sim.ctx.clock.now() + 24 * HOUR, UTC).isoformat()
    schedule = every(HOUR, condition="iterations", count=2) | {"start": tomorrow}
    later_id = timers.create_timer(timer("later", schedule))["timer"]["job_id"]
    timers.pause_job(later_id)
    before = {j["job_id"]: j for j in timers.list_jobs()["jobs"]}
    root = sim.settings.root
    sim.stop()

    # The service stays down for two and a half hours: two runs of "hourly" fall due.
    with sqlite3.connect(root / ".gtui-sim" / FILE_NAME) as conn:
        conn.execute("UPDATE sim_clock SET now = now + ?", (2.5 * HOUR,))
        (stopped_at,) = conn.execute("SELECT now FROM sim_clock").fetchone()
    (home(sim, LAPTOP_ID) / "outbox" / "log.txt").write_bytes(b"after\n")

    sim = sim_factory(root)
    timers = timers_client_for(sim)
    assert sim.ctx.clock.now() >= stopped_at
    job = wait_until(
        lambda: job_where(timers, hourly["job_id"], lambda j: j["n_runs"] == 2 and settled(j)),
        "the run that fell due while the service was down",
    )
    stays(lambda: timers.get_job(hourly["job_id"])["n_runs"] == 2, "a missed run was replayed")

    first, restarted = reversed(runs_of(job))
    assert first == runs_of(before[hourly["job_id"]])[0] | {"data": first["data"]}
    assert first["data"]["status"] == "SUCCEEDED"
    assert restarted["status"] == 202
    assert restarted["ran_at"] >= first["ran_at"]
    assert (home(sim, SCRATCH_ID) / "inbox" / "log.txt").read_bytes() == b"after\n"
    assert job["name"] == "hourly"
    assert job["schedule"] == hourly["schedule"]
    # The next run is the next hour of the schedule after the restart, not one of the missed.
    next_run = datetime.fromisoformat(job["next_run"]).timestamp()
    start = datetime.fromisoformat(hourly["schedule"]["start"]).timestamp()
    assert next_run == start + 3 * HOUR
    kept = timers.get_job(later_id)
    for field in ("name", "status", "next_run", "schedule", "inactive_reason", "submitted_at"):
        assert kept[field] == before[later_id][field]


def test_a_crashing_run_is_logged_and_the_other_timers_run_on(
    sim: RunningSim,
    timers: globus_sdk.TimersClient,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    outbox(sim, {"x.txt": b"x\n"})
    submit = RunSubmitter.submit

    async def crashing(self: RunSubmitter, owner_id: str, document: dict[str, Any]) -> Any:
        if document["label"].startswith("crashes"):
            raise RuntimeError("a bug in one run")
        return await submit(self, owner_id, document)

    monkeypatch.setattr(RunSubmitter, "submit", crashing)
    crashed = timers.create_timer(timer("crashes", ONCE))["timer"]["job_id"]
    wait_until(
        lambda: any("a bug in one run" in str(r.exc_info) for r in caplog.records),
        "the crash to be logged",
    )

    other = timers.create_timer(timer("runs", ONCE))["timer"]["job_id"]
    sim.ctx.clock.step(60)

    job = wait_until(
        lambda: job_where(timers, other, lambda j: j["n_runs"] == 1), "the other timer's run"
    )
    assert runs_of(job)[0]["status"] == 202
    assert timers.get_job(crashed)["n_runs"] == 0


def test_history_older_than_90_days_is_dropped(
    sim: RunningSim, timers: globus_sdk.TimersClient
) -> None:
    outbox(sim, {"old.txt": b"old\n"})
    job_id = timers.create_timer(timer("old", ONCE))["timer"]["job_id"]
    wait_until(lambda: job_where(timers, job_id, lambda j: len(runs_of(j)) == 1), "the run")

    sim.ctx.clock.step(89 * 24 * HOUR)
    stays(lambda: len(runs_of(timers.get_job(job_id))) == 1, "history went before 90 days")
    sim.ctx.clock.step(2 * 24 * HOUR)

    job = wait_until(
        lambda: job_where(timers, job_id, lambda j: runs_of(j) == []), "the old run to go"
    )
    assert job["n_runs"] == 1
    assert job["last_ran_at"] is not None


def test_a_fast_clock_runs_a_recurring_timer_without_being_stepped(
    sim_factory: Callable[..., RunningSim], timers_client_for: TimersFor
) -> None:
    sim = sim_factory(clock_speed=1200)
    assert sim.ctx.clock.speed == 1200
    outbox(sim, {"tick.txt": b"tick\n"})
    timers = timers_client_for(sim)
    began = time.monotonic()

    job_id = timers.create_timer(timer("fast", every(600, condition="iterations", count=3)))[
        "timer"
    ]["job_id"]

    job = wait_until(
        lambda: job_where(timers, job_id, lambda j: j["n_runs"] == 3), "three runs", timeout=20
    )
    # Runs 2 and 3 are due 600 and 1200 virtual seconds in: about a real second.
    assert time.monotonic() - began >= 0.9
    start = datetime.fromisoformat(job["schedule"]["start"]).timestamp()
    times = [datetime.fromisoformat(r["ran_at"]).timestamp() for r in reversed(runs_of(job))]
    assert [t >= start + n * 600 for n, t in enumerate(times)] == [True, True, True]


def test_the_clock_speed_is_an_option_of_gtui_sim_serve(tmp_path: Path) -> None:
    refused = subprocess.run(
        [
            sys.executable,
            "-m",
            "gtui",
            "sim",
            "serve",
            "--clock-speed",
            "0",
            "--root",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode == 2
    assert "--clock-speed must be positive" in refused.stderr
    assert "Traceback" not in refused.stderr
    helped = subprocess.run(
        [sys.executable, "-m", "gtui", "sim", "serve", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "--clock-speed" in helped.stdout


def test_runs_a_timer_was_paused_through_are_not_made_up_on_resume(
    sim: RunningSim, timers: globus_sdk.TimersClient
) -> None:
    outbox(sim, {"a.txt": b"a\n"})
    job_id = timers.create_timer(timer("hourly", every(HOUR)))["timer"]["job_id"]
    wait_until(
        lambda: job_where(timers, job_id, lambda j: j["n_runs"] == 1 and settled(j)),
        "the first run",
    )
    timers.pause_job(job_id)
    sim.ctx.clock.step(3.5 * HOUR)
    stays(lambda: timers.get_job(job_id)["n_runs"] == 1, "a paused timer ran")

    timers.resume_job(job_id)

    stays(lambda: timers.get_job(job_id)["n_runs"] == 1, "a run paused through was made up")
    job = timers.get_job(job_id)
    next_run = datetime.fromisoformat(job["next_run"]).timestamp()
    assert sim.ctx.clock.now() < next_run <= sim.ctx.clock.now() + HOUR
    sim.ctx.clock.step(next_run - sim.ctx.clock.now() + 1)
    wait_until(
        lambda: job_where(timers, job_id, lambda j: j["n_runs"] == 2 and settled(j)),
        "the first run after the resume",
    )

"""The official globus-cli (3.43.0) runs its timer commands unchanged against the embedded
service, logged in as the demo confidential client: ``globus timer create transfer`` (once and
recurring; the runs really copy files), ``list``, ``show``, ``pause``, ``resume``, ``delete``,
and a timer made inactive by a withdrawn ``data_access`` consent, which ``resume`` refuses
until the consent is given again.

The CLI prints times in the local zone: it runs here with ``TZ=UTC``. The service's clock is
stepped, never waited for; a user's timers start at most one run a minute, so a second timer's
first run waits for a step of a minute."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import globus_sdk
import pytest

from gtui.sim.auth.scopes import TIMER_RS, TIMER_SCOPE, TRANSFER_ALL, data_access_scope
from gtui.sim.serve import RunningSim
from gtui.sim.timers.model import Timer
from gtui.sim.timers.service import TimersService
from gtui.sim.world import (
    ARCHIVE_ID,
    DEMO_CONFIDENTIAL_CLIENT_ID,
    DEMO_CONFIDENTIAL_CLIENT_SECRET,
    LAPTOP_ID,
    SCRATCH_ID,
)
from tests.sim.test_cli_basics import GLOBUS, globus

pytestmark = pytest.mark.skipif(not GLOBUS.exists(), reason="globus-cli is not installed")

CLIENT = DEMO_CONFIDENTIAL_CLIENT_ID  # a client-credentials login acts as the client itself
ARCHIVE_ACCESS = data_access_scope(ARCHIVE_ID)
ARCHIVE_TIMER_SCOPE = f"{TIMER_SCOPE}[{TRANSFER_ALL}[*{ARCHIVE_ACCESS}]]"
FOLDER = "cli-timers"  # under /home/demo/ of each collection ("/~/" for the client)
T = TypeVar("T")


@pytest.fixture
def cli_env(sim: RunningSim, tmp_path: Path) -> dict[str, str]:
    """The CLI's environment: the service's variables, a client login, a home of its own."""
    home = tmp_path / "cli-home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GLOBUS_")}
    return {
        **env,
        **sim.env,
        "HOME": str(home),
        "TZ": "UTC",
        "GLOBUS_CLI_CLIENT_ID": DEMO_CONFIDENTIAL_CLIENT_ID,
        "GLOBUS_CLI_CLIENT_SECRET": DEMO_CONFIDENTIAL_CLIENT_SECRET,
    }


# -- running the CLI and reading what it prints ----------------------------------------------
def attempt(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """A CLI command that may fail: its exit status and both outputs."""
    return subprocess.run(
        [str(GLOBUS), *args], env=env, capture_output=True, text=True, timeout=120
    )


def explain(done: subprocess.CompletedProcess[str]) -> str:
    return f"exit {done.returncode}\nstdout:\n{done.stdout[-2000:]}\nstderr:\n{done.stderr[-2000:]}"


def record(text: str) -> dict[str, str]:
    """A record the CLI prints (``Name:   value`` lines) as field → value."""
    fields: dict[str, str] = {}
    for line in text.strip().splitlines():
        name, colon, value = line.partition(":")
        assert colon, f"not a record line: {line!r} in\n{text}"
        fields[name.strip()] = value.strip()
    return fields


def records(text: str) -> list[dict[str, str]]:
    """The records of a list the CLI prints, one blank line between two."""
    return [record(block) for block in text.strip().split("\n\n") if block.strip()]


def shown(moment: str | None) -> str:
    """A service time (ISO 8601) as the CLI prints it, in UTC."""
    if moment is None:
        return "None"
    return datetime.fromisoformat(moment).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def shown_iso(moment: float | None) -> str | None:
    """A service time (epoch seconds) as the service writes it."""
    if moment is None:
        return None
    return datetime.fromtimestamp(int(moment), UTC).isoformat()


def show_json(env: dict[str, str], job_id: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(globus(env, "timer", "show", job_id, "-F", "json"))
    return document


# -- the service's side ------------------------------------------------------------------------
def wait_for(condition: Callable[[], T | None], what: str, timeout: float = 20) -> T:
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        assert time.monotonic() < deadline, f"waited {timeout:g} s for {what}"
        time.sleep(0.02)


def timers(sim: RunningSim) -> TimersService:
    service = sim.ctx.timers
    assert service is not None, "the service runs no Timers"
    return service


def stored(sim: RunningSim, job_id: str) -> Timer:
    timer = timers(sim).store.get(job_id)
    assert timer is not None, f"the service has no timer {job_id}"
    return timer


def task_status(sim: RunningSim, task_id: str) -> str | None:
    task = sim.ctx.transfer.task_document(CLIENT, task_id)
    return None if task is None else task["status"]


def wait_for_runs(sim: RunningSim, job_id: str, n_runs: int) -> Timer:
    """The timer once its ``n_runs``-th run was made and that run's task succeeded."""

    def done() -> Timer | None:
        timer = stored(sim, job_id)
        if timer.n_runs < n_runs or timer.last_task_id is None:
            return None
        return timer if task_status(sim, timer.last_task_id) == "SUCCEEDED" else None

    timer = wait_for(done, f"run {n_runs} of timer {job_id} and its task")
    assert timer.n_runs == n_runs and timer.n_errors == 0, timer
    return timer


def inactive(timer: Timer) -> Timer | None:
    return timer if timer.status == "inactive" else None


def home(sim: RunningSim, collection_id: str) -> Path:
    root: Path = sim.ctx.world.collections[collection_id].root
    return root / "home" / "demo" / FOLDER


def write_source(sim: RunningSim, name: str, text: str) -> None:
    folder = home(sim, LAPTOP_ID)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)


def create(env: dict[str, str], name: str, destination: str, *options: str) -> str:
    """``globus timer create transfer`` copying a file of the laptop's folder to
    ``destination`` (``COLLECTION:/~/...``); the CLI's printed record."""
    source = f"{LAPTOP_ID}:/~/{FOLDER}/{name}"
    return globus(env, "timer", "create", "transfer", *options, source, destination)


# -- the tests ---------------------------------------------------------------------------------
def test_create_once_and_recurring_then_list_and_show_the_runs(
    sim: RunningSim, cli_env: dict[str, str]
) -> None:
    write_source(sim, "report.txt", "first numbers\n")
    copied = home(sim, SCRATCH_ID) / "report.txt"

    # once: `--stop-after-runs 1` is the CLI's once schedule; a timer starting now runs at once
    made = record(
        create(
            cli_env,
            "report.txt",
            f"{SCRATCH_ID}:/~/{FOLDER}/report.txt",
            "--name",
            "copy once",
            "--stop-after-runs",
            "1",
        )
    )
    once_id = made["Timer ID"]
    assert made["Name"] == "copy once" and made["Type"] == "transfer"
    assert made["Status"] == "new"
    assert made["Schedule"] == f"once at {made['Submitted At']}"
    assert made["Next Run"] == made["Submitted At"] and made["Last Run"] == "None"
    assert made["Number of Runs"] == "0" and made["Number of Timer Errors"] == "0"
    once = wait_for_runs(sim, once_id, 1)
    assert once.owner_id == CLIENT and once.schedule.kind == "once"
    assert once.body["source_endpoint"] == LAPTOP_ID
    assert once.body["destination_endpoint"] == SCRATCH_ID
    assert once.next_run is None and once.status == "loaded"
    assert copied.read_text() == "first numbers\n"
    (run,) = timers(sim).store.runs(once_id)
    assert run.status == 202 and run.task_id == once.last_task_id

    # recurring: every hour, three runs; its first run waits for the owner's next minute
    recurring_doc = json.loads(
        create(
            cli_env,
            "report.txt",
            f"{SCRATCH_ID}:/~/{FOLDER}/hourly.txt",
            "--name",
            "hourly copy",
            "--interval",
            "1h",
            "--stop-after-runs",
            "3",
            "-F",
            "json",
        )
    )
    hourly_id = recurring_doc["job_id"]
    start = recurring_doc["schedule"]["start"]
    assert recurring_doc["schedule"] == {
        "type": "recurring",
        "interval_seconds": 3600,
        "start": start,
        "end": {"condition": "iterations", "count": 3},
    }
    assert recurring_doc["status"] == "new" and recurring_doc["next_run"] == start
    sim.ctx.clock.step(60)
    hourly = wait_for_runs(sim, hourly_id, 1)
    assert hourly.schedule.interval == 3600 and hourly.schedule.end_count == 3
    hourly_copy = home(sim, SCRATCH_ID) / "hourly.txt"
    assert hourly_copy.read_text() == "first numbers\n"

    listed = records(globus(cli_env, "timer", "list"))
    assert [(r["Timer ID"], r["Name"]) for r in listed] == [
        (once_id, "copy once"),
        (hourly_id, "hourly copy"),
    ], listed
    first, second = listed
    assert first["Status"] == "loaded" and first["Number of Runs"] == "1"
    assert first["Activity"] == "This timer is no longer active"
    assert first["Interval"] == "None" and first["Stop After Number of Runs"] == "1"
    assert second["Interval"] == "1:00:00" and second["Stop After Number of Runs"] == "3"
    assert second["Type"] == "Transfer"
    listed_json = json.loads(globus(cli_env, "timer", "list", "-F", "json"))
    assert [j["job_id"] for j in listed_json] == [once_id, hourly_id]

    # run 2, due an hour after the start: step past it, the file is copied again
    write_source(sim, "report.txt", "second numbers\n")
    sim.ctx.clock.step(3600)
    hourly = wait_for_runs(sim, hourly_id, 2)
    assert hourly_copy.read_text() == "second numbers\n"
    job = show_json(cli_env, hourly_id)
    assert job["n_runs"] == 2 and job["status"] == "loaded"
    assert job["schedule"] == recurring_doc["schedule"]
    assert job["stop_after"] == {"date": None, "n_runs": 3} and job["interval"] == 3600
    assert (job["activity"] or {}).get("code") == "awaiting_next_run", job["activity"]
    assert [r["status"] for r in job["results"]["data"]] == [202, 202]
    assert [r["data"]["status"] for r in job["results"]["data"]] == ["SUCCEEDED"] * 2
    assert job["results"]["data"][0]["data"]["label"] == "hourly copy, run 2"
    shown_record = record(globus(cli_env, "timer", "show", hourly_id))
    assert shown_record["Timer ID"] == hourly_id and shown_record["Name"] == "hourly copy"
    assert shown_record["Status"] == "loaded"
    assert shown_record["Start"] == shown(start)
    assert shown_record["Interval"] == "1:00:00"
    assert shown_record["Number of Runs"] == "2"
    assert shown_record["Number of Timer Errors"] == "0"
    assert shown_record["Stop After Number of Runs"] == "3"
    assert shown_record["Stop After Date"] == "None"
    assert shown_record["Last Run"] == shown(job["last_ran_at"])
    assert shown_record["Next Run"] == shown(job["next_run"])
    assert job["next_run"] == shown_iso(hourly.next_run)
    assert shown_record["Activity"] == (
        f"Awaiting the next run, scheduled to occur at {shown(job['next_run'])}"
    )

    # run 3 is the last: the timer stays loaded with nothing left to do
    write_source(sim, "report.txt", "third numbers\n")
    sim.ctx.clock.step(3600)
    wait_for_runs(sim, hourly_id, 3)
    assert hourly_copy.read_text() == "third numbers\n"
    last = record(globus(cli_env, "timer", "show", hourly_id))
    assert last["Number of Runs"] == "3" and last["Status"] == "loaded"
    assert last["Next Run"] == "None"
    assert last["Activity"] == "This timer is no longer active"


def test_pause_resume_and_delete(sim: RunningSim, cli_env: dict[str, str]) -> None:
    write_source(sim, "notes.txt", "notes\n")
    keep_id = record(
        create(
            cli_env,
            "notes.txt",
            f"{SCRATCH_ID}:/~/{FOLDER}/kept.txt",
            "--name",
            "kept",
            "--interval",
            "1d",
        )
    )["Timer ID"]
    job_id = record(
        create(
            cli_env,
            "notes.txt",
            f"{SCRATCH_ID}:/~/{FOLDER}/notes.txt",
            "--name",
            "paused and resumed",
            "--interval",
            "1h",
        )
    )["Timer ID"]
    wait_for_runs(sim, keep_id, 1)
    sim.ctx.clock.step(60)
    wait_for_runs(sim, job_id, 1)
    assert (home(sim, SCRATCH_ID) / "notes.txt").read_text() == "notes\n"

    paused = attempt(cli_env, "timer", "pause", job_id)
    assert paused.returncode == 0, explain(paused)
    assert paused.stdout.strip() == f"Successfully paused job {job_id}."
    timer = stored(sim, job_id)
    assert timer.status == "inactive"
    assert timer.inactive_reason == {"cause": "user", "detail": None}
    fields = record(globus(cli_env, "timer", "show", job_id))
    assert fields["Status"] == "inactive"
    assert fields["Activity"] == "Paused, awaiting user action"
    assert show_json(cli_env, job_id)["inactive_reason"] == {"cause": "user", "detail": None}

    # paused through its next run: none is made
    sim.ctx.clock.step(3600)
    time.sleep(0.3)
    assert stored(sim, job_id).n_runs == 1

    resumed = attempt(cli_env, "timer", "resume", job_id)
    assert resumed.returncode == 0, explain(resumed)
    assert resumed.stdout.strip() == f"Successfully resumed job {job_id}."
    timer = stored(sim, job_id)
    assert timer.status == "loaded" and timer.inactive_reason is None
    assert timer.next_run is not None and timer.next_run > sim.ctx.clock.now()
    fields = record(globus(cli_env, "timer", "show", job_id))
    assert fields["Status"] == "loaded"
    assert fields["Number of Runs"] == "1"
    assert fields["Activity"] == (
        f"Awaiting the next run, scheduled to occur at {shown(shown_iso(timer.next_run))}"
    )

    deleted = attempt(cli_env, "timer", "delete", job_id)
    assert deleted.returncode == 0, explain(deleted)
    gone = record(deleted.stdout)
    assert gone["Timer ID"] == job_id and gone["Name"] == "paused and resumed"
    assert gone["Status"] == "deleted"
    assert gone["Interval"] == "1:00:00" and gone["Type"] == "Transfer"
    assert gone["Activity"] == "This timer is no longer active"
    assert stored(sim, job_id).status == "deleted"

    listed = records(globus(cli_env, "timer", "list"))
    assert [(r["Timer ID"], r["Name"]) for r in listed] == [(keep_id, "kept")], listed
    missing = attempt(cli_env, "timer", "show", job_id)
    assert missing.returncode == 1, explain(missing)
    assert "HTTP status:      404" in missing.stderr, explain(missing)
    assert "NotFound" in missing.stderr and job_id in missing.stderr, explain(missing)


def test_a_withdrawn_consent_makes_the_timer_inactive_until_given_again(
    sim: RunningSim,
    cli_env: dict[str, str],
    sdk_confidential_client: globus_sdk.ConfidentialAppAuthClient,
) -> None:
    write_source(sim, "survey.csv", "a,b\n1,2\n")
    copied = home(sim, ARCHIVE_ID) / "survey.csv"
    # the Tape Archive needs data_access: the CLI asks for its timer token with it
    made = record(
        create(
            cli_env,
            "survey.csv",
            f"{ARCHIVE_ID}:/~/{FOLDER}/survey.csv",
            "--name",
            "to tape",
            "--interval",
            "1h",
        )
    )
    job_id = made["Timer ID"]
    assert made["Schedule"] == f"every 3600 seconds, starting {made['Submitted At']}"
    wait_for_runs(sim, job_id, 1)
    assert copied.read_text() == "a,b\n1,2\n"
    assert sim.ctx.auth.holds_consent(CLIENT, ARCHIVE_ACCESS)

    assert sim.ctx.auth.revoke_consent(CLIENT, ARCHIVE_ACCESS) >= 1
    assert not sim.ctx.auth.holds_consent(CLIENT, ARCHIVE_ACCESS)
    write_source(sim, "survey.csv", "a,b\n3,4\n")
    sim.ctx.clock.step(3600)
    timer = wait_for(
        lambda: inactive(stored(sim, job_id)), "the timer to go inactive at its next run"
    )
    assert timer.n_runs == 1 and len(timers(sim).store.runs(job_id)) == 1
    assert copied.read_text() == "a,b\n1,2\n"

    fields = record(globus(cli_env, "timer", "show", job_id))
    assert fields["Status"] == "inactive"
    assert fields["Activity"] == "Paused, awaiting user action"
    assert fields["Number of Runs"] == "1"
    reason = show_json(cli_env, job_id)["inactive_reason"]
    assert reason["cause"] == "globus_auth_requirements"
    assert reason["detail"]["code"] == "ConsentRequired"
    assert reason["detail"]["authorization_parameters"]["required_scopes"] == [ARCHIVE_TIMER_SCOPE]

    # the CLI reads the GARE, checks Auth's consents, and refuses before asking Timers
    refused = attempt(cli_env, "timer", "resume", job_id)
    assert refused.returncode == 4, explain(refused)
    assert refused.stdout.startswith(
        "This timer is missing a necessary consent in order to resume.\n"
    ), explain(refused)
    assert f"globus session consent '{ARCHIVE_TIMER_SCOPE}'" in refused.stdout, explain(refused)
    assert stored(sim, job_id).status == "inactive"
    # without its check, Timers itself refuses (403 ConsentRequired, naming the scope)
    forced = attempt(cli_env, "timer", "resume", "--skip-inactive-reason-check", job_id)
    # The requirement is also at the top of the error, where the CLI reads it: it says which
    # consent to give instead of printing a bare 403.
    assert forced.returncode == 4, explain(forced)
    assert f"globus session consent '{ARCHIVE_TIMER_SCOPE}'" in forced.stdout, explain(forced)
    assert stored(sim, job_id).status == "inactive"

    # consent again: a new token of the client with the data_access dependency
    tokens = sdk_confidential_client.oauth2_client_credentials_tokens(
        requested_scopes=ARCHIVE_TIMER_SCOPE
    )
    assert tokens.by_resource_server[TIMER_RS]["scope"] == ARCHIVE_TIMER_SCOPE
    assert sim.ctx.auth.holds_consent(CLIENT, ARCHIVE_ACCESS)

    resumed = attempt(cli_env, "timer", "resume", job_id)
    assert resumed.returncode == 0, explain(resumed)
    assert resumed.stdout.strip() == f"Successfully resumed job {job_id}."
    # the run it missed runs at once, and copies the file again
    wait_for_runs(sim, job_id, 2)
    assert copied.read_text() == "a,b\n3,4\n"
    fields = record(globus(cli_env, "timer", "show", job_id))
    assert fields["Status"] == "loaded" and fields["Number of Runs"] == "2"
    assert fields["Activity"].startswith("Awaiting the next run, scheduled to occur at ")
    assert stored(sim, job_id).inactive_reason is None

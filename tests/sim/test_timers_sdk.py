"""The Timers API of the embedded service, driven by the official globus-sdk ``TimersClient``:
making timers (once and recurring), reading, renaming, deleting, pausing and resuming them,
and the errors a person would see."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import globus_sdk
import pytest

from gtui.sim.serve import RunningSim, banner
from gtui.sim.world import LAPTOP_ID, OTHER_USER_ID, SCRATCH_ID
from tests.sim_login import TRANSFER_SCOPE, by_resource_server, login_through_page

TimersFor = Callable[..., globus_sdk.TimersClient]
CALLBACK_URL = "https://transfer.actions.globus.org/transfer/run"


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


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def later(sim: RunningSim, days: float = 1) -> datetime:
    """A time in the future by the service's clock (a timer starting then stays idle)."""
    return datetime.fromtimestamp(sim.ctx.clock.now(), UTC).replace(microsecond=0) + timedelta(
        days=days
    )


def copy_body(source: str = "/~/outbox/", destination: str = "/~/inbox/") -> Any:
    data = globus_sdk.TransferData(LAPTOP_ID, SCRATCH_ID)
    data.add_item(source, destination, recursive=True)
    return data


def recurring_timer(sim: RunningSim, name: str = "nightly", **schedule: Any) -> Any:
    schedule.setdefault("start", later(sim))
    return globus_sdk.TransferTimer(
        name=name,
        schedule=globus_sdk.RecurringTimerSchedule(interval_seconds=3600, **schedule),
        body=copy_body(),
    )


@pytest.fixture
def timers(sim: RunningSim, timers_client_for: TimersFor) -> globus_sdk.TimersClient:
    return timers_client_for(sim)


def test_a_once_timer_is_made_then_runs_a_transfer_that_copies_the_files(
    sim: RunningSim, timers: globus_sdk.TimersClient
) -> None:
    (home(sim, LAPTOP_ID) / "outbox").mkdir()
    (home(sim, LAPTOP_ID) / "outbox" / "report.txt").write_text("quarterly numbers\n")
    body = copy_body()
    body["submission_id"] = "dropped-by-the-sdk-and-the-service"

    created = timers.create_timer(
        globus_sdk.TransferTimer(
            name="copy once", schedule=globus_sdk.OnceTimerSchedule(), body=body
        )
    )

    assert created.http_status == 201
    timer = created["timer"]
    assert timer["name"] == "copy once"
    assert timer["timer_type"] == "transfer"
    assert timer["status"] == "new"
    assert timer["schedule"]["type"] == "once"
    assert timer["next_run"] == timer["schedule"]["datetime"] == timer["submitted_at"]
    assert timer["schedule"]["datetime"].endswith("+00:00")
    assert timer["number_of_runs"] == timer["number_of_errors"] == 0
    assert timer["last_ran_at"] is None and timer["inactive_reason"] is None
    assert timer["body"]["source_endpoint"] == LAPTOP_ID
    assert "submission_id" not in timer["body"]

    job_id = timer["job_id"]
    job = wait_until(
        lambda: (j := timers.get_job(job_id))["n_runs"] == 1 and j["activity"] is None and j,
        "the once timer to run and its task to end",
    )
    assert job["status"] == "loaded"
    assert job["next_run"] is None
    assert job["interval"] is None
    assert job["stop_after"] == {"date": None, "n_runs": 1}
    assert job["callback_url"] == CALLBACK_URL
    assert job["callback_body"]["body"]["destination_endpoint"] == SCRATCH_ID
    (run,) = job["results"]["data"]
    assert job["results"]["page_next"] is None
    assert run["status"] == 202 and run["errors"] is None
    assert run["ran_at"] == job["last_ran_at"]
    action = run["data"]
    assert action["status"] == "SUCCEEDED"
    assert action["details"]["task_id"] == action["action_id"]
    assert action["details"]["label"] == action["label"] == "copy once, run 1"
    copied = home(sim, SCRATCH_ID) / "inbox" / "report.txt"
    assert copied.read_text() == "quarterly numbers\n"


def test_a_recurring_timer_reports_its_schedule_in_both_shapes(
    sim: RunningSim, timers: globus_sdk.TimersClient
) -> None:
    start = later(sim)
    made = timers.create_timer(
        recurring_timer(sim, start=start, end={"condition": "iterations", "iterations": 3})
    )["timer"]

    assert made["schedule"] == {
        "type": "recurring",
        "interval_seconds": 3600,
        "start": iso(start),
        "end": {"condition": "iterations", "count": 3},
    }
    assert made["next_run"] == iso(start)
    job = timers.get_job(made["job_id"])
    assert job["start"] == iso(start)
    assert job["interval"] == 3600
    assert job["stop_after"] == {"date": None, "n_runs": 3}
    assert job["schedule"] == made["schedule"]
    assert job["next_run"] == iso(start)
    assert job["activity"]["code"] == "awaiting_next_run"
    assert job["results"] == {"data": [], "page_next": None}

    until = start + timedelta(days=7)
    ending = timers.create_timer(
        recurring_timer(sim, start=start, end={"condition": "time", "datetime": until})
    )["timer"]
    assert ending["schedule"]["end"] == {"condition": "time", "datetime": iso(until)}
    assert timers.get_job(ending["job_id"])["stop_after"] == {"date": iso(until), "n_runs": None}


def test_jobs_are_listed_oldest_first_without_deleted_ones_or_other_users(
    sim: RunningSim, timers: globus_sdk.TimersClient, timers_client_for: TimersFor
) -> None:
    first = timers.create_timer(recurring_timer(sim, "first"))["timer"]["job_id"]
    second = timers.create_timer(recurring_timer(sim, "second"))["timer"]["job_id"]
    gone = timers.create_timer(recurring_timer(sim, "gone"))["timer"]["job_id"]
    other = timers_client_for(sim, identity_id=OTHER_USER_ID)
    theirs = other.create_timer(recurring_timer(sim, "theirs"))["timer"]["job_id"]
    timers.delete_job(gone)

    listed = timers.list_jobs(query_params={"order": "submitted_at asc"})["jobs"]

    assert [j["job_id"] for j in listed] == [first, second]
    assert [j["name"] for j in listed] == ["first", "second"]
    assert all(j["results"] == {"data": [], "page_next": None} for j in listed)
    newest_first = timers.list_jobs(query_params={"order": "submitted_at desc"})["jobs"]
    assert [j["job_id"] for j in newest_first] == [second, first]
    assert [j["job_id"] for j in other.list_jobs()["jobs"]] == [theirs]


def test_a_job_is_renamed(sim: RunningSim, timers: globus_sdk.TimersClient) -> None:
    job_id = timers.create_timer(recurring_timer(sim, "old name"))["timer"]["job_id"]

    renamed = timers.update_job(job_id, {"name": "new name"})

    assert renamed["name"] == "new name"
    assert timers.get_job(job_id)["name"] == "new name"
    assert timers.list_jobs()["jobs"][0]["name"] == "new name"


def test_a_deleted_job_answers_deleted_then_is_gone(
    sim: RunningSim, timers: globus_sdk.TimersClient
) -> None:
    job_id = timers.create_timer(recurring_timer(sim))["timer"]["job_id"]

    deleted = timers.delete_job(job_id)

    assert deleted["job_id"] == job_id
    assert deleted["status"] == "deleted"
    with pytest.raises(globus_sdk.TimersAPIError) as missing:
        timers.get_job(job_id)
    assert missing.value.http_status == 404
    assert missing.value.code == "NotFound"
    assert job_id in missing.value.message


def test_a_paused_job_is_inactive_until_resumed(
    sim: RunningSim, timers: globus_sdk.TimersClient
) -> None:
    job_id = timers.create_timer(recurring_timer(sim))["timer"]["job_id"]

    paused = timers.pause_job(job_id)

    assert paused.data == {"message": f"Successfully paused job {job_id}."}
    job = timers.get_job(job_id)
    assert job["status"] == "inactive"
    assert job["inactive_reason"] == {"cause": "user", "detail": None}
    assert job["activity"]["code"] == "paused"

    resumed = timers.resume_job(job_id)

    assert resumed.data == {"message": f"Successfully resumed job {job_id}."}
    job = timers.get_job(job_id)
    assert job["status"] == "loaded"
    assert job["inactive_reason"] is None
    assert job["activity"]["code"] == "awaiting_next_run"


def _refused(call: Callable[[], Any]) -> globus_sdk.TimersAPIError:
    with pytest.raises(globus_sdk.TimersAPIError) as refused:
        call()
    return refused.value


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"schedule": {"type": "recurring", "interval_seconds": 10}}, "at least 60"),
        ({"schedule": {"type": "weekly"}}, "'once' or 'recurring'"),
        ({"schedule": {"type": "once", "datetime": "next tuesday"}}, "ISO 8601"),
        (
            {
                "schedule": {
                    "type": "recurring",
                    "interval_seconds": 600,
                    "end": {"condition": "iterations", "count": 0},
                }
            },
            "at least 1",
        ),
        ({"body": {"DATA_TYPE": "transfer", "source_endpoint": LAPTOP_ID}}, "destination"),
        (
            {
                "body": {
                    "DATA_TYPE": "transfer",
                    "source_endpoint": LAPTOP_ID,
                    "destination_endpoint": SCRATCH_ID,
                    "DATA": [],
                }
            },
            "at least one transfer item",
        ),
        (
            {
                "body": {
                    "source_endpoint": "no-such-collection",
                    "destination_endpoint": SCRATCH_ID,
                    "DATA": [{"source_path": "/a", "destination_path": "/b"}],
                }
            },
            "no known collection",
        ),
        ({"timer_type": "flow"}, "only transfer timers"),
    ],
)
def test_a_bad_timer_is_refused_with_a_message_that_says_why(
    timers: globus_sdk.TimersClient, change: dict[str, Any], words: str
) -> None:
    document = {
        "timer_type": "transfer",
        "name": "bad",
        "schedule": {"type": "once"},
        "body": dict(copy_body()),
        **change,
    }

    error = _refused(lambda: timers.create_timer(document))

    assert error.http_status == 400
    assert error.code == "ValidationError"
    assert words in error.message
    assert error.raw_json["error"]["status"] == 400
    assert error.raw_json["error"]["detail"] == error.message
    assert timers.list_jobs()["jobs"] == []


def test_another_users_job_is_not_found(
    sim: RunningSim, timers: globus_sdk.TimersClient, timers_client_for: TimersFor
) -> None:
    other = timers_client_for(sim, identity_id=OTHER_USER_ID)
    theirs = other.create_timer(recurring_timer(sim, "theirs"))["timer"]["job_id"]

    for call in (
        lambda: timers.get_job(theirs),
        lambda: timers.update_job(theirs, {"name": "mine now"}),
        lambda: timers.pause_job(theirs),
        lambda: timers.resume_job(theirs),
        lambda: timers.delete_job(theirs),
    ):
        assert _refused(call).http_status == 404
    job = other.get_job(theirs)
    assert (job["name"], job["status"]) == ("theirs", "loaded")
    assert _refused(lambda: timers.get_job("no-such-job")).http_status == 404


def test_a_token_of_another_service_is_refused(
    sim: RunningSim, timers_client_for: TimersFor
) -> None:
    timers_client_for(sim)  # points the SDK at the service
    transfer_token = by_resource_server(login_through_page(sim, scopes=TRANSFER_SCOPE))[
        "transfer.api.globus.org"
    ]
    wrong = globus_sdk.TimersClient(authorizer=globus_sdk.AccessTokenAuthorizer(transfer_token))

    error = _refused(wrong.list_jobs)

    assert error.http_status == 401
    assert error.code == "AuthenticationFailed"
    assert error.raw_json["error"]["status"] == 401


def test_the_service_prints_where_the_timers_answer(sim: RunningSim) -> None:
    assert sim.env["GLOBUS_SDK_SERVICE_URL_TIMER"] == f"{sim.base_url}/timer/"
    printed = banner(sim.base_url, sim.settings.root)
    assert f"export GLOBUS_SDK_SERVICE_URL_TIMER={sim.base_url}/timer/" in printed


def test_an_unknown_timers_path_is_answered_in_the_timers_shape(
    timers: globus_sdk.TimersClient,
) -> None:
    error = _refused(lambda: timers.get("/no/such/route"))

    assert error.http_status == 404
    assert error.code == "NotFound"
    assert error.raw_json == {
        "error": {
            "code": "NotFound",
            "detail": "No such resource: /timer/no/such/route",
            "status": 404,
        }
    }

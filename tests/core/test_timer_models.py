"""Timer records from both Timers documents (the SDK's recorded ones and the contract's), their
robustness, and the schedule in words."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from gtui.core.errors import MalformedResponseError, TimersAPIError
from gtui.core.response import GlobusResponse
from gtui.core.timer_models import (
    Timer,
    TimerItem,
    TimerRun,
    TimerSchedule,
    interval_in_words,
    schedule_in_words,
    timers_from_response,
)
from tests.core.sdk_fixtures import sdk_data

COMMON = sdk_data("timer._common")
GET_JOB = sdk_data("timer.get_job")
V1 = COMMON.V1_TIMER
V2 = COMMON.V2_TRANSFER_TIMER
UTC0 = datetime(2026, 12, 6, 20, 0, tzinfo=UTC)
ARCHIVE = "543aade1-db97-4a4b-9bdf-0b58e78dfa69"
TIMER_SCOPE = "https://auth.globus.org/scopes/524230d7-ea86-4a52-8312-86065a9e0417/timer"


def test_v2_document_from_create_timer() -> None:
    timer = Timer.from_document(V2)
    assert (timer.job_id, timer.name, timer.timer_type, timer.status) == (
        COMMON.TIMER_ID,
        "Very Cool Timer",
        "transfer",
        "new",
    )
    assert timer.schedule == TimerSchedule(
        "recurring",
        interval_seconds=604800,
        start=datetime(2023, 10, 27, 5, tzinfo=UTC),
        end_count=2,
    )
    assert timer.submitted_at == datetime(2023, 10, 26, 20, 31, 9, tzinfo=UTC)
    assert timer.next_run == datetime(2023, 10, 27, 5, tzinfo=UTC)
    assert timer.last_ran_at is None and timer.inactive_reason is None
    assert (timer.number_of_runs, timer.number_of_errors) == (0, 0)
    assert timer.source_collection_id == COMMON.SOURCE_EP_ID
    assert timer.destination_collection_id == COMMON.DEST_EP_ID
    assert timer.collection_ids == (COMMON.SOURCE_EP_ID, COMMON.DEST_EP_ID)
    assert timer.items == (TimerItem("/share/godata/file1.txt", "/~/dst.txt"),)
    assert timer.items[0][:2] == ("/share/godata/file1.txt", "/~/dst.txt")
    assert timer.runs == () and timer.activity_code is None
    assert timer.body["verify_checksum"] is True


def test_v1_document_from_the_jobs_api() -> None:
    timer = Timer.from_document(V1)
    assert timer.status == "loaded" and timer.name == "example timer"
    assert timer.schedule == TimerSchedule(
        "recurring", interval_seconds=864000, start=datetime(2022, 4, 1, 19, 30, tzinfo=UTC)
    )
    assert (timer.number_of_runs, timer.number_of_errors) == (1, 0)
    assert timer.label == "example timer"
    assert timer.source_collection_id == "aa752cea-8222-5bc8-acd9-555b090c0ccb"
    assert timer.destination_collection_id == "313ce13e-b597-5858-ae13-29e46fea26e6"
    assert timer.items == (TimerItem("/share/godata/file1.txt", "/~/file1.txt", False),)
    assert timer.source_paths == ("/share/godata/file1.txt",)
    assert timer.destination_paths == ("/~/file1.txt",)
    (run,) = timer.runs
    assert run == TimerRun(
        ran_at=datetime(2022, 4, 1, 19, 30, 7, 103090, tzinfo=UTC),
        http_status=202,
        task_id="15jfdBESgveZQ",
        task_status="ACTIVE",
        label="example timer, run 1",
    )
    assert not run.failed and not run.skipped
    assert not timer.is_over and not timer.is_paused and not timer.needs_consent


def test_flow_timer_document_has_a_bare_results_list() -> None:
    timer = Timer.from_document(COMMON.V2_FLOW_TIMER)
    assert timer.timer_type == "flow" and timer.runs == ()
    assert timer.schedule == TimerSchedule("once", start=datetime(2025, 10, 27, 5, tzinfo=UTC))
    assert timer.source_collection_id is None and timer.items == ()


def test_inactive_for_consent_carries_the_requirement() -> None:
    timer = Timer.from_document(GET_JOB.TIMER_INACTIVE_GARE)
    assert timer.status == "inactive" and timer.needs_consent and not timer.is_paused
    reason = timer.inactive_reason
    assert reason is not None and reason.cause == "globus_auth_requirements"
    scopes = GET_JOB.TIMER_INACTIVE_GARE["inactive_reason"]["detail"]["authorization_parameters"][
        "required_scopes"
    ]
    assert reason.required_scopes == tuple(scopes)
    assert reason.message == "Missing required data_access consent"
    assert reason.requirement is not None and reason.requirement.code == "ConsentRequired"


def test_inactive_by_user_is_paused() -> None:
    timer = Timer.from_document(GET_JOB.TIMER_INACTIVE_USER)
    assert timer.is_paused and not timer.needs_consent
    assert timer.inactive_reason is not None and timer.inactive_reason.by_user
    assert timer.inactive_reason.required_scopes == () and timer.inactive_reason.message is None


def _contract_v1() -> dict[str, Any]:
    """A v1 document as the embedded service writes it (timers-contract.md)."""
    body = {
        "DATA_TYPE": "transfer",
        "source_endpoint": "src",
        "destination_endpoint": "dst",
        "label": "nightly",
        "DATA": [
            {"DATA_TYPE": "transfer_item", "source_path": "/a/", "destination_path": "/b/"},
            {"DATA_TYPE": "transfer_item", "source_path": "/c", "destination_path": "/d"},
        ],
    }
    return {
        "job_id": "j1",
        "name": "nightly copy",
        "timer_type": "transfer",
        "status": "loaded",
        "start": "2026-12-07T02:00:00+00:00",
        "interval": 86400,
        "stop_after": {"date": None, "n_runs": 30},
        "callback_url": "https://transfer.actions.globus.org/transfer/run",
        "callback_body": {"body": body},
        "scope": f"{TIMER_SCOPE}[urn:globus:auth:scope:transfer.api.globus.org:all]",
        "submitted_at": "2026-12-06T20:00:00+00:00",
        "last_ran_at": "2026-12-18T02:00:00+00:00",
        "next_run": "2026-12-19T02:00:00+00:00",
        "n_runs": 12,
        "n_errors": 1,
        "inactive_reason": None,
        "activity": {"code": "awaiting_next_run", "start_timestamp": "2026-12-18T02:00:05+00:00"},
        "schedule": {
            "type": "recurring",
            "interval_seconds": 86400,
            "start": "2026-12-07T02:00:00+00:00",
            "end": {"condition": "iterations", "count": 30},
        },
        "results": {
            "data": [
                {
                    "ran_at": "2026-12-18T02:00:00+00:00",
                    "status": 202,
                    "errors": None,
                    "data": {
                        "action_id": "task-12",
                        "details": {"task_id": "task-12", "status": "SUCCEEDED"},
                        "status": "SUCCEEDED",
                        "label": "nightly copy, run 12",
                    },
                },
                {
                    "ran_at": "2026-12-17T02:00:00+00:00",
                    "status": 409,
                    "data": None,
                    "errors": [
                        {
                            "code": "RunSkipped",
                            "detail": "Skipped: the previous run's task task-11 was still running",
                        }
                    ],
                },
                {
                    "ran_at": "2026-12-16T02:00:00+00:00",
                    "status": 503,
                    "data": None,
                    "errors": [{"code": "ServiceUnavailable", "detail": "Transfer is down"}],
                },
                {
                    "ran_at": "2026-12-15T02:00:00+00:00",
                    "status": 202,
                    "errors": None,
                    "data": {"details": {"task_id": "task-10", "status": "FAILED"}},
                },
            ],
            "page_next": None,
        },
    }


def test_contract_v1_document_with_every_kind_of_run() -> None:
    timer = Timer.from_document(_contract_v1())
    assert timer.schedule == TimerSchedule(
        "recurring", 86400, datetime(2026, 12, 7, 2, tzinfo=UTC), end_count=30
    )
    assert timer.activity_code == "awaiting_next_run"
    assert timer.activity_start == datetime(2026, 12, 18, 2, 0, 5, tzinfo=UTC)
    assert (timer.number_of_runs, timer.number_of_errors, timer.label) == (12, 1, "nightly")
    assert timer.collection_ids == ("src", "dst") and len(timer.items) == 2
    done, skipped, refused, failed = timer.runs
    assert (done.task_id, done.task_status, done.label, done.failed) == (
        "task-12",
        "SUCCEEDED",
        "nightly copy, run 12",
        False,
    )
    assert skipped.skipped and not skipped.failed and skipped.task_id is None
    assert skipped.errors == ("Skipped: the previous run's task task-11 was still running",)
    assert refused.failed and refused.error_codes == ("ServiceUnavailable",)
    assert refused.errors == ("Transfer is down",)
    assert (failed.task_id, failed.task_status, failed.failed) == ("task-10", "FAILED", True)


def test_the_v1_fields_make_the_schedule_when_there_is_no_schedule() -> None:
    doc = _contract_v1()
    del doc["schedule"]
    doc["stop_after"] = {"date": "2027-01-01T00:00:00+00:00", "n_runs": None}
    assert Timer.from_document(doc).schedule == TimerSchedule(
        "recurring",
        86400,
        datetime(2026, 12, 7, 2, tzinfo=UTC),
        end_time=datetime(2027, 1, 1, tzinfo=UTC),
    )
    doc.update(interval=None, stop_after={"date": None, "n_runs": 1})
    assert Timer.from_document(doc).schedule == TimerSchedule(
        "once", start=datetime(2026, 12, 7, 2, tzinfo=UTC)
    )


def test_over_and_deleted() -> None:
    doc = _contract_v1() | {"next_run": None, "activity": None}
    assert Timer.from_document(doc).is_over
    assert not Timer.from_document(doc | {"status": "deleted"}).is_over


def test_missing_and_null_fields_take_defaults() -> None:
    timer = Timer.from_document({"job_id": "j"})
    assert timer == Timer("j")
    nulls = {key: None for key in V2 if key != "job_id"}
    assert Timer.from_document({"job_id": "j", **nulls}) == Timer("j")
    v1_nulls = {key: None for key in V1 if key != "job_id"}
    assert Timer.from_document({"job_id": "j", **v1_nulls}) == Timer("j")
    run = TimerRun.from_document({"ran_at": None, "status": None, "data": {"details": None}})
    assert run == TimerRun()


def _broken(path: list[Any], value: Any) -> dict[str, Any]:
    doc = copy.deepcopy(_contract_v1())
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return doc


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (["job_id"], None),
        (["job_id"], 7),
        (["name"], ["a"]),
        (["n_runs"], "12"),
        (["n_runs"], 1.5),
        (["next_run"], "tomorrow"),
        (["schedule"], []),
        (["schedule", "interval_seconds"], True),
        (["schedule", "end"], "never"),
        (["inactive_reason"], "paused"),
        (["activity", "code"], 3),
        (["callback_body", "body"], "x"),
        (["callback_body", "body", "DATA"], {"a": 1}),
        (["results"], "none"),
        (["results", "data"], [1, 2]),
        (["results", "data", 0, "errors"], "oops"),
        (["results", "data", 0, "data", "action_id"], 5),
    ],
)
def test_wrong_types_are_malformed_answers(path: list[Any], value: Any) -> None:
    with pytest.raises(MalformedResponseError) as caught:
        Timer.from_document(_broken(path, value))
    assert isinstance(caught.value, TimersAPIError)


def test_a_document_that_is_not_an_object_is_malformed() -> None:
    with pytest.raises(MalformedResponseError):
        Timer.from_document(["job_id"])


def _response(data: Any) -> GlobusResponse:
    raw = httpx.Response(200, json=data, request=httpx.Request("GET", "https://timer.test/"))
    return GlobusResponse(raw, data)


def test_from_responses() -> None:
    assert Timer.from_response(_response({"timer": V2})).job_id == COMMON.TIMER_ID
    assert Timer.from_response(_response(V1)).name == "example timer"
    assert [t.job_id for t in timers_from_response(_response({"jobs": [V1, V2]}))] == [
        COMMON.TIMER_ID,
        COMMON.TIMER_ID,
    ]
    assert timers_from_response(_response({"jobs": []})) == []
    with pytest.raises(MalformedResponseError) as caught:
        timers_from_response(_response({"jobs": [{"job_id": 1}]}))
    assert caught.value.url == "https://timer.test/"


# -- in words ---------------------------------------------------------------------------------


def _timer(schedule: TimerSchedule, **kwargs: Any) -> Timer:
    return Timer("j", schedule=schedule, **kwargs)


def at(day: int, hour: int = 2, minute: int = 0, month: int = 12, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("timer", "words"),
    [
        (_timer(TimerSchedule("once", start=at(7))), "once at 2026-12-07 02:00"),
        (_timer(TimerSchedule("once"), next_run=at(6, 21)), "once at 2026-12-06 21:00"),
        (_timer(TimerSchedule("once")), "once"),
        (
            _timer(TimerSchedule("recurring", 86400, at(1), end_count=30), number_of_runs=12),
            "every day at 02:00, 12 of 30 runs",
        ),
        (
            _timer(TimerSchedule("recurring", 21600, at(7), end_time=at(1, 0, month=1, year=2027))),
            "every 6 hours from 2026-12-07 02:00 until 2027-01-01",
        ),
        (_timer(TimerSchedule("recurring", 900)), "every 15 minutes"),
        (_timer(TimerSchedule("recurring", 900, at(1))), "every 15 minutes"),
        (
            _timer(TimerSchedule("recurring", 86400, at(7, 9, 30), end_time=at(9, 12))),
            "every day at 09:30 from 2026-12-07 until 2026-12-09 12:00",
        ),
        (
            _timer(TimerSchedule("recurring", 7 * 86400, at(7), end_count=1)),
            "every Monday at 02:00 from 2026-12-07, 0 of 1 run",
        ),
        (_timer(TimerSchedule("recurring", 5400)), "every 90 minutes"),
        (_timer(TimerSchedule("recurring", 2 * 86400)), "every 2 days"),
    ],
)
def test_schedule_in_words(timer: Timer, words: str) -> None:
    assert schedule_in_words(timer, UTC0, tz=UTC) == words


def test_schedule_in_words_is_in_the_given_zone() -> None:
    timer = _timer(TimerSchedule("recurring", 86400, at(7), end_count=3))
    tokyo = timezone(timedelta(hours=9))
    assert schedule_in_words(timer, UTC0, tz=tokyo) == (
        "every day at 11:00 from 2026-12-07, 0 of 3 runs"
    )
    local = schedule_in_words(timer, UTC0)
    assert local.startswith(f"every day at {at(7).astimezone().strftime('%H:%M')}")


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (60, "every minute"),
        (61, "every 61 seconds"),
        (3600, "every hour"),
        (7200, "every 2 hours"),
        (86400, "every day"),
        (1209600, "every 2 weeks"),
        (30, "every 30 seconds"),
    ],
)
def test_interval_in_words(seconds: int, words: str) -> None:
    assert interval_in_words(seconds) == words

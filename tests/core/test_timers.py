"""TimersClient against the Globus SDK's recorded Timers answers; the documents that create a
timer; the timer scopes; and the session's Timers client and its missing-consent error."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from gtui.core.environments import get_service_url, sibling_service_url
from gtui.core.errors import ConsentMissing, LoginRequired, TimersAPIError
from gtui.core.http import RetryPolicy
from gtui.core.scopes import (
    DEFAULT_SCOPES,
    TIMER_TRANSFER_SCOPE,
    TimersScopes,
    TransferScopes,
    data_access_scope,
    resource_server_of,
    transfer_timer_scope,
)
from gtui.core.session import GlobusSession
from gtui.core.timer_data import (
    OnceTimerSchedule,
    RecurringTimerSchedule,
    TransferTimer,
    data_access_collection_ids,
    end_after_runs,
    end_at,
)
from gtui.core.timer_models import Timer, timers_from_response
from gtui.core.timers import TimersClient
from gtui.core.tokens import TokenStore
from gtui.core.transfer_data import TransferData
from tests.core.sdk_fixtures import sdk_data, sdk_response

BASE = "https://timer.test/"
C1 = "c39824e6-d48a-4ed9-afe5-aa3ffbdd79e0"
C2 = "a9e6fcb5-f22b-48be-85f9-29d91af40177"
TIMER_ID = sdk_data("timer._common").TIMER_ID


async def _no_sleep(_seconds: float) -> None:
    return None


@pytest.fixture
async def timers() -> Any:
    async with httpx.AsyncClient() as http:
        yield TimersClient(
            base_url=BASE, http_client=http, retry_policy=RetryPolicy(sleep=_no_sleep)
        )


def mock(router: respx.MockRouter, name: str, case: str = "default") -> respx.Route:
    """Route the SDK's recorded answer ``name``/``case`` on the test base URL."""
    recorded = sdk_response(name, case)
    return router.route(method=recorded.method, url=BASE.rstrip("/") + recorded.path).respond(
        recorded.status, json=recorded.json
    )


def sent(route: respx.Route) -> Any:
    content = route.calls.last.request.content
    return json.loads(content) if content else None


# -- the client, call by call ---------------------------------------------------------------


@respx.mock
async def test_create_timer_posts_the_timer_and_reads_the_v2_answer(timers) -> None:
    route = mock(respx.mock, "timer.create_timer")
    data = TransferData(C1, C2, submission_id="abc", label="nightly")
    data["skip_activation_check"] = True
    data.add_item("/share/godata/file1.txt", "/~/dst.txt")
    timer = TransferTimer(
        name="Very Cool Timer", schedule=RecurringTimerSchedule(604800), body=data
    )
    response = await timers.create_timer(timer)
    assert response.http_status == 201
    body = sent(route)
    assert list(body) == ["timer"]
    assert body["timer"]["timer_type"] == "transfer"
    assert body["timer"]["schedule"] == {"type": "recurring", "interval_seconds": 604800}
    assert "submission_id" not in body["timer"]["body"]
    assert "skip_activation_check" not in body["timer"]["body"]
    assert body["timer"]["body"]["DATA"][0]["source_path"] == "/share/godata/file1.txt"
    parsed = Timer.from_response(response)
    recorded = sdk_response("timer.create_timer")
    assert parsed.job_id == recorded.metadata["timer_id"]
    assert parsed.source_collection_id == recorded.metadata["source_endpoint"]
    assert parsed.destination_collection_id == recorded.metadata["destination_endpoint"]


@respx.mock
async def test_list_jobs_passes_query_params_and_lists_v1_timers(timers) -> None:
    route = mock(respx.mock, "timer.list_jobs")
    response = await timers.list_jobs(query_params={"order": "submitted_at asc"})
    assert route.calls.last.request.url.params["order"] == "submitted_at asc"
    listed = timers_from_response(response)
    assert [t.job_id for t in listed] == sdk_response("timer.list_jobs").metadata["job_ids"]
    assert listed[0].number_of_runs == 1 and len(listed[0].runs) == 1


@respx.mock
async def test_get_job(timers) -> None:
    route = mock(respx.mock, "timer.get_job")
    response = await timers.get_job(TIMER_ID, query_params={"results": 10})
    assert route.calls.last.request.url.params["results"] == "10"
    assert Timer.from_response(response).name == "example timer"


@respx.mock
async def test_update_job_patches_the_partial_document(timers) -> None:
    route = mock(respx.mock, "timer.update_job")
    recorded = sdk_response("timer.update_job")
    response = await timers.update_job(TIMER_ID, {"name": recorded.metadata["name"]})
    assert sent(route) == {"name": "updated name"}
    assert Timer.from_response(response).name == "updated name"


@respx.mock
async def test_delete_job(timers) -> None:
    route = mock(respx.mock, "timer.delete_job")
    response = await timers.delete_job(TIMER_ID)
    assert route.called and response["job_id"] == TIMER_ID


@respx.mock
async def test_pause_job_sends_no_body(timers) -> None:
    route = mock(respx.mock, "timer.pause_job")
    response = await timers.pause_job(TIMER_ID)
    assert route.calls.last.request.content == b""
    assert response["message"] == f"Successfully paused job {TIMER_ID}."


@respx.mock
@pytest.mark.parametrize(
    ("update_credentials", "body"), [(None, {}), (True, {"update_credentials": True})]
)
async def test_resume_job(timers, update_credentials: bool | None, body: dict[str, Any]) -> None:
    route = mock(respx.mock, "timer.resume_job")
    response = await timers.resume_job(TIMER_ID, update_credentials=update_credentials)
    assert sent(route) == body
    assert response["message"] == f"Successfully resumed job {TIMER_ID}."


# -- errors ---------------------------------------------------------------------------------


@respx.mock
async def test_500_error_document_is_a_plain_timers_error_after_retries(timers) -> None:
    route = mock(respx.mock, "timer.get_job", "simple_500_error")
    with pytest.raises(TimersAPIError) as caught:
        await timers.get_job(TIMER_ID)
    error = caught.value
    assert route.call_count == 1 + timers.retry_policy.max_retries
    assert (error.http_status, error.code, error.message) == (
        500,
        "ERROR",
        "Request failed terribly",
    )
    assert str(error) == "Globus Timers: Request failed terribly (HTTP 500, ERROR)."
    assert error.authorization_requirement is None


@respx.mock
async def test_fastapi_validation_errors_read_like_the_sdk(timers) -> None:
    recorded = sdk_response("timer.create_job", "validation_error")
    respx.post(BASE + "v2/timer").respond(422, json=recorded.json)
    with pytest.raises(TimersAPIError) as caught:
        await timers.create_timer({"timer_type": "transfer"})
    assert caught.value.message == "; ".join(recorded.metadata["expect_messages"])


@respx.mock
async def test_not_found_is_not_retried(timers) -> None:
    route = respx.get(BASE + "jobs/nope").respond(
        404, json={"error": {"code": "NOT_FOUND", "detail": "No such job", "status": 404}}
    )
    with pytest.raises(TimersAPIError) as caught:
        await timers.get_job("nope")
    assert route.call_count == 1 and caught.value.code == "NOT_FOUND"


GARE_SCOPE = transfer_timer_scope([C1])


@respx.mock
async def test_resume_refused_for_consent_carries_the_requirement(timers) -> None:
    respx.post(BASE + f"jobs/{TIMER_ID}/resume").respond(
        403,
        json={
            "error": {"code": "ConsentRequired", "detail": "Missing consent", "status": 403},
            "authorization_parameters": {
                "session_message": "Missing required data_access consent",
                "required_scopes": [GARE_SCOPE],
            },
        },
    )
    with pytest.raises(TimersAPIError) as caught:
        await timers.resume_job(TIMER_ID, update_credentials=True)
    error = caught.value
    assert error.consent_required and error.code == "ConsentRequired"
    assert error.authorization_requirement is not None
    assert error.authorization_requirement.required_scopes == (GARE_SCOPE,)
    assert error.message == "Missing consent"


@respx.mock
async def test_a_canonical_gare_inside_error_is_read_too(timers) -> None:
    respx.post(BASE + "v2/timer").respond(
        403,
        json={
            "error": {
                "code": "ConsentRequired",
                "detail": "Missing consent",
                "authorization_parameters": {"required_scopes": [GARE_SCOPE]},
            }
        },
    )
    with pytest.raises(TimersAPIError) as caught:
        await timers.create_timer({})
    assert caught.value.consent_required


# -- the documents that create a timer --------------------------------------------------------


def sent_by_sdk(payload: Any) -> Any:
    """An SDK payload as it goes on the wire: its MISSING values left out."""
    from globus_sdk import MISSING

    if isinstance(payload, dict):
        return {k: sent_by_sdk(v) for k, v in payload.items() if v is not MISSING}
    return payload


def test_once_schedule() -> None:
    assert OnceTimerSchedule() == {"type": "once"}
    when = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
    assert OnceTimerSchedule(when) == {"type": "once", "datetime": "2026-12-07T02:00:00+00:00"}
    assert OnceTimerSchedule(datetime="2026-12-07T02:00:00Z")["datetime"] == (
        "2026-12-07T02:00:00Z"
    )
    plus_one = datetime(2026, 12, 7, 3, 0, 30, 999, tzinfo=timezone(timedelta(hours=1)))
    assert OnceTimerSchedule(plus_one)["datetime"] == "2026-12-07T03:00:30+01:00"


def test_naive_datetimes_are_local_time() -> None:
    naive = datetime(2026, 12, 7, 2, 0)
    assert OnceTimerSchedule(naive)["datetime"] == naive.astimezone().isoformat()


def test_bad_times_are_refused_early() -> None:
    with pytest.raises(ValueError, match="ISO 8601"):
        OnceTimerSchedule("tomorrow")


def test_recurring_schedule_with_each_end() -> None:
    start = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
    assert RecurringTimerSchedule(86400, start, end_after_runs(30)) == {
        "type": "recurring",
        "interval_seconds": 86400,
        "start": "2026-12-07T02:00:00+00:00",
        "end": {"condition": "iterations", "count": 30},
    }
    until = RecurringTimerSchedule(21600, end=RecurringTimerSchedule.end_at("2027-01-01T00:00Z"))
    assert until["end"] == {"condition": "time", "datetime": "2027-01-01T00:00Z"}
    assert end_at(start) == {"condition": "time", "datetime": "2026-12-07T02:00:00+00:00"}
    assert RecurringTimerSchedule.end_after_runs(2) == end_after_runs(2)
    assert RecurringTimerSchedule(900) == {"type": "recurring", "interval_seconds": 900}


def test_end_dicts_are_normalised() -> None:
    """The SDK's docstring spelling ``iterations`` becomes the ``count`` the service reads."""
    schedule = RecurringTimerSchedule(600, end={"condition": "iterations", "iterations": 10})
    assert schedule["end"] == {"condition": "iterations", "count": 10}
    end = {"condition": "time", "datetime": datetime(2027, 1, 1, tzinfo=UTC)}
    assert RecurringTimerSchedule(600, end=end)["end"]["datetime"] == "2027-01-01T00:00:00+00:00"


@pytest.mark.parametrize("bad", [0, -5, 1.5, True, "60"])
def test_recurring_schedule_needs_a_positive_whole_interval(bad: Any) -> None:
    with pytest.raises(ValueError):
        RecurringTimerSchedule(bad)


@pytest.mark.parametrize("bad", [0, -1, True, 2.0])
def test_end_after_runs_needs_a_count(bad: Any) -> None:
    with pytest.raises(ValueError):
        end_after_runs(bad)


def test_transfer_timer_from_a_dict_and_agrees_with_the_sdk() -> None:
    import globus_sdk

    body = {
        "DATA_TYPE": "transfer",
        "source_endpoint": C1,
        "destination_endpoint": C2,
        "DATA": [],
        "submission_id": "x",
        "skip_activation_check": False,
    }
    ours = TransferTimer(name="t", schedule=OnceTimerSchedule(), body=body)
    theirs = globus_sdk.TransferTimer(name="t", schedule=globus_sdk.OnceTimerSchedule(), body=body)
    assert ours == sent_by_sdk(theirs)
    assert body["submission_id"] == "x", "the caller's document is not changed"
    assert "name" not in TransferTimer(schedule=OnceTimerSchedule(), body=body)


def test_recurring_schedule_agrees_with_the_sdk() -> None:
    import globus_sdk

    start = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
    end = {"condition": "time", "datetime": datetime(2027, 1, 1, tzinfo=UTC)}
    ours = RecurringTimerSchedule(3600, start, end)
    theirs = globus_sdk.RecurringTimerSchedule(3600, start, end)
    assert ours == sent_by_sdk(theirs)


# -- scopes ---------------------------------------------------------------------------------


def test_transfer_timer_scope_nests_transfer_and_data_access() -> None:
    assert (
        transfer_timer_scope()
        == TIMER_TRANSFER_SCOPE
        == (f"{TimersScopes.timer}[{TransferScopes.all}]")
    )
    assert transfer_timer_scope([C1, C2, C1]) == (
        f"{TimersScopes.timer}[{TransferScopes.all}"
        f"[*{data_access_scope(C1)} *{data_access_scope(C2)}]]"
    )
    assert resource_server_of(transfer_timer_scope([C1])) == TimersScopes.resource_server


def test_transfer_timer_scope_agrees_with_the_sdk() -> None:
    from globus_sdk.scopes import GCSCollectionScopes
    from globus_sdk.scopes import TimersScopes as SDKTimers
    from globus_sdk.scopes import TransferScopes as SDKTransfer

    data_access = GCSCollectionScopes(C1).data_access.with_optional(True)
    sdk = SDKTimers.timer.with_dependency(SDKTransfer.all.with_dependency(data_access))
    assert transfer_timer_scope([C1]) == str(sdk)


def test_default_login_includes_timers_through_transfer() -> None:
    assert TIMER_TRANSFER_SCOPE in DEFAULT_SCOPES


def test_data_access_collections_follow_the_transfer_rule() -> None:
    docs = [
        {"id": C1, "entity_type": "GCSv5_mapped_collection", "high_assurance": False},
        {"id": C2, "entity_type": "GCSv5_mapped_collection", "high_assurance": True},
        {"id": "g", "entity_type": "GCSv5_guest_collection", "high_assurance": False},
        {"id": "p", "entity_type": "GCP_mapped_collection"},
        {"id": C1, "entity_type": "GCSv5_mapped_collection"},
    ]
    assert data_access_collection_ids(docs) == [C1]


# -- environments and the session -----------------------------------------------------------


def test_timer_urls_per_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    import globus_sdk.config

    monkeypatch.delenv("GLOBUS_SDK_SERVICE_URL_TIMER", raising=False)
    for environment in ("production", "preview", "sandbox"):
        expected = globus_sdk.config.get_service_url("timer", environment)
        assert get_service_url("timer", environment) == expected
    monkeypatch.setenv("GLOBUS_SDK_SERVICE_URL_TIMER", "http://127.0.0.1:8123/timer")
    assert get_service_url("timer", "sim") == "http://127.0.0.1:8123/timer/"


def test_sibling_service_url() -> None:
    assert sibling_service_url("http://127.0.0.1:9/auth/", "timer") == "http://127.0.0.1:9/timer/"
    assert sibling_service_url("http://127.0.0.1:9/", "timer") == "http://127.0.0.1:9/timer/"


SIM = "http://127.0.0.1:8400"
FOUR = {name: f"{SIM}/{name}/" for name in ("auth", "transfer", "groups", "search")}


def test_session_has_a_timers_client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GLOBUS_SDK_SERVICE_URL_TIMER", raising=False)
    store = TokenStore.for_client("sim", "client", path=tmp_path / "tokens.json")
    session = GlobusSession("client", environment="sim", token_store=store, service_urls=FOUR)
    assert isinstance(session.timers, TimersClient)
    assert session.clients["timers"] is session.timers
    assert session.timers.base_url == f"{SIM}/timer/"
    assert session.authorizers["timers"].resource_server == TimersScopes.resource_server
    given = GlobusSession(
        "client", token_store=store, service_urls={**FOUR, "timer": "http://elsewhere/t/"}
    )
    assert given.timers.base_url == "http://elsewhere/t/"
    monkeypatch.setenv("GLOBUS_SDK_SERVICE_URL_TIMER", "http://127.0.0.1:7/timer")
    from_env = GlobusSession("client", environment="sim", token_store=store, service_urls=FOUR)
    assert from_env.timers.base_url == "http://127.0.0.1:7/timer/"
    production = GlobusSession("client", environment="production", token_store=store)
    assert production.timers.base_url == "http://127.0.0.1:7/timer/"
    monkeypatch.delenv("GLOBUS_SDK_SERVICE_URL_TIMER")
    for name in ("AUTH", "TRANSFER", "GROUPS", "SEARCH"):
        monkeypatch.delenv(f"GLOBUS_SDK_SERVICE_URL_{name}", raising=False)
    production = GlobusSession("client", environment="production", token_store=store)
    assert production.timers.base_url == "https://timer.automate.globus.org/"


def _token(rs: str) -> dict[str, Any]:
    return {
        "access_token": f"access-{rs}",
        "refresh_token": f"refresh-{rs}",
        "expires_at_seconds": 4_000_000_000,
        "scope": "",
        "token_type": "Bearer",
    }


@respx.mock
async def test_a_login_without_timers_needs_one_consent_which_repair_asks_for(
    tmp_path: Path,
) -> None:
    store = TokenStore.for_client("sim", "client", path=tmp_path / "tokens.json")
    store.store_token_data_by_resource_server({"transfer.api.globus.org": _token("transfer")})
    async with GlobusSession(
        "client", environment="sim", token_store=store, service_urls=FOUR
    ) as session:
        with pytest.raises(ConsentMissing) as caught:
            await session.timers.list_jobs()
        error = caught.value
        assert isinstance(error, LoginRequired) and error.consent_required
        assert error.authorization_requirement.required_scopes == (TIMER_TRANSFER_SCOPE,)
        assert not respx.calls, "no request goes out without a token"

        route = respx.get(f"{SIM}/timer/jobs/").respond(200, json={"jobs": []})
        asked: list[tuple[str, ...]] = []

        async def consent(requirement: Any) -> bool:
            asked.append(requirement.required_scopes)
            rs = TimersScopes.resource_server
            store.store_token_data_by_resource_server({rs: _token(rs)})
            session.authorizers["timers"].forget()
            return True

        response = await session.call_with_consent_repair(session.timers.list_jobs, consent)
        assert response["jobs"] == [] and asked == [(TIMER_TRANSFER_SCOPE,)]
        auth = route.calls.last.request.headers["authorization"]
        assert auth == f"Bearer access-{TimersScopes.resource_server}"


async def test_logged_out_is_still_a_login_required(tmp_path: Path) -> None:
    store = TokenStore.for_client("sim", "client", path=tmp_path / "tokens.json")
    async with GlobusSession(
        "client", environment="sim", token_store=store, service_urls=FOUR
    ) as session:
        with pytest.raises(LoginRequired) as caught:
            await session.timers.list_jobs()
        assert not isinstance(caught.value, ConsentMissing)

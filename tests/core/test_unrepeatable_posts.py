"""Requests that must not be carried out twice (a flow's run, a new flow, a new timer): sent
again only when they surely were not done (no connection, 429, 503); after a dropped
connection or a 500/502/504 the caller gets ``OutcomeUnknown``, never a second run. Reads and
Transfer's submits (protected by their ``submission_id``) keep every retry."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from gtui.core.errors import FlowsAPIError, NetworkError, OutcomeUnknown
from gtui.core.flows import FlowsClient, SpecificFlowClient
from gtui.core.http import RetryPolicy
from gtui.core.timers import TimersClient

ROOT = "https://flows.automate.globus.org/"
FLOW_ID = "24bc4997-b483-4c25-a19c-64b0afc00743"
RUN = {"run_id": "b0c4d1a2-0000-4000-8000-000000000001", "status": "ACTIVE"}


class Service:
    """Answers each request with the next of ``answers`` (an exception is raised instead)."""

    def __init__(self, *answers: httpx.Response | Exception) -> None:
        self.answers = list(answers)
        self.seen: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def _policy() -> RetryPolicy:
    async def no_wait(delay: float) -> None:
        return None

    return RetryPolicy(sleep=no_wait, jitter=lambda: 0.5)


def flow(service: Service) -> SpecificFlowClient:
    http = httpx.AsyncClient(transport=httpx.MockTransport(service))
    return SpecificFlowClient(FLOW_ID, base_url=ROOT, http_client=http, retry_policy=_policy())


def error(status: int, code: str, **headers: str) -> httpx.Response:
    body = {"error": {"code": code, "detail": "please try again"}, "debug_id": "d-1"}
    return httpx.Response(status, json=body, headers=headers)


def dropped(message: str = "Server disconnected without sending a response") -> Exception:
    return httpx.RemoteProtocolError(message)


async def test_a_run_whose_connection_dropped_is_not_sent_again() -> None:
    service = Service(dropped(), httpx.Response(201, json=RUN))
    with pytest.raises(OutcomeUnknown) as caught:
        await flow(service).run_flow({"x": 1})
    assert len(service.seen) == 1
    assert caught.value.service == "Globus Flows"
    assert "may or may not have been done" in str(caught.value)


@pytest.mark.parametrize("status", [500, 502, 504])
async def test_a_run_answered_by_a_server_error_is_not_sent_again(status: int) -> None:
    service = Service(error(status, "INTERNAL_ERROR"), httpx.Response(201, json=RUN))
    with pytest.raises(OutcomeUnknown) as caught:
        await flow(service).run_flow({"x": 1})
    assert len(service.seen) == 1
    assert isinstance(caught.value.cause, FlowsAPIError)
    assert caught.value.cause.http_status == status


@pytest.mark.parametrize(
    "refusal",
    [
        lambda: httpx.ConnectError("Connection refused"),
        lambda: httpx.ConnectTimeout("timed out connecting"),
        lambda: error(429, "RATE_LIMIT_EXCEEDED", **{"Retry-After": "1"}),
        lambda: error(503, "SERVICE_UNAVAILABLE", **{"Retry-After": "1"}),
    ],
)
async def test_a_run_refused_before_it_reached_flows_is_sent_again(
    refusal: Callable[[], httpx.Response | Exception],
) -> None:
    service = Service(refusal(), refusal(), httpx.Response(201, json=RUN))
    run = await flow(service).run_flow({"x": 1}, label="twice refused")
    assert run["run_id"] == RUN["run_id"]
    assert len(service.seen) == 3


async def test_a_run_never_connected_after_every_retry_is_a_network_error() -> None:
    service = Service(*[httpx.ConnectError("Connection refused")] * 6)
    with pytest.raises(NetworkError):
        await flow(service).run_flow({"x": 1})
    assert len(service.seen) == 6


async def test_reads_and_cancels_of_flows_keep_their_retries() -> None:
    service = Service(dropped(), error(502, "BAD_GATEWAY"), httpx.Response(200, json=RUN))
    http = httpx.AsyncClient(transport=httpx.MockTransport(service))
    client = FlowsClient(base_url=ROOT, http_client=http, retry_policy=_policy())
    assert (await client.get_run(RUN["run_id"]))["status"] == "ACTIVE"
    assert len(service.seen) == 3


async def test_a_new_flow_is_not_sent_again_after_a_drop() -> None:
    service = Service(dropped(), httpx.Response(201, json={"id": FLOW_ID}))
    http = httpx.AsyncClient(transport=httpx.MockTransport(service))
    client = FlowsClient(base_url=ROOT, http_client=http, retry_policy=_policy())
    with pytest.raises(OutcomeUnknown):
        await client.create_flow("t", {"StartAt": "a", "States": {}}, {})
    assert len(service.seen) == 1


async def test_a_new_timer_is_not_sent_again_after_a_drop_but_a_read_is() -> None:
    timer = {"job_id": "j-1", "status": "new"}
    service = Service(dropped(), httpx.Response(201, json={"timer": timer}))
    http = httpx.AsyncClient(transport=httpx.MockTransport(service))
    client = TimersClient(
        base_url="https://timer.automate.globus.org/", http_client=http, retry_policy=_policy()
    )
    with pytest.raises(OutcomeUnknown) as caught:
        await client.create_timer({"name": "nightly"})
    assert caught.value.service == "Globus Timers"
    assert len(service.seen) == 1
    service.answers = [dropped(), httpx.Response(200, json={"jobs": []})]
    assert (await client.list_jobs())["jobs"] == []

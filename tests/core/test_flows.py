"""FlowsClient and SpecificFlowClient against the Globus SDK's recorded Flows answers: every
method (what it sends, what it reads back), the three paginators, the flow's consent scope,
and the session's clients with the consent a first run of a flow asks for."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from gtui.core.errors import ConsentMissing, FlowsAPIError, LoginRequired
from gtui.core.flows import FlowsClient, SpecificFlowClient
from gtui.core.http import RetryPolicy
from gtui.core.scopes import (
    DEFAULT_SCOPES,
    FLOWS_RESOURCE_SERVER,
    FlowsScopes,
    TransferScopes,
    data_access_scope,
    flow_run_scope,
    flow_user_scope,
    resource_server_of,
)
from gtui.core.session import GlobusSession
from gtui.core.tokens import TokenStore
from tests.core.sdk_fixtures import expected_params, sdk_data, sdk_response

BASE = "https://flows.test/"
COMMON = sdk_data("flows._common")
FLOW_ID = COMMON.TWO_HOP_TRANSFER_FLOW_ID
RUN_ID = COMMON.TWO_HOP_TRANSFER_RUN_ID


async def _no_sleep(_seconds: float) -> None:
    return None


@pytest.fixture
async def http() -> Any:
    async with httpx.AsyncClient() as client:
        yield client


@pytest.fixture
def flows(http: httpx.AsyncClient) -> FlowsClient:
    return FlowsClient(base_url=BASE, http_client=http, retry_policy=RetryPolicy(sleep=_no_sleep))


@pytest.fixture
def flow(http: httpx.AsyncClient) -> SpecificFlowClient:
    return SpecificFlowClient(
        FLOW_ID, base_url=BASE, http_client=http, retry_policy=RetryPolicy(sleep=_no_sleep)
    )


def mock(name: str, case: str = "default") -> respx.Route:
    """Route the SDK's recorded answer ``name``/``case`` on the test base URL."""
    recorded = sdk_response(name, case)
    if hasattr(recorded, "responses"):
        recorded = recorded.responses[0]
    return respx.route(method=recorded.method, url=BASE.rstrip("/") + recorded.path).respond(
        recorded.status, json=recorded.json
    )


def mock_pages(name: str, case: str) -> respx.Route:
    """Route a recorded list of pages, each answered when the query matches its matcher."""
    pages = sdk_response(name, case).responses

    def answer(request: httpx.Request) -> httpx.Response:
        marker = request.url.params.get("marker")
        for page in pages:
            wanted = expected_params(page) or {}
            if wanted.get("marker") == marker:
                return httpx.Response(page.status, json=page.json)
        return httpx.Response(404, json={"error": {"code": "NOT_FOUND", "detail": "no page"}})

    return respx.route(method="GET", url__startswith=BASE.rstrip("/") + pages[0].path).mock(
        side_effect=answer
    )


def sent(route: respx.Route) -> Any:
    content = route.calls.last.request.content
    return json.loads(content) if content else None


def query(route: respx.Route) -> dict[str, list[str]]:
    params = route.calls.last.request.url.params
    return {key: params.get_list(key) for key in params}


# -- flows ----------------------------------------------------------------------------------


@respx.mock
async def test_create_flow_posts_the_fields_given_and_nothing_else(flows: FlowsClient) -> None:
    route = mock("flows.create_flow")
    params = sdk_data("flows.create_flow").RESPONSES.metadata["params"]
    response = await flows.create_flow(**params)
    body = sent(route)
    assert body == params
    assert "subscription_id" not in body and "authentication_policy_id" not in body
    assert response["id"] == FLOW_ID


@respx.mock
async def test_create_flow_422_keeps_each_field_error(flows: FlowsClient) -> None:
    mock("flows.create_flow", "bad_admin_principal_error")
    with pytest.raises(FlowsAPIError) as caught:
        await flows.create_flow("t", {}, {})
    error = caught.value
    assert error.http_status == 422 and error.code == "UNPROCESSABLE_ENTITY"
    assert [e.location for e in error.field_errors] == [
        "flow_administrators.0",
        "flow_administrators.1",
    ]
    assert "Unrecognized principal string" in error.message
    assert error.request_id == "cf71b1d1-ab7e-48b1-8c54-764201d28ded"
    assert "Globus Flows" in str(error)


@respx.mock
async def test_get_flow_reads_the_flow_model(flows: FlowsClient) -> None:
    from gtui.core.flow_models import Flow

    mock("flows.get_flow")
    flow = Flow.from_response(await flows.get_flow(FLOW_ID))
    assert flow.id == FLOW_ID and flow.title == "Multi Step Transfer"
    assert flow.keywords == ("two", "hop", "transfer")
    assert flow.user_role == "flow_starter" and flow.can_run
    assert flow.owner == COMMON.TWO_HOP_TRANSFER_FLOW_DOC["flow_owner"]
    assert flow.scope == flow_user_scope(FLOW_ID)
    assert flow.input_schema["required"][0] == "source_endpoint_id"
    # Its actions are the old transfer action URL: running it needs Transfer's scope.
    assert flow.calls_transfer
    assert flow.created_at is not None and flow.created_at.year == 2020


@respx.mock
async def test_list_flows_sends_the_sdk_filters(flows: FlowsClient) -> None:
    route = mock("flows.list_flows")
    response = await flows.list_flows(
        filter_roles=["flow_starter", "flow_owner"],
        filter_fulltext="transfer",
        orderby=("updated_at DESC", "title ASC"),
        marker="m1",
    )
    assert query(route) == {
        "filter_roles": ["flow_starter,flow_owner"],
        "filter_fulltext": ["transfer"],
        "orderby": ["updated_at DESC", "title ASC"],
        "marker": ["m1"],
    }
    assert (
        response["flows"][0]["id"]
        == sdk_data("flows.list_flows").RESPONSES.metadata["first_flow_id"]
    )
    await flows.list_flows(filter_role="flow_starter")
    assert query(route) == {"filter_role": ["flow_starter"]}


@respx.mock
async def test_list_flows_paginator_follows_the_marker_through_every_page(
    flows: FlowsClient,
) -> None:
    from gtui.core.flow_models import flows_from_response

    route = mock_pages("flows.list_flows", "paginated")
    meta = sdk_response("flows.list_flows", "paginated").metadata
    pages = [page async for page in flows.paginated.list_flows(filter_roles="flow_viewer")]
    assert [p.get("marker") for p in pages] == meta["expect_markers"]
    items = [item async for item in flows.paginated.list_flows().items()]
    assert len(items) == meta["total_items"] == 60
    titles = [flow.title for page in pages for flow in flows_from_response(page)]
    assert titles[0] == "Hello, World (Example 0)" and titles[-1] == "Hello, World (Example 59)"
    assert route.calls[1].request.url.params["filter_roles"] == "flow_viewer"


@respx.mock
async def test_update_flow_puts_only_the_changed_fields(flows: FlowsClient) -> None:
    route = mock("flows.update_flow")
    params = sdk_data("flows.update_flow").RESPONSES.metadata["params"]
    await flows.update_flow(FLOW_ID, **params)
    assert sent(route) == {k: v for k, v in params.items() if v is not None}
    assert route.calls.last.request.method == "PUT"


@respx.mock
async def test_delete_flow_and_validate_flow(flows: FlowsClient) -> None:
    deleted = mock("flows.delete_flow")
    await flows.delete_flow(FLOW_ID)
    assert deleted.calls.last.request.method == "DELETE"
    meta = sdk_data("flows.validate_flow").RESPONSES.metadata
    valid = mock("flows.validate_flow")
    await flows.validate_flow(meta["success"])
    assert sent(valid) == {"definition": meta["success"]}


@respx.mock
async def test_validate_flow_422_is_a_flows_error(flows: FlowsClient) -> None:
    meta = sdk_data("flows.validate_flow").RESPONSES.metadata
    mock("flows.validate_flow", "definition_error")
    with pytest.raises(FlowsAPIError) as caught:
        await flows.validate_flow(meta["invalid"], {"type": "object"})
    assert caught.value.http_status == 422


# -- runs -----------------------------------------------------------------------------------


@respx.mock
async def test_list_runs_filters_by_flow_and_role(flows: FlowsClient) -> None:
    from gtui.core.flow_models import runs_from_response

    route = mock("flows.list_runs")
    response = await flows.list_runs(filter_flow_id=[FLOW_ID, "f2"], filter_roles="run_owner")
    assert query(route) == {"filter_flow_id": [f"{FLOW_ID},f2"], "filter_roles": ["run_owner"]}
    (run,) = runs_from_response(response)
    assert run.run_id == COMMON.RUN_ID and run.label == "My Cool Run"
    assert run.status == "SUCCEEDED" and run.is_finished
    assert run.tags == ("cool", "my") and run.flow_title == "My Cool Flow"
    assert run.code == "FlowSucceeded"


@respx.mock
async def test_list_runs_paginator_reads_all_sixty_runs(flows: FlowsClient) -> None:
    mock_pages("flows.list_runs", "paginated")
    labels = [item["label"] async for item in flows.paginated.list_runs().items()]
    assert labels == [f"Run {n}" for n in range(60)]


@respx.mock
async def test_get_run_reads_the_run_model(flows: FlowsClient) -> None:
    from gtui.core.flow_models import FlowRun

    route = mock("flows.get_run")
    run = FlowRun.from_response(await flows.get_run(COMMON.RUN_ID))
    assert query(route) == {}
    assert run.flow_id == COMMON.FLOW_ID and run.display_status == "SUCCEEDED"
    assert run.start_time is not None and run.completion_time is not None
    assert run.completion_time > run.start_time
    assert run.output["HelloResult"]["status"] == "SUCCEEDED"
    await flows.get_run(COMMON.RUN_ID, include_flow_description=True)
    # The SDK sends Python's words for booleans; so does gtui.
    assert query(route) == {"include_flow_description": ["True"]}


@respx.mock
async def test_get_run_logs_sends_limit_and_order(flows: FlowsClient) -> None:
    from gtui.core.flow_models import log_entries_from_response

    run_id = sdk_data("flows.get_run_logs").RESPONSES.metadata["run_id"]
    route = mock("flows.get_run_logs")
    response = await flows.get_run_logs(run_id, limit=100, reverse_order=True)
    assert query(route) == {"limit": ["100"], "reverse_order": ["True"]}
    entries = log_entries_from_response(response)
    assert [e.code for e in entries] == [
        "FlowStarted",
        "ActionStarted",
        "ActionCompleted",
        "FlowSucceeded",
    ]
    started, completed = entries[1], entries[2]
    assert started.state_name == "SyncHelloWorld" and started.state_type == "Action"
    assert completed.action_id == "19NqhOnDlt2Y3"
    # A Hello World action is not a Transfer task: nothing to open.
    assert completed.task_id is None
    assert entries[0].time is not None and entries[0].time.tzinfo is not None


@respx.mock
async def test_get_run_logs_paginator_sends_back_the_marker(flows: FlowsClient) -> None:
    run_id = sdk_data("flows.get_run_logs").RESPONSES.metadata["run_id"]
    route = mock_pages("flows.get_run_logs", "paginated")
    codes = [e["code"] async for e in flows.paginated.get_run_logs(run_id, limit=10).items()]
    assert len(codes) == 12 and codes[-1] == "FlowSucceeded"
    assert route.calls[1].request.url.params["marker"] == "fake_run_logs_marker"
    assert route.calls[1].request.url.params["limit"] == "10"


@respx.mock
async def test_get_run_definition_cancel_update_and_delete_run(flows: FlowsClient) -> None:
    from gtui.core.flow_models import FlowRun

    run_id = sdk_data("flows.get_run_definition").RESPONSES.metadata["run_id"]
    mock("flows.get_run_definition")
    definition = await flows.get_run_definition(run_id)
    assert definition["definition"]["StartAt"] == "no-op"

    cancel = mock("flows.cancel_run")
    canceled = FlowRun.from_response(await flows.cancel_run(RUN_ID))
    assert cancel.calls.last.request.method == "POST" and sent(cancel) is None
    assert canceled.code == "FlowCanceled" and canceled.status == "FAILED"

    update = mock("flows.update_run")
    await flows.update_run(RUN_ID, label="New label", tags=["a", "b"])
    assert sent(update) == {"label": "New label", "tags": ["a", "b"]}

    release = mock("flows.delete_run")
    await flows.delete_run(RUN_ID)
    assert release.calls.last.request.url.path == f"/runs/{RUN_ID}/release"


@respx.mock
async def test_delete_run_of_an_active_run_is_a_conflict(flows: FlowsClient) -> None:
    mock("flows.delete_run", "conflict")
    with pytest.raises(FlowsAPIError) as caught:
        await flows.delete_run(RUN_ID)
    assert caught.value.code == "STATE_CONFLICT" and "has status 'ACTIVE'" in caught.value.message


# -- one flow -------------------------------------------------------------------------------


@respx.mock
async def test_run_flow_posts_body_label_tags_monitors_and_managers(
    flow: SpecificFlowClient,
) -> None:
    from gtui.core.flow_models import FlowRun

    route = mock("flows.run_flow")
    request = sdk_data("flows.run_flow").RESPONSES.metadata["request_params"]
    policy = {"status": ["INACTIVE", "FAILED"]}
    run = FlowRun.from_response(await flow.run_flow(**request, activity_notification_policy=policy))
    assert sent(route) == {**request, "activity_notification_policy": policy}
    assert run.run_id == RUN_ID and run.status == "ACTIVE"
    assert run.label == "Transfer all of these files!"
    assert flow.scope == flow_user_scope(FLOW_ID)


@respx.mock
async def test_run_flow_missing_scope_is_a_consent_to_give(flow: SpecificFlowClient) -> None:
    mock("flows.run_flow", "missing_scope_error")
    with pytest.raises(FlowsAPIError) as caught:
        await flow.run_flow({})
    error = caught.value
    assert error.http_status == 403 and error.code == "MISSING_SCOPE"
    assert error.consent_required
    assert error.authorization_requirement is not None
    assert error.authorization_requirement.required_scopes == ("frobulate[demuddle]",)


@respx.mock
async def test_resume_run_posts_to_the_run(flow: SpecificFlowClient) -> None:
    route = mock("flows.resume_run")
    response = await flow.resume_run(RUN_ID)
    assert route.calls.last.request.url.path == f"/runs/{RUN_ID}/resume"
    assert response["run_id"] == RUN_ID


@respx.mock
async def test_validate_run_answers_per_field_errors(flow: SpecificFlowClient) -> None:
    body = sdk_data("flows.validate_run").RESPONSES.metadata["request_body"]
    ok = mock("flows.validate_run")
    assert (await flow.validate_run(body, label="x"))["message"] == "validation successful"
    assert sent(ok) == {"body": body, "label": "x"}

    mock("flows.validate_run", "invalid_input_payload")
    with pytest.raises(FlowsAPIError) as caught:
        await flow.validate_run({"bool": "not-a-boolean"})
    error = caught.value
    assert error.code == "FLOW_INPUT_ERROR" and error.http_status == 400
    (field,) = error.field_errors
    assert field.location == "$.bool" and field.kind == "InvalidActionInput"
    assert field.message == "'not-a-boolean' is not of type 'boolean'"
    assert error.request_id == "00000000-2572-411b-9fa9-c72fbed2b0bb"


@respx.mock
async def test_validate_run_refusals_read_as_sentences(flow: SpecificFlowClient) -> None:
    mock("flows.validate_run", "not_a_flow_starter")
    with pytest.raises(FlowsAPIError) as caught:
        await flow.validate_run({})
    assert caught.value.code == "FORBIDDEN" and "Missing permissions: RUN" in caught.value.message
    assert caught.value.authorization_requirement is None


# -- models ---------------------------------------------------------------------------------


def test_the_states_that_delete_through_transfer_are_found_in_order() -> None:
    from gtui.core.flow_models import delete_states

    definition = {
        "StartAt": "Copy",
        "States": {
            "Copy": {
                "Type": "Action",
                "ActionUrl": "https://transfer.actions.globus.org/transfer",
                "Next": "Tidy",
            },
            "Tidy": {
                "Type": "Action",
                "ActionUrl": "https://transfer.actions.globus.org/delete/",
                "Next": "Note",
            },
            "Note": {"Type": "Pass", "Next": "Other"},
            "Other": {"Type": "Action", "ActionUrl": "https://example.org/delete", "End": True},
        },
    }
    assert delete_states(definition) == ["Tidy"]
    assert delete_states({"States": "not states"}) == []


def test_an_action_waiting_for_a_consent_names_no_task() -> None:
    """Its action id is not a task yet: Enter on it must not open a task that is not there."""
    from gtui.core.flow_models import RunLogEntry

    scope = "https://auth.globus.org/scopes/c39824e6-d48a-4ed9-afe5-aa3ffbdd79e0/data_access"
    started = RunLogEntry.from_document(
        {
            "time": "2026-12-07T01:42:22+00:00",
            "code": "ActionStarted",
            "description": "State Archive of type Action started",
            "details": {
                "state_name": "Archive",
                "state_type": "Action",
                "action_id": "submission-1",
                "action_details": {"code": "ConsentRequired", "required_scope": scope},
            },
        },
        transfer_state_names=frozenset({"Archive"}),
    )
    waiting = RunLogEntry.from_document(
        {
            "time": "2026-12-07T01:42:22+00:00",
            "code": "ActionInactive",
            "description": "State Archive of type Action is waiting for a consent",
            "details": {
                "state_name": "Archive",
                "state_type": "Action",
                "action_id": "submission-1",
                "required_scope": scope,
            },
        },
        transfer_state_names=frozenset({"Archive"}),
    )
    assert started.action_id == "submission-1" and started.task_id is None
    assert waiting.task_id is None


def test_a_transfer_action_names_its_task_in_the_log() -> None:
    from gtui.core.flow_models import RunLogEntry, transfer_states

    definition = {
        "StartAt": "Copy",
        "States": {
            "Copy": {
                "Type": "Action",
                "ActionUrl": "https://transfer.actions.globus.org/transfer",
                "Next": "Hello",
            },
            "Hello": {"Type": "Action", "ActionUrl": "https://actions.globus.org/hello_world"},
        },
    }
    names = transfer_states(definition)
    assert names == {"Copy"}
    completed = RunLogEntry.from_document(
        {
            "time": "2024-05-01T10:00:00+00:00",
            "code": "ActionCompleted",
            "description": "State Copy of type Action completed",
            "details": {
                "state_name": "Copy",
                "state_type": "Action",
                "output": {
                    "action_id": "task-1",
                    "status": "SUCCEEDED",
                    "details": {"task_id": "task-1", "status": "SUCCEEDED"},
                },
            },
        }
    )
    assert completed.task_id == "task-1"
    # An entry naming only the action id is a task when its state calls Transfer.
    started = RunLogEntry.from_document(
        {
            "time": None,
            "code": "ActionStarted",
            "details": {"state_name": "Copy", "action_id": "t2"},
        },
        transfer_state_names=names,
    )
    assert started.task_id == "t2"
    hello = RunLogEntry.from_document(
        {"code": "ActionStarted", "details": {"state_name": "Hello", "action_id": "h"}},
        transfer_state_names=names,
    )
    assert hello.task_id is None


def test_an_inactive_run_names_the_consent_it_waits_for() -> None:
    from gtui.core.flow_models import FlowRun

    scope = f"{TransferScopes.all}[*{data_access_scope('coll')}]"
    run = FlowRun.from_document(
        {
            "run_id": "r",
            "flow_id": "f",
            "status": "INACTIVE",
            "details": {
                "code": "ActionInactive",
                "details": {"state_name": "Copy", "required_scope": scope},
            },
        }
    )
    requirement = run.inactive_requirement()
    assert requirement is not None and requirement.required_scopes == (scope,)
    active = FlowRun.from_document({**run.details, "run_id": "r", "status": "ACTIVE"})
    assert active.inactive_requirement() is None


def test_a_wrong_field_type_is_a_malformed_answer() -> None:
    from gtui.core.errors import MalformedResponseError
    from gtui.core.flow_models import Flow, FlowRun

    with pytest.raises(MalformedResponseError):
        Flow.from_document({"id": "x", "keywords": "not a list"})
    with pytest.raises(FlowsAPIError):
        FlowRun.from_document({"run_id": "r", "start_time": 1700000000})
    # Text that is not a time is an unknown time, not a broken answer.
    assert FlowRun.from_document({"run_id": "r", "start_time": "yesterday"}).start_time is None
    with pytest.raises(FlowsAPIError):
        FlowRun.from_document(["not", "an", "object"])


# -- scopes and the session -----------------------------------------------------------------


def test_the_flow_scopes() -> None:
    flow_id = "24bc4997-b483-4c25-a19c-64b0afc00743"
    user = (
        "https://auth.globus.org/scopes/24bc4997-b483-4c25-a19c-64b0afc00743/"
        "flow_24bc4997_b483_4c25_a19c_64b0afc00743_user"
    )
    assert flow_user_scope(flow_id) == user == COMMON.TWO_HOP_TRANSFER_FLOW_USER_SCOPE
    assert resource_server_of(user) == flow_id
    assert flow_run_scope(flow_id) == f"{user}[{TransferScopes.all}]"
    assert flow_run_scope(flow_id, calls_transfer=False) == user
    assert flow_run_scope(flow_id, data_access_collection_ids=["c1", "c2", "c1"]) == (
        f"{user}[{TransferScopes.all}[*{data_access_scope('c1')} *{data_access_scope('c2')}]]"
    )
    assert FlowsScopes.all == (
        "https://auth.globus.org/scopes/eec9b274-0c81-4334-bdc2-54e90e689b9a/all"
    )
    assert FlowsScopes.resource_server == FLOWS_RESOURCE_SERVER == "flows.globus.org"
    # A new login includes Flows, as it includes Timers.
    assert FlowsScopes.all in DEFAULT_SCOPES


SIM = "http://127.0.0.1:9"
FOUR = {name: f"{SIM}/{name}/" for name in ("auth", "transfer", "groups", "search")}


def _token(rs: str) -> dict[str, Any]:
    return {
        "access_token": f"access-{rs}",
        "refresh_token": f"refresh-{rs}",
        "expires_at_seconds": 4_000_000_000,
        "scope": "",
        "token_type": "Bearer",
    }


def test_the_session_finds_the_flows_service(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = TokenStore.for_client("sim", "client", path=tmp_path / "tokens.json")
    session = GlobusSession("client", environment="sim", token_store=store, service_urls=FOUR)
    assert session.clients["flows"] is session.flows
    assert session.flows.base_url == f"{SIM}/flows/"
    assert session.authorizers["flows"].resource_server == FLOWS_RESOURCE_SERVER
    monkeypatch.setenv("GLOBUS_SDK_SERVICE_URL_FLOWS", "http://127.0.0.1:7/flows")
    from_env = GlobusSession("client", environment="sim", token_store=store, service_urls=FOUR)
    assert from_env.flows.base_url == "http://127.0.0.1:7/flows/"
    assert from_env.specific_flow_client("f").base_url == "http://127.0.0.1:7/flows/"
    monkeypatch.delenv("GLOBUS_SDK_SERVICE_URL_FLOWS")
    for name in ("AUTH", "TRANSFER", "GROUPS", "SEARCH", "TIMER"):
        monkeypatch.delenv(f"GLOBUS_SDK_SERVICE_URL_{name}", raising=False)
    production = GlobusSession("client", environment="production", token_store=store)
    assert production.flows.base_url == "https://flows.automate.globus.org/"
    sandbox = GlobusSession("client", environment="sandbox", token_store=store)
    assert sandbox.flows.base_url == "https://sandbox.flows.automate.globus.org/"


@respx.mock
async def test_a_first_run_of_a_flow_asks_for_its_consent_then_runs(tmp_path: Path) -> None:
    store = TokenStore.for_client("sim", "client", path=tmp_path / "tokens.json")
    store.store_token_data_by_resource_server({"transfer.api.globus.org": _token("transfer")})
    async with GlobusSession(
        "client", environment="sim", token_store=store, service_urls=FOUR
    ) as session:
        client = session.specific_flow_client(FLOW_ID, data_access_collections=["coll"])
        wanted = flow_run_scope(FLOW_ID, data_access_collection_ids=["coll"])
        with pytest.raises(ConsentMissing) as caught:
            await client.run_flow({"a": 1})
        error = caught.value
        assert isinstance(error, LoginRequired) and error.consent_required
        assert error.authorization_requirement.required_scopes == (wanted,)
        assert "this flow" in str(error)
        assert not respx.calls, "no request goes out without the flow's token"

        route = respx.post(f"{SIM}/flows/flows/{FLOW_ID}/run").respond(
            200, json=COMMON.TWO_HOP_TRANSFER_RUN
        )
        asked: list[tuple[str, ...]] = []

        async def consent(requirement: Any) -> bool:
            asked.append(requirement.required_scopes)
            store.store_token_data_by_resource_server({FLOW_ID: _token(FLOW_ID)})
            session.authorizers[f"flow:{FLOW_ID}"].forget()
            return True

        response = await session.call_with_consent_repair(
            lambda: client.run_flow({"a": 1}, label="first"), consent
        )
        assert response["run_id"] == RUN_ID and asked == [(wanted,)]
        assert route.calls.last.request.headers["authorization"] == f"Bearer access-{FLOW_ID}"
        # Another client for the same flow and collections shares the authorizer.
        again = session.specific_flow_client(FLOW_ID, data_access_collections=["coll"])
        assert again.authorizer is client.authorizer


@respx.mock
async def test_a_login_without_flows_needs_the_flows_consent(tmp_path: Path) -> None:
    store = TokenStore.for_client("sim", "client", path=tmp_path / "tokens.json")
    store.store_token_data_by_resource_server({"transfer.api.globus.org": _token("transfer")})
    async with GlobusSession(
        "client", environment="sim", token_store=store, service_urls=FOUR
    ) as session:
        with pytest.raises(ConsentMissing) as caught:
            await session.flows.list_flows()
        assert caught.value.authorization_requirement.required_scopes == (FlowsScopes.all,)
        assert "Globus Flows" in str(caught.value)

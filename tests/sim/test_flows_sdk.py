"""The Flows API of the embedded service, driven by the official globus-sdk ``FlowsClient``
and ``SpecificFlowClient``: listing flows by role, text and order, page by page; making,
changing, validating and deleting flows; runs that really move files, their logs page by page,
a failing input, the flow's own scope, relabelling, cancelling and releasing runs."""

from __future__ import annotations

from collections.abc import Callable

import globus_sdk
import pytest
from globus_sdk.gare import to_gare

from gtui.sim.auth.scopes import flow_scope
from gtui.sim.serve import RunningSim
from gtui.sim.world import (
    ARCHIVE_FLOW_ID,
    DEMO_USER_ID,
    MOVE_FLOW_ID,
    OTHER_USER_ID,
    PRIVATE_FLOW_ID,
    SCRATCH_ID,
    SHARED_FLOW_ID,
    TWO_STAGE_FLOW_ID,
    VIEW_ONLY_FLOW_ID,
)
from tests.sim.flows_support import (
    flow_client,
    flows_client,
    home,
    log_codes,
    move_input,
    wait_for_status,
    write_files,
)

DEMO_URN = f"urn:globus:auth:identity:{DEMO_USER_ID}"
OTHER_URN = f"urn:globus:auth:identity:{OTHER_USER_ID}"
MINE = {MOVE_FLOW_ID, TWO_STAGE_FLOW_ID, ARCHIVE_FLOW_ID}
PASS_DEFINITION = {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}


@pytest.fixture
def fast_sim(sim_factory: Callable[..., RunningSim], monkeypatch: pytest.MonkeyPatch) -> RunningSim:
    """A service whose clock runs 50 times real time (actions are polled from 1 virtual
    second on), with the SDK pointed at it."""
    running = sim_factory(clock_speed=50)
    for name, value in running.env.items():
        monkeypatch.setenv(name, value)
    return running


def ids(page: globus_sdk.response.GlobusHTTPResponse) -> list[str]:
    return [flow["id"] for flow in page["flows"]]


def test_list_flows_by_role_text_and_order_page_by_page(fast_sim: RunningSim) -> None:
    flows = flows_client(fast_sim)

    visible = flows.list_flows()
    assert set(ids(visible)) == MINE | {SHARED_FLOW_ID, VIEW_ONLY_FLOW_ID}
    assert PRIVATE_FLOW_ID not in ids(visible)
    assert visible["has_next_page"] is False and visible["marker"] is None
    roles = {flow["id"]: flow["user_role"] for flow in visible["flows"]}
    assert roles[MOVE_FLOW_ID] == "flow_owner"
    assert roles[SHARED_FLOW_ID] == "flow_starter"
    assert roles[VIEW_ONLY_FLOW_ID] == "flow_viewer"
    move = next(f for f in visible["flows"] if f["id"] == MOVE_FLOW_ID)
    assert move["globus_auth_scope"] == flow_scope(MOVE_FLOW_ID)
    assert move["flow_owner"] == DEMO_URN and move["flow_starters"] == ["all_authenticated_users"]
    assert move["input_schema"]["properties"]["source"]["format"] == "globus-collection"

    assert set(ids(flows.list_flows(filter_roles="flow_owner"))) == MINE
    starters = flows.list_flows(filter_roles=["flow_starter", "flow_owner"])
    assert set(ids(starters)) == MINE | {SHARED_FLOW_ID}
    legacy = flows.list_flows(query_params={"filter_role": "flow_starter"})
    assert set(ids(legacy)) == MINE | {SHARED_FLOW_ID}
    assert set(ids(flows.list_flows(filter_fulltext="TAPE archive"))) == {ARCHIVE_FLOW_ID}
    assert ids(flows.list_flows(filter_fulltext="instrument")) == [TWO_STAGE_FLOW_ID]

    by_title = ids(flows.list_flows(orderby="title ASC"))
    titles = {f["id"]: f["title"] for f in visible["flows"]}
    assert [titles[i] for i in by_title] == sorted(titles.values(), key=str.lower)
    newest_first = ids(flows.list_flows(orderby=["updated_at DESC", "title ASC"]))
    assert newest_first[:3] == [ARCHIVE_FLOW_ID, TWO_STAGE_FLOW_ID, MOVE_FLOW_ID]

    first = flows.list_flows(orderby="title ASC", query_params={"limit": 2})
    assert first["limit"] == 2 and first["has_next_page"] is True
    # the marker alone names the rest of the same listing
    second = flows.list_flows(marker=first["marker"], query_params={"limit": 2})
    paged = [
        flow["id"]
        for page in flows.paginated.list_flows(orderby="title ASC", query_params={"limit": 2})
        for flow in page["flows"]
    ]
    assert paged == by_title
    assert ids(first) + ids(second) == by_title[:4]

    with pytest.raises(globus_sdk.FlowsAPIError) as refused:
        flows.list_flows(filter_roles="flow_emperor")
    assert refused.value.http_status == 422


def test_make_read_change_validate_and_delete_a_flow(fast_sim: RunningSim) -> None:
    flows = flows_client(fast_sim)
    others = flows_client(fast_sim, OTHER_USER_ID)

    made = flows.create_flow(
        "Say hello",
        PASS_DEFINITION,
        {"type": "object", "properties": {"name": {"type": "string"}}},
        subtitle="A first flow",
        keywords=["hello"],
        flow_viewers=[OTHER_URN],
    )
    assert made.http_status == 201
    flow_id = made["id"]
    assert made["flow_owner"] == DEMO_URN and made["user_role"] == "flow_owner"
    assert made["globus_auth_scope"] == flow_scope(flow_id)
    assert made["created_at"] == made["updated_at"]

    assert flows.get_flow(flow_id)["title"] == "Say hello"
    seen = others.get_flow(flow_id)
    assert seen["user_role"] == "flow_viewer" and seen["definition"] == PASS_DEFINITION

    changed = flows.update_flow(flow_id, title="Say hello twice", flow_starters=[OTHER_URN])
    assert changed["title"] == "Say hello twice" and changed["subtitle"] == "A first flow"
    assert changed["updated_at"] > made["updated_at"]
    assert others.get_flow(flow_id)["user_role"] == "flow_starter"
    with pytest.raises(globus_sdk.FlowsAPIError) as not_theirs:
        others.update_flow(flow_id, title="Mine now")
    assert not_theirs.value.http_status == 403 and not_theirs.value.code == "FORBIDDEN"

    assert flows.validate_flow(PASS_DEFINITION).data == {"scopes": {"User": []}}
    broken = {"StartAt": "Step1", "States": {"Step1": {"Type": "Pass"}}}
    with pytest.raises(globus_sdk.FlowsAPIError) as invalid:
        flows.validate_flow(broken)
    assert invalid.value.http_status == 422 and invalid.value.code == "UNPROCESSABLE_ENTITY"
    (problem,) = invalid.value.raw_json["error"]["detail"]
    assert problem["loc"][:3] == ["definition", "States", "Step1"]
    assert invalid.value.messages == [problem["msg"]]
    with pytest.raises(globus_sdk.FlowsAPIError) as bad_admin:
        flows.create_flow("x", PASS_DEFINITION, {}, flow_administrators=["not-an-urn"])
    assert bad_admin.value.raw_json["error"]["detail"][0]["loc"] == ["flow_administrators", 0]

    deleted = flows.delete_flow(flow_id)
    assert deleted["DELETED"] is True and deleted["id"] == flow_id
    with pytest.raises(globus_sdk.FlowsAPIError) as gone:
        flows.get_flow(flow_id)
    assert gone.value.http_status == 404 and gone.value.code == "NOT_FOUND"
    assert others.get_flow(PRIVATE_FLOW_ID)["user_role"] == "flow_owner"
    with pytest.raises(globus_sdk.FlowsAPIError) as private:
        flows.get_flow(PRIVATE_FLOW_ID)
    assert private.value.http_status == 404


def test_starting_needs_the_flows_own_scope_and_input_that_fits_its_schema(
    fast_sim: RunningSim,
) -> None:
    flows = flows_client(fast_sim)
    # a client for the flow holding only a Flows token: the SDK's consent repair needs the
    # flow's own scope, which the 403 names
    wrong = globus_sdk.SpecificFlowClient(MOVE_FLOW_ID, authorizer=flows.authorizer)
    with pytest.raises(globus_sdk.FlowsAPIError) as missing:
        wrong.run_flow(move_input("a", "b"))
    assert missing.value.http_status == 403 and missing.value.code == "MISSING_SCOPE"
    gare = to_gare(missing.value)
    assert gare is not None
    assert gare.authorization_parameters.required_scopes == [flow_scope(MOVE_FLOW_ID)]

    move = flow_client(fast_sim, MOVE_FLOW_ID)
    assert move.validate_run(move_input("a", "b")).data == {"message": "validation successful"}
    bad = {**move_input("a", "b"), "verify_checksum": "yes", "sync_level": "sometimes"}
    del bad["source"]["path"]
    with pytest.raises(globus_sdk.FlowsAPIError) as invalid:
        move.validate_run(bad)
    error = invalid.value
    assert error.http_status == 400 and error.code == "FLOW_INPUT_ERROR"
    assert error.raw_json["error"]["message"] == "Input failed schema validation with 3 errors."
    places = {d["loc"][0]: d for d in error.raw_json["error"]["detail"]}
    assert set(places) == {"$.source.path", "$.sync_level", "$.verify_checksum"}
    assert places["$.verify_checksum"]["msg"] == "'yes' is not of type 'boolean'"
    assert all(d["type"] == "InvalidActionInput" for d in places.values())
    with pytest.raises(globus_sdk.FlowsAPIError) as refused:
        move.run_flow(bad, label="never runs")
    assert refused.value.code == "FLOW_INPUT_ERROR"
    assert flows.list_runs()["runs"] == []

    viewer = flow_client(fast_sim, VIEW_ONLY_FLOW_ID)
    with pytest.raises(globus_sdk.FlowsAPIError) as not_starter:
        viewer.run_flow(move_input("a", "b"))
    assert not_starter.value.http_status == 403 and not_starter.value.code == "FORBIDDEN"
    assert "Missing permissions: RUN" in str(not_starter.value.raw_json["error"]["detail"])


def test_the_move_flow_moves_files_and_its_run_is_read_paged_changed_and_released(
    fast_sim: RunningSim,
) -> None:
    flows = flows_client(fast_sim)
    move = flow_client(fast_sim, MOVE_FLOW_ID)
    source = write_files(fast_sim, "outbox", {"a.txt": b"alpha\n", "b.txt": b"beta\n"})

    started = move.run_flow(
        move_input("outbox", "inbox"), label="Move the outbox", tags=["  nightly   job "]
    )
    run_id = started["run_id"]
    assert started["status"] == "ACTIVE" and started["label"] == "Move the outbox"
    assert started["tags"] == ["nightly job"] and started["user_role"] == "run_owner"
    assert started["flow_id"] == MOVE_FLOW_ID and started["run_owner"] == DEMO_URN

    run = wait_for_status(flows, run_id, "SUCCEEDED")
    moved = home(fast_sim, SCRATCH_ID) / "inbox"
    assert (moved / "a.txt").read_bytes() == b"alpha\n"
    assert (moved / "b.txt").read_bytes() == b"beta\n"
    assert not source.exists()
    assert run["completion_time"] is not None
    assert run["details"]["code"] == "FlowSucceeded"
    copy = run["details"]["output"]["CopyResult"]
    assert copy["status"] == "SUCCEEDED" and copy["details"]["type"] == "TRANSFER"
    assert copy["details"]["status"] == "SUCCEEDED" and copy["details"]["files_transferred"] == 2
    delete = run["details"]["output"]["DeleteResult"]
    assert delete["details"]["type"] == "DELETE" and delete["details"]["task_id"]

    codes = log_codes(flows, run_id)
    assert codes == [
        "FlowStarted",
        "ActionStarted",
        "ActionCompleted",
        "ActionStarted",
        "ActionCompleted",
        "FlowSucceeded",
    ]
    first = flows.get_run_logs(run_id, limit=4)
    assert [e["code"] for e in first["entries"]] == codes[:4] and first["has_next_page"]
    rest = flows.get_run_logs(run_id, limit=4, marker=first["marker"])
    assert [e["code"] for e in rest["entries"]] == codes[4:] and not rest["has_next_page"]
    paged = [
        e["code"]
        for page in flows.paginated.get_run_logs(run_id, limit=2, reverse_order=True)
        for e in page["entries"]
    ]
    assert paged == codes[::-1]
    with pytest.raises(globus_sdk.FlowsAPIError):
        flows.get_run_logs(run_id, limit=101)

    listed = flows.list_runs(filter_flow_id=MOVE_FLOW_ID)["runs"]
    assert [r["run_id"] for r in listed] == [run_id]
    assert flows.list_runs(filter_flow_id=TWO_STAGE_FLOW_ID)["runs"] == []
    assert [r["run_id"] for r in flows.list_runs(filter_roles="run_owner")] == [run_id]
    assert flows.list_runs(query_params={"filter_status": "FAILED"})["runs"] == []
    described = flows.get_run(run_id, include_flow_description=True)
    assert described["flow_description"]["title"] == "Move (copy, then delete the source)"
    assert "flow_description" not in flows.get_run(run_id).data
    definition = flows.get_run_definition(run_id)
    assert definition["flow_id"] == MOVE_FLOW_ID
    assert definition["definition"]["StartAt"] == "Copy"

    relabelled = flows.update_run(run_id, label="Outbox moved", tags=["done"])
    assert relabelled["label"] == "Outbox moved" and relabelled["tags"] == ["done"]
    others = flows_client(fast_sim, OTHER_USER_ID)
    with pytest.raises(globus_sdk.FlowsAPIError) as hidden:
        others.get_run(run_id)
    assert hidden.value.http_status == 404

    released = flows.delete_run(run_id)
    assert released["run_id"] == run_id and released["status"] == "SUCCEEDED"
    with pytest.raises(globus_sdk.FlowsAPIError) as gone:
        flows.get_run(run_id)
    assert gone.value.http_status == 404


def test_a_run_waiting_for_consent_is_cancelled_and_cannot_be_released_before(
    fast_sim: RunningSim,
) -> None:
    flows = flows_client(fast_sim)
    archive = flow_client(fast_sim, ARCHIVE_FLOW_ID)
    write_files(fast_sim, "to-archive", {"keep.txt": b"keep\n"})
    body = {
        "source": {"id": move_input("x", "y")["source"]["id"], "path": "/~/to-archive/"},
        "archive_path": "/~/kept/",
        **{k: v for k, v in move_input("x", "y").items() if k not in ("source", "destination")},
    }
    run_id = archive.run_flow(body, label="Archive it")["run_id"]
    waiting = wait_for_status(flows, run_id, "INACTIVE")
    with pytest.raises(globus_sdk.FlowsAPIError) as conflict:
        flows.delete_run(run_id)
    assert conflict.value.http_status == 409 and conflict.value.code == "STATE_CONFLICT"
    assert waiting["details"]["code"] == "ActionInactive"

    ended = flows.cancel_run(run_id)
    assert ended["status"] == "ENDED" and ended["details"]["code"] == "FlowCanceled"
    assert log_codes(flows, run_id)[-1] == "FlowCanceled"
    with pytest.raises(globus_sdk.FlowsAPIError) as again:
        flows.cancel_run(run_id)
    assert again.value.http_status == 409
    assert flows.delete_run(run_id)["status"] == "ENDED"

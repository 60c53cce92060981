"""The Flows scopes in the embedded Auth: the service's own, and each flow's (recognised by
its shape, so a flow made later has one), with Transfer and a collection's ``data_access``
below it; issued by the authorization code, refresh and client credentials grants."""

from __future__ import annotations

import httpx
import pytest

from gtui.sim.auth.scopes import (
    FLOWS_CLIENT_ID,
    FLOWS_RS,
    TRANSFER_ALL,
    ScopeError,
    data_access_scope,
    flow_of_scope,
    flow_scope,
    flows_scope,
    group_by_resource_server,
)
from gtui.sim.serve import RunningSim
from gtui.sim.world import (
    ARCHIVE_ID,
    DEMO_CONFIDENTIAL_CLIENT_ID,
    DEMO_CONFIDENTIAL_CLIENT_SECRET,
    DEMO_NATIVE_CLIENT_ID,
    MOVE_FLOW_ID,
)
from tests.sim_login import by_resource_server, login_through_page

LATER_FLOW = "0b0e7c52-95a3-4b8e-9b9a-2d4f8f7f1c11"


def test_flow_scopes_are_known_by_their_shape_and_may_carry_transfer() -> None:
    assert flow_scope(LATER_FLOW) == (
        f"https://auth.globus.org/scopes/{LATER_FLOW}/flow_{LATER_FLOW.replace('-', '_')}_user"
    )
    assert flow_of_scope(flow_scope(LATER_FLOW)) == LATER_FLOW
    mismatched = flow_scope(LATER_FLOW).replace("0b0e7c52_", "0b0e7c53_")
    assert flow_of_scope(mismatched) is None
    with pytest.raises(ScopeError):
        group_by_resource_server(mismatched)

    text = f"{flow_scope(LATER_FLOW)}[*{TRANSFER_ALL}[*{data_access_scope(ARCHIVE_ID)}]]"
    (scope,) = group_by_resource_server(text)[LATER_FLOW]
    (transfer,) = scope.dependencies
    assert transfer.name == TRANSFER_ALL
    assert [d.name for d in transfer.dependencies] == [data_access_scope(ARCHIVE_ID)]
    with pytest.raises(ScopeError):
        group_by_resource_server(f"{flow_scope(LATER_FLOW)}[{flows_scope('all')}]")

    urn = f"urn:globus:auth:scope:{FLOWS_CLIENT_ID}:run_status"
    grouped = group_by_resource_server(f"{flows_scope('manage_flows')} {urn}")
    assert [s.name for s in grouped[FLOWS_RS]] == [
        flows_scope("manage_flows"),
        flows_scope("run_status"),
    ]


def test_every_grant_issues_flow_tokens(sim: RunningSim) -> None:
    scopes = f"{flows_scope('all')} {flow_scope(MOVE_FLOW_ID)}"
    answer = login_through_page(sim, scopes=scopes)
    tokens = by_resource_server(answer)
    assert FLOWS_RS == "flows.globus.org"  # where the SDK and the CLI look for the token
    assert set(tokens) == {FLOWS_RS, MOVE_FLOW_ID}
    token_url = f"{sim.service_urls['auth']}v2/oauth2/token"
    refresh = next(
        t["refresh_token"]
        for t in [answer, *answer["other_tokens"]]
        if t["resource_server"] == MOVE_FLOW_ID
    )
    with httpx.Client() as client:
        refreshed = client.post(
            token_url,
            data={
                "grant_type": "refresh_token",
                "refresh_token": refresh,
                "client_id": DEMO_NATIVE_CLIENT_ID,
            },
        ).json()
        assert refreshed["resource_server"] == MOVE_FLOW_ID
        assert refreshed["scope"] == flow_scope(MOVE_FLOW_ID)
        later = client.post(
            token_url,
            data={"grant_type": "client_credentials", "scope": flow_scope(LATER_FLOW)},
            auth=(DEMO_CONFIDENTIAL_CLIENT_ID, DEMO_CONFIDENTIAL_CLIENT_SECRET),
        ).json()
    assert later["resource_server"] == LATER_FLOW
    assert later["scope"] == flow_scope(LATER_FLOW)

"""Auth's consents API: the identity's consent trees, read with the official SDK's forest."""

from __future__ import annotations

import globus_sdk
import httpx
import pytest

from gtui.sim.auth.consents import consent_documents
from gtui.sim.auth.scopes import TIMER_RS, TIMER_SCOPE
from gtui.sim.auth.tokens import LiveGrant
from gtui.sim.serve import RunningSim
from gtui.sim.world import (
    ARCHIVE_ID,
    DEMO_CONFIDENTIAL_CLIENT_ID,
    DEMO_NATIVE_CLIENT_ID,
    DEMO_USER_ID,
    OTHER_USER_ID,
)
from tests.sim_login import AUTH_SCOPES, by_resource_server, login_through_page

TRANSFER = "urn:globus:auth:scope:transfer.api.globus.org:all"
VIEW_CONSENTS = "urn:globus:auth:scope:auth.globus.org:view_consents"
DATA_ACCESS = f"https://auth.globus.org/scopes/{ARCHIVE_ID}/data_access"
TIMER_WITH_DATA = f"{TIMER_SCOPE}[{TRANSFER}[*{DATA_ACCESS}]]"
FIELDS = {
    "id",
    "scope_name",
    "scope",
    "dependency_path",
    "client",
    "effective_identity",
    "status",
    "created",
    "updated",
    "last_used",
    "allows_refresh",
    "auto_approved",
    "atomically_revocable",
}


def auth_client(token: str) -> globus_sdk.AuthClient:
    return globus_sdk.AuthClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))


def consents_url(sim: RunningSim, identity_id: str) -> str:
    return f"{sim.service_urls['auth']}v2/api/identities/{identity_id}/consents"


@pytest.fixture
def timer_login(sim: RunningSim, sim_env: dict[str, str]) -> str:
    """The demo user's Auth token after granting ``timer[transfer[data_access]]``."""
    response = login_through_page(
        sim, scopes=f"{AUTH_SCOPES} {VIEW_CONSENTS} {TRANSFER} {TIMER_WITH_DATA}"
    )
    return by_resource_server(response)["auth.globus.org"]


def test_the_sdk_forest_meets_what_the_user_granted(timer_login: str) -> None:
    forest = auth_client(timer_login).get_consents(DEMO_USER_ID).to_forest()
    assert forest.meets_scope_requirements([f"{TIMER_SCOPE}[{TRANSFER}[{DATA_ACCESS}]]"])
    assert forest.meets_scope_requirements([f"{TIMER_SCOPE}[{TRANSFER}]", TRANSFER, "openid"])
    other = DATA_ACCESS.replace(ARCHIVE_ID, OTHER_USER_ID)
    assert not forest.meets_scope_requirements([f"{TIMER_SCOPE}[{TRANSFER}[{other}]]"])
    assert not forest.meets_scope_requirements([f"{TRANSFER}[{DATA_ACCESS}]"])


def test_a_withdrawn_data_access_leaves_the_list(sim: RunningSim, timer_login: str) -> None:
    client = auth_client(timer_login)
    before = client.get_consents(DEMO_USER_ID)
    assert sum(c["scope_name"] == DATA_ACCESS for c in before) == 1
    sim.ctx.auth.revoke_consent(DEMO_USER_ID, DATA_ACCESS)
    after = client.get_consents(DEMO_USER_ID)
    assert all(c["scope_name"] != DATA_ACCESS for c in after)
    forest = after.to_forest()
    assert not forest.meets_scope_requirements([f"{TIMER_SCOPE}[{TRANSFER}[{DATA_ACCESS}]]"])
    assert forest.meets_scope_requirements([f"{TIMER_SCOPE}[{TRANSFER}]"])


def test_every_node_has_auths_fields_and_stable_ids(sim: RunningSim, timer_login: str) -> None:
    headers = {"Authorization": f"Bearer {timer_login}"}
    first = httpx.get(consents_url(sim, DEMO_USER_ID), headers=headers).json()["consents"]
    again = httpx.get(consents_url(sim, DEMO_USER_ID), headers=headers).json()["consents"]
    assert first == again
    by_id = {c["id"]: c for c in first}
    for consent in first:
        assert set(consent) == FIELDS
        assert isinstance(consent["id"], int)
        assert consent["dependency_path"][-1] == consent["id"]
        assert all(parent in by_id for parent in consent["dependency_path"])
        assert consent["status"] == "approved"
        assert consent["effective_identity"] == DEMO_USER_ID
        assert consent["allows_refresh"] is True
    (timer,) = (c for c in first if c["scope_name"] == TIMER_SCOPE)
    assert timer["client"] == DEMO_NATIVE_CLIENT_ID
    assert timer["dependency_path"] == [timer["id"]]
    nested = [c for c in first if c["scope_name"] == TRANSFER and len(c["dependency_path"]) == 2]
    assert [c["client"] for c in nested] == [TIMER_RS]  # Timers acts through Transfer
    (data,) = (c for c in first if c["scope_name"] == DATA_ACCESS)
    assert data["dependency_path"] == [timer["id"], nested[0]["id"], data["id"]]
    assert data["atomically_revocable"] is True
    # One scope, one scope id, wherever it sits in the trees.
    assert len({c["scope"] for c in first if c["scope_name"] == TRANSFER}) == 1


def test_only_the_callers_own_consents(sim: RunningSim, timer_login: str) -> None:
    headers = {"Authorization": f"Bearer {timer_login}"}
    other = httpx.get(consents_url(sim, OTHER_USER_ID), headers=headers)
    assert other.status_code == 403
    assert httpx.get(consents_url(sim, DEMO_USER_ID)).status_code == 401


def test_all_clients_need_view_consents(sim: RunningSim, timer_login: str) -> None:
    plain = by_resource_server(login_through_page(sim, scopes=AUTH_SCOPES))["auth.globus.org"]
    url = consents_url(sim, DEMO_USER_ID)
    assert httpx.get(url, headers={"Authorization": f"Bearer {plain}"}).status_code == 200
    refused = httpx.get(url, params={"all": "true"}, headers={"Authorization": f"Bearer {plain}"})
    assert refused.status_code == 403
    allowed = httpx.get(
        url, params={"all": "true"}, headers={"Authorization": f"Bearer {timer_login}"}
    )
    assert allowed.status_code == 200


def test_ended_grants_leave_no_consents(sim: RunningSim) -> None:
    auth = sim.ctx.auth
    login_through_page(sim, scopes=f"openid {TIMER_WITH_DATA}", offline=False)
    assert consent_documents(DEMO_USER_ID, auth.live_grants(DEMO_USER_ID))
    auth.expire_access_tokens(DEMO_USER_ID)
    assert consent_documents(DEMO_USER_ID, auth.live_grants(DEMO_USER_ID)) == []


def test_trees_merge_per_client_and_can_be_filtered_by_client() -> None:
    grants = [
        LiveGrant(DEMO_NATIVE_CLIENT_ID, TIMER_RS, f"{TIMER_SCOPE}[{TRANSFER}]", 100, False),
        LiveGrant(DEMO_NATIVE_CLIENT_ID, TIMER_RS, TIMER_WITH_DATA, 200, True),
        LiveGrant(DEMO_CONFIDENTIAL_CLIENT_ID, "transfer.api.globus.org", TRANSFER, 50, False),
    ]
    docs = consent_documents(DEMO_USER_ID, grants)
    assert [(c["client"], c["scope_name"]) for c in docs if len(c["dependency_path"]) == 1] == [
        (DEMO_CONFIDENTIAL_CLIENT_ID, TRANSFER),
        (DEMO_NATIVE_CLIENT_ID, TIMER_SCOPE),
    ]
    (timer,) = (c for c in docs if c["scope_name"] == TIMER_SCOPE)
    assert timer["created"].startswith("1970-01-01T00:01:40")
    assert timer["last_used"].startswith("1970-01-01T00:03:20")
    assert timer["allows_refresh"] is True
    (data,) = (c for c in docs if c["scope_name"] == DATA_ACCESS)
    assert data["created"] == data["last_used"]
    only_native = consent_documents(DEMO_USER_ID, grants, DEMO_NATIVE_CLIENT_ID)
    assert {c["client"] for c in only_native if len(c["dependency_path"]) == 1} == {
        DEMO_NATIVE_CLIENT_ID
    }
    assert len(only_native) == 3

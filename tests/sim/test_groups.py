"""Groups v2 of the embedded service, driven by the official SDK as the demo user and others."""

from __future__ import annotations

import globus_sdk
import pytest

from gtui.sim.serve import RunningSim
from gtui.sim.world import (
    ADA_USER_ID,
    ALAN_USER_ID,
    CLIMATE_GROUP_ID,
    DEMO_USER_ID,
    GENOME_GROUP_ID,
    GRACE_USER_ID,
    HPC_USERS_GROUP_ID,
    OPEN_DATA_GROUP_ID,
    OTHER_USER_ID,
)

GROUPS_RS = "groups.api.globus.org"


def groups_client(tokens: dict[str, str]) -> globus_sdk.GroupsClient:
    return globus_sdk.GroupsClient(authorizer=globus_sdk.AccessTokenAuthorizer(tokens[GROUPS_RS]))


@pytest.fixture
def demo_groups(sim_env: dict, demo_user_tokens: dict[str, str]) -> globus_sdk.GroupsClient:
    return groups_client(demo_user_tokens)


@pytest.fixture
def other_groups(sim_env: dict, other_user_tokens: dict[str, str]) -> globus_sdk.GroupsClient:
    return groups_client(other_user_tokens)


def test_my_groups_lists_active_memberships_by_default(
    demo_groups: globus_sdk.GroupsClient,
) -> None:
    groups = demo_groups.get_my_groups()
    assert {g["id"] for g in groups} == {CLIMATE_GROUP_ID, HPC_USERS_GROUP_ID}
    roles = {g["id"]: g["my_memberships"][0]["role"] for g in groups}
    assert roles == {CLIMATE_GROUP_ID: "admin", HPC_USERS_GROUP_ID: "member"}


def test_my_groups_with_statuses_includes_the_invitation(
    demo_groups: globus_sdk.GroupsClient,
) -> None:
    groups = demo_groups.get_my_groups(statuses=["active", "invited"])
    statuses = {g["id"]: g["my_memberships"][0]["status"] for g in groups}
    assert statuses[GENOME_GROUP_ID] == "invited"
    assert len(statuses) == 3


def test_get_group_with_every_include(demo_groups: globus_sdk.GroupsClient) -> None:
    group = demo_groups.get_group(
        CLIMATE_GROUP_ID,
        include=["memberships", "my_memberships", "policies", "allowed_actions", "child_ids"],
    )
    assert group["name"] == "Climate Modelling Lab"
    members = {m["identity_id"]: m["status"] for m in group["memberships"]}
    assert members[ALAN_USER_ID] == "pending"
    assert group["my_memberships"][0]["role"] == "admin"
    assert group["policies"]["join_requests"] is True
    assert group["allowed_actions"]["approve"] is True
    assert group["child_ids"] == []


def test_admin_approves_a_pending_request_with_groups_manager(
    demo_groups: globus_sdk.GroupsClient,
) -> None:
    manager = globus_sdk.GroupsManager(demo_groups)
    answer = manager.approve_pending(CLIMATE_GROUP_ID, ALAN_USER_ID)
    assert answer["approve"][0]["status"] == "active"
    assert "errors" not in answer
    again = manager.approve_pending(CLIMATE_GROUP_ID, ALAN_USER_ID)
    assert again["errors"]["approve"][0]["code"] == "NO_PENDING_REQUEST"


def test_admin_adds_invites_changes_role_and_removes(
    demo_groups: globus_sdk.GroupsClient,
) -> None:
    manager = globus_sdk.GroupsManager(demo_groups)
    added = manager.add_member(CLIMATE_GROUP_ID, OTHER_USER_ID, role="member")
    assert added["add"][0]["status"] == "active"
    duplicate = manager.add_member(CLIMATE_GROUP_ID, OTHER_USER_ID)
    assert duplicate["errors"]["add"][0]["code"] == "ALREADY_ACTIVE"
    promoted = manager.change_role(CLIMATE_GROUP_ID, OTHER_USER_ID, "manager")
    assert promoted["change_role"][0]["role"] == "manager"
    removed = manager.remove_member(CLIMATE_GROUP_ID, OTHER_USER_ID)
    assert removed["remove"][0]["status"] == "removed"


def test_invited_user_accepts_the_invitation(demo_groups: globus_sdk.GroupsClient) -> None:
    manager = globus_sdk.GroupsManager(demo_groups)
    answer = manager.accept_invite(GENOME_GROUP_ID, DEMO_USER_ID)
    assert answer["accept"][0]["status"] == "active"
    mine = demo_groups.get_my_groups()
    assert GENOME_GROUP_ID in {g["id"] for g in mine}


def test_invited_user_declines(demo_groups: globus_sdk.GroupsClient) -> None:
    answer = globus_sdk.GroupsManager(demo_groups).decline_invite(GENOME_GROUP_ID, DEMO_USER_ID)
    assert answer["decline"][0]["status"] == "declined"


def test_member_cannot_manage_but_can_leave(demo_groups: globus_sdk.GroupsClient) -> None:
    manager = globus_sdk.GroupsManager(demo_groups)
    refused = manager.remove_member(HPC_USERS_GROUP_ID, ADA_USER_ID)
    assert refused["errors"]["remove"][0]["code"] == "PERMISSION_DENIED"
    assert refused["remove"] == []
    left = manager.leave(HPC_USERS_GROUP_ID, DEMO_USER_ID)
    assert left["leave"][0]["status"] == "left"


def test_last_admin_cannot_leave(demo_groups: globus_sdk.GroupsClient) -> None:
    answer = globus_sdk.GroupsManager(demo_groups).leave(CLIMATE_GROUP_ID, DEMO_USER_ID)
    assert answer["errors"]["leave"][0]["code"] == "LAST_ADMIN"


def test_actions_on_someone_elses_behalf_are_refused(
    demo_groups: globus_sdk.GroupsClient,
) -> None:
    answer = globus_sdk.GroupsManager(demo_groups).leave(HPC_USERS_GROUP_ID, ADA_USER_ID)
    assert answer["errors"]["leave"][0]["code"] == "PERMISSION_DENIED"


def test_request_join_then_admin_rejects(
    demo_groups: globus_sdk.GroupsClient, other_groups: globus_sdk.GroupsClient
) -> None:
    requested = globus_sdk.GroupsManager(other_groups).request_join(CLIMATE_GROUP_ID, OTHER_USER_ID)
    assert requested["request_join"][0]["status"] == "pending"
    not_open = globus_sdk.GroupsManager(other_groups).join(CLIMATE_GROUP_ID, OTHER_USER_ID)
    assert not_open["errors"]["join"][0]["code"] == "PERMISSION_DENIED"
    rejected = globus_sdk.GroupsManager(demo_groups).reject_join_request(
        CLIMATE_GROUP_ID, OTHER_USER_ID
    )
    assert rejected["reject"][0]["status"] == "rejected"


def test_anyone_may_join_an_open_group(demo_groups: globus_sdk.GroupsClient) -> None:
    answer = globus_sdk.GroupsManager(demo_groups).join(OPEN_DATA_GROUP_ID, DEMO_USER_ID)
    assert answer["join"][0]["status"] == "active"


def test_policies_read_and_set_by_admin_only(
    demo_groups: globus_sdk.GroupsClient, other_groups: globus_sdk.GroupsClient
) -> None:
    policies = demo_groups.get_group_policies(CLIMATE_GROUP_ID)
    assert policies["group_visibility"] == "authenticated"
    manager = globus_sdk.GroupsManager(demo_groups)
    updated = manager.set_group_policies(
        CLIMATE_GROUP_ID,
        is_high_assurance=False,
        group_visibility="private",
        group_members_visibility="managers",
        join_requests=False,
        signup_fields=["department"],
    )
    assert updated["group_visibility"] == "private"
    assert demo_groups.get_group_policies(CLIMATE_GROUP_ID)["signup_fields"] == ["department"]
    with pytest.raises(globus_sdk.GroupsAPIError) as caught:
        other_groups.set_group_policies(HPC_USERS_GROUP_ID, {"group_visibility": "bogus"})
    assert caught.value.http_status == 400
    with pytest.raises(globus_sdk.GroupsAPIError) as caught:
        demo_groups.set_group_policies(HPC_USERS_GROUP_ID, {"join_requests": True})
    assert caught.value.http_status == 403


def test_create_update_and_delete_a_group(
    demo_groups: globus_sdk.GroupsClient, other_groups: globus_sdk.GroupsClient
) -> None:
    created = globus_sdk.GroupsManager(demo_groups).create_group(
        "Field Campaign 2027", "Instruments and logistics", parent_id=CLIMATE_GROUP_ID
    )
    group_id = created["id"]
    assert created["my_memberships"][0]["role"] == "admin"
    assert demo_groups.get_group(CLIMATE_GROUP_ID, include=["child_ids"])["child_ids"] == [group_id]
    with pytest.raises(globus_sdk.GroupsAPIError) as caught:
        other_groups.get_group(group_id)
    assert caught.value.http_status == 404
    updated = demo_groups.update_group(group_id, {"description": "Updated"})
    assert updated["description"] == "Updated"
    with pytest.raises(globus_sdk.GroupsAPIError) as caught:
        demo_groups.update_group(group_id, {"name": ""})
    assert caught.value.http_status == 400
    with pytest.raises(globus_sdk.GroupsAPIError) as caught:
        demo_groups.delete_group(HPC_USERS_GROUP_ID)
    assert caught.value.http_status == 403
    demo_groups.delete_group(group_id)
    assert group_id not in {g["id"] for g in demo_groups.get_my_groups()}


def test_private_group_is_invisible_to_outsiders(
    other_groups: globus_sdk.GroupsClient,
) -> None:
    with pytest.raises(globus_sdk.GroupsAPIError) as caught:
        other_groups.get_group(GENOME_GROUP_ID)
    assert caught.value.http_status == 404
    assert GENOME_GROUP_ID not in {
        g["id"] for g in other_groups.get_my_groups(statuses=list(STATUSES_ALL))
    }


def test_members_visibility_managers_hides_other_members(
    demo_groups: globus_sdk.GroupsClient,
) -> None:
    group = demo_groups.get_group(HPC_USERS_GROUP_ID, include=["memberships"])
    assert [m["identity_id"] for m in group["memberships"]] == [DEMO_USER_ID]


def test_memberships_and_tokens_survive_a_restart(sim_factory, tmp_path, login_through) -> None:
    first = sim_factory(root=tmp_path / "kept")
    tokens = login_through(first)
    token = next(t for t in [tokens, *tokens["other_tokens"]] if t["resource_server"] == GROUPS_RS)
    client = globus_sdk.GroupsClient(
        authorizer=globus_sdk.AccessTokenAuthorizer(token["access_token"]),
        base_url=first.service_urls["groups"],
    )
    globus_sdk.GroupsManager(client).approve_pending(CLIMATE_GROUP_ID, ALAN_USER_ID)
    port = first.port
    first.stop()
    second = sim_factory(root=tmp_path / "kept", port=port)
    group = client.get_group(CLIMATE_GROUP_ID, include=["memberships"])
    assert {m["identity_id"]: m["status"] for m in group["memberships"]}[ALAN_USER_ID] == "active"
    assert second.port == port


STATUSES_ALL = ("active", "invited", "pending", "rejected", "removed", "left", "declined")


def test_group_calls_need_a_groups_token(sim: RunningSim, sim_env: dict, demo_user_tokens) -> None:
    wrong = globus_sdk.GroupsClient(
        authorizer=globus_sdk.AccessTokenAuthorizer(demo_user_tokens["transfer.api.globus.org"])
    )
    with pytest.raises(globus_sdk.GroupsAPIError) as caught:
        wrong.get_my_groups()
    assert caught.value.http_status == 401
    assert caught.value.code == "AuthenticationFailed"


def test_outsider_cannot_see_memberships_of_a_managers_only_group(
    other_groups: globus_sdk.GroupsClient, demo_groups: globus_sdk.GroupsClient
) -> None:
    globus_sdk.GroupsManager(demo_groups).add_member(CLIMATE_GROUP_ID, GRACE_USER_ID)
    group = other_groups.get_group(CLIMATE_GROUP_ID, include=["memberships", "my_memberships"])
    assert group["memberships"] == []
    assert group["my_memberships"] == []

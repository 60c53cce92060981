"""GroupsClient requests and GroupsManager's batch membership bodies, through a fake service."""

from __future__ import annotations

import httpx
import pytest

from gtui.core.errors import GroupsAPIError
from gtui.core.groups import BatchMembershipActions, GroupsClient, GroupsManager, batch_errors
from gtui.core.http import RetryPolicy
from gtui.core.models import Group

BASE = "https://groups.test/"
G = "d3974728-6458-11e4-b72d-123139141556"
ME = "ae332d86-d274-11e5-b885-b31714a110e9"
OTHER = "b0d168b0-6398-11e4-ac82-12313b077182"

MY_GROUPS = [
    {
        "name": "Claptrap's Rough Riders",
        "parent_id": None,
        "id": G,
        "group_type": "regular",
        "enforce_session": False,
        "session_limit": 28800,
        "session_timeouts": {},
        "my_memberships": [
            {
                "group_id": G,
                "identity_id": ME,
                "username": "sirosen@globusid.org",
                "role": "member",
                "status": "active",
            }
        ],
        "policies": {"group_visibility": "private", "group_members_visibility": "managers"},
    }
]


@pytest.fixture
def groups(http_client: httpx.AsyncClient, no_sleep) -> GroupsClient:
    return GroupsClient(
        base_url=BASE, http_client=http_client, retry_policy=RetryPolicy(sleep=no_sleep)
    )


async def test_get_my_groups_returns_the_array_and_sends_statuses(fake_service, groups) -> None:
    fake_service.route("GET", "/v2/groups/my_groups", MY_GROUPS)
    resp = await groups.get_my_groups(statuses=["active", "invited"])
    assert [Group.from_api(g).name for g in resp] == ["Claptrap's Rough Riders"]
    assert fake_service.requests[-1].url.params["statuses"] == "active,invited"
    await groups.get_my_groups()
    assert "statuses" not in fake_service.requests[-1].url.params


async def test_get_group_includes_are_comma_joined(fake_service, groups) -> None:
    fake_service.route("GET", f"/v2/groups/{G}", {**MY_GROUPS[0], "memberships": []})
    resp = await groups.get_group(G, include=["memberships", "policies"])
    assert resp["id"] == G
    assert fake_service.requests[-1].url.params["include"] == "memberships,policies"


async def test_policies_round_trip(fake_service, groups) -> None:
    policies = {
        "is_high_assurance": False,
        "group_visibility": "authenticated",
        "group_members_visibility": "members",
        "join_requests": True,
        "signup_fields": ["institution"],
        "authentication_assurance_timeout": None,
    }
    fake_service.route("GET", f"/v2/groups/{G}/policies", policies)
    fake_service.route(
        "PUT", f"/v2/groups/{G}/policies", lambda r: httpx.Response(200, json=fake_service.body(r))
    )
    assert (await groups.get_group_policies(G))["join_requests"] is True
    manager = GroupsManager(groups)
    resp = await manager.set_group_policies(
        G,
        is_high_assurance=False,
        group_visibility="private",
        group_members_visibility="managers",
        join_requests=False,
        signup_fields=["department"],
    )
    assert resp["group_visibility"] == "private"
    assert fake_service.body(fake_service.requests[-1])["signup_fields"] == ["department"]


@pytest.mark.parametrize(
    ("call", "action", "entry"),
    [
        (
            lambda m: m.add_member(G, OTHER, "manager"),
            "add",
            {"identity_id": OTHER, "role": "manager"},
        ),
        (lambda m: m.invite_member(G, OTHER), "invite", {"identity_id": OTHER, "role": "member"}),
        (
            lambda m: m.change_role(G, OTHER, "admin"),
            "change_role",
            {"identity_id": OTHER, "role": "admin"},
        ),
        (lambda m: m.remove_member(G, OTHER), "remove", {"identity_id": OTHER}),
        (lambda m: m.approve_pending(G, OTHER), "approve", {"identity_id": OTHER}),
        (lambda m: m.reject_pending(G, OTHER), "reject", {"identity_id": OTHER}),
        (lambda m: m.accept_invite(G, ME), "accept", {"identity_id": ME}),
        (lambda m: m.decline_invite(G, ME), "decline", {"identity_id": ME}),
        (lambda m: m.join(G, ME), "join", {"identity_id": ME}),
        (lambda m: m.leave(G, ME), "leave", {"identity_id": ME}),
        (lambda m: m.request_join(G, ME), "request_join", {"identity_id": ME}),
    ],
)
async def test_manager_actions_post_one_batch_action(
    fake_service, groups, call, action, entry
) -> None:
    fake_service.route(
        "POST",
        f"/v2/groups/{G}",
        lambda r: httpx.Response(
            200, json={action: [{"group_id": G, **entry, "status": "active"}]}
        ),
    )
    resp = await call(GroupsManager(groups))
    assert fake_service.body(fake_service.requests[-1]) == {action: [entry]}
    assert resp[action][0]["identity_id"] == entry["identity_id"]
    assert batch_errors(resp) == {}


async def test_batch_errors_are_reported_per_action(fake_service, groups) -> None:
    fake_service.route(
        "POST",
        f"/v2/groups/{G}",
        {
            "add": [],
            "errors": {
                "add": [
                    {
                        "identity_id": OTHER,
                        "code": "ALREADY_ACTIVE",
                        "detail": "Identity is already an active member",
                    }
                ]
            },
        },
    )
    resp = await GroupsManager(groups).add_member(G, OTHER)
    assert batch_errors(resp)["add"][0]["code"] == "ALREADY_ACTIVE"


async def test_batch_builder_combines_actions_and_rejects_bad_input(fake_service, groups) -> None:
    actions = BatchMembershipActions().approve_pending([ME, OTHER]).remove_members(OTHER)
    assert actions == {
        "approve": [{"identity_id": ME}, {"identity_id": OTHER}],
        "remove": [{"identity_id": OTHER}],
    }
    with pytest.raises(ValueError, match="role"):
        BatchMembershipActions().add_members(ME, "owner")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="promote"):
        await groups.batch_membership_action(G, {"promote": [{"identity_id": ME}]})
    assert fake_service.requests == []


async def test_group_errors_are_groups_api_errors(fake_service, groups) -> None:
    fake_service.route(
        "GET",
        f"/v2/groups/{G}",
        httpx.Response(
            404, json={"code": "NOT_FOUND", "detail": "No such group", "request_id": "r"}
        ),
    )
    with pytest.raises(GroupsAPIError) as caught:
        await groups.get_group(G)
    assert caught.value.http_status == 404


async def test_create_update_delete_group(fake_service, groups) -> None:
    fake_service.route(
        "POST", "/v2/groups", lambda r: httpx.Response(200, json={"id": G, **fake_service.body(r)})
    )
    fake_service.route(
        "PUT",
        f"/v2/groups/{G}",
        lambda r: httpx.Response(200, json={"id": G, **fake_service.body(r)}),
    )
    fake_service.route("DELETE", f"/v2/groups/{G}", {"id": G, "name": "gone"})
    made = await GroupsManager(groups).create_group("Lab", "our lab", parent_id=OTHER)
    assert made["parent_id"] == OTHER and made["description"] == "our lab"
    assert (await groups.update_group(G, {"name": "Lab 2"}))["name"] == "Lab 2"
    assert (await groups.delete_group(G))["id"] == G


async def test_batch_errors_skip_malformed_entries(fake_service, groups) -> None:
    """An action whose errors are not a list of objects is skipped, not a TypeError."""
    failure = {"identity_id": OTHER, "code": "ALREADY_ACTIVE"}
    fake_service.route(
        "POST",
        f"/v2/groups/{G}",
        {"errors": {"add": 1, "remove": "oops", "invite": [failure, "x"], "approve": []}},
    )
    resp = await GroupsManager(groups).add_member(G, OTHER)
    assert batch_errors(resp) == {"invite": [failure]}

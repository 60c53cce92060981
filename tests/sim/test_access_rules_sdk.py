"""The official SDK's TransferClient drives the access rules, roles and
``my_shared_endpoint_list`` of the embedded Transfer: documents, errors, who may do what.

The demo user administers the demo's guest collection "Shared Results" (the role is in the
fresh world's database); the other demo identities log in through the authorize page.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import globus_sdk
import pytest

from gtui.sim.database import Database
from gtui.sim.serve import RunningSim
from gtui.sim.transfer.access_store import AccessStore
from gtui.sim.transfer.common import TRANSFER_RESOURCE_SERVER
from gtui.sim.world import (
    ADA_USER_ID,
    ALAN_USER_ID,
    CLIMATE_GROUP_ID,
    DEMO_USER_ID,
    GRACE_USER_ID,
    GUEST_ID,
    LAPTOP_ID,
    OTHER_USER_ID,
    SCRATCH_ID,
)
from tests.sim_login import by_resource_server, login_through_page

ClientFor = Callable[[str], globus_sdk.TransferClient]
UNKNOWN_ID = "0b5e2d1c-8f0a-4c55-9d0e-1f2a3b4c5d6e"


@pytest.fixture
def client_for(sim: RunningSim, sim_env: dict[str, str]) -> ClientFor:
    """An official TransferClient of a demo identity logged in through the authorize page."""

    def make(identity_id: str) -> globus_sdk.TransferClient:
        tokens = by_resource_server(login_through_page(sim, identity_id=identity_id))
        authorizer = globus_sdk.AccessTokenAuthorizer(tokens[TRANSFER_RESOURCE_SERVER])
        return globus_sdk.TransferClient(authorizer=authorizer)

    return make


@pytest.fixture
def demo(client_for: ClientFor) -> globus_sdk.TransferClient:
    return client_for(DEMO_USER_ID)


def rule(
    principal_type: str, principal: str, path: str, permissions: str, **extra: Any
) -> dict[str, Any]:
    return {
        "DATA_TYPE": "access",
        "principal_type": principal_type,
        "principal": principal,
        "path": path,
        "permissions": permissions,
        **extra,
    }


def refused(call: Callable[[], Any]) -> globus_sdk.TransferAPIError:
    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        call()
    return caught.value


def in_a_day() -> str:
    return (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0).isoformat()


def test_the_demo_user_administers_shared_results(demo: globus_sdk.TransferClient) -> None:
    roles = list(demo.endpoint_role_list(GUEST_ID))
    assert [(r["principal_type"], r["principal"], r["role"]) for r in roles] == [
        ("identity", DEMO_USER_ID, "administrator")
    ]
    role = demo.get_endpoint_role(GUEST_ID, roles[0]["id"])
    assert role.data == {
        "DATA_TYPE": "role",
        "id": roles[0]["id"],
        "principal_type": "identity",
        "principal": DEMO_USER_ID,
        "role": "administrator",
    }
    # Before any rule, the access list shows what the administrator holds by its role.
    listed = demo.endpoint_acl_list(GUEST_ID)
    assert listed["DATA_TYPE"] == "access_list"
    (implicit,) = list(listed)
    assert implicit["id"] is None and implicit["role_id"] == roles[0]["id"]
    assert (implicit["role_type"], implicit["principal"], implicit["path"]) == (
        "administrator",
        DEMO_USER_ID,
        "/",
    )
    assert implicit["permissions"] == "rw"


def test_an_access_rule_is_created_read_changed_and_deleted(
    demo: globus_sdk.TransferClient,
) -> None:
    expires = in_a_day()
    created = demo.add_endpoint_acl_rule(
        GUEST_ID,
        rule(
            "identity",
            ADA_USER_ID,
            "/results/",
            "r",
            expiration_date=expires,
            notify_email="ada@gtui.example",
            notify_message="The figures are in",
        ),
    )
    assert created.http_status == 201
    assert created["DATA_TYPE"] == "access_create_result"
    assert created["code"] == "Created"
    assert created["request_id"] and created["resource"].endswith(f"/endpoint/{GUEST_ID}/access")
    rule_id = created["access_id"]

    shown = demo.get_endpoint_acl_rule(GUEST_ID, rule_id)
    assert {k: shown[k] for k in ("DATA_TYPE", "id", "principal_type", "principal")} == {
        "DATA_TYPE": "access",
        "id": rule_id,
        "principal_type": "identity",
        "principal": ADA_USER_ID,
    }
    assert (shown["path"], shown["permissions"], shown["expiration_date"]) == (
        "/results/",
        "r",
        expires,
    )
    assert shown["role_id"] is None and shown["role_type"] is None
    assert datetime.fromisoformat(shown["create_time"]) <= datetime.now(UTC)
    assert shown["notify_message"] == "The figures are in"
    assert rule_id in {r["id"] for r in demo.endpoint_acl_list(GUEST_ID)}

    later = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0).isoformat()
    updated = demo.update_endpoint_acl_rule(
        GUEST_ID, rule_id, {"DATA_TYPE": "access", "permissions": "rw", "expiration_date": later}
    )
    assert (updated["DATA_TYPE"], updated["code"]) == ("result", "Updated")
    changed = demo.get_endpoint_acl_rule(GUEST_ID, rule_id)
    assert (changed["permissions"], changed["expiration_date"]) == ("rw", later)
    # Reading a rule back and sending it whole is an update too; null makes it last forever.
    whole = {**changed.data, "expiration_date": None}
    demo.update_endpoint_acl_rule(GUEST_ID, rule_id, whole)
    assert demo.get_endpoint_acl_rule(GUEST_ID, rule_id)["expiration_date"] is None

    deleted = demo.delete_endpoint_acl_rule(GUEST_ID, rule_id)
    assert (deleted["DATA_TYPE"], deleted["code"]) == ("result", "Deleted")
    for call in (
        lambda: demo.get_endpoint_acl_rule(GUEST_ID, rule_id),
        lambda: demo.delete_endpoint_acl_rule(GUEST_ID, rule_id),
        lambda: demo.update_endpoint_acl_rule(GUEST_ID, rule_id, {"permissions": "r"}),
    ):
        error = refused(call)
        assert (error.http_status, error.code) == (404, "AccessRuleNotFound")
    assert rule_id not in {r["id"] for r in demo.endpoint_acl_list(GUEST_ID)}


def test_every_kind_of_principal_takes_a_rule(demo: globus_sdk.TransferClient) -> None:
    made = [
        demo.add_endpoint_acl_rule(GUEST_ID, doc)["access_id"]
        for doc in (
            rule("group", CLIMATE_GROUP_ID, "/results/figures/", "r"),
            rule("all_authenticated_users", "", "/results/", "r"),
            rule("anonymous", "", "/", "r"),
            rule("identity", GRACE_USER_ID, "/results/", "rw"),
        )
    ]
    listed = {r["id"]: r for r in demo.endpoint_acl_list(GUEST_ID) if r["id"]}
    assert list(listed) == made
    assert [(r["principal_type"], r["principal"]) for r in listed.values()] == [
        ("group", CLIMATE_GROUP_ID),
        ("all_authenticated_users", ""),
        ("anonymous", ""),
        ("identity", GRACE_USER_ID),
    ]


def test_a_second_rule_for_the_same_principal_and_path_is_refused(
    demo: globus_sdk.TransferClient,
) -> None:
    demo.add_endpoint_acl_rule(GUEST_ID, rule("identity", ADA_USER_ID, "/results/", "r"))
    error = refused(
        lambda: demo.add_endpoint_acl_rule(
            GUEST_ID, rule("identity", ADA_USER_ID, "/results/", "rw")
        )
    )
    assert (error.http_status, error.code) == (409, "Exists")
    # Another path for the same identity is another rule.
    demo.add_endpoint_acl_rule(GUEST_ID, rule("identity", ADA_USER_ID, "/results/figures/", "rw"))


@pytest.mark.parametrize(
    ("doc", "code"),
    [
        (rule("identity", ADA_USER_ID, "/results", "r"), "InvalidPath"),
        (rule("identity", ADA_USER_ID, "results/", "r"), "InvalidPath"),
        (rule("identity", ADA_USER_ID, "/results/../", "r"), "InvalidPath"),
        (rule("identity", ADA_USER_ID, "/results/", "w"), "ClientError.BadRequest"),
        (rule("identity", "ada@gtui.example", "/results/", "r"), "ClientError.BadRequest"),
        (rule("user", ADA_USER_ID, "/results/", "r"), "ClientError.BadRequest"),
        (rule("anonymous", ADA_USER_ID, "/results/", "r"), "ClientError.BadRequest"),
        (
            rule("identity", ADA_USER_ID, "/results/", "r", expiration_date="2001-01-01T00:00:00Z"),
            "ClientError.BadRequest",
        ),
        (
            rule("identity", ADA_USER_ID, "/results/", "r", expiration_date="next week"),
            "ClientError.BadRequest",
        ),
        (
            {**rule("identity", ADA_USER_ID, "/results/", "r"), "DATA_TYPE": "role"},
            "ClientError.BadRequest",
        ),
    ],
)
def test_a_malformed_rule_is_refused(demo: globus_sdk.TransferClient, doc: dict, code: str) -> None:
    error = refused(lambda: demo.add_endpoint_acl_rule(GUEST_ID, doc))
    assert (error.http_status, error.code) == (400, code)


def test_an_update_changes_only_permissions_and_expiration(
    demo: globus_sdk.TransferClient,
) -> None:
    rule_id = demo.add_endpoint_acl_rule(GUEST_ID, rule("identity", ADA_USER_ID, "/results/", "r"))[
        "access_id"
    ]
    for change in ({"path": "/"}, {"principal": GRACE_USER_ID}, {"id": UNKNOWN_ID}):
        error = refused(lambda c=change: demo.update_endpoint_acl_rule(GUEST_ID, rule_id, c))
        assert (error.http_status, error.code) == (400, "ClientError.BadRequest")
    error = refused(lambda: demo.update_endpoint_acl_rule(GUEST_ID, rule_id, {"permissions": "x"}))
    assert error.http_status == 400
    assert demo.get_endpoint_acl_rule(GUEST_ID, rule_id)["permissions"] == "r"


def test_only_guest_collections_have_an_access_list(demo: globus_sdk.TransferClient) -> None:
    for collection in (SCRATCH_ID, LAPTOP_ID):
        error = refused(lambda c=collection: demo.endpoint_acl_list(c))
        assert (error.http_status, error.code) == (409, "Conflict")
        error = refused(
            lambda c=collection: demo.add_endpoint_acl_rule(
                c, rule("identity", ADA_USER_ID, "/", "r")
            )
        )
        assert (error.http_status, error.code) == (409, "Conflict")
    error = refused(lambda: demo.endpoint_acl_list(UNKNOWN_ID))
    assert (error.http_status, error.code) == (404, "EndpointNotFound")


def test_only_administrators_and_access_managers_manage_rules(
    demo: globus_sdk.TransferClient, client_for: ClientFor
) -> None:
    rule_id = demo.add_endpoint_acl_rule(
        GUEST_ID, rule("identity", ADA_USER_ID, "/results/", "rw")
    )["access_id"]
    ada = client_for(ADA_USER_ID)  # reads and writes /results/, manages nothing
    for call in (
        lambda: ada.endpoint_acl_list(GUEST_ID),
        lambda: ada.get_endpoint_acl_rule(GUEST_ID, rule_id),
        lambda: ada.add_endpoint_acl_rule(GUEST_ID, rule("identity", ADA_USER_ID, "/", "rw")),
        lambda: ada.update_endpoint_acl_rule(GUEST_ID, rule_id, {"permissions": "rw"}),
        lambda: ada.delete_endpoint_acl_rule(GUEST_ID, rule_id),
        lambda: ada.endpoint_role_list(GUEST_ID),
        lambda: ada.add_endpoint_role(
            GUEST_ID,
            {"principal_type": "identity", "principal": ADA_USER_ID, "role": "administrator"},
        ),
    ):
        error = refused(call)
        assert (error.http_status, error.code) == (403, "PermissionDenied")
    # Someone no rule names does not even see the collection.
    alan = client_for(ALAN_USER_ID)
    error = refused(lambda: alan.endpoint_acl_list(GUEST_ID))
    assert (error.http_status, error.code) == (403, "PermissionDenied")


def test_an_access_manager_manages_rules_but_not_roles(
    demo: globus_sdk.TransferClient, client_for: ClientFor
) -> None:
    made = demo.add_endpoint_role(
        GUEST_ID,
        {
            "DATA_TYPE": "role",
            "principal_type": "identity",
            "principal": GRACE_USER_ID,
            "role": "access_manager",
        },
    )
    assert made["DATA_TYPE"] == "role" and made["role"] == "access_manager"
    grace = client_for(GRACE_USER_ID)
    rule_id = grace.add_endpoint_acl_rule(
        GUEST_ID, rule("identity", ADA_USER_ID, "/results/", "r")
    )["access_id"]
    listed = list(grace.endpoint_acl_list(GUEST_ID))
    assert [(r["role_type"], r["principal"]) for r in listed if r["id"] is None] == [
        ("administrator", DEMO_USER_ID),
        ("access_manager", GRACE_USER_ID),
    ]
    assert rule_id in {r["id"] for r in listed}
    assert {r["id"] for r in grace.endpoint_role_list(GUEST_ID)} >= {made["id"]}
    error = refused(
        lambda: grace.add_endpoint_role(
            GUEST_ID,
            {"principal_type": "identity", "principal": ADA_USER_ID, "role": "access_manager"},
        )
    )
    assert (error.http_status, error.code) == (403, "PermissionDenied")
    error = refused(lambda: grace.delete_endpoint_role(GUEST_ID, made["id"]))
    assert (error.http_status, error.code) == (403, "PermissionDenied")

    deleted = demo.delete_endpoint_role(GUEST_ID, made["id"])
    assert (deleted["DATA_TYPE"], deleted["code"]) == ("result", "Deleted")
    error = refused(lambda: grace.endpoint_acl_list(GUEST_ID))
    assert (error.http_status, error.code) == (403, "PermissionDenied")


def test_a_group_role_names_the_groups_active_members(
    demo: globus_sdk.TransferClient, client_for: ClientFor
) -> None:
    demo.add_endpoint_role(
        GUEST_ID,
        {"principal_type": "group", "principal": CLIMATE_GROUP_ID, "role": "access_manager"},
    )
    # Grace is an active member of the Climate Modelling Lab; Alan's request is pending.
    assert list(client_for(GRACE_USER_ID).endpoint_acl_list(GUEST_ID))
    error = refused(lambda: client_for(ALAN_USER_ID).endpoint_acl_list(GUEST_ID))
    assert error.http_status == 403


def test_role_errors(demo: globus_sdk.TransferClient) -> None:
    (admin,) = list(demo.endpoint_role_list(GUEST_ID))
    error = refused(lambda: demo.delete_endpoint_role(GUEST_ID, admin["id"]))
    assert (error.http_status, error.code) == (409, "Conflict")
    again = {"principal_type": "identity", "principal": DEMO_USER_ID, "role": "administrator"}
    error = refused(lambda: demo.add_endpoint_role(GUEST_ID, again))
    assert (error.http_status, error.code) == (409, "Exists")
    for bad in (
        {**again, "role": "owner"},
        {**again, "principal_type": "all_authenticated_users", "principal": ""},
        {**again, "principal": "demo@gtui.example"},
    ):
        error = refused(lambda b=bad: demo.add_endpoint_role(GUEST_ID, b))
        assert (error.http_status, error.code) == (400, "ClientError.BadRequest")
    error = refused(lambda: demo.get_endpoint_role(GUEST_ID, UNKNOWN_ID))
    assert (error.http_status, error.code) == (404, "RoleNotFound")
    error = refused(lambda: demo.delete_endpoint_role(GUEST_ID, UNKNOWN_ID))
    assert (error.http_status, error.code) == (404, "RoleNotFound")
    # A GCSv5 mapped collection keeps its roles in its GCS Manager, not in Transfer.
    error = refused(lambda: demo.endpoint_role_list(SCRATCH_ID))
    assert (error.http_status, error.code) == (409, "Conflict")


def test_a_personal_collection_has_roles_too(demo: globus_sdk.TransferClient) -> None:
    made = demo.add_endpoint_role(
        LAPTOP_ID,
        {"principal_type": "identity", "principal": ADA_USER_ID, "role": "activity_monitor"},
    )
    roles = {(r["principal"], r["role"]) for r in demo.endpoint_role_list(LAPTOP_ID)}
    assert roles == {(DEMO_USER_ID, "administrator"), (ADA_USER_ID, "activity_monitor")}
    demo.delete_endpoint_role(LAPTOP_ID, made["id"])


def test_my_shared_endpoint_list_names_the_guest_collections_i_manage(
    demo: globus_sdk.TransferClient, client_for: ClientFor
) -> None:
    mine = demo.my_shared_endpoint_list(SCRATCH_ID)
    assert mine["DATA_TYPE"] == "endpoint_list"
    assert [(e["id"], e["entity_type"]) for e in mine] == [(GUEST_ID, "GCSv5_guest_collection")]
    demo.add_endpoint_acl_rule(GUEST_ID, rule("identity", ADA_USER_ID, "/results/", "rw"))
    assert list(client_for(ADA_USER_ID).my_shared_endpoint_list(SCRATCH_ID)) == []
    assert list(demo.my_shared_endpoint_list(LAPTOP_ID)) == []
    error = refused(lambda: demo.my_shared_endpoint_list(UNKNOWN_ID))
    assert (error.http_status, error.code) == (404, "EndpointNotFound")


def test_rules_and_roles_outlive_a_restart(
    sim_factory: Callable[..., RunningSim], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def client(sim: RunningSim, identity_id: str) -> globus_sdk.TransferClient:
        for name, value in sim.env.items():
            monkeypatch.setenv(name, value)
        tokens = by_resource_server(login_through_page(sim, identity_id=identity_id))
        authorizer = globus_sdk.AccessTokenAuthorizer(tokens[TRANSFER_RESOURCE_SERVER])
        return globus_sdk.TransferClient(authorizer=authorizer)

    root = tmp_path / "kept"
    first = sim_factory(root)
    demo = client(first, DEMO_USER_ID)
    rule_id = demo.add_endpoint_acl_rule(GUEST_ID, rule("identity", ADA_USER_ID, "/results/", "r"))[
        "access_id"
    ]
    role_id = demo.add_endpoint_role(
        GUEST_ID,
        {"principal_type": "identity", "principal": OTHER_USER_ID, "role": "activity_monitor"},
    )["id"]
    first.stop()
    second = sim_factory(root)
    demo = client(second, DEMO_USER_ID)
    assert demo.get_endpoint_acl_rule(GUEST_ID, rule_id)["principal"] == ADA_USER_ID
    assert demo.get_endpoint_role(GUEST_ID, role_id)["role"] == "activity_monitor"
    assert [r["role"] for r in demo.endpoint_role_list(GUEST_ID)] == [
        "administrator",
        "activity_monitor",
    ]
    assert list(client(second, ADA_USER_ID).operation_ls(GUEST_ID, path="/results/"))


def test_the_store_records_a_new_collections_owner_once_and_forgets_a_deleted_one(
    tmp_path: Path,
) -> None:
    """``record_owner`` is how a guest collection made later (through the GCS Manager API)
    gets its administrator; ``forget_collection`` drops its rules and roles."""
    db = Database(tmp_path / "service.db")
    try:
        store = AccessStore(db)
        assert [(r.principal, r.role) for r in store.roles_of(GUEST_ID)] == [
            (DEMO_USER_ID, "administrator")
        ]
        new = "5d0c1f9e-7a4b-4c2d-9e8f-0a1b2c3d4e5f"
        first = store.record_owner(new, ADA_USER_ID)
        assert store.record_owner(new, ADA_USER_ID) == first
        assert store.roles_of(new) == [first]
        store.add_rule(new, principal_type="anonymous", principal="", path="/", permissions="r")
        AccessStore(db)  # a second instance on the same database migrates nothing twice
        assert len(store.rules_of(new)) == 1
        store.forget_collection(new)
        assert store.roles_of(new) == [] and store.rules_of(new) == []
    finally:
        db.close()

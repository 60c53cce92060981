"""The official globus-cli (3.43.0) manages the permissions and roles of the demo's guest
collection "Shared Results": ``globus endpoint permission list/create/show/update/delete``
and ``globus endpoint role list/create/show/delete``.

The CLI logs in as the demo confidential client (client credentials, as in
test_cli_basics.py). A client manages nothing of its own, so first the demo user, who
administers "Shared Results", makes the client an administrator of it through the official
SDK — what a person does to let a script of theirs manage a collection.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import globus_sdk
import pytest

from gtui.sim.serve import RunningSim
from gtui.sim.transfer.common import TRANSFER_RESOURCE_SERVER
from gtui.sim.world import (
    ADA_USER_ID,
    CLIMATE_GROUP_ID,
    DEMO_CONFIDENTIAL_CLIENT_ID,
    DEMO_CONFIDENTIAL_CLIENT_SECRET,
    DEMO_USER_ID,
    GRACE_USER_ID,
    GUEST_ID,
)
from tests.sim_login import by_resource_server, login_through_page

GLOBUS = Path(sys.executable).parent / "globus"

pytestmark = pytest.mark.skipif(not GLOBUS.exists(), reason="globus-cli is not installed")


@pytest.fixture
def cli_env(sim: RunningSim, sim_env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """The CLI's environment, once the demo user has made the client an administrator."""
    tokens = by_resource_server(login_through_page(sim))
    demo = globus_sdk.TransferClient(
        authorizer=globus_sdk.AccessTokenAuthorizer(tokens[TRANSFER_RESOURCE_SERVER])
    )
    demo.add_endpoint_role(
        GUEST_ID,
        {
            "DATA_TYPE": "role",
            "principal_type": "identity",
            "principal": DEMO_CONFIDENTIAL_CLIENT_ID,
            "role": "administrator",
        },
    )
    home = tmp_path / "cli-home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GLOBUS_")}
    return {
        **env,
        **sim.env,
        "HOME": str(home),
        "GLOBUS_CLI_CLIENT_ID": DEMO_CONFIDENTIAL_CLIENT_ID,
        "GLOBUS_CLI_CLIENT_SECRET": DEMO_CONFIDENTIAL_CLIENT_SECRET,
    }


def globus(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [str(GLOBUS), *args], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def globus_json(env: dict[str, str], *args: str) -> Any:
    return json.loads(globus(env, *args, "-F", "json"))


def globus_fails(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [str(GLOBUS), *args], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode != 0, done.stdout
    return done.stderr


def test_endpoint_permission_create_list_show_update_delete(cli_env: dict[str, str]) -> None:
    created = globus_json(
        cli_env,
        "endpoint",
        "permission",
        "create",
        f"{GUEST_ID}:/results/",
        "--permissions",
        "r",
        "--identity",
        "ada@gtui.example",
        "--expiration-date",
        "2030-01-01T00:00:00Z",
        "--notify-email",
        "ada@gtui.example",
        "--notify-message",
        "The results are in",
    )
    assert (created["DATA_TYPE"], created["code"]) == ("access_create_result", "Created")
    rule_id = created["access_id"]
    text = globus(
        cli_env,
        "endpoint",
        "permission",
        "create",
        f"{GUEST_ID}:/results/figures/",
        "--permissions",
        "rw",
        "--group",
        CLIMATE_GROUP_ID,
    )
    assert "Access rule created successfully." in text and "Rule ID:" in text
    globus(
        cli_env,
        "endpoint",
        "permission",
        "create",
        f"{GUEST_ID}:/",
        "--permissions",
        "r",
        "--all-authenticated",
    )
    globus(
        cli_env,
        "endpoint",
        "permission",
        "create",
        f"{GUEST_ID}:/results/",
        "--permissions",
        "r",
        "--anonymous",
    )

    listed = globus_json(cli_env, "endpoint", "permission", "list", GUEST_ID)["DATA"]
    explicit = [(r["principal_type"], r["path"], r["permissions"]) for r in listed if r["id"]]
    assert explicit == [
        ("identity", "/results/", "r"),
        ("group", "/results/figures/", "rw"),
        ("all_authenticated_users", "/", "r"),
        ("anonymous", "/results/", "r"),
    ]
    implicit = {(r["principal"], r["role_type"]) for r in listed if r["id"] is None}
    assert implicit == {
        (DEMO_USER_ID, "administrator"),
        (DEMO_CONFIDENTIAL_CLIENT_ID, "administrator"),
    }
    # The table resolves identities through Auth and links groups; the CLI 3.43 writes
    # "fallback" for the everyone-rules (its PrincipalDictFormatter's own quirk).
    table = globus(cli_env, "endpoint", "permission", "list", GUEST_ID)
    rows = table.splitlines()[2:]
    assert len(rows) == 6
    assert any("ada@gtui.example" in row and "/results/" in row for row in rows)
    assert f"https://app.globus.org/groups/{CLIMATE_GROUP_ID}" in table
    assert sum("fallback" in row for row in rows) == 2

    shown = globus(cli_env, "endpoint", "permission", "show", GUEST_ID, rule_id)
    assert f"Rule ID:         {rule_id}" in shown
    assert "Shared With:     ada@gtui.example" in shown
    assert "Path:            /results/" in shown
    assert "Expiration Date: 2030-01-01T00:00:00+00:00" in shown

    updated = globus(
        cli_env, "endpoint", "permission", "update", GUEST_ID, rule_id, "--permissions", "rw"
    )
    assert updated.strip() == f"Access rule '{rule_id}' updated successfully"
    again = globus_json(cli_env, "endpoint", "permission", "show", GUEST_ID, rule_id)
    assert (again["principal"], again["permissions"]) == (ADA_USER_ID, "rw")
    globus(
        cli_env,
        "endpoint",
        "permission",
        "update",
        GUEST_ID,
        rule_id,
        "--expiration-date",
        "2031-06-30T12:00:00+00:00",
    )
    later = globus_json(cli_env, "endpoint", "permission", "show", GUEST_ID, rule_id)
    assert later["expiration_date"] == "2031-06-30T12:00:00+00:00"

    deleted = globus(cli_env, "endpoint", "permission", "delete", GUEST_ID, rule_id)
    assert deleted.strip() == f"Access rule '{rule_id}' deleted successfully"
    error = globus_fails(cli_env, "endpoint", "permission", "show", GUEST_ID, rule_id)
    assert "AccessRuleNotFound" in error and "404" in error


def test_endpoint_permission_errors_reach_the_cli(cli_env: dict[str, str]) -> None:
    args = ("endpoint", "permission", "create", "--permissions", "r", "--identity")
    first = globus_json(cli_env, *args[:3], f"{GUEST_ID}:/results/", *args[3:], ADA_USER_ID)
    assert first["code"] == "Created"
    error = globus_fails(cli_env, *args[:3], f"{GUEST_ID}:/results/", *args[3:], ADA_USER_ID)
    assert "409" in error and "Exists" in error
    error = globus_fails(cli_env, *args[:3], f"{GUEST_ID}:/results", *args[3:], ADA_USER_ID)
    assert "InvalidPath" in error


def test_endpoint_role_list_create_show_delete(cli_env: dict[str, str]) -> None:
    listed = globus_json(cli_env, "endpoint", "role", "list", GUEST_ID)["DATA"]
    assert {(r["principal"], r["role"]) for r in listed} == {
        (DEMO_USER_ID, "administrator"),
        (DEMO_CONFIDENTIAL_CLIENT_ID, "administrator"),
    }
    made = globus(
        cli_env,
        "endpoint",
        "role",
        "create",
        GUEST_ID,
        "--identity",
        "grace@gtui.example",
        "--role",
        "access_manager",
    )
    assert made.startswith("ID: ")
    role_id = made.split()[1]
    group_role = globus_json(
        cli_env,
        "endpoint",
        "role",
        "create",
        GUEST_ID,
        "--group",
        CLIMATE_GROUP_ID,
        "--role",
        "activity_monitor",
    )
    assert (group_role["principal_type"], group_role["role"]) == ("group", "activity_monitor")

    table = globus(cli_env, "endpoint", "role", "list", GUEST_ID)
    assert "grace@gtui.example" in table and "access_manager" in table
    assert f"https://app.globus.org/groups/{CLIMATE_GROUP_ID}" in table

    shown = globus(cli_env, "endpoint", "role", "show", GUEST_ID, role_id)
    assert "Principal Type: identity" in shown
    assert "Principal:      grace@gtui.example" in shown
    assert "Role:           access_manager" in shown
    as_json = globus_json(cli_env, "endpoint", "role", "show", GUEST_ID, role_id)
    assert as_json["principal"] == GRACE_USER_ID

    deleted = globus(cli_env, "endpoint", "role", "delete", GUEST_ID, role_id)
    assert deleted.strip() == f"Role '{role_id}' deleted successfully"
    error = globus_fails(cli_env, "endpoint", "role", "show", GUEST_ID, role_id)
    assert "RoleNotFound" in error
    remaining = globus_json(cli_env, "endpoint", "role", "list", GUEST_ID)["DATA"]
    assert role_id not in {r["id"] for r in remaining}

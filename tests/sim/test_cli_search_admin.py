"""The official globus-cli (3.43.0) writes to and administers Search on the embedded service:
``globus search index create/list/show/delete``, ``globus search ingest``, ``globus search
task show/list``, ``globus search query``, ``globus search delete-by-query``, ``globus search
subject show/delete`` and ``globus search index role list/create/delete``.

The CLI logs in as the demo confidential client (client credentials, as in
test_cli_basics.py). It owns the indexes it creates; on the demo index, the demo user first
makes it a writer through the official SDK.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import globus_sdk
import pytest

from gtui.sim.serve import RunningSim
from gtui.sim.world import (
    ADA_USER_ID,
    DEMO_CONFIDENTIAL_CLIENT_ID,
    DEMO_CONFIDENTIAL_CLIENT_SECRET,
    DEMO_INDEX_ID,
    DEMO_USER_ID,
)
from tests.sim_login import by_resource_server, login_through_page

GLOBUS = Path(sys.executable).parent / "globus"
CLIENT_URN = f"urn:globus:auth:identity:{DEMO_CONFIDENTIAL_CLIENT_ID}"

pytestmark = pytest.mark.skipif(not GLOBUS.exists(), reason="globus-cli is not installed")


@pytest.fixture
def cli_env(sim: RunningSim, tmp_path: Path) -> dict[str, str]:
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


def globus(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [str(GLOBUS), *args], env=env, capture_output=True, text=True, timeout=120, input=stdin
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-2000:]
    return done.stdout


def globus_json(env: dict[str, str], *args: str, stdin: str | None = None) -> Any:
    return json.loads(globus(env, *args, "-F", "json", stdin=stdin))


def globus_fails(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [str(GLOBUS), *args], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode != 0, done.stdout
    return done.stderr


def done_task(env: dict[str, str], task_id: str) -> dict[str, Any]:
    """``globus search task show`` until the task is no longer pending."""
    deadline = time.monotonic() + 20
    while True:
        task = globus_json(env, "search", "task", "show", task_id)
        if task["state"] not in ("PENDING", "PROGRESS") or time.monotonic() > deadline:
            return dict(task)
        time.sleep(0.1)


def write_json(path: Path, doc: Any) -> str:
    path.write_text(json.dumps(doc), encoding="utf-8")
    return str(path)


def test_index_create_ingest_task_query_delete_by_query(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    created = globus_json(cli_env, "search", "index", "create", "CLI index", "Made by the CLI")
    index_id = created["id"]
    assert (created["display_name"], created["status"], created["is_trial"]) == (
        "CLI index",
        "open",
        True,
    )
    text = globus(cli_env, "search", "index", "show", index_id)
    assert "CLI index" in text and index_id in text and "open" in text
    listing = globus(cli_env, "search", "index", "list")
    line = next(row for row in listing.splitlines() if index_id in row)
    assert "CLI index" in line and "owner" in line
    listed = globus_json(cli_env, "search", "index", "list")["index_list"]
    assert {i["id"] for i in listed} == {DEMO_INDEX_ID, index_id}

    # A GMetaList file (the CLI wraps it in a GIngest), then a GMetaEntry from stdin.
    gmeta_list = {
        "@datatype": "GMetaList",
        "gmeta": [
            {"subject": "doc:1", "visible_to": ["public"], "content": {"title": "Lemur notes"}},
            {"subject": "doc:2", "visible_to": ["public"], "content": {"title": "Lemur maps"}},
            {
                "subject": "doc:3",
                "visible_to": [f"urn:globus:auth:identity:{ADA_USER_ID}"],
                "content": {"title": "Lemur secrets"},
            },
        ],
    }
    answer = globus_json(
        cli_env, "search", "ingest", index_id, write_json(tmp_path / "list.json", gmeta_list)
    )
    assert answer["acknowledged"] is True
    task = done_task(cli_env, answer["task_id"])
    assert (task["state"], task["index_id"]) == ("SUCCESS", index_id)
    text = globus(cli_env, "search", "task", "show", answer["task_id"])
    assert "SUCCESS (Task succeeded)" in text and index_id in text
    one = {"@datatype": "GMetaEntry", "subject": "doc:4", "visible_to": ["public"]}
    one["content"] = {"title": "Tapir notes"}
    text = globus(cli_env, "search", "ingest", index_id, "-", stdin=json.dumps(one))
    assert "Task ID:" in text and "Acknowledged:" in text
    second_task = next(
        line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("Task ID")
    )
    assert done_task(cli_env, second_task)["state"] == "SUCCESS"

    tasks = globus_json(cli_env, "search", "task", "list", index_id)["tasks"]
    assert [t["task_id"] for t in tasks] == [second_task, answer["task_id"]]
    table = globus(cli_env, "search", "task", "list", index_id)
    assert second_task in table and "SUCCESS" in table

    # What the client may see: public entries only (doc:3 is Ada's).
    found = globus_json(cli_env, "search", "query", index_id, "-q", "lemur")
    assert sorted(g["subject"] for g in found["gmeta"]) == ["doc:1", "doc:2"]
    text = globus(cli_env, "search", "query", index_id, "-q", "lemur")
    assert sorted(text.split()) == ["doc:1", "doc:2"]
    # The owner may bypass visible_to.
    found = globus_json(cli_env, "search", "query", index_id, "-q", "lemur", "--bypass-visible-to")
    assert sorted(g["subject"] for g in found["gmeta"]) == ["doc:1", "doc:2", "doc:3"]
    query = {"q": "title:maps", "advanced": True}
    found = globus_json(
        cli_env,
        "search",
        "query",
        index_id,
        "--query-document",
        write_json(tmp_path / "query.json", query),
    )
    assert [g["subject"] for g in found["gmeta"]] == ["doc:2"]
    shown = globus(cli_env, "search", "subject", "show", index_id, "doc:4")
    assert json.loads(shown)["content"] == {"title": "Tapir notes"}

    text = globus(cli_env, "search", "delete-by-query", index_id, "-q", "title:notes", "--advanced")
    assert "delete-by-query task successfully submitted" in text
    task_id = next(
        line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("Task ID")
    )
    assert done_task(cli_env, task_id)["state"] == "SUCCESS"
    found = globus_json(cli_env, "search", "query", index_id, "-q", "*", "--bypass-visible-to")
    assert sorted(g["subject"] for g in found["gmeta"]) == ["doc:2", "doc:3"]
    text = globus(cli_env, "search", "subject", "delete", index_id, "doc:2")
    assert "delete-by-subject task successfully submitted" in text
    task_id = next(
        line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("Task ID")
    )
    assert done_task(cli_env, task_id)["state"] == "SUCCESS"
    assert globus_json(cli_env, "search", "query", index_id, "-q", "maps")["total"] == 0

    text = globus(cli_env, "search", "index", "delete", index_id)
    assert f"Index {index_id} is now marked for deletion." in text
    assert globus_json(cli_env, "search", "index", "show", index_id)["status"] == "delete-pending"
    assert "IncompatibleIndexStatus" in globus_fails(
        cli_env, "search", "query", index_id, "-q", "*"
    )


def test_index_roles_list_create_delete(cli_env: dict[str, str]) -> None:
    index_id = globus_json(cli_env, "search", "index", "create", "Roles", "Role test")["id"]
    table = globus(cli_env, "search", "index", "role", "list", index_id)
    assert "owner" in table and f"{DEMO_CONFIDENTIAL_CLIENT_ID}@clients.auth.globus.org" in table
    # By username (looked up through Auth), and by identity id.
    made = globus_json(
        cli_env, "search", "index", "role", "create", index_id, "writer", "ada@gtui.example"
    )
    assert (made["role_name"], made["principal"]) == (
        "writer",
        f"urn:globus:auth:identity:{ADA_USER_ID}",
    )
    text = globus(cli_env, "search", "index", "role", "create", index_id, "admin", DEMO_USER_ID)
    assert "Role ID:" in text and "admin" in text and "demo@gtui.example" in text
    roles = globus_json(cli_env, "search", "index", "role", "list", index_id)["role_list"]
    assert [(r["role_name"], r["principal"]) for r in roles] == [
        ("owner", CLIENT_URN),
        ("writer", f"urn:globus:auth:identity:{ADA_USER_ID}"),
        ("admin", f"urn:globus:auth:identity:{DEMO_USER_ID}"),
    ]
    table = globus(cli_env, "search", "index", "role", "list", index_id)
    assert "ada@gtui.example" in table and "demo@gtui.example" in table
    text = globus(cli_env, "search", "index", "role", "delete", index_id, made["id"])
    assert text.strip() == f"Successfully removed role {made['id']} from index {index_id}"
    roles = globus_json(cli_env, "search", "index", "role", "list", index_id)["role_list"]
    assert [r["role_name"] for r in roles] == ["owner", "admin"]
    owner_id = roles[0]["id"]
    assert "LastOwner" in globus_fails(
        cli_env, "search", "index", "role", "delete", index_id, owner_id
    )
    assert "ValidationError" in globus_fails(
        cli_env, "search", "index", "role", "create", index_id, "reader", DEMO_USER_ID
    )


def test_the_demo_user_lets_the_client_write_to_the_demo_index(
    sim: RunningSim, sim_env: dict[str, str], cli_env: dict[str, str], tmp_path: Path
) -> None:
    doc = {
        "ingest_type": "GMetaEntry",
        "ingest_data": {
            "subject": "globus://client/report.txt",
            "visible_to": [f"urn:globus:auth:identity:{DEMO_USER_ID}"],
            "content": {"name": "report.txt", "text": "capybara census"},
        },
    }
    path = write_json(tmp_path / "entry.json", doc)
    # Without a role the client may not write, nor read the index's tasks or roles.
    assert "Forbidden" in globus_fails(cli_env, "search", "ingest", DEMO_INDEX_ID, path)
    assert "Forbidden" in globus_fails(cli_env, "search", "task", "list", DEMO_INDEX_ID)
    assert "Forbidden" in globus_fails(cli_env, "search", "index", "role", "list", DEMO_INDEX_ID)
    tokens = by_resource_server(login_through_page(sim))
    demo = globus_sdk.SearchClient(
        authorizer=globus_sdk.AccessTokenAuthorizer(tokens["search.api.globus.org"])
    )
    demo.create_role(DEMO_INDEX_ID, {"role_name": "writer", "principal": CLIENT_URN})
    listed = globus_json(cli_env, "search", "index", "list")["index_list"]
    assert [(i["id"], i["permissions"]) for i in listed] == [(DEMO_INDEX_ID, ["writer"])]
    task_id = globus_json(cli_env, "search", "ingest", DEMO_INDEX_ID, path)["task_id"]
    assert done_task(cli_env, task_id)["state"] == "SUCCESS"
    # The entry is the demo user's to see, not the client's.
    assert globus_json(cli_env, "search", "query", DEMO_INDEX_ID, "-q", "capybara")["total"] == 0
    found = demo.search(DEMO_INDEX_ID, "capybara")
    assert [g["subject"] for g in found["gmeta"]] == ["globus://client/report.txt"]
    # A writer may not delete by query (that is the owner's and admins').
    assert "Forbidden" in globus_fails(
        cli_env, "search", "delete-by-query", DEMO_INDEX_ID, "-q", "capybara"
    )

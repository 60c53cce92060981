"""Access rules enforced: what a second demo identity (Ada) can list, read and write in the
demo user's guest collection "Shared Results" before any rule, with a read rule, with a
read-write rule, once the rule expires and once it is revoked; group and everyone rules;
symlinks; and a task whose destination turned read-only before it ran.

Both identities use the official SDK, logged in through the service's authorize page.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import globus_sdk
import pytest

from gtui.sim.serve import RunningSim
from gtui.sim.transfer.common import TRANSFER_RESOURCE_SERVER
from gtui.sim.world import (
    ADA_USER_ID,
    ALAN_USER_ID,
    CLIMATE_GROUP_ID,
    DEMO_USER_ID,
    GRACE_USER_ID,
    GUEST_ID,
    SCRATCH_ID,
)
from tests.sim_login import by_resource_server, login_through_page

ClientFor = Callable[[str], globus_sdk.TransferClient]


@pytest.fixture
def client_for(sim: RunningSim, sim_env: dict[str, str]) -> ClientFor:
    def make(identity_id: str) -> globus_sdk.TransferClient:
        tokens = by_resource_server(login_through_page(sim, identity_id=identity_id))
        authorizer = globus_sdk.AccessTokenAuthorizer(tokens[TRANSFER_RESOURCE_SERVER])
        return globus_sdk.TransferClient(authorizer=authorizer)

    return make


@pytest.fixture
def demo(client_for: ClientFor) -> globus_sdk.TransferClient:
    return client_for(DEMO_USER_ID)


@pytest.fixture
def ada(client_for: ClientFor) -> globus_sdk.TransferClient:
    return client_for(ADA_USER_ID)


def shared_root(sim: RunningSim) -> Path:
    return sim.ctx.world.collection_root(GUEST_ID)


def scratch_root(sim: RunningSim) -> Path:
    return sim.ctx.world.collection_root(SCRATCH_ID)


def share(
    demo: globus_sdk.TransferClient,
    principal_type: str,
    principal: str,
    path: str,
    permissions: str,
    **extra: Any,
) -> str:
    doc = {
        "DATA_TYPE": "access",
        "principal_type": principal_type,
        "principal": principal,
        "path": path,
        "permissions": permissions,
        **extra,
    }
    return str(demo.add_endpoint_acl_rule(GUEST_ID, doc)["access_id"])


def refused(call: Callable[[], Any]) -> globus_sdk.TransferAPIError:
    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        call()
    return caught.value


def denied(call: Callable[[], Any], *words: str) -> None:
    """The call is refused with 403 PermissionDenied, and the message names ``words``."""
    error = refused(call)
    assert (error.http_status, error.code) == (403, "PermissionDenied"), error
    for word in words:
        assert word in error.message, (word, error.message)


def names(tc: globus_sdk.TransferClient, path: str) -> set[str]:
    return {entry["name"] for entry in tc.operation_ls(GUEST_ID, path=path)}


def wait_until(condition: Callable[[], Any], timeout: float = 30, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what or condition}"
        time.sleep(0.05)


def finished(tc: globus_sdk.TransferClient, task_id: str) -> dict[str, Any]:
    task = wait_until(
        lambda: (t := tc.get_task(task_id))["status"] in ("SUCCEEDED", "FAILED") and t,
        what=f"task {task_id}",
    )
    return dict(task.data)


def copy(tc: globus_sdk.TransferClient, source: str, src: str, destination: str, dst: str) -> str:
    data = globus_sdk.TransferData(source_endpoint=source, destination_endpoint=destination)
    data.add_item(src, dst)
    return str(tc.submit_transfer(data)["task_id"])


def delete(tc: globus_sdk.TransferClient, path: str) -> str:
    data = globus_sdk.DeleteData(endpoint=GUEST_ID)
    data.add_item(path)
    return str(tc.submit_delete(data)["task_id"])


def can_list(tc: globus_sdk.TransferClient, path: str) -> bool:
    try:
        tc.operation_ls(GUEST_ID, path=path)
    except globus_sdk.TransferAPIError as error:
        assert (error.http_status, error.code) == (403, "PermissionDenied")
        return False
    return True


def test_what_ada_may_do_follows_the_rule_from_none_to_read_to_read_write_to_revoked(
    sim: RunningSim, demo: globus_sdk.TransferClient, ada: globus_sdk.TransferClient
) -> None:
    shared = shared_root(sim)
    (scratch_root(sim) / "home" / "demo" / "note.txt").write_text("from scratch\n")

    # Before any rule the collection does not exist for Ada.
    denied(lambda: ada.get_endpoint(GUEST_ID))
    denied(lambda: ada.operation_ls(GUEST_ID, path="/results/"))
    denied(lambda: ada.operation_stat(GUEST_ID, path="/results/summary.csv"))
    denied(lambda: copy(ada, GUEST_ID, "/results/summary.csv", SCRATCH_ID, "/home/demo/s.csv"))
    denied(lambda: ada.operation_mkdir(GUEST_ID, "/results/mine"))

    # A read rule on /results/: Ada lists and reads there, and nowhere else.
    rule_id = share(demo, "identity", ADA_USER_ID, "/results/", "r")
    assert ada.get_endpoint(GUEST_ID)["display_name"] == "Shared Results"
    assert names(ada, "/results/") == {"summary.csv", "figures", "paper draft.md"}
    assert names(ada, "/results/figures") == {f"fig {i}.png" for i in range(1, 5)}
    assert ada.operation_stat(GUEST_ID, path="/results/summary.csv")["size"] > 0
    denied(lambda: ada.operation_ls(GUEST_ID, path="/"), "'/'", "read")
    denied(lambda: ada.operation_ls(GUEST_ID, path="/results/../"), "'/'")
    denied(lambda: ada.operation_stat(GUEST_ID, path="/README.md"), "/README.md")
    task = copy(ada, GUEST_ID, "/results/summary.csv", SCRATCH_ID, "/home/demo/ada.csv")
    assert finished(ada, task)["status"] == "SUCCEEDED"
    copied = scratch_root(sim) / "home" / "demo" / "ada.csv"
    assert copied.read_bytes() == (shared / "results" / "summary.csv").read_bytes()
    denied(lambda: copy(ada, GUEST_ID, "/README.md", SCRATCH_ID, "/home/demo/r.md"), "README")
    # ... and every write is refused with a message that names the path and says why.
    denied(lambda: ada.operation_mkdir(GUEST_ID, "/results/mine"), "/results/mine", "read-only")
    denied(
        lambda: ada.operation_rename(GUEST_ID, "/results/paper draft.md", "/results/paper.md"),
        "/results/paper draft.md",
        "read-only",
    )
    denied(lambda: delete(ada, "/results/summary.csv"), "/results/summary.csv", "read-only")
    denied(
        lambda: copy(ada, SCRATCH_ID, "/home/demo/note.txt", GUEST_ID, "/results/note.txt"),
        "/results/note.txt",
        "read-only",
    )
    assert not (shared / "results" / "mine").exists()
    assert (shared / "results" / "paper draft.md").exists()

    # Read-write: Ada creates, renames, receives and deletes under /results/ only.
    demo.update_endpoint_acl_rule(GUEST_ID, rule_id, {"permissions": "rw"})
    ada.operation_mkdir(GUEST_ID, "/results/mine")
    assert (shared / "results" / "mine").is_dir()
    ada.operation_rename(GUEST_ID, "/results/mine", "/results/ada")
    assert (shared / "results" / "ada").is_dir()
    task = copy(ada, SCRATCH_ID, "/home/demo/note.txt", GUEST_ID, "/results/ada/note.txt")
    assert finished(ada, task)["status"] == "SUCCEEDED"
    assert (shared / "results" / "ada" / "note.txt").read_text() == "from scratch\n"
    task = delete(ada, "/results/ada/note.txt")
    assert finished(ada, task)["status"] == "SUCCEEDED"
    assert not (shared / "results" / "ada" / "note.txt").exists()
    denied(lambda: ada.operation_mkdir(GUEST_ID, "/elsewhere"), "/elsewhere", "write")
    denied(lambda: ada.operation_rename(GUEST_ID, "/results/ada", "/ada"), "'/ada'")
    denied(lambda: delete(ada, "/README.md"), "/README.md")

    # Revoked: the collection is gone for Ada again.
    demo.delete_endpoint_acl_rule(GUEST_ID, rule_id)
    denied(lambda: ada.get_endpoint(GUEST_ID))
    denied(lambda: ada.operation_ls(GUEST_ID, path="/results/"))

    # The owner kept full access all along.
    assert "README.md" in names(demo, "/")
    demo.operation_mkdir(GUEST_ID, "/owner")
    assert (shared / "owner").is_dir()


def test_a_rule_grants_nothing_once_it_expires(
    demo: globus_sdk.TransferClient, ada: globus_sdk.TransferClient
) -> None:
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=2)
    rule_id = share(
        demo, "identity", ADA_USER_ID, "/results/", "rw", expiration_date=soon.isoformat()
    )
    assert demo.get_endpoint_acl_rule(GUEST_ID, rule_id)["expiration_date"] == soon.isoformat()
    assert can_list(ada, "/results/")
    ada.operation_mkdir(GUEST_ID, "/results/before")
    wait_until(lambda: not can_list(ada, "/results/"), timeout=15, what="the rule to expire")
    assert datetime.now(UTC) >= soon
    denied(lambda: ada.get_endpoint(GUEST_ID))
    denied(lambda: ada.operation_mkdir(GUEST_ID, "/results/after"))
    # An expired rule is gone from the list, as Globus deletes it.
    assert rule_id not in {r["id"] for r in demo.endpoint_acl_list(GUEST_ID)}
    error = refused(lambda: demo.get_endpoint_acl_rule(GUEST_ID, rule_id))
    assert (error.http_status, error.code) == (404, "AccessRuleNotFound")
    # The same identity and path may be shared again.
    share(demo, "identity", ADA_USER_ID, "/results/", "r")
    assert can_list(ada, "/results/")


def test_an_expiration_set_in_the_past_through_the_store_ends_the_rule_at_once(
    sim: RunningSim, demo: globus_sdk.TransferClient, ada: globus_sdk.TransferClient
) -> None:
    rule_id = share(demo, "identity", ADA_USER_ID, "/results/", "r")
    assert can_list(ada, "/results/")
    access = sim.ctx.access
    assert access is not None
    past = time.time() - 60
    access.store.update_rule(GUEST_ID, rule_id, expiration=("2001-01-01T00:00:00+00:00", past))
    assert not can_list(ada, "/results/")


def test_a_group_rule_lets_in_the_groups_active_members_only(
    demo: globus_sdk.TransferClient, client_for: ClientFor
) -> None:
    share(demo, "group", CLIMATE_GROUP_ID, "/results/figures/", "r")
    # Grace and Ada are active members of the Climate Modelling Lab; Alan's request is pending.
    for member in (GRACE_USER_ID, ADA_USER_ID):
        assert can_list(client_for(member), "/results/figures/")
        assert not can_list(client_for(member), "/results/")
    alan = client_for(ALAN_USER_ID)
    denied(lambda: alan.operation_ls(GUEST_ID, path="/results/figures/"))


def test_a_rule_for_all_authenticated_users_lets_in_any_identity(
    demo: globus_sdk.TransferClient, client_for: ClientFor
) -> None:
    grace, alan = client_for(GRACE_USER_ID), client_for(ALAN_USER_ID)
    denied(lambda: alan.operation_ls(GUEST_ID, path="/"))
    share(demo, "all_authenticated_users", "", "/", "r")
    assert "README.md" in names(alan, "/")
    assert "results" in names(grace, "/")
    denied(lambda: alan.operation_mkdir(GUEST_ID, "/alan"), "read-only")


def test_the_best_rule_on_a_path_wins(
    demo: globus_sdk.TransferClient, ada: globus_sdk.TransferClient
) -> None:
    share(demo, "identity", ADA_USER_ID, "/results/", "r")
    share(demo, "all_authenticated_users", "", "/results/figures/", "rw")
    ada.operation_mkdir(GUEST_ID, "/results/figures/ada")
    denied(lambda: ada.operation_mkdir(GUEST_ID, "/results/ada"), "read-only")


def test_a_symlink_in_a_shared_folder_does_not_open_what_is_not_shared(
    sim: RunningSim, demo: globus_sdk.TransferClient, ada: globus_sdk.TransferClient
) -> None:
    results = shared_root(sim) / "results"
    (results / "up").symlink_to("..")
    (results / "readme").symlink_to("../README.md")
    share(demo, "identity", ADA_USER_ID, "/results/", "rw")
    denied(lambda: ada.operation_ls(GUEST_ID, path="/results/up/"), "'/'")
    denied(lambda: ada.operation_stat(GUEST_ID, path="/results/readme"), "/README.md")
    denied(
        lambda: copy(ada, GUEST_ID, "/results/readme", SCRATCH_ID, "/home/demo/readme.md"),
        "/README.md",
    )
    # The link itself is Ada's to rename: it is in the shared folder.
    ada.operation_rename(GUEST_ID, "/results/readme", "/results/readme-link")


def test_a_task_whose_destination_turned_read_only_before_it_ran_fails_with_permission_denied(
    sim: RunningSim, demo: globus_sdk.TransferClient, ada: globus_sdk.TransferClient
) -> None:
    home = scratch_root(sim) / "home" / "demo"
    (home / "big.bin").write_bytes(b"x" * 200_000)
    (home / "small.txt").write_text("small\n")
    rule_id = share(demo, "identity", ADA_USER_ID, "/results/", "rw")
    sim.settings.throttle_bytes_per_second = 1000
    try:
        # Three slow copies of Ada's fill her three running slots; the fourth waits its turn.
        blockers = [
            copy(ada, SCRATCH_ID, "/home/demo/big.bin", SCRATCH_ID, f"/home/demo/copy{i}.bin")
            for i in range(3)
        ]
        waiting = copy(ada, SCRATCH_ID, "/home/demo/small.txt", GUEST_ID, "/results/small.txt")
        wait_until(
            lambda: all(ada.get_task(t)["nice_status"] == "OK" for t in blockers),
            what="the three slow copies to run",
        )
        assert ada.get_task(waiting)["nice_status"] == "Queued"
        demo.update_endpoint_acl_rule(GUEST_ID, rule_id, {"permissions": "r"})
    finally:
        sim.settings.throttle_bytes_per_second = 0
    for task_id in blockers:
        ada.cancel_task(task_id)
    task = finished(ada, waiting)
    assert task["status"] == "FAILED"
    assert task["fatal_error"]["code"] == "PERMISSION_DENIED"
    assert "read-only" in task["fatal_error"]["description"]
    events = [
        e for e in ada.task_event_list(waiting, limit=100) if e["code"] == "PERMISSION_DENIED"
    ]
    assert events and all(e["is_error"] for e in events)
    assert "/results/small.txt" in events[0]["details"]
    assert not (shared_root(sim) / "results" / "small.txt").exists()

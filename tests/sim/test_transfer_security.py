"""The Transfer API's defences: no path leaves its collection, no call without a token,
no user sees another's tasks or bookmarks."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from typing import Any

import globus_sdk
import httpx
import pytest

from gtui.sim.serve import RunningSim, start_in_thread
from gtui.sim.world import (
    DEMO_CONFIDENTIAL_CLIENT_ID,
    DEMO_CONFIDENTIAL_CLIENT_SECRET,
    LAPTOP_ID,
    SCRATCH_ID,
)

TRANSFER_SCOPE = "urn:globus:auth:scope:transfer.api.globus.org:all"
# Paths arrive decoded once (by HTTP or JSON); ``%2e%2e`` left in them is a name, not "..".
ENCODED_FORMS = ("/%2e%2e/%2e%2e/etc", "/%252e%252e/etc")
TRAVERSALS = {
    "dot-dot": ("/../../etc/passwd", 403),
    "dot-dot-in-home": ("/~/../../../etc", 403),
    "symlink-outside": ("/~/escape", 403),
    "below-symlink-outside": ("/~/escape-dir/x", 403),
    "nul": ("/~/a\x00b", 400),
}


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSim]:
    root = tmp_path_factory.mktemp("security")
    outside = root / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("top secret")
    running = start_in_thread(root / "world")
    laptop_home = running.ctx.world.collections[LAPTOP_ID].root / "home" / "demo"
    os.symlink(outside / "secret.txt", laptop_home / "escape")
    os.symlink(outside, laptop_home / "escape-dir")
    with pytest.MonkeyPatch.context() as patch:
        for name, value in running.env.items():
            patch.setenv(name, value)
        yield running
    running.stop()


@pytest.fixture(scope="module")
def tc(service: RunningSim) -> globus_sdk.TransferClient:
    auth = globus_sdk.ConfidentialAppAuthClient(
        DEMO_CONFIDENTIAL_CLIENT_ID, DEMO_CONFIDENTIAL_CLIENT_SECRET
    )
    return globus_sdk.TransferClient(
        authorizer=globus_sdk.ClientCredentialsAuthorizer(auth, TRANSFER_SCOPE)
    )


def outside_untouched(service: RunningSim) -> bool:
    outside = service.settings.root.parent / "outside"
    return sorted(p.name for p in outside.iterdir()) == ["secret.txt"]


def status_of(call: Callable[..., Any], *args: Any, **kwargs: Any) -> int:
    with pytest.raises(globus_sdk.TransferAPIError) as info:
        call(*args, **kwargs)
    return info.value.http_status


def transfer(tc: globus_sdk.TransferClient, source: str, destination: str) -> Any:
    data = globus_sdk.TransferData(source_endpoint=LAPTOP_ID, destination_endpoint=LAPTOP_ID)
    data.add_item(source, destination)
    return tc.submit_transfer(data)


def delete(tc: globus_sdk.TransferClient, path: str) -> Any:
    data = globus_sdk.DeleteData(endpoint=LAPTOP_ID, recursive=True)
    data.add_item(path)
    return tc.submit_delete(data)


OPERATIONS: dict[str, Callable[[globus_sdk.TransferClient, str], Any]] = {
    "ls": lambda tc, p: tc.operation_ls(LAPTOP_ID, path=p),
    "stat": lambda tc, p: tc.operation_stat(LAPTOP_ID, path=p),
    "mkdir": lambda tc, p: tc.operation_mkdir(LAPTOP_ID, path=p + "/new"),
    "rename-from": lambda tc, p: tc.operation_rename(LAPTOP_ID, p + "/x", "/~/renamed"),
    "rename-to": lambda tc, p: tc.operation_rename(LAPTOP_ID, "/~/.bashrc", p + "/stolen"),
    "transfer-source": lambda tc, p: transfer(tc, p, "/~/copied"),
    "transfer-destination": lambda tc, p: transfer(tc, "/~/.bashrc", p + "/planted"),
    "delete": lambda tc, p: delete(tc, p + "/x"),
}


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
@pytest.mark.parametrize("form", sorted(TRAVERSALS))
def test_traversal_is_refused_on_every_operation(
    tc: globus_sdk.TransferClient, service: RunningSim, operation: str, form: str
) -> None:
    path, expected = TRAVERSALS[form]
    if form == "symlink-outside" and operation in (
        "mkdir",
        "rename-from",
        "rename-to",
        "transfer-destination",
        "delete",
    ):
        path = "/~/escape-dir"
    assert status_of(OPERATIONS[operation], tc, path) == expected
    assert outside_untouched(service)


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
@pytest.mark.parametrize("path", ENCODED_FORMS)
def test_percent_encoded_dots_are_names_inside_the_collection(
    tc: globus_sdk.TransferClient, service: RunningSim, operation: str, path: str
) -> None:
    try:
        answer = OPERATIONS[operation](tc, path)
    except globus_sdk.TransferAPIError as exc:
        assert exc.http_status == 404, exc  # a folder of that literal name does not exist
    else:
        if operation == "transfer-destination":
            assert tc.task_wait(answer["task_id"], timeout=60, polling_interval=1)
        elif "task_id" in answer:  # a path that does not exist: the task would retry it
            tc.cancel_task(answer["task_id"])
    assert outside_untouched(service)
    planted = service.ctx.world.collections[LAPTOP_ID].root / path.strip("/") / "planted"
    if operation == "transfer-destination":
        assert planted.is_file()  # created where the literal name says, inside the root


def test_absolute_paths_stay_inside_the_collection(tc: globus_sdk.TransferClient) -> None:
    assert status_of(tc.operation_ls, LAPTOP_ID, path="/etc") == 404
    assert status_of(tc.operation_stat, LAPTOP_ID, path="/etc/passwd") == 404


def test_links_leading_outside_are_listed_but_never_followed(
    tc: globus_sdk.TransferClient, service: RunningSim
) -> None:
    entries = {e["name"]: e for e in tc.operation_ls(LAPTOP_ID, path="/~/")}
    assert entries["escape"]["type"] == "invalid_symlink"
    assert entries["escape"]["size"] != len("top secret")
    data = globus_sdk.TransferData(
        source_endpoint=LAPTOP_ID, destination_endpoint=SCRATCH_ID, skip_source_errors=True
    )
    data["recursive_symlinks"] = "copy"
    data.add_item("/~/", "/~/laptop-copy/", recursive=True)
    task_id = tc.submit_transfer(data)["task_id"]
    deadline = time.monotonic() + 30
    while tc.get_task(task_id)["status"] == "ACTIVE":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    copy = service.ctx.world.collections[SCRATCH_ID].root / "home" / "demo" / "laptop-copy"
    assert copy.is_dir()
    assert not (copy / "escape").exists() and not (copy / "escape-dir").exists()
    assert all(
        "top secret" not in p.read_text(errors="replace")
        for p in copy.rglob("*")
        if p.is_file() and not p.is_symlink()
    )


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic Zm9vOmJhcg=="}],
)
def test_calls_without_a_valid_token_get_401(service: RunningSim, headers: dict[str, str]) -> None:
    root = service.service_urls["transfer"] + "v0.10"
    for path in (
        "/endpoint_search?filter_scope=my-endpoints",
        f"/operation/endpoint/{LAPTOP_ID}/ls",
        "/task_list",
        "/bookmark_list",
        "/submission_id",
    ):
        answer = httpx.get(root + path, headers=headers)
        assert answer.status_code == 401, path
        assert answer.json()["code"] == "AuthenticationFailed"


def test_one_user_never_sees_another_users_tasks_or_bookmarks(
    sim: RunningSim,
    sim_env: dict[str, str],
    demo_user_tokens: dict[str, str],
    other_user_tokens: dict[str, str],
) -> None:
    def client(tokens: dict[str, str]) -> globus_sdk.TransferClient:
        authorizer = globus_sdk.AccessTokenAuthorizer(tokens["transfer.api.globus.org"])
        return globus_sdk.TransferClient(authorizer=authorizer)

    demo, other = client(demo_user_tokens), client(other_user_tokens)
    data = globus_sdk.TransferData(source_endpoint=SCRATCH_ID, destination_endpoint=SCRATCH_ID)
    data.add_item("/~/datasets/README.txt", "/~/readme-copy.txt")
    task_id = demo.submit_transfer(data)["task_id"]
    mark = demo.create_bookmark({"endpoint_id": SCRATCH_ID, "path": "/~/", "name": "mine"})
    assert demo.get_task(task_id)["owner_id"] != ""
    for call in (
        other.get_task,
        other.task_event_list,
        other.cancel_task,
        other.task_successful_transfers,
        other.task_skipped_errors,
        other.task_pause_info,
    ):
        assert status_of(call, task_id) == 404, call
    assert status_of(other.update_task, task_id, {"label": "mine now"}) == 404
    assert task_id not in {t["task_id"] for t in other.task_list(limit=100)}
    assert status_of(other.get_bookmark, mark["id"]) == 404
    assert status_of(other.delete_bookmark, mark["id"]) == 404
    assert list(other.bookmark_list()) == []
    again = other.submit_transfer(data)
    assert again["task_id"] != task_id
    assert demo.get_bookmark(mark["id"])["name"] == "mine"
    assert demo.get_task(task_id)["label"] is None


def test_denied_paths_answer_permission_denied(
    tc: globus_sdk.TransferClient, service: RunningSim
) -> None:
    service.settings.faults.denied_paths.append(f"{LAPTOP_ID}:/home/demo/Documents/")
    try:
        assert status_of(tc.operation_ls, LAPTOP_ID, path="/~/Documents/") == 403
        assert status_of(transfer, tc, "/~/Documents/budget 2026.csv", "/~/b.csv") == 403
        assert tc.operation_ls(LAPTOP_ID, path="/~/")["total"] > 0
    finally:
        service.settings.faults.denied_paths.clear()


def test_root_of_a_collection_cannot_be_deleted_or_renamed(
    tc: globus_sdk.TransferClient,
) -> None:
    assert status_of(delete, tc, "/") == 403
    assert status_of(tc.operation_rename, LAPTOP_ID, "/", "/x") == 403


def test_an_expired_token_gets_401(sim: RunningSim) -> None:
    answer = httpx.post(
        sim.service_urls["auth"] + "v2/oauth2/token",
        data={"grant_type": "client_credentials", "scope": TRANSFER_SCOPE},
        auth=(DEMO_CONFIDENTIAL_CLIENT_ID, DEMO_CONFIDENTIAL_CLIENT_SECRET),
    )
    token = answer.json()["access_token"]
    url = sim.service_urls["transfer"] + "v0.10/task_list"
    headers = {"Authorization": f"Bearer {token}"}
    assert httpx.get(url, headers=headers).status_code == 200
    assert sim.ctx.auth.expire_access_tokens() >= 1
    expired = httpx.get(url, headers=headers)
    assert expired.status_code == 401
    assert expired.json()["code"] == "AuthenticationFailed"

"""Transfer API behaviour seen by a logged-in person: their bookmarks, their collections,
their recent and running tasks, and the lazily built large folders."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import globus_sdk
import pytest

from gtui.sim.serve import RunningSim
from gtui.sim.world import (
    BIG_FOLDER_PATH,
    GUEST_ID,
    LAPTOP_ID,
    SCRATCH_ID,
    WIDE_TREE_PATH,
)


def user_client(tokens: dict[str, str]) -> globus_sdk.TransferClient:
    authorizer = globus_sdk.AccessTokenAuthorizer(tokens["transfer.api.globus.org"])
    return globus_sdk.TransferClient(authorizer=authorizer)


@pytest.fixture
def demo(sim_env: dict[str, str], demo_user_tokens: dict[str, str]) -> globus_sdk.TransferClient:
    return user_client(demo_user_tokens)


def wait_final(tc: globus_sdk.TransferClient, task_id: str) -> Any:
    deadline = time.monotonic() + 30
    while (task := tc.get_task(task_id))["status"] == "ACTIVE":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    return task


def test_the_demo_user_starts_with_bookmarks(demo: globus_sdk.TransferClient) -> None:
    marks = {b["name"]: b for b in demo.bookmark_list()}
    assert set(marks) == {"Climate model output", "Scratch datasets", "Shared results"}
    assert marks["Shared results"]["endpoint_id"] == GUEST_ID
    assert marks["Climate model output"]["pinned"] is True
    for mark in marks.values():
        listing = demo.operation_ls(mark["endpoint_id"], path=mark["path"])
        assert listing["total"] > 0


def test_endpoint_scopes_follow_ownership_and_use(
    demo: globus_sdk.TransferClient, sim: RunningSim
) -> None:
    mine = {e["id"] for e in demo.endpoint_search(filter_scope="my-endpoints")}
    assert mine == {LAPTOP_ID}
    gcp = {e["id"] for e in demo.endpoint_search(filter_scope="my-gcp-endpoints")}
    assert gcp == {LAPTOP_ID}
    assert {e["id"] for e in demo.endpoint_search(filter_scope="shared-with-me")} == {GUEST_ID}
    assert list(demo.endpoint_search(filter_scope="recently-used")) == []
    sim.settings.throttle_bytes_per_second = 50_000
    try:
        data = globus_sdk.TransferData(source_endpoint=SCRATCH_ID, destination_endpoint=LAPTOP_ID)
        data.add_item("/~/datasets/ocean_temperature_2025.h5", "/~/ocean.h5")
        task_id = demo.submit_transfer(data)["task_id"]
        in_use = {e["id"] for e in demo.endpoint_search(filter_scope="in-use")}
        assert in_use == {SCRATCH_ID, LAPTOP_ID}
        assert demo.get_endpoint(SCRATCH_ID)["in_use"] is True
        demo.cancel_task(task_id)
    finally:
        sim.settings.throttle_bytes_per_second = 0
    assert list(demo.endpoint_search(filter_scope="in-use")) == []
    recent = [e["id"] for e in demo.endpoint_search(filter_scope="recently-used")]
    assert sorted(recent) == sorted([SCRATCH_ID, LAPTOP_ID])
    assert not (sim.ctx.world.collections[LAPTOP_ID].root / "home" / "demo" / "ocean.h5").exists()


def test_another_users_private_collection_is_refused(
    sim_env: dict[str, str], other_user_tokens: dict[str, str]
) -> None:
    other = user_client(other_user_tokens)
    assert LAPTOP_ID not in {e["id"] for e in other.endpoint_search("laptop")}
    with pytest.raises(globus_sdk.TransferAPIError) as info:
        other.operation_ls(LAPTOP_ID, path="/~/")
    assert (info.value.http_status, info.value.code) == (403, "PermissionDenied")


def test_task_updates_are_validated(demo: globus_sdk.TransferClient) -> None:
    data = globus_sdk.TransferData(source_endpoint=SCRATCH_ID, destination_endpoint=SCRATCH_ID)
    data.add_item("/~/datasets/README.txt", "/~/readme.txt")
    task_id = demo.submit_transfer(data)["task_id"]
    wait_final(demo, task_id)
    with pytest.raises(globus_sdk.TransferAPIError) as final:
        demo.update_task(task_id, {"label": "too late"})
    assert final.value.http_status == 409
    data2 = globus_sdk.TransferData(
        source_endpoint=SCRATCH_ID,
        destination_endpoint=SCRATCH_ID,
        deadline="2001-01-01T00:00:00+00:00",
    )
    data2.add_item("/~/datasets/README.txt", "/~/readme2.txt")
    with pytest.raises(globus_sdk.TransferAPIError) as past:
        demo.submit_transfer(data2)
    assert past.value.http_status == 400


def test_listing_the_large_folders_builds_them_first(
    demo: globus_sdk.TransferClient, sim: RunningSim, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = sim.ctx.world
    scratch = world.collections[SCRATCH_ID].root
    built: list[str] = []

    def small_big_folder() -> Path:
        folder = scratch / BIG_FOLDER_PATH.strip("/")
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(1500):
            (folder / f"entry_{i:06d}.dat").touch()
        built.append("big")
        return folder

    def small_wide_tree() -> Path:
        top = scratch / WIDE_TREE_PATH.strip("/")
        (top / "group_00").mkdir(parents=True, exist_ok=True)
        built.append("wide")
        return top

    monkeypatch.setattr(world, "ensure_big_folder", small_big_folder)
    monkeypatch.setattr(world, "ensure_wide_tree", small_wide_tree)
    listing = demo.operation_ls(SCRATCH_ID, path=BIG_FOLDER_PATH, orderby="name DESC", limit=10)
    assert built == ["big"]
    assert listing["total"] == 1500 and listing["length"] == 10
    assert listing["DATA"][0]["name"] == "entry_001499.dat"
    assert [e["name"] for e in demo.operation_ls(SCRATCH_ID, path=WIDE_TREE_PATH)] == ["group_00"]
    assert built == ["big", "wide"]

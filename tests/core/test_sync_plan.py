"""Sync plans from real comparisons on the embedded service, and syncs actually run."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from gtui.core.compare import Comparison, Diff, Place
from gtui.core.compare_again import recompare_subtrees
from gtui.core.compare_walk import compare_folders
from gtui.core.sync_plan import PlanError, SyncPlan, plan_sync, size_words
from gtui.sim.world import LAPTOP_ID, SCRATCH_ID
from tests.core.tree_files import T0, write

LEFT = Place(LAPTOP_ID, "/home/demo/sync/")
RIGHT = Place(SCRATCH_ID, "/home/demo/sync/")


@pytest.fixture
def roots(sim) -> tuple[Path, Path]:
    world = sim.ctx.world
    left = world.collections[LAPTOP_ID].root / "home/demo/sync"
    right = world.collections[SCRATCH_ID].root / "home/demo/sync"
    left.mkdir(parents=True)
    right.mkdir(parents=True)
    return left, right


def mixed_trees(left: Path, right: Path) -> None:
    """One entry of every class, on both sides."""
    for root in (left, right):
        write(root / "same.txt", "same")
        write(root / "shared/kept.txt", "same")
    write(left / "only-left.txt", "L")
    write(left / "shared/left-new.txt", "LL")
    write(left / "new-left/a.txt", "aaa")
    write(left / "new-left/sub/b.txt", "bbbb")
    write(right / "only-right.txt", "RRRRR")
    write(right / "extra-right/c.txt", "cccccc")
    write(right / "extra-right/d/e.txt", "e")
    write(left / "newer.txt", "newer", mtime=T0 + 60)
    write(right / "newer.txt", "old", mtime=T0)
    write(left / "older.txt", "old", mtime=T0)
    write(right / "older.txt", "newer!", mtime=T0 + 60)
    write(left / "resized.txt", "short")
    write(right / "resized.txt", "much longer")
    write(left / "clash", "a file")
    write(right / "clash/inside.txt", "in a folder")
    (left / "link.txt").symlink_to("same.txt")


def items(plan: SyncPlan) -> set[tuple[str, str, bool]]:
    assert plan.transfer is not None
    return {
        (i["source_path"], i["destination_path"], i["recursive"]) for i in plan.transfer["DATA"]
    }


def delete_paths(plan: SyncPlan) -> set[str]:
    assert plan.deletes is not None
    return {item["path"] for item in plan.deletes["DATA"]}


async def compared(client: Any) -> Comparison:
    return await compare_folders(client, LEFT, RIGHT)


async def test_left_to_right_copies_exactly_what_differs(sim_transfer, roots) -> None:
    mixed_trees(*roots)
    comparison = await compared(sim_transfer)

    plan = plan_sync(comparison, "left_to_right", label="nightly")

    left, right = "/home/demo/sync/", "/home/demo/sync/"
    assert items(plan) == {
        (f"{left}only-left.txt", f"{right}only-left.txt", False),
        (f"{left}shared/left-new.txt", f"{right}shared/left-new.txt", False),
        (f"{left}new-left/", f"{right}new-left/", True),
        (f"{left}newer.txt", f"{right}newer.txt", False),
        (f"{left}older.txt", f"{right}older.txt", False),
        (f"{left}resized.txt", f"{right}resized.txt", False),
    }
    transfer = plan.transfer
    assert transfer is not None
    assert transfer["source_endpoint"] == LAPTOP_ID
    assert transfer["destination_endpoint"] == SCRATCH_ID
    assert "sync_level" not in transfer and transfer["preserve_timestamp"] is True
    assert transfer["label"] == "nightly" and "delete_destination_extra" not in transfer
    assert plan.files == 7 and plan.bytes == 1 + 2 + 3 + 4 + 5 + 3 + 5
    assert plan.folders_created == 2  # new-left and new-left/sub
    assert plan.deletes is None and plan.delete_count == 0
    assert plan.kept_extra == 1 + 3 + 1  # only-right.txt, extra-right/ and its two entries
    assert plan.skipped == {Diff.TYPE_CONFLICT: 2, Diff.NOT_COMPARABLE: 1}
    assert plan.touched == [""]  # a file at the top: the whole tree is compared again


async def test_right_to_left_copies_the_other_way(sim_transfer, roots) -> None:
    mixed_trees(*roots)
    comparison = await compared(sim_transfer)

    plan = plan_sync(comparison, "right_to_left")

    path = "/home/demo/sync/"
    assert items(plan) == {
        (f"{path}only-right.txt", f"{path}only-right.txt", False),
        (f"{path}extra-right/", f"{path}extra-right/", True),
        (f"{path}newer.txt", f"{path}newer.txt", False),
        (f"{path}older.txt", f"{path}older.txt", False),
        (f"{path}resized.txt", f"{path}resized.txt", False),
    }
    assert plan.transfer is not None and plan.transfer["source_endpoint"] == SCRATCH_ID
    assert plan.files == 6 and plan.bytes == 5 + 6 + 1 + 3 + 6 + 11
    assert plan.folders_created == 2
    assert plan.kept_extra == 1 + 1 + 4  # only-left, left-new, new-left/ (4 rows)
    assert plan.skipped == {Diff.TYPE_CONFLICT: 2, Diff.NOT_COMPARABLE: 1}


async def test_delete_extra_deletes_only_what_is_only_on_the_destination(
    sim_transfer, roots
) -> None:
    mixed_trees(*roots)
    comparison = await compared(sim_transfer)

    forward = plan_sync(comparison, "left_to_right", delete_extra=True)
    backward = plan_sync(comparison, "right_to_left", delete_extra=True)

    assert forward.deletes is not None
    assert forward.deletes["endpoint"] == SCRATCH_ID and forward.deletes["recursive"] is True
    assert delete_paths(forward) == {
        "/home/demo/sync/only-right.txt",
        "/home/demo/sync/extra-right/",
    }
    assert forward.delete_paths == ["extra-right/", "only-right.txt"]
    assert forward.delete_count == 1 + 4 and forward.delete_files == 3
    assert forward.delete_bytes == 5 + 6 + 1 and forward.kept_extra == 0
    assert backward.deletes is not None and backward.deletes["endpoint"] == LAPTOP_ID
    # The link is not comparable: never deleted, like it is never copied.
    assert delete_paths(backward) == {
        "/home/demo/sync/new-left/",
        "/home/demo/sync/only-left.txt",
        "/home/demo/sync/shared/left-new.txt",
    }
    assert backward.skipped == {Diff.TYPE_CONFLICT: 2, Diff.NOT_COMPARABLE: 1}


async def test_a_selection_plans_only_the_chosen_rows(sim_transfer, roots) -> None:
    mixed_trees(*roots)
    comparison = await compared(sim_transfer)
    chosen = [comparison.index_of(name) for name in ("shared", "new-left/sub", "extra-right")]

    plan = plan_sync(
        comparison,
        "left_to_right",
        selection=[i for i in chosen if i is not None],
        delete_extra=True,
    )

    path = "/home/demo/sync/"
    assert items(plan) == {
        (f"{path}shared/left-new.txt", f"{path}shared/left-new.txt", False),
        (f"{path}new-left/sub/", f"{path}new-left/sub/", True),
    }
    assert delete_paths(plan) == {f"{path}extra-right/"}
    assert plan.files == 2 and plan.bytes == 2 + 4
    assert plan.folders_created == 2  # new-left/sub/ and, to hold it, new-left/
    assert plan.touched == ["extra-right", "new-left/sub", "shared"]


async def test_a_folder_with_an_unlistable_part_is_never_copied_or_deleted_whole(
    sim, sim_transfer, roots
) -> None:
    left, right = roots
    write(left / "partly/ok.txt", "ok")
    write(left / "partly/locked/secret.txt", "s")
    write(right / "stale/ok.txt", "ok")
    write(right / "stale/locked/unseen.txt", "u")
    sim.settings.faults.denied_paths = [
        f"{LAPTOP_ID}:/home/demo/sync/partly/locked/",
        f"{SCRATCH_ID}:/home/demo/sync/stale/locked/",
    ]
    comparison = await compared(sim_transfer)

    plan = plan_sync(comparison, "left_to_right", delete_extra=True)

    path = "/home/demo/sync/"
    assert items(plan) == {(f"{path}partly/ok.txt", f"{path}partly/ok.txt", False)}
    assert delete_paths(plan) == {f"{path}stale/ok.txt"}
    assert plan.folders_created == 1  # partly/, made by its file's copy
    assert plan.skipped == {Diff.NOT_COMPARABLE: 2}


async def test_a_missing_source_plans_nothing_rather_than_deleting_everything(
    sim_transfer, roots
) -> None:
    write(roots[1] / "precious.txt")
    comparison = await compare_folders(sim_transfer, Place(LAPTOP_ID, "/home/demo/typo/"), RIGHT)

    with pytest.raises(PlanError, match="does not exist"):
        plan_sync(comparison, "left_to_right", delete_extra=True)
    with pytest.raises(ValueError, match="direction"):
        plan_sync(comparison, "sideways")  # type: ignore[arg-type]


async def test_equal_folders_plan_nothing(sim_transfer, roots) -> None:
    for root in roots:
        write(root / "a/b.txt")
    plan = plan_sync(await compared(sim_transfer), "left_to_right", delete_extra=True)

    assert plan.is_empty and plan.files == 0
    assert plan.preview_lines() == [
        "Nothing to copy.",
        "Sizes and modification times were compared, not contents.",
    ]


async def test_the_preview_names_counts_bytes_and_what_is_deleted(sim_transfer, roots) -> None:
    mixed_trees(*roots)
    plan = plan_sync(await compared(sim_transfer), "left_to_right", delete_extra=True)

    assert plan.preview_lines(max_deletes=1) == [
        "Copy 7 files (23 B), creating 2 folders, to /home/demo/sync/",
        "Delete 5 entries (3 files, 12 B) found only in /home/demo/sync/:",
        "  - extra-right/",
        "  … and 1 more",
        "Skip 2 entries: a file on one side and a folder on the other.",
        "Skip 1 entry: links, or in folders that could not be listed.",
        "Sizes and modification times were compared, not contents.",
    ]
    assert size_words(3_200_000_000) == "3.2 GB" and size_words(999) == "999 B"


async def wait_for(client: Any, task_id: str, timeout: float = 60) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        task = (await client.get_task(task_id)).data
        if task["status"] in ("SUCCEEDED", "FAILED"):
            return dict(task)
        await asyncio.sleep(0.1)
    raise AssertionError(f"task {task_id} did not end")


@pytest.mark.parametrize("direction", ["left_to_right", "right_to_left"])
async def test_a_sync_run_on_the_service_leaves_the_folders_equal(
    sim_transfer, roots, direction
) -> None:
    left, right = roots
    for root in roots:
        write(root / "same.txt", "same")
    write(left / "only-left.txt", "L")
    write(left / "new-left/sub/b.txt", "bbbb")
    write(right / "only-right.txt", "RRRRR")
    write(right / "extra-right/d/e.txt", "e")
    write(left / "newer.txt", "newer", mtime=T0 + 60)
    write(right / "newer.txt", "old", mtime=T0)
    write(left / "resized.txt", "short")
    write(right / "resized.txt", "much longer")
    before = await compared(sim_transfer)
    plan = plan_sync(before, direction, delete_extra=True, label="gtui sync test")
    assert plan.transfer is not None and plan.deletes is not None

    for document, submit in (
        (plan.transfer, sim_transfer.submit_transfer),
        (plan.deletes, sim_transfer.submit_delete),
    ):
        answer = await submit(document)
        assert document["submission_id"]
        assert (await wait_for(sim_transfer, answer["task_id"]))["status"] == "SUCCEEDED"

    closed = await recompare_subtrees(sim_transfer, before, plan.touched)
    fresh = await compared(sim_transfer)
    assert fresh.is_equal(), [
        (n, Diff(d)) for n, d in zip(fresh.names, fresh.diff, strict=True) if d
    ]
    assert closed.is_equal() and closed.names == fresh.names
    assert plan_sync(fresh, direction, delete_extra=True).is_empty


async def test_a_sync_into_a_missing_folder_creates_it(sim_transfer, roots) -> None:
    write(roots[0] / "a/b.txt", "b")
    write(roots[0] / "top.txt", "t")
    target = Place(SCRATCH_ID, "/home/demo/fresh/")
    before = await compare_folders(sim_transfer, LEFT, target)

    plan = plan_sync(before, "left_to_right")
    answer = await sim_transfer.submit_transfer(plan.transfer)
    assert (await wait_for(sim_transfer, answer["task_id"]))["status"] == "SUCCEEDED"

    assert plan.folders_created == 2  # fresh/ and fresh/a/
    assert (await compare_folders(sim_transfer, LEFT, target)).is_equal()


async def test_files_the_sync_skipped_stay_different_after_the_recompare(
    sim, sim_transfer, roots
) -> None:
    """Closing the loop honestly: files the task could not read (a folder refused after the
    compare) are skipped by it, and the recompare still shows them as not the same while
    everything copied shows the same."""
    left, _right = roots
    write(left / "good.txt", "good")
    write(left / "new/fine.txt", "fine")
    write(left / "new/locked/secret.txt", "secret")
    before = await compared(sim_transfer)
    plan = plan_sync(before, "left_to_right")
    assert plan.transfer is not None
    plan.transfer["skip_source_errors"] = True
    sim.settings.faults.denied_paths.append(f"{LAPTOP_ID}:/home/demo/sync/new/locked/")

    answer = await sim_transfer.submit_transfer(plan.transfer)
    task = await wait_for(sim_transfer, answer["task_id"])
    assert task["status"] == "SUCCEEDED", task
    assert task["subtasks_skipped_errors"] >= 1, task

    closed = await recompare_subtrees(sim_transfer, before, plan.touched)
    found = {name: Diff(d) for name, d in zip(closed.names, closed.diff, strict=True)}
    assert found["good.txt"] == Diff.SAME
    assert found["new/fine.txt"] == Diff.SAME
    # The refused folder cannot be listed now either: it is marked, never shown as the same.
    assert found["new/locked"] == Diff.NOT_COMPARABLE, found
    assert found.get("new/locked/secret.txt", Diff.NOT_COMPARABLE) != Diff.SAME
    assert not (roots[1] / "new/locked/secret.txt").exists()
    assert not closed.is_equal()

"""Comparing two folder trees on the embedded service, with real files on disk."""

from __future__ import annotations

import asyncio
import gc
import threading
import time
import unicodedata
from pathlib import Path

import pytest

from gtui.core.compare import (
    ABSENT,
    FILE,
    FOLDER,
    LINK,
    CompareProgress,
    Comparison,
    Diff,
    Place,
    minimal_folders,
    tree_key,
)
from gtui.core.compare_again import recompare_subtrees
from gtui.core.compare_walk import compare_folders
from gtui.core.recursive import RateLimiter
from gtui.sim.world import LAPTOP_ID, SCRATCH_ID
from tests.core.tree_files import T0, write

LEFT = Place(LAPTOP_ID, "/home/demo/cmp/")
RIGHT = Place(SCRATCH_ID, "/home/demo/cmp/")


@pytest.fixture
def roots(sim) -> tuple[Path, Path]:
    """The compared folders on disk: ``cmp`` in the laptop's and in the scratch's home."""
    world = sim.ctx.world
    left = world.collections[LAPTOP_ID].root / "home/demo/cmp"
    right = world.collections[SCRATCH_ID].root / "home/demo/cmp"
    left.mkdir(parents=True)
    right.mkdir(parents=True)
    return left, right


def classes(comparison: Comparison) -> dict[str, Diff]:
    return {name: Diff(d) for name, d in zip(comparison.names, comparison.diff, strict=True)}


async def test_every_class_of_difference_is_found(sim_transfer, roots) -> None:
    left, right = roots
    for root in roots:
        write(root / "same.txt", "same")
        write(root / "folder/inner.txt", "same")
        write(root / "folder/deeper/leaf.txt", "same")
    write(left / "only-left.txt", "l")
    write(right / "only-right.txt", "r")
    write(left / "new-left/a.txt", "aaa")
    write(left / "new-left/sub/b.txt", "bb")
    write(right / "new-right/c.txt", "cccc")
    write(left / "newer.txt", "newer", mtime=T0 + 60)
    write(right / "newer.txt", "old", mtime=T0)
    write(left / "older.txt", "old", mtime=T0)
    write(right / "older.txt", "newer!", mtime=T0 + 60)
    write(left / "resized.txt", "short")
    write(right / "resized.txt", "much longer")
    write(left / "clash", "a file")
    write(right / "clash/inside.txt", "in a folder")

    result = await compare_folders(sim_transfer, LEFT, RIGHT)

    assert classes(result) == {
        "clash": Diff.TYPE_CONFLICT,
        "clash/inside.txt": Diff.TYPE_CONFLICT,
        "folder": Diff.SAME,
        "folder/deeper": Diff.SAME,
        "folder/deeper/leaf.txt": Diff.SAME,
        "folder/inner.txt": Diff.SAME,
        "new-left": Diff.ONLY_LEFT,
        "new-left/a.txt": Diff.ONLY_LEFT,
        "new-left/sub": Diff.ONLY_LEFT,
        "new-left/sub/b.txt": Diff.ONLY_LEFT,
        "new-right": Diff.ONLY_RIGHT,
        "new-right/c.txt": Diff.ONLY_RIGHT,
        "newer.txt": Diff.NEWER_LEFT,
        "older.txt": Diff.NEWER_RIGHT,
        "only-left.txt": Diff.ONLY_LEFT,
        "only-right.txt": Diff.ONLY_RIGHT,
        "resized.txt": Diff.SIZE_DIFFERS,
        "same.txt": Diff.SAME,
    }
    assert result.errors == [] and not result.is_equal()
    totals = result.totals()
    assert totals[Diff.ONLY_LEFT] == (3, 1 + 3 + 2)
    assert totals[Diff.ONLY_RIGHT] == (2, 1 + 4)
    assert totals[Diff.NEWER_LEFT] == (1, 5) and totals[Diff.NEWER_RIGHT] == (1, 6)
    assert totals[Diff.SIZE_DIFFERS] == (1, 5)
    assert totals[Diff.SAME] == (3, 12)
    clash = result.index_of("clash")
    assert clash is not None
    assert (result.left_kind[clash], result.right_kind[clash]) == (FILE, FOLDER)
    only_right = result.index_of("only-right.txt")
    assert only_right is not None
    assert result.left_kind[only_right] == ABSENT and result.left_size[only_right] == -1
    assert result.right_size[only_right] == 1 and result.right_mtime[only_right] == T0


async def test_names_are_in_tree_order_a_folder_before_its_contents(sim_transfer, roots) -> None:
    left, right = roots
    for name in ("a/c.txt", "a-b.txt", "a/b/z.txt", "B.txt", "a.txt"):
        write(left / name)
    write(right / "a/b/y.txt")

    result = await compare_folders(sim_transfer, LEFT, RIGHT)

    assert result.names == ["B.txt", "a", "a/b", "a/b/y.txt", "a/b/z.txt", "a/c.txt"] + [
        "a-b.txt",
        "a.txt",
    ]
    assert result.names == sorted(result.names, key=tree_key)
    a = result.index_of("a")
    assert a == 1 and result.subtree_end(a) == 6
    assert result.index_of("a/b/") == 2 and result.index_of("nope") is None
    assert result.parent_index(3) == 2 and result.parent_index(a) is None
    assert result.totals(range(a, result.subtree_end(a)))[Diff.ONLY_LEFT] == (2, 2)


async def test_identical_trees_are_equal(sim_transfer, roots) -> None:
    for root in roots:
        write(root / "x/y/z.txt", "same")
        write(root / "top.txt", "same")

    result = await compare_folders(sim_transfer, LEFT, RIGHT)

    assert result.is_equal()
    assert result.counts()[Diff.SAME] == 4


async def test_modification_times_within_one_second_are_the_same(sim_transfer, roots) -> None:
    left, right = roots
    write(left / "edge.txt", mtime=T0)
    write(right / "edge.txt", mtime=T0 + 1)
    write(left / "beyond.txt", mtime=T0)
    write(right / "beyond.txt", mtime=T0 + 2)
    write(left / "fraction.txt", mtime=T0 + 0.9)
    write(right / "fraction.txt", mtime=T0)

    result = await compare_folders(sim_transfer, LEFT, RIGHT)

    assert classes(result) == {
        "beyond.txt": Diff.NEWER_RIGHT,
        "edge.txt": Diff.SAME,
        "fraction.txt": Diff.SAME,
    }


async def test_a_size_difference_at_the_same_time_is_its_own_class(sim_transfer, roots) -> None:
    left, right = roots
    write(left / "data.bin", "12345", mtime=T0)
    write(right / "data.bin", "1234", mtime=T0 + 1)

    result = await compare_folders(sim_transfer, LEFT, RIGHT)

    assert classes(result) == {"data.bin": Diff.SIZE_DIFFERS}
    assert result.totals()[Diff.SIZE_DIFFERS] == (1, 5)


async def test_names_differing_only_by_case_are_different_entries(sim_transfer, roots) -> None:
    left, right = roots
    write(left / "Report.txt")
    write(right / "report.txt")
    write(left / "DATA/a.txt")
    write(right / "data/a.txt")

    result = await compare_folders(sim_transfer, LEFT, RIGHT)

    assert classes(result) == {
        "DATA": Diff.ONLY_LEFT,
        "DATA/a.txt": Diff.ONLY_LEFT,
        "Report.txt": Diff.ONLY_LEFT,
        "data": Diff.ONLY_RIGHT,
        "data/a.txt": Diff.ONLY_RIGHT,
        "report.txt": Diff.ONLY_RIGHT,
    }


async def test_unicode_nfc_and_nfd_spellings_are_different_names(sim_transfer, roots) -> None:
    left, right = roots
    nfc = unicodedata.normalize("NFC", "café.txt")
    nfd = unicodedata.normalize("NFD", "café.txt")
    assert nfc != nfd
    write(left / nfc)
    write(right / nfd)
    write(left / "naïve/日本語.txt")
    write(right / "naïve/日本語.txt")

    result = await compare_folders(sim_transfer, LEFT, RIGHT)

    found = classes(result)
    assert found[nfc] == Diff.ONLY_LEFT and found[nfd] == Diff.ONLY_RIGHT
    assert found["naïve/日本語.txt"] == Diff.SAME
    assert result.index_of(nfd) is not None and result.index_of(nfc) != result.index_of(nfd)


async def test_links_on_either_side_are_not_comparable(sim_transfer, roots) -> None:
    left, right = roots
    write(left / "target.txt", "t")
    write(right / "target.txt", "t")
    (left / "link.txt").symlink_to("target.txt")
    write(right / "link.txt", "t")
    (left / "dangling").symlink_to("missing-target")
    (right / "folder-link").symlink_to(".", target_is_directory=True)
    write(left / "folder-link/inside.txt")

    result = await compare_folders(sim_transfer, LEFT, RIGHT)

    found = classes(result)
    assert found["target.txt"] == Diff.SAME
    for name in ("link.txt", "dangling", "folder-link", "folder-link/inside.txt"):
        assert found[name] == Diff.NOT_COMPARABLE, name
    link = result.index_of("link.txt")
    assert link is not None and result.left_kind[link] == LINK
    assert result.right_kind[link] == FILE
    # A link counts as a file, even one to a folder (the right's folder-link).
    assert result.totals()[Diff.NOT_COMPARABLE][0] == 4


async def test_a_folder_that_cannot_be_listed_makes_the_other_side_not_comparable(
    sim, sim_transfer, roots
) -> None:
    left, right = roots
    for root in roots:
        write(root / "open/a.txt")
        write(root / "locked/same.txt")
    write(right / "locked/only-right.txt")
    write(right / "locked/deeper/more.txt")
    sim.settings.faults.denied_paths = [f"{LAPTOP_ID}:/home/demo/cmp/locked/"]

    result = await compare_folders(sim_transfer, LEFT, RIGHT)

    found = classes(result)
    assert found["open/a.txt"] == Diff.SAME
    for name in ("locked", "locked/same.txt", "locked/only-right.txt", "locked/deeper"):
        assert found[name] == Diff.NOT_COMPARABLE, name
    assert found["locked/deeper/more.txt"] == Diff.NOT_COMPARABLE
    assert [(e.side, e.rel_path) for e in result.errors] == [("left", "locked")]
    assert "not allowed" in result.errors[0].message
    assert result.errors[0].code == "EndpointPermissionDenied"
    assert not result.is_equal()


async def test_a_compared_folder_that_cannot_be_listed_leaves_nothing_comparable(
    sim, sim_transfer, roots
) -> None:
    write(roots[1] / "a.txt")
    sim.settings.faults.denied_paths = [f"{LAPTOP_ID}:/home/demo/cmp/"]

    result = await compare_folders(sim_transfer, LEFT, RIGHT)

    assert classes(result) == {"a.txt": Diff.NOT_COMPARABLE}
    assert [(e.side, e.rel_path) for e in result.errors] == [("left", "")]
    assert result.left_exists and not result.is_equal()


async def test_a_missing_destination_is_an_empty_side_not_an_error(sim_transfer, roots) -> None:
    write(roots[0] / "sub/a.txt", "abc")

    result = await compare_folders(sim_transfer, LEFT, Place(SCRATCH_ID, "/home/demo/new"))

    assert classes(result) == {"sub": Diff.ONLY_LEFT, "sub/a.txt": Diff.ONLY_LEFT}
    assert result.errors == [] and not result.right_exists and result.left_exists
    assert result.right.path == "/home/demo/new/"


async def test_folders_beyond_max_depth_are_not_compared_blind(sim_transfer, roots) -> None:
    for root in roots:
        write(root / "a/b/c/deep.txt")
    write(roots[1] / "a/b/c/other.txt")

    result = await compare_folders(sim_transfer, LEFT, RIGHT, max_depth=1)

    assert classes(result) == {"a": Diff.SAME, "a/b": Diff.NOT_COMPARABLE}
    assert {(e.side, e.rel_path) for e in result.errors} == {("left", "a/b"), ("right", "a/b")}


async def test_progress_is_reported_and_ends_done(sim_transfer, roots) -> None:
    for number in range(30):
        write(roots[0] / f"f{number % 3}/{number}.txt")
    write(roots[1] / "r.txt")
    seen: list[CompareProgress] = []

    result = await compare_folders(
        sim_transfer, LEFT, RIGHT, on_progress=seen.append, rate_limiter=RateLimiter(100)
    )

    assert len(result) == 34
    assert seen[-1] == CompareProgress(folders=(4, 1), entries=(33, 1), done=True)
    assert all(not p.done for p in seen[:-1])


async def test_cancelling_the_compare_cancels_both_walks() -> None:
    started: list[str] = []
    cancelled: list[str] = []

    class SlowClient:
        async def operation_ls(self, endpoint_id: str, path: str, **_: object) -> object:
            started.append(endpoint_id)
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                cancelled.append(endpoint_id)
                raise
            raise AssertionError("not reached")

    task = asyncio.create_task(compare_folders(SlowClient(), Place("L", "/"), Place("R", "/")))
    while len(started) < 2:
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert sorted(cancelled) == ["L", "R"]


async def test_a_failure_that_ends_one_walk_ends_the_other() -> None:
    from gtui.core.errors import LoginRequired

    cancelled: list[str] = []

    class Client:
        async def operation_ls(self, endpoint_id: str, path: str, **_: object) -> object:
            if endpoint_id == "L":
                raise LoginRequired()
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                cancelled.append(endpoint_id)
                raise
            raise AssertionError("not reached")

    with pytest.raises(LoginRequired):
        await compare_folders(Client(), Place("L", "/"), Place("R", "/"))
    assert cancelled == ["R"]


def test_minimal_folders_drops_folders_inside_others() -> None:
    assert minimal_folders(["a/b", "a", "c/", "a-b", "c/d"]) == ["a", "a-b", "c"]
    assert minimal_folders(["x", ""]) == [""]


async def test_recompare_replaces_only_the_walked_subtrees(sim_transfer, roots) -> None:
    left, right = roots
    for root in roots:
        write(root / "keep/same.txt")
        write(root / "work/same.txt")
    write(left / "keep/only-left.txt")
    write(left / "work/copy-me.txt", "copy")
    write(left / "work/new/inside.txt", "new")
    write(left / "brand/new/deep.txt", "deep")
    before = await compare_folders(sim_transfer, LEFT, RIGHT)
    assert classes(before)["brand"] == Diff.ONLY_LEFT

    # What a sync of "work" and "brand/new" would leave behind, done on disk.
    write(right / "work/copy-me.txt", "copy")
    write(right / "work/new/inside.txt", "new")
    write(right / "brand/new/deep.txt", "deep")
    write(right / "keep/unseen.txt")  # outside the re-walked folders: not seen
    after = await recompare_subtrees(sim_transfer, before, ["work", "brand/new", "work/new"])

    found = classes(after)
    assert found["work/copy-me.txt"] == Diff.SAME and found["work/new/inside.txt"] == Diff.SAME
    assert found["brand/new"] == Diff.SAME and found["brand/new/deep.txt"] == Diff.SAME
    assert found["brand"] == Diff.SAME  # the copied folder's parent exists on the right now
    assert found["keep/only-left.txt"] == Diff.ONLY_LEFT and "keep/unseen.txt" not in found
    assert after.names == sorted(after.names, key=tree_key)
    assert classes(before)["work/copy-me.txt"] == Diff.ONLY_LEFT  # the old one is untouched
    assert after.totals()[Diff.ONLY_LEFT] == (1, 1)


async def test_recompare_drops_a_folder_gone_from_both_sides_and_keeps_errors_apart(
    sim, sim_transfer, roots
) -> None:
    left, right = roots
    write(right / "extra/x.txt")
    write(left / "locked/a.txt")
    write(right / "locked/a.txt")
    sim.settings.faults.denied_paths = [f"{SCRATCH_ID}:/home/demo/cmp/locked/"]
    before = await compare_folders(sim_transfer, LEFT, RIGHT)
    assert [(e.side, e.rel_path) for e in before.errors] == [("right", "locked")]

    (right / "extra/x.txt").unlink()
    (right / "extra").rmdir()
    sim.settings.faults.denied_paths = []
    after = await recompare_subtrees(sim_transfer, before, ["extra", "locked"])

    assert classes(after) == {"locked": Diff.SAME, "locked/a.txt": Diff.SAME}
    assert after.errors == [] and after.is_equal()


async def test_recompare_keeps_a_type_conflict_and_a_link_what_they_were(
    sim_transfer, roots
) -> None:
    left, right = roots
    write(left / "clash", "a file")
    write(right / "clash/x.txt")
    (left / "linked").symlink_to(".", target_is_directory=True)
    write(right / "linked/y.txt")
    write(right / "top.txt")
    before = await compare_folders(sim_transfer, LEFT, RIGHT)

    after = await recompare_subtrees(sim_transfer, before, ["clash", "linked"])

    assert classes(after)["clash"] == Diff.TYPE_CONFLICT
    assert classes(after)["clash/x.txt"] == Diff.TYPE_CONFLICT
    assert classes(after)["linked"] == Diff.NOT_COMPARABLE
    assert classes(after)["linked/y.txt"] == Diff.NOT_COMPARABLE
    clash = after.index_of("clash")
    assert clash is not None and after.left_kind[clash] == FILE and after.errors == []


async def test_recompare_of_everything_is_a_new_compare(sim_transfer, roots) -> None:
    write(roots[0] / "a.txt")
    before = await compare_folders(sim_transfer, LEFT, RIGHT)
    write(roots[1] / "a.txt")

    after = await recompare_subtrees(sim_transfer, before, ["a.txt"])

    assert after.is_equal()


def _columns_size(comparison: Comparison) -> int:
    import sys

    total = sys.getsizeof(comparison.names) + sum(sys.getsizeof(n) for n in comparison.names)
    for column in (comparison.diff, comparison.left_size, comparison.left_mtime):
        total += sys.getsizeof(column) * 2
    return total


class LoopMeter:
    """The longest step of the event loop, in the loop thread's own CPU time (other threads
    of a busy test run do not count), less any garbage collection during it: a full
    collection visits everything alive in the process, whatever code triggered it."""

    def __init__(self) -> None:
        self.thread = threading.get_ident()
        self.longest = 0.0
        self.collecting = 0.0
        self._started = 0.0

    def on_gc(self, phase: str, info: dict[str, int]) -> None:
        if threading.get_ident() != self.thread:
            return
        if phase == "start":
            self._started = time.thread_time()
        else:
            self.collecting += time.thread_time() - self._started

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        run = asyncio.Handle._run

        def timed(handle: asyncio.Handle) -> None:
            start, collected = time.thread_time(), self.collecting
            try:
                run(handle)
            finally:
                spent = time.thread_time() - start - (self.collecting - collected)
                self.longest = max(self.longest, spent)

        monkeypatch.setattr(asyncio.Handle, "_run", timed)
        gc.callbacks.append(self.on_gc)  # the interpreter's own list: added to, not replaced

    def remove(self) -> None:
        gc.callbacks.remove(self.on_gc)


@pytest.mark.slow
async def test_a_big_compare_keeps_the_loop_responsive_and_small(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """40,000 entries a side from a fake client: no step holds the loop long, memory is low."""
    per_folder, folders = 200, 200

    class Client:
        async def operation_ls(self, endpoint_id: str, path: str, **_: object) -> object:
            await asyncio.sleep(0.001)
            if path == "/":
                data = [{"name": f"d{n:03}", "type": "dir", "size": 0} for n in range(folders)]
            else:
                stamp = "2024-01-01 00:00:00+00:00"
                data = [
                    {"name": f"f{n:03}.dat", "type": "file", "size": n, "last_modified": stamp}
                    for n in range(per_folder)
                ]
                if endpoint_id == "R" and path.rstrip("/").endswith("d007"):
                    data[0]["size"] = 999
            return _Page({"path": path, "DATA": data, "total": len(data)})

    stalls: list[float] = []

    async def watch() -> None:
        while True:
            before = time.perf_counter()
            await asyncio.sleep(0.005)
            stalls.append(time.perf_counter() - before - 0.005)

    meter = LoopMeter()
    meter.install(monkeypatch)
    watcher = asyncio.create_task(watch())
    try:
        result = await compare_folders(Client(), Place("L", "/"), Place("R", "/"))
    finally:
        watcher.cancel()
        meter.remove()

    assert len(result) == folders * (per_folder + 1)
    assert result.counts()[Diff.SIZE_DIFFERS] == 1
    assert meter.longest < 0.02, meter.longest
    assert max(stalls) < 1.0, max(stalls)  # the merge thread never holds the interpreter long
    assert _columns_size(result) < 10_000_000


class _Page(dict[str, object]):
    """An ls answer as the walk reads it (``get``)."""

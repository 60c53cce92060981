"""The Transfer store: what it keeps across a reopen, and its writes from several threads."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from gtui.sim.errors import SimAPIError
from gtui.sim.transfer import history
from gtui.sim.transfer.bookmark_store import BookmarkStore
from gtui.sim.transfer.store import TransferStore
from tests.sim.store_support import finish, make_task, open_store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[TransferStore]:
    opened = open_store(tmp_path / "service.db")
    yield opened
    opened.db.close()


def test_the_store_keeps_tasks_and_bookmarks_across_a_reopen(tmp_path: Path) -> None:
    path = tmp_path / "service.db"
    store = open_store(path)
    task, created = store.add_task(make_task("a", "kept"))
    assert created
    resubmitted = make_task("b", "same submission")
    resubmitted.submission_id = task.submission_id
    again, created_again = store.add_task(resubmitted)
    assert not created_again and again.task_id == "a"
    task.add_event("STARTED", "started")
    for i in range(250):
        task.add_successful(f"/src/{i}", f"/dst/{i}")
    finish(store, task)
    running, _ = store.add_task(make_task("r", "running"))
    running.add_event("STARTED", "started")
    store.flush()
    BookmarkStore(store.db).put_bookmark(
        "me", {"name": "home", "endpoint_id": "x", "path": "/~/", "pinned": False}
    )
    store.db.close()

    loaded = open_store(path)
    loaded.load_live()
    try:
        assert set(loaded.live) == {"r"}, "only running tasks are kept in memory"
        assert loaded.live["r"].counts["events"] == 1
        restored = loaded.task_for("me", "a")
        assert restored.doc["label"] == "kept" and restored.status == "SUCCEEDED"
        events, total = history.event_page(loaded, restored, None, 10, 0)
        assert total == 1 and events[0]["code"] == "STARTED"
        pages = [history.record_page(loaded, restored, "successful", m, 100) for m in (0, 100, 200)]
        assert [(len(page), marker) for page, marker in pages] == [
            (100, 100),
            (100, 200),
            (50, None),
        ]
        assert pages[2][0][-1] == {
            "DATA_TYPE": "successful_transfer",
            "source_path": "/src/249",
            "destination_path": "/dst/249",
        }
        assert [b["name"] for b in BookmarkStore(loaded.db).bookmarks_of("me")] == ["home"]
        duplicate, fresh = loaded.add_task(make_task("c", "again"))
        assert fresh and duplicate.task_id == "c" and duplicate.sequence == 3
        with pytest.raises(SimAPIError) as info:
            loaded.task_for("someone-else", "a")
        assert info.value.status == 404
    finally:
        loaded.db.close()


def test_records_made_while_other_threads_write_are_all_kept_once_and_in_order(
    store: TransferStore,
) -> None:
    """Copy threads record files while the flusher and requests write: none lost, none twice."""
    task, _ = store.add_task(make_task("busy", "busy"))
    copiers_done = threading.Event()

    def copy(first: int) -> None:
        for i in range(first, first + 2_000):
            task.add_successful(f"/src/{i}", f"/dst/{i}")
            task.mark_changed()

    def flush_until_done() -> None:
        while not copiers_done.is_set():
            store.flush()

    copiers = [threading.Thread(target=copy, args=(n * 2_000,)) for n in range(2)]
    flushers = [threading.Thread(target=flush_until_done) for _ in range(2)]
    for thread in [*copiers, *flushers]:
        thread.start()
    for _ in range(50):
        history.record_page(store, task, "successful", 0, 100)
    for thread in copiers:
        thread.join()
    copiers_done.set()
    for thread in flushers:
        thread.join()
    finish(store, task)

    found = store.db.connection().execute(
        "SELECT position, source_path FROM transfer_successful WHERE task = ? ORDER BY position",
        (task.sequence,),
    )
    rows = found.fetchall()
    assert [position for position, _ in rows] == list(range(4_000))
    assert sorted(int(path.rsplit("/", 1)[1]) for _, path in rows) == list(range(4_000))
    assert store.live == {} and store.task_for("me", "busy").status == "SUCCEEDED"


def test_a_finished_task_can_no_longer_be_changed(store: TransferStore) -> None:
    task, _ = store.add_task(make_task("t", "before"))
    assert store.update(task, {"label": "during"})
    assert store.task_for("me", "t").doc["label"] == "during"
    finish(store, task)
    assert not store.update(task, {"label": "after"})
    assert store.task_for("me", "t").doc["label"] == "during"


def test_bookmark_names_are_unique_per_user(store: TransferStore) -> None:
    marks = BookmarkStore(store.db)
    place = {"endpoint_id": "x", "path": "/~/", "pinned": False}
    first = marks.put_bookmark("me", {**place, "name": "home"})
    marks.put_bookmark("someone-else", {**place, "name": "home"})
    with pytest.raises(SimAPIError) as clash:
        marks.put_bookmark("me", {**place, "name": "home"})
    assert clash.value.status == 409
    renamed = marks.put_bookmark("me", {**first, "name": "house", "pinned": True})
    assert renamed == {**first, "name": "house", "pinned": True}
    with pytest.raises(SimAPIError):
        marks.bookmark_for("someone-else", first["id"])
    with pytest.raises(SimAPIError):
        marks.delete_bookmark("someone-else", first["id"])
    marks.delete_bookmark("me", first["id"])
    assert marks.bookmarks_of("me") == []

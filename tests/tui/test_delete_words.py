"""A delete task reads as what it removed, everywhere its files are worded: the queue row, the
task detail's summary and events. Transfer counts a delete's removals in ``files`` and
``directories`` and leaves ``files_transferred`` at 0, so worded as a transfer a finished delete
would read "0 of 2 files", as if nothing had gone."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from gtui.core.models import Task, TaskEvent
from gtui.core.tasks import derive_progress
from gtui.sim.world import LAPTOP_ID
from gtui.tui.format import deleted_words
from gtui.tui.screens.confirm import ConfirmScreen
from gtui.tui.screens.task_detail import TaskDetailScreen
from gtui.tui.task_events import event_sentence
from gtui.tui.task_summary import progress_line
from gtui.tui.widgets.task_columns import deleted_text
from gtui.tui.widgets.task_queue import TaskQueue
from tests.tui.test_task_detail_events import events_text, screen_text
from tests.tui.tui_helpers import collection_path, pane, ready, wait_for

WHEN = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)


def delete_task(**fields: Any) -> Task:
    doc: dict[str, Any] = {
        "task_id": "d1",
        "type": "DELETE",
        "status": "ACTIVE",
        "source_endpoint_display_name": "Demo Laptop",
        "request_time": WHEN.isoformat(),
        "bytes_transferred": 0,
        "files_transferred": 0,
    }
    doc.update(fields)
    return Task.from_api(doc)


def test_deleted_words_count_files_and_folders_removed() -> None:
    assert deleted_words(2, 1, finished=True) == "2 files, 1 folder deleted"
    assert deleted_words(1, 0, finished=True) == "1 file deleted"
    assert deleted_words(0, 3, finished=False) == "3 folders deleted so far"
    assert deleted_words(0, 0, finished=True) == "nothing deleted"
    assert deleted_words(0, 0, finished=False) == "nothing deleted yet"


def test_the_queue_cell_fits_the_column_and_never_reads_as_none_done() -> None:
    assert deleted_text(2, 0, finished=True, width=16) == "2 files deleted"
    assert deleted_text(1, 1, finished=True, width=16) == "1 file, 1 folder"
    assert deleted_text(2, 1, finished=True, width=16) == "3 deleted"
    assert deleted_text(0, 0, finished=False, width=16) == ""
    assert deleted_text(0, 0, finished=True, width=16) == "none deleted"


def test_a_succeeded_delete_reads_as_deleted_not_as_nothing_transferred() -> None:
    done = delete_task(
        status="SUCCEEDED", files=2, directories=1, subtasks_total=1, subtasks_succeeded=1
    )
    line = progress_line(done)
    assert line == "Succeeded · 100% · 2 files, 1 folder deleted"
    assert "0 B" not in line and "0 of" not in line


def test_a_running_deletes_progress_counts_its_items_not_its_files() -> None:
    # Two items submitted, one removed (with its 40 files): half way, not 0 % of 40 files.
    running = delete_task(
        files=40, directories=2, subtasks_total=2, subtasks_pending=1, subtasks_succeeded=1
    )
    progress = derive_progress(running)
    assert progress.basis == "subtasks" and progress.fraction == 0.5
    assert progress_line(running) == "Active · 50% · 40 files, 2 folders deleted so far"


def test_a_deletes_events_say_what_was_deleted() -> None:
    counts = {"bytes_transferred": 0, "files_transferred": 0, "files": 2, "directories": 1}
    succeeded = TaskEvent("SUCCEEDED", "succeeded", json.dumps(counts), False, WHEN)
    progress = TaskEvent("PROGRESS", "progress", json.dumps(counts), False, WHEN)
    assert (
        event_sentence(succeeded, finished=True, deleting=True)
        == "Task succeeded: 2 files, 1 folder deleted"
    )
    assert event_sentence(progress, deleting=True) == "Progress: 2 files, 1 folder deleted so far"
    # A transfer's events are worded as before.
    assert "0 of 2 files" in event_sentence(succeeded, finished=True)


async def test_a_finished_delete_reads_as_deleted_in_the_queue_and_the_detail(
    make_app: Any, sim: Any
) -> None:
    app = await make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        left = pane(app, "left")
        left.file_list.cursor = left.file_list.row_of("Documents")
        await pilot.press("f8")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(
            pilot,
            lambda: (
                [t.status for t in app.feed.tasks.values() if t.type == "DELETE"] == ["SUCCEEDED"]
            ),
        )
        assert not collection_path(sim, LAPTOP_ID, "/~/Documents").exists()
        task = next(iter(app.feed.tasks.values()))
        assert task.files_transferred == 0 and task.files > 0
        words = deleted_words(task.files, task.directories, finished=True)

        queue = app.screen.query_one(TaskQueue)
        row = queue.render_line(queue.row_of(task.task_id) + 1).text
        assert "deleted" in row and f"0/{task.files}" not in row and " 0 B" not in row
        assert "100%" in row

        app.open_task(task.task_id)
        detail = await wait_for(
            pilot, lambda: isinstance(app.screen, TaskDetailScreen) and app.screen
        )
        await wait_for(pilot, lambda: "Task succeeded" in events_text(detail))
        text = screen_text(app)
        assert words in text and "folder" in words
        assert f"0 of {task.files}" not in text
        assert f"Task succeeded: {words}" in events_text(detail)
        assert "Transferred (0)" not in text

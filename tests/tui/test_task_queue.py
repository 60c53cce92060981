"""The task queue's rows as a person reads them: columns that never touch, the least important
ones hidden first (and said so), files done and skipped, a finished task's average rate, why a
stuck task is stuck, a visible cursor, times that move on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.app import App, ComposeResult

import gtui.tui
from gtui.config import TaskSettings
from gtui.core.models import Task
from gtui.core.session import GlobusSession
from gtui.core.tasks import FLAG_FAULTS
from gtui.tui.state import AppState
from gtui.tui.task_feed import TaskFeed
from gtui.tui.widgets.task_columns import COLUMNS, MIN_TASK_WIDTH, files_text, layout_for
from gtui.tui.widgets.task_queue import TaskQueue

NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
STYLESHEET = Path(gtui.tui.__file__).parent / "gtui.tcss"


def task(task_id: str, **fields: Any) -> Task:
    doc = {
        "task_id": task_id,
        "type": "TRANSFER",
        "status": "ACTIVE",
        "source_endpoint_display_name": "Demo Laptop",
        "destination_endpoint_display_name": "HPC Cluster Scratch",
        "request_time": (NOW - timedelta(minutes=int(task_id[-1]))).isoformat(),
    }
    doc.update(fields)
    return Task.from_api(doc)


@pytest.mark.parametrize("width", [40, 60, 77, 100, 117, 157, 200])
def test_columns_fit_the_width_with_a_gap_between_each(width: int) -> None:
    layout = layout_for(width)
    used = 2 + layout.task_width + sum(1 + column.width for column in layout.shown)
    assert used == max(width, 2 + MIN_TASK_WIDTH + sum(1 + c.width for c in layout.shown))
    assert layout.task_width >= MIN_TASK_WIDTH
    names = {c.name for c in layout.shown} | {c.name for c in layout.hidden}
    assert names == {column.name for column in COLUMNS}


def test_the_least_important_columns_go_first_and_the_caption_says_which() -> None:
    wide, narrow = layout_for(157), layout_for(77)
    assert not wide.hidden and wide.hidden_caption == ""
    hidden = [column.name for column in narrow.hidden]
    assert hidden == ["rate", "files"]
    assert "Rate, Files hidden" in narrow.hidden_caption
    names = [column.name for column in narrow.shown]
    assert names == ["status", "progress", "bytes", "when"]
    assert narrow.bar_width < wide.bar_width


def test_files_show_done_and_skipped_of_the_total() -> None:
    assert files_text(24, 0, 25) == "24/25"
    assert files_text(27_486, 72_514, 100_000) == "27.5k+72.5k/100k"
    assert files_text(0, 0, 0) == ""


class QueueApp(App[None]):
    CSS_PATH = str(STYLESHEET)

    def __init__(self, tmp: Path) -> None:
        super().__init__()
        session = GlobusSession("client", environment="sim", service_urls=_nowhere())
        self.feed = TaskFeed(
            self,
            session,
            settings=TaskSettings(),
            state=AppState(tmp / "state.json"),
            report_error=lambda exc, doing: None,
        )

    def compose(self) -> ComposeResult:
        yield TaskQueue(self.feed, id="queue", clock=lambda: NOW)


def _nowhere() -> dict[str, str]:
    return {name: "http://127.0.0.1:9/" for name in ("auth", "transfer", "groups", "search")}


def _rows(queue: TaskQueue) -> tuple[str, str, str]:
    """The header, then the stuck task's row, then the finished one's."""
    queue._cache.clear()
    stuck, done = queue.row_of("t2"), queue.row_of("t1")
    assert stuck is not None and done is not None
    line = queue.render_line
    return line(0).text, line(stuck + 1).text, line(done + 1).text


async def test_queue_rows_read_right_at_80_and_at_160_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GTUI_DATA_DIR", str(tmp_path))
    app = QueueApp(tmp_path)
    done = task(
        "t1",
        status="SUCCEEDED",
        label="nightly sync",
        completion_time=(NOW - timedelta(seconds=47)).isoformat(),
        bytes_transferred=3_000_000,
        effective_bytes_per_second=1_500_000,
        files=100_000,
        files_transferred=27_486,
        files_skipped=72_514,
    )
    stuck = task(
        "t2",
        label="to archive",
        faults=5,
        is_ok=False,
        nice_status="PERMISSION_DENIED",
        nice_status_short_description="permission denied",
        files=25,
        files_transferred=3,
    )
    async with app.run_test(size=(160, 10)) as pilot:
        app.feed.publish([done, stuck])
        app.feed.flags["t2"] = frozenset({FLAG_FAULTS})
        queue = app.query_one(TaskQueue)
        await pilot.pause()
        header, stuck_row, done_row = _rows(queue)
        for title in ("Task", "Status", "Progress", "Bytes", "Rate", "ETA/ended", "Files"):
            assert title in header
        assert "27.5k+72.5k/100k" in done_row
        assert "1.5 MB/s" in done_row and "47s ago" in done_row
        assert "permission denied" in stuck_row and "‼5" in stuck_row
        assert queue.border_subtitle == ""

        await pilot.resize_terminal(80, 10)
        await pilot.pause()
        header, stuck_row, done_row = _rows(queue)
        assert "Rate" not in header and "Files" not in header
        assert "Rate, Files hidden" in str(queue.border_subtitle)
        assert "47s ago" in done_row and "100%" in done_row
        assert "permission denied" in stuck_row
        for row in (header, stuck_row, done_row):
            assert len(row) == queue.scrollable_content_region.width


async def test_a_finished_tasks_time_moves_on_by_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GTUI_DATA_DIR", str(tmp_path))
    now = [NOW]
    app = QueueApp(tmp_path)
    finished = task(
        "t1", status="SUCCEEDED", completion_time=(NOW - timedelta(seconds=6)).isoformat()
    )
    async with app.run_test(size=(160, 10)) as pilot:
        queue = app.query_one(TaskQueue)
        queue.clock = lambda: now[0]
        app.feed.publish([finished])
        await pilot.pause()
        assert "6s ago" in queue.render_line(1).text
        now[0] = NOW + timedelta(minutes=1)
        queue._tick()
        await pilot.pause()
        assert "1m ago" in queue.render_line(1).text


async def test_the_queue_cursor_has_its_own_background(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GTUI_DATA_DIR", str(tmp_path))
    app = QueueApp(tmp_path)
    async with app.run_test(size=(160, 10)) as pilot:
        app.feed.publish([task("t1"), task("t2"), task("t3")])
        queue = app.query_one(TaskQueue)
        queue.focus()
        queue.cursor = 1
        await pilot.pause()
        for theme in sorted(app.available_themes):
            app.theme = theme
            await pilot.pause()
            queue._cache.clear()
            rows = [queue.render_line(y) for y in (1, 2, 3)]
            colours = [{s.style.bgcolor for s in row if s.style} for row in rows]
            assert len(colours[1]) == 1 and not colours[1] & (colours[0] | colours[2]), theme

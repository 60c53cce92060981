"""The compare view against the embedded service: both panes' folders walked and classed, the
differences as a tree with totals, a sync of exactly the difference (with the deletes asked
twice), and the view comparing again once the tasks end and showing the folders equal."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from gtui.core.compare import Diff
from gtui.sim.serve import RunningSim
from gtui.sim.world import LAPTOP_ID, SCRATCH_ID
from gtui.tui.screens.compare import CompareScreen
from gtui.tui.screens.confirm import ConfirmScreen
from gtui.tui.screens.transfer_options import TransferOptionsScreen
from gtui.tui.state import PanePlace
from gtui.tui.widgets.compare_list import CompareList
from tests.tui.test_consent import consent_screen, grant
from tests.tui.tui_helpers import collection_path, ready, wait_for

SIZE = (160, 48)
OLD, NEW = 1_700_000_000, 1_700_100_000


def write(path: Path, text: str, mtime: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    os.utime(path, (mtime, mtime))


def two_trees(sim: RunningSim) -> tuple[Path, Path]:
    left = collection_path(sim, LAPTOP_ID, "/~/cmp")
    right = collection_path(sim, SCRATCH_ID, "/~/cmp")
    for side in (left, right):
        write(side / "same.txt", "same", OLD)
        write(side / "docs" / "same.md", "same", OLD)
    write(left / "only-left.txt", "left", OLD)
    write(left / "new-folder" / "a.txt", "a", OLD)
    write(left / "new-folder" / "b.txt", "bb", OLD)
    write(right / "only-right.txt", "right", OLD)
    write(left / "docs" / "changed.md", "newer on the left", NEW)
    write(right / "docs" / "changed.md", "older", OLD)
    write(left / "size.bin", "12345", OLD)
    write(right / "size.bin", "123", OLD)
    write(left / "clash", "a file", OLD)
    (right / "clash").mkdir()
    return left, right


def classes(screen: CompareScreen) -> dict[str, Diff]:
    comparison = screen.comparison
    assert comparison is not None
    return {name: Diff(comparison.diff[i]) for i, name in enumerate(comparison.names)}


async def test_compare_then_sync_the_difference_and_see_the_folders_equal(
    make_app: Any, sim: RunningSim
) -> None:
    left, right = two_trees(sim)
    app = await make_app(
        left=PanePlace(LAPTOP_ID, "/~/cmp/"), right=PanePlace(SCRATCH_ID, "/~/cmp/")
    )
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("equals_sign")
        screen = await wait_for(
            pilot, lambda: app.screen if isinstance(app.screen, CompareScreen) else None
        )
        await wait_for(pilot, lambda: screen.comparison is not None and not screen.comparing)
        found = classes(screen)
        assert found["same.txt"] == Diff.SAME
        assert found["only-left.txt"] == Diff.ONLY_LEFT
        assert found["new-folder"] == Diff.ONLY_LEFT
        assert found["new-folder/a.txt"] == Diff.ONLY_LEFT
        assert found["only-right.txt"] == Diff.ONLY_RIGHT
        assert found["docs/changed.md"] == Diff.NEWER_LEFT
        assert found["size.bin"] == Diff.SIZE_DIFFERS
        assert found["clash"] == Diff.TYPE_CONFLICT
        status = str(screen.query_one("#compare-status").render())
        assert "contents are not read" in status
        listing = screen.query_one(CompareList)
        rows = [listing.render_line(y).text for y in range(len(listing.shown))]
        assert any(row.startswith("+ ") and "only-left.txt" in row for row in rows), rows
        assert any(row.startswith("- ") and "only-right.txt" in row for row in rows), rows
        assert any(row.startswith("! ") and "clash" in row for row in rows), rows
        assert not any("same.txt" in row for row in rows), "same files are filtered out"

        await pilot.press("f5")
        dialog = await wait_for(
            pilot, lambda: app.screen if isinstance(app.screen, TransferOptionsScreen) else None
        )
        assert dialog.summary.startswith("Copy 5 files (29 B), creating 1 folder"), dialog.summary
        dialog.query_one("#delete_destination_extra").value = True
        await pilot.pause()
        warning = str(dialog.query_one("#delete-warning").render())
        assert "only-right.txt" in warning
        assert dialog.query_one("#preserve_timestamp").value is True
        await pilot.press("enter")
        confirm = await wait_for(
            pilot, lambda: app.screen if isinstance(app.screen, ConfirmScreen) else None
        )
        assert "Delete 1 entry" in confirm.yes
        await pilot.press("y")
        await wait_for(pilot, lambda: app.screen is screen)
        await wait_for(
            pilot,
            lambda: classes(screen).get("only-left.txt") == Diff.SAME and not screen.comparing,
            timeout=60,
        )
        found = classes(screen)
        assert "only-right.txt" not in found
        assert found["docs/changed.md"] == Diff.SAME
        assert found["new-folder/b.txt"] == Diff.SAME
        assert found["size.bin"] == Diff.SAME
        assert found["clash"] == Diff.TYPE_CONFLICT, "a conflict is never copied over"
    assert (right / "new-folder" / "b.txt").read_text() == "bb"
    assert not (right / "only-right.txt").exists()


async def test_keep_in_sync_makes_a_recurring_timer_with_sync_by_time(
    make_app: Any, sim: RunningSim, monkeypatch: Any
) -> None:
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.1 5000 10.0.0.2 22")
    two_trees(sim)
    app = await make_app(
        left=PanePlace(LAPTOP_ID, "/~/cmp/"), right=PanePlace(SCRATCH_ID, "/~/cmp/")
    )
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("equals_sign")
        screen = await wait_for(
            pilot, lambda: app.screen if isinstance(app.screen, CompareScreen) else None
        )
        await wait_for(pilot, lambda: screen.comparison is not None and not screen.comparing)
        await pilot.press("K")
        dialog = await wait_for(
            pilot, lambda: app.screen if isinstance(app.screen, TransferOptionsScreen) else None
        )
        assert str(dialog.query_one("#when").value) == "repeat"
        assert dialog.query_one("#every").value == "1d"
        assert str(dialog.query_one("#sync").value) == "mtime"
        assert str(dialog.query_one("#start").label) == "Create timer"
        await pilot.press("enter")
        await grant(pilot, await wait_for(pilot, lambda: consent_screen(app)))
        await wait_for(pilot, lambda: app.timers.timers)
    (timer,) = app.timers.timers.values()
    assert timer.schedule.interval_seconds == 86400
    assert timer.body["sync_level"] == 2
    assert timer.body["preserve_timestamp"] is True
    assert [item["recursive"] for item in timer.body["DATA"]] == [True]
    assert timer.items[0].source_path == "/~/cmp/"

"""Quick jump (ctrl+g): bookmarks, recent collections and recent folders, matched as you type."""

from __future__ import annotations

from typing import Any

from textual.command import CommandPalette
from textual.widgets import OptionList

from gtui.sim.world import LAPTOP_ID, SCRATCH_ID
from gtui.tui.state import RecentPlace
from tests.tui.tui_helpers import pane, ready, wait_for


async def jump(pilot: Any, typed: str) -> str:
    app = pilot.app
    await pilot.press("ctrl+g")
    palette = await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette) and app.screen)
    await pilot.press(*typed)
    results = palette.query_one(OptionList)
    await wait_for(pilot, lambda: results.option_count > 0 and results.highlighted is not None)
    first = str(results.get_option_at_index(results.highlighted).prompt)
    await pilot.press("enter")
    await wait_for(pilot, lambda: not isinstance(app.screen, CommandPalette))
    return first


async def test_typing_matches_a_bookmark_and_opens_it_from_any_mode_in_the_focused_pane(
    make_app: Any,
) -> None:
    app = await make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot)
        await pilot.press("3")
        chosen = await jump(pilot, "scratch datasets")
        assert chosen.startswith("Bookmark: Scratch datasets")
        left = pane(app, "left")
        await wait_for(
            pilot,
            lambda: (
                left.collection.id == SCRATCH_ID
                and left.path == "/home/demo/datasets/"
                and not left.fetching
            ),
        )


async def test_recent_folders_are_remembered_and_reopen_in_the_other_pane(make_app: Any) -> None:
    app = await make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot)
        left = pane(app, "left")
        left.file_list.cursor = left.file_list.row_of("projects")
        await pilot.press("enter")
        await wait_for(pilot, lambda: left.path.endswith("/projects/") and not left.fetching)
        assert app.state.recent_places[0] == RecentPlace(LAPTOP_ID, "Demo Laptop", left.path)

        await pilot.press("tab")
        chosen = await jump(pilot, "folder laptop projects")
        assert chosen.startswith("Folder: Demo Laptop:")
        right = pane(app, "right")
        await wait_for(
            pilot,
            lambda: (
                right.collection.id == LAPTOP_ID and right.path == left.path and not right.fetching
            ),
        )

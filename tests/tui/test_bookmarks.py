"""Globus bookmarks from the app: create from the focused pane, rename, delete, open — all
through the embedded service's Transfer bookmark API."""

from __future__ import annotations

from typing import Any

from textual.widgets import Input, OptionList

from gtui.sim.world import LAPTOP_ID, SCRATCH_ID
from gtui.tui.screens.bookmarks import BookmarksScreen
from gtui.tui.screens.collection_picker import CollectionPickerScreen
from gtui.tui.screens.confirm import ConfirmScreen
from gtui.tui.screens.prompt import PromptScreen
from tests.tui.tui_helpers import pane, ready, wait_for


async def service_bookmarks(app: Any) -> list[tuple[str, str, str]]:
    response = await app.session.transfer.bookmark_list()
    return sorted((b["name"], b["endpoint_id"], b["path"]) for b in response)


def names(screen: BookmarksScreen) -> list[str]:
    return [b.name for b in screen.bookmarks]


async def answer_prompt(pilot: Any, value: str) -> None:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, PromptScreen))
    pilot.app.screen.query_one(Input).value = value
    await pilot.press("enter")


async def open_bookmarks(pilot: Any) -> BookmarksScreen:
    await pilot.press("ctrl+b")
    return await wait_for(
        pilot, lambda: isinstance(pilot.app.screen, BookmarksScreen) and pilot.app.screen
    )


async def test_bookmark_the_focused_folder_rename_it_and_delete_it(make_app: Any) -> None:
    app = await make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot)
        left = pane(app, "left")
        left.file_list.cursor = left.file_list.row_of("projects")
        await pilot.press("enter")
        await wait_for(pilot, lambda: left.path.endswith("/projects/") and not left.fetching)
        folder = left.path

        before = await service_bookmarks(app)
        screen = await open_bookmarks(pilot)
        await wait_for(pilot, lambda: len(screen.bookmarks) == len(before))
        await pilot.press("n")
        await answer_prompt(pilot, "My projects")
        await wait_for(pilot, lambda: "My projects" in names(screen))
        added = set(await service_bookmarks(app)) - set(before)
        assert added == {("My projects", LAPTOP_ID, folder)}
        option_list = screen.query_one(OptionList)
        shown = str(option_list.get_option_at_index(option_list.highlighted).prompt)
        assert "My projects" in shown
        assert f"Demo Laptop:{folder}" in shown

        await pilot.press("f2")
        await answer_prompt(pilot, "Projects (laptop)")
        await wait_for(pilot, lambda: "Projects (laptop)" in names(screen))
        assert "My projects" not in names(screen)
        assert ("Projects (laptop)", LAPTOP_ID, folder) in await service_bookmarks(app)

        await pilot.press("delete")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: "Projects (laptop)" not in names(screen))
        assert await service_bookmarks(app) == before


async def test_choosing_a_bookmark_opens_it_in_the_focused_pane_and_the_picker_lists_it(
    make_app: Any,
) -> None:
    app = await make_app()
    await app.session.transfer.create_bookmark(
        {"name": "Scratch data", "endpoint_id": SCRATCH_ID, "path": "/home/demo/datasets/"}
    )
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot)
        screen = await open_bookmarks(pilot)
        await wait_for(pilot, lambda: "Scratch data" in names(screen))
        option_list = screen.query_one(OptionList)
        option_list.highlighted = names(screen).index("Scratch data")
        await pilot.press("enter")

        left = pane(app, "left")
        await wait_for(
            pilot,
            lambda: (
                left.collection.id == SCRATCH_ID
                and left.path == "/home/demo/datasets/"
                and not left.fetching
            ),
        )

        await pilot.press("o")
        picker = await wait_for(
            pilot, lambda: isinstance(app.screen, CollectionPickerScreen) and app.screen
        )
        await wait_for(pilot, lambda: "bookmarks" in picker.loaded)
        assert "/home/demo/datasets/" in [r.path for r in picker.rows["bookmarks"]]

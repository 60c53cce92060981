"""Browsing the demo collections with the keyboard: the real app on the embedded service."""

from __future__ import annotations

from typing import Any

from gtui.sim.world import LAPTOP_ID, SCRATCH_ID
from gtui.tui.app import PanePlace
from gtui.tui.screens.confirm import ConfirmScreen
from gtui.tui.screens.prompt import PromptScreen
from tests.tui.tui_helpers import (
    Shown,
    collection_path,
    listed,
    pane,
    ready,
    record_notifications,
    wait_for,
)


async def test_panes_open_on_two_demo_collections(make_app: Any) -> None:
    app = await make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot)
        assert pane(app, "left").collection.display_name == "Demo Laptop"
        assert pane(app, "right").collection.display_name == "HPC Cluster Scratch"
        assert "Documents" in listed(app, "left")
        assert listed(app, "left") == [
            "datasets",
            "deep",
            "Documents",
            "latest-results",
            "projects",
        ]
        assert app.sub_title == "demo@gtui.example · sim"


async def test_enter_opens_a_folder_and_backspace_returns_to_it(make_app: Any) -> None:
    app = await make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot)
        left = pane(app, "left")
        left.file_list.cursor = left.file_list.row_of("projects")
        await pilot.press("enter")
        await wait_for(pilot, lambda: left.path == "/~/projects/" and not left.fetching)
        assert "climate-model" in listed(app, "left")
        await pilot.press("backspace")
        await wait_for(pilot, lambda: left.path == "/~/" and not left.fetching)
        assert left.file_list.cursor_entry.name == "projects"


async def test_filter_as_you_type_narrows_and_escape_clears(make_app: Any) -> None:
    app = await make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot)
        await pilot.press("slash", "a", "t")
        assert listed(app, "left") == ["datasets", "latest-results"]
        assert "filter “at”" in pane(app, "left").status_text
        await pilot.press("escape")
        assert "Documents" in listed(app, "left")


async def test_sort_cycles_name_size_modified_and_reverses(make_app: Any) -> None:
    app = await make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot)
        left = pane(app, "left")
        await pilot.press("s")
        assert left.sort_key == "size"
        files = [e for e in left.file_list.visible_entries() if e.type != "dir"]
        assert [e.size for e in files] == sorted(e.size for e in files)
        await pilot.press("S")
        files = [e for e in left.file_list.visible_entries() if e.type != "dir"]
        assert [e.size for e in files] == sorted((e.size for e in files), reverse=True)
        assert listed(app, "left")[0] in (
            "datasets",
            "projects",
            "Documents",
            "deep",
            "latest-results",
        )
        await pilot.press("s", "s")
        assert left.sort_key == "name"


async def test_hidden_files_toggle_with_full_stop(make_app: Any) -> None:
    app = await make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot)
        assert ".bashrc" not in listed(app, "left")
        await pilot.press("full_stop")
        assert ".bashrc" in listed(app, "left")
        assert listed(app, "left")[0] == ".config"


async def _new_folder(pilot: Any, name: str) -> None:
    """F7, the name, Enter: what a user types to make a folder in the focused pane."""
    await pilot.press("f7")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, PromptScreen))
    await pilot.press(*name, "enter")


async def test_new_folder_appears_on_disk_and_under_the_cursor(make_app: Any, sim: Any) -> None:
    app = await make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot)
        await _new_folder(pilot, "results-2026")
        left = pane(app, "left")
        await wait_for(pilot, lambda: "results-2026" in listed(app, "left") and not left.fetching)
        assert left.file_list.cursor_entry.name == "results-2026"
        assert collection_path(sim, LAPTOP_ID, "/~/results-2026").is_dir()


async def test_new_folder_with_a_listed_name_is_refused_before_asking_the_service(
    make_app: Any,
) -> None:
    app = await make_app()
    notes = record_notifications(app)
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot)
        await _new_folder(pilot, "Documents")
        await wait_for(pilot, lambda: notes)
        assert notes == [Shown("Documents already exists here.", "warning")]


async def test_new_folder_made_behind_the_listing_is_shown_not_reported_as_an_error(
    make_app: Any, sim: Any
) -> None:
    """The service says the folder exists (say, our first attempt made it and its answer was
    lost): the folder is there, which is what the user asked for."""
    app = await make_app()
    notes = record_notifications(app)
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot)
        collection_path(sim, LAPTOP_ID, "/~/made-meanwhile").mkdir()
        await _new_folder(pilot, "made-meanwhile")
        left = pane(app, "left")
        await wait_for(pilot, lambda: "made-meanwhile" in listed(app, "left") and not left.fetching)
        assert left.file_list.cursor_entry.name == "made-meanwhile"
        assert notes == [Shown("made-meanwhile/ is there now.", "information")]


async def test_rename_changes_the_name_on_disk(make_app: Any, sim: Any) -> None:
    app = await make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot)
        left = pane(app, "left")
        left.file_list.cursor = left.file_list.row_of("Documents")
        await pilot.press("f2")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen))
        await pilot.press(*"Papers", "enter")
        await wait_for(pilot, lambda: "Papers" in listed(app, "left"))
        assert collection_path(sim, LAPTOP_ID, "/~/Papers").is_dir()
        assert not collection_path(sim, LAPTOP_ID, "/~/Documents").exists()


async def test_delete_asks_listing_the_items_then_removes_them(make_app: Any, sim: Any) -> None:
    app = await make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot)
        left = pane(app, "left")
        left.file_list.cursor = left.file_list.row_of("deep")
        await pilot.press("space")
        left.file_list.cursor = left.file_list.row_of("Documents")
        await pilot.press("space", "f8")
        confirm = await wait_for(
            pilot, lambda: app.screen if isinstance(app.screen, ConfirmScreen) else None
        )
        assert confirm.items == [
            "deep/ (and everything in it)",
            "Documents/ (and everything in it)",
        ]
        await pilot.press("y")
        target = collection_path(sim, LAPTOP_ID, "/~/deep")
        await wait_for(pilot, lambda: not target.exists())
        await wait_for(pilot, lambda: "deep" not in listed(app, "left"))
        assert not collection_path(sim, LAPTOP_ID, "/~/Documents").exists()
        assert any(t.type == "DELETE" and t.status == "SUCCEEDED" for t in app.feed.tasks.values())


async def test_declining_the_delete_keeps_everything(make_app: Any, sim: Any) -> None:
    app = await make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot)
        left = pane(app, "left")
        left.file_list.cursor = left.file_list.row_of("deep")
        await pilot.press("delete")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        assert not app.feed.tasks
        assert collection_path(sim, LAPTOP_ID, "/~/deep").is_dir()


async def test_select_by_pattern_and_invert(make_app: Any) -> None:
    app = await make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot)
        file_list = pane(app, "left").file_list
        await pilot.press("plus")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen))
        await pilot.press(*"d*", "enter")
        await wait_for(pilot, lambda: file_list.selected == {"datasets", "deep", "Documents"})
        await pilot.press("asterisk")
        assert "Documents" not in file_list.selected and "projects" in file_list.selected
        assert "selected" in pane(app, "left").status_text


async def test_path_bar_goes_to_a_typed_path_with_tab_completion(make_app: Any) -> None:
    app = await make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot)
        await pilot.press("g", *"pro", "tab")
        bar = pane(app, "left").path_bar
        assert bar.value == "/~/projects/"
        await pilot.press("enter")
        left = pane(app, "left")
        await wait_for(pilot, lambda: left.path == "/~/projects/" and not left.fetching)
        assert app.focused is left.file_list


async def test_a_failed_listing_is_a_notification_and_the_pane_stays(make_app: Any) -> None:
    app = await make_app()
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await ready(pilot)
        left = pane(app, "left")
        left.file_list.cursor = left.file_list.row_of("projects")
        await pilot.press("g", "ctrl+a", "ctrl+k", *"/~/no-such-folder/", "enter")
        await wait_for(pilot, lambda: left.error is not None)
        assert left.path == "/~/"
        assert left.file_list.cursor_entry.name == "projects"
        messages = [n.message for n in app._notifications]
        assert any(
            "There is no folder /~/no-such-folder/" in m and "request" in m for m in messages
        )


async def test_the_100k_folder_opens_and_scrolls(make_app: Any, sim: Any) -> None:
    # Writing 100,000 files is the service's first-use cost (seconds, more on a busy disk);
    # done before the app starts, the test times the app, not the disk.
    sim.ctx.world.ensure_big_folder()
    app = await make_app(right=PanePlace(SCRATCH_ID, "/big/100k/"))
    async with app.run_test(size=(140, 40)) as pilot:
        right = pane(app, "right")
        await wait_for(pilot, lambda: len(right.entries) == 100_000, timeout=60)
        await wait_for(pilot, lambda: right.file_list.row_count == 100_001)
        right.file_list.focus()
        await pilot.press("end")
        assert right.file_list.cursor == 100_000
        # The scroll follows the cursor on the next refresh; wait for it, not a sleep.
        await wait_for(pilot, lambda: right.file_list.scroll_y > 99_000)
        await pilot.press("pageup", "pageup", "home")
        assert right.file_list.cursor == 0
        await pilot.press("slash", *"99999")
        await wait_for(pilot, lambda: right.file_list.row_count < 100)
        assert all("99999" in name for name in listed(app, "right"))


async def test_an_unknown_collection_is_reported_once_and_its_early_listing_dropped(
    make_app: Any, caplog: Any
) -> None:
    missing = "00000000-0000-4000-8000-00000000dead"
    app = await make_app(left=PanePlace(missing, "/~/"))
    shown = record_notifications(app)
    async with app.run_test(size=(140, 40)) as pilot:
        left = pane(app, "left")
        await wait_for(pilot, lambda: left.error is not None)
        await pilot.pause(0.2)
        assert left.error == "could not open the collection"
        assert left.collection is None
        notes = [n.message for n in shown]
        assert len([n for n in notes if "Could not open the collection" in n]) == 1
        assert not [n for n in notes if "Could not list" in n]
        assert "Documents" not in listed(app, "left")
        await wait_for(pilot, lambda: "simulations" in listed(app, "right"))
    assert "never retrieved" not in caplog.text


async def test_the_view_follows_a_cursor_moved_before_the_new_listing_was_laid_out(
    make_app: Any,
) -> None:
    from gtui.core.models import FileEntry

    app = await make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot)
        file_list = pane(app, "left").file_list
        entries = [FileEntry(name=f"f{i:05d}", type="file", size=i) for i in range(3_000)]
        # In one go, before any frame: a long listing, then End.
        file_list.set_listing(entries, list(range(3_000)), show_parent=True, keep=None)
        file_list.cursor = file_list.row_count - 1
        await wait_for(pilot, lambda: file_list.scroll_y > 2_900)
        assert file_list.cursor == 3_000


async def test_the_filter_narrows_the_list_in_the_same_step_as_the_typed_text(
    make_app: Any,
) -> None:
    """No message round trip: the box hands its text to the pane as it changes, so the list
    and the box are repainted in the same frame."""
    from textual.widgets import Input

    app = await make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot)
        left = pane(app, "left")
        left.action_filter()
        await pilot.pause()
        left.query_one(".filter", Input).value = "proj"
        assert left.filter_text == "proj"
        assert listed(app, "left") == ["projects"]

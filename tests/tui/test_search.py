"""The search mode against the embedded service's index of the demo world's files."""

from __future__ import annotations

from typing import Any

from textual.widgets import Checkbox, Input, OptionList, Static

from gtui.core.models import SearchHit
from gtui.sim.serve import RunningSim
from gtui.sim.world import LAPTOP_ID
from gtui.tui.screens.browse import BrowseScreen
from gtui.tui.screens.search import SearchScreen, place_of
from tests.tui.tui_helpers import logged_in_app, pane, ready, wait_for


async def search_for(pilot: Any, text: str, *, advanced: bool = False) -> SearchScreen:
    app = pilot.app
    await pilot.press("4")
    screen = await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen) and app.screen)
    screen.query_one("#search-advanced", Checkbox).value = advanced
    screen.query_one("#search-query", Input).value = text
    screen.query_one("#search-query", Input).focus()
    await pilot.press("enter")
    await wait_for(
        pilot, lambda: status(screen) != "Searching…" and screen.hits or "fail" in status(screen)
    )
    return screen


def status(screen: SearchScreen) -> str:
    return str(screen.query_one("#search-status", Static).render())


def facet_ids(screen: SearchScreen) -> list[str]:
    facets = screen.query_one("#search-facets", OptionList)
    return [facets.get_option_at_index(i).id or "" for i in range(facets.option_count)]


async def test_results_page_and_a_facet_value_narrows_the_query(make_app: Any) -> None:
    app = await make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await search_for(pilot, "climate")
        assert len(screen.hits) == 10
        assert status(screen).startswith("1–10 of 14 · page 1 of 2")
        assert screen.hits[0].subject.endswith("/climate-model/README.md")

        screen.query_one("#search-results", OptionList).focus()
        await pilot.press("right_square_bracket")
        await wait_for(pilot, lambda: status(screen).startswith("11–14 of 14"))
        assert len(screen.hits) == 4

        assert "extension\tcsv" in facet_ids(screen)
        facets = screen.query_one("#search-facets", OptionList)
        facets.focus()
        facets.highlighted = facet_ids(screen).index("extension\tcsv")
        await pilot.press("enter")
        await wait_for(pilot, lambda: status(screen).startswith("1–6 of 6"))
        assert all(hit.subject.endswith(".csv") for hit in screen.hits)
        assert "filtered by extension=csv" in status(screen)

        facets.highlighted = facet_ids(screen).index("remove\textension")
        await pilot.press("enter")
        await wait_for(pilot, lambda: status(screen).startswith("1–10 of 14"))


async def test_choosing_a_hit_opens_its_folder_in_the_focused_pane_on_the_file(
    make_app: Any,
) -> None:
    app = await make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot)
        await pilot.press("tab")
        screen = await search_for(pilot, "climate")
        results = screen.query_one("#search-results", OptionList)
        results.focus()
        results.highlighted = 0
        await pilot.press("enter")

        await wait_for(pilot, lambda: isinstance(app.screen, BrowseScreen))
        right = pane(app, "right")
        await wait_for(
            pilot,
            lambda: (
                right.path == "/home/demo/projects/climate-model/"
                and not right.fetching
                and right.file_list.cursor_entry is not None
                and right.file_list.cursor_entry.name == "README.md"
            ),
        )
        assert right.collection.id == LAPTOP_ID


async def test_a_malformed_advanced_query_is_explained_not_fatal(make_app: Any) -> None:
    app = await make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await search_for(pilot, 'name:("unclosed', advanced=True)
        assert status(screen).startswith("The search failed:")
        assert app.is_running
        screen.query_one("#search-advanced", Checkbox).value = True
        screen.query_one("#search-query", Input).value = "extension:py AND project:climate-model"
        screen.query_one("#search-query", Input).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: status(screen).startswith("1–3 of 3"))


def test_a_hit_names_its_collection_and_path_from_the_subject() -> None:
    hit = SearchHit.from_api(
        {"subject": f"globus://{LAPTOP_ID}/home/demo/a%20b.txt", "entries": [{"content": {}}]}
    )
    place = place_of(hit)
    assert place is not None
    assert (place.collection_id, place.path) == (LAPTOP_ID, "/home/demo/a b.txt")
    assert place_of(SearchHit.from_api({"subject": "https://example.org/x"})) is None


def test_snapshot_of_the_search_screen(snap_compare: Any, sim: RunningSim) -> None:
    app = logged_in_app(sim)

    async def run_before(pilot: Any) -> None:
        await ready(pilot)
        screen = await search_for(pilot, "climate")
        await wait_for(pilot, lambda: screen.query_one("#search-facets", OptionList).option_count)
        await wait_for(pilot, lambda: screen.indexes_named)

    assert snap_compare(app, terminal_size=(130, 36), run_before=run_before)

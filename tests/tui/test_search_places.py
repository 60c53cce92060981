"""Search hits say where they live by the collection's name, asked of Transfer once each."""

from __future__ import annotations

from typing import Any

from textual.widgets import Input, OptionList, Static

from gtui.core.models import SearchHit
from gtui.sim.world import LAPTOP_ID
from gtui.tui.screens.search import SearchScreen, hit_location
from tests.tui.tui_helpers import ready, wait_for


def results_text(screen: SearchScreen) -> str:
    """The hits as the result list draws them."""
    results = screen.query_one("#search-results", OptionList)
    return "\n".join(results.render_line(y).text for y in range(results.size.height))


async def test_a_hit_names_its_collection_not_its_uuid(make_app: Any, sim: Any) -> None:
    laptop = sim.ctx.world.collections[LAPTOP_ID].display_name
    app = await make_app()
    asked: list[str] = []
    transfer = app.session.transfer
    get_endpoint = transfer.get_endpoint

    async def counting(collection_id: str, *args: Any, **kwargs: Any) -> Any:
        asked.append(collection_id)
        return await get_endpoint(collection_id, *args, **kwargs)

    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot)
        transfer.get_endpoint = counting
        await pilot.press("4")
        screen = await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen) and app.screen)
        screen.query_one("#search-query", Input).value = "climate"
        screen.query_one("#search-query", Input).focus()
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: f"{laptop}:/home/demo/projects/climate-model/" in results_text(screen)
        )
        assert "globus://" not in results_text(screen)
        assert LAPTOP_ID not in results_text(screen)

        screen.query_one("#search-results", OptionList).focus()
        await pilot.press("right_square_bracket")
        status = screen.query_one("#search-status", Static)
        await wait_for(pilot, lambda: str(status.render()).startswith("11–"))
        await wait_for(pilot, lambda: f"{laptop}:/home/demo/" in results_text(screen))
        assert asked.count(LAPTOP_ID) == 1


def test_a_hit_without_a_known_name_falls_back_to_the_stored_name_then_a_short_id() -> None:
    subject = f"globus://{LAPTOP_ID}/home/demo/a%20b.txt"
    stored = SearchHit.from_api(
        {"subject": subject, "entries": [{"content": {"collection_name": "Old Laptop"}}]}
    )
    bare = SearchHit.from_api({"subject": subject, "entries": [{"content": {}}]})
    assert hit_location(stored, {LAPTOP_ID: "Demo Laptop"}) == "Demo Laptop:/home/demo/a b.txt"
    assert hit_location(stored, {LAPTOP_ID: ""}) == "Old Laptop:/home/demo/a b.txt"
    assert hit_location(bare, {}) == f"{LAPTOP_ID[:6]}…{LAPTOP_ID[-6:]}:/home/demo/a b.txt"
    other = SearchHit.from_api({"subject": "https://example.org/x"})
    assert hit_location(other, {}) == "https://example.org/x"

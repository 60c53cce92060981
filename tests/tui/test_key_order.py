"""Keys are handled in the order typed, even when they arrive in one burst (a paste, a fast
typist, a slow machine): Enter acts on everything typed before it, and keys typed right after
a key that moves the focus land where the focus went.

``Pilot.press`` waits for the app to settle after every key, which hides exactly this; the
tests here put a whole burst in the app's queue before it handles any of it, as a terminal
does.
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.app import App
from textual.widgets import Input

from gtui.tui.screens.transfer_options import TransferOptionsScreen
from tests.tui.tui_helpers import listed, pane, ready, wait_for


def burst(app: App[Any], *keys: str) -> None:
    """Queue every key at once, as a terminal delivers a paste (a key or one character)."""
    for key in keys:
        if len(key) == 1:
            app.post_message(events.Key(_name(key), key))
        else:
            app.post_message(events.Key(key, None))


def _name(character: str) -> str:
    return {"/": "slash", " ": "space", ".": "full_stop", "~": "tilde", "-": "minus"}.get(
        character, character
    )


def chars(text: str) -> list[str]:
    return list(text)


async def test_a_label_and_a_deadline_typed_in_one_burst_are_submitted_whole(
    make_app: Any,
) -> None:
    app = await make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        left = pane(app, "left")
        left.file_list.cursor = left.file_list.row_of("Documents")
        await pilot.press("f5")
        dialog = await wait_for(
            pilot, lambda: app.screen if isinstance(app.screen, TransferOptionsScreen) else None
        )
        await pilot.press("ctrl+a", "ctrl+k")
        burst(app, *chars("Typed fast"), "tab", "tab", "tab", *chars("2031-02-03T04:05"), "enter")
        await wait_for(pilot, lambda: not dialog.is_attached)
        task = await wait_for(pilot, lambda: next(iter(app.feed.tasks.values()), None))
        assert task.label == "Typed fast"
        submitted = app.state.submitted_items(task.task_id)
        assert submitted is not None and submitted["deadline"].startswith("2031-02-0")


async def test_a_path_typed_right_after_g_goes_to_the_path_bar(make_app: Any) -> None:
    app = await make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        left = pane(app, "left")
        burst(app, "g", "ctrl+a", "ctrl+k", *chars("/~/Documents/"), "enter")
        await wait_for(pilot, lambda: left.path == "/~/Documents/" and not left.fetching)
        assert "budget 2026.csv" in listed(app, "left")
        assert not left.query_one(".filter", Input).display


async def test_a_filter_typed_right_after_slash_narrows_the_list(make_app: Any) -> None:
    app = await make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        left = pane(app, "left")
        burst(app, "slash", *chars("proj"))
        await wait_for(pilot, lambda: left.filter_text == "proj")
        assert listed(app, "left") == ["projects"]


async def test_a_slash_typed_in_the_path_bar_is_text(make_app: Any) -> None:
    app = await make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        left = pane(app, "left")
        await pilot.press("g", "ctrl+a", "ctrl+k", *chars("/~/deep/"))
        assert left.path_bar.value == "/~/deep/"
        assert not left.query_one(".filter", Input).display

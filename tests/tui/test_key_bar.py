"""The key bar: the keys that work now, following focus, answering clicks and hover."""

from __future__ import annotations

from typing import Any

from textual.command import CommandPalette

from gtui.tui.screens.prompt import PromptScreen
from gtui.tui.widgets.key_bar import KeyBar
from gtui.tui.widgets.task_queue import TaskQueue
from tests.tui.tui_helpers import ready, wait_for


def _shown(bar: KeyBar) -> list[tuple[str, str]]:
    return [(hint.shown, hint.description) for hint in bar.hints]


async def test_the_bar_shows_the_focused_pane_keys_and_follows_focus(make_app: Any) -> None:
    app = await make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot)
        bar = app.screen.query_one(KeyBar)
        shown = _shown(bar)
        assert ("f5", "Copy") in shown
        assert ("f7", "New folder") in shown
        assert ("⏎", "Open") in shown
        assert not any(description == "Task detail" for _, description in shown)
        line = bar.render().plain
        assert len(line) == bar.size.width
        assert line.rstrip().endswith("▏ ^p palette")
        assert " f5 Copy " in line

        app.screen.query_one(TaskQueue).focus()
        await wait_for(pilot, lambda: ("⏎", "Task detail") in _shown(bar))
        assert ("⏎", "Open") not in _shown(bar)


async def test_clicking_a_key_runs_it_and_hover_explains_it(make_app: Any) -> None:
    app = await make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot)
        bar = app.screen.query_one(KeyBar)
        bar.render()
        new_folder = next(h for h in bar.hints if h.description == "New folder")
        start = next(s for s, _e, h in bar._spans if h is new_folder)

        await pilot.hover(KeyBar, offset=(start + 1, 0))
        assert bar.tooltip == "New folder"
        assert "New folder" in bar.render().plain

        await pilot.click(KeyBar, offset=(start + 1, 0))
        await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, PromptScreen))

        await pilot.click(KeyBar, offset=(bar.size.width - 3, 0))
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))


async def test_a_narrow_bar_drops_whole_keys_and_keeps_the_palette(make_app: Any) -> None:
    app = await make_app()
    async with app.run_test(size=(60, 30)) as pilot:
        await ready(pilot)
        bar = app.screen.query_one(KeyBar)
        line = bar.render().plain
        assert len(line) == 60
        assert line.endswith("▏ ^p palette ")
        drawn = [hint for _s, _e, hint in bar._spans]
        assert 0 < len(drawn) < len(bar.hints) + 1
        for start, end, hint in bar._spans:
            assert line[start:end] == hint.cells()
        assert bar.hint_at(59) is not None and bar.hint_at(59).key == "ctrl+p"

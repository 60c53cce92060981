"""Themes chosen in the app and remembered in config.toml; key overrides from [keys]."""

from __future__ import annotations

from typing import Any

from textual.widgets import OptionList

from gtui.config import Settings, config_path, example_config_text, load_settings
from gtui.tui.screens.theme import ThemeScreen
from gtui.tui.screens.transfer_options import TransferOptionsScreen
from tests.tui.tui_helpers import pane, ready, wait_for


async def pick(pilot: Any) -> ThemeScreen:
    await pilot.press("ctrl+t")
    return await wait_for(
        pilot, lambda: isinstance(pilot.app.screen, ThemeScreen) and pilot.app.screen
    )


def highlight(screen: ThemeScreen, name: str) -> None:
    option_list = screen.query_one(OptionList)
    ids = [option_list.get_option_at_index(i).id for i in range(option_list.option_count)]
    option_list.highlighted = ids.index(name)


async def test_the_picker_previews_keeps_and_saves_the_theme(make_app: Any) -> None:
    app = await make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        screen = await pick(pilot)
        highlight(screen, "nord")
        await wait_for(pilot, lambda: app.theme == "nord")
        assert load_settings().general.theme != "nord"

        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, ThemeScreen))
        assert app.theme == "nord"
        assert load_settings().general.theme == "nord"


async def test_choosing_a_theme_changes_only_its_line_of_a_commented_config(
    make_app: Any,
) -> None:
    """The file ``gtui config init`` writes keeps every comment after a theme is chosen."""
    path = config_path()
    path.write_text(example_config_text(), encoding="utf-8")
    before = path.read_text(encoding="utf-8").splitlines()
    app = await make_app(settings=load_settings())
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        screen = await pick(pilot)
        highlight(screen, "gruvbox")
        await wait_for(pilot, lambda: app.theme == "gruvbox")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, ThemeScreen))

    after = path.read_text(encoding="utf-8").splitlines()
    comments = [line for line in before if line.lstrip().startswith("#")]
    assert len(comments) >= 18
    assert [line for line in after if line.lstrip().startswith("#")] == comments
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert changed == [('theme = "textual-dark"', 'theme = "gruvbox"')]


async def test_escape_goes_back_to_the_old_theme_and_saves_nothing(make_app: Any) -> None:
    app = await make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        before = app.theme
        screen = await pick(pilot)
        highlight(screen, "gruvbox")
        await wait_for(pilot, lambda: app.theme == "gruvbox")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.theme == before)
        assert load_settings().general.theme == Settings().general.theme


async def test_a_theme_from_the_palette_is_remembered_and_used_at_the_next_start(
    make_app: Any,
) -> None:
    app = await make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        app.theme = "dracula"
        await wait_for(pilot, lambda: load_settings().general.theme == "dracula")

    again = await make_app(settings=load_settings())
    async with again.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        assert again.theme == "dracula"


async def test_key_overrides_from_config_rebind_actions(make_app: Any) -> None:
    settings = Settings(keys={"transfer": "f6", "quick_jump": "ctrl+j"})
    app = await make_app(settings=settings)
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot)
        left = pane(app, "left")
        left.file_list.cursor = left.file_list.row_of("Documents")
        await pilot.press("f5")
        assert not isinstance(app.screen, TransferOptionsScreen)
        await pilot.press("f6")
        await wait_for(pilot, lambda: isinstance(app.screen, TransferOptionsScreen))

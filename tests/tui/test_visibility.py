"""What the eye needs to see, read from the rendered rows: the cursor row stands out in every
theme, focused or not, and with NO_COLOR; a checkbox says on or off without colour."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rich.color import Color
from rich.style import Style
from textual.app import App, ComposeResult
from textual.color import Color as TextualColor
from textual.containers import Horizontal, Vertical
from textual.strip import Strip

import gtui.tui
from gtui.core.models import FileEntry
from gtui.tui.widgets.checkbox import Checkbox
from gtui.tui.widgets.file_pane import FilePane

STYLESHEET = Path(gtui.tui.__file__).parent / "gtui.tcss"
ENTRIES = [
    FileEntry(name="alpha", type="dir"),
    FileEntry(name="beta.txt", size=10),
    FileEntry(name="gamma.txt", size=20),
    FileEntry(name="delta.txt", size=30),
    FileEntry(name="epsilon.txt", size=40),
]
CURSOR_ROW = 2  # ``..`` is row 0, then alpha/ and the files by name
SELECTED_ROW = 4


class Panes(App[None]):
    """Two real panes with the app's stylesheet, nothing else."""

    CSS_PATH = str(STYLESHEET)

    def compose(self) -> ComposeResult:
        with Horizontal(id="panes"):
            yield FilePane("left")
            yield FilePane("right")
        with Vertical():
            yield Checkbox("On", True, id="on")
            yield Checkbox("Off", False, id="off")


def backgrounds(strip: Strip) -> set[Color | None]:
    return {segment.style.bgcolor for segment in strip if segment.style is not None}


def styles(strip: Strip) -> list[Style]:
    return [segment.style for segment in strip if segment.style is not None and segment.text]


async def _shown(pilot: Any) -> None:
    app = pilot.app
    for side in ("left", "right"):
        pane = app.query_one(f"#{side}", FilePane)
        pane.show_listing("/data/", ENTRIES)
        pane.file_list.cursor = CURSOR_ROW
    left = app.query_one("#left", FilePane).file_list
    chosen = left.entry_at(SELECTED_ROW)
    assert chosen is not None
    left.select_matching(lambda name: name == chosen.name, select=True)
    left.focus()
    await pilot.pause()


async def test_the_cursor_row_has_its_own_background_in_every_theme() -> None:
    app = Panes()
    problems = []
    async with app.run_test(size=(100, 20)) as pilot:
        await _shown(pilot)
        themes = sorted(app.available_themes)
        assert len(themes) > 10
        for theme in themes:
            app.theme = theme
            await pilot.pause()
            for side in ("left", "right"):
                file_list = app.query_one(f"#{side}", FilePane).file_list
                file_list._cache.clear()
                rows = [file_list.render_line(y) for y in range(len(ENTRIES) + 1)]
                cursor = backgrounds(rows[CURSOR_ROW])
                neighbours = backgrounds(rows[CURSOR_ROW - 1]) | backgrounds(rows[CURSOR_ROW + 1])
                if len(cursor) != 1 or cursor & neighbours:
                    problems.append(f"{theme} {side}: cursor {cursor} next to {neighbours}")
    assert not problems, "\n".join(problems)


async def test_the_focused_cursor_differs_from_the_blurred_one() -> None:
    app = Panes()
    async with app.run_test(size=(100, 20)) as pilot:
        await _shown(pilot)
        left = app.query_one("#left", FilePane).file_list
        right = app.query_one("#right", FilePane).file_list
        assert left.has_focus and not right.has_focus
        assert backgrounds(left.render_line(CURSOR_ROW)) != backgrounds(
            right.render_line(CURSOR_ROW)
        )


async def test_selected_rows_differ_from_the_cursor_and_from_plain_rows() -> None:
    app = Panes()
    async with app.run_test(size=(100, 20)) as pilot:
        await _shown(pilot)
        file_list = app.query_one("#left", FilePane).file_list
        selected = file_list.render_line(SELECTED_ROW)
        plain = file_list.render_line(SELECTED_ROW - 1)
        cursor = file_list.render_line(CURSOR_ROW)
        assert selected.text.startswith("✓ ") and not plain.text.startswith("✓")
        assert backgrounds(selected) != backgrounds(cursor)
        assert styles(selected)[1].color != styles(plain)[1].color


async def test_without_colour_the_cursor_is_reverse_video(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = Panes()
    async with app.run_test(size=(100, 20)) as pilot:
        assert app.no_color
        await _shown(pilot)
        focused = app.query_one("#left", FilePane).file_list
        blurred = app.query_one("#right", FilePane).file_list
        assert all(style.reverse for style in styles(focused.render_line(CURSOR_ROW)))
        assert not any(style.reverse for style in styles(focused.render_line(CURSOR_ROW + 1)))
        assert all(style.underline for style in styles(blurred.render_line(CURSOR_ROW)))
        assert not any(style.underline for style in styles(blurred.render_line(CURSOR_ROW + 1)))


@pytest.mark.parametrize("no_color", [False, True])
async def test_a_checkbox_shows_its_state_by_glyph(
    no_color: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    app = Panes()
    async with app.run_test(size=(100, 20)) as pilot:
        await pilot.pause()
        for theme in ("textual-dark", "textual-light", "gruvbox", "ansi-dark"):
            app.theme = theme
            await pilot.pause()
            on = app.query_one("#on", Checkbox).render()
            off = app.query_one("#off", Checkbox).render()
            assert str(on).startswith("[x]"), (theme, str(on))
            assert str(off).startswith("[ ]"), (theme, str(off))
        box = app.query_one("#off", Checkbox)
        box.focus()
        await pilot.press("space")
        assert box.value and str(box.render()).startswith("[x]")


async def test_an_unchecked_box_is_readable_against_its_background() -> None:
    """Textual's own off state is nearly the colour of the dialog behind it."""
    app = Panes()
    async with app.run_test(size=(100, 20)) as pilot:
        await pilot.pause()
        faint = []
        for theme in sorted(app.available_themes):
            if theme.startswith("ansi"):
                continue  # the terminal's own colours
            app.theme = theme
            await pilot.pause()
            box = app.query_one("#off", Checkbox)
            glyph = next(s for s in box.render_line(0) if "[ ]" in s.text)
            assert glyph.style is not None
            fg = TextualColor.from_rich_color(glyph.style.color)
            bg = TextualColor.from_rich_color(glyph.style.bgcolor)
            if abs(fg.brightness - bg.brightness) < 0.25:
                faint.append(theme)
        assert faint == []

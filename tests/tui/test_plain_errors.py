"""Errors on screen read as sentences: what failed, where, what to do; the code and request id
come after, on a dimmer line of their own."""

from __future__ import annotations

from typing import Any

from textual.widgets import Input

from gtui.sim.world import LAPTOP_ID
from gtui.tui.screens.prompt import PromptScreen
from tests.tui.tui_helpers import pane, ready, wait_for


def toasts(app: Any) -> list[Any]:
    """The error toasts on the screen."""
    return [toast for toast in app.screen.query("Toast") if toast.has_class("-error")]


def toast_saying(app: Any, words: str) -> Any:
    return next((t for t in toasts(app) if words in t.render().plain), None)


def drawn_lines(toast: Any) -> list[list[Any]]:
    """The toast's rows as drawn: each a list of (text, style) segments."""
    return [list(toast.render_line(y)) for y in range(toast.size.height)]


def assert_second_line_is_dim_detail(toast: Any, code: str) -> None:
    sentence, detail = toast.render().plain.split("\n")
    assert detail.startswith(f"{code} · request ")
    assert code not in sentence and "request" not in sentence
    rows = drawn_lines(toast)
    detail_rows = [row for row in rows if code in "".join(seg.text for seg in row)]
    sentence_rows = [row for row in rows if sentence[:20] in "".join(seg.text for seg in row)]
    assert detail_rows and sentence_rows
    words = [seg for seg in detail_rows[0] if seg.text.strip() and seg.text.strip() != "▌"]
    assert words and all(seg.style is not None and seg.style.dim for seg in words)
    assert not any(seg.style is not None and seg.style.dim for seg in sentence_rows[0])


async def test_renaming_onto_an_existing_name_says_so_in_a_sentence(make_app: Any) -> None:
    app = await make_app()
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await ready(pilot)
        left = pane(app, "left")
        left.file_list.focus()
        left.file_list.cursor = left.file_list.row_of("deep")
        await pilot.press("f2")
        prompt = await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen) and app.screen)
        prompt.query_one(Input).value = "Documents"
        await pilot.press("enter")
        toast = await wait_for(pilot, lambda: toast_saying(app, "already exists"))
        assert toast.render().plain.split("\n")[0] == (
            "Could not rename deep: Documents already exists here. Choose another name."
        )
        assert_second_line_is_dim_detail(toast, "ExternalError.RenameFailed.Exists")
        assert "[" not in toast.render().plain


async def test_a_missing_folder_typed_in_the_path_bar_is_told_as_no_such_folder(
    make_app: Any, sim: Any
) -> None:
    laptop = sim.ctx.world.collections[LAPTOP_ID].display_name
    app = await make_app()
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await ready(pilot)
        left = pane(app, "left")
        await pilot.press("g", "ctrl+a", "ctrl+k", *"/~/no-such-folder/", "enter")
        toast = await wait_for(pilot, lambda: toast_saying(app, "no folder"))
        assert toast.render().plain.split("\n")[0] == (
            f"There is no folder /~/no-such-folder/ on {laptop}. Check the path and try again."
        )
        assert_second_line_is_dim_detail(toast, "ExternalError.DirListingFailed.NotFound")
        assert left.path == "/~/"


async def test_a_folder_the_collection_refuses_is_told_as_no_permission(
    make_app: Any, sim: Any
) -> None:
    sim.settings.faults.denied_paths = [f"{LAPTOP_ID}:/home/demo/deep/"]
    app = await make_app()
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await ready(pilot)
        left = pane(app, "left")
        left.file_list.focus()
        left.file_list.cursor = left.file_list.row_of("deep")
        await pilot.press("enter")
        toast = await wait_for(pilot, lambda: toast_saying(app, "no permission"))
        sentence = toast.render().plain.split("\n")[0]
        assert sentence.startswith("You have no permission to read /~/deep/ on ")
        assert sentence.endswith("Ask the collection's administrator for access.")
        for noise in ("FTP", "Command", "\\r", "MLST", "Path not allowed"):
            assert noise not in toast.render().plain
        assert_second_line_is_dim_detail(toast, "EndpointPermissionDenied")

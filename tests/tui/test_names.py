"""Names as Globus allows them, in the panes: shown, entered, typed and left exactly as they are.

The service takes any name without ``/`` or NUL. The pane must list each one as it is, enter
it and come back to it, copy it to the other pane and delete it there, and the path bar must go
to a path whose names begin or end with spaces without trimming them away. (Making and
renaming with typed names is covered by tests/reliability/test_typed_input.py.)
"""

from __future__ import annotations

import unicodedata
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from gtui.sim.serve import RunningSim
from gtui.sim.world import LAPTOP_ID, SCRATCH_ID
from gtui.tui.screens.confirm import ConfirmScreen
from gtui.tui.screens.transfer_options import TransferOptionsScreen
from gtui.tui.state import PanePlace
from gtui.tui.widgets.file_pane import join, parent_of, typed_path
from tests.tui.tui_helpers import collection_path, listed, pane, ready, wait_for

NAMES = [
    " leading",
    "trailing ",
    "%2e%2e",
    unicodedata.normalize("NFC", "Café"),
    unicodedata.normalize("NFD", "Café"),
    "Data",
    "data",
]
name_text = st.text(
    st.characters(blacklist_characters="/\x00", blacklist_categories=("Cs",)), min_size=1
).filter(lambda n: n not in (".", ".."))
folders = st.lists(name_text, max_size=4).map(lambda parts: "/" + "".join(p + "/" for p in parts))


@given(folder=folders, name=name_text)
def test_entering_a_folder_and_coming_back_finds_the_same_name(folder: str, name: str) -> None:
    assert parent_of(join(folder, name) + "/") == (folder, name)


@given(path=folders, spaces=st.sampled_from(["", " ", "   "]))
def test_a_typed_path_keeps_its_names_spaces(path: str, spaces: str) -> None:
    assert typed_path(spaces + path) == path
    assert typed_path(path + " ") == path + " "  # a last name ending in a space


def test_nothing_typed_is_the_root() -> None:
    assert typed_path("") == typed_path("   ") == "/"


async def test_the_pane_lists_enters_and_returns_to_every_legal_name(
    make_app: Any, sim: RunningSim
) -> None:
    folder = collection_path(sim, LAPTOP_ID, "/~/names/")
    for name in NAMES:
        (folder / name).mkdir(parents=True)
        (folder / name / "inside.txt").write_text(name)
    app = await make_app(left=PanePlace(LAPTOP_ID, "/~/names/"))
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        left = pane(app, "left")
        assert sorted(listed(app, "left")) == sorted(NAMES)
        for name in NAMES:
            left.file_list.focus()
            left.file_list.cursor = left.file_list.row_of(name)
            await pilot.press("enter")
            inside = f"/~/names/{name}/"
            await wait_for(pilot, lambda p=inside: left.path == p and not left.fetching)
            assert listed(app, "left") == ["inside.txt"]
            await pilot.press("backspace")
            await wait_for(pilot, lambda: left.path == "/~/names/" and not left.fetching)
            assert left.file_list.cursor_entry.name == name


async def test_the_path_bar_goes_to_a_folder_whose_name_ends_in_a_space(
    make_app: Any, sim: RunningSim
) -> None:
    folder = collection_path(sim, LAPTOP_ID, "/~/names/trailing /")
    folder.mkdir(parents=True)
    (folder / "kept.txt").write_text("x")
    app = await make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        left = pane(app, "left")
        await pilot.press("g", "ctrl+a", "ctrl+k", *" /~/names/trailing ", "enter")
        await wait_for(pilot, lambda: left.path == "/~/names/trailing /" and not left.fetching)
        assert left.error is None
        assert listed(app, "left") == ["kept.txt"]


async def test_every_legal_name_is_copied_to_the_other_pane_and_deleted_there(
    make_app: Any, sim: RunningSim
) -> None:
    source = collection_path(sim, LAPTOP_ID, "/~/names/")
    for name in NAMES:
        (source / name).mkdir(parents=True)
        (source / name / name).write_text(f"the file {name!r}")
    app = await make_app(left=PanePlace(LAPTOP_ID, "/~/names/"), right=PanePlace(SCRATCH_ID, "/~/"))
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot)
        left, right = pane(app, "left"), pane(app, "right")
        left.file_list.focus()
        left.file_list.selected = set(NAMES)
        await pilot.press("f5")
        await wait_for(pilot, lambda: isinstance(app.screen, TransferOptionsScreen))
        await pilot.press("enter")
        await wait_for(pilot, lambda: [t.status for t in app.feed.tasks.values()] == ["SUCCEEDED"])
        target = collection_path(sim, SCRATCH_ID, "/~/")
        for name in NAMES:
            assert (target / name / name).read_text() == f"the file {name!r}"
        await wait_for(pilot, lambda: set(NAMES) <= set(listed(app, "right")))

        right.file_list.focus()
        right.file_list.selected = set(NAMES)
        await pilot.press("f8")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: not any((target / name).exists() for name in NAMES))
        await wait_for(pilot, lambda: not set(NAMES) & set(listed(app, "right")))
        assert sorted(p.name for p in source.iterdir()) == sorted(NAMES)  # the source stays

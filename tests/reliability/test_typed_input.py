"""Property tests of every place a person types a path or a name: new folder, rename, the
path bar, the filter, and the search box.

Each input is drawn by hypothesis (any unicode but lone surrogates) after a fixed list of the
usual suspects: spaces, newlines, ``..``, a leading ``-``, very long, NUL, markup brackets,
percent-encoding, glob characters. For each the rule is: accepted and done exactly as typed,
or refused with a clear message; the app never crashes; and the service never receives the
input in a form that means something else (checked on the wire and on disk).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st
from textual.content import Content
from textual.widgets import Input, Static

from gtui.sim.serve import RunningSim
from gtui.sim.world import LAPTOP_ID
from gtui.tui.app import PanePlace
from gtui.tui.demo_login import demo_login
from gtui.tui.screens.prompt import PromptScreen, valid_name
from gtui.tui.service_words import shown_name
from gtui.tui.widgets.file_pane import typed_path
from tests.reliability.support import WireLog, session_on
from tests.tui.tui_helpers import build_app, pane, ready, record_notifications, wait_for

SUSPECTS = [
    "plain",
    "name with spaces",
    " leading space",
    "trailing space ",
    "new\nline",
    "tab\there",
    "..",
    ".",
    "../escape",
    "a/b",
    "-rf",
    "--help",
    "nul\x00byte",
    "x" * 300,
    "é" * 130,
    "日本語のフォルダ",
    "[b]bold[/b]",
    "[/]",
    "[red",
    "%2e%2e",
    "~",
    "*?[",
    "$(touch pwned)",
    "",
]
RANDOM_DRAWS = 8
NAMES = st.text(st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=40)
PLACES = settings(
    max_examples=1,
    deadline=None,
    phases=(Phase.explicit, Phase.generate),
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def inputs(data: st.DataObject) -> list[str]:
    return SUSPECTS + [data.draw(NAMES, label=f"input {i}") for i in range(RANDOM_DRAWS)]


def tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


@pytest.fixture
def started(app_dirs: Path, sim_factory: Callable[..., RunningSim]) -> Callable[..., Any]:
    runs = iter(range(1000))

    async def start(folder: str, *files: str) -> tuple[Any, Path, WireLog, Path]:
        sim = sim_factory(app_dirs / f"root{next(runs)}")
        root = sim.ctx.world.collection_root(LAPTOP_ID)
        base = root / "home" / "demo" / folder
        base.mkdir(exist_ok=True)
        for name in files:
            (base / name).write_text(name)
        wire = WireLog()
        session = session_on(sim, wire)
        await demo_login(session)
        app = build_app(sim, session, left=PanePlace(LAPTOP_ID, f"/~/{folder}/"))
        return app, base, wire, root

    return start


async def _prompt(pilot: Any, app: Any, key: str, text: str) -> PromptScreen:
    await pilot.press(key)
    screen = await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen) and app.screen)
    screen.query_one(Input).value = text
    await pilot.press("enter")
    return screen


def seen_text(note: Any) -> str:
    """A notification's words as the toast shows them (its markup rendered)."""
    return Content.from_markup(note.message).plain


def _sentence(note: Any) -> None:
    assert "Traceback" not in note.message and "Error:" not in note.message, note.message


@PLACES
@given(data=st.data())
async def test_any_new_folder_name_is_made_exactly_or_refused_clearly(
    started: Callable[..., Any], data: st.DataObject
) -> None:
    app, base, wire, root = await started("made")
    tried = 0
    shown = record_notifications(app)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await ready(pilot)
        left = pane(app, "left")
        left.file_list.focus()
        for name in inputs(data):
            note(f"new folder {name!r}")
            before, seen = tree(root), len(shown)
            screen = await _prompt(pilot, app, "f7", name)
            tried += 1
            problem = valid_name(name)
            if problem:
                hint = str(screen.query_one(".dialog-hint", Static).render())
                assert hint == problem
                await pilot.press("escape")
                await wait_for(pilot, lambda: not isinstance(app.screen, PromptScreen))
                assert tree(root) == before
                continue
            notes = await wait_for(pilot, lambda s=seen: shown[s:])
            _sentence(notes[0])
            sent = wire.last("POST", "/mkdir")
            assert sent is not None and sent[1]["path"] == f"/~/made/{name}"
            if notes[0].severity == "error":
                assert seen_text(notes[0]).startswith(f"Could not create folder {shown_name(name)}")
                assert tree(root) == before, name
            else:
                assert tree(root) == before | {f"home/demo/made/{name}"}, name
                assert (base / name).is_dir()
            await wait_for(pilot, lambda: not left.fetching)
            assert left.path == "/~/made/"
    assert app._exception is None
    assert tried == len(SUSPECTS) + RANDOM_DRAWS


@PLACES
@given(data=st.data())
async def test_any_new_name_renames_exactly_or_is_refused_clearly(
    started: Callable[..., Any], data: st.DataObject
) -> None:
    app, base, wire, root = await started("renamed", "victim.txt")
    shown = record_notifications(app)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await ready(pilot)
        left = pane(app, "left")
        left.file_list.focus()
        for name in inputs(data):
            if name == "victim.txt":
                continue
            note(f"rename to {name!r}")
            await wait_for(pilot, lambda: left.file_list.row_of("victim.txt") is not None)
            left.file_list.cursor = left.file_list.row_of("victim.txt")
            before, seen = tree(root), len(shown)
            screen = await _prompt(pilot, app, "f2", name)
            problem = valid_name(name)
            if problem:
                hint = str(screen.query_one(".dialog-hint", Static).render())
                assert hint == problem
                await pilot.press("escape")
                await wait_for(pilot, lambda: not isinstance(app.screen, PromptScreen))
                assert tree(root) == before
                continue
            notes = await wait_for(pilot, lambda s=seen: shown[s:])
            _sentence(notes[0])
            sent = wire.last("POST", "/rename")
            assert sent is not None
            assert sent[1]["old_path"] == "/~/renamed/victim.txt"
            assert sent[1]["new_path"] == f"/~/renamed/{name}"
            if notes[0].severity == "error":
                assert seen_text(notes[0]).startswith("Could not rename victim.txt")
                assert tree(root) == before, name
            else:
                assert os.listdir(base) == [name]
                (base / name).rename(base / "victim.txt")
                await wait_for(pilot, lambda: not left.fetching)
                await pilot.press("ctrl+r")
    assert app._exception is None


@PLACES
@given(data=st.data())
async def test_any_typed_path_is_listed_as_typed_or_reported(
    started: Callable[..., Any], data: st.DataObject
) -> None:
    app, base, wire, root = await started("paths", "file.txt")
    (base / "sub dir").mkdir()
    shown = record_notifications(app)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await ready(pilot)
        left = pane(app, "left")
        for typed in [*inputs(data), "/~/paths/sub dir/", "/home/demo/paths/"]:
            note(f"path {typed!r}")
            start, seen, sent_before = left.path, len(shown), len(wire.sent)
            await pilot.press("g")
            left.path_bar.value = typed
            await pilot.press("enter")
            expected = typed_path(typed)  # names keep their spaces
            await wait_for(
                pilot,
                lambda s=seen, b=sent_before: (
                    shown[s:] or any(p.endswith("/ls") for _, p, _, _ in wire.sent[b:])
                ),
            )
            await wait_for(pilot, lambda: not left.fetching)
            await pilot.pause()
            lists = [q for m, path, q, _ in wire.sent[sent_before:] if path.endswith("/ls")]
            folder = expected if expected.endswith("/") else expected + "/"
            assert lists and lists[0]["path"] in (expected, folder), (typed, lists)
            errors = [n for n in shown[seen:] if n.severity == "error"]
            if errors:
                _sentence(errors[0])
                assert shown_name(lists[0]["path"]) in seen_text(errors[0]).splitlines()[0]
                assert left.path == start
            left.path_bar.value = left.path
            await pilot.press("escape")
    assert app._exception is None


def _oracle(names: list[str], needle: str) -> set[str]:
    import fnmatch
    import re

    folded = needle.casefold()
    if any(ch in folded for ch in "*?["):
        match = re.compile(fnmatch.translate(folded)).match
        return {n for n in names if match(n.casefold())}
    return {n for n in names if folded in n.casefold()}


@PLACES
@given(data=st.data())
async def test_any_filter_text_shows_exactly_the_matching_names(
    started: Callable[..., Any], data: st.DataObject
) -> None:
    names = ["alpha.txt", "Beta data.csv", "gamma-1.h5", "délta.txt", "[x].log", "*star*"]
    app, base, wire, root = await started("filtered", *names)
    shown = record_notifications(app)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await ready(pilot)
        left = pane(app, "left")
        left.file_list.focus()
        for needle in inputs(data):
            note(f"filter {needle!r}")
            sent_before = len(wire.sent)
            await pilot.press("slash")
            box = left.query_one(".filter", Input)
            box.value = needle
            await wait_for(pilot, lambda n=needle: left.filter_text == n)
            await pilot.pause()
            shown = {e.name for e in left.file_list.visible_entries()} - {".."}
            assert shown == _oracle(names, needle), needle
            await pilot.press("escape")
            await wait_for(pilot, lambda: left.filter_text == "")
            assert not [s for s in wire.sent[sent_before:] if s[1].endswith("/ls")]
    assert app._exception is None


@PLACES
@given(data=st.data())
async def test_any_search_text_reaches_the_service_unchanged(
    started: Callable[..., Any], data: st.DataObject
) -> None:
    app, base, wire, root = await started("searched")
    shown = record_notifications(app)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await ready(pilot)
        await pilot.press("4")
        box = await wait_for(pilot, lambda: app.screen.query("#search-query").first(Input))
        status = app.screen.query_one("#search-status", Static)
        for text in inputs(data):
            if not text.strip():
                continue
            note(f"search {text!r}")
            sent_before = len(wire.sent)
            box.value = text
            box.focus()
            await pilot.press("enter")
            await wait_for(pilot, lambda: str(status.render()) != "Searching…")
            await wait_for(
                pilot,
                lambda s=sent_before: any(p.endswith("/search") for _, p, _, _ in wire.sent[s:]),
            )
            await wait_for(pilot, lambda: str(status.render()) != "Searching…")
            posted = wire.last("POST", "/search")
            assert posted is not None and posted[1]["q"] in (text, text.strip())
            shown = str(status.render())
            assert "Traceback" not in shown
            assert shown.startswith(("No results", "The search failed")) or " of " in shown
    assert app._exception is None

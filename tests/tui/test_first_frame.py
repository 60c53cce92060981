"""The first frame comes before the network stack: an outline of the panes while connecting."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from typing import Any

from gtui.tui.connection import Connection, StartFailed
from gtui.tui.demo_login import demo_login
from gtui.tui.screens.browse import BrowseScreen
from gtui.tui.screens.starting import StartingScreen
from tests.tui.tui_helpers import build_app, listed, new_session, ready, wait_for


def test_the_app_module_and_launcher_load_neither_the_network_stack_nor_the_screens() -> None:
    probe = (
        "import sys, gtui.cli, gtui.tui.launch, gtui.tui.app\n"
        "heavy = ('httpx', 'gtui.core.session', 'gtui.core.http', 'gtui.tui.screens.browse',"
        " 'markdown_it', 'cryptography', 'jwt')\n"
        "print(sorted({n for n in sys.modules for h in heavy if n == h or n.startswith(h + '.')}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


async def test_the_outline_says_it_is_connecting_until_the_session_is_ready(sim: Any) -> None:
    gate = asyncio.Event()

    async def connect() -> Connection:
        await gate.wait()
        session = new_session(sim)
        await demo_login(session)
        return Connection(session, username="demo@gtui.example")

    app = build_app(sim, session=None, connect=connect)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, StartingScreen)
        shown = app.screen.query_one("PanesOutline")
        rows = [shown.render_line(y).text for y in range(shown.size.height)]
        assert sum("Connecting to Globus…" in row for row in rows) == 1  # one row, both panes
        assert rows[-2].count("Connecting to Globus…") == 0  # the queue's frame is below
        status_row = next(row for row in rows if "Connecting" in row)
        assert status_row.count("Connecting to Globus…") == 2
        assert rows[0].startswith("╭") and "╮╭" in rows[0]
        assert any("Tasks" in row for row in rows)
        # The keys work meanwhile: help opens over the outline and closes again.
        await pilot.press("f1")
        await wait_for(pilot, lambda: not isinstance(app.screen, StartingScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, StartingScreen))

        gate.set()
        await wait_for(pilot, lambda: isinstance(app.screen, BrowseScreen))
        await ready(pilot)
        assert "Documents" in listed(app, "left")
        assert app.sub_title.startswith("demo@gtui.example")


async def test_a_failed_start_ends_the_app_with_its_sentence(sim: Any) -> None:
    async def connect() -> Connection:
        raise StartFailed("the demo service stopped while starting (see sim.log)")

    app = build_app(sim, session=None, connect=connect)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.return_code is not None)
    assert app.return_code == 1
    assert app.return_value == 1


async def test_without_a_login_the_outline_says_so_under_the_login_dialog(sim: Any) -> None:
    async def connect() -> Connection:
        return Connection(new_session(sim), login_needed="No saved login was found.")

    app = build_app(sim, session=None, connect=connect, username="")
    app.open_url = lambda url, new_tab=True: None  # type: ignore[method-assign]
    async with app.run_test(size=(100, 30)) as pilot:
        from gtui.tui.screens.login import LoginScreen

        await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen))
        starting = app.screen_stack[0]
        assert isinstance(starting, StartingScreen)
        outline = starting.query_one("PanesOutline")
        assert any(
            "Not logged in" in outline.render_line(y).text for y in range(outline.size.height)
        )

"""A folder bigger than one ``ls`` page: shown from its first page, told as it arrives,
stoppable, and whole in the end (against the real service, with latency so the pages come
slowly enough to watch)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from gtui.sim.serve import RunningSim, start_in_thread
from gtui.sim.settings import FaultSettings
from gtui.sim.world import LAPTOP_ID, SCRATCH_ID
from gtui.tui.demo_login import demo_login
from gtui.tui.state import PanePlace
from tests.tui.tui_helpers import build_app, new_session, pane, wait_for

ENTRIES = 100_001  # the first page (1,000), then one of Transfer's cap (the 99,001 left)
FOLDER = "/pages/big/"


@pytest.fixture
def slow_sim(tui_dirs: Path) -> Iterator[RunningSim]:
    running = start_in_thread(tui_dirs / "root", faults=FaultSettings(latency_seconds=0.4))
    try:
        folder = running.ctx.world.collection_root(SCRATCH_ID) / FOLDER.strip("/")
        folder.mkdir(parents=True)
        for i in range(ENTRIES):
            os.close(os.open(folder / f"f{i:06d}.dat", os.O_CREAT | os.O_WRONLY, 0o644))
        yield running
    finally:
        running.stop()


def errors_and_warnings(app: object) -> list[str]:
    return [n.message for n in app._notifications if n.severity != "information"]  # type: ignore[attr-defined]  # noqa: SLF001


async def test_a_big_folder_arrives_page_by_page_can_be_stopped_and_is_listed_whole(
    slow_sim: RunningSim,
) -> None:
    session = new_session(slow_sim)
    await demo_login(session)
    app = build_app(
        slow_sim,
        session,
        left=PanePlace(SCRATCH_ID, FOLDER),
        right=PanePlace(LAPTOP_ID, "/~/"),
    )
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        left = await wait_for(pilot, lambda: pane(app, "left").entries and pane(app, "left"))
        left.file_list.focus()
        # The first page is on the screen while the rest is on its way, and the pane says so.
        assert len(left.entries) == 1_000 and left.partial and left.fetching
        assert "1,000 of 100,001 received" in left.status_text
        assert left.check_action("escape", ()) is True  # "esc Stop listing" in the key bar

        # Selecting by pattern now would choose among a part: it is refused, with why.
        await pilot.press("plus")
        warned = await wait_for(pilot, lambda: errors_and_warnings(app))
        assert "still arriving (1,000 of 100,001 entries)" in warned[-1]

        # Esc stops the listing: what has arrived stays, and the pane says it is a part.
        await pilot.press("escape")
        await wait_for(pilot, lambda: left.stopped)
        await pilot.pause(1.0)  # the stopped page would have arrived by now
        assert len(left.entries) == 1_000
        assert "1,000 of 100,001 listed (stopped)" in left.status_text
        assert left.check_action("escape", ()) is False

        # Ctrl+R lists it again, whole this time.
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: len(left.entries) == ENTRIES and not left.fetching)
        await wait_for(pilot, lambda: "100,001 files" in left.status_text)
        assert not left.partial and not left.stopped
        names = [left.entries[i].name for i in left.file_list.view]
        assert names[0] == "f000000.dat" and names[-1] == "f100000.dat"
        assert len(set(names)) == ENTRIES
    await session.aclose()

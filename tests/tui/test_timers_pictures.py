"""Pictures of the Timers screen and of the transfer dialog's Schedule part, at 80×24 and
160×48. The timers start on fixed dates ahead of the app's fixed clock, so their schedule,
next run and "in …" read the same every run."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Select

from gtui.sim.serve import RunningSim, start_in_thread
from gtui.sim.world import LAPTOP_ID, SCRATCH_ID
from gtui.tui.screens.timers import TimersScreen
from gtui.tui.screens.transfer_options import TransferOptionsScreen
from tests.sim_login import TRANSFER_SCOPE, by_resource_server, login_through_page
from tests.tui.tui_helpers import (
    FIXED_TIME,
    freeze_mtimes,
    logged_in_app,
    pane,
    ready,
    wait_for,
)

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]
TIMER_SCOPE = "https://auth.globus.org/scopes/524230d7-ea86-4a52-8312-86065a9e0417/timer"
TIMERS_RS = "524230d7-ea86-4a52-8312-86065a9e0417"


@pytest.fixture
def sim(tui_dirs: Path) -> Iterator[RunningSim]:
    """The service with its Timers clock at the app's fixed time, hardly moving."""
    running = start_in_thread(
        tui_dirs / "root", clock_speed=0.001, clock_start=FIXED_TIME.timestamp()
    )
    freeze_mtimes(tui_dirs / "root")
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(autouse=True)
def _utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Timers show local time: the pictures are taken in UTC."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def make_timers(sim: RunningSim) -> None:
    """Three timers of the demo user, made through the Timers API: nightly, weekly (paused),
    and a once timer."""
    login = login_through_page(sim, scopes=f"{TIMER_SCOPE}[{TRANSFER_SCOPE}]")
    token = by_resource_server(login)[TIMERS_RS]
    url = f"{sim.service_urls['timer']}v2/timer"
    schedules = {
        "Nightly results to scratch": {
            "type": "recurring",
            "interval_seconds": 86400,
            "start": "2026-12-01T02:00:00+00:00",
            "end": {"condition": "iterations", "count": 30},
        },
        "Weekly archive of datasets": {
            "type": "recurring",
            "interval_seconds": 7 * 86400,
            "start": "2026-11-28T23:00:00+00:00",
        },
        "Thesis figures, once": {"type": "once", "datetime": "2026-11-24T18:30:00+00:00"},
    }
    ids = []
    for name, schedule in schedules.items():
        body = {
            "DATA_TYPE": "transfer",
            "source_endpoint": LAPTOP_ID,
            "destination_endpoint": SCRATCH_ID,
            "DATA": [
                {
                    "DATA_TYPE": "transfer_item",
                    "source_path": "/~/Documents/",
                    "destination_path": "/~/Documents/",
                    "recursive": True,
                }
            ],
        }
        answer = httpx.post(
            url,
            headers={"Authorization": f"Bearer {token}"},
            json={
                "timer": {
                    "timer_type": "transfer",
                    "name": name,
                    "schedule": schedule,
                    "body": body,
                }
            },
        )
        answer.raise_for_status()
        ids.append(answer.json()["timer"]["job_id"])
    paused = httpx.post(
        f"{sim.service_urls['timer']}jobs/{ids[1]}/pause",
        headers={"Authorization": f"Bearer {token}"},
    )
    paused.raise_for_status()


@pytest.mark.parametrize("size", SIZES)
def test_the_timers_screen(snap_compare: Any, sim: RunningSim, size: tuple[int, int]) -> None:
    make_timers(sim)

    async def open_timers(pilot: Pilot[Any]) -> None:
        await ready(pilot)
        await pilot.press("5")
        screen = await wait_for(
            pilot,
            lambda: pilot.app.screen if isinstance(pilot.app.screen, TimersScreen) else None,
        )
        await wait_for(pilot, lambda: screen.query_one(DataTable).row_count == 3)
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(logged_in_app(sim), terminal_size=size, run_before=open_timers)


@pytest.mark.parametrize("size", SIZES)
def test_the_schedule_part_of_the_transfer_dialog(
    snap_compare: Any, sim: RunningSim, size: tuple[int, int]
) -> None:
    async def fill_schedule(pilot: Pilot[Any]) -> None:
        await ready(pilot)
        left = pane(pilot.app, "left")
        left.file_list.cursor = left.file_list.row_of("Documents")
        await pilot.press("f5")
        dialog = await wait_for(
            pilot,
            lambda: (
                pilot.app.screen if isinstance(pilot.app.screen, TransferOptionsScreen) else None
            ),
        )
        dialog.query_one("#when", Select).value = "repeat"
        await pilot.pause()
        dialog.query_one("#ends", Select).value = "count"
        await pilot.pause()
        dialog.query_one("#first-run", Input).value = "02:00"
        dialog.query_one("#every", Input).value = "1d"
        dialog.query_one("#end-value", Input).value = "30"
        dialog.query_one("#when", Select).focus()
        await pilot.pause()

    assert snap_compare(logged_in_app(sim), terminal_size=size, run_before=fill_schedule)

"""An INACTIVE task end to end: the owner's consent for the archive is withdrawn while a copy
runs, the queue and the task detail say so in words, the repair key runs the consent dialog
against the embedded service, and the task goes on by itself to SUCCEEDED."""

from __future__ import annotations

import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from gtui.core.models import Task, TaskEvent
from gtui.sim.serve import RunningSim
from gtui.sim.world import ARCHIVE_ID, DEMO_USER_ID, LAPTOP_ID
from gtui.tui.screens.consent import ConsentScreen
from gtui.tui.screens.task_detail import TaskDetailScreen
from gtui.tui.task_events import event_sentence
from gtui.tui.task_inactive import inactive_reason, waiting_collection
from gtui.tui.widgets.key_bar import KeyBar
from gtui.tui.widgets.task_queue import TaskQueue
from tests.sim_login import TRANSFER_SCOPE, by_resource_server, login_through_page
from tests.tui.test_consent import consent_screen, grant
from tests.tui.test_task_detail_events import events_text, screen_text
from tests.tui.tui_helpers import ready, record_notifications, wait_for

DATA_ACCESS = f"https://auth.globus.org/scopes/{ARCHIVE_ID}/data_access"
SLOW = 64 * 1024
BIG = bytes(range(256)) * 4096
SIZE = (200, 50)


pytestmark = pytest.mark.usefixtures("over_ssh")


def home(sim: RunningSim, collection_id: str) -> Path:
    return sim.ctx.world.collections[collection_id].root / "home" / "demo"


def submit_archive_copy(sim: RunningSim) -> str:
    """The demo user copies a folder out of the archive, consenting on another device."""
    source = home(sim, ARCHIVE_ID) / "inactive"
    source.mkdir(parents=True, exist_ok=True)
    (source / "big.bin").write_bytes(BIG)
    login = login_through_page(sim, scopes=f"{TRANSFER_SCOPE}[*{DATA_ACCESS}]")
    token = by_resource_server(login)["transfer.api.globus.org"]
    answer = httpx.post(
        f"{sim.service_urls['transfer']}v0.10/transfer",
        headers={"Authorization": f"Bearer {token}"},
        json={
            "DATA_TYPE": "transfer",
            "submission_id": str(uuid.uuid4()),
            "label": "archive copy",
            "source_endpoint": ARCHIVE_ID,
            "destination_endpoint": LAPTOP_ID,
            "DATA": [
                {
                    "DATA_TYPE": "transfer_item",
                    "source_path": "/~/inactive/",
                    "destination_path": "/~/inactive-copy/",
                    "recursive": True,
                }
            ],
        },
    )
    answer.raise_for_status()
    task_id: str = answer.json()["task_id"]
    return task_id


def row_text(queue: TaskQueue, task_id: str) -> str:
    row = queue.row_of(task_id)
    return "" if row is None else queue.render_line(row + 1).text


async def test_an_inactive_task_says_why_and_goes_on_after_the_consent_repair(
    make_app: Any, sim: RunningSim
) -> None:
    sim.settings.throttle_bytes_per_second = SLOW
    task_id = submit_archive_copy(sim)
    app = await make_app()
    shown = record_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        queue = app.screen.query_one("#queue", TaskQueue)
        await wait_for(pilot, lambda: "Active" in row_text(queue, task_id))

        sim.ctx.auth.revoke_consent(DEMO_USER_ID, DATA_ACCESS)

        await wait_for(pilot, lambda: app.feed.tasks[task_id].status == "INACTIVE")
        await pilot.pause()
        row = row_text(queue, task_id)
        assert "Inactive" in row
        assert "needs your consent for “Tape Archive”" in row
        assert any(
            n.message.startswith("Task waiting: archive copy needs your consent")
            and n.severity == "warning"
            for n in shown
        )

        await pilot.press("q")
        queue.cursor = queue.row_of(task_id) or 0
        await pilot.press("enter")
        detail = await wait_for(
            pilot, lambda: app.screen if isinstance(app.screen, TaskDetailScreen) else None
        )
        await wait_for(pilot, lambda: "needs your consent for “Tape Archive”" in screen_text(app))
        await wait_for(
            pilot,
            lambda: (
                "No credentials for “Tape Archive”: missing required data_access"
                in events_text(detail)
            ),
        )
        bar = detail.query_one(KeyBar)
        await wait_for(pilot, lambda: "Repair consent" in [h.description for h in bar.hints])
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen.query("#queue"))
        await pilot.press("q")

        await pilot.press("a")
        screen = await wait_for(pilot, lambda: consent_screen(app))
        assert "“Tape Archive”" in str(screen.query_one("#login-reason").render())
        await wait_for(pilot, lambda: screen.flow is not None)
        assert screen.flow.requested_scopes == f"{TRANSFER_SCOPE}[*{DATA_ACCESS}]"
        await grant(pilot, screen)
        await wait_for(pilot, lambda: not isinstance(app.screen, ConsentScreen))

        await wait_for(pilot, lambda: app.feed.tasks[task_id].status == "ACTIVE")
        assert "needs your consent" not in row_text(queue, task_id)
        sim.settings.throttle_bytes_per_second = 0
        await wait_for(pilot, lambda: app.feed.tasks[task_id].status == "SUCCEEDED")
        await pilot.pause()
        assert "Succeeded" in row_text(queue, task_id)
    copied = home(sim, LAPTOP_ID) / "inactive-copy" / "big.bin"
    assert copied.read_bytes() == BIG


def test_the_event_and_the_reason_read_as_words() -> None:
    details = (
        "Missing required data_access consent\n"
        f"Endpoint: Tape Archive ({ARCHIVE_ID})\nScope: {DATA_ACCESS}"
    )
    event = TaskEvent("NO_CREDENTIALS", "no credentials", details, is_error=True)
    assert event_sentence(event) == (
        "No credentials for “Tape Archive”: missing required data_access consent"
    )
    task = Task(
        "t",
        status="INACTIVE",
        label="archive copy",
        nice_status="NO_CREDENTIALS",
        nice_status_short_description="no credentials",
        nice_status_details=details,
        is_ok=False,
    )
    assert inactive_reason(task) == "needs your consent for “Tape Archive”"
    assert waiting_collection(task) == ("Tape Archive", ARCHIVE_ID)
    expired = replace(task, nice_status_details="Credentials expired", nice_status="AUTH")
    expired = replace(expired, nice_status_short_description=None)
    assert inactive_reason(expired) == "waiting for you: auth"
    assert inactive_reason(replace(task, status="ACTIVE")) == ""

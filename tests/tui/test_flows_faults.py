"""Flows in the app while the embedded service fails: with many 5xx, 429s and drops the Flows
screen, a run's page and the Activity screen still come up (the client core's retries); when
Flows fails past the retries, the app says so in one plain sentence and keeps going; a run
whose answer was lost is not started a second time, and the person is told to look first."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gtui.core.http import RetryPolicy
from gtui.core.session import GlobusSession
from gtui.sim.ids import MOVE_FLOW_ID
from gtui.sim.serve import RunningSim, start_in_thread
from gtui.sim.settings import FaultSettings
from gtui.sim.world import DEMO_NATIVE_CLIENT_ID, LAPTOP_ID, SCRATCH_ID
from gtui.tui.activity_list import ActivityList
from gtui.tui.demo_login import demo_login
from gtui.tui.screens.flow_run import FlowRunScreen
from gtui.tui.screens.flow_start import FlowStartScreen
from gtui.tui.screens.flows import FlowsScreen
from gtui.tui.state import PanePlace
from tests.sim.flows_support import (
    flow_client,
    flows_client,
    move_input,
    wait_for_status,
    write_files,
)
from tests.tui.test_activity import open_activity
from tests.tui.test_consent import consent_screen, grant
from tests.tui.test_flows import MOVE, answer_delete_question, field_input, open_flows, open_form
from tests.tui.tui_helpers import (
    build_app,
    freeze_mtimes,
    ready,
    record_notifications,
    wait_for,
)

SIZE = (160, 48)
FREQUENT = dict(error_rate=0.2, rate_429=0.1, drop_rate=0.05, seed=20261122)
# A token, a client secret or an authorization header: nothing of the kind may be shown.
SECRET_LIKE = re.compile(r"Bearer|[A-Za-z0-9_\-]{40,}")


pytestmark = pytest.mark.usefixtures("over_ssh")


@pytest.fixture
def sim(tui_dirs: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningSim]:
    running = start_in_thread(tui_dirs / "root", clock_speed=50.0)
    freeze_mtimes(tui_dirs / "root")
    for name, value in running.env.items():
        monkeypatch.setenv(name, value)
    try:
        yield running
    finally:
        running.stop()


async def app_on(sim: RunningSim) -> Any:
    """The app logged in, its retries quick (Retry-After is capped at the backoff too)."""
    session = GlobusSession(
        DEMO_NATIVE_CLIENT_ID,
        environment="sim",
        service_urls=sim.service_urls,
        retry_policy=RetryPolicy(max_backoff=0.05),
    )
    await demo_login(session)
    return build_app(
        sim, session, left=PanePlace(LAPTOP_ID, "/~/Documents/"), right=PanePlace(SCRATCH_ID, "/~/")
    )


def errors_of(shown: list[Any]) -> list[str]:
    return [n.message for n in shown if n.severity == "error"]


def assert_plain(message: str) -> None:
    """One sentence (the code and request id may follow on a line of their own), no secret."""
    sentence = message.split("\n", 1)[0]
    assert sentence.endswith(".") and "Traceback" not in message
    assert not SECRET_LIKE.search(message), message


async def test_the_flows_screens_come_up_through_frequent_faults(sim: RunningSim) -> None:
    write_files(sim, "outbox", {"notes.txt": b"calm\n"})
    run_id = flow_client(sim, MOVE_FLOW_ID).run_flow(
        move_input("outbox", "moved"), label="before the storm"
    )["run_id"]
    wait_for_status(flows_client(sim), run_id, "SUCCEEDED", timeout=30)
    app = await app_on(sim)
    sim.settings.faults = FaultSettings(**FREQUENT)
    async with app.run_test(size=SIZE) as pilot:
        flows = await open_flows(app, pilot)
        assert MOVE in [f.title for f in flows.shown]

        app.push_screen(FlowRunScreen(run_id))
        page = await wait_for(pilot, lambda: isinstance(app.screen, FlowRunScreen) and app.screen)
        await wait_for(pilot, lambda: page.run is not None and page.run.status == "SUCCEEDED")
        await wait_for(pilot, lambda: any(e.code == "FlowSucceeded" for e in page.entries))
        await pilot.press("escape")

        activity = await open_activity(pilot)
        await wait_for(
            pilot,
            lambda: any(
                r.kind == "flow run" and r.id == run_id
                for r in activity.query_one(ActivityList).rows
            ),
        )
    assert sim.ctx.fault_counts["errors"] + sim.ctx.fault_counts["throttled_429"] >= 3


async def test_flows_failing_past_the_retries_is_told_in_one_sentence(sim: RunningSim) -> None:
    app = await app_on(sim)
    async with app.run_test(size=SIZE) as pilot:
        shown = record_notifications(app)
        sim.settings.faults = FaultSettings(error_rate=1.0, only_paths=["/flows/"])
        await ready(pilot)
        await pilot.press("6")
        flows = await wait_for(pilot, lambda: isinstance(app.screen, FlowsScreen) and app.screen)
        await wait_for(pilot, lambda: errors_of(shown))
        (message,) = errors_of(shown)
        assert message.startswith("Could not load the flows: Globus")
        assert_plain(message)
        assert "Could not load the flows." in str(flows.query_one("#flows-status").render())
        assert flows.shown == []

        # Transfer still answers: the activity shows, saying the flow runs are missing.
        await pilot.press("escape")
        activity = await open_activity(pilot)
        status = str(activity.query_one("#activity-status").render())
        assert "no flow runs: Flows did not answer (Ctrl+R to try again)" in status
        assert len(errors_of(shown)) == 1

        # Once Flows answers again, a refresh lists the flows: nothing was left broken.
        sim.settings.faults = FaultSettings()
        await pilot.press("6")
        flows = await wait_for(pilot, lambda: isinstance(app.screen, FlowsScreen) and app.screen)
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: MOVE in [f.title for f in flows.shown])


async def test_a_run_whose_answer_was_lost_is_not_sent_again_and_the_person_is_told(
    sim: RunningSim,
) -> None:
    app = await app_on(sim)
    async with app.run_test(size=SIZE) as pilot:
        shown = record_notifications(app)
        form = await open_form(app, pilot, MOVE)
        field_input(form, "destination").value = "/~/moved/"
        await pilot.press("ctrl+s")
        consent = await wait_for(pilot, lambda: consent_screen(app))
        await grant(pilot, consent)
        # The input is checked; the question before a flow that deletes is asked. Now Flows
        # drops every connection, half of them after it made the run.
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ConfirmScreen")
        sim.settings.faults = FaultSettings(drop_rate=1.0, seed=1, only_paths=["/flows/"])
        await answer_delete_question(app, pilot, yes=True)
        await wait_for(pilot, lambda: errors_of(shown))
        (message,) = errors_of(shown)
        assert message.startswith(
            "No clear answer came from Globus Flows, so the run of “Move (copy, then delete"
        )
        assert "may or may not have started. Look in the flow's runs" in message
        assert_plain(message)
        assert sim.ctx.fault_counts["dropped"] == 1  # sent once, never again
        assert isinstance(app.screen, FlowStartScreen)  # the form stays, as it was

    sim.settings.faults = FaultSettings()
    runs = flows_client(sim).list_runs(filter_flow_id=MOVE_FLOW_ID)["runs"]
    assert len(runs) <= 1

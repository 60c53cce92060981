"""The Activity view's flow runs and timer runs, made through the embedded Flows and Timers
services rather than as fake documents: a Move flow's run beside the two tasks it started,
found by kind and by a label pattern and opened; a timer's two runs shown once each, as timer
runs with their tasks' status and bytes, and opened."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input

from gtui.core.activity import ActivityRow
from gtui.sim.serve import RunningSim, start_in_thread
from gtui.sim.world import DEMO_USER_ID, LAPTOP_ID, SCRATCH_ID
from gtui.tui.activity_filters import ActivityFiltersScreen
from gtui.tui.activity_list import ActivityList
from gtui.tui.screens import activity as activity_screen
from gtui.tui.screens.activity import ActivityScreen
from gtui.tui.screens.flow_run import FlowRunScreen
from gtui.tui.screens.task_detail import TaskDetailScreen
from gtui.tui.state import PanePlace
from gtui.tui.widgets.checkbox import Checkbox
from tests.tui.test_activity import line_texts, open_activity
from tests.tui.test_consent import consent_screen, grant
from tests.tui.test_flows import MOVE, answer_delete_question, field_input, open_form, run_screen
from tests.tui.test_timers import make_timer, runs_of, step_to_next_run
from tests.tui.tui_helpers import collection_path, freeze_mtimes, ready, wait_for

SIZE = (160, 48)
FLOWS_SPEED = 50.0
"""As the Flows tests run the service: a flow's states move on at once."""
STEPPED = 0.001
"""As the Timers tests run it: the clock hardly moves unless a test steps it."""


pytestmark = pytest.mark.usefixtures("over_ssh")


@pytest.fixture
def sim(tui_dirs: Path, request: pytest.FixtureRequest) -> Iterator[RunningSim]:
    """The service at the clock speed a test asks for (indirectly), else the Flows tests'."""
    running = start_in_thread(tui_dirs / "root", clock_speed=getattr(request, "param", FLOWS_SPEED))
    freeze_mtimes(tui_dirs / "root")
    try:
        yield running
    finally:
        running.stop()


def rows_of(screen: ActivityScreen) -> list[ActivityRow]:
    return list(screen.query_one(ActivityList).rows)


def row_line(screen: ActivityScreen, row: ActivityRow) -> str:
    """The row as drawn (line 0 is the header)."""
    listed = screen.query_one(ActivityList)
    return line_texts(listed)[listed.rows.index(row) + 1]


async def run_move_flow(app: Any, pilot: Any, label: str, *, wait: bool = True) -> str:
    """The Move flow from its form (Documents on the laptop to scratch), its consent given;
    the run's id once it has succeeded (or, without ``wait``, once it has started)."""
    form = await open_form(app, pilot, MOVE)
    field_input(form, "destination").value = "/~/moved/"
    form.query_one("#run-label").value = label
    await pilot.press("ctrl+s")
    # The flow's consent, said by the flow's title and with the collection it writes to.
    consent = await wait_for(pilot, lambda: consent_screen(app))
    reason = str(consent.query_one("#login-reason").render())
    assert f"The flow “{MOVE}” runs as you" in reason
    assert "“HPC Cluster Scratch”" in reason and "scopes/" not in reason
    await grant(pilot, consent)
    await answer_delete_question(app, pilot, yes=True)
    detail = await run_screen(app, pilot)
    if wait:
        await wait_for(
            pilot,
            lambda: detail.run is not None and detail.run.status == "SUCCEEDED",
            timeout=60,
        )
    await pilot.press("escape")
    return detail.run_id


async def test_a_running_flow_run_row_reaches_its_end_by_itself(
    make_app: Any, sim: RunningSim, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A flow run's row is read again while it runs: its end shows without Ctrl+R."""
    monkeypatch.setattr(activity_screen, "RUN_POLL_SECONDS", 0.3)
    sim.settings.throttle_bytes_per_second = 500_000
    documents = collection_path(sim, LAPTOP_ID, "/~/Documents")
    (documents / "slow.bin").write_bytes(b"x" * 1_500_000)
    app = await make_app(left=PanePlace(LAPTOP_ID, "/~/Documents/"))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        run_id = await run_move_flow(app, pilot, "slow tidy", wait=False)
        await pilot.press("escape")
        await pilot.pause(0.2)
        await pilot.press("7")
        screen = await wait_for(
            pilot, lambda: isinstance(app.screen, ActivityScreen) and app.screen
        )
        run_row = await wait_for(
            pilot, lambda: next((r for r in rows_of(screen) if r.id == run_id), None)
        )
        assert run_row.status == "ACTIVE"
        await wait_for(
            pilot,
            lambda: any(r.id == run_id and r.status == "SUCCEEDED" for r in rows_of(screen)),
            timeout=60,
        )


async def filter_with(pilot: Any, *, kinds: set[str] | None = None, label: str = "") -> None:
    """The filter dialog: only ``kinds`` ticked, ``label`` typed, Enter."""
    await pilot.press("f")
    dialog = await wait_for(
        pilot, lambda: isinstance(pilot.app.screen, ActivityFiltersScreen) and pilot.app.screen
    )
    await pilot.pause()
    if kinds is not None:
        for box in dialog.query(Checkbox):
            if box.id and box.id.startswith("kind-"):
                box.value = str(box.label) in kinds
    if label:
        await pilot.press(*label)
    await pilot.press("enter")


async def test_a_flow_run_shows_beside_its_tasks_and_opens_its_detail(
    make_app: Any, sim: RunningSim
) -> None:
    app = await make_app(
        left=PanePlace(LAPTOP_ID, "/~/Documents/"), right=PanePlace(SCRATCH_ID, "/~/")
    )
    async with app.run_test(size=SIZE) as pilot:
        run_id = await run_move_flow(app, pilot, "tidy documents")
        tasks = sim.ctx.transfer.store.tasks_of(DEMO_USER_ID)
        assert sorted(t.doc["type"] for t in tasks) == ["DELETE", "TRANSFER"]

        screen = await open_activity(pilot)
        rows = rows_of(screen)
        flow_rows = [row for row in rows if row.kind == "flow run"]
        assert [(r.id, r.label, r.status) for r in flow_rows] == [
            (run_id, "tidy documents", "SUCCEEDED")
        ]
        assert flow_rows[0].flow_title == MOVE
        line = row_line(screen, flow_rows[0])
        assert "flow run" in line and "Succeeded" in line and "tidy documents" in line
        # The run's transfer and delete are tasks of their own, each once.
        task_rows = sorted((r.kind, r.task_id) for r in rows if r.is_task)
        assert task_rows == sorted(
            ("delete" if t.doc["type"] == "DELETE" else "transfer", t.task_id) for t in tasks
        )
        assert all(r.status == "SUCCEEDED" for r in rows if r.is_task)

        # Only flow runs: the run stays, the tasks go, and the status line says why.
        await filter_with(pilot, kinds={"flow run"})
        await wait_for(pilot, lambda: [r.id for r in rows_of(screen)] == [run_id])
        assert "kind flow run" in str(screen.query_one("#activity-status").render())
        assert not any("transfer" in text for text in line_texts(screen.query_one(ActivityList)))

        # Enter opens the run's detail, with its log.
        await pilot.press("enter")
        detail = await run_screen(app, pilot)
        assert detail.run_id == run_id
        await wait_for(pilot, lambda: any(e.code == "FlowSucceeded" for e in detail.entries))
        assert "tidy documents" in str(detail.query_one("#flow-run-head").render())


async def test_the_label_filter_with_a_wildcard_finds_a_flow_run(
    make_app: Any, sim: RunningSim
) -> None:
    app = await make_app(
        left=PanePlace(LAPTOP_ID, "/~/Documents/"), right=PanePlace(SCRATCH_ID, "/~/")
    )
    async with app.run_test(size=SIZE) as pilot:
        run_id = await run_move_flow(app, pilot, "Quarterly tidy-up")
        screen = await open_activity(pilot)
        assert run_id in [r.id for r in rows_of(screen)]

        await filter_with(pilot, label="quart*UP")
        await wait_for(pilot, lambda: not screen._reading and screen.wanted.label)
        found = await wait_for(pilot, lambda: [r for r in rows_of(screen) if r.kind == "flow run"])
        assert [r.id for r in found] == [run_id]
        # Only the run: its tasks carry the label the flow gives them ("Moved by a flow").
        assert [r.kind for r in rows_of(screen)] == ["flow run"]
        assert "label “quart*UP”" in str(screen.query_one("#activity-status").render())

        # A pattern the label does not fit finds nothing.
        await filter_with(pilot, kinds={"flow run"})
        await wait_for(pilot, lambda: [r.id for r in rows_of(screen)] == [run_id])
        await pilot.press("f")
        dialog = await wait_for(
            pilot, lambda: isinstance(app.screen, ActivityFiltersScreen) and app.screen
        )
        await pilot.pause()
        assert dialog.query_one("#f-label", Input).value == "quart*UP"
        dialog.query_one("#f-label", Input).value = "*annual*"
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.wanted.label == "*annual*" and not screen._reading)
        await wait_for(pilot, lambda: rows_of(screen) == [])
        assert "Nothing matches the filter" in line_texts(screen.query_one(ActivityList))[1]


@pytest.mark.parametrize("sim", [STEPPED], indirect=True)
async def test_a_timer_that_ran_twice_shows_two_timer_runs_and_no_plain_tasks(
    make_app: Any, sim: RunningSim
) -> None:
    app = await make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        timer = await make_timer(app, pilot, "Documents")
        await runs_of(pilot, app, 1)
        # The timer syncs: without its copies gone, the second run would copy nothing.
        for copied in collection_path(sim, SCRATCH_ID, "/~/Documents").rglob("*"):
            if copied.is_file():
                copied.unlink()
        await step_to_next_run(sim, app)
        timer = await runs_of(pilot, app, 2)
        task_ids = [run.task_id for run in timer.runs]
        assert len(set(task_ids)) == 2 and None not in task_ids
        served = {
            task_id: sim.ctx.transfer.store.task_for(DEMO_USER_ID, task_id).doc
            for task_id in task_ids
            if task_id
        }
        assert all(doc["bytes_transferred"] > 0 for doc in served.values())

        screen = await open_activity(pilot)
        rows = rows_of(screen)
        assert [r.kind for r in rows] == ["timer run", "timer run"], rows
        assert sorted(r.task_id or "" for r in rows) == sorted(served)
        for row in rows:
            doc = served[row.task_id or ""]
            assert row.status == doc["status"] == "SUCCEEDED"
            assert row.bytes == doc["bytes_transferred"]
            assert row.timer_id == timer.job_id
            line = row_line(screen, row)
            assert "timer run" in line and "Succeeded" in line
            assert "Laptop" in line or "laptop" in line

        # Enter on the older run opens that run's task.
        older = rows[1]
        screen.query_one(ActivityList).cursor = 1
        await pilot.press("enter")
        task_screen = await wait_for(
            pilot, lambda: isinstance(app.screen, TaskDetailScreen) and app.screen
        )
        assert task_screen.task_id == older.task_id
        assert not isinstance(app.screen, FlowRunScreen)

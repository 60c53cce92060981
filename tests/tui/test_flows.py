"""Flows in the app, against the embedded service: the Move flow started from its form
(prefilled from the panes), its log followed to FlowSucceeded and the files found moved on
disk; a schema error shown by its field; the consent asked on a first run; cancel; relabel;
and the screens at 80×24."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Input

from gtui.core.scopes import FLOWS_RESOURCE_SERVER, flow_user_scope
from gtui.sim.ids import MOVE_FLOW_ID, TWO_STAGE_FLOW_ID
from gtui.sim.serve import RunningSim, start_in_thread
from gtui.sim.world import LAPTOP_ID, SCRATCH_ID
from gtui.tui.demo_login import demo_login
from gtui.tui.screens.confirm import ConfirmScreen
from gtui.tui.screens.flow_run import FlowRunScreen
from gtui.tui.screens.flow_runs import FlowRunsScreen
from gtui.tui.screens.flow_start import FlowStartScreen
from gtui.tui.screens.flows import FlowsScreen
from gtui.tui.screens.prompt import PromptScreen
from gtui.tui.screens.task_detail import TaskDetailScreen
from gtui.tui.state import PanePlace
from gtui.tui.widgets.schema_form import SchemaForm
from tests.tui.test_consent import consent_screen, grant
from tests.tui.tui_helpers import (
    collection_path,
    files_under,
    freeze_mtimes,
    new_session,
    ready,
    record_notifications,
    wait_for,
)

SIZE = (160, 48)
MOVE = "Move (copy, then delete the source)"
TWO_STAGE = "Two-stage transfer (instrument → scratch → archive)"


pytestmark = pytest.mark.usefixtures("over_ssh")


@pytest.fixture
def sim(tui_dirs: Path) -> Iterator[RunningSim]:
    running = start_in_thread(tui_dirs / "root", clock_speed=50.0)
    freeze_mtimes(tui_dirs / "root")
    try:
        yield running
    finally:
        running.stop()


async def open_flows(app: Any, pilot: Any) -> FlowsScreen:
    await ready(pilot)
    await pilot.press("6")
    screen = await wait_for(pilot, lambda: isinstance(app.screen, FlowsScreen) and app.screen)
    await wait_for(pilot, lambda: screen.shown)
    return screen


async def open_form(app: Any, pilot: Any, title: str) -> FlowStartScreen:
    flows = await open_flows(app, pilot)
    table = flows.query_one(DataTable)
    table.move_cursor(row=[f.title for f in flows.shown].index(title))
    await pilot.press("enter")
    form = await wait_for(pilot, lambda: isinstance(app.screen, FlowStartScreen) and app.screen)
    await pilot.pause()
    return form


async def answer_delete_question(app: Any, pilot: Any, *, yes: bool) -> list[str]:
    """Answer the question asked before a flow that deletes runs; the places it listed."""
    question = await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen) and app.screen)
    assert "deletes files" in question.message and "“Delete”" in question.message
    places = list(question.items)
    await pilot.press("y" if yes else "n")
    return places


def field_input(form: FlowStartScreen, *path: str) -> Input:
    schema_form = form.query_one(SchemaForm)
    return schema_form.query_one(f"#{schema_form.widget_id(tuple(path))}", Input)


async def run_screen(app: Any, pilot: Any) -> FlowRunScreen:
    return await wait_for(pilot, lambda: isinstance(app.screen, FlowRunScreen) and app.screen)


async def test_the_move_flow_runs_from_its_form_to_flow_succeeded(
    make_app: Any, sim: RunningSim
) -> None:
    app = await make_app(
        left=PanePlace(LAPTOP_ID, "/~/Documents/"), right=PanePlace(SCRATCH_ID, "/~/")
    )
    source = collection_path(sim, LAPTOP_ID, "/~/Documents/")
    expected = files_under(source)
    assert expected
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(app, pilot, MOVE)
        # Prefilled from the panes: the focused (left) pane is the source.
        schema_form = form.query_one(SchemaForm)
        assert schema_form.collection_of(("source",)) == LAPTOP_ID
        assert schema_form.collection_of(("destination",)) == SCRATCH_ID
        assert field_input(form, "source").value == "/~/Documents/"
        assert field_input(form, "destination").value == "/~/"
        field_input(form, "destination").value = "/~/moved/"
        form.query_one("#run-label", Input).value = "tidy documents"
        await pilot.press("ctrl+s")
        # The first run of the flow asks for its consent, with Transfer's (and the scratch
        # collection's data_access) under it.
        consent = await wait_for(pilot, lambda: consent_screen(app))
        await wait_for(pilot, lambda: consent.flow is not None)
        requested = consent.flow.requested_scopes
        assert requested.startswith(flow_user_scope(MOVE_FLOW_ID) + "[")
        assert f"{SCRATCH_ID}/data_access" in requested
        await grant(pilot, consent)
        # The flow deletes its source: the places it is given are shown, and it runs on yes.
        places = await answer_delete_question(app, pilot, yes=True)
        assert places == [
            "Source: Demo Laptop /~/Documents/",
            "Destination: HPC Cluster Scratch /~/moved/",
        ]
        detail = await run_screen(app, pilot)
        await wait_for(
            pilot,
            lambda: detail.run is not None and detail.run.status == "SUCCEEDED",
            timeout=60,
        )
        await wait_for(pilot, lambda: any(e.code == "FlowSucceeded" for e in detail.entries))
        assert detail.run is not None and detail.run.label == "tidy documents"
        codes = [entry.code for entry in detail.entries]
        assert codes[0] == "FlowStarted" and codes[-1] == "FlowSucceeded"
        tasks = [entry for entry in detail.entries if entry.task_id]
        assert tasks, "the Transfer actions name their tasks"
        # The queue follows the tasks the run started, as it does the user's own.
        await wait_for(pilot, lambda: all(entry.task_id in app.feed.tasks for entry in tasks))
        assert {app.feed.tasks[e.task_id].type for e in tasks if e.task_id} == {
            "TRANSFER",
            "DELETE",
        }
        head = str(detail.query_one("#flow-run-head").render())
        assert "tidy documents" in head and "Succeeded" in head

        # Enter on an entry of a Transfer action opens its task.
        table = detail.query_one(DataTable)
        table.move_cursor(row=detail.entries.index(tasks[0]))
        await pilot.press("enter")
        task_screen = await wait_for(
            pilot, lambda: isinstance(app.screen, TaskDetailScreen) and app.screen
        )
        assert task_screen.task_id == tasks[0].task_id

    moved = collection_path(sim, SCRATCH_ID, "/~/moved/")
    assert files_under(moved) == expected
    assert not source.exists() or not files_under(source)


async def test_a_flow_that_deletes_is_not_started_when_the_user_goes_back(
    make_app: Any, sim: RunningSim
) -> None:
    app = await make_app(
        left=PanePlace(LAPTOP_ID, "/~/Documents/"), right=PanePlace(SCRATCH_ID, "/~/")
    )
    source = collection_path(sim, LAPTOP_ID, "/~/Documents/")
    before = files_under(source)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(app, pilot, MOVE)
        await pilot.press("ctrl+s")
        await grant(pilot, await wait_for(pilot, lambda: consent_screen(app)))
        places = await answer_delete_question(app, pilot, yes=False)
        assert places[0] == "Source: Demo Laptop /~/Documents/"
        await wait_for(pilot, lambda: app.screen is form)
        assert "Not started" in str(form.query_one("#flow-start-problem").render())
        runs = await app.session.flows.list_runs()
    assert runs["runs"] == []
    assert files_under(source) == before


async def test_a_login_holds_a_flows_token_where_the_sdk_looks(sim: RunningSim) -> None:
    session = new_session(sim)
    try:
        await demo_login(session)
        held = set(session.token_store.get_by_resource_server())
    finally:
        await session.aclose()
    assert FLOWS_RESOURCE_SERVER in held, f"Flows' token is under one of {sorted(held)}"


def screen_text(app: Any) -> str:
    """The screen's text as drawn, row by row."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def start_two_stage(app: Any, pilot: Any, settle: str, *, run: bool) -> FlowStartScreen:
    form = await open_form(app, pilot, TWO_STAGE)
    field_input(form, "source").value = "/~/Documents/"
    field_input(form, "settle_seconds").value = settle
    await pilot.press("ctrl+s" if run else "ctrl+l")
    consent = await wait_for(pilot, lambda: consent_screen(app))
    requested = consent.flow.requested_scopes if consent.flow else ""
    await grant(pilot, consent)
    assert flow_user_scope(TWO_STAGE_FLOW_ID) in requested
    return form


async def test_the_service_refusal_is_shown_under_the_field_it_names(make_app: Any) -> None:
    app = await make_app()
    async with app.run_test(size=SIZE) as pilot:
        form = await start_two_stage(app, pilot, "99999", run=False)
        schema_form = form.query_one(SchemaForm)
        await wait_for(pilot, lambda: schema_form.errors)
        assert list(schema_form.errors) == [("settle_seconds",)]
        said = schema_form.errors[("settle_seconds",)]
        assert "99999" in said and "3600" in said
        line = schema_form.query_one(f"#{schema_form.widget_id(('settle_seconds',))}-error")
        assert line.display and said in str(line.render())
        assert "refused" in str(form.query_one("#flow-start-problem").render())
        assert isinstance(app.screen, FlowStartScreen), "nothing started"

        # Fixed, the same check passes and the marks go.
        field_input(form, "settle_seconds").value = "0"
        shown = record_notifications(app)
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: any("accepts" in n.message for n in shown))
        assert schema_form.errors == {}


async def test_cancel_a_waiting_run_then_relabel_it(make_app: Any) -> None:
    app = await make_app()
    async with app.run_test(size=SIZE) as pilot:
        await start_two_stage(app, pilot, "3600", run=True)
        detail = await run_screen(app, pilot)
        await wait_for(
            pilot, lambda: any(e.code == "WaitStarted" for e in detail.entries), timeout=60
        )
        await pilot.press("c")
        confirm = await wait_for(
            pilot, lambda: isinstance(app.screen, ConfirmScreen) and app.screen
        )
        assert "Cancel the run?" in str(confirm.query_one(".dialog-title").render())
        await pilot.press("y")
        await wait_for(pilot, lambda: detail.run is not None and detail.run.is_finished)
        await wait_for(pilot, lambda: any(e.code == "FlowCanceled" for e in detail.entries))
        assert "Canceled" in str(detail.query_one("#flow-run-head").render())

        await pilot.press("f2")
        prompt = await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen) and app.screen)
        prompt.query_one(Input).value = "stopped on purpose"
        await pilot.press("enter")
        await wait_for(pilot, lambda: detail.run and detail.run.label == "stopped on purpose")
        run_id = detail.run_id
        served = await app.session.flows.get_run(run_id)
        assert served["label"] == "stopped on purpose"
        assert "stopped on purpose" in str(detail.query_one("#flow-run-head").render())

        # My runs, from the Flows screen: the run with its new label; Enter opens it again.
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, FlowsScreen))
        await pilot.press("m")
        runs = await wait_for(pilot, lambda: isinstance(app.screen, FlowRunsScreen) and app.screen)
        await wait_for(pilot, lambda: runs.runs)
        assert [(r.run_id, r.label) for r in runs.runs] == [(run_id, "stopped on purpose")]
        assert "Canceled" in screen_text(app)
        await pilot.press("enter")
        again = await run_screen(app, pilot)
        assert again.run_id == run_id


async def test_a_run_waiting_for_the_archive_consent_resumes_once_given(
    make_app: Any, sim: RunningSim
) -> None:
    app = await make_app()
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(app, pilot, "Archive to tape")
        field_input(form, "source").value = "/~/Documents/"
        form.query_one(SchemaForm).query_one(
            f"#{form.query_one(SchemaForm).widget_id(('archive_path',))}", Input
        ).value = "/~/from-flow/"
        await pilot.press("ctrl+s")
        await grant(pilot, await wait_for(pilot, lambda: consent_screen(app)))
        detail = await run_screen(app, pilot)
        await wait_for(
            pilot, lambda: detail.run is not None and detail.run.status == "INACTIVE", timeout=60
        )
        head = str(detail.query_one("#flow-run-head").render())
        assert "Needs consent" in head
        assert "press r" in str(detail.query_one("#flow-run-why").render()).casefold()
        # The waiting action has made no task yet: no entry offers one to open.
        await wait_for(pilot, lambda: any(e.code == "ActionInactive" for e in detail.entries))
        assert [e.task_id for e in detail.entries if e.task_id] == []

        await pilot.press("r")
        consent = await wait_for(pilot, lambda: consent_screen(app))
        assert "Tape Archive" in str(consent.query_one("#login-reason").render())
        await grant(pilot, consent)
        await wait_for(
            pilot, lambda: detail.run is not None and detail.run.status == "SUCCEEDED", timeout=60
        )
    archived = sim.settings.root / "archive" / "home" / "demo" / "from-flow"
    assert archived.exists() and any(archived.rglob("*"))


async def test_the_flows_screens_read_at_80_by_24(make_app: Any) -> None:
    app = await make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        flows = await open_flows(app, pilot)
        text = screen_text(app)
        assert "Move (copy, then delete" in text
        assert "Two-stage transfer" in text
        for column in ("Flow", "About", "Owner", "Role"):
            assert column in text
        assert "starter" in text and "other@gtui" in text
        assert "Enter starts one" in text

        # Typing narrows the list at once; the service's own search agrees.
        await pilot.press("slash")
        for key in "tape":
            await pilot.press(key)
        await wait_for(pilot, lambda: [f.title for f in flows.shown] == ["Archive to tape"])
        await pilot.pause(0.5)
        assert [f.title for f in flows.flows] == ["Archive to tape"]
        await pilot.press("escape")
        await pilot.press("enter")
        form = await wait_for(pilot, lambda: isinstance(app.screen, FlowStartScreen) and app.screen)
        await pilot.pause()
        text = screen_text(app)
        assert "Start “Archive to tape”" in text
        assert "Source *" in text and "Demo Laptop" in text
        assert "Start run" in text and "Check input" in text
        assert form.is_current


async def test_without_colour_the_flows_cursor_row_is_reverse_video(
    make_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A grey a few steps from the background is not a cursor on every terminal."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = await make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        flows = await open_flows(app, pilot)
        table = flows.query_one(DataTable)
        table.move_cursor(row=1)
        await pilot.pause()

        def reversed_cells(y: int) -> list[bool]:
            return [
                bool(s.style and s.style.reverse) for s in table.render_line(y) if s.text.strip()
            ]

        assert all(reversed_cells(2)), "the cursor row (the second flow) is reverse video"
        assert not any(reversed_cells(1)) and not any(reversed_cells(3))


async def test_home_and_end_go_to_the_first_and_last_flow(make_app: Any) -> None:
    app = await make_app()
    async with app.run_test(size=SIZE) as pilot:
        flows = await open_flows(app, pilot)
        table = flows.query_one(DataTable)
        table.focus()
        await pilot.press("end")
        assert table.cursor_row == len(flows.shown) - 1 > 0
        await pilot.press("home")
        assert table.cursor_row == 0

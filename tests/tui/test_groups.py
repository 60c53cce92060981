"""The groups mode against the embedded service's Groups API (demo user: admin of Climate
Modelling Lab, member of HPC Users, invited to Genome Consortium)."""

from __future__ import annotations

from typing import Any

from textual.widgets import DataTable, Input

from gtui.sim.serve import RunningSim
from gtui.sim.world import OPEN_DATA_GROUP_ID
from gtui.tui.screens.confirm import ConfirmScreen
from gtui.tui.screens.group_detail import GroupDetailScreen
from gtui.tui.screens.groups import GroupsScreen
from gtui.tui.screens.prompt import PromptScreen
from tests.tui.tui_helpers import logged_in_app, ready, wait_for


def rows(screen: Any, table_id: str) -> list[list[str]]:
    table = screen.query_one(f"#{table_id}", DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def row_where(screen: Any, table_id: str, text: str) -> list[str]:
    return next(r for r in rows(screen, table_id) if text in r)


async def open_groups(pilot: Any) -> GroupsScreen:
    await pilot.press("3")
    return await wait_for(
        pilot,
        lambda: (
            isinstance(pilot.app.screen, GroupsScreen)
            and pilot.app.screen.groups
            and pilot.app.screen
        ),
    )


async def open_detail(pilot: Any, groups: GroupsScreen, name: str) -> GroupDetailScreen:
    table = groups.query_one(DataTable)
    table.move_cursor(row=[r[0] for r in rows(groups, "groups-table")].index(name))
    await pilot.press("enter")
    return await wait_for(
        pilot,
        lambda: (
            isinstance(pilot.app.screen, GroupDetailScreen)
            and pilot.app.screen.group is not None
            and pilot.app.screen
        ),
    )


async def answer_prompt(pilot: Any, value: str) -> None:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, PromptScreen))
    pilot.app.screen.query_one(Input).value = value
    await pilot.press("enter")


def select_member(detail: GroupDetailScreen, username: str) -> None:
    usernames = [r[1] for r in rows(detail, "members-table")]
    detail.query_one(DataTable).move_cursor(row=usernames.index(username))


async def test_my_groups_show_role_and_status_and_an_invitation_can_be_accepted(
    make_app: Any,
) -> None:
    app = await make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        groups = await open_groups(pilot)
        table = rows(groups, "groups-table")
        assert table[0][:3] == ["Genome Consortium", "—", "invited"]
        assert row_where(groups, "groups-table", "Climate Modelling Lab")[1:3] == [
            "admin",
            "active",
        ]
        assert row_where(groups, "groups-table", "HPC Users")[1:3] == ["member", "active"]

        groups.query_one(DataTable).move_cursor(row=0)
        await pilot.press("a")

        await wait_for(
            pilot,
            lambda: (
                row_where(groups, "groups-table", "Genome Consortium")[1:3] == ["member", "active"]
            ),
        )


async def test_an_admin_approves_invites_changes_roles_and_removes_members(
    make_app: Any,
) -> None:
    app = await make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        groups = await open_groups(pilot)
        detail = await open_detail(pilot, groups, "Climate Modelling Lab")
        assert row_where(detail, "members-table", "alan@gtui.example") == [
            "Alan Turing",
            "alan@gtui.example",
            "member",
            "pending",
        ]
        info = str(detail.query_one("#group-info").render())
        assert "Researchers running the regional climate model" in info
        assert "Asks when joining: institution" in info

        select_member(detail, "alan@gtui.example")
        await pilot.press("p")
        await wait_for(
            pilot, lambda: row_where(detail, "members-table", "alan@gtui.example")[3] == "active"
        )

        select_member(detail, "grace@gtui.example")
        await pilot.press("r")
        await answer_prompt(pilot, "manager")
        await wait_for(
            pilot, lambda: row_where(detail, "members-table", "grace@gtui.example")[2] == "manager"
        )

        await pilot.press("i")
        await answer_prompt(pilot, "other@gtui.example")
        await wait_for(
            pilot,
            lambda: any("other@gtui.example" in r for r in rows(detail, "members-table")),
        )
        assert row_where(detail, "members-table", "other@gtui.example")[3] == "invited"

        select_member(detail, "ada@gtui.example")
        await pilot.press("delete")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(
            pilot, lambda: row_where(detail, "members-table", "ada@gtui.example")[3] == "removed"
        )


async def test_leaving_asks_first_and_joining_an_open_group_by_id_works(make_app: Any) -> None:
    app = await make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        groups = await open_groups(pilot)
        detail = await open_detail(pilot, groups, "HPC Users")
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: detail.group.my_status == "left")

        await pilot.press("escape")
        await wait_for(pilot, lambda: row_where(groups, "groups-table", "HPC Users")[2] == "left")

        await pilot.press("f")
        await answer_prompt(pilot, OPEN_DATA_GROUP_ID)
        detail = await wait_for(
            pilot,
            lambda: (
                isinstance(app.screen, GroupDetailScreen)
                and app.screen.group is not None
                and app.screen
            ),
        )
        assert detail.group.name == "Open Data Club"
        await pilot.press("j")
        await wait_for(pilot, lambda: detail.group.my_role == "member")


async def test_a_member_is_told_why_an_admin_action_is_not_offered(make_app: Any) -> None:
    app = await make_app()
    notes: list[str] = []
    original = app.notify

    def notify(message: str, **kwargs: Any) -> None:
        notes.append(message)
        original(message, **kwargs)

    app.notify = notify  # type: ignore[method-assign]
    async with app.run_test(size=(140, 40)) as pilot:
        groups = await open_groups(pilot)
        await open_detail(pilot, groups, "HPC Users")
        await pilot.press("i")
        assert any("You cannot invite here (you are member of HPC Users)" in n for n in notes)
        assert not isinstance(app.screen, PromptScreen)


def test_snapshot_of_the_groups_screen(snap_compare: Any, sim: RunningSim) -> None:
    app = logged_in_app(sim)

    async def run_before(pilot: Any) -> None:
        await ready(pilot)
        await open_groups(pilot)

    assert snap_compare(app, terminal_size=(120, 30), run_before=run_before)

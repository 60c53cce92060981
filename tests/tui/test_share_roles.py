"""Roles on the Share screen: r gives Ada a role on "Shared Results" (the demo user
administers it), the roles table and Transfer both have it, Delete removes it after asking;
removing the collection's last administrator is refused in Transfer's own sentence."""

from __future__ import annotations

from typing import Any

from textual.widgets import Input, Select

from gtui.sim.serve import RunningSim
from gtui.sim.world import ADA_USER_ID, DEMO_USER_ID, GUEST_ID
from gtui.tui.keys import iter_help_rows
from gtui.tui.screens.confirm import ConfirmScreen
from gtui.tui.screens.share import ShareScreen
from gtui.tui.share_flow import SharedFolder
from gtui.tui.share_roles import RoleDialog, RoleTable
from gtui.tui.widgets.key_bar import KeyBar
from tests.tui.tui_helpers import ready, record_notifications, wait_for

SIZE = (80, 24)


async def open_share(pilot: Any) -> tuple[ShareScreen, RoleTable]:
    app = pilot.app
    await ready(pilot)
    app.push_screen(ShareScreen(SharedFolder(GUEST_ID, "Shared Results", "/"), "Shared Results:/"))
    screen = await wait_for(pilot, lambda: isinstance(app.screen, ShareScreen) and app.screen)
    table = await wait_for(
        pilot, lambda: screen.query(RoleTable).first() if screen.is_mounted else None
    )
    await wait_for(pilot, lambda: table.row_count >= 1)
    return screen, table


def role_rows(table: RoleTable) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(i)][:2] for i in range(table.row_count)]


async def service_roles(app: Any) -> set[tuple[str, str]]:
    answer = await app.session.transfer.endpoint_role_list(GUEST_ID)
    return {(doc["principal"], doc["role"]) for doc in answer.documents("DATA")}


async def test_give_ada_a_role_by_username_then_remove_it(make_app: Any) -> None:
    app = await make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen, table = await open_share(pilot)
        assert role_rows(table) == [["demo@gtui.example", "Administrator"]]
        # The access its roles give is listed; the line above the rows does not deny it.
        rules = screen.query_one("#share-rules")
        status = str(screen.query_one("#share-status").render())
        if rules.row_count:
            assert "Not shared with anyone" not in status and "beyond its roles" in status

        table.focus()  # the form's username box has the focus first, where r is a letter
        await pilot.press("r")
        dialog = await wait_for(pilot, lambda: isinstance(app.screen, RoleDialog) and app.screen)
        # An unknown username is said in the dialog, which stays open.
        await pilot.press(*"nobody@gtui.example", "enter")
        error = dialog.query_one("#role-error")
        await wait_for(pilot, lambda: "No Globus identity" in str(error.render()))
        assert app.screen is dialog
        dialog.query_one("#role-principal", Input).value = ""
        # Ada, as an access manager: one role up from the activity monitor offered first.
        await pilot.press(*"ada@gtui.example", "tab", "enter", "up", "up", "enter")
        assert dialog.query_one("#role", Select).value == "access_manager"
        await pilot.press("tab", "enter")  # the Give role button

        await wait_for(pilot, lambda: ["ada@gtui.example", "Access manager"] in role_rows(table))
        assert (ADA_USER_ID, "access_manager") in await service_roles(app)
        # The new role is under the cursor, the roles table focused, its keys in the bar.
        assert screen.focused is table
        assert table.selected_role() is not None
        assert table.selected_role().principal == ADA_USER_ID
        await pilot.pause()
        shown = {hint.description for hint in screen.query_one(KeyBar).hints}
        assert {"Remove role", "New role"} <= shown
        assert not {"Read/write", "Expiry", "Revoke"} & shown
        help_rows = {
            (keys, words) for group, keys, words in iter_help_rows(app) if "Share" in group
        }
        assert {("r", "New role"), ("del d", "Remove role")} <= help_rows, help_rows

        await pilot.press("d")
        confirm = await wait_for(
            pilot, lambda: isinstance(app.screen, ConfirmScreen) and app.screen
        )
        assert "ada@gtui.example will no longer be an access manager" in str(
            confirm.query_one(".dialog-message").render()
        )
        await pilot.press("y")
        await wait_for(pilot, lambda: role_rows(table) == [["demo@gtui.example", "Administrator"]])
        assert (ADA_USER_ID, "access_manager") not in await service_roles(app)


async def test_removing_the_last_administrator_is_refused_in_one_sentence(
    make_app: Any, sim: RunningSim
) -> None:
    app = await make_app()
    shown = record_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        _screen, table = await open_share(pilot)
        table.focus()
        await pilot.press("delete")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        refused = await wait_for(pilot, lambda: [s for s in shown if s.severity == "error"])
        sentence = refused[0].message.split("\n")[0]
        assert sentence == (
            "A collection must keep at least one administrator: "
            "add another before removing this one."
        )
        assert role_rows(table) == [["demo@gtui.example", "Administrator"]]
        assert (DEMO_USER_ID, "administrator") in await service_roles(app)


async def test_at_80_columns_every_rule_column_is_in_view(make_app: Any) -> None:
    app = await make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen, _table = await open_share(pilot)
        rules = screen.query_one("#share-rules")
        await wait_for(pilot, lambda: rules.row_count >= 1)
        header = rules.render_line(0).text
        for title in ("Who", "Access", "Folder", "Until", "Note"):
            assert title in header, header
        assert "by role" in rules.render_line(1).text

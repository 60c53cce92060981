"""The groups mode: every group I belong to, am invited to or asked to join, with my role."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Static

from gtui.core.errors import GlobusError
from gtui.core.groups import MEMBERSHIP_STATUSES
from gtui.core.models import Group
from gtui.tui.context import gtui
from gtui.tui.screens.prompt import PromptScreen
from gtui.tui.widgets.key_bar import KeyBar
from gtui.tui.widgets.row_table import RowTable
from gtui.tui.widgets.title_bar import TitleBar

STATUS_ORDER = {"invited": 0, "active": 1, "pending": 2}
STATUS_STYLE = {"invited": "bold", "pending": "italic", "active": ""}


def valid_group_id(value: str) -> str | None:
    """Why ``value`` is not a group id (a UUID), or None."""
    text = value.strip()
    if len(text) != 36 or text.count("-") != 4:
        return "A group id looks like 6ff95ab1-048a-4859-a099-b27b0bd8b477."
    return None


def sort_groups(groups: list[Group]) -> list[Group]:
    """Invitations first (they wait for an answer), then my groups, then the rest, by name."""
    return sorted(
        groups,
        key=lambda g: (STATUS_ORDER.get(g.my_status or "", 9), g.name.casefold()),
    )


class GroupsScreen(Screen[None]):
    """My groups: Enter opens one; a and d answer an invitation."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open_group", "Open", id="groups_open"),
        Binding("a", "answer('accept')", "Accept invitation", id="groups_accept"),
        Binding("d", "answer('decline')", "Decline invitation", id="groups_decline"),
        Binding("f", "find_group", "Open a group by id", id="groups_find"),
        Binding("ctrl+r", "reload", "Refresh", id="groups_refresh"),
    ]

    def __init__(self) -> None:
        super().__init__(id="groups")
        self.groups: dict[str, Group] = {}

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static("Loading your groups…", id="groups-status", classes="screen-status")
        table: DataTable[Any] = RowTable(id="groups-table")
        yield table
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Group", key="name", width=28)
        table.add_column("My role", key="role", width=8)
        table.add_column("Status", key="status", width=9)
        table.add_column("Visibility", key="visibility", width=13)
        table.add_column("Description", key="description")
        table.focus()
        self.action_reload()

    def on_screen_resume(self) -> None:
        if self.groups:
            self.action_reload()

    # -- loading ----------------------------------------------------------------------------

    @work(group="groups-load", exclusive=True, exit_on_error=False)
    async def action_reload(self) -> None:
        app = gtui(self)
        try:
            response = await app.session.groups.get_my_groups(statuses=MEMBERSHIP_STATUSES)
        except GlobusError as exc:
            self.query_one("#groups-status", Static).update("Could not load your groups.")
            app.report_error(exc, "Loading your groups")
            return
        groups = sort_groups([Group.from_api(doc) for doc in response])
        self.show_groups(groups)

    def show_groups(self, groups: list[Group]) -> None:
        table = self.query_one(DataTable)
        current = self.selected_group()
        table.clear()
        self.groups = {g.id: g for g in groups}
        for group in groups:
            status = group.my_status or "—"
            table.add_row(
                Text(group.name, style="bold" if status == "invited" else ""),
                group.my_role or "—",
                Text(status, style=STATUS_STYLE.get(status, "dim")),
                group.visibility or "—",
                Text(" ".join((group.description or "").split()), style="dim"),
                key=group.id,
            )
        if current is not None and current.id in self.groups:
            table.move_cursor(row=table.get_row_index(current.id))
        invited = sum(1 for g in groups if g.my_status == "invited")
        text = f"{len(groups)} group{'s' if len(groups) != 1 else ''}"
        if invited:
            text += f" · {invited} invitation{'s' if invited != 1 else ''} waiting (a accepts)"
        self.query_one("#groups-status", Static).update(text)

    def selected_group(self) -> Group | None:
        table = self.query_one(DataTable)
        if not self.groups or table.cursor_row < 0 or table.cursor_row >= table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.groups.get(key or "")

    # -- actions ----------------------------------------------------------------------------

    @on(DataTable.RowSelected, "#groups-table")
    def _row_chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_group()

    def action_open_group(self) -> None:
        group = self.selected_group()
        if group is not None:
            self.open_group(group.id)

    def open_group(self, group_id: str) -> None:
        from gtui.tui.screens.group_detail import GroupDetailScreen

        self.app.push_screen(GroupDetailScreen(group_id))

    @work(group="groups-action", exclusive=True, exit_on_error=False)
    async def action_answer(self, action: str) -> None:
        from gtui.tui.screens.group_detail import run_self_action

        group = self.selected_group()
        if group is None:
            return
        if group.my_status != "invited":
            self.notify(
                f"There is no invitation to {action} in {group.name}.",
                severity="warning",
                markup=False,
            )
            return
        if await run_self_action(self, group, action):
            self.action_reload()

    @work(group="groups-action", exclusive=True, exit_on_error=False)
    async def action_find_group(self) -> None:
        group_id = await self.app.push_screen_wait(
            PromptScreen(
                "Open a group by id",
                placeholder="group id",
                hint="Groups you are not in yet: paste the id someone shared with you.",
                check=valid_group_id,
            )
        )
        if group_id:
            self.open_group(group_id.strip())

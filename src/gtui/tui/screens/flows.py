"""The flows mode: the flows I can run (I am their starter, administrator or owner, as the
web app's Flows page lists them), with a search box; Enter opens a flow's start form.

The search narrows the list at once by the words typed (title, subtitle, description,
keywords), then asks Flows (``filter_fulltext``) and shows what it answers.
"""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from gtui.core.errors import GlobusError
from gtui.core.flow_models import STARTER_ROLES, Flow, flows_from_response
from gtui.tui import flow_actions
from gtui.tui.context import gtui
from gtui.tui.flow_words import role_words
from gtui.tui.format import plural
from gtui.tui.session_flows import with_consent_repair
from gtui.tui.widgets.key_bar import KeyBar
from gtui.tui.widgets.row_table import RowTable
from gtui.tui.widgets.title_bar import TitleBar

SEARCH_DELAY = 0.3
WIDE = 120
CELL_PADDING = 2
EMPTY = "No flows you can run. A flow's owner can make you one of its starters."


def matches(flow: Flow, words: list[str]) -> bool:
    """Every word typed is in the flow's title, subtitle, description or keywords."""
    text = " ".join((flow.title, flow.subtitle, flow.description, *flow.keywords)).casefold()
    return all(word in text for word in words)


def column_widths(width: int, longest_title: int = 0) -> tuple[tuple[str, str, int], ...]:
    """(key, title, width) of the columns: owner and role fixed, title and subtitle the rest
    (the title as long as the longest, up to a little less than half of it; on a narrow
    screen, three fifths)."""
    owner, role = (24, 9) if width >= WIDE else (12, 7)
    rest = max(30, width - owner - role - CELL_PADDING * 4 - 2)
    share = 9 / 20 if width >= WIDE else 3 / 5
    title = max(16, min(int(rest * share), longest_title or rest))
    return (
        ("title", "Flow", title),
        ("subtitle", "About", rest - title),
        ("owner", "Owner", owner),
        ("role", "Role", role),
    )


class FlowsScreen(Screen[None]):
    """Flows I can run: Enter starts one, r lists its runs, m my runs, / searches."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Browse", id="flows_back"),
        Binding("enter", "start_flow", "Start", id="flows_start"),
        Binding("slash", "search", "Search", id="flows_search"),
        Binding("r", "runs", "Runs of this flow", id="flows_runs"),
        Binding("m", "my_runs", "My runs", id="flows_my_runs"),
        Binding("ctrl+r", "reload", "Refresh", id="flows_refresh"),
        Binding("down", "to_table", "To the list", show=False, id="flows_to_table"),
    ]

    def __init__(self) -> None:
        super().__init__(id="flows")
        self.flows: list[Flow] = []
        self.shown: list[Flow] = []
        self.owners: dict[str, str] = {}
        self._columns: tuple[tuple[str, str, int], ...] = ()
        self._loaded_text = ""

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Input(
            placeholder="/ to search flows by title, words, keywords",
            id="flows-search",
            compact=True,
        )
        yield Static("Loading the flows you can run…", id="flows-status", classes="screen-status")
        table: DataTable[Any] = RowTable(id="flows-table")
        yield table
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self.action_reload()

    def on_resize(self) -> None:
        if self._columns:
            self.show(self.shown)

    def on_screen_resume(self) -> None:
        if self.flows:
            self.action_reload()

    # -- loading ----------------------------------------------------------------------------

    @work(group="flows-load", exclusive=True, exit_on_error=False)
    async def action_reload(self) -> None:
        text = self.query_one("#flows-search", Input).value.strip()
        await self._load(text)

    async def _load(self, text: str) -> None:
        app = gtui(self)
        flows_client = app.session.flows

        async def fetch() -> list[Flow]:
            found: list[Flow] = []
            pages = flows_client.paginated.list_flows(
                filter_roles=list(STARTER_ROLES),
                filter_fulltext=text or None,
                orderby="title ASC",
            )
            async for page in pages:
                found.extend(flows_from_response(page))
            return found

        try:
            found = await with_consent_repair(self, fetch)
        except GlobusError as exc:
            self.query_one("#flows-status", Static).update("Could not load the flows.")
            app.report_error(exc, "Loading the flows")
            return
        if text != self.query_one("#flows-search", Input).value.strip():
            return
        self.flows = found
        self._loaded_text = text
        await flow_actions.owner_names(self, (f.owner for f in found), self.owners)
        self._narrow()

    # -- searching --------------------------------------------------------------------------

    def action_search(self) -> None:
        self.query_one("#flows-search", Input).focus()

    @on(Input.Changed, "#flows-search")
    def _typed(self) -> None:
        self._narrow()
        self.search_service()

    @work(group="flows-search", exclusive=True, exit_on_error=False)
    async def search_service(self) -> None:
        await asyncio.sleep(SEARCH_DELAY)
        text = self.query_one("#flows-search", Input).value.strip()
        if text != self._loaded_text:
            await self._load(text)

    @on(Input.Submitted, "#flows-search")
    def _search_done(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one(DataTable).focus()

    def action_to_table(self) -> None:
        self.query_one(DataTable).focus()

    def _narrow(self) -> None:
        words = self.query_one("#flows-search", Input).value.casefold().split()
        self.show([flow for flow in self.flows if matches(flow, words)])

    # -- drawing ----------------------------------------------------------------------------

    def show(self, flows: list[Flow]) -> None:
        table = self.query_one(DataTable)
        current = self.selected_flow()
        self.shown = flows
        longest = max((len(flow.title) for flow in self.flows), default=0)
        columns = column_widths(self.size.width or 80, longest)
        if columns != self._columns:
            table.clear(columns=True)
            for key, title, width in columns:
                table.add_column(title, key=key, width=width)
            self._columns = columns
        else:
            table.clear()
        widths = [width for _key, _title, width in columns]
        for flow in flows:
            cells = (
                Text(flow.title, style="bold"),
                Text(flow.subtitle or flow.description.split("\n")[0], style="dim"),
                Text(self.owners.get(flow.owner, flow.owner)),
                Text(role_words(flow.user_role)),
            )
            for cell, width in zip(cells, widths, strict=True):
                # A cut title ends in "…", so a reader knows there is more of it.
                cell.truncate(width, overflow="ellipsis")
            table.add_row(*cells, key=flow.id)
        if current is not None and any(f.id == current.id for f in flows):
            table.move_cursor(row=table.get_row_index(current.id))
        typed = self.query_one("#flows-search", Input).value.strip()
        if flows:
            text = plural(len(flows), "flow") + (f" matching “{typed}”" if typed else "")
            text += " · Enter starts one · r its runs · m my runs"
        elif typed:
            text = f"No flow you can run matches “{typed}”."
        else:
            text = EMPTY
        self.query_one("#flows-status", Static).update(text)

    def selected_flow(self) -> Flow | None:
        table = self.query_one(DataTable)
        if not self.shown or not 0 <= table.cursor_row < table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((flow for flow in self.shown if flow.id == key), None)

    # -- actions ----------------------------------------------------------------------------

    def action_back(self) -> None:
        """Out of the search box to the list; from the list, back to the panes."""
        if self.query_one("#flows-search", Input).has_focus:
            self.query_one(DataTable).focus()
            return
        self.app.switch_mode("browse")

    @on(DataTable.RowSelected, "#flows-table")
    def _row_chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_start_flow()

    def action_start_flow(self) -> None:
        from gtui.tui.screens.flow_start import FlowStartScreen

        flow = self.selected_flow()
        if flow is not None:
            self.app.push_screen(FlowStartScreen(flow))

    def action_runs(self) -> None:
        from gtui.tui.screens.flow_runs import FlowRunsScreen

        flow = self.selected_flow()
        if flow is not None:
            self.app.push_screen(FlowRunsScreen(flow))

    def action_my_runs(self) -> None:
        from gtui.tui.screens.flow_runs import FlowRunsScreen

        self.app.push_screen(FlowRunsScreen(None))

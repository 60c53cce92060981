"""The roles part of the Share screen: who administers a guest collection, manages its access
rules, or manages or watches its tasks — the web app's Roles tab and ``globus endpoint role
create/delete``.

Here are the role words, the table of roles (Delete removes the one under the cursor, as it
revokes a rule in the rules table) and the dialog that gives a role to a person or a group.
Transfer decides who may change roles and keeps the last administrator: its refusal is shown
as the service's own sentence.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from gtui.core.errors import GlobusAPIError, GlobusError
from gtui.core.models import CollectionRole
from gtui.tui.error_text import ErrorText, tell_error
from gtui.tui.service_words import clean_message
from gtui.tui.widgets.row_table import RowTable

# Globus's four roles, strongest first, each in a line from Globus's documentation (short
# enough for the table's last column at 80 columns).
ROLES: tuple[tuple[str, str, str], ...] = (
    ("administrator", "Administrator", "everything, roles included"),
    ("access_manager", "Access manager", "manages the access rules"),
    ("activity_manager", "Activity manager", "manages the tasks that use it"),
    ("activity_monitor", "Activity monitor", "sees the tasks that use it"),
)
ROLE_NAMES = {role: name for role, name, _ in ROLES}
ROLE_MEANINGS = {role: meaning for role, _, meaning in ROLES}
ROLE_CHOICES = tuple((f"{name} — {meaning}", role) for role, name, meaning in ROLES)
# The weakest role first offered: a stronger one is a deliberate choice.
DEFAULT_ROLE = "activity_monitor"
WHO_CHOICES = (("A person (Globus username)", "identity"), ("One of my groups", "group"))

NEW_ROLE = Binding("r", "new_role", "New role", id="share_role_new")
REMOVE_ROLE = Binding("delete,d", "remove_role", "Remove role", id="share_role_remove")

# (kind, typed) → the principal's id; raises NoSuchPrincipal or GlobusError.
Resolve = Callable[[str, str], Awaitable[str]]
# (principal_type, principal, role) → done; raises GlobusError.
Give = Callable[[str, str, str], Awaitable[None]]


class NoSuchPrincipal(LookupError):
    """No identity or group answers to what was typed; the message says so in a sentence."""


def role_words(role: str) -> str:
    """``access_manager`` → ``access manager``: a role inside a sentence."""
    return ROLE_NAMES.get(role, role).lower()


def refusal(exc: GlobusError, doing: str) -> ErrorText | None:
    """Transfer's own sentence when it refuses a role change (the last administrator, a role
    already held, not an administrator), with the code and request id apart; None for any
    other error, which the app tells as usual (``report_error``)."""
    if not isinstance(exc, GlobusAPIError) or exc.http_status not in (403, 409):
        return None
    if exc.consent_required or exc.authorization_requirement is not None:
        return None
    told = tell_error(exc, doing)
    words = clean_message(exc.message or "")
    return ErrorText(words[:1].upper() + words[1:] + "." if words else told.sentence, told.detail)


class RoleTable(RowTable):
    """The collection's roles, one a row; Delete asks the screen to remove the cursor's."""

    DEFAULT_CSS = """
    RoleTable {
        height: auto;
        max-height: 6;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [REMOVE_ROLE]

    class RemoveRequested(Message):
        """The role under the cursor should go (after asking)."""

        def __init__(self, table: RoleTable, role: CollectionRole) -> None:
            super().__init__()
            self.table = table
            self.role = role

        @property
        def control(self) -> RoleTable:
            return self.table

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.roles: dict[str, CollectionRole] = {}

    def on_mount(self) -> None:
        self.add_column("Who", key="who", width=26)
        self.add_column("Role", key="role", width=16)
        self.add_column("What it allows", key="meaning")

    def show_roles(self, roles: list[CollectionRole], who: Callable[[str, str], str]) -> None:
        """Fill the table, keeping the cursor on the same role when it is still there."""
        kept = self.selected_role()
        self.clear()
        self.roles = {role.id: role for role in roles}
        for role in roles:
            self.add_row(
                Text(who(role.principal_type, role.principal)),
                ROLE_NAMES.get(role.role, role.role),
                Text(ROLE_MEANINGS.get(role.role, ""), style="dim"),
                key=role.id,
            )
        if kept is not None and kept.id in self.roles:
            self.move_cursor(row=self.get_row_index(kept.id))

    def select(self, role_id: str) -> None:
        if role_id in self.roles:
            self.move_cursor(row=self.get_row_index(role_id))

    def selected_role(self) -> CollectionRole | None:
        if not self.roles or not 0 <= self.cursor_row < self.row_count:
            return None
        key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        return self.roles.get(key or "")

    def action_remove_role(self) -> None:
        role = self.selected_role()
        if role is not None:
            self.post_message(self.RemoveRequested(self, role))


class RoleDialog(ModalScreen[str | None]):
    """Give a role on the collection to a person (by username) or to one of my groups.

    The dialog stays open until the role is given, showing why not (an unknown username, a
    role already held) in place; it answers the principal's id, or None when cancelled.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="role_cancel"),
    ]

    def __init__(self, collection_name: str, resolve: Resolve, give: Give) -> None:
        super().__init__(classes="dialog-screen")
        self.collection_name = collection_name
        self.resolve = resolve
        self.give = give

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog role-dialog"):
            yield Label(
                f"Give a role on “{self.collection_name}”", classes="dialog-title", markup=False
            )
            with Grid(classes="options-grid"):
                yield Label("Who")
                yield Select(
                    WHO_CHOICES, value="identity", allow_blank=False, id="role-who", compact=True
                )
                yield Label("Name")
                yield Input(placeholder="ada@gtui.example", id="role-principal", compact=True)
                yield Label("Role")
                yield Select(
                    ROLE_CHOICES, value=DEFAULT_ROLE, allow_blank=False, id="role", compact=True
                )
            with Horizontal(classes="dialog-buttons"):
                yield Static("", id="role-error", classes="dialog-hint -error", markup=False)
                yield Button("Give role", id="role-give", variant="primary", compact=True)
                yield Button("Cancel", id="role-cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#role-principal", Input).focus()

    @on(Select.Changed, "#role-who")
    def _who_changed(self) -> None:
        person = self.query_one("#role-who", Select).value == "identity"
        box = self.query_one("#role-principal", Input)
        box.placeholder = "ada@gtui.example" if person else "group name or id"

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.submit()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "role-give":
            self.submit()
        else:
            self.dismiss(None)

    def _error(self, text: str) -> None:
        self.query_one("#role-error", Static).update(text)

    @work(group="role-give", exclusive=True, exit_on_error=False)
    async def submit(self) -> None:
        kind = str(self.query_one("#role-who", Select).value)
        typed = self.query_one("#role-principal", Input).value.strip()
        role = str(self.query_one("#role", Select).value)
        if not typed:
            self._error("Write who gets the role: a Globus username, or a group.")
            return
        self._error("")
        try:
            principal = await self.resolve(kind, typed)
            await self.give(kind, principal, role)
        except NoSuchPrincipal as exc:
            self._error(str(exc))
            return
        except GlobusError as exc:
            doing = f"Giving {typed} a role"
            refused = refusal(exc, doing)
            self._error(refused.sentence if refused else tell_error(exc, doing).sentence)
            return
        self.dismiss(principal)

    def action_cancel(self) -> None:
        self.dismiss(None)

"""Who may use a shared folder: the guest collection's access rules and roles, as the web
app's Share and Roles tabs show them — add a person (by username), a group, everyone logged in
to Globus, or anyone; read-only or read-write; until a date; change and revoke; give and
remove roles (``share_roles.py``).

The form opens ready for the common case: type a colleague's username, Enter, and the folder
is shared read-only with them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal
from textual.screen import Screen
from textual.widgets import Button, DataTable, Input, Label, Select, Static

from gtui.core.errors import GlobusError
from gtui.core.models import AccessRule, CollectionRole, Group
from gtui.tui.context import gtui
from gtui.tui.format import plural
from gtui.tui.schedule_input import parse_when
from gtui.tui.screen_wait import wait_for_screen
from gtui.tui.screens.confirm import ConfirmScreen
from gtui.tui.screens.prompt import PromptScreen
from gtui.tui.session_flows import with_consent_repair
from gtui.tui.share_flow import SharedFolder
from gtui.tui.share_roles import (
    NEW_ROLE,
    NoSuchPrincipal,
    RoleDialog,
    RoleTable,
    refusal,
    role_words,
)
from gtui.tui.widgets.key_bar import KeyBar
from gtui.tui.widgets.row_table import RowTable
from gtui.tui.widgets.title_bar import TitleBar

WHO_CHOICES = (
    ("A person (Globus username)", "identity"),
    ("One of my groups (name or id)", "group"),
    ("Everyone logged in to Globus", "all_authenticated_users"),
    ("Anyone, without logging in (public)", "anonymous"),
)
ACCESS_CHOICES = (("Read only", "r"), ("Read and write", "rw"))
ACCESS_WORDS = {"r": "read only", "rw": "read and write"}
EVERYONE = {
    "all_authenticated_users": "everyone logged in to Globus",
    "anonymous": "anyone (public)",
}


def parse_expiry(text: str, now: datetime) -> datetime | None:
    """``never``/empty, a date, or ``in 30d``; a date alone means the end of that day."""
    words = text.strip()
    if words.lower() in ("", "never"):
        return None
    if len(words) == 10 and words[4] == "-" and words[7] == "-":
        words += " 23:59"
    moment = parse_when(words, now, what="expiry")
    if moment is None:
        raise ValueError("Write when the access ends (2027-03-31, in 30d), or never.")
    return moment


WIDE = 120
RULE_COLUMNS_WIDE: tuple[tuple[str, str, int | None], ...] = (
    ("Who", "who", 34),
    ("Access", "access", 15),
    ("Folder", "path", 24),
    ("Until", "until", 18),
    ("Note", "note", None),
)
RULE_COLUMNS_NARROW: tuple[tuple[str, str, int | None], ...] = (
    ("Who", "who", 18),
    ("Access", "access", 14),
    ("Folder", "path", 10),
    ("Until", "until", 16),
    ("Note", "note", None),
)


class ShareScreen(Screen[None]):
    """The access rules and roles of one guest collection, and a form to add a rule."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="share_back"),
        Binding("n", "new_rule", "New rule", id="share_new"),
        Binding("w", "toggle_write", "Read/write", id="share_toggle"),
        Binding("e", "expiry", "Expiry", id="share_expiry"),
        Binding("delete,d", "revoke", "Revoke", id="share_revoke"),
        NEW_ROLE,
        Binding("ctrl+r", "reload", "Refresh", show=False, id="share_refresh"),
    ]

    def __init__(self, shared: SharedFolder, folder_words: str) -> None:
        super().__init__(id="share")
        self.shared = shared
        self.folder_words = folder_words
        self.rules: dict[str, AccessRule] = {}
        self.names: dict[str, str] = {}
        self.groups: list[Group] = []

    def compose(self) -> ComposeResult:
        yield TitleBar()
        made = " (new)" if self.shared.created else ""
        yield Static(
            f"Sharing {self.folder_words} as the guest collection “{self.shared.collection_name}”"
            f"{made}, folder {self.shared.path}",
            id="share-head",
            markup=False,
        )
        with Grid(classes="options-grid share-form"):
            yield Label("Who")
            yield Select(WHO_CHOICES, value="identity", allow_blank=False, id="who", compact=True)
            yield Label("Name", id="principal-label")
            yield Input(placeholder="ada@gtui.example", id="principal", compact=True)
            yield Label("Access")
            yield Select(ACCESS_CHOICES, value="r", allow_blank=False, id="access", compact=True)
            yield Label("Until")
            yield Input(placeholder="never · 2027-03-31 · in 30d", id="expires", compact=True)
            yield Label("Message")
            yield Input(placeholder="an optional note for the email", id="message", compact=True)
        with Horizontal(classes="dialog-buttons"):
            yield Static("", id="share-error", classes="dialog-hint -error", markup=False)
            yield Button("Share", id="add", variant="primary", compact=True)
        yield Static("Loading the access rules…", id="share-status", classes="screen-status")
        table: DataTable[Any] = RowTable(id="share-rules")
        yield table
        yield Static("", id="share-roles", classes="screen-status", markup=False)
        yield RoleTable(id="share-role-table")
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one("#share-rules", DataTable)
        # At 80 columns the wide widths left the expiry and the note ("by role: …") off
        # screen; narrower ones keep every column in view.
        wide = (self.app.size.width or 80) >= WIDE
        for title, key, width in RULE_COLUMNS_WIDE if wide else RULE_COLUMNS_NARROW:
            table.add_column(title, key=key, width=width)
        self.query_one("#principal", Input).focus()
        self.action_reload()

    # -- the form ---------------------------------------------------------------------------

    @on(Select.Changed, "#who")
    def _who_changed(self) -> None:
        kind = str(self.query_one("#who", Select).value)
        named = kind in ("identity", "group")
        self.query_one("#principal").display = named
        self.query_one("#principal-label").display = named
        placeholder = "ada@gtui.example" if kind == "identity" else "group name or id"
        self.query_one("#principal", Input).placeholder = placeholder

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.add_rule()

    @on(Button.Pressed, "#add")
    def _add_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.add_rule()

    def _error(self, text: str) -> None:
        self.query_one("#share-error", Static).update(text)

    @work(group="share-add", exclusive=True, exit_on_error=False)
    async def add_rule(self) -> None:
        app = gtui(self)
        kind = str(self.query_one("#who", Select).value)
        typed = self.query_one("#principal", Input).value.strip()
        try:
            expires = parse_expiry(self.query_one("#expires", Input).value, app.clock())
        except ValueError as exc:
            self._error(str(exc))
            return
        principal = ""
        if kind in ("identity", "group"):
            if not typed:
                self._error("Write who to share with: a Globus username, or a group.")
                return
            try:
                principal = await self.find_principal(kind, typed)
            except NoSuchPrincipal as exc:
                self._error(str(exc))
                return
            except GlobusError as exc:
                app.report_error(exc, f"Looking up {typed}")
                return
        rule: dict[str, Any] = {
            "principal_type": kind,
            "principal": principal,
            "path": self.shared.path,
            "permissions": str(self.query_one("#access", Select).value),
        }
        if expires is not None:
            rule["expiration_date"] = expires.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")
        message = self.query_one("#message", Input).value.strip()
        if message:
            rule["notify_message"] = message
        transfer = app.session.transfer
        try:
            await with_consent_repair(
                self, lambda: transfer.add_endpoint_acl_rule(self.shared.collection_id, rule)
            )
        except GlobusError as exc:
            app.report_error(exc, "Sharing the folder")
            return
        self._error("")
        self.query_one("#principal", Input).value = ""
        who = typed or EVERYONE.get(kind, kind)
        self.notify(
            f"Shared with {who}, {ACCESS_WORDS[rule['permissions']]}.", timeout=4, markup=False
        )
        self.action_reload()

    async def find_principal(self, kind: str, typed: str) -> str:
        """The id of the identity (by username) or group (by name or id) typed, for a rule or
        a role. Raises ``NoSuchPrincipal`` (a sentence) or ``GlobusError``."""
        if kind == "identity":
            return await self._identity(typed)
        return await self._group(typed)

    async def _identity(self, username: str) -> str:
        answer = await gtui(self).session.auth.get_identities(usernames=username)
        for doc in answer.documents("identities"):
            if str(doc.get("username", "")).casefold() == username.casefold() and doc.get("id"):
                self.names[str(doc["id"])] = str(doc["username"])
                return str(doc["id"])
        raise NoSuchPrincipal(f"No Globus identity has the username {username}.")

    async def _group(self, typed: str) -> str:
        await self._load_groups()
        for group in self.groups:
            if typed in (group.id, group.name) or group.name.casefold() == typed.casefold():
                return group.id
        if len(typed) == 36 and typed.count("-") == 4:
            return typed
        raise NoSuchPrincipal(f"You are in no group called {typed}; write its name or its id.")

    async def _load_groups(self) -> None:
        if self.groups:
            return
        try:
            answer = await gtui(self).session.groups.get_my_groups()
        except GlobusError:
            return
        self.groups = [Group.from_api(doc) for doc in answer]
        self.names.update({g.id: g.name for g in self.groups})

    # -- the rules --------------------------------------------------------------------------

    @work(group="share-load", exclusive=True, exit_on_error=False)
    async def action_reload(self) -> None:
        app = gtui(self)
        transfer = app.session.transfer
        collection_id = self.shared.collection_id
        try:
            listed = await with_consent_repair(
                self, lambda: transfer.endpoint_acl_list(collection_id)
            )
            roles = await transfer.endpoint_role_list(collection_id)
        except GlobusError as exc:
            self.query_one("#share-status", Static).update("Could not read who may use it.")
            app.report_error(exc, "Reading the access rules")
            return
        rules = [AccessRule.from_api(doc) for doc in listed.documents("DATA")]
        await self._learn_names([r.principal for r in rules if r.principal_type == "identity"])
        await self._load_groups()
        self.show_rules(rules)
        role_list = [CollectionRole.from_api(doc) for doc in roles.documents("DATA")]
        await self._learn_names([r.principal for r in role_list if r.principal_type == "identity"])
        self.query_one(RoleTable).show_roles(role_list, self._who)
        self.query_one("#share-roles", Static).update(
            f"{plural(len(role_list), 'role')} · r new role, Delete removes the role under "
            "the cursor"
        )

    async def _learn_names(self, ids: list[str]) -> None:
        unknown = [i for i in dict.fromkeys(ids) if i and i not in self.names]
        if not unknown:
            return
        try:
            answer = await gtui(self).session.auth.get_identities(ids=unknown)
        except GlobusError:
            return
        for doc in answer.documents("identities"):
            if doc.get("id") and doc.get("username"):
                self.names[str(doc["id"])] = str(doc["username"])

    def _who(self, kind: str, principal: str) -> str:
        if kind in EVERYONE:
            return EVERYONE[kind]
        name = self.names.get(principal, principal)
        return f"group {name}" if kind == "group" else name

    def show_rules(self, rules: list[AccessRule]) -> None:
        table = self.query_one("#share-rules", DataTable)
        table.clear()
        self.rules = {}
        now = gtui(self).clock()
        for index, rule in enumerate(rules):
            key = rule.id or f"role-{index}"
            self.rules[key] = rule
            until = "never"
            if rule.expiration_date is not None:
                until = rule.expiration_date.astimezone().strftime("%Y-%m-%d %H:%M")
                if rule.expiration_date <= now:
                    until += " (ended)"
            note = (
                f"by role: {rule.role_type}" if rule.is_role_rule else (rule.notify_message or "")
            )
            table.add_row(
                Text(self._who(rule.principal_type, rule.principal)),
                ACCESS_WORDS.get(rule.permissions, rule.permissions),
                rule.path,
                until,
                Text(note, style="dim"),
                key=key,
            )
        shared = sum(1 for r in rules if not r.is_role_rule)
        by_role = len(rules) - shared
        if shared:
            said = f"{plural(shared, 'rule')} · n new rule, w read/write, e expiry, Delete revokes"
        elif by_role:
            # The rows are there: "not shared with anyone" above them would read as false.
            said = (
                f"Shared with no one beyond its roles (the {plural(by_role, 'row')} below): "
                "write a username above and press Enter."
            )
        else:
            said = "Not shared with anyone yet: write a username above and press Enter."
        self.query_one("#share-status", Static).update(said)

    def selected_rule(self) -> AccessRule | None:
        table = self.query_one("#share-rules", DataTable)
        if not self.rules or not 0 <= table.cursor_row < table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.rules.get(key or "")

    def _changeable(self) -> AccessRule | None:
        rule = self.selected_rule()
        if rule is None:
            return None
        if rule.is_role_rule:
            self.notify("This access comes with a role; change the role instead.", timeout=4)
            return None
        return rule

    # -- actions ----------------------------------------------------------------------------

    def action_back(self) -> None:
        self.dismiss()

    def action_new_rule(self) -> None:
        self.query_one("#principal", Input).focus()

    @work(group="share-change", exclusive=True, exit_on_error=False)
    async def action_toggle_write(self) -> None:
        rule = self._changeable()
        if rule is None or rule.id is None:
            return
        permissions = "r" if rule.permissions == "rw" else "rw"
        await self._update(rule.id, {"permissions": permissions}, "Changing the access")

    @work(group="share-change", exclusive=True, exit_on_error=False)
    async def action_expiry(self) -> None:
        rule = self._changeable()
        if rule is None or rule.id is None:
            return
        now = gtui(self).clock()

        def check(text: str) -> str | None:
            try:
                parse_expiry(text, now)
            except ValueError as exc:
                return str(exc)
            return None

        typed = await wait_for_screen(
            self.app,
            PromptScreen(
                "Access until",
                placeholder="never · 2027-03-31 · in 30d",
                hint="When this access ends (local time).",
                check=check,
            ),
        )
        if typed is None:
            return
        moment = parse_expiry(typed, now)
        value = None if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%S+00:00")
        await self._update(rule.id, {"expiration_date": value}, "Changing when access ends")

    async def _update(self, rule_id: str, change: dict[str, Any], doing: str) -> None:
        app = gtui(self)
        transfer = app.session.transfer
        try:
            await transfer.update_endpoint_acl_rule(self.shared.collection_id, rule_id, change)
        except GlobusError as exc:
            app.report_error(exc, doing)
            return
        self.action_reload()

    @work(group="share-change", exclusive=True, exit_on_error=False)
    async def action_revoke(self) -> None:
        rule = self._changeable()
        if rule is None or rule.id is None:
            return
        who = self._who(rule.principal_type, rule.principal)
        confirm: ConfirmScreen = ConfirmScreen(
            "Stop sharing?",
            f"{who} will no longer be able to use {rule.path} of “{self.shared.collection_name}”.",
            yes="Revoke",
        )
        answer = await wait_for_screen(self.app, confirm)
        if not answer:
            return
        app = gtui(self)
        try:
            await app.session.transfer.delete_endpoint_acl_rule(self.shared.collection_id, rule.id)
        except GlobusError as exc:
            app.report_error(exc, "Revoking the access")
            return
        self.notify(f"{who} no longer has access.", timeout=3, markup=False)
        self.action_reload()

    # -- roles ------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The rule keys rest while the roles have the focus: the key bar then shows the
        role keys alone, and ``w`` or ``e`` cannot change a rule the user is not looking at."""
        if action in ("toggle_write", "expiry", "revoke"):
            return not isinstance(self.focused, RoleTable)
        return True

    @work(group="share-change", exclusive=True, exit_on_error=False)
    async def action_new_role(self) -> None:
        transfer = gtui(self).session.transfer
        collection_id = self.shared.collection_id
        made: list[CollectionRole] = []

        async def give(principal_type: str, principal: str, role: str) -> None:
            doc = {"principal_type": principal_type, "principal": principal, "role": role}
            answer = await with_consent_repair(
                self, lambda: transfer.add_endpoint_role(collection_id, doc)
            )
            made.append(
                CollectionRole(str(answer.get("id") or ""), principal_type, principal, role)
            )

        dialog = RoleDialog(self.shared.collection_name, self.find_principal, give)
        if await wait_for_screen(self.app, dialog) is None or not made:
            return
        role = made[0]
        who = self._who(role.principal_type, role.principal)
        self.notify(f"{who} is an {role_words(role.role)} now.", timeout=4, markup=False)
        await self.action_reload().wait()
        table = self.query_one(RoleTable)
        table.select(role.id)
        table.focus()

    @on(RoleTable.RemoveRequested)
    def _remove_requested(self, event: RoleTable.RemoveRequested) -> None:
        event.stop()
        self.remove_role(event.role)

    @work(group="share-change", exclusive=True, exit_on_error=False)
    async def remove_role(self, role: CollectionRole) -> None:
        """Ask, then remove; Transfer's refusal (the last administrator) is its sentence."""
        app = gtui(self)
        who = self._who(role.principal_type, role.principal)
        words = role_words(role.role)
        me = role.principal_type == "identity" and self.names.get(role.principal) == app.username
        subject = "You" if me else who
        confirm: ConfirmScreen = ConfirmScreen(
            "Remove the role?",
            f"{subject} will no longer be an {words} of “{self.shared.collection_name}”.",
            yes="Remove",
        )
        if not await wait_for_screen(self.app, confirm):
            return
        doing = f"Removing the role of {who}"
        try:
            await app.session.transfer.delete_endpoint_role(self.shared.collection_id, role.id)
        except GlobusError as exc:
            refused = refusal(exc, doing)
            if refused is None:
                app.report_error(exc, doing)
                return
            # Content markup for the dim line; every "[" of the words is escaped.
            markup = refused.sentence.replace("[", "\\[")
            if refused.detail:
                markup += "\n[dim]" + refused.detail.replace("[", "\\[") + "[/dim]"
            self.notify(markup, severity="error", timeout=10, markup=True)
            return
        self.notify(f"{who} is no longer an {words}.", timeout=3, markup=False)
        self.action_reload()

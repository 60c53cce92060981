"""One group: its description, policies and members, and every membership action.

What I may do comes from the service (``allowed_actions``), so the keys that do nothing for a
plain member say why instead of failing at the service. Removing, leaving, rejecting and
declining ask first.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widgets import DataTable, Static

from gtui.core.errors import GlobusError
from gtui.core.groups import GROUP_INCLUDES, GroupsManager, Role, batch_errors
from gtui.core.models import Group, Membership
from gtui.core.session import GlobusSession
from gtui.tui.context import gtui
from gtui.tui.screen_wait import wait_for_screen
from gtui.tui.screens.confirm import ConfirmScreen
from gtui.tui.screens.prompt import PromptScreen
from gtui.tui.widgets.key_bar import KeyBar
from gtui.tui.widgets.row_table import RowTable
from gtui.tui.widgets.title_bar import TitleBar

PAST_TENSE = {
    "accept": "Accepted the invitation to",
    "decline": "Declined the invitation to",
    "leave": "Left",
    "request_join": "Asked to join",
    "join": "Joined",
    "approve": "Approved {who} in",
    "reject": "Rejected {who}'s request to join",
    "remove": "Removed {who} from",
    "invite": "Invited {who} to",
    "add": "Added {who} to",
    "change_role": "Made {who} {role} of",
}
ROLE_NAMES: dict[str, Role] = {"member": "member", "manager": "manager", "admin": "admin"}
CONFIRM = {
    "decline": "Decline the invitation to {group}?",
    "leave": "Leave {group}?",
    "reject": "Reject {who}'s request to join {group}?",
    "remove": "Remove {who} from {group}?",
}


async def my_identity_id(session: GlobusSession) -> str:
    """The logged-in identity (asked of Auth once per session)."""
    identity = session.identity or await session.fetch_identity()
    return identity.id


def policy_lines(group: Group) -> list[str]:
    """The group's policies as a person reads them."""
    p = group.policies
    lines = [
        "Visible to: "
        + (
            "anyone logged in to Globus"
            if p.get("group_visibility") == "authenticated"
            else "members only"
        ),
        "Members listed to: "
        + ("all members" if p.get("group_members_visibility") == "members" else "managers only"),
        f"Join requests: {'accepted' if p.get('join_requests') else 'by invitation only'}",
    ]
    if p.get("signup_fields"):
        lines.append("Asks when joining: " + ", ".join(p["signup_fields"]))
    if p.get("is_high_assurance"):
        lines.append("High assurance: logins must be recent")
    return lines


def _role_problem(value: str) -> str | None:
    return None if value.strip() in ROLE_NAMES else "One of member, manager, admin."


async def run_action(
    node: DOMNode,
    group: Group,
    action: str,
    identity_id: str,
    *,
    who: str = "",
    role: Role = "member",
) -> bool:
    """Ask first where it is destructive, run one membership action, say how it went."""
    app = gtui(node)
    words = {"group": group.name, "who": who or "this person", "role": role}
    if action in CONFIRM:
        question = CONFIRM[action].format(**words)
        if not await wait_for_screen(
            node.app,
            ConfirmScreen(question, "Groups may grant access to data; this takes effect now."),
        ):
            return False
    manager = GroupsManager(app.session.groups)
    calls = {
        "accept": lambda: manager.accept_invite(group.id, identity_id),
        "decline": lambda: manager.decline_invite(group.id, identity_id),
        "leave": lambda: manager.leave(group.id, identity_id),
        "request_join": lambda: manager.request_join(group.id, identity_id),
        "join": lambda: manager.join(group.id, identity_id),
        "approve": lambda: manager.approve_pending(group.id, identity_id),
        "reject": lambda: manager.reject_pending(group.id, identity_id),
        "remove": lambda: manager.remove_member(group.id, identity_id),
        "invite": lambda: manager.invite_member(group.id, identity_id, role),
        "add": lambda: manager.add_member(group.id, identity_id, role),
        "change_role": lambda: manager.change_role(group.id, identity_id, role),
    }
    try:
        response = await calls[action]()
    except GlobusError as exc:
        app.report_error(exc, f"{action.replace('_', ' ').capitalize()} in {group.name}")
        return False
    failures = batch_errors(response).get(action, [])
    if failures:
        detail = "; ".join(
            f"{f.get('detail') or f.get('code')} [{f.get('code')}]" for f in failures
        )
        node.app.notify(f"{group.name}: {detail}", severity="error", timeout=8, markup=False)
        return False
    node.app.notify(f"{PAST_TENSE[action].format(**words)} {group.name}.", timeout=4, markup=False)
    return True


async def run_self_action(node: DOMNode, group: Group, action: str) -> bool:
    """A membership action on my own membership (accept, decline, leave, join...)."""
    app = gtui(node)
    try:
        me = await my_identity_id(app.session)
    except GlobusError as exc:
        app.report_error(exc, "Finding out who you are")
        return False
    return await run_action(node, group, action, me)


class GroupDetailScreen(Screen[None]):
    """A group's description, policies and members; membership actions by key."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="group_back"),
        Binding("a", "self_action('accept')", "Accept", id="group_accept"),
        Binding("d", "self_action('decline')", "Decline", id="group_decline"),
        Binding("j", "join", "Join / request", id="group_join"),
        Binding("l", "self_action('leave')", "Leave", id="group_leave"),
        Binding("i", "invite('invite')", "Invite", id="group_invite"),
        Binding("plus", "invite('add')", "Add member", show=False, id="group_add"),
        Binding("p", "member_action('approve')", "Approve", id="group_approve"),
        Binding("x", "member_action('reject')", "Reject", id="group_reject"),
        Binding("r", "change_role", "Role", id="group_role"),
        Binding("delete", "member_action('remove')", "Remove", id="group_remove"),
        Binding("ctrl+r", "reload", "Refresh", show=False, id="group_refresh"),
    ]

    def __init__(self, group_id: str) -> None:
        super().__init__(id="group-detail")
        self.group_id = group_id
        self.group: Group | None = None
        self.names: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with VerticalScroll(id="group-summary"):
            yield Static("Loading the group…", id="group-info", markup=False)
        yield Static("Members", classes="section-title")
        table: DataTable[Any] = RowTable(id="members-table")
        yield table
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Name", key="name", width=24)
        table.add_column("Username", key="username", width=28)
        table.add_column("Role", key="role", width=8)
        table.add_column("Status", key="status")
        table.focus()
        self.action_reload()

    # -- loading ----------------------------------------------------------------------------

    @work(group="group-load", exclusive=True, exit_on_error=False)
    async def action_reload(self) -> None:
        app = gtui(self)
        try:
            response = await app.session.groups.get_group(self.group_id, include=GROUP_INCLUDES)
            group = Group.from_api(response.document())
        except GlobusError as exc:
            self.query_one("#group-info", Static).update("Could not load this group.")
            app.report_error(exc, "Opening the group")
            return
        missing = [m.identity_id for m in group.memberships if m.identity_id not in self.names]
        if missing:
            try:
                found = await app.session.auth.get_identities(ids=missing)
                for doc in found.documents("identities"):
                    self.names[doc.get("id", "")] = doc.get("name") or ""
            except GlobusError as exc:
                app.report_error(exc, "Looking up the members' names")
        self.show_group(group)

    def show_group(self, group: Group) -> None:
        self.group = group
        mine = group.my_memberships[0] if group.my_memberships else None
        me = f"{mine.role}, {mine.status}" if mine else "not a member"
        lines = [group.name, "", " ".join((group.description or "No description.").split()), ""]
        lines.append(f"You: {me}")
        lines.extend(policy_lines(group))
        hints = self._hints(group)
        if hints:
            lines.extend(["", "Keys: " + " · ".join(hints)])
        self.query_one("#group-info", Static).update("\n".join(lines))
        table = self.query_one(DataTable)
        selected = self.selected_member()
        table.clear()
        for member in group.memberships:
            table.add_row(
                self.names.get(member.identity_id) or "—",
                member.username or member.identity_id,
                member.role,
                Text(member.status or "—", style="bold" if member.status == "pending" else ""),
                key=member.identity_id,
            )
        if selected is not None and selected.identity_id in {
            m.identity_id for m in group.memberships
        }:
            table.move_cursor(row=table.get_row_index(selected.identity_id))

    def _hints(self, group: Group) -> list[str]:
        allowed = set(group.allowed_actions)
        hints = []
        for action, text in (
            ("accept", "a accept the invitation"),
            ("decline", "d decline it"),
            ("join", "j join"),
            ("request_join", "j ask to join"),
            ("leave", "l leave"),
            ("invite", "i invite by username"),
            ("approve", "p/x approve or reject a request"),
            ("change_role", "r change a role"),
            ("remove", "Delete remove a member"),
        ):
            if action in allowed and not (action == "request_join" and "join" in allowed):
                hints.append(text)
        return hints

    def selected_member(self) -> Membership | None:
        table = self.query_one(DataTable)
        if self.group is None or table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((m for m in self.group.memberships if m.identity_id == key), None)

    def _allowed(self, action: str) -> bool:
        if self.group is None:
            return False
        if action in self.group.allowed_actions:
            return True
        role = self.group.my_role or "not a member"
        self.notify(
            f"You cannot {action.replace('_', ' ')} here (you are {role} of {self.group.name}).",
            severity="warning",
            timeout=4,
        )
        return False

    # -- actions ----------------------------------------------------------------------------

    def action_back(self) -> None:
        self.dismiss(None)

    @work(group="group-action", exclusive=True, exit_on_error=False)
    async def action_self_action(self, action: str) -> None:
        if (
            self.group is not None
            and self._allowed(action)
            and await run_self_action(self, self.group, action)
        ):
            self.action_reload()

    @work(group="group-action", exclusive=True, exit_on_error=False)
    async def action_join(self) -> None:
        if self.group is None:
            return
        action = "join" if "join" in self.group.allowed_actions else "request_join"
        if self._allowed(action) and await run_self_action(self, self.group, action):
            self.action_reload()

    @work(group="group-action", exclusive=True, exit_on_error=False)
    async def action_member_action(self, action: str) -> None:
        member = self.selected_member()
        if self.group is None or member is None or not self._allowed(action):
            return
        who = self.names.get(member.identity_id) or member.username or member.identity_id
        if await run_action(self, self.group, action, member.identity_id, who=who):
            self.action_reload()

    @work(group="group-action", exclusive=True, exit_on_error=False)
    async def action_change_role(self) -> None:
        member = self.selected_member()
        if self.group is None or member is None or not self._allowed("change_role"):
            return
        who = self.names.get(member.identity_id) or member.username or member.identity_id
        role = await wait_for_screen(
            self.app,
            PromptScreen(
                f"New role for {who}",
                value=member.role,
                hint="member, manager or admin",
                check=lambda v: (
                    None if v.strip() in ROLE_NAMES else "One of member, manager, admin."
                ),
            ),
        )
        chosen = ROLE_NAMES.get((role or "").strip())
        if chosen is not None and chosen != member.role:
            ok = await run_action(
                self, self.group, "change_role", member.identity_id, who=who, role=chosen
            )
            if ok:
                self.action_reload()

    @work(group="group-action", exclusive=True, exit_on_error=False)
    async def action_invite(self, action: str) -> None:
        if self.group is None or not self._allowed(action):
            return
        verb = "Invite" if action == "invite" else "Add"
        username = await wait_for_screen(
            self.app,
            PromptScreen(
                f"{verb} to {self.group.name}",
                placeholder="username, e.g. ada@example.org",
                hint="A Globus username; they join as a member (r changes the role later).",
                check=lambda v: None if "@" in v else "A Globus username looks like name@domain.",
            ),
        )
        if not username:
            return
        username = username.strip()
        try:
            found = await gtui(self).session.auth.get_identities(usernames=username)
        except GlobusError as exc:
            gtui(self).report_error(exc, f"Looking up {username}")
            return
        identities = [i for i in found.get("identities", []) if i.get("id")]
        if not identities:
            self.notify(
                f"No Globus identity is called {username}.",
                severity="error",
                timeout=6,
                markup=False,
            )
            return
        if await run_action(self, self.group, action, identities[0]["id"], who=username):
            self.action_reload()

"""The rules of one membership action (add, invite, approve, join, leave, ...) on a group.

A batch applies each item in turn; an item that breaks a rule raises ``ItemError`` and the
others still run, as in the real service.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gtui.sim.groups.access import is_open, role, visible
from gtui.sim.groups.errors import ItemError
from gtui.sim.groups.records import ROLES, now_stamp

ACTIONS = (
    "add",
    "invite",
    "remove",
    "approve",
    "reject",
    "accept",
    "decline",
    "join",
    "leave",
    "request_join",
    "change_role",
)
MANAGING = frozenset({"add", "invite", "remove", "approve", "reject", "change_role"})


def apply_action(
    group: dict[str, Any],
    caller: str,
    action: str,
    target: str,
    item: dict[str, Any],
    identity_exists: Callable[[str], bool],
) -> None:
    """Apply one batch item of ``caller`` to ``target``'s membership, or raise ItemError."""
    caller_role = role(group, caller)
    members = group["memberships"]
    current = members.get(target)
    status = current["status"] if current else None
    if action in MANAGING:
        _check_manager(caller_role, action, item)
    elif target != caller:
        raise ItemError("PERMISSION_DENIED", f"{action} is only allowed for your own identity")
    new_role = item.get("role", "member")
    if action in ("add", "invite", "change_role") and new_role not in ROLES:
        raise ItemError("INVALID_ROLE", f"Unknown role {new_role!r}")
    if action == "add":
        if status == "active":
            raise ItemError("ALREADY_ACTIVE", "Identity is already an active member")
        if not identity_exists(target):
            raise ItemError("INVALID_IDENTITY", f"Unknown identity {target}")
        set_membership(group, target, "active", new_role)
    elif action == "invite":
        if status == "active":
            raise ItemError("ALREADY_ACTIVE", "Identity is already an active member")
        if not identity_exists(target):
            raise ItemError("INVALID_IDENTITY", f"Unknown identity {target}")
        set_membership(group, target, "invited", new_role)
    elif action == "remove":
        if status not in ("active", "invited", "pending"):
            raise ItemError("NO_MEMBERSHIP", "Identity has no membership to remove")
        if current and current["role"] == "admin" and caller_role != "admin":
            raise ItemError("PERMISSION_DENIED", "Only admins may remove admins")
        _check_not_last_admin(group, target)
        set_membership(group, target, "removed")
    elif action in ("approve", "reject"):
        if status != "pending":
            raise ItemError("NO_PENDING_REQUEST", "Identity has no pending join request")
        set_membership(group, target, "active" if action == "approve" else "rejected")
    elif action == "change_role":
        if status != "active":
            raise ItemError("NO_MEMBERSHIP", "Identity is not an active member")
        if current and current["role"] == "admin" and new_role != "admin":
            _check_not_last_admin(group, target)
        set_membership(group, target, "active", new_role)
    elif action in ("accept", "decline"):
        if status != "invited":
            raise ItemError("NO_INVITATION", "There is no invitation to answer")
        set_membership(group, target, "active" if action == "accept" else "declined")
    elif action == "leave":
        if status != "active":
            raise ItemError("NO_MEMBERSHIP", "You are not an active member")
        _check_not_last_admin(group, target)
        set_membership(group, target, "left")
    elif action == "request_join":
        if status in ("active", "pending"):
            code = "ALREADY_ACTIVE" if status == "active" else "ALREADY_PENDING"
            raise ItemError(code, f"Membership is already {status}")
        if not group["policies"]["join_requests"] or not visible(group, caller):
            raise ItemError("PERMISSION_DENIED", "This group does not accept join requests")
        set_membership(group, target, "pending", "member")
    elif action == "join":
        if status == "active":
            raise ItemError("ALREADY_ACTIVE", "You are already an active member")
        if status != "invited" and not is_open(group):
            raise ItemError("PERMISSION_DENIED", "Joining needs an invitation or approval")
        set_membership(group, target, "active", current["role"] if current else "member")


def _check_manager(caller_role: str | None, action: str, item: dict[str, Any]) -> None:
    if caller_role not in ("admin", "manager"):
        raise ItemError("PERMISSION_DENIED", f"Only admins and managers may {action}")
    if caller_role == "manager" and (action == "change_role" or item.get("role") == "admin"):
        raise ItemError("PERMISSION_DENIED", "Only admins may grant or change roles")


def _check_not_last_admin(group: dict[str, Any], target: str) -> None:
    members = group["memberships"]
    admins = [i for i, m in members.items() if m["role"] == "admin" and m["status"] == "active"]
    if admins == [target]:
        raise ItemError("LAST_ADMIN", "A group must keep at least one admin")


def set_membership(
    group: dict[str, Any], target: str, status: str, new_role: str | None = None
) -> None:
    """Set ``target``'s status (and role, if given), creating the membership if needed."""
    stamp = now_stamp()
    current = group["memberships"].get(target)
    if current is None:
        current = {
            "role": new_role or "member",
            "created": stamp,
            "membership_fields": {},
            "invite_email_address": None,
        }
        group["memberships"][target] = current
    current["status"] = status
    if new_role is not None:
        current["role"] = new_role
    current["updated"] = stamp

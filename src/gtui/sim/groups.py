"""Groups v2 of the embedded service: groups, memberships, roles, and who may do what.

The demo world's groups come from ``groups_demo``; state persists in
``state_dir/groups.json``.
"""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from gtui.sim.groups_demo import demo_groups, new_group, new_policies
from gtui.sim.persist import JsonState

if TYPE_CHECKING:
    from collections.abc import Callable

    from gtui.sim.settings import SimSettings

ROLES = ("member", "manager", "admin")
STATUSES = ("active", "invited", "pending", "rejected", "removed", "left", "declined")
SIGNUP_FIELDS = (
    "institution",
    "current_project_name",
    "address",
    "city",
    "state",
    "country",
    "address1",
    "address2",
    "zip",
    "phone",
    "department",
    "field_of_science",
)
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


class GroupsError(Exception):
    """A whole-request failure (unknown group, bad body, forbidden policy change)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


class ItemError(Exception):
    """One batch item refused; reported in the answer's ``errors``."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


class GroupsService:
    """Groups and memberships with the rules of the real service."""

    def __init__(
        self,
        settings: SimSettings,
        username_of: Callable[[str], str],
        identity_exists: Callable[[str], bool],
    ) -> None:
        self._state = JsonState(settings.state_dir / "groups.json")
        self._lock = threading.RLock()
        self._username_of = username_of
        self._identity_exists = identity_exists
        self.groups: dict[str, dict[str, Any]] = self._state.load().get("groups") or demo_groups()
        self._save()

    def _save(self) -> None:
        self._state.save({"groups": self.groups})

    # -- reading ------------------------------------------------------------------------
    def _membership(self, group: dict[str, Any], identity_id: str) -> dict[str, Any] | None:
        return group["memberships"].get(identity_id)

    def _role(self, group: dict[str, Any], identity_id: str) -> str | None:
        m = self._membership(group, identity_id)
        return m["role"] if m and m["status"] == "active" else None

    def visible(self, group: dict[str, Any], identity_id: str) -> bool:
        m = self._membership(group, identity_id)
        if m and m["status"] in ("active", "invited", "pending"):
            return True
        return group["policies"]["group_visibility"] == "authenticated"

    def get(self, group_id: str, identity_id: str) -> dict[str, Any]:
        group = self.groups.get(group_id)
        if group is None or not self.visible(group, identity_id):
            raise GroupsError(404, "NOT_FOUND", f"Group {group_id} not found")
        return group

    def membership_doc(self, group: dict[str, Any], identity_id: str) -> dict[str, Any]:
        m = group["memberships"][identity_id]
        return {
            "group_id": group["id"],
            "identity_id": identity_id,
            "username": self._username_of(identity_id),
            "role": m["role"],
            "status": m["status"],
            "invite_email_address": m.get("invite_email_address"),
            "membership_fields": m.get("membership_fields", {}),
            "created": m.get("created"),
            "updated": m.get("updated"),
        }

    def _my_memberships(
        self, group: dict[str, Any], identity_id: str, statuses: tuple[str, ...] = STATUSES
    ) -> list[dict[str, Any]]:
        m = self._membership(group, identity_id)
        if m is None or m["status"] not in statuses:
            return []
        doc = self.membership_doc(group, identity_id)
        return [{k: doc[k] for k in ("group_id", "identity_id", "username", "role", "status")}]

    def group_doc(
        self, group: dict[str, Any], identity_id: str, include: set[str] | None = None
    ) -> dict[str, Any]:
        include = include or set()
        doc = {k: v for k, v in group.items() if k != "memberships"}
        doc["policies"] = dict(group["policies"])
        if "my_memberships" in include:
            doc["my_memberships"] = self._my_memberships(group, identity_id)
        if "memberships" in include:
            doc["memberships"] = self._visible_memberships(group, identity_id)
        if "allowed_actions" in include:
            doc["allowed_actions"] = self.allowed_actions(group, identity_id)
        if "child_ids" in include:
            doc["child_ids"] = sorted(
                g["id"] for g in self.groups.values() if g.get("parent_id") == group["id"]
            )
        return doc

    def _visible_memberships(self, group: dict[str, Any], identity_id: str) -> list[dict[str, Any]]:
        role = self._role(group, identity_id)
        sees_all = role in ("admin", "manager") or (
            role == "member" and group["policies"]["group_members_visibility"] == "members"
        )
        if not sees_all:
            return (
                [self.membership_doc(group, identity_id)]
                if self._membership(group, identity_id)
                else []
            )
        return [
            self.membership_doc(group, i)
            for i in sorted(group["memberships"])
            if role in ("admin", "manager") or group["memberships"][i]["status"] == "active"
        ]

    def allowed_actions(self, group: dict[str, Any], identity_id: str) -> dict[str, bool]:
        role = self._role(group, identity_id)
        m = self._membership(group, identity_id)
        status = m["status"] if m else None
        manages = role in ("admin", "manager")
        policies = group["policies"]
        return {
            "add": manages,
            "invite": manages,
            "remove": manages,
            "approve": manages,
            "reject": manages,
            "change_role": role == "admin",
            "accept": status == "invited",
            "decline": status == "invited",
            "leave": status == "active",
            "request_join": status not in ("active", "pending") and policies["join_requests"],
            "join": status == "invited" or (status != "active" and self._open(group)),
            "update_group": role == "admin",
            "delete_group": role == "admin",
            "update_policies": role == "admin",
        }

    @staticmethod
    def _open(group: dict[str, Any]) -> bool:
        p = group["policies"]
        return (
            bool(p["join_requests"])
            and not p["signup_fields"]
            and (p["group_visibility"] == "authenticated")
        )

    def my_groups(self, identity_id: str, statuses: tuple[str, ...]) -> list[dict[str, Any]]:
        result = []
        for group in self.groups.values():
            mine = self._my_memberships(group, identity_id, statuses)
            if mine:
                doc = self.group_doc(group, identity_id)
                doc["my_memberships"] = mine
                result.append(doc)
        return sorted(result, key=lambda d: d["name"].lower())

    # -- writing ------------------------------------------------------------------------
    def create(self, identity_id: str, body: Any) -> dict[str, Any]:
        """A new group with the caller as its only (admin) member."""
        fields = _group_fields(body, require_name=True)
        parent = fields.get("parent_id")
        with self._lock:
            if parent is not None:
                self.get(parent, identity_id)
            group = new_group(
                str(uuid.uuid4()),
                fields["name"],
                fields.get("description", ""),
                new_policies("private", "managers", False, []),
                {identity_id: ("admin", "active")},
            )
            group["parent_id"] = parent
            self.groups[group["id"]] = group
            self._save()
            return self.group_doc(group, identity_id, {"my_memberships"})

    def update(self, group_id: str, identity_id: str, body: Any) -> dict[str, Any]:
        fields = _group_fields(body, require_name=False)
        with self._lock:
            group = self.get(group_id, identity_id)
            if self._role(group, identity_id) != "admin":
                raise GroupsError(403, "FORBIDDEN", "Only group admins may change the group")
            group.update(fields)
            self._save()
            return self.group_doc(group, identity_id)

    def delete(self, group_id: str, identity_id: str) -> dict[str, Any]:
        with self._lock:
            group = self.get(group_id, identity_id)
            if self._role(group, identity_id) != "admin":
                raise GroupsError(403, "FORBIDDEN", "Only group admins may delete the group")
            doc = self.group_doc(group, identity_id)
            del self.groups[group_id]
            self._save()
            return doc

    def set_policies(self, group_id: str, identity_id: str, body: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            group = self.get(group_id, identity_id)
            if self._role(group, identity_id) != "admin":
                raise GroupsError(403, "FORBIDDEN", "Only group admins may change policies")
            policies = dict(group["policies"])
            for key, value in body.items():
                if key not in policies:
                    raise GroupsError(400, "INVALID_REQUEST", f"Unknown policy {key!r}")
                policies[key] = _checked_policy(key, value)
            group["policies"] = policies
            self._save()
            return dict(policies)

    def batch(self, group_id: str, identity_id: str, body: Any) -> dict[str, Any]:
        """Apply a batch of membership actions; each item succeeds or gets an error."""
        if not isinstance(body, dict):
            raise GroupsError(400, "INVALID_REQUEST", "The body must be a JSON object")
        unknown = set(body) - set(ACTIONS)
        if unknown:
            raise GroupsError(400, "INVALID_REQUEST", f"Unknown actions: {sorted(unknown)}")
        with self._lock:
            group = self.get(group_id, identity_id)
            answer: dict[str, Any] = {}
            errors: dict[str, list[dict[str, Any]]] = {}
            for action in ACTIONS:
                items = body.get(action)
                if items is None:
                    continue
                if not isinstance(items, list):
                    raise GroupsError(400, "INVALID_REQUEST", f"{action} must be a list")
                done = answer.setdefault(action, [])
                for item in items:
                    target = item.get("identity_id") if isinstance(item, dict) else None
                    try:
                        if not isinstance(target, str) or not target:
                            raise ItemError("INVALID_IDENTITY", "identity_id is required")
                        self._apply(group, identity_id, action, target, item)
                        done.append(self.membership_doc(group, target))
                    except ItemError as exc:
                        errors.setdefault(action, []).append(
                            {"identity_id": target, "code": exc.code, "detail": exc.detail}
                        )
            self._save()
        if errors:
            answer["errors"] = errors
        return answer

    def _apply(
        self, group: dict[str, Any], caller: str, action: str, target: str, item: dict[str, Any]
    ) -> None:
        caller_role = self._role(group, caller)
        members = group["memberships"]
        current = members.get(target)
        status = current["status"] if current else None
        if action in MANAGING:
            self._check_manager(group, caller_role, action, target, item)
        elif target != caller:
            raise ItemError("PERMISSION_DENIED", f"{action} is only allowed for your own identity")
        role = item.get("role", "member")
        if action in ("add", "invite", "change_role") and role not in ROLES:
            raise ItemError("INVALID_ROLE", f"Unknown role {role!r}")
        if action == "add":
            if status == "active":
                raise ItemError("ALREADY_ACTIVE", "Identity is already an active member")
            if not self._identity_exists(target):
                raise ItemError("INVALID_IDENTITY", f"Unknown identity {target}")
            self._set(group, target, "active", role)
        elif action == "invite":
            if status == "active":
                raise ItemError("ALREADY_ACTIVE", "Identity is already an active member")
            if not self._identity_exists(target):
                raise ItemError("INVALID_IDENTITY", f"Unknown identity {target}")
            self._set(group, target, "invited", role)
        elif action == "remove":
            if status not in ("active", "invited", "pending"):
                raise ItemError("NO_MEMBERSHIP", "Identity has no membership to remove")
            if current and current["role"] == "admin" and caller_role != "admin":
                raise ItemError("PERMISSION_DENIED", "Only admins may remove admins")
            self._check_not_last_admin(group, target)
            self._set(group, target, "removed")
        elif action in ("approve", "reject"):
            if status != "pending":
                raise ItemError("NO_PENDING_REQUEST", "Identity has no pending join request")
            self._set(group, target, "active" if action == "approve" else "rejected")
        elif action == "change_role":
            if status != "active":
                raise ItemError("NO_MEMBERSHIP", "Identity is not an active member")
            if current and current["role"] == "admin" and role != "admin":
                self._check_not_last_admin(group, target)
            self._set(group, target, "active", role)
        elif action in ("accept", "decline"):
            if status != "invited":
                raise ItemError("NO_INVITATION", "There is no invitation to answer")
            self._set(group, target, "active" if action == "accept" else "declined")
        elif action == "leave":
            if status != "active":
                raise ItemError("NO_MEMBERSHIP", "You are not an active member")
            self._check_not_last_admin(group, target)
            self._set(group, target, "left")
        elif action == "request_join":
            if status in ("active", "pending"):
                code = "ALREADY_ACTIVE" if status == "active" else "ALREADY_PENDING"
                raise ItemError(code, f"Membership is already {status}")
            if not group["policies"]["join_requests"] or not self.visible(group, caller):
                raise ItemError("PERMISSION_DENIED", "This group does not accept join requests")
            self._set(group, target, "pending", "member")
        elif action == "join":
            if status == "active":
                raise ItemError("ALREADY_ACTIVE", "You are already an active member")
            if status != "invited" and not self._open(group):
                raise ItemError("PERMISSION_DENIED", "Joining needs an invitation or approval")
            self._set(group, target, "active", current["role"] if current else "member")

    def _check_manager(
        self,
        group: dict[str, Any],
        caller_role: str | None,
        action: str,
        target: str,
        item: dict[str, Any],
    ) -> None:
        if caller_role not in ("admin", "manager"):
            raise ItemError("PERMISSION_DENIED", f"Only admins and managers may {action}")
        if caller_role == "manager" and (action == "change_role" or item.get("role") == "admin"):
            raise ItemError("PERMISSION_DENIED", "Only admins may grant or change roles")

    def _check_not_last_admin(self, group: dict[str, Any], target: str) -> None:
        members = group["memberships"]
        admins = [i for i, m in members.items() if m["role"] == "admin" and m["status"] == "active"]
        if admins == [target]:
            raise ItemError("LAST_ADMIN", "A group must keep at least one admin")

    def _set(
        self, group: dict[str, Any], target: str, status: str, role: str | None = None
    ) -> None:
        stamp = _now()
        current = group["memberships"].get(target)
        if current is None:
            current = {
                "role": role or "member",
                "created": stamp,
                "membership_fields": {},
                "invite_email_address": None,
            }
            group["memberships"][target] = current
        current["status"] = status
        if role is not None:
            current["role"] = role
        current["updated"] = stamp


def _group_fields(body: Any, *, require_name: bool) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise GroupsError(400, "INVALID_REQUEST", "The body must be a JSON object")
    unknown = set(body) - {"name", "description", "parent_id", "terms_and_conditions"}
    if unknown:
        raise GroupsError(400, "INVALID_REQUEST", f"Unknown group fields: {sorted(unknown)}")
    name = body.get("name")
    if (require_name or "name" in body) and (not isinstance(name, str) or not name.strip()):
        raise GroupsError(400, "INVALID_REQUEST", "name must be a non-empty string")
    for key in ("description", "parent_id", "terms_and_conditions"):
        if body.get(key) is not None and not isinstance(body[key], str):
            raise GroupsError(400, "INVALID_REQUEST", f"{key} must be a string")
    return dict(body)


def _checked_policy(key: str, value: Any) -> Any:
    choices = {
        "group_visibility": ("authenticated", "private"),
        "group_members_visibility": ("members", "managers"),
    }
    if key in choices and value not in choices[key]:
        raise GroupsError(400, "INVALID_REQUEST", f"{key} must be one of {choices[key]}")
    if key in ("is_high_assurance", "join_requests") and not isinstance(value, bool):
        raise GroupsError(400, "INVALID_REQUEST", f"{key} must be true or false")
    if key == "signup_fields" and (
        not isinstance(value, list) or any(v not in SIGNUP_FIELDS for v in value)
    ):
        raise GroupsError(
            400, "INVALID_REQUEST", f"signup_fields must be a list of {SIGNUP_FIELDS}"
        )
    if (
        key == "authentication_assurance_timeout"
        and value is not None
        and (not isinstance(value, int) or isinstance(value, bool) or value < 0)
    ):
        raise GroupsError(400, "INVALID_REQUEST", f"{key} must be a whole number of seconds")
    return value

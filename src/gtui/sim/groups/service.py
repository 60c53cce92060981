"""Groups v2 of the embedded service: the groups, the documents it answers, its operations.

The demo world's groups come from ``demo.py``; state persists in ``state_dir/groups.json``.
Who may do what is decided in ``access.py`` and ``membership_actions.py``.
"""

from __future__ import annotations

import threading
import uuid
from typing import TYPE_CHECKING, Any

from gtui.sim.groups import access, subscriptions
from gtui.sim.groups.demo import demo_groups
from gtui.sim.groups.errors import GroupsError, ItemError
from gtui.sim.groups.membership_actions import ACTIONS, apply_action
from gtui.sim.groups.records import STATUSES, new_group, new_policies
from gtui.sim.groups.validation import checked_policy, checked_subscription_id, group_fields
from gtui.sim.persist import JsonState

if TYPE_CHECKING:
    from collections.abc import Callable

    from gtui.sim.settings import SimSettings


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
    def get(self, group_id: str, identity_id: str) -> dict[str, Any]:
        group = self.groups.get(group_id)
        if group is None or not access.visible(group, identity_id):
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
        m = access.membership(group, identity_id)
        if m is None or m["status"] not in statuses:
            return []
        doc = self.membership_doc(group, identity_id)
        return [{k: doc[k] for k in ("group_id", "identity_id", "username", "role", "status")}]

    def group_doc(
        self, group: dict[str, Any], identity_id: str, include: set[str] | None = None
    ) -> dict[str, Any]:
        include = include or set()
        doc = {k: v for k, v in group.items() if k != "memberships"}
        doc.setdefault("subscription_admin_verified_id", None)  # groups saved before it
        doc["policies"] = dict(group["policies"])
        if "my_memberships" in include:
            doc["my_memberships"] = self._my_memberships(group, identity_id)
        if "memberships" in include:
            doc["memberships"] = self._visible_memberships(group, identity_id)
        if "allowed_actions" in include:
            doc["allowed_actions"] = access.allowed_actions(group, identity_id)
        if "child_ids" in include:
            doc["child_ids"] = sorted(
                g["id"] for g in self.groups.values() if g.get("parent_id") == group["id"]
            )
        return doc

    def _visible_memberships(self, group: dict[str, Any], identity_id: str) -> list[dict[str, Any]]:
        role = access.role(group, identity_id)
        sees_all = role in ("admin", "manager") or (
            role == "member" and group["policies"]["group_members_visibility"] == "members"
        )
        if not sees_all:
            return (
                [self.membership_doc(group, identity_id)]
                if access.membership(group, identity_id)
                else []
            )
        return [
            self.membership_doc(group, i)
            for i in sorted(group["memberships"])
            if role in ("admin", "manager") or group["memberships"][i]["status"] == "active"
        ]

    def my_groups(self, identity_id: str, statuses: tuple[str, ...]) -> list[dict[str, Any]]:
        result = []
        for group in self.groups.values():
            mine = self._my_memberships(group, identity_id, statuses)
            if mine:
                doc = self.group_doc(group, identity_id)
                doc["my_memberships"] = mine
                result.append(doc)
        return sorted(result, key=lambda d: d["name"].lower())

    def subscription_info(self, subscription_id: str) -> dict[str, Any]:
        """Which group provides a subscription, and its public details (any caller may ask)."""
        return subscriptions.public_info(
            subscriptions.providing_group(self.groups, subscription_id)
        )

    # -- writing ------------------------------------------------------------------------
    def create(self, identity_id: str, body: Any) -> dict[str, Any]:
        """A new group with the caller as its only (admin) member."""
        fields = group_fields(body, require_name=True)
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
        fields = group_fields(body, require_name=False)
        with self._lock:
            group = self.get(group_id, identity_id)
            if access.role(group, identity_id) != "admin":
                raise GroupsError(403, "FORBIDDEN", "Only group admins may change the group")
            if "subscription_admin_verified_id" in fields:
                verified = checked_subscription_id(fields["subscription_admin_verified_id"])
                subscriptions.check_may_verify(self.groups, group, identity_id, verified)
                fields["subscription_admin_verified_id"] = verified
            group.update(fields)
            self._save()
            return self.group_doc(group, identity_id)

    def set_subscription_admin_verified(
        self, group_id: str, identity_id: str, body: Any
    ) -> dict[str, Any]:
        """Mark the group as verified by a subscription (or clear the mark with null)."""
        if not isinstance(body, dict) or set(body) != {"subscription_admin_verified_id"}:
            raise GroupsError(
                400, "INVALID_REQUEST", 'The body must be {"subscription_admin_verified_id": ...}'
            )
        verified = checked_subscription_id(body["subscription_admin_verified_id"])
        with self._lock:
            group = self.get(group_id, identity_id)
            subscriptions.check_may_verify(self.groups, group, identity_id, verified)
            group["subscription_admin_verified_id"] = verified
            self._save()
        return {"group_id": group_id, "subscription_admin_verified_id": verified}

    def delete(self, group_id: str, identity_id: str) -> dict[str, Any]:
        with self._lock:
            group = self.get(group_id, identity_id)
            if access.role(group, identity_id) != "admin":
                raise GroupsError(403, "FORBIDDEN", "Only group admins may delete the group")
            doc = self.group_doc(group, identity_id)
            del self.groups[group_id]
            self._save()
            return doc

    def set_policies(self, group_id: str, identity_id: str, body: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            group = self.get(group_id, identity_id)
            if access.role(group, identity_id) != "admin":
                raise GroupsError(403, "FORBIDDEN", "Only group admins may change policies")
            policies = dict(group["policies"])
            for key, value in body.items():
                if key not in policies:
                    raise GroupsError(400, "INVALID_REQUEST", f"Unknown policy {key!r}")
                policies[key] = checked_policy(key, value)
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
                        apply_action(
                            group, identity_id, action, target, item, self._identity_exists
                        )
                        done.append(self.membership_doc(group, target))
                    except ItemError as exc:
                        errors.setdefault(action, []).append(
                            {"identity_id": target, "code": exc.code, "detail": exc.detail}
                        )
            self._save()
        if errors:
            answer["errors"] = errors
        return answer

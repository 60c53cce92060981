"""Who may see a group and what each identity may do with it, read from the group record.

Pure functions of a group record and an identity id, shared by the documents the service
answers and the rules of membership actions.
"""

from __future__ import annotations

from typing import Any


def membership(group: dict[str, Any], identity_id: str) -> dict[str, Any] | None:
    """The identity's membership record in the group, whatever its status."""
    found: dict[str, Any] | None = group["memberships"].get(identity_id)
    return found


def role(group: dict[str, Any], identity_id: str) -> str | None:
    """The identity's role, if it is an active member."""
    m = membership(group, identity_id)
    return m["role"] if m and m["status"] == "active" else None


def visible(group: dict[str, Any], identity_id: str) -> bool:
    """Members (active, invited or pending) see a group; others only if it is public."""
    m = membership(group, identity_id)
    if m and m["status"] in ("active", "invited", "pending"):
        return True
    return bool(group["policies"]["group_visibility"] == "authenticated")


def is_open(group: dict[str, Any]) -> bool:
    """Whether anyone may join at once: visible, taking requests, no sign-up fields."""
    p = group["policies"]
    return (
        bool(p["join_requests"])
        and not p["signup_fields"]
        and (p["group_visibility"] == "authenticated")
    )


def allowed_actions(group: dict[str, Any], identity_id: str) -> dict[str, bool]:
    """The ``allowed_actions`` document: each action, and whether the identity may take it."""
    current_role = role(group, identity_id)
    m = membership(group, identity_id)
    status = m["status"] if m else None
    manages = current_role in ("admin", "manager")
    policies = group["policies"]
    return {
        "add": manages,
        "invite": manages,
        "remove": manages,
        "approve": manages,
        "reject": manages,
        "change_role": current_role == "admin",
        "accept": status == "invited",
        "decline": status == "invited",
        "leave": status == "active",
        "request_join": status not in ("active", "pending") and policies["join_requests"],
        "join": status == "invited" or (status != "active" and is_open(group)),
        "update_group": current_role == "admin",
        "delete_group": current_role == "admin",
        "update_policies": current_role == "admin",
    }

"""Checks on what a client sends: the fields of a group, and each policy value.

A body that fails them is refused whole, with a 400 ``INVALID_REQUEST``.
"""

from __future__ import annotations

import uuid
from typing import Any

from gtui.sim.groups.errors import GroupsError
from gtui.sim.groups.records import SIGNUP_FIELDS


def group_fields(body: Any, *, require_name: bool) -> dict[str, Any]:
    """The fields of a group to create or update, checked (``name`` required on create)."""
    if not isinstance(body, dict):
        raise GroupsError(400, "INVALID_REQUEST", "The body must be a JSON object")
    allowed = {
        "name",
        "description",
        "parent_id",
        "terms_and_conditions",
        "subscription_admin_verified_id",
    }
    unknown = set(body) - allowed
    if unknown:
        raise GroupsError(400, "INVALID_REQUEST", f"Unknown group fields: {sorted(unknown)}")
    name = body.get("name")
    if (require_name or "name" in body) and (not isinstance(name, str) or not name.strip()):
        raise GroupsError(400, "INVALID_REQUEST", "name must be a non-empty string")
    for key in ("description", "parent_id", "terms_and_conditions"):
        if body.get(key) is not None and not isinstance(body[key], str):
            raise GroupsError(400, "INVALID_REQUEST", f"{key} must be a string")
    if "subscription_admin_verified_id" in body:
        checked_subscription_id(body["subscription_admin_verified_id"])
    return dict(body)


def checked_subscription_id(value: Any) -> str | None:
    """A subscription id as clients send it: a UUID string, or null for none."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return str(uuid.UUID(value))
        except ValueError:
            pass
    raise GroupsError(
        400, "INVALID_REQUEST", "subscription_admin_verified_id must be a UUID or null"
    )


def checked_policy(key: str, value: Any) -> Any:
    """``value`` if it is allowed for the policy ``key``; raises GroupsError otherwise."""
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

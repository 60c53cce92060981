"""The stored shape of a group: its record, its policies, and the roles and statuses of members.

Groups are kept as plain JSON-ready dicts (``state_dir/groups.json``); these builders are the
one place that spells their fields out.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

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


def now_stamp() -> str:
    """The current time as Groups writes it (microseconds, UTC offset)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def new_policies(
    visibility: str, members_visibility: str, join_requests: bool, signup_fields: list[str]
) -> dict[str, Any]:
    return {
        "is_high_assurance": False,
        "authentication_assurance_timeout": 28800,
        "group_visibility": visibility,
        "group_members_visibility": members_visibility,
        "join_requests": join_requests,
        "signup_fields": signup_fields,
    }


def new_subscription_info(
    name: str, subscriber_name: str, connectors: dict[str, dict[str, bool]]
) -> dict[str, Any]:
    """The ``subscription_info`` of a group that provides a subscription (a "plus" group)."""
    return {
        "name": name,
        "subscriber_name": subscriber_name,
        "is_high_assurance": False,
        "is_baa": False,
        "connectors": connectors,
    }


def new_group(
    gid: str,
    name: str,
    description: str,
    policies: dict[str, Any],
    members: dict[str, tuple[str, str]],
) -> dict[str, Any]:
    """A group record; ``members`` maps identity ids to ``(role, status)``."""
    stamp = now_stamp()
    return {
        "id": gid,
        "name": name,
        "description": description,
        "parent_id": None,
        "group_type": "regular",
        "enforce_session": False,
        "session_limit": 28800,
        "session_timeouts": {},
        "subscription_id": None,
        "subscription_info": None,
        "subscription_admin_verified_id": None,
        "terms_and_conditions": None,
        "policies": policies,
        "memberships": {
            identity: {
                "role": role,
                "status": status,
                "created": stamp,
                "updated": stamp,
                "membership_fields": {},
                "invite_email_address": None,
            }
            for identity, (role, status) in members.items()
        },
    }

"""The groups of a fresh demo world.

"Climate Modelling Lab" (the demo user is its admin, with a pending join request),
"HPC Users" (the demo user is a member), "Genome Consortium" (the demo user is invited) and
"Open Data Club" (anyone may join without approval).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from gtui.sim.world import (
    ADA_USER_ID,
    ALAN_USER_ID,
    CLIMATE_GROUP_ID,
    DEMO_USER_ID,
    GENOME_GROUP_ID,
    GRACE_USER_ID,
    HPC_USERS_GROUP_ID,
    OPEN_DATA_GROUP_ID,
    OTHER_USER_ID,
)


def _stamp() -> str:
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


def new_group(
    gid: str,
    name: str,
    description: str,
    policies: dict[str, Any],
    members: dict[str, tuple[str, str]],
) -> dict[str, Any]:
    stamp = _stamp()
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


def demo_groups() -> dict[str, dict[str, Any]]:
    """The groups of a fresh demo world."""
    groups = [
        new_group(
            CLIMATE_GROUP_ID,
            "Climate Modelling Lab",
            "Researchers running the regional climate model",
            new_policies("authenticated", "members", True, ["institution"]),
            {
                DEMO_USER_ID: ("admin", "active"),
                ADA_USER_ID: ("manager", "active"),
                GRACE_USER_ID: ("member", "active"),
                ALAN_USER_ID: ("member", "pending"),
            },
        ),
        new_group(
            HPC_USERS_GROUP_ID,
            "HPC Users",
            "Everyone with an account on the cluster",
            new_policies("authenticated", "managers", False, []),
            {
                OTHER_USER_ID: ("admin", "active"),
                DEMO_USER_ID: ("member", "active"),
                ADA_USER_ID: ("member", "active"),
            },
        ),
        new_group(
            GENOME_GROUP_ID,
            "Genome Consortium",
            "Shared assemblies and annotations",
            new_policies("private", "members", False, []),
            {
                GRACE_USER_ID: ("admin", "active"),
                DEMO_USER_ID: ("member", "invited"),
                ALAN_USER_ID: ("member", "active"),
            },
        ),
        new_group(
            OPEN_DATA_GROUP_ID,
            "Open Data Club",
            "Anyone may join; no approval needed",
            new_policies("authenticated", "members", True, []),
            {OTHER_USER_ID: ("admin", "active")},
        ),
    ]
    return {g["id"]: g for g in groups}

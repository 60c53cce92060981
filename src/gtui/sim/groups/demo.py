"""The groups of a fresh demo world.

"Climate Modelling Lab" (the demo user is its admin, with a pending join request),
"HPC Users" (the demo user is a member), "Genome Consortium" (the demo user is invited) and
"Open Data Club" (anyone may join without approval).
"""

from __future__ import annotations

from typing import Any

from gtui.sim.groups.records import new_group, new_policies
from gtui.sim.ids import (
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

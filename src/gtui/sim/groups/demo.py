"""The groups of a fresh demo world.

"Climate Modelling Lab" (the demo user is its admin, with a pending join request),
"HPC Users" (the demo user is a member), "Genome Consortium" (the demo user is invited) and
"Open Data Club" (anyone may join without approval).

"HPC Users" is a "plus" group: it provides the cluster's Globus subscription
(``DEMO_SUBSCRIPTION_ID``, the ``subscription_id`` of the demo collections), and its admins are
that subscription's administrators.
"""

from __future__ import annotations

from typing import Any

from gtui.sim.groups.records import new_group, new_policies, new_subscription_info
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

# The subscription of the demo collections' ``subscription_id`` (gtui.sim.world).
DEMO_SUBSCRIPTION_ID = "964be8f5-5f9b-11e4-b64e-12313940394d"
# Connectors the subscription licenses: POSIX and (premium) S3.
POSIX_CONNECTOR_ID = "145812c8-decc-41f1-83cf-bb2a85a2a70b"
S3_CONNECTOR_ID = "7643e831-5f6c-4b47-a07f-8ee90f401d23"


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
    hpc = next(g for g in groups if g["id"] == HPC_USERS_GROUP_ID)
    hpc["group_type"] = "plus"
    hpc["subscription_id"] = DEMO_SUBSCRIPTION_ID
    hpc["subscription_info"] = new_subscription_info(
        "gtui Demo HPC Center",
        "gtui Demo University",
        {c: {"is_ha": False, "is_baa": False} for c in (POSIX_CONNECTOR_ID, S3_CONNECTOR_ID)},
    )
    return {g["id"]: g for g in groups}

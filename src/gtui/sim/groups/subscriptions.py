"""Subscriptions as Groups knows them: the "plus" group that provides each, and who may verify
a group as belonging to one.

A subscription is provided by exactly one group (its ``subscription_id``); that group's active
admins are the subscription's administrators. A group admin marks their group as verified by a
subscription (``subscription_admin_verified_id``) only if they also administer that
subscription; any group admin may clear the mark.
"""

from __future__ import annotations

from typing import Any

from gtui.sim.groups import access
from gtui.sim.groups.errors import GroupsError

# What ``GET /v2/subscription_info/{id}`` tells anyone of a subscription's details.
PUBLIC_INFO_KEYS = ("is_high_assurance", "is_baa", "connectors")


def providing_group(groups: dict[str, dict[str, Any]], subscription_id: str) -> dict[str, Any]:
    """The group that provides the subscription; a 404 if none does."""
    wanted = subscription_id.lower()
    for group in groups.values():
        if (group.get("subscription_id") or "").lower() == wanted:
            return group
    raise GroupsError(404, "NOT_FOUND", f"Subscription {subscription_id} not found")


def public_info(group: dict[str, Any]) -> dict[str, Any]:
    """The ``subscription_info`` answer: the group, the subscription, the restricted details."""
    info = group.get("subscription_info") or {}
    return {
        "group_id": group["id"],
        "subscription_id": group["subscription_id"],
        "subscription_info": {k: info[k] for k in PUBLIC_INFO_KEYS if k in info},
    }


def check_may_verify(
    groups: dict[str, dict[str, Any]],
    group: dict[str, Any],
    identity_id: str,
    subscription_id: str | None,
) -> None:
    """Raise GroupsError unless ``identity_id`` may set the group's verified subscription."""
    if access.role(group, identity_id) != "admin":
        raise GroupsError(403, "FORBIDDEN", "Only group admins may change the group")
    if subscription_id is None or subscription_id == group.get("subscription_admin_verified_id"):
        return
    try:
        provider = providing_group(groups, subscription_id)
    except GroupsError:
        provider = None
    if provider is None or access.role(provider, identity_id) != "admin":
        raise GroupsError(
            403,
            "FORBIDDEN",
            f"Only administrators of subscription {subscription_id} may verify groups for it",
        )

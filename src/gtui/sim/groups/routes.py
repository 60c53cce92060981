"""The Groups v2 routes, relative to the API root (``/groups/v2``).

Order matters: ``/groups/my_groups`` must come before ``/groups/{group_id}``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.routing import BaseRoute, Route

from gtui.sim.groups import handlers

if TYPE_CHECKING:
    from gtui.sim.context import SimContext


def groups_routes(ctx: SimContext) -> list[BaseRoute]:
    """Every route of the Groups API this service answers."""
    return [
        Route("/groups/my_groups", handlers.my_groups),
        Route("/groups", handlers.create_group, methods=["POST"]),
        Route("/groups/{group_id}/policies", handlers.policies, methods=["GET", "PUT"]),
        Route(
            "/groups/{group_id}/subscription_admin_verified",
            handlers.subscription_admin_verified,
            methods=["PUT"],
        ),
        Route("/subscription_info/{subscription_id}", handlers.subscription_info),
        Route("/groups/{group_id}", handlers.get_group, methods=["GET"]),
        Route("/groups/{group_id}", handlers.batch, methods=["POST"]),
        Route("/groups/{group_id}", handlers.change_group, methods=["PUT", "DELETE"]),
    ]

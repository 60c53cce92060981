"""The Transfer v0.10 routes, relative to the API root (``/transfer/v0.10``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.routing import BaseRoute, Route

from gtui.sim.transfer import (
    access_rules,
    bookmarks,
    endpoint_update,
    endpoints,
    operations,
    roles,
    submit,
    tasks,
)
from gtui.sim.transfer.access_policy import AccessPolicy, group_members
from gtui.sim.transfer.access_store import AccessStore

if TYPE_CHECKING:
    from gtui.sim.context import SimContext


def transfer_routes(ctx: SimContext) -> list[BaseRoute]:
    """Every route of the Transfer API this service answers (and, on ``ctx.access``, the
    access policy that the routes and the engine check)."""
    attach_access(ctx)
    return [
        Route("/endpoint_search", endpoints.endpoint_search, methods=["GET"]),
        Route("/endpoint/{endpoint_id}", endpoints.get_endpoint, methods=["GET"]),
        endpoint_update.update_route(ctx),
        Route(
            "/endpoint/{endpoint_id}/my_shared_endpoint_list",
            access_rules.my_shared_endpoint_list,
            methods=["GET"],
        ),
        Route("/endpoint/{endpoint_id}/access_list", access_rules.access_list, methods=["GET"]),
        Route("/endpoint/{endpoint_id}/access", access_rules.create_rule, methods=["POST"]),
        Route("/endpoint/{endpoint_id}/access/{rule_id}", access_rules.get_rule, methods=["GET"]),
        Route(
            "/endpoint/{endpoint_id}/access/{rule_id}", access_rules.update_rule, methods=["PUT"]
        ),
        Route(
            "/endpoint/{endpoint_id}/access/{rule_id}",
            access_rules.delete_rule,
            methods=["DELETE"],
        ),
        Route("/endpoint/{endpoint_id}/role_list", roles.role_list, methods=["GET"]),
        Route("/endpoint/{endpoint_id}/role", roles.create_role, methods=["POST"]),
        Route("/endpoint/{endpoint_id}/role/{role_id}", roles.get_role, methods=["GET"]),
        Route("/endpoint/{endpoint_id}/role/{role_id}", roles.delete_role, methods=["DELETE"]),
        Route("/operation/endpoint/{endpoint_id}/ls", operations.operation_ls, methods=["GET"]),
        Route("/operation/endpoint/{endpoint_id}/stat", operations.operation_stat, methods=["GET"]),
        Route(
            "/operation/endpoint/{endpoint_id}/mkdir", operations.operation_mkdir, methods=["POST"]
        ),
        Route(
            "/operation/endpoint/{endpoint_id}/rename",
            operations.operation_rename,
            methods=["POST"],
        ),
        Route("/submission_id", submit.get_submission_id, methods=["GET"]),
        Route("/transfer", submit.submit_transfer, methods=["POST"]),
        Route("/delete", submit.submit_delete, methods=["POST"]),
        Route("/task_list", tasks.task_list, methods=["GET"]),
        Route("/task/{task_id}", tasks.get_task, methods=["GET"]),
        Route("/task/{task_id}", tasks.update_task, methods=["PUT"]),
        Route("/task/{task_id}/cancel", tasks.cancel_task, methods=["POST"]),
        Route("/task/{task_id}/event_list", tasks.task_event_list, methods=["GET"]),
        Route(
            "/task/{task_id}/successful_transfers", tasks.task_successful_transfers, methods=["GET"]
        ),
        Route("/task/{task_id}/skipped_errors", tasks.task_skipped_errors, methods=["GET"]),
        Route("/task/{task_id}/pause_info", tasks.task_pause_info, methods=["GET"]),
        Route("/bookmark_list", bookmarks.bookmark_list, methods=["GET"]),
        Route("/bookmark", bookmarks.create_bookmark, methods=["POST"]),
        Route("/bookmark/{bookmark_id}", bookmarks.get_bookmark, methods=["GET"]),
        Route("/bookmark/{bookmark_id}", bookmarks.update_bookmark, methods=["PUT"]),
        Route("/bookmark/{bookmark_id}", bookmarks.delete_bookmark, methods=["DELETE"]),
    ]


def attach_access(ctx: SimContext) -> AccessPolicy:
    """The service's access policy on ``ctx.access`` (made once, on the service database),
    handed to the Transfer engine so that its copies and deletes are checked too."""
    if ctx.access is None:
        ctx.access = AccessPolicy(ctx.world, AccessStore(ctx.db), group_members(ctx.groups))
    if ctx.transfer is not None:
        ctx.transfer.engine.access = ctx.access
    return ctx.access

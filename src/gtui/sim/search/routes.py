"""The Search v1 routes, relative to the API root (``/search/v1``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.routing import BaseRoute, Route

from gtui.sim.groups import access as group_access
from gtui.sim.search import handlers, writes

if TYPE_CHECKING:
    from gtui.sim.context import SimContext


def search_routes(ctx: SimContext) -> list[BaseRoute]:
    """Every route of the Search API this service answers (with the Search service attached
    to ``ctx.search``, on the service database)."""
    attach_service(ctx)
    index = "/index/{index_id}"
    return [
        Route("/index_list", handlers.index_list, methods=["GET"]),
        Route("/index", writes.create_index, methods=["POST"]),
        Route(index, handlers.get_index, methods=["GET"]),
        Route(index, writes.update_index, methods=["PATCH"]),
        Route(index, writes.delete_index, methods=["DELETE"]),
        Route(f"{index}/reopen", writes.reopen_index, methods=["POST"]),
        Route(f"{index}/search", handlers.get_search, methods=["GET"]),
        Route(f"{index}/search", handlers.post_search, methods=["POST"]),
        Route(f"{index}/scroll", handlers.scroll, methods=["POST"]),
        Route(f"{index}/subject", handlers.get_subject, methods=["GET"]),
        Route(f"{index}/subject", writes.delete_subject, methods=["DELETE"]),
        Route(f"{index}/entry", handlers.get_entry, methods=["GET"]),
        Route(f"{index}/entry", writes.delete_entry, methods=["DELETE"]),
        Route(f"{index}/ingest", writes.ingest, methods=["POST"]),
        Route(f"{index}/delete_by_query", writes.delete_by_query, methods=["POST"]),
        Route(f"{index}/batch_delete_by_subject", writes.batch_delete_by_subject, methods=["POST"]),
        Route(f"{index}/role_list", writes.role_list, methods=["GET"]),
        Route(f"{index}/role", writes.create_role, methods=["POST"]),
        Route(index + "/role/{role_id}", writes.delete_role, methods=["DELETE"]),
        Route("/task/{task_id}", writes.get_task, methods=["GET"]),
        Route("/task_list/{index_id}", writes.task_list, methods=["GET"]),
    ]


def attach_service(ctx: SimContext) -> None:
    """The Search service on the service database, its groups the Groups service's."""
    groups = ctx.groups

    def member_of(group_id: str, identity_id: str) -> bool:
        group = groups.groups.get(group_id)
        return group is not None and group_access.role(group, identity_id) is not None

    ctx.search.attach(ctx.db, member_of, lambda: list(groups.groups))

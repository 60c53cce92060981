"""The Search v1 routes, relative to the API root (``/search/v1``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.routing import BaseRoute, Route

from gtui.sim.search import handlers

if TYPE_CHECKING:
    from gtui.sim.context import SimContext


def search_routes(ctx: SimContext) -> list[BaseRoute]:
    """Every route of the Search API this service answers."""
    return [
        Route("/index_list", handlers.index_list),
        Route("/index/{index_id}", handlers.get_index),
        Route("/index/{index_id}/search", handlers.get_search, methods=["GET"]),
        Route("/index/{index_id}/search", handlers.post_search, methods=["POST"]),
        Route("/index/{index_id}/scroll", handlers.scroll, methods=["POST"]),
        Route("/index/{index_id}/subject", handlers.get_subject),
    ]

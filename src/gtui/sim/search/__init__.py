"""Search v1 of the embedded service: one index over the demo world's files.

Start with ``routes.py``; ``index.py`` builds the entries and ``results.py`` runs queries
(written in ``query_language.py``, refined by ``query_options.py``).
"""

from __future__ import annotations

from gtui.sim.search.index import SearchIndex
from gtui.sim.search.routes import search_routes

__all__ = ["SearchIndex", "search_routes"]

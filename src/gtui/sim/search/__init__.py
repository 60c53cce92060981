"""Search v1 of the embedded service: the demo index over the demo world's files, and indexes,
entries, roles and tasks written through the API.

Start with ``routes.py``: ``handlers.py`` reads, ``writes.py`` writes and administers, both
through ``service.py`` (every index, its roles and tasks; rows in ``store.py``, documents
checked in ``documents.py``). ``index.py`` builds the demo index's entries and ``results.py``
runs queries (written in ``query_language.py``, refined by ``query_options.py``).
"""

from __future__ import annotations

from gtui.sim.search.index import SearchIndex
from gtui.sim.search.routes import search_routes

__all__ = ["SearchIndex", "search_routes"]

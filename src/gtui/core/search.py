"""`SearchClient` for Globus Search v1 (globus-api.md §5) and the `SearchQuery` document builder.

Search paths carry their own ``/v1/``, so the client's base path is empty. ``advanced`` goes
as ``true``/``false`` in query strings. Offset paging tops out at 10,000 results; ``scroll``
(marker paging) goes beyond that.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar, Literal
from uuid import UUID

from gtui.core.errors import SearchAPIError
from gtui.core.http import ServiceClient
from gtui.core.paging import HasNextPaginator, MarkerPaginator, Paginated, has_paginator
from gtui.core.response import GlobusResponse

ID = UUID | str
FILTER_TYPES = ("match_all", "match_any", "range", "exists", "not")
SEARCH_PAGE_SIZE = 100
SEARCH_MAX_RESULTS = 10_000


def _bool_text(value: bool | None) -> str | None:
    return None if value is None else ("true" if value else "false")


class SearchQuery(dict[str, Any]):
    """A query document for ``post_search``: text plus filters, facets, boosts and sort."""

    def __init__(
        self,
        q: str | None = None,
        *,
        limit: int | None = None,
        offset: int | None = None,
        advanced: bool | None = None,
        additional_fields: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__()
        self["@version"] = "query#1.0.0"
        for key, value in (("q", q), ("limit", limit), ("offset", offset), ("advanced", advanced)):
            if value is not None:
                self[key] = value
        if additional_fields:
            self.update(additional_fields)

    def set_query(self, q: str) -> SearchQuery:
        self["q"] = q
        return self

    def set_limit(self, limit: int) -> SearchQuery:
        self["limit"] = limit
        return self

    def set_offset(self, offset: int) -> SearchQuery:
        self["offset"] = offset
        return self

    def set_advanced(self, advanced: bool) -> SearchQuery:
        self["advanced"] = advanced
        return self

    def add_filter(
        self,
        field_name: str,
        values: Iterable[Any],
        *,
        type: Literal["match_all", "match_any", "range"] = "match_all",
        additional_fields: Mapping[str, Any] | None = None,
    ) -> SearchQuery:
        """Keep results whose field matches all (or any) of ``values``, or lies in a range."""
        if type not in FILTER_TYPES:
            raise ValueError(f"Unrecognized filter type {type!r}")
        entry = {"type": type, "field_name": field_name, "values": list(values)}
        entry.update(additional_fields or {})
        self.setdefault("filters", []).append(entry)
        return self

    def add_range_filter(self, field_name: str, low: Any = "*", high: Any = "*") -> SearchQuery:
        """A ``range`` filter from ``low`` to ``high``; ``"*"`` leaves a side open."""
        return self.add_filter(field_name, [{"from": low, "to": high}], type="range")

    def add_facet(
        self,
        name: str,
        field_name: str,
        *,
        type: str = "terms",
        size: int | None = None,
        date_interval: str | None = None,
        histogram_range: tuple[Any, Any] | None = None,
        additional_fields: Mapping[str, Any] | None = None,
    ) -> SearchQuery:
        """Ask for counts per value (``terms``) or per interval (``date_histogram``...)."""
        facet: dict[str, Any] = {"name": name, "field_name": field_name, "type": type}
        if size is not None:
            facet["size"] = size
        if date_interval is not None:
            facet["date_interval"] = date_interval
        if histogram_range is not None:
            facet["histogram_range"] = {"low": histogram_range[0], "high": histogram_range[1]}
        facet.update(additional_fields or {})
        self.setdefault("facets", []).append(facet)
        return self

    def add_boost(self, field_name: str, factor: float) -> SearchQuery:
        """Weigh matches in ``field_name`` by ``factor`` (0 to 10)."""
        if not 0 <= factor <= 10:
            raise ValueError("a boost factor lies between 0 and 10")
        self.setdefault("boosts", []).append({"field_name": field_name, "factor": factor})
        return self

    def add_sort(self, field_name: str, order: Literal["asc", "desc"] = "asc") -> SearchQuery:
        if order not in ("asc", "desc"):
            raise ValueError(f"sort order must be asc or desc, not {order!r}")
        self.setdefault("sort", []).append({"field_name": field_name, "order": order})
        return self


class SearchClient(ServiceClient):
    """Async client for Globus Search v1."""

    service_name: ClassVar[str] = "search"
    base_path: ClassVar[str] = ""
    error_class: ClassVar[type[SearchAPIError]] = SearchAPIError
    paginated = Paginated()

    @has_paginator(
        HasNextPaginator,
        items_key="gmeta",
        page_size=SEARCH_PAGE_SIZE,
        max_total_results=SEARCH_MAX_RESULTS,
        page_size_key="count",
    )
    async def search(
        self,
        index_id: ID,
        q: str,
        *,
        offset: int | None = None,
        limit: int | None = None,
        advanced: bool | None = None,
        query_params: Mapping[str, Any] | None = None,
    ) -> GlobusResponse:
        """Simple text search (GET)."""
        params = dict(query_params or {})
        params.update(
            {
                k: v
                for k, v in {
                    "q": q,
                    "offset": offset,
                    "limit": limit,
                    "advanced": _bool_text(advanced),
                }.items()
                if v is not None
            }
        )
        return await self.get(f"v1/index/{index_id}/search", query_params=params)

    @has_paginator(
        HasNextPaginator,
        items_key="gmeta",
        page_size=SEARCH_PAGE_SIZE,
        max_total_results=SEARCH_MAX_RESULTS,
        page_size_key="count",
    )
    async def post_search(
        self,
        index_id: ID,
        data: Mapping[str, Any],
        *,
        offset: int | None = None,
        limit: int | None = None,
    ) -> GlobusResponse:
        """Search with a query document; ``offset``/``limit`` override the document's."""
        body = dict(data)
        if offset is not None:
            body["offset"] = offset
        if limit is not None:
            body["limit"] = limit
        return await self.post(f"v1/index/{index_id}/search", data=body)

    @has_paginator(MarkerPaginator, items_key="gmeta")
    async def scroll(
        self, index_id: ID, data: Mapping[str, Any], *, marker: str | None = None
    ) -> GlobusResponse:
        """Marker-paged search over every result, past the 10,000 offset paging allows."""
        body = dict(data)
        if marker is not None:
            body["marker"] = marker
        return await self.post(f"v1/index/{index_id}/scroll", data=body)

    async def get_index(self, index_id: ID) -> GlobusResponse:
        return await self.get(f"v1/index/{index_id}")

    async def index_list(self) -> GlobusResponse:
        return await self.get("v1/index_list")

    async def get_subject(self, index_id: ID, subject: str) -> GlobusResponse:
        return await self.get(f"v1/index/{index_id}/subject", query_params={"subject": subject})

    async def get_entry(
        self, index_id: ID, subject: str, *, entry_id: str | None = None
    ) -> GlobusResponse:
        params = {"subject": subject, "entry_id": entry_id}
        return await self.get(f"v1/index/{index_id}/entry", query_params=params)

"""Running a query over the index's entries: matching, ranking, facets, pages and scrolling.

Entries are the index's documents (subject, content, visible_to); an identity only ever
sees the entries visible to it, and each hit is answered as a ``GMetaResult``.
"""

from __future__ import annotations

import base64
from typing import Any

from gtui.sim.search.query_language import QuerySyntaxError, advanced_query, simple_query
from gtui.sim.search.query_options import (
    MAX_LIMIT,
    SearchRequestError,
    boost,
    facet,
    int_param,
    list_param,
    paging,
    sort_hits,
    value_filter,
)

Entry = dict[str, Any]
Hit = tuple[float, Entry]


def is_visible(entry: Entry, identity_id: str) -> bool:
    """Whether ``identity_id`` may see the entry (public entries: everyone)."""
    return (
        "public" in entry["visible_to"]
        or f"urn:globus:auth:identity:{identity_id}" in entry["visible_to"]
    )


def gmeta(entry: Entry, identity_id: str) -> dict[str, Any]:
    """The entry as one ``GMetaResult`` of an answer to ``identity_id``."""
    principals = (
        ["public"]
        if "public" in entry["visible_to"]
        else [f"urn:globus:auth:identity:{identity_id}"]
    )
    return {
        "@datatype": "GMetaResult",
        "@version": "2019-08-27",
        "subject": entry["subject"],
        "entries": [
            {"content": entry["content"], "entry_id": None, "matched_principal_sets": principals}
        ],
    }


def ranked_hits(
    entries: list[Entry], identity_id: str, query: dict[str, Any]
) -> tuple[list[Hit], list[dict[str, Any]] | None]:
    """The visible entries matching the query, ranked and sorted, with facet results."""
    q = query.get("q", "*")
    if not isinstance(q, str):
        raise SearchRequestError("q must be a string")
    try:
        predicate = advanced_query(q) if query.get("advanced") else simple_query(q)
    except QuerySyntaxError as exc:
        raise SearchRequestError(f"Invalid query: {exc}") from None
    filters = [value_filter(f) for f in list_param(query, "filters")]
    boosts = [boost(b) for b in list_param(query, "boosts")]
    hits: list[Hit] = []
    for entry in entries:
        if not is_visible(entry, identity_id):
            continue
        content = entry["content"]
        score = predicate(content)
        if score <= 0 or not all(f(content) for f in filters):
            continue
        for field_name, factor in boosts:
            if field_name in content and predicate({field_name: content[field_name]}) > 0:
                score *= factor
        hits.append((score, entry))
    hits.sort(key=lambda h: (-h[0], h[1]["subject"]))
    for rule in reversed(list_param(query, "sort")):
        hits = sort_hits(hits, rule)
    facet_specs = list_param(query, "facets")
    facets = [facet(f, [e["content"] for _, e in hits]) for f in facet_specs] or None
    post_filters = [value_filter(f) for f in list_param(query, "post_facet_filters")]
    if post_filters:
        hits = [h for h in hits if all(f(h[1]["content"]) for f in post_filters)]
    return hits, facets


def search_page(entries: list[Entry], identity_id: str, query: dict[str, Any]) -> dict[str, Any]:
    """One page of results (``offset`` + ``limit``, at most 10,000 deep), as a GSearchResult."""
    offset, limit = paging(query)
    hits, facets = ranked_hits(entries, identity_id, query)
    page = hits[offset : offset + limit]
    result: dict[str, Any] = {
        "@datatype": "GSearchResult",
        "@version": "2017-09-01",
        "count": len(page),
        "total": len(hits),
        "offset": offset,
        "has_next_page": offset + len(page) < min(len(hits), MAX_LIMIT),
        "gmeta": [gmeta(e, identity_id) for _, e in page],
    }
    if facets is not None:
        result["facet_results"] = facets
    return result


def scroll_page(entries: list[Entry], identity_id: str, query: dict[str, Any]) -> dict[str, Any]:
    """The page after an opaque ``marker`` (no 10,000 cap), and the marker of the next one."""
    limit = int_param(query.get("limit"), "limit", 10)
    if not 0 < limit <= MAX_LIMIT:
        raise SearchRequestError(f"limit must be between 1 and {MAX_LIMIT}")
    start = _decode_marker(query.get("marker"))
    hits, _ = ranked_hits(entries, identity_id, {k: v for k, v in query.items() if k != "facets"})
    page = hits[start : start + limit]
    more = start + len(page) < len(hits)
    return {
        "@datatype": "GSearchResult",
        "@version": "2017-09-01",
        "count": len(page),
        "total": len(hits),
        "has_next_page": more,
        "marker": _encode_marker(start + len(page)) if more else None,
        "gmeta": [gmeta(e, identity_id) for _, e in page],
    }


def _encode_marker(position: int) -> str:
    return base64.urlsafe_b64encode(f"scroll:{position}".encode()).decode("ascii")


def _decode_marker(marker: Any) -> int:
    if marker in (None, ""):
        return 0
    try:
        text = base64.urlsafe_b64decode(str(marker).encode("ascii")).decode("ascii")
        kind, _, position = text.partition(":")
        if kind != "scroll" or int(position) < 0:
            raise ValueError(text)
        return int(position)
    except (ValueError, UnicodeError):
        raise SearchRequestError("invalid scroll marker") from None

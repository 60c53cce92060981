"""Running a query over the index's entries: matching, ranking, facets, pages and scrolling.

Entries are the index's documents (subject, entry id, content, visible_to); a caller only ever
sees the entries visible to one of its principals (``public``, its identities' and groups'
URNs; all of them when an index administrator bypasses ``visible_to``: ``None``). A subject
may have several entries: a subject matches when one of its entries does, and is answered as
one ``GMetaResult`` with every entry of it the caller may see.
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
# The principals a caller answers to; None: every entry (``bypass_visible_to``).
Principals = frozenset[str] | None


def is_visible(entry: Entry, principals: Principals) -> bool:
    """Whether a caller with these principals may see the entry."""
    return principals is None or not principals.isdisjoint(entry["visible_to"])


def gmeta(subject: str, entries: list[Entry], principals: Principals) -> dict[str, Any]:
    """A subject's entries (those the caller may see) as one ``GMetaResult``."""
    return {
        "@datatype": "GMetaResult",
        "@version": "2019-08-27",
        "subject": subject,
        "entries": [
            {
                "content": entry["content"],
                "entry_id": entry.get("entry_id"),
                "matched_principal_sets": _matched(entry, principals),
            }
            for entry in entries
        ],
    }


def _matched(entry: Entry, principals: Principals) -> list[str]:
    if principals is None:
        return []
    if "public" in entry["visible_to"]:
        return ["public"]
    return sorted(principals.intersection(entry["visible_to"]))


def _entry_order(entry: Entry) -> tuple[bool, str]:
    entry_id = entry.get("entry_id")
    return (entry_id is not None, entry_id or "")


def ranked_hits(
    entries: list[Entry], principals: Principals, query: dict[str, Any]
) -> tuple[list[Hit], list[dict[str, Any]] | None, dict[str, list[Entry]]]:
    """The subjects matching the query (each as its best matching visible entry), ranked and
    sorted, with facet results and every visible entry of each matching subject."""
    q = query.get("q", "*")
    if not isinstance(q, str):
        raise SearchRequestError("q must be a string")
    try:
        predicate = advanced_query(q) if query.get("advanced") else simple_query(q)
    except QuerySyntaxError as exc:
        raise SearchRequestError(f"Invalid query: {exc}") from None
    filters = [value_filter(f) for f in list_param(query, "filters")]
    boosts = [boost(b) for b in list_param(query, "boosts")]
    best: dict[str, Hit] = {}
    siblings: dict[str, list[Entry]] = {}
    for entry in entries:
        if not is_visible(entry, principals):
            continue
        siblings.setdefault(entry["subject"], []).append(entry)
        content = entry["content"]
        score = predicate(content)
        if score <= 0 or not all(f(content) for f in filters):
            continue
        for field_name, factor in boosts:
            if field_name in content and predicate({field_name: content[field_name]}) > 0:
                score *= factor
        found = best.get(entry["subject"])
        if found is None or score > found[0]:
            best[entry["subject"]] = (score, entry)
    hits = sorted(best.values(), key=lambda h: (-h[0], h[1]["subject"]))
    for rule in reversed(list_param(query, "sort")):
        hits = sort_hits(hits, rule)
    facet_specs = list_param(query, "facets")
    facets = [facet(f, [e["content"] for _, e in hits]) for f in facet_specs] or None
    post_filters = [value_filter(f) for f in list_param(query, "post_facet_filters")]
    if post_filters:
        hits = [h for h in hits if all(f(h[1]["content"]) for f in post_filters)]
    matched = {
        subject: sorted(siblings[subject], key=_entry_order)
        for subject in (entry["subject"] for _, entry in hits)
    }
    return hits, facets, matched


def matching_subjects(
    entries: list[Entry], principals: Principals, query: dict[str, Any]
) -> list[str]:
    """Every subject a query matches (no paging, no cap): what a delete by query removes."""
    hits, _, _ = ranked_hits(entries, principals, {**query, "facets": []})
    return [entry["subject"] for _, entry in hits]


def search_page(
    entries: list[Entry], principals: Principals, query: dict[str, Any]
) -> dict[str, Any]:
    """One page of results (``offset`` + ``limit``, at most 10,000 deep), as a GSearchResult."""
    offset, limit = paging(query)
    hits, facets, matched = ranked_hits(entries, principals, query)
    page = hits[offset : offset + limit]
    result: dict[str, Any] = {
        "@datatype": "GSearchResult",
        "@version": "2017-09-01",
        "count": len(page),
        "total": len(hits),
        "offset": offset,
        "has_next_page": offset + len(page) < min(len(hits), MAX_LIMIT),
        "gmeta": [gmeta(e["subject"], matched[e["subject"]], principals) for _, e in page],
    }
    if facets is not None:
        result["facet_results"] = facets
    return result


def scroll_page(
    entries: list[Entry], principals: Principals, query: dict[str, Any]
) -> dict[str, Any]:
    """The page after an opaque ``marker`` (no 10,000 cap), and the marker of the next one."""
    limit = int_param(query.get("limit"), "limit", 10)
    if not 0 < limit <= MAX_LIMIT:
        raise SearchRequestError(f"limit must be between 1 and {MAX_LIMIT}")
    start = _decode_marker(query.get("marker"))
    query = {k: v for k, v in query.items() if k != "facets"}
    hits, _, matched = ranked_hits(entries, principals, query)
    page = hits[start : start + limit]
    more = start + len(page) < len(hits)
    return {
        "@datatype": "GSearchResult",
        "@version": "2017-09-01",
        "count": len(page),
        "total": len(hits),
        "has_next_page": more,
        "marker": _encode_marker(start + len(page)) if more else None,
        "gmeta": [gmeta(e["subject"], matched[e["subject"]], principals) for _, e in page],
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

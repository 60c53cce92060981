"""The parts of a Search query document besides ``q``: paging, filters, facets, sort, boosts."""

from __future__ import annotations

from typing import Any

from gtui.sim.search.query_language import Predicate, match_value

MAX_LIMIT = 10_000


class SearchRequestError(ValueError):
    """A request the service answers with 400 (bad query, filter, facet or paging)."""


def boost(spec: Any) -> tuple[str, float]:
    if not isinstance(spec, dict) or not isinstance(spec.get("field_name"), str):
        raise SearchRequestError("each boost needs a field_name")
    try:
        factor = float(spec.get("factor", 1))
    except (TypeError, ValueError):
        raise SearchRequestError("boost factor must be a number") from None
    if not 0 <= factor <= 100:
        raise SearchRequestError("boost factor must be between 0 and 100")
    return spec["field_name"], factor


def list_param(query: dict[str, Any], key: str) -> list[Any]:
    value = query.get(key) or []
    if not isinstance(value, list):
        raise SearchRequestError(f"{key} must be a list")
    return value


def int_param(value: Any, name: str, default: int) -> int:
    if value is None:
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise SearchRequestError(f"{name} must be a whole number") from None
    if number < 0:
        raise SearchRequestError(f"{name} must not be negative")
    return number


def paging(query: dict[str, Any]) -> tuple[int, int]:
    offset = int_param(query.get("offset"), "offset", 0)
    limit = int_param(query.get("limit"), "limit", 10)
    if limit > MAX_LIMIT or offset + limit > MAX_LIMIT:
        raise SearchRequestError(f"offset + limit must not exceed {MAX_LIMIT}")
    return offset, limit


def field_values(content: dict[str, Any], name: str) -> list[Any]:
    value: Any = content
    for part in name.split("."):
        if not isinstance(value, dict) or part not in value:
            return []
        value = value[part]
    return value if isinstance(value, list) else [value]


def value_filter(spec: Any) -> Predicate:
    if not isinstance(spec, dict) or not isinstance(spec.get("field_name"), str):
        raise SearchRequestError("each filter needs a field_name")
    kind = spec.get("type", "match_all")
    values = spec.get("values")
    name = spec["field_name"]
    if not isinstance(values, list) or not values:
        raise SearchRequestError(f"filter on {name} needs a non-empty values list")
    if kind in ("match_all", "match_any"):
        wanted = [str(v) for v in values]
        combine = all if kind == "match_all" else any

        def matches(content: dict[str, Any]) -> float:
            stored = field_values(content, name)
            return float(combine(any(match_value(s, w) for s in stored) for w in wanted))

        return matches
    if kind == "range":
        bounds = [_bounds(v) for v in values]

        def in_range(content: dict[str, Any]) -> float:
            stored = field_values(content, name)
            return float(any(_within(s, lo, hi) for s in stored for lo, hi in bounds))

        return in_range
    raise SearchRequestError(f"unsupported filter type {kind!r}")


def _bounds(value: Any) -> tuple[Any, Any]:
    if not isinstance(value, dict) or "from" not in value or "to" not in value:
        raise SearchRequestError("range values need 'from' and 'to'")
    return value["from"], value["to"]


def _within(stored: Any, low: Any, high: Any) -> bool:
    def cmp(a: Any, b: Any) -> int:
        try:
            x, y = float(a), float(b)
        except (TypeError, ValueError):
            s, t = str(a), str(b)
            return (s > t) - (s < t)
        return (x > y) - (x < y)

    return (low == "*" or cmp(stored, low) >= 0) and (high == "*" or cmp(stored, high) <= 0)


def sort_hits(hits: list[tuple[float, dict[str, Any]]], rule: Any) -> list[tuple[float, Any]]:
    if not isinstance(rule, dict) or not isinstance(rule.get("field_name"), str):
        raise SearchRequestError("each sort needs a field_name")
    order = rule.get("order", "asc")
    if order not in ("asc", "desc"):
        raise SearchRequestError("sort order must be asc or desc")
    name = rule["field_name"]

    def key(hit: tuple[float, dict[str, Any]]) -> tuple[int, Any]:
        values = field_values(hit[1]["content"], name)
        if not values:
            return (1, "")
        value = values[0]
        return (0, value if isinstance(value, int | float) else str(value).lower())

    present = [h for h in hits if key(h)[0] == 0]
    missing = [h for h in hits if key(h)[0] == 1]
    present.sort(key=lambda h: key(h)[1], reverse=order == "desc")
    return present + missing


def facet(spec: Any, contents: list[dict[str, Any]]) -> dict[str, Any]:
    if not isinstance(spec, dict) or not isinstance(spec.get("field_name"), str):
        raise SearchRequestError("each facet needs a field_name")
    if spec.get("type", "terms") != "terms":
        raise SearchRequestError(f"unsupported facet type {spec.get('type')!r}")
    size = int_param(spec.get("size"), "facet size", 10)
    counts: dict[str, int] = {}
    for content in contents:
        for value in {str(v) for v in field_values(content, spec["field_name"]) if v is not None}:
            counts[value] = counts.get(value, 0) + 1
    buckets = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:size]
    return {
        "name": spec.get("name") or spec["field_name"],
        "buckets": [{"value": v, "count": c} for v, c in buckets],
    }

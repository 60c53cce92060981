"""Each paging style asks for the right pages and stops where the service says."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from gtui.core.paging import (
    HasNextPaginator,
    LastKeyPaginator,
    LimitOffsetTotalPaginator,
    MarkerPaginator,
    NullableMarkerPaginator,
    Paginated,
    has_paginator,
)


class FakeService:
    """Answers like a paged API over ``total`` numbered items and records every call."""

    paginated = Paginated()

    def __init__(self, total: int, *, has_next_key: bool = True) -> None:
        self.total = total
        self.calls: list[dict[str, Any]] = []
        self.has_next_key = has_next_key

    @has_paginator(LimitOffsetTotalPaginator, items_key="DATA", page_size=10, max_total_results=25)
    async def task_list(self, *, limit: int = 10, offset: int = 0, filter: str = "") -> dict:
        self.calls.append({"limit": limit, "offset": offset, "filter": filter})
        data = _numbered(offset, min(offset + limit, self.total))
        return {"DATA": data, "limit": limit, "offset": offset, "total": self.total}

    @has_paginator(HasNextPaginator, items_key="DATA", page_size=4, max_total_results=1000)
    async def endpoint_search(self, *, limit: int = 4, offset: int = 0) -> dict:
        self.calls.append({"limit": limit, "offset": offset})
        data = _numbered(offset, min(offset + limit, self.total))
        return {"DATA": data, "has_next_page": offset + limit < self.total}

    @has_paginator(NullableMarkerPaginator, items_key="DATA")
    async def task_successful_transfers(self, task_id: str, *, marker: int | None = None) -> dict:
        self.calls.append({"task_id": task_id, "marker": marker})
        start = marker or 0
        nxt = start + 3 if start + 3 < self.total else None
        return {
            "DATA": _numbered(start, min(start + 3, self.total)),
            "marker": start,
            "next_marker": nxt,
        }

    @has_paginator(MarkerPaginator, items_key="gmeta")
    async def scroll(self, index_id: str, *, marker: str | None = None) -> dict:
        self.calls.append({"marker": marker})
        start = int(marker or 0)
        end = min(start + 5, self.total)
        return {
            "gmeta": _numbered(start, end),
            "marker": str(end),
            "has_next_page": end < self.total,
        }

    @has_paginator(LastKeyPaginator, items_key="DATA")
    async def endpoint_manager_task_list(self, *, last_key: str | None = None) -> dict:
        self.calls.append({"last_key": last_key})
        start = int(last_key or 0)
        end = min(start + 2, self.total)
        return {
            "DATA": _numbered(start, end),
            "last_key": str(end),
            "has_next_page": end < self.total,
        }

    async def get_task(self, task_id: str) -> dict:
        return {"task_id": task_id}


async def _collect(iterator: Any) -> list[Any]:
    return [item async for item in iterator]


def _numbered(start: int, end: int) -> list[dict[str, int]]:
    """Items as the APIs list them: JSON objects (here numbered)."""
    return [{"n": i} for i in range(start, end)]


def _ns(items: list[Any]) -> list[int]:
    return [item["n"] for item in items]


async def test_limit_offset_total_pages_until_total_then_stops() -> None:
    service = FakeService(total=23)
    items = await _collect(service.paginated.task_list(filter="status:ACTIVE").items())
    assert _ns(items) == list(range(23))
    assert [c["offset"] for c in service.calls] == [0, 10, 20]
    assert all(c["filter"] == "status:ACTIVE" for c in service.calls)


async def test_limit_offset_total_respects_the_maximum_total() -> None:
    service = FakeService(total=100)
    items = await _collect(service.paginated.task_list().items())
    assert len(items) == 25
    assert [(c["offset"], c["limit"]) for c in service.calls] == [(0, 10), (10, 10), (20, 5)]


async def test_callers_limit_is_the_page_size() -> None:
    service = FakeService(total=12)
    pages = await _collect(service.paginated.task_list(limit=5))
    assert [len(p["DATA"]) for p in pages] == [5, 5, 2]


async def test_has_next_page_follows_offsets_until_false() -> None:
    service = FakeService(total=10)
    pages = await _collect(service.paginated.endpoint_search().pages())
    assert [_ns(p["DATA"]) for p in pages] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert [c["offset"] for c in service.calls] == [0, 4, 8]


async def test_nullable_marker_pages_until_next_marker_is_null() -> None:
    service = FakeService(total=7)
    items = await _collect(service.paginated.task_successful_transfers("t1").items())
    assert _ns(items) == list(range(7))
    assert [c["marker"] for c in service.calls] == [None, 3, 6]
    assert all(c["task_id"] == "t1" for c in service.calls)


async def test_marker_pages_until_has_next_page_is_false() -> None:
    service = FakeService(total=12)
    items = await _collect(service.paginated.scroll("idx").items())
    assert _ns(items) == list(range(12))
    assert [c["marker"] for c in service.calls] == [None, "5", "10"]


async def test_last_key_pages_until_has_next_page_is_false() -> None:
    service = FakeService(total=5)
    items = await _collect(service.paginated.endpoint_manager_task_list().items())
    assert _ns(items) == list(range(5))
    assert [c["last_key"] for c in service.calls] == [None, "2", "4"]


async def test_a_page_without_progress_ends_the_walk() -> None:
    calls = 0

    async def stuck(*, limit: int, offset: int) -> dict:
        nonlocal calls
        calls += 1
        return {"DATA": [], "has_next_page": True}

    assert (
        await _collect(
            HasNextPaginator(stuck, items_key="DATA", page_size=5, max_total_results=None).items()
        )
        == []
    )
    assert calls == 1

    async def same_marker(*, marker: str | None = None) -> dict:
        nonlocal calls
        calls += 1
        return {"DATA": [{"n": 1}], "next_marker": "m"}

    calls = 0
    assert _ns(await _collect(NullableMarkerPaginator(same_marker, items_key="DATA").items())) == [
        1,
        1,
    ]
    assert calls == 2


def test_unpaged_methods_have_no_paginator() -> None:
    service = FakeService(total=1)
    with pytest.raises(AttributeError, match="not a paginated method"):
        service.paginated.get_task("t")


async def test_an_item_that_is_not_an_object_is_a_malformed_answer() -> None:
    from gtui.core.errors import MalformedResponseError
    from gtui.core.response import GlobusResponse

    raw = httpx.Response(
        200,
        json={"DATA": [{"code": "STARTED"}, "oops"], "total": 2, "offset": 0, "limit": 10},
        request=httpx.Request("GET", "https://transfer.example/v0.10/task/T/event_list"),
    )

    async def events(*, limit: int, offset: int) -> GlobusResponse:
        return GlobusResponse(raw)

    paginator = LimitOffsetTotalPaginator(
        events, items_key="DATA", page_size=10, max_total_results=None
    )
    seen = []
    with pytest.raises(MalformedResponseError, match="is not a JSON object"):
        async for item in paginator.items():
            seen.append(item)
    assert seen == [{"code": "STARTED"}]

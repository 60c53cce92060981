"""SearchClient requests, SearchQuery documents and Search paging, through a fake service."""

from __future__ import annotations

import httpx
import pytest

from gtui.core.http import RetryPolicy
from gtui.core.models import SearchHit
from gtui.core.search import SearchClient, SearchQuery

BASE = "https://search.test/"
INDEX = "60d1160b-f016-40b0-8545-99619865873d"
SEARCH_PATH = f"/v1/index/{INDEX}/search"

ONE_RESULT = {
    "@datatype": "GSearchResult",
    "@version": "2017-09-01",
    "count": 1,
    "total": 10,
    "offset": 0,
    "has_next_page": True,
    "gmeta": [
        {
            "@datatype": "GMetaResult",
            "@version": "2019-08-27",
            "subject": "foo-bar",
            "entries": [
                {"content": {"foo": "bar"}, "entry_id": None, "matched_principal_sets": []}
            ],
        }
    ],
}


@pytest.fixture
def search(http_client: httpx.AsyncClient, no_sleep) -> SearchClient:
    return SearchClient(
        base_url=BASE, http_client=http_client, retry_policy=RetryPolicy(sleep=no_sleep)
    )


def _results(total: int, offset: int, limit: int) -> dict:
    hits = [
        {"subject": f"s{i}", "entries": [{"entry_id": None, "content": {"n": i}}]}
        for i in range(offset, min(offset + limit, total))
    ]
    return {
        "@datatype": "GSearchResult",
        "count": len(hits),
        "total": total,
        "offset": offset,
        "has_next_page": offset + len(hits) < total,
        "gmeta": hits,
    }


async def test_simple_search_sends_q_paging_and_advanced_as_text(fake_service, search) -> None:
    fake_service.route("GET", SEARCH_PATH, ONE_RESULT)
    resp = await search.search(INDEX, "ocean", offset=20, limit=5, advanced=True)
    hits = [SearchHit.from_api(g) for g in resp["gmeta"]]
    assert hits[0].subject == "foo-bar" and hits[0].content == {"foo": "bar"}
    assert dict(fake_service.requests[-1].url.params) == {
        "q": "ocean",
        "offset": "20",
        "limit": "5",
        "advanced": "true",
    }
    await search.search(INDEX, "x", advanced=False)
    assert fake_service.requests[-1].url.params["advanced"] == "false"


async def test_search_pages_by_count_until_has_next_page_is_false(fake_service, search) -> None:
    fake_service.route(
        "GET",
        SEARCH_PATH,
        lambda r: httpx.Response(
            200, json=_results(250, int(r.url.params["offset"]), int(r.url.params["limit"]))
        ),
    )
    subjects = [h["subject"] async for h in search.paginated.search(INDEX, "*").items()]
    assert len(subjects) == 250 and subjects[-1] == "s249"
    assert [r.url.params["offset"] for r in fake_service.requests] == ["0", "100", "200"]


async def test_search_paging_stops_at_ten_thousand_results(fake_service, search) -> None:
    fake_service.route(
        "GET",
        SEARCH_PATH,
        lambda r: httpx.Response(
            200, json=_results(50_000, int(r.url.params["offset"]), int(r.url.params["limit"]))
        ),
    )
    count = 0
    async for page in search.paginated.search(INDEX, "*", limit=1000):
        count += page["count"]
    assert count == 10_000
    last = fake_service.requests[-1].url.params
    assert int(last["offset"]) + int(last["limit"]) == 10_000


def test_search_query_document() -> None:
    query = (
        SearchQuery("ocean", limit=10, advanced=False)
        .add_filter("path.to.f", ["a"])
        .add_filter("tags", ["x", "y"], type="match_any")
        .add_range_filter("path.to.date", high="2014-11-07")
        .add_facet("Tags", "tags", size=5)
        .add_facet("Pub Date", "path.to.date", type="date_histogram", date_interval="year")
        .add_boost("title", 2.5)
        .add_sort("path.to.date", "desc")
    )
    assert query == {
        "@version": "query#1.0.0",
        "q": "ocean",
        "limit": 10,
        "advanced": False,
        "filters": [
            {"type": "match_all", "field_name": "path.to.f", "values": ["a"]},
            {"type": "match_any", "field_name": "tags", "values": ["x", "y"]},
            {
                "type": "range",
                "field_name": "path.to.date",
                "values": [{"from": "*", "to": "2014-11-07"}],
            },
        ],
        "facets": [
            {"name": "Tags", "field_name": "tags", "type": "terms", "size": 5},
            {
                "name": "Pub Date",
                "field_name": "path.to.date",
                "type": "date_histogram",
                "date_interval": "year",
            },
        ],
        "boosts": [{"field_name": "title", "factor": 2.5}],
        "sort": [{"field_name": "path.to.date", "order": "desc"}],
    }
    with pytest.raises(ValueError):
        SearchQuery("x").add_sort("f", "up")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        SearchQuery("x").add_boost("f", 11)


async def test_post_search_sends_the_document_and_pages(fake_service, search) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        body = fake_service.body(request)
        return httpx.Response(200, json=_results(150, body["offset"], body["limit"]))

    fake_service.route("POST", SEARCH_PATH, answer)
    query = SearchQuery("ocean").add_filter("kind", ["buoy"])
    items = [h async for h in search.paginated.post_search(INDEX, query).items()]
    assert len(items) == 150
    bodies = [fake_service.body(r) for r in fake_service.requests]
    assert [b["offset"] for b in bodies] == [0, 100]
    assert all(b["filters"][0]["values"] == ["buoy"] and b["q"] == "ocean" for b in bodies)
    assert "offset" not in query


async def test_scroll_follows_markers(fake_service, search) -> None:
    pages = {
        None: {"gmeta": [{"subject": "a"}], "marker": "m1", "has_next_page": True},
        "m1": {"gmeta": [{"subject": "b"}], "marker": "m2", "has_next_page": False},
    }
    fake_service.route(
        "POST",
        f"/v1/index/{INDEX}/scroll",
        lambda r: httpx.Response(200, json=pages[fake_service.body(r).get("marker")]),
    )
    subjects = [
        h["subject"] async for h in search.paginated.scroll(INDEX, {"q": "*", "limit": 1}).items()
    ]
    assert subjects == ["a", "b"]


async def test_index_subject_and_entry_calls(fake_service, search) -> None:
    fake_service.route(
        "GET", f"/v1/index/{INDEX}", {"id": INDEX, "display_name": "Demo index", "status": "open"}
    )
    fake_service.route(
        "GET", "/v1/index_list", {"index_list": [{"id": INDEX, "display_name": "Demo index"}]}
    )
    fake_service.route(
        "GET",
        f"/v1/index/{INDEX}/subject",
        {"subject": "foo-bar", "entries": [{"content": {"foo": "bar"}}]},
    )
    fake_service.route(
        "GET", f"/v1/index/{INDEX}/entry", {"subject": "foo-bar", "entry_id": "e1", "content": {}}
    )
    assert (await search.get_index(INDEX))["display_name"] == "Demo index"
    assert (await search.index_list())["index_list"][0]["id"] == INDEX
    assert (await search.get_subject(INDEX, "foo-bar"))["subject"] == "foo-bar"
    assert fake_service.requests[-1].url.params["subject"] == "foo-bar"
    await search.get_entry(INDEX, "foo-bar", entry_id="e1")
    assert dict(fake_service.requests[-1].url.params) == {"subject": "foo-bar", "entry_id": "e1"}

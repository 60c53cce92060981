"""Search v1 of the embedded service, driven by the official SDK."""

from __future__ import annotations

from collections.abc import Iterator

import globus_sdk
import pytest

from gtui.sim.serve import RunningSim, start_in_thread
from gtui.sim.world import ARCHIVE_ID, DEMO_INDEX_ID, LAPTOP_ID, SCRATCH_ID


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSim]:
    """One service for the whole module: searching never changes the index."""
    running = start_in_thread(tmp_path_factory.mktemp("search-world"))
    yield running
    running.stop()


def subjects(result: globus_sdk.GlobusHTTPResponse) -> list[str]:
    return [g["subject"] for g in result["gmeta"]]


def contents(result: globus_sdk.GlobusHTTPResponse) -> list[dict]:
    return [g["entries"][0]["content"] for g in result["gmeta"]]


def test_simple_search_finds_files_by_word(sdk_search_client: globus_sdk.SearchClient) -> None:
    result = sdk_search_client.search(DEMO_INDEX_ID, "ocean", limit=50)
    names = {c["name"] for c in contents(result)}
    assert "ocean_temperature_2025.h5" in names
    assert result["@datatype"] == "GSearchResult"
    assert result["count"] == len(result["gmeta"]) == result["total"]
    assert all(s.startswith("globus://") for s in subjects(result))


def test_star_matches_everything_and_pages_have_next_page(
    sdk_search_client: globus_sdk.SearchClient,
) -> None:
    first = sdk_search_client.search(DEMO_INDEX_ID, "*", limit=10)
    assert first["has_next_page"] is True
    assert first["count"] == 10
    total = first["total"]
    assert total > 50
    seen: list[str] = []
    for page in sdk_search_client.paginated.search(DEMO_INDEX_ID, "*", limit=25):
        seen.extend(subjects(page))
    assert len(seen) == total == len(set(seen))


def test_post_search_with_filters_facets_and_sort(
    sdk_search_client: globus_sdk.SearchClient,
) -> None:
    query = globus_sdk.SearchQueryV1(
        q="*",
        limit=100,
        filters=[
            {"type": "match_all", "field_name": "collection_id", "values": [SCRATCH_ID]},
            {"type": "range", "field_name": "size", "values": [{"from": 100_000, "to": "*"}]},
        ],
        facets=[{"name": "By extension", "field_name": "extension", "type": "terms"}],
        sort=[{"field_name": "size", "order": "desc"}],
    )
    result = sdk_search_client.post_search(DEMO_INDEX_ID, query)
    found = contents(result)
    assert found, "expected large files on the scratch collection"
    assert {c["collection_id"] for c in found} == {SCRATCH_ID}
    sizes = [c["size"] for c in found]
    assert sizes == sorted(sizes, reverse=True)
    assert min(sizes) >= 100_000
    (facet,) = result["facet_results"]
    assert facet["name"] == "By extension"
    assert sum(b["count"] for b in facet["buckets"]) == result["total"]
    assert {"dat", "h5"} <= {b["value"] for b in facet["buckets"]}


def test_post_facet_filters_narrow_hits_but_not_facets(
    sdk_search_client: globus_sdk.SearchClient,
) -> None:
    query = {
        "q": "*",
        "limit": 500,
        "facets": [{"field_name": "collection_id"}],
        "post_facet_filters": [{"field_name": "collection_id", "values": [ARCHIVE_ID]}],
    }
    result = sdk_search_client.post_search(DEMO_INDEX_ID, query)
    assert {c["collection_id"] for c in contents(result)} == {ARCHIVE_ID}
    buckets = result["facet_results"][0]["buckets"]
    assert len(buckets) == 4
    assert sum(b["count"] for b in buckets) > result["total"]


def test_scroll_walks_every_result_with_markers(
    sdk_search_client: globus_sdk.SearchClient,
) -> None:
    total = sdk_search_client.search(DEMO_INDEX_ID, "*", limit=1)["total"]
    seen: list[str] = []
    pages = list(sdk_search_client.paginated.scroll(DEMO_INDEX_ID, {"q": "*", "limit": 40}))
    for page in pages:
        seen.extend(subjects(page))
    assert len(pages) == -(-total // 40)
    assert pages[-1]["marker"] is None
    assert len(seen) == len(set(seen)) == total


def test_boosts_rank_matches_in_the_boosted_field_first(
    sdk_search_client: globus_sdk.SearchClient,
) -> None:
    query = {"q": "climate", "limit": 100, "boosts": [{"field_name": "name", "factor": 10}]}
    plain = contents(sdk_search_client.post_search(DEMO_INDEX_ID, {"q": "climate", "limit": 100}))
    boosted = contents(sdk_search_client.post_search(DEMO_INDEX_ID, query))
    assert sorted(c["path"] for c in plain) == sorted(c["path"] for c in boosted)
    named = ["climate" in c["name"].lower() for c in boosted]
    assert named == sorted(named, reverse=True)


def test_match_any_filter(sdk_search_client: globus_sdk.SearchClient) -> None:
    query = globus_sdk.SearchQueryV1(
        q="*",
        limit=200,
        filters=[{"type": "match_any", "field_name": "extension", "values": ["csv", "md"]}],
    )
    result = sdk_search_client.post_search(DEMO_INDEX_ID, query)
    assert {c["extension"] for c in contents(result)} == {"csv", "md"}


def test_advanced_field_queries(sdk_search_client: globus_sdk.SearchClient) -> None:
    result = sdk_search_client.search(
        DEMO_INDEX_ID, 'project:"climate-model" AND extension:csv', advanced=True, limit=100
    )
    found = contents(result)
    assert found
    assert all(c["project"] == "climate-model" and c["extension"] == "csv" for c in found)
    bigger = sdk_search_client.search(DEMO_INDEX_ID, "size:>10000000", advanced=True)
    assert {c["name"] for c in contents(bigger)} == {
        "run_001.nc",
        "ocean_temperature_2025.h5",
        "plate_01.tif",
        "plate_02.tif",
        "sample_A_R1.fastq.gz",
        "sample_A_R2.fastq.gz",
    }
    either = sdk_search_client.search(
        DEMO_INDEX_ID, f"collection_id:{ARCHIVE_ID} OR name:run_001.nc", advanced=True, limit=100
    )
    assert "run_001.nc" in {c["name"] for c in contents(either)}
    assert ARCHIVE_ID in {c["collection_id"] for c in contents(either)}


def test_non_ascii_names_are_searchable(sdk_search_client: globus_sdk.SearchClient) -> None:
    result = sdk_search_client.search(DEMO_INDEX_ID, "café")
    assert "notes café.txt" in {c["name"] for c in contents(result)}


@pytest.mark.parametrize("query", ['name:"unterminated', "(size:>1", "AND name:x", "name:"])
def test_malformed_advanced_query_is_400(
    sdk_search_client: globus_sdk.SearchClient, query: str
) -> None:
    with pytest.raises(globus_sdk.SearchAPIError) as caught:
        sdk_search_client.search(DEMO_INDEX_ID, query, advanced=True)
    assert caught.value.http_status == 400


def test_bad_filter_type_is_400(sdk_search_client: globus_sdk.SearchClient) -> None:
    query = {"q": "*", "filters": [{"type": "nonsense", "field_name": "x", "values": ["y"]}]}
    with pytest.raises(globus_sdk.SearchAPIError) as caught:
        sdk_search_client.post_search(DEMO_INDEX_ID, query)
    assert caught.value.http_status == 400


def test_index_info_and_list(sdk_search_client: globus_sdk.SearchClient) -> None:
    info = sdk_search_client.get_index(DEMO_INDEX_ID)
    assert info["id"] == DEMO_INDEX_ID
    assert info["num_subjects"] > 50
    listed = sdk_search_client.index_list()
    assert [i["id"] for i in listed] == [DEMO_INDEX_ID]
    with pytest.raises(globus_sdk.SearchAPIError) as caught:
        sdk_search_client.get_index("00000000-0000-0000-0000-000000000000")
    assert caught.value.http_status == 404


def test_results_carry_a_title_and_a_preview(sdk_search_client: globus_sdk.SearchClient) -> None:
    result = sdk_search_client.search(
        DEMO_INDEX_ID, 'name:"README.md" AND project:"climate-model"', advanced=True
    )
    (content,) = contents(result)
    assert content["title"] == "Climate model"
    assert content["text"].startswith("# Climate model")
    assert content["path"] == "/home/demo/projects/climate-model/README.md"


def test_get_subject(sdk_search_client: globus_sdk.SearchClient) -> None:
    first = sdk_search_client.search(DEMO_INDEX_ID, "ocean")["gmeta"][0]["subject"]
    subject = sdk_search_client.get_subject(DEMO_INDEX_ID, first)
    assert subject["subject"] == first


def test_entries_follow_collection_visibility(
    sim_env: dict, demo_user_tokens: dict[str, str], other_user_tokens: dict[str, str]
) -> None:
    def laptop_hits(tokens: dict[str, str]) -> int:
        client = globus_sdk.SearchClient(
            authorizer=globus_sdk.AccessTokenAuthorizer(tokens["search.api.globus.org"])
        )
        query = globus_sdk.SearchQueryV1(
            q="*", filters=[{"field_name": "collection_id", "values": [LAPTOP_ID]}]
        )
        return client.post_search(DEMO_INDEX_ID, query)["total"]

    assert laptop_hits(demo_user_tokens) > 0
    assert laptop_hits(other_user_tokens) == 0


def test_search_needs_a_search_token(sim_env: dict, demo_user_tokens: dict[str, str]) -> None:
    client = globus_sdk.SearchClient(
        authorizer=globus_sdk.AccessTokenAuthorizer(demo_user_tokens["groups.api.globus.org"])
    )
    with pytest.raises(globus_sdk.SearchAPIError) as caught:
        client.search(DEMO_INDEX_ID, "*")
    assert caught.value.http_status == 401

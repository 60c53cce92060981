"""The columnar listing gives the same entries and the same orders as plain ``FileEntry`` lists."""

from __future__ import annotations

import random
from typing import Any

import pytest

from gtui.core.models import FileEntry
from gtui.tui import sliced
from gtui.tui.arrange import SORT_KEYS, arrange, count_folders
from gtui.tui.listing import Listing, entry_names


@pytest.fixture(autouse=True)
def small_slices(monkeypatch: pytest.MonkeyPatch) -> None:
    # Orders are sorted in slices of 7 here, so the slicing and merging are what is compared.
    monkeypatch.setattr(sliced, "SLICE", 7)
    monkeypatch.setattr(sliced, "FLAG_SLICE", 5)


def documents(count: int, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    docs: list[dict[str, Any]] = []
    for i in range(count):
        kind = rng.choice(("dir", "file", "file", "file"))
        name = rng.choice(("Data", "data", ".hidden", "résumé", "Zeta", "alpha")) + f"_{i}"
        doc: dict[str, Any] = {
            "DATA_TYPE": "file",
            "name": name,
            "type": kind,
            "size": rng.choice((0, 17, 4096, 2**40)),
            "permissions": rng.choice(("0644", "0755")),
            "user": "demo",
            "group": "demo",
            "last_modified": f"2026-0{rng.randint(1, 9)}-1{rng.randint(0, 9)} 10:00:00+00:00",
            "link_target": None,
            "link_user": None,
            "link_group": None,
            "link_size": None,
            "link_last_modified": None,
        }
        if i % 11 == 0:
            doc.update(
                link_target=f"/elsewhere/{i}",
                link_user="demo",
                link_group="demo",
                link_size=12,
                link_last_modified="2025-01-01 00:00:00+00:00",
            )
        docs.append(doc)
    return docs


def test_rows_are_the_entries_from_api_would_make() -> None:
    docs = documents(200)
    listing = Listing(docs, parent_path="/home/demo/")
    expected = [FileEntry.from_api(doc, parent_path="/home/demo/") for doc in docs]
    assert list(listing) == expected
    assert listing[-1] == expected[-1]
    assert listing[3:6] == expected[3:6]
    assert list(entry_names(listing)) == [e.name for e in expected]
    with pytest.raises(IndexError):
        listing[len(docs)]


@pytest.mark.parametrize("sort_key", SORT_KEYS)
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("show_hidden", [False, True])
@pytest.mark.parametrize("filter_text", ["", "DATA", "*_1?", "é"])
def test_orders_match_the_plain_arrangement(
    sort_key: str, reverse: bool, show_hidden: bool, filter_text: str
) -> None:
    docs = documents(300)
    plain = [FileEntry.from_api(doc) for doc in docs]
    options = {
        "sort_key": sort_key,
        "reverse": reverse,
        "filter_text": filter_text,
        "show_hidden": show_hidden,
    }
    view = arrange(Listing(docs), **options)
    assert list(view) == list(arrange(plain, **options))
    assert count_folders(Listing(docs), view) == count_folders(plain, view)


@pytest.mark.parametrize("sort_key", SORT_KEYS)
def test_pages_joining_give_the_order_of_the_whole(sort_key: str) -> None:
    """A listing grown page by page orders and filters as if it had come in one answer, even
    with an order cached (and sorted) before a page joined."""
    docs = documents(300)
    whole = Listing(docs)
    grown = Listing(docs[:100])
    for start in (100, 200):
        arrange(grown, sort_key=sort_key, filter_text="a")  # cached for the shorter listing
        page = Listing(docs[start : start + 100])
        grown.add(page.columns)
    for filter_text in ("", "a", "*_1?"):
        options = {"sort_key": sort_key, "filter_text": filter_text}
        assert list(arrange(grown, **options)) == list(arrange(whole, **options))
    assert list(grown) == list(whole)


def test_documents_with_missing_or_odd_fields_still_make_rows() -> None:
    docs: list[Any] = [
        {"name": "bare"},
        {"name": 5, "type": None, "size": "big", "link_size": "12", "link_target": "/x"},
        {"name": "half", "size": 3.0, "last_modified": "yesterday"},
        "junk",
    ]
    listing = Listing(docs)
    assert len(listing) == 3
    expected = [FileEntry.from_api(doc) for doc in docs[:3]]
    assert list(listing) == expected
    assert [(e.name, e.type, e.size) for e in listing] == [
        ("bare", "file", 0),
        ("", "file", 0),
        ("half", "file", 3),
    ]


def test_a_page_with_other_owners_keeps_each_entrys_own() -> None:
    """Each page codes its owners in its own table; joining translates the codes."""
    first = Listing([{"name": "a", "user": "ann"}, {"name": "b", "user": "bob"}])
    second = Listing([{"name": "c", "user": "bob"}, {"name": "d", "user": "cy"}, {"name": "e"}])
    first.add(second.columns)
    assert [(e.name, e.user) for e in first] == [
        ("a", "ann"),
        ("b", "bob"),
        ("c", "bob"),
        ("d", "cy"),
        ("e", None),
    ]

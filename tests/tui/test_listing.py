"""The columnar listing gives the same entries and the same orders as plain ``FileEntry`` lists."""

from __future__ import annotations

import random
from typing import Any

import pytest

from gtui.core.models import FileEntry
from gtui.tui.arrange import SORT_KEYS, arrange, count_folders
from gtui.tui.listing import Listing, entry_names


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


@pytest.mark.parametrize("compact", [False, True])
def test_rows_are_the_entries_from_api_would_make(compact: bool) -> None:
    docs = documents(200)
    listing = Listing(docs, parent_path="/home/demo/")
    if compact:
        listing.compact()
        assert listing.compacted
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
    assert view == arrange(plain, **options)
    assert count_folders(Listing(docs), view) == count_folders(plain, view)


def test_compacting_lets_go_of_the_documents_and_keeps_the_cached_orders_right() -> None:
    docs = documents(50)
    listing = Listing(docs)
    before = arrange(listing, filter_text="data")
    listing.compact()
    listing.compact()
    assert arrange(listing, filter_text="data") == before
    docs.clear()
    assert [entry.name for entry in listing] == list(listing.names)
    assert all(isinstance(entry, FileEntry) for entry in listing)


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
    listing.compact()
    assert list(listing) == expected
    assert [(e.name, e.type, e.size) for e in listing] == [
        ("bare", "file", 0),
        ("", "file", 0),
        ("half", "file", 3),
    ]

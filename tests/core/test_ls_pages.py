"""A folder's listing decoded a slice at a time gives exactly what parsing it whole gives, for
any JSON layout and any names; and the pages add up to the whole folder at every boundary."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gtui.core import ls_pages
from gtui.core.errors import MalformedResponseError, TransferAPIError
from gtui.core.file_columns import FileColumns
from gtui.core.ls_pages import decode_ls_page
from gtui.core.ls_pages import ls_pages as pages_of
from gtui.core.models import FileEntry


def entry(name: str, **fields: Any) -> dict[str, Any]:
    doc = {
        "DATA_TYPE": "file",
        "name": name,
        "type": "file",
        "size": 12,
        "last_modified": "2026-11-22 09:30:00+00:00",
        "permissions": "0644",
        "user": "demo",
        "group": "demo",
        "link_target": None,
    }
    doc.update(fields)
    return doc


def answer(entries: list[dict[str, Any]], **dump: Any) -> bytes:
    doc = {
        "DATA_TYPE": "file_list",
        "path": "/~/x/",
        "length": len(entries),
        "total": len(entries),
        "DATA": entries,
    }
    return json.dumps(doc, **dump).encode()


def rows(columns: FileColumns) -> list[FileEntry]:
    return [columns.entry(i) for i in range(len(columns))]


def whole(content: bytes) -> list[FileEntry]:
    return [FileEntry.from_api(doc) for doc in json.loads(content)["DATA"]]


@pytest.fixture(autouse=True)
def _small_slices(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ls_pages, "SLICE_BYTES", 200)


@pytest.mark.parametrize(
    "dump", [{}, {"indent": 2}, {"separators": (",", ":")}], ids=["spaced", "pretty", "compact"]
)
def test_slices_decode_like_the_whole(dump: dict[str, Any]) -> None:
    entries = [entry(f"file_{i:03d}.dat", size=i) for i in range(50)]
    entries.append(entry("a dir", type="dir"))
    entries.append(entry("link", link_target="/elsewhere", link_size=3))
    content = answer(entries, **dump)
    page = decode_ls_page(content)
    assert rows(page.columns) == whole(content)
    assert page.path == "/~/x/" and page.total == 52


@given(
    st.lists(
        st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12),
        min_size=0,
        max_size=40,
    )
)
@settings(max_examples=60, deadline=None)
def test_any_names_decode_like_the_whole(names: list[str]) -> None:
    """Names holding the very separators the slicer looks for ("},{", "}]") still come out
    right: a cut inside a string cannot parse, so the page is parsed whole instead."""
    entries = [entry(name + suffix) for name in names for suffix in ("", "},{", '"}]', "}\n,\n{")]
    content = answer(entries)
    assert rows(decode_ls_page(content).columns) == whole(content)


def test_data_anywhere_in_the_document_and_an_empty_folder() -> None:
    first = b'{"DATA":[],"DATA_TYPE":"file_list","path":"/e/","total":0,"length":0}'
    page = decode_ls_page(first)
    assert len(page.columns) == 0 and page.path == "/e/" and page.total == 0
    last = b'{"path":"/~/","total":2,"length":2,"DATA":[{"name":"a"},{"name":"b"}]}'
    assert decode_ls_page(last).columns.names == ["a", "b"]


def test_a_listing_that_is_not_json_is_a_malformed_answer() -> None:
    with pytest.raises(MalformedResponseError):
        decode_ls_page(b"<html>proxy error</html>")
    with pytest.raises(MalformedResponseError):
        decode_ls_page(b'{"DATA": "nope"}')


class ServiceLike:
    """Answers ``ls`` with pages of a folder of ``count`` files, as Transfer pages them."""

    def __init__(self, count: int, cap: int) -> None:
        self.names = [f"f{i:06d}" for i in range(count)]
        self.cap = cap
        self.asked: list[tuple[int, int]] = []

    error_class = TransferAPIError

    async def send(self, method: str, path: str, *, query_params: Any = None) -> httpx.Response:
        offset, limit = int(query_params["offset"]), min(int(query_params["limit"]), self.cap)
        self.asked.append((offset, limit))
        page = [entry(n) for n in self.names[offset : offset + limit]]
        doc = {"path": "/big/", "total": len(self.names), "length": len(page), "DATA": page}
        return httpx.Response(200, content=json.dumps(doc).encode())


@pytest.mark.parametrize("count", [0, 1, 999, 1000, 1001, 2000, 2001, 4500])
async def test_pages_add_up_to_the_folder_at_every_boundary(count: int) -> None:
    service = ServiceLike(count, cap=1000)
    got: list[str] = []
    async for page in pages_of(service, "e", "/big/", first_page=10, page_limit=1000):
        assert page.total == count
        assert page.offset == len(got)
        got.extend(page.columns.names)
    assert got == service.names
    assert service.asked[0] == (0, 10)

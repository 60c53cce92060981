"""A folder listed whole, page after page, each page decoded off the event loop in slices.

Transfer answers at most 100,000 entries per ``ls`` call (``limit`` defaults to and is capped at
100,000; ``offset`` pages; ``total`` says how many there are), so a bigger folder needs several
calls — and every page makes Transfer list the whole folder again. The first page asked for is
small, so its rows can be shown at once; the others are as big as Transfer allows.

A 100,000-entry page is ~29 MB of JSON. Parsed in one ``orjson.loads`` it holds the
interpreter for ~0.16 s (the app's loop stalls that long, even from a thread) and makes
100,000 dicts (~115 MB) at once. ``decode_ls_page`` cuts the ``DATA`` array at the boundaries
between its objects and parses ~64 kB at a time into columns (``FileColumns``): measured on
that page, 0.07 s in all, the interpreter held 0.5 ms at most, 10 MB kept (msgspec into
structs: 0.06 s but 44 ms held and 54 MB kept; whole-page orjson: 0.21 s, 162 ms, 117 MB).
A cut inside a string would leave an unterminated string, which the parser refuses; any such
refusal, or a count that does not add up, falls back to parsing the page whole.
"""

from __future__ import annotations

import re
from collections.abc import AsyncGenerator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import httpx
import orjson

from gtui.core.cpu_work import run_cpu
from gtui.core.errors import GlobusAPIError, MalformedResponseError, looks_like_error_document
from gtui.core.file_columns import FileColumns
from gtui.core.http import malformed_error, unparsable_reason

FIRST_PAGE = 1_000
PAGE_LIMIT = 100_000
SLICE_BYTES = 64 * 1024

_DATA = re.compile(rb'"DATA"\s*:\s*\[')
_BETWEEN = re.compile(rb"\}\s*,\s*\{")
_END = re.compile(rb"\}\s*\]")
_EMPTY_END = re.compile(rb"\s*\]")


class LsSender(Protocol):
    """What ``ls_pages`` needs of a Transfer client: one request, the answer unparsed, and
    the class its errors take."""

    @property
    def error_class(self) -> type[GlobusAPIError]: ...

    async def send(
        self, method: str, path: str, *, query_params: Mapping[str, Any] | None = None
    ) -> httpx.Response: ...


@dataclass
class LsPage:
    """One answer of ``ls``: where it is, how many entries the folder has, this page's rows."""

    path: str | None
    total: int
    offset: int
    columns: FileColumns


class _Unsliceable(ValueError):
    """The page cannot be cut safely; parse it whole."""


def decode_ls_page(
    content: bytes,
    response: httpx.Response | None = None,
    error_class: type[GlobusAPIError] = GlobusAPIError,
) -> LsPage:
    """Decode one ``ls`` answer into columns, a slice at a time (see the module's note).

    An answer that is not a listing (not JSON, an error document despite its success
    status, no ``DATA`` list of objects) raises ``MalformedResponseError`` (also an
    ``error_class``), as any other Transfer answer would.
    """
    try:
        head, columns = _sliced(content)
    except (_Unsliceable, orjson.JSONDecodeError):
        head, columns = _whole(content, _Answer(response, error_class))
    return _page(head, columns)


def _sliced(content: bytes) -> tuple[dict[str, Any], FileColumns]:
    found = _DATA.search(content)
    if found is None:
        raise _Unsliceable("no DATA array")
    start = found.end()
    columns = FileColumns()
    empty = _EMPTY_END.match(content, start)
    if empty is not None:
        head = orjson.loads(content[: found.start()] + b'"DATA":[]' + content[empty.end() :])
        return _checked(head), columns
    position = start
    while True:
        cut = _BETWEEN.search(content, position + SLICE_BYTES)
        if cut is not None:
            end = cut.start() + 1
        else:
            last = _END.search(content, position)
            if last is None:
                raise _Unsliceable("the DATA array does not end")
            end = last.start() + 1
        items = orjson.loads(b"[" + content[position:end] + b"]")
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise _Unsliceable("not a list of objects")
        columns.add_documents(items)
        if cut is None:
            array_end = content.index(b"]", end)
            break
        position = cut.end() - 1
    rest_of_document = content[: found.start()] + b'"DATA":[]' + content[array_end + 1 :]
    head = _checked(orjson.loads(rest_of_document))
    length = head.get("length")
    if isinstance(length, int) and length != len(columns):
        raise _Unsliceable("the slices do not add up to the page's length")
    return head, columns


def _checked(head: Any) -> dict[str, Any]:
    if not isinstance(head, dict):
        raise _Unsliceable("not a JSON object")
    return head


@dataclass(frozen=True)
class _Answer:
    """The response a page came in (for its errors), and the class those errors take."""

    response: httpx.Response | None
    error_class: type[GlobusAPIError]

    def malformed(self, reason: str) -> MalformedResponseError:
        return malformed_error(self.error_class, self.response or httpx.Response(200), reason)


def _whole(content: bytes, answer: _Answer) -> tuple[dict[str, Any], FileColumns]:
    if not content.strip():
        raise answer.malformed("the answer is an empty body")
    try:
        document = orjson.loads(content)
    except orjson.JSONDecodeError:
        if answer.response is None:
            raise answer.malformed("the JSON body is truncated or invalid") from None
        raise answer.malformed(unparsable_reason(answer.response)) from None
    if not isinstance(document, dict):
        raise answer.malformed("the listing is not a JSON object")
    if looks_like_error_document(document):
        raise answer.malformed("a success status with an error document")
    items = document.get("DATA")
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise answer.malformed("'DATA' is not a list of JSON objects")
    columns = FileColumns()
    columns.add_documents(items)
    return document, columns


def _page(head: dict[str, Any], columns: FileColumns) -> LsPage:
    total = head.get("total")
    offset = head.get("offset")
    path = head.get("path")
    return LsPage(
        path=path if isinstance(path, str) else None,
        total=total if isinstance(total, int) and total >= len(columns) else len(columns),
        offset=offset if isinstance(offset, int) else 0,
        columns=columns,
    )


async def ls_pages(
    client: LsSender,
    endpoint_id: str,
    path: str | None,
    *,
    show_hidden: bool = True,
    first_page: int = FIRST_PAGE,
    page_limit: int = PAGE_LIMIT,
) -> AsyncGenerator[LsPage, None]:
    """Every page of a folder's listing, in order, each decoded in a thread.

    Stops when the pages add up to the folder's ``total`` (or a page comes back empty, if the
    folder shrank meanwhile). The path of the first answer (``/~/`` resolved) is asked for
    the later pages, so they list the same folder.
    """
    offset = 0
    limit = first_page
    where = path
    while True:
        params: dict[str, Any] = {"limit": limit, "offset": offset}
        if where is not None:
            params["path"] = where
        params["show_hidden"] = 1 if show_hidden else 0
        response = await client.send(
            "GET", f"operation/endpoint/{endpoint_id}/ls", query_params=params
        )
        page = await run_cpu(decode_ls_page, response.content, response, client.error_class)
        page.offset = offset
        yield page
        where = page.path or where
        offset += len(page.columns)
        if not len(page.columns) or offset >= page.total:
            return
        limit = page_limit

"""`GlobusResponse`: a read-only, dict-like view of one API response."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx

from gtui.core.errors import MalformedResponseError

_UNSET: Any = object()


class GlobusResponse:
    """The parsed JSON body of a response plus its status and headers.

    Reading keys works like a dict (`resp["DATA"]`, `resp.get(k)`, `k in resp`); iterating
    yields the items of `DATA` when the body has one, else the items of a list body.
    """

    def __init__(self, response: httpx.Response, data: Any = _UNSET) -> None:
        self._response = response
        if data is _UNSET:
            try:
                data = response.json() if response.content else None
            except ValueError:
                data = None
        self._data = data

    @property
    def data(self) -> Any:
        """The parsed JSON body: a dict, a list, or None when there is no JSON body."""
        return self._data

    @property
    def http_status(self) -> int:
        return self._response.status_code

    @property
    def headers(self) -> httpx.Headers:
        return self._response.headers

    @property
    def text(self) -> str:
        return self._response.text

    @property
    def content_type(self) -> str | None:
        value = self._response.headers.get("content-type")
        return value if isinstance(value, str) else None

    @property
    def raw_response(self) -> httpx.Response:
        return self._response

    def document(self) -> dict[str, Any]:
        """The body as one JSON object; any other body is a malformed answer, never a crash."""
        return self._as_dict()

    def documents(self, key: str) -> list[dict[str, Any]]:
        """The JSON objects listed under ``key`` (missing = none); anything else is malformed."""
        items = self._as_dict().get(key, [])
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise MalformedResponseError(
                self._response, reason=f"{key!r} is not a list of JSON objects"
            )
        return items

    def _as_dict(self) -> dict[str, Any]:
        if not isinstance(self._data, dict):
            kind = "no JSON body" if self._data is None else f"a JSON {type(self._data).__name__}"
            raise MalformedResponseError(
                self._response, reason=f"expected a JSON object, got {kind}"
            )
        return self._data

    def __getitem__(self, key: str) -> Any:
        data = self._as_dict()
        if key not in data:
            raise MalformedResponseError(self._response, reason=f"the answer has no {key!r} field")
        return data[key]

    def get(self, key: str, default: Any = None) -> Any:
        if not isinstance(self._data, dict):
            return default
        return self._data.get(key, default)

    def __contains__(self, key: object) -> bool:
        return isinstance(self._data, dict) and key in self._data

    def _items(self) -> list[Any]:
        """The listed documents; a body without a list of objects is a malformed answer."""
        items = self._data.get("DATA") if isinstance(self._data, dict) else self._data
        if not isinstance(items, list):
            raise MalformedResponseError(
                self._response, reason="expected a list of documents (a DATA array)"
            )
        if not all(isinstance(item, dict) for item in items):
            raise MalformedResponseError(
                self._response, reason="the listed documents are not all JSON objects"
            )
        return items

    def __iter__(self) -> Iterator[Any]:
        return iter(self._items())

    def __len__(self) -> int:
        return len(self._items())

    def __bool__(self) -> bool:
        return True

    def __repr__(self) -> str:
        return (
            f"GlobusResponse(http_status={self.http_status}, data_type={type(self._data).__name__})"
        )

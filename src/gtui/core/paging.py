"""Async paginators for the paging styles Globus services use (globus-api.md §8).

A client method marked with ``@has_paginator(...)`` gains a paged twin under
``client.paginated.<method>(...)``, which returns a ``Paginator``: ``async for page in
paginator`` (or ``paginator.pages()``) yields each response, ``paginator.items()`` each item.

Every paginator also stops on a page that brings nothing new (no items, or a marker that
does not move), so a misbehaving service can never make it loop forever.
"""

from __future__ import annotations

import functools
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    from gtui.core.response import GlobusResponse

F = TypeVar("F", bound=Callable[..., Awaitable[Any]])

PageMethod = Callable[..., Awaitable["GlobusResponse"]]


class _Page(Protocol):
    """What a paginator reads of a page: its fields (a `GlobusResponse`, or a dict)."""

    def get(self, key: str, default: Any = None, /) -> Any: ...


def _items_of(page: _Page, items_key: str | None) -> list[Any]:
    if items_key is None:
        return []
    value = page.get(items_key)
    return value if isinstance(value, list) else []


def _not_an_object(page: Any, items_key: str) -> Exception:
    from gtui.core.errors import MalformedResponseError

    reason = f"an item of {items_key!r} is not a JSON object"
    raw = getattr(page, "raw_response", None)
    return MalformedResponseError(raw, reason=reason) if raw is not None else ValueError(reason)


class Paginator(ABC):
    """Calls a client method repeatedly, feeding each page's position into the next call."""

    def __init__(
        self,
        method: PageMethod,
        *,
        items_key: str | None = None,
        client_args: tuple[Any, ...] = (),
        client_kwargs: dict[str, Any] | None = None,
    ) -> None:
        self.method = method
        self.items_key = items_key
        self.client_args = client_args
        self.client_kwargs = dict(client_kwargs or {})

    def __aiter__(self) -> AsyncIterator[GlobusResponse]:
        return self.pages()

    async def _call(self) -> GlobusResponse:
        return await self.method(*self.client_args, **self.client_kwargs)

    @abstractmethod
    def pages(self) -> AsyncIterator[GlobusResponse]:
        """Yield each page (a response) in turn."""

    async def items(self) -> AsyncIterator[Any]:
        """Yield every item of every page, from the list under ``items_key``.

        An item that is not a JSON object is a malformed answer (a typed error), so callers
        building models from items never meet an AttributeError in a background worker.
        """
        if self.items_key is None:
            raise ValueError("this paginator's pages have no list of items")
        async for page in self.pages():
            for item in _items_of(page, self.items_key):
                if not isinstance(item, Mapping):
                    raise _not_an_object(page, self.items_key)
                yield item


class _LimitOffsetPaginator(Paginator):
    """Bookkeeping shared by the limit/offset styles; the caller's limit is the page size."""

    def __init__(
        self,
        method: PageMethod,
        *,
        items_key: str | None = None,
        client_args: tuple[Any, ...] = (),
        client_kwargs: dict[str, Any] | None = None,
        page_size: int,
        max_total_results: int | None,
        page_size_key: str | None = None,
    ) -> None:
        super().__init__(
            method, items_key=items_key, client_args=client_args, client_kwargs=client_kwargs
        )
        requested = self.client_kwargs.get("limit")
        self.limit = requested if isinstance(requested, int) and requested > 0 else page_size
        start = self.client_kwargs.get("offset")
        self.offset = start if isinstance(start, int) and start > 0 else 0
        self.max_total_results = max_total_results
        self.page_size_key = page_size_key

    def _prepare(self) -> bool:
        """Set ``limit``/``offset`` for the next call; False when the maximum is reached."""
        limit = self.limit
        if self.max_total_results is not None:
            remaining = self.max_total_results - self.offset
            if remaining <= 0:
                return False
            limit = min(limit, remaining)
        self.client_kwargs["limit"] = limit
        self.client_kwargs["offset"] = self.offset
        return True

    def _advance(self, page: _Page) -> int:
        counted = page.get(self.page_size_key) if self.page_size_key else None
        size = counted if isinstance(counted, int) else len(_items_of(page, self.items_key))
        self.offset += size
        return size


class HasNextPaginator(_LimitOffsetPaginator):
    """``limit``/``offset`` until ``has_next_page`` is false (endpoint_search, Search)."""

    async def pages(self) -> AsyncIterator[GlobusResponse]:
        while self._prepare():
            page = await self._call()
            yield page
            if self._advance(page) <= 0 or not page.get("has_next_page"):
                return


class LimitOffsetTotalPaginator(_LimitOffsetPaginator):
    """``limit``/``offset`` until ``offset`` reaches ``total`` (task_list, task_event_list)."""

    async def pages(self) -> AsyncIterator[GlobusResponse]:
        while self._prepare():
            page = await self._call()
            yield page
            total = page.get("total")
            if self._advance(page) <= 0 or not isinstance(total, int) or self.offset >= total:
                return


class MarkerPaginator(Paginator):
    """Sends back the page's ``marker`` until ``has_next_page`` is false (Search scroll, GCS)."""

    def __init__(
        self,
        method: PageMethod,
        *,
        items_key: str | None = None,
        client_args: tuple[Any, ...] = (),
        client_kwargs: dict[str, Any] | None = None,
        marker_key: str = "marker",
    ) -> None:
        super().__init__(
            method, items_key=items_key, client_args=client_args, client_kwargs=client_kwargs
        )
        self.marker_key = marker_key

    def _more(self, page: _Page) -> bool:
        return bool(page.get("has_next_page"))

    async def pages(self) -> AsyncIterator[GlobusResponse]:
        seen: set[Any] = set()
        while True:
            page = await self._call()
            yield page
            marker = page.get(self.marker_key)
            if not self._more(page) or marker is None or marker in seen:
                return
            seen.add(marker)
            self.client_kwargs["marker"] = marker


class NullableMarkerPaginator(MarkerPaginator):
    """Sends back ``next_marker`` until it is null (successful_transfers, skipped_errors).

    These APIs never send ``has_next_page``; waiting for it made SDK releases before 3.4.2
    stop after the first page [000 v3.4.2].
    """

    def __init__(
        self,
        method: PageMethod,
        *,
        items_key: str | None = None,
        client_args: tuple[Any, ...] = (),
        client_kwargs: dict[str, Any] | None = None,
        marker_key: str = "next_marker",
    ) -> None:
        super().__init__(
            method,
            items_key=items_key,
            client_args=client_args,
            client_kwargs=client_kwargs,
            marker_key=marker_key,
        )

    def _more(self, page: _Page) -> bool:
        return page.get(self.marker_key) is not None


class LastKeyPaginator(Paginator):
    """Sends back ``last_key`` until ``has_next_page`` is false (endpoint_manager_task_list)."""

    async def pages(self) -> AsyncIterator[GlobusResponse]:
        seen: set[Any] = set()
        while True:
            page = await self._call()
            yield page
            last_key = page.get("last_key")
            if not page.get("has_next_page") or last_key is None or last_key in seen:
                return
            seen.add(last_key)
            self.client_kwargs["last_key"] = last_key


@dataclass(frozen=True)
class _PaginatorSpec:
    """How ``has_paginator`` said to page a method, kept on the method as ``_paginator``."""

    paginator_class: type[Paginator]
    items_key: str | None
    params: dict[str, Any]


def has_paginator(
    paginator_class: type[Paginator], items_key: str | None = None, **paginator_params: Any
) -> Callable[[F], F]:
    """Mark a client method as paged, so ``client.paginated.<name>`` can build its paginator."""

    def decorate(func: F) -> F:
        # Through vars(): a Callable type declares no attributes to assign.
        vars(func)["_paginator"] = _PaginatorSpec(paginator_class, items_key, paginator_params)
        return func

    return decorate


class PaginatorTable:
    """``client.paginated``: each paged method of the client, returning a ``Paginator``."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def __getattr__(self, name: str) -> Callable[..., Paginator]:
        method = getattr(self._client, name)
        spec = getattr(method, "_paginator", None)
        if not isinstance(spec, _PaginatorSpec):
            raise AttributeError(f"{name!r} is not a paginated method")

        @functools.wraps(method)
        def build(*args: Any, **kwargs: Any) -> Paginator:
            return spec.paginator_class(
                method,
                items_key=spec.items_key,
                client_args=args,
                client_kwargs=kwargs,
                **spec.params,
            )

        return build


class Paginated:
    """Descriptor giving each client instance its ``paginated`` table."""

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        return PaginatorTable(instance)

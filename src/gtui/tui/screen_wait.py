"""Waiting for a dialog's answer from any coroutine, not only from inside a worker."""

from __future__ import annotations

import asyncio
from typing import Any, TypeVar

from textual.app import App
from textual.screen import Screen

T = TypeVar("T")


async def wait_for_screen(app: App[Any], screen: Screen[T]) -> T | None:
    """Push ``screen`` and wait for its result (``push_screen_wait`` needs a worker)."""
    future: asyncio.Future[T | None] = asyncio.get_running_loop().create_future()

    def settle(result: T | None) -> None:
        if not future.done():
            future.set_result(result)

    app.push_screen(screen, callback=settle)
    return await future

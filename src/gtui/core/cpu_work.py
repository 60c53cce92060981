"""One worker thread for gtui's CPU-bound work: decoding big listings, sorting, filtering.

Work like this runs off the event loop, but it still needs the interpreter, which Python
hands between threads every few milliseconds. With two such threads busy (a page decoding
while the last one sorts) the loop often lost that hand-over several times running: measured
on a million-entry folder, stalls of 30–80 ms. With the work queued on one thread, the loop
competes with one thread only and gets the interpreter within a switch interval.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

T = TypeVar("T")

_worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gtui-cpu")


async def run_cpu(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``function(*args, **kwargs)`` on the CPU worker thread, awaited from the loop."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_worker, partial(function, *args, **kwargs))

"""activity: Activity's whole history read page by page, 1,000 and 10,000 past tasks.

For each size a demo world gets that many finished transfers of the demo user in the service's
database (as ``history`` makes them), and the service runs in its own process. The demo user's
client then reads the whole task history two ways, pages of 100 newest first, through the
same client core:

- gtui: Activity's pager (``core/activity_pager.py``), which pages Transfer's ``task_list`` by
  request time — each page asks for the tasks requested at or before the oldest one seen;
- baseline: the same pages by a growing ``offset``, as the SDK's ``task_list`` paginator pages
  (it stops at 1,000 tasks; here the offset goes on to the end, which the service allows).

Both must read every task exactly once. Also timed: the label filter finding the oldest task
among them all (``history 0``: Transfer filters, one request), and Activity's first screen
(the first 60 rows). The closing line compares the whole read at the largest size (ratio = the
offset read's time ÷ gtui's); the growth exponents say how each grows with the history
(1 = linear). Target: 1x (time bounds cost no more than offsets; they are chosen because an
offset drifts when a task is submitted meanwhile).
"""

from __future__ import annotations

import asyncio
import math
import sys
import time
from dataclasses import dataclass
from typing import Any

import benchlib
from history import world_with_history

PAGE = 100
FIRST_SCREEN = 60
TARGET_RATIO = 1.0


@dataclass
class Run:
    tasks: int
    by_time: float
    by_offset: float
    first_screen: float
    label_search: float


async def read_by_offset(session: Any) -> int:
    """Every task, newest first, pages of ``PAGE`` by a growing offset, each made a row as
    Activity makes it (so the two differ in their paging alone)."""
    from gtui.core.activity import row_from_task

    seen: set[str] = set()
    offset = 0
    while True:
        page = await session.transfer.task_list(
            filter="type:TRANSFER,DELETE", orderby="request_time DESC", limit=PAGE, offset=offset
        )
        docs = page.get("DATA") or []
        seen.update(row_from_task(doc).id for doc in docs)
        offset += len(docs)
        if len(docs) < PAGE:
            return len(seen)


async def measure(service: benchlib.ServiceProcess, tasks: int) -> Run:
    from gtui.core.activity_filter import ActivityFilter
    from gtui.core.activity_pager import activity_pager

    session = await benchlib.demo_session(service)
    everything = ActivityFilter(kinds=frozenset({"transfer", "delete"}))
    try:
        # Connections and the database warm; the demo world has tasks of its own beside these.
        total = await read_by_offset(session)
        assert total >= tasks, (total, tasks)

        start = time.perf_counter()
        rows = await activity_pager(everything, transfer=session.transfer, timers=None).everything()
        by_time = time.perf_counter() - start
        assert len({row.id for row in rows}) == len(rows) == total, (len(rows), total)

        start = time.perf_counter()
        counted = await read_by_offset(session)
        by_offset = time.perf_counter() - start
        assert counted == total, (counted, total)

        start = time.perf_counter()
        first = await activity_pager(everything, transfer=session.transfer, timers=None).more(
            FIRST_SCREEN
        )
        first_screen = time.perf_counter() - start
        assert len(first) == min(FIRST_SCREEN, total)

        searching = ActivityFilter(label="HISTORY 0")  # the oldest task; any case
        start = time.perf_counter()
        found = await activity_pager(searching, transfer=session.transfer, timers=None).more(1)
        label_search = time.perf_counter() - start
        assert len(found) == 1 and found[0].label == "history 0", found
    finally:
        await session.aclose()
    return Run(tasks, by_time, by_offset, first_screen, label_search)


def main() -> int:
    _, size = benchlib.parse_args(__doc__ or "")
    sizes = size.pick((1_000, 10_000), (1_000, 10_000), (100, 300))
    fig = benchlib.figure
    benchlib.note(f"machine: {benchlib.machine()}")
    runs: list[Run] = []
    for tasks in sizes:
        root = world_with_history(tasks)
        with benchlib.serve_process(root) as service:
            runs.append(asyncio.run(measure(service, tasks)))
    for run in runs:
        benchlib.note(
            f"{run.tasks:,} tasks: whole history by request time {fig(run.by_time)} s, by offset "
            f"{fig(run.by_offset)} s; first {FIRST_SCREEN} rows {fig(run.first_screen * 1000)} ms; "
            f"one old task by its label {fig(run.label_search * 1000)} ms"
        )
    small, big = runs[0], runs[-1]
    scale = math.log(big.tasks / small.tasks)

    def growth(a: float, b: float) -> str:
        return f"{math.log(b / a) / scale:.2f}"

    benchlib.note(
        f"growth {small.tasks:,} → {big.tasks:,} tasks (exponent; 0 = flat, 1 = linear): "
        f"by request time {growth(small.by_time, big.by_time)}, by offset "
        f"{growth(small.by_offset, big.by_offset)}, first screen "
        f"{growth(small.first_screen, big.first_screen)}, label search "
        f"{growth(small.label_search, big.label_search)}"
    )
    print(
        benchlib.result_line("activity", big.by_time, big.by_offset, "s", TARGET_RATIO),
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

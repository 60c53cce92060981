"""The Activity view's rows, newest first, read page by page from every service at once.

Each source (Transfer's tasks, the timers' runs, the flows' runs) answers its own pages,
each newest first. The pager merges them: a row is handed out only once every source that
may still hold something newer has been read that far, so the merged order is right
however the sources' pages interleave, and a view that wants fifty rows reads only the
pages those fifty need. Every row is tested against the whole filter here; a task a timer
started is shown once, as that timer's run.

Transfer's ``task_list`` is paged by request time rather than by a growing ``offset``: each
page asks for tasks requested at or before the oldest one seen (skipping those already
seen at that very time). Offsets over a long history are capped by the service, and a task
submitted meanwhile would shift every offset by one; a time bound has neither problem.
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from gtui.core.activity import ActivityRow, row_from_flow_run, row_from_task, rows_from_job
from gtui.core.activity_filter import ActivityFilter

if TYPE_CHECKING:
    from gtui.core.timers import TimersClient
    from gtui.core.transfer import TransferClient

TASK_PAGE = 100
TASK_PAGE_SEARCHING = 1000
"""When the filter holds what only the client can test (collection, free text), most rows
of a page may be dropped, so pages are as large as Transfer allows."""
EXPORT_STEP = 500

FlowRunsPage = Callable[[str | None], Awaitable[Mapping[str, Any]]]
"""Reads one page of flow runs given the previous page's marker (None: the first)."""


class ActivitySource(ABC):
    """One service's rows, newest first, a page at a time."""

    def __init__(self) -> None:
        self.exhausted = False
        self.floor: tuple[datetime, str] | None = None
        """The order key of the oldest row read so far (None: nothing read yet)."""
        self.pages = 0

    async def fetch(self) -> list[ActivityRow]:
        """The next page's rows (sorted newest first); sets ``exhausted`` after the last."""
        rows = await self._page()
        self.pages += 1
        rows.sort(key=lambda row: row.order_key, reverse=True)
        if rows:
            oldest = rows[-1].order_key
            self.floor = oldest if self.floor is None else min(self.floor, oldest)
        return rows

    @abstractmethod
    async def _page(self) -> list[ActivityRow]: ...


class TaskSource(ActivitySource):
    """Transfer's ``task_list``, filtered by the service as far as it can, paged by time."""

    def __init__(self, transfer: TransferClient, wanted: ActivityFilter) -> None:
        super().__init__()
        self.transfer = transfer
        self.wanted = wanted
        self.page_size = TASK_PAGE_SEARCHING if wanted.collection or wanted.text else TASK_PAGE
        self.before: str | None = None
        self.skip = 0
        """How many tasks requested exactly at ``before`` were already read."""

    async def _page(self) -> list[ActivityRow]:
        response = await self.transfer.task_list(
            filter=self.wanted.task_filter(self.before),
            orderby="request_time DESC",
            limit=self.page_size,
            offset=self.skip or None,
        )
        listed = response.get("DATA")
        docs = [doc for doc in listed or [] if isinstance(doc, Mapping)]
        if len(docs) < self.page_size:
            self.exhausted = True
        if docs:
            self._advance([str(doc.get("request_time") or "") for doc in docs])
        return [row_from_task(doc) for doc in docs]

    def _advance(self, times: list[str]) -> None:
        last = times[-1]
        if not last or last == self.before:
            # The whole page was requested at the bound (or times are missing): move on by
            # offset from the same bound.
            self.skip += len(times)
            return
        self.before = last
        self.skip = sum(1 for time in times if time == last)


class TimerRunSource(ActivitySource):
    """Every run of every timer (``list_jobs``, then ``get_job`` for each one's history)."""

    def __init__(self, timers: TimersClient) -> None:
        super().__init__()
        self.timers = timers

    async def _page(self) -> list[ActivityRow]:
        listed = (await self.timers.list_jobs()).get("jobs")
        ids = [
            str(job["job_id"])
            for job in listed or []
            if isinstance(job, Mapping) and job.get("job_id")
        ]
        jobs = await asyncio.gather(*(self.timers.get_job(job_id) for job_id in ids))
        self.exhausted = True
        rows: list[ActivityRow] = []
        for job in jobs:
            if isinstance(job.data, Mapping):
                rows.extend(rows_from_job(job.data))
        return rows


class FlowRunSource(ActivitySource):
    """Flows' ``GET /runs``, paged by ``marker``."""

    def __init__(self, read_page: FlowRunsPage) -> None:
        super().__init__()
        self.read_page = read_page
        self.marker: str | None = None

    async def _page(self) -> list[ActivityRow]:
        page = await self.read_page(self.marker)
        runs = page.get("runs")
        marker = page.get("marker")
        more = bool(page.get("has_next_page")) and isinstance(marker, str) and bool(marker)
        if not more or marker == self.marker:
            self.exhausted = True
        self.marker = marker if isinstance(marker, str) else None
        return [row_from_flow_run(run) for run in runs or [] if isinstance(run, Mapping)]


class ActivityPager:
    """The merged, filtered rows of ``sources``, read as far as asked."""

    def __init__(self, sources: list[ActivitySource], wanted: ActivityFilter) -> None:
        self.sources = sources
        self.wanted = wanted
        self.rows: list[ActivityRow] = []
        self._waiting: dict[int, deque[ActivityRow]] = {id(s): deque() for s in sources}
        self._timer_tasks: set[str] = set()

    @property
    def exhausted(self) -> bool:
        """Every row there is has been handed out."""
        return all(s.exhausted for s in self.sources) and not any(self._waiting.values())

    @property
    def pages(self) -> int:
        """How many pages have been read, from every source."""
        return sum(source.pages for source in self.sources)

    async def more(self, wanted: int) -> list[ActivityRow]:
        """Up to ``wanted`` more rows (fewer only at the end), also appended to ``rows``."""
        new: list[ActivityRow] = []
        while len(new) < wanted:
            row = await self._next()
            if row is None:
                break
            new.append(row)
        self.rows.extend(new)
        return new

    async def everything(self) -> list[ActivityRow]:
        """Every row that matches, reading every page that is left."""
        while not self.exhausted:
            await self.more(EXPORT_STEP)
        return self.rows

    async def _next(self) -> ActivityRow | None:
        while True:
            heads = [queue[0] for queue in self._waiting.values() if queue]
            best = max(heads, key=lambda row: row.order_key, default=None)
            behind = [
                source
                for source in self.sources
                if not source.exhausted
                and not self._waiting[id(source)]
                and (source.floor is None or best is None or source.floor >= best.order_key)
            ]
            if behind:
                await self._read(behind[0])
                continue
            if best is None:
                return None
            for queue in self._waiting.values():
                if queue and queue[0] is best:
                    queue.popleft()
                    break
            if self._shown(best):
                return best

    async def _read(self, source: ActivitySource) -> None:
        rows = await source.fetch()
        if isinstance(source, TimerRunSource):
            self._timer_tasks.update(row.task_id for row in rows if row.task_id)
        self._waiting[id(source)].extend(rows)

    def _shown(self, row: ActivityRow) -> bool:
        if row.is_task and row.task_id in self._timer_tasks:
            return False
        return self.wanted.matches(row)


def activity_pager(
    wanted: ActivityFilter,
    *,
    transfer: TransferClient | None,
    timers: TimersClient | None,
    flow_runs: FlowRunsPage | None = None,
) -> ActivityPager:
    """A pager over the sources the filter can match (a client given as None is left out)."""
    sources: list[ActivitySource] = []
    if transfer is not None and wanted.wants_tasks:
        sources.append(TaskSource(transfer, wanted))
    if timers is not None and wanted.wants("timer run"):
        sources.append(TimerRunSource(timers))
    if flow_runs is not None and wanted.wants("flow run"):
        sources.append(FlowRunSource(flow_runs))
    return ActivityPager(sources, wanted)

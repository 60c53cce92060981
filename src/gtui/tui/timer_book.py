"""The user's timers, kept for the Timers screen, a timer's detail and the task queue.

The queue marks the tasks a timer started; it learns which they are from the timers' run
histories, so the book tells the feed whenever it learns of a run's task.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from textual.app import App
from textual.signal import Signal

from gtui.core.errors import GlobusError
from gtui.core.session import GlobusSession
from gtui.core.timer_models import Timer
from gtui.tui.task_feed import TaskFeed

log = logging.getLogger(__name__)


class TimerBook:
    """Timers by id, newest answer wins; ``changed`` tells the screens showing them."""

    def __init__(self, host: App[int], session: GlobusSession, feed: TaskFeed) -> None:
        self.host = host
        self.session = session
        self.feed = feed
        self.timers: dict[str, Timer] = {}
        self.loaded = False
        self.changed: Signal[list[Timer]] = Signal(host, "timers-changed")

    async def load(self) -> list[Timer]:
        """Every timer of the user, as the service has them now (raises GlobusError)."""
        response = await self.session.timers.list_jobs(query_params={"order": "submitted_at asc"})
        timers = [Timer.from_document(doc) for doc in response.documents("jobs")]
        self.timers = {t.job_id: t for t in timers}
        self.loaded = True
        self._learn_tasks(timers)
        self.changed.publish(timers)
        return timers

    async def load_quietly(self) -> None:
        """Load once in the background (the queue's marks); a failure only goes to the log.

        No consent dialog is opened from here: a user who never made a timer is not asked.
        """
        try:
            await self.load()
        except GlobusError as exc:
            log.info("timers not loaded: %s", exc)

    async def refresh(self, job_id: str) -> Timer:
        """One timer with its whole run history (raises GlobusError)."""
        timer = Timer.from_document((await self.session.timers.get_job(job_id)).document())
        self.add(timer)
        return timer

    def add(self, timer: Timer) -> None:
        """A timer created, changed or read again."""
        self.timers[timer.job_id] = timer
        self._learn_tasks([timer])
        self.changed.publish([timer])

    def remove(self, job_id: str) -> None:
        timer = self.timers.pop(job_id, None)
        if timer is not None:
            self.changed.publish([])

    def _learn_tasks(self, timers: Iterable[Timer]) -> None:
        new = {}
        for timer in timers:
            for run in timer.runs:
                if run.task_id and run.task_id not in self.feed.started_by_timer:
                    new[run.task_id] = timer.name
        if not new:
            return
        self.feed.started_by_timer.update(new)
        known = [self.feed.tasks[t] for t in new if t in self.feed.tasks]
        if known:
            self.feed.changed.publish(known)
        if len(known) < len(new) and self.feed.started:
            # A run started a task the queue has not seen: the queue shows it too.
            self.feed.load_recent()

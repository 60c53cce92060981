"""Keys handled in the order typed, even in a burst.

Textual routes a key to the widget that has the focus when the key *arrives*, and resolves a
widget's own bindings (Backspace, Ctrl+K, Tab, Enter...) only when the key has bubbled up to
the app. In a burst — a paste, a fast typist, a loaded machine — later keys are routed before
earlier ones have done their work: text typed after Tab lands in the old field, and Ctrl+K
deletes what was typed after it.

The gate lets one key through at a time: after a key is handed to a widget, a ``KeyHandled``
marker follows it into the same widget's queue and bubbles up the same way, so it reaches the
app only once the key has been handled all the way up. Keys that arrive meanwhile wait, in
order. A marker that never comes back (its widget was removed) opens the gate after a moment.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from textual import events
from textual.app import App
from textual.message import Message
from textual.timer import Timer

LOST_MARKER_SECONDS = 0.5

KeyEvent = events.Key | events.Paste


class KeyHandled(Message):
    """Follows a key through the widgets that handle it; at the app, the key is done."""


class KeyGate:
    """Holds keys while the one before them is still being handled."""

    def __init__(self, app: App[Any], handle: Callable[[KeyEvent], Awaitable[None]]) -> None:
        self.app = app
        self._handle = handle
        self._held: deque[KeyEvent] = deque()
        self._out: KeyHandled | None = None
        self._timer: Timer | None = None

    async def arrived(self, event: KeyEvent) -> None:
        """A key from the terminal: handle it now, or after the keys before it."""
        if self._out is not None:
            self._held.append(event)
            return
        await self._pass(event)

    async def marker_back(self, marker: KeyHandled) -> None:
        """The key before has been handled: let the next one through."""
        if marker is self._out:
            await self._open()

    async def _pass(self, event: KeyEvent) -> None:
        await self._handle(event)
        if not event.is_forwarded:
            return  # a priority binding took it at the app, in order already
        target = self.app.focused or self.app.screen
        marker = KeyHandled()
        if not target.post_message(marker):
            return
        self._out = marker
        self._timer = self.app.set_timer(LOST_MARKER_SECONDS, self._lost)

    async def _lost(self) -> None:
        await self._open()

    async def _open(self) -> None:
        self._out = None
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        while self._held and self._out is None:
            await self._pass(self._held.popleft())

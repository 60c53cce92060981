"""What the app waits for after its first frame: a session, and whether a login is needed.

The launcher hands the app a ``Connect`` coroutine function instead of a session, so the
first frame is painted before the HTTP client and the client core are imported. The app
awaits it once the frame is up (it makes the session, and for the demo checks or renews the
demo's login); slow, CPU-bound parts belong in a thread (``asyncio.to_thread``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gtui.core.session import GlobusSession


@dataclass(frozen=True)
class Connection:
    """The session the app talks through (None until a client id is set up)."""

    session: GlobusSession | None
    login_needed: str | None = None
    username: str = ""


class StartFailed(Exception):
    """The app cannot go on; its message (one plain sentence) is printed as the app ends."""


Connect = Callable[[], Awaitable[Connection]]

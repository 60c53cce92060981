"""Helpers for the app's tests: paths on disk, a logged-in app, waiting for conditions."""

from __future__ import annotations

import asyncio
import inspect
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from gtui.config import Settings
from gtui.core.session import GlobusSession
from gtui.sim.serve import RunningSim
from gtui.sim.world import (
    DEMO_INDEX_ID,
    DEMO_NATIVE_CLIENT_ID,
    DEMO_USERNAME,
    LAPTOP_ID,
    SCRATCH_ID,
)
from gtui.tui.app import GtuiApp, PanePlace
from gtui.tui.demo_login import demo_login
from gtui.tui.launch import with_search_index
from gtui.tui.state import AppState

FIXED_TIME = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
COLLECTION_FOLDERS = {LAPTOP_ID: "laptop", SCRATCH_ID: "scratch"}


def freeze_mtimes(root: Path) -> None:
    """Give every demo file one modification time, so listings look the same every run."""
    stamp = FIXED_TIME.timestamp()
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".gtui-sim")]
        for name in files + dirs:
            os.utime(Path(folder) / name, (stamp, stamp), follow_symlinks=False)


def collection_path(sim: RunningSim, collection_id: str, path: str) -> Path:
    """Where a collection path lives on disk (``/~/`` is ``/home/demo/``)."""
    relative = path.replace("/~/", "/home/demo/", 1).lstrip("/")
    return sim.settings.root / COLLECTION_FOLDERS[collection_id] / relative


def new_session(sim: RunningSim) -> GlobusSession:
    return GlobusSession(DEMO_NATIVE_CLIENT_ID, environment="sim", service_urls=sim.service_urls)


def build_app(sim: RunningSim, session: GlobusSession | None, **overrides: Any) -> GtuiApp:
    options: dict[str, Any] = {
        "session": session,
        "settings": with_search_index(Settings(), DEMO_INDEX_ID),
        "state": AppState(),
        "environment": "sim",
        "username": DEMO_USERNAME,
        "left": PanePlace(LAPTOP_ID, "/~/"),
        "right": PanePlace(SCRATCH_ID, "/~/"),
        "clock": lambda: FIXED_TIME,
    }
    options.update(overrides)
    app = GtuiApp(**options)
    app.animation_level = "none"
    return app


def logged_in_app(sim: RunningSim, **overrides: Any) -> GtuiApp:
    """For synchronous (snapshot) tests: log in on a throwaway loop, then build the app."""
    asyncio.run(_login_once(sim))
    return build_app(sim, new_session(sim), **overrides)


async def _login_once(sim: RunningSim) -> None:
    session = new_session(sim)
    try:
        await demo_login(session)
    finally:
        await session.aclose()


async def wait_for(
    pilot: Pilot[Any], condition: Callable[[], Any], *, timeout: float = 30.0
) -> Any:
    """Let the app run until ``condition()`` is truthy (or fail after ``timeout``)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = condition()
        if result:
            return result
        if loop.time() > deadline:
            raise AssertionError(
                f"waited {timeout:g} s for {described(condition)}; it was still {result!r}"
            )
        await pilot.pause(0.05)


def described(condition: Callable[[], Any]) -> str:
    """The condition's source line (what a test waited for), for a failure message."""
    try:
        return " ".join(inspect.getsource(condition).split())
    except (OSError, TypeError):
        return repr(condition)


def pane(app: GtuiApp, side: str) -> Any:
    from gtui.tui.widgets.file_pane import FilePane

    return app.screen.query_one(f"#{side}", FilePane)


def listed(app: GtuiApp, side: str) -> list[str]:
    """Names shown in a pane, in order."""
    return [entry.name for entry in pane(app, side).file_list.visible_entries()]


async def ready(pilot: Pilot[Any]) -> None:
    """Both panes have listed their first folder and are laid out on the screen.

    A fast listing can arrive before the first layout; a mouse event aimed at a list with an
    empty region would land somewhere else.
    """
    app = pilot.app

    def shown(side: str) -> bool:
        from textual.css.query import NoMatches

        try:
            found = pane(app, side)
        except NoMatches:  # the browse screen is still being composed
            return False
        return not found.fetching and bool(found.path) and bool(found.file_list.region)

    await wait_for(pilot, lambda: all(shown(side) for side in ("left", "right")))


@dataclass(frozen=True)
class Shown:
    """One notification as the app asked for it."""

    message: str
    severity: str


def record_notifications(app: Any) -> list[Shown]:
    """Every notification the app shows from now on, kept after its toast times out."""
    shown: list[Shown] = []
    original = app.notify

    def notify(message: str, *args: Any, **kwargs: Any) -> Any:
        shown.append(Shown(str(message), kwargs.get("severity", "information")))
        return original(message, *args, **kwargs)

    app.notify = notify
    return shown


def files_under(folder: Path) -> set[str]:
    """Every file below ``folder``, as paths relative to it."""
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}

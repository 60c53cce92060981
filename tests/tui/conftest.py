"""Fixtures for the app's tests: a fresh embedded service per test and the real app on it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input

from gtui.sim.serve import RunningSim, start_in_thread
from gtui.tui.app import GtuiApp
from gtui.tui.demo_login import demo_login
from tests.tui.tui_helpers import build_app, freeze_mtimes, new_session


@pytest.fixture(autouse=True)
def _steady_cursor(monkeypatch: pytest.MonkeyPatch) -> None:
    """A blinking cursor would make screenshots differ from run to run."""
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)


@pytest.fixture
def over_ssh(monkeypatch: pytest.MonkeyPatch) -> None:
    """As on a cluster login node: no local browser, so a login or consent dialog asks for
    the code to be pasted (``pytestmark = pytest.mark.usefixtures("over_ssh")``)."""
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.1 5000 10.0.0.2 22")


@pytest.fixture
def tui_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("DATA", "CONFIG", "LOG"):
        folder = tmp_path / name.lower()
        folder.mkdir()
        monkeypatch.setenv(f"GTUI_{name}_DIR", str(folder))
    return tmp_path


@pytest.fixture
def sim(tui_dirs: Path) -> Iterator[RunningSim]:
    running = start_in_thread(tui_dirs / "root")
    freeze_mtimes(tui_dirs / "root")
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def make_app(sim: RunningSim) -> Callable[..., Any]:
    """An async factory: a logged-in session (a real demo login) and the app on it."""

    async def factory(**overrides: Any) -> GtuiApp:
        session = new_session(sim)
        await demo_login(session)
        return build_app(sim, session, **overrides)

    return factory

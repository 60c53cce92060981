"""Fixtures for the reliability and security tests: logins on the embedded service.

``sim`` and ``sim_factory`` come from tests/conftest.py.

- ``session_factory(sim, store_path)``: a ``GlobusSession`` on the service, logged in as the
  demo user through gtui's own native-app flow, its tokens in the given store.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from gtui.core.session import GlobusSession
from gtui.sim.serve import RunningSim
from tests.reliability.support import login_session


@pytest.fixture
async def session_factory() -> AsyncIterator[Callable[..., Any]]:
    opened: list[GlobusSession] = []

    async def make(sim: RunningSim, store_path: Path, **store_kwargs: Any) -> GlobusSession:
        session = await login_session(sim, store_path, **store_kwargs)
        opened.append(session)
        return session

    yield make
    for session in opened:
        await session.aclose()


@pytest.fixture
def app_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Config, data (token store) and log folders of the app, all under the test's folder."""
    for name in ("DATA", "CONFIG", "LOG"):
        folder = tmp_path / name.lower()
        folder.mkdir()
        monkeypatch.setenv(f"GTUI_{name}_DIR", str(folder))
    return tmp_path

"""Fixtures every test folder shares: embedded services on fresh roots.

- ``sim_factory(root=None, **kwargs)``: start a service (keywords of ``start_in_thread``);
  every service started is stopped after the test. ``sim``: one on a fresh root. The app's
  tests (tests/tui) override ``sim`` with one whose files have fixed times.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from gtui.sim.serve import RunningSim, start_in_thread


@pytest.fixture
def sim_factory(tmp_path: Path) -> Iterator[Callable[..., RunningSim]]:
    started: list[RunningSim] = []

    def start(root: Path | None = None, **kwargs: Any) -> RunningSim:
        running = start_in_thread(root or tmp_path / f"world{len(started)}", **kwargs)
        started.append(running)
        return running

    yield start
    for running in reversed(started):
        running.stop()


@pytest.fixture
def sim(sim_factory: Callable[..., RunningSim]) -> RunningSim:
    return sim_factory()

"""Quitting ``gtui --demo`` does not wait for its service to wind down: the service finishes
saving on its own, and the next start waits for it instead (tests/sim/test_serve.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from gtui.demo_service import DemoService

SLOW_TO_STOP = "import sys, time; sys.stdin.read(); time.sleep(30)"


def test_leaving_the_service_does_not_wait_for_it_to_finish(tmp_path: Path) -> None:
    child = subprocess.Popen([sys.executable, "-c", SLOW_TO_STOP], stdin=subprocess.PIPE)
    service = DemoService(process=child, base_url="http://127.0.0.1:9", root=tmp_path)
    try:
        assert service.leave(wait=0.2) is None
        assert child.stdin is not None and child.stdin.closed
        assert child.poll() is None, "the service was stopped instead of left to finish"
    finally:
        child.kill()
        child.wait()


def test_leaving_a_service_that_stops_at_once_reports_its_status(tmp_path: Path) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE
    )
    service = DemoService(process=child, base_url="http://127.0.0.1:9", root=tmp_path)
    assert service.leave(wait=10) == 0

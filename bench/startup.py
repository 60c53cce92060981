"""startup: from process start to the first frame, and to both panes listed.

``gtui --demo`` (embedded service started, demo login through the authorize page, both panes
listed) against a minimal Textual app that shows one static line. Each runs in a real
pseudo-terminal (120×40, the same Textual driver a user gets); the clock runs from spawning the
process until the terminal output shows the awaited text: for gtui's first frame, both panes
saying they are connecting (or already listed); for its listings, a name from each pane's
listing; for the minimal app, its line. Runs alternate and the medians are compared.
Targets: the first frame ≤ 1.3× the minimal app; both listings ≤ 2× (ratio ≥ 0.5x).
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable, Sequence

import benchlib

FIRST_FRAME_TARGET = 1.3
TARGET_RATIO = 0.5
COLUMNS, ROWS = 120, 40
MINIMAL_LINE = "gtui-bench minimal app"
MINIMAL_APP = f"""
from textual.app import App, ComposeResult
from textual.widgets import Static


class Minimal(App[None]):
    def compose(self) -> ComposeResult:
        yield Static({MINIMAL_LINE!r})


Minimal().run()
"""
LEFT_NAME = "Documents/"
RIGHT_NAME = "simulations/"
CONNECTING = "Connecting to"


def listed(seen: str) -> bool:
    return LEFT_NAME in seen and RIGHT_NAME in seen


def framed(seen: str) -> bool:
    return seen.count(CONNECTING) >= 2 or listed(seen)


def time_to_text(command: Sequence[str], wanted: Sequence[str], timeout: float = 120.0) -> float:
    """Seconds from spawning ``command`` in a pty until its output shows every ``wanted``."""
    times = time_to_milestones(command, {"all": lambda seen: all(w in seen for w in wanted)})
    return times["all"]


def time_to_milestones(
    command: Sequence[str], milestones: dict[str, Callable[[str], bool]], timeout: float = 120.0
) -> dict[str, float]:
    """Seconds from spawning ``command`` until its output (escapes stripped) meets each test."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(COLUMNS), "LINES": str(ROWS)}
    start = time.perf_counter()
    process = subprocess.Popen(
        list(command), stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True
    )
    os.close(slave)
    seen = ""
    found: dict[str, float] = {}
    try:
        while len(found) < len(milestones):
            left = timeout - (time.perf_counter() - start)
            if left <= 0:
                missing = sorted(set(milestones) - set(found))
                raise TimeoutError(f"{command[0]} never reached {missing}: {seen[-500:]!r}")
            ready, _, _ = select.select([master], [], [], min(left, 1.0))
            if not ready:
                if process.poll() is not None:
                    raise RuntimeError(f"{command} exited early: {seen[-2000:]!r}")
                continue
            try:
                chunk = os.read(master, 1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                raise RuntimeError(f"{command} closed its terminal: {seen[-2000:]!r}")
            seen += benchlib.strip_escapes(chunk.decode("utf-8", "replace"))
            now = time.perf_counter()
            for name, reached in milestones.items():
                if name not in found and reached(seen):
                    found[name] = now - start
    finally:
        _quit(process, master)
    return found


def _quit(process: subprocess.Popen[bytes], master: int) -> None:
    """Ctrl+Q as a user would; the process group is killed if it does not leave."""
    try:
        os.write(master, b"\x11")
        deadline = time.monotonic() + 10
        while process.poll() is None and time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    os.read(master, 1 << 16)
                except OSError:
                    break
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        os.close(master)


def main() -> int:
    _, size = benchlib.parse_args(__doc__ or "")
    repeats = size.pick(5, 3, 1)
    root = benchlib.WORK_DIR / "world-startup"
    gtui = [sys.executable, "-m", "gtui", "--demo", "--root", str(root)]
    minimal = [sys.executable, "-c", MINIMAL_APP]
    milestones: dict[str, Callable[[str], bool]] = {"frame": framed, "listed": listed}
    time_to_milestones(gtui, milestones, timeout=600)
    time_to_text(minimal, [MINIMAL_LINE])
    frame_times: list[float] = []
    gtui_times: list[float] = []
    minimal_times: list[float] = []
    for _ in range(repeats):
        minimal_times.append(time_to_text(minimal, [MINIMAL_LINE]))
        times = time_to_milestones(gtui, milestones)
        frame_times.append(times["frame"])
        gtui_times.append(times["listed"])
    fig = benchlib.figure

    def series(values: list[float]) -> str:
        shown = ", ".join(f"{fig(t)} s" for t in values)
        return f"{shown} (median {fig(benchlib.median(values))} s)"

    benchlib.note(f"machine: {benchlib.machine()}")
    benchlib.note(f"gtui --demo to its first frame (both panes framed): {series(frame_times)}")
    benchlib.note(f"gtui --demo to both panes listed: {series(gtui_times)}")
    benchlib.note(f"minimal Textual app to its line: {series(minimal_times)}")
    frame_s = benchlib.median(frame_times)
    gtui_s, minimal_s = benchlib.median(gtui_times), benchlib.median(minimal_times)
    benchlib.note(
        f"first frame: {fig(frame_s / minimal_s)}× the minimal app "
        f"(target ≤ {FIRST_FRAME_TARGET}×); both listed: {fig(gtui_s / minimal_s)}× (target ≤ 2×)"
    )
    print(
        benchlib.result_line(
            "startup first frame", frame_s, minimal_s, "s", round(1 / FIRST_FRAME_TARGET, 2)
        ),
        flush=True,
    )
    print(benchlib.result_line("startup", gtui_s, minimal_s, "s", TARGET_RATIO), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""startup: from process start to the first frame with both panes listed.

``gtui --demo`` (embedded service started, demo login through the authorize page, both panes
listed) against a minimal Textual app that shows one static line. Each runs in a real
pseudo-terminal (120×40, the same Textual driver a user gets); the clock runs from spawning the
process until the terminal output shows the awaited text: for gtui, a name from each pane's
listing; for the minimal app, its line. Runs alternate and the medians are compared.
Target: gtui ≤ 1.5× the minimal app (ratio ≥ 0.67x).
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
from collections.abc import Sequence

import benchlib

TARGET_RATIO = 0.67
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


def time_to_text(command: Sequence[str], wanted: Sequence[str], timeout: float = 120.0) -> float:
    """Seconds from spawning ``command`` in a pty until its output shows every ``wanted``."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(COLUMNS), "LINES": str(ROWS)}
    start = time.perf_counter()
    process = subprocess.Popen(
        list(command), stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True
    )
    os.close(slave)
    seen = ""
    found_at: float | None = None
    try:
        while found_at is None:
            left = timeout - (time.perf_counter() - start)
            if left <= 0:
                raise TimeoutError(f"{command[0]} never showed {wanted}: {seen[-500:]!r}")
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
            if all(text in seen for text in wanted):
                found_at = time.perf_counter()
    finally:
        _quit(process, master)
    return found_at - start


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
    time_to_text(gtui, [LEFT_NAME, RIGHT_NAME], timeout=600)
    time_to_text(minimal, [MINIMAL_LINE])
    gtui_times: list[float] = []
    minimal_times: list[float] = []
    for _ in range(repeats):
        minimal_times.append(time_to_text(minimal, [MINIMAL_LINE]))
        gtui_times.append(time_to_text(gtui, [LEFT_NAME, RIGHT_NAME]))
    fig = benchlib.figure
    benchlib.note(f"machine: {benchlib.machine()}")
    benchlib.note(
        "gtui --demo to both panes listed: "
        + ", ".join(f"{fig(t)} s" for t in gtui_times)
        + f" (median {fig(benchlib.median(gtui_times))} s)"
    )
    benchlib.note(
        "minimal Textual app to its line: "
        + ", ".join(f"{fig(t)} s" for t in minimal_times)
        + f" (median {fig(benchlib.median(minimal_times))} s)"
    )
    gtui_s, minimal_s = benchlib.median(gtui_times), benchlib.median(minimal_times)
    benchlib.note(f"gtui takes {fig(gtui_s / minimal_s)}× the minimal app (target ≤ 1.5×)")
    print(benchlib.result_line("startup", gtui_s, minimal_s, "s", TARGET_RATIO), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

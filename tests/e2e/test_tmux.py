"""The installed ``gtui --demo`` in a real terminal: tmux gives it a pseudo-terminal, so keys
and SGR mouse sequences go through Textual's real input parser, and the screen is read back
with ``capture-pane``. One file is copied with the keyboard, another with a mouse drag, and
both are checked on screen (the queue says Succeeded) and on disk (same bytes).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

WIDTH, HEIGHT = 160, 45
KEYBOARD_FILE = "budget 2026.csv"
MOUSE_FILE = "notes café.txt"
WIDE_NAME = "日本語のファイル.txt"


def _tmux() -> str:
    found = shutil.which("tmux")
    if found is None:
        pytest.fail("tmux is not installed: the real-terminal test needs it (.ci/run installs it)")
    return found


def _gtui() -> str:
    found = shutil.which("gtui", path=str(Path(sys.executable).parent)) or shutil.which("gtui")
    assert found, "the gtui console script is not installed next to this Python"
    return found


class Terminal:
    """One tmux session running a command; keys in, screen text out."""

    def __init__(self, tmux: str, name: str, env: dict[str, str]) -> None:
        self.tmux, self.name, self.env = tmux, name, env

    def run(self, *args: str) -> str:
        done = subprocess.run(
            [self.tmux, *args], env=self.env, capture_output=True, text=True, timeout=30
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def keys(self, *keys: str) -> None:
        self.run("send-keys", "-t", self.name, *keys)

    def text(self, text: str) -> None:
        self.run("send-keys", "-t", self.name, "-l", text)

    def screen(self) -> list[str]:
        return self.run("capture-pane", "-p", "-t", self.name).splitlines()

    def wait(
        self, condition: Callable[[list[str]], object], what: str, timeout: float = 60
    ) -> list[str]:
        deadline = time.monotonic() + timeout
        while True:
            lines = self.screen()
            if condition(lines):
                return lines
            if time.monotonic() > deadline:
                raise AssertionError(f"never saw {what}; the screen was:\n" + "\n".join(lines))
            time.sleep(0.1)

    def type_into_field(self, text: str, attempts: int = 3) -> None:
        """Replace the focused field's text and see it on screen.

        On a loaded machine the first keys after a field takes focus are sometimes not
        shown (seen in about one run in three); typing again is what a person would do.
        """
        for attempt in range(attempts):
            self.keys("C-a", "C-k")
            self.text(text)
            try:
                self.wait(lambda s: any(text in line for line in s), f"{text!r} typed", 5)
                return
            except AssertionError:
                if attempt == attempts - 1:
                    raise

    def alive(self) -> bool:
        return (
            subprocess.run(
                [self.tmux, "has-session", "-t", self.name], env=self.env, capture_output=True
            ).returncode
            == 0
        )


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[tuple[Terminal, Path]]:
    tmux = _tmux()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "TERM": "xterm-256color",
        "TMUX_TMPDIR": str(tmp_path),
    }
    for name in ("CONFIG", "DATA", "LOG"):
        folder = tmp_path / name.lower()
        folder.mkdir()
        env[f"GTUI_{name}_DIR"] = str(folder)
    root = tmp_path / "world"
    name = f"gtui-e2e-{uuid.uuid4().hex[:8]}"
    command = " ".join(
        [f"{k}='{v}'" for k, v in env.items() if k.startswith("GTUI_")]
        + [_gtui(), "--demo", "--root", str(root)]
    )
    term = Terminal(tmux, name, env)
    term.run("-u", "new-session", "-d", "-s", name, "-x", str(WIDTH), "-y", str(HEIGHT), command)
    try:
        yield term, root
    finally:
        if term.alive():
            term.run("kill-session", "-t", name)


def _find(lines: list[str], text: str, *, right_half: bool = False) -> tuple[int, int] | None:
    """(column, row), 0-based, where ``text`` is shown in the left (or right) pane."""
    for row, line in enumerate(lines):
        start = line.find(text, WIDTH // 2 if right_half else 0)
        if start != -1 and (right_half or start < WIDTH // 2):
            return start, row
    return None


def _sgr(button: int, column: int, row: int, release: bool = False) -> str:
    return f"\x1b[<{button};{column + 1};{row + 1}{'m' if release else 'M'}"


def _digest(path: Path) -> bytes:
    return path.read_bytes()


def _wait_for_file(path: Path, like: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not (path.exists() and path.read_bytes() == like.read_bytes()):
        assert time.monotonic() < deadline, f"{path} never arrived with the source's bytes"
        time.sleep(0.1)


def test_keyboard_and_mouse_drag_transfers_in_a_real_terminal(
    terminal: tuple[Terminal, Path],
) -> None:
    term, root = terminal
    term.wait(
        lambda s: _find(s, "Documents") and _find(s, "simulations", right_half=True),
        "both demo panes listed",
        timeout=90,
    )
    documents = root / "laptop" / "home" / "demo" / "Documents"
    scratch = root / "scratch" / "home" / "demo"

    term.wait(lambda s: "Select" in s[-1], "the list's keys in the footer")
    term.keys("g")
    term.wait(lambda s: "Select" not in s[-1], "the path bar taking the keys")
    term.type_into_field("/~/Documents/")
    term.keys("Enter")
    lines = term.wait(lambda s: _find(s, MOUSE_FILE), "the Documents folder")
    wide = next(line for line in lines if WIDE_NAME in line)
    assert re.search(r"16 B \d{4}-\d\d-\d\d \d\d:\d\d │", wide), "columns misaligned: " + wide
    term.keys("/")
    term.wait(lambda s: _find(s, "filter: text or *.glob"), "the filter box")
    term.text("budget")
    term.keys("Enter")
    term.wait(lambda s: _find(s, KEYBOARD_FILE) and not _find(s, MOUSE_FILE), "the filter")
    term.keys("End")
    term.keys("F5")
    dialog = term.wait(lambda s: any("Copy 1 item" in line for line in s), "the options dialog")
    assert any(KEYBOARD_FILE in line for line in dialog)
    term.keys("Enter")
    _wait_for_file(scratch / KEYBOARD_FILE, documents / KEYBOARD_FILE)

    term.keys("/")
    term.wait(lambda s: "Select" not in s[-1], "the filter box taking the keys")
    term.keys("C-a", "C-k", "Enter")
    lines = term.wait(
        lambda s: _find(s, MOUSE_FILE) and "Select" in s[-1] and not _find(s, "filter “"),
        "the whole folder again, the list focused",
    )
    column, row = _find(lines, MOUSE_FILE)
    target = (WIDTH * 3 // 4, HEIGHT // 3)
    term.text(_sgr(0, column + 2, row))
    term.text(_sgr(32, column + 10, row))
    term.text(_sgr(32, *target))
    term.text(_sgr(0, *target, release=True))
    dialog = term.wait(lambda s: any("Copy 1 item" in line for line in s), "the drop's dialog")
    assert any(MOUSE_FILE in line for line in dialog)
    term.keys("Enter")
    _wait_for_file(scratch / MOUSE_FILE, documents / MOUSE_FILE)

    screen = term.wait(
        lambda s: sum(line.count("Succeeded") for line in s) >= 2, "two Succeeded tasks"
    )
    assert _find(screen, KEYBOARD_FILE, right_half=True) or any(
        KEYBOARD_FILE in line for line in screen
    )
    term.keys("F10")
    deadline = time.monotonic() + 30
    while term.alive():
        assert time.monotonic() < deadline, "gtui did not quit on F10"
        time.sleep(0.1)


def test_keys_typed_in_one_burst_arrive_before_their_enter(
    terminal: tuple[Terminal, Path],
) -> None:
    """A label pasted and a deadline typed, each followed at once by Enter, are submitted whole:
    Enter acts on everything typed before it. A bracketed paste reaches the field too."""
    term, _root = terminal
    term.wait(lambda s: _find(s, "Documents") and "Select" in s[-1], "the laptop listed")
    lines = term.screen()
    column, row = _find(lines, "Documents")
    term.text(_sgr(0, column, row) + _sgr(0, column, row, release=True))

    term.keys("F5")
    term.wait(lambda s: any("Copy 1 item" in line for line in s), "the options dialog")
    term.keys("C-a", "C-k")
    term.run(
        "send-keys", "-t", term.name, "-l", "Burst label 1", ";",
        "send-keys", "-t", term.name, "Tab", "Tab", "Tab", ";",
        "send-keys", "-t", term.name, "-l", "2031-02-03T04:05", ";",
        "send-keys", "-t", term.name, "Enter",
    )  # fmt: skip
    term.wait(lambda s: any("Burst label 1" in line for line in s), "the first task's label")

    term.keys("F5")
    term.wait(lambda s: any("Copy 1 item" in line for line in s), "the options dialog again")
    term.keys("C-a", "C-k")
    term.run("set-buffer", "-b", "burst", "Pasted label 2")
    term.run(
        "paste-buffer", "-p", "-d", "-b", "burst", "-t", term.name, ";",
        "send-keys", "-t", term.name, "Enter",
    )  # fmt: skip
    term.wait(lambda s: any("Pasted label 2" in line for line in s), "the pasted label")

    term.keys("q")
    term.wait(lambda s: "Task detail" in s[-1], "the queue focused")
    term.keys("End", "Enter")
    detail = term.wait(
        lambda s: any("Burst label 1" in line for line in s) and any("2031" in x for x in s),
        "the first task's detail with its deadline",
    )
    assert any("Deadline" in line and "2031-02" in line for line in detail), "\n".join(detail)

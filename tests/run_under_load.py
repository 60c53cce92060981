"""Run the whole test suite several times in a row while every core is kept busy.

A test that waits a fixed time, or gives up too soon, passes on an idle machine and fails on a
loaded CI runner. This runs the suite ``--runs`` times (default 3) beside one busy-looping
process per core, and stops at the first failing run. Used before a reliability change is
called done::

    .venv/bin/python tests/run_under_load.py            # three runs
    .venv/bin/python tests/run_under_load.py --runs 1 -- tests/tui   # one run of a subset
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _spin() -> None:
    while True:
        pass


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("pytest_args", nargs="*", default=["tests"])
    args = parser.parse_args()
    hogs = [multiprocessing.Process(target=_spin, daemon=True) for _ in range(os.cpu_count() or 1)]
    for hog in hogs:
        hog.start()
    try:
        for run in range(1, args.runs + 1):
            started = time.monotonic()
            done = subprocess.run(
                [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args.pytest_args],
                cwd=ROOT,
                check=False,
            )
            took = time.monotonic() - started
            print(
                f"run {run} of {args.runs} under load: exit {done.returncode} in {took:.0f} s",
                flush=True,
            )
            if done.returncode != 0:
                return done.returncode
    finally:
        for hog in hogs:
            hog.terminate()
    return 0


if __name__ == "__main__":
    sys.exit(main())

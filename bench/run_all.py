"""Run every benchmark in turn and print each one's closing line (and its details).

``python bench/run_all.py --quick`` is the five-minute round on two cores; without
``--quick`` each benchmark runs at the issue's full size. ``--only NAME`` runs a subset.
The summary at the end repeats the closing lines, in the form the README table takes.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import benchlib

BENCHMARKS = (
    "listing",
    "open_folder",
    "recursive_ls",
    "startup",
    "polling",
    "engine",
    "service_start",
    "recursive_growth",
    "history",
    "chaos",
    "compare",
    "activity",
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="the five-minute round")
    parser.add_argument("--tiny", action="store_true", help="the smallest sizes")
    parser.add_argument("--only", action="append", choices=BENCHMARKS, help="run only these")
    args = parser.parse_args()
    flags = ["--tiny"] if args.tiny else ["--quick"] if args.quick else []
    here = Path(__file__).resolve().parent
    finals: list[str] = []
    failed: list[str] = []
    started = time.perf_counter()
    print(f"machine: {benchlib.machine()}", flush=True)
    for name in args.only or BENCHMARKS:
        print(f"\n== {name}", flush=True)
        begun = time.perf_counter()
        done = subprocess.run(
            [sys.executable, str(here / f"{name}.py"), *flags],
            stdout=subprocess.PIPE,
            text=True,
            check=False,
        )
        lines = [line for line in done.stdout.splitlines() if line.strip()]
        for line in lines:
            if not line.startswith("machine:"):
                print(line, flush=True)
        last = lines[-1] if lines else ""
        if done.returncode != 0 or not benchlib.RESULT_PATTERN.match(last):
            failed.append(name)
            print(f"{name} FAILED (exit {done.returncode})", flush=True)
        else:
            finals.append(last)
        print(f"({time.perf_counter() - begun:.0f} s)", flush=True)
    print(f"\n== summary ({time.perf_counter() - started:.0f} s)", flush=True)
    for line in finals:
        print(line, flush=True)
    for name in failed:
        print(f"{name}: FAILED", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

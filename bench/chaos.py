"""chaos — transfers that survive SIGKILLs of the service and of the app, under faults.

An app process built on gtui's core (the demo user's login, ``submit_transfer`` with a
submission id kept in a journal before each submit, ``TaskMonitor``) submits one transfer per
folder of files of mixed sizes and follows them, while ``gtui sim serve`` (same root, same
port) is killed with SIGKILL and restarted at random moments, and so is the app, with 5% 5xx
answers, 2% 429s and 1% dropped connections throughout. At the end every task must have
SUCCEEDED once, every copy must be byte-equal to its source, no temporary file may be left,
and the real app's queue must show each task once with its true state
(tests/reliability/chaos.py holds the run and the checks; tests/reliability/test_chaos.py runs
it small).

Sizes: full 100 transfers, 10 service kills, 5 app kills; quick 30, 4, 2; tiny 6, 2, 1.
``--seed N`` replays a run's trees and kill moments. The figures count faults as the app saw
them (client side); "dropped" includes the connections a service kill cut.

Closing line: ``chaos: gtui <files verified> files, baseline <files submitted> files, ratio
<verified ÷ submitted>x, target 1x`` (here the ratio is the share delivered intact, so 1x is
the only passing value).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import sys

import benchlib

sys.path.insert(0, str(benchlib.PROJECT_DIR))

from tests.reliability.chaos import ChaosFailure, ChaosPlan, run_chaos, stop, verify  # noqa: E402


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", type=int, default=None, help="replay the run of this seed")


def main() -> int:
    args, size = benchlib.parse_args(__doc__ or "chaos", _options)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1_000_000_000)
    plan = ChaosPlan(
        seed=seed,
        transfers=size.pick(100, 30, 6),
        service_kills=size.pick(10, 4, 2),
        app_kills=size.pick(5, 2, 1),
        throttle_bytes_per_second=size.pick(1_000_000, 1_000_000, 500_000),
        largest_file=size.pick(1_000_000, 400_000, 100_000),
        timeout_seconds=size.pick(900, 400, 120),
    )
    flag = {"full": "", "quick": " --quick", "tiny": " --tiny"}[size.name]
    benchlib.note(f"machine: {benchlib.machine()}")
    benchlib.note(f"replay with: python bench/chaos.py{flag} --seed {seed}")
    base = benchlib.WORK_DIR / "chaos"
    shutil.rmtree(base, ignore_errors=True)
    try:
        result = run_chaos(plan, base, say=benchlib.note)
    except ChaosFailure as failure:
        benchlib.note(f"the run failed (seed {seed}; everything is kept in {base}): {failure}")
        return 1
    try:
        problems = asyncio.run(verify(result))
    finally:
        stop(result)
    for line in result.figures():
        benchlib.note(line)
    for problem in problems:
        benchlib.note(f"problem: {problem}")
    files = result.files
    ratio = result.files_verified / files if files and not problems else 0.0
    print(
        benchlib.result_line("chaos", result.files_verified, files, "files", target=1, ratio=ratio),
        flush=True,
    )
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())

"""Each benchmark runs at its smallest size and ends with its closing line in the exact format.

Timings are not checked: benchmarks print figures, they never fail the build on time.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))

from benchlib import RESULT_PATTERN  # noqa: E402
from run_all import BENCHMARKS  # noqa: E402


@pytest.mark.parametrize("name", BENCHMARKS)
def test_benchmark_prints_its_closing_line(name: str, tmp_path: Path) -> None:
    env = {**os.environ, "GTUI_BENCH_TINY": "1", "GTUI_BENCH_DIR": str(tmp_path / "bench")}
    for key in ("GTUI_CONFIG_DIR", "GTUI_DATA_DIR", "GTUI_LOG_DIR"):
        env.pop(key, None)
    done = subprocess.run(
        [sys.executable, str(BENCH / f"{name}.py"), "--tiny"],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    match = RESULT_PATTERN.match(lines[-1])
    assert match, f"not a closing line: {lines[-1]!r}"
    assert match["name"] == name
    gtui, baseline, ratio = float(match["gtui"]), float(match["baseline"]), float(match["ratio"])
    assert gtui > 0 and baseline > 0
    assert ratio == pytest.approx(baseline / gtui, rel=0.06, abs=0.011)


def test_closing_line_format_puts_the_ratio_as_baseline_over_gtui() -> None:
    from benchlib import result_line

    line = result_line("startup", 1.2, 0.8, "s", 0.67)
    assert line == "startup: gtui 1.20 s, baseline 0.800 s, ratio 0.67x, target 0.67x"
    assert RESULT_PATTERN.match(line)

"""engine: the embedded service copying 1 GiB of mixed file sizes, against ``cp -r``.

A tree of 1 GiB (two 256 MiB files, sixteen of 16 MiB, 128 of 1 MiB and 2,048 small ones
between 1 and 127 KiB, in folders of 64) is built once and hard-linked into the laptop
collection of a fresh demo world each run (so no earlier run's task history weighs on the
service). The service runs in a process of its own, started exactly as ``gtui --demo`` starts
it; the benchmark submits an unthrottled transfer of the tree to the scratch collection (no
checksum, as ``cp -r`` has none) and times it from the submit until the task is SUCCEEDED,
three times. ``cp -r`` copies the same tree on the same file system before the first copy
and after each one; medians are compared. While the service copies, the app (headless, its
task queue following the task) runs a probe in its event loop that records the longest the
loop was kept from running.
Targets: ≥ 0.7× the speed of ``cp -r`` (ratio = cp time ÷ engine time); no stall over 100 ms.
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import benchlib

TARGET_RATIO = 0.7
STALL_TARGET_MS = 100
MIB = 1024 * 1024
PER_FOLDER = 64
PROBE_INTERVAL = 0.005


def tree_spec(scale: float) -> list[int]:
    """File sizes of the tree, 1 GiB at scale 1."""
    rng = random.Random(1)
    big = [int(256 * MIB * scale)] * 2
    medium = [int(16 * MIB * scale)] * 16
    small = [int(MIB * scale)] * 128
    tiny = [max(1, int(rng.randrange(1024, 128 * 1024) * scale)) for _ in range(2048)]
    return big + medium + small + tiny


def build_tree(folder: Path, sizes: list[int]) -> int:
    """Write the tree once (a marker records it); returns its size in bytes."""
    marker = folder.parent / f".{folder.name}.complete"
    total = sum(sizes)
    if marker.exists() and marker.read_text() == str(total):
        return total
    shutil.rmtree(folder, ignore_errors=True)
    block = os.urandom(MIB)
    for index, size in enumerate(sizes):
        path = folder / f"part_{index // PER_FOLDER:03d}" / f"file_{index:05d}.bin"
        path.parent.mkdir(parents=True, exist_ok=True)
        shift = (index * 7919) % MIB
        rotated = block[shift:] + block[:shift]
        with open(path, "wb") as handle:
            left = size
            while left > 0:
                chunk = rotated[: min(MIB, left)]
                handle.write(chunk)
                left -= len(chunk)
    marker.write_text(str(total))
    return total


def time_cp(source: Path, target: Path) -> float:
    shutil.rmtree(target, ignore_errors=True)
    os.sync()
    start = time.perf_counter()
    subprocess.run(["cp", "-r", str(source), str(target)], check=True)
    elapsed = time.perf_counter() - start
    shutil.rmtree(target, ignore_errors=True)
    return elapsed


async def run_engine(sim: Any, source: str, destination: str) -> dict[str, Any]:
    """Submit the copy from the running app and time it; probe the app's loop meanwhile."""
    from gtui.core.transfer_data import TransferData
    from gtui.sim.world import LAPTOP_ID, SCRATCH_ID

    session = await benchlib.demo_session(sim)
    app = benchlib.demo_app(session)
    result: dict[str, Any] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(1.0)
        data = TransferData(LAPTOP_ID, SCRATCH_ID, label="engine benchmark", verify_checksum=False)
        data.add_item(source, destination, recursive=True)
        probe = benchlib.StallProbe(PROBE_INTERVAL)
        probe_task = asyncio.create_task(probe.run())
        start = time.perf_counter()
        task_id = (await session.transfer.submit_transfer(data))["task_id"]
        app.feed.watch(task_id)
        while True:
            doc = await session.transfer.get_task(task_id)
            if doc["status"] != "ACTIVE":
                break
            await asyncio.sleep(0.05)
        result["seconds"] = time.perf_counter() - start
        probe.stop()
        await probe_task
        result["status"] = doc["status"]
        result["bytes"] = doc.get("bytes_transferred")
        result["files"] = doc.get("files_transferred")
        result["stall_s"] = probe.worst
        result["probe_samples"] = probe.samples
        await pilot.pause(0.5)
    await session.aclose()
    return result


def main() -> int:
    _, size = benchlib.parse_args(__doc__ or "")
    scale = size.pick(1.0, 0.25, 1 / 128)
    tree = benchlib.WORK_DIR / "engine-trees" / f"bench-tree-{size.name}"
    total = build_tree(tree, tree_spec(scale))
    root = benchlib.WORK_DIR / "world-engine-run"
    shutil.rmtree(root, ignore_errors=True)
    home = root / "laptop" / "home" / "demo"
    home.mkdir(parents=True)
    source = home / tree.name
    subprocess.run(["cp", "-al", str(tree), str(source)], check=True)
    scratch_home = root / "scratch" / "home" / "demo"
    copy_dir = scratch_home / "bench-copy"
    cp_target = scratch_home / "bench-cp"
    scratch_home.mkdir(parents=True, exist_ok=True)
    from gtui.demo_service import start_demo_service

    rounds = size.pick(3, 1, 1)
    cp_times = [time_cp(source, cp_target)]
    runs = []
    sim = start_demo_service(root, log_file=benchlib.WORK_DIR / "engine-sim.log")
    try:
        for _ in range(rounds):
            shutil.rmtree(copy_dir, ignore_errors=True)
            os.sync()
            runs.append(asyncio.run(run_engine(sim, f"/~/{source.name}/", "/~/bench-copy/")))
            shutil.rmtree(copy_dir, ignore_errors=True)
            cp_times.append(time_cp(source, cp_target))
    finally:
        sim.stop()
    engine_s = benchlib.median(run["seconds"] for run in runs)
    cp_s = benchlib.median(cp_times)
    stall = max(run["stall_s"] for run in runs)
    fig = benchlib.figure
    mib = total / MIB
    benchlib.note(f"machine: {benchlib.machine()}")
    benchlib.note(f"tree: {len(tree_spec(scale)):,} files, {fig(mib)} MiB")
    for run in runs:
        if run["status"] != "SUCCEEDED" or run["bytes"] != total:
            benchlib.note(f"WARNING: the task ended {run['status']} with {run['bytes']} bytes")
    benchlib.note(
        "service copy: "
        + ", ".join(f"{fig(run['seconds'])} s" for run in runs)
        + f" (median {fig(engine_s)} s, {fig(mib / engine_s)} MiB/s, {runs[0]['files']:,} files)"
    )
    benchlib.note(
        "cp -r, before and between: "
        + ", ".join(f"{fig(t)} s" for t in cp_times)
        + f" (median {fig(cp_s)} s, {fig(mib / cp_s)} MiB/s)"
    )
    benchlib.note(
        "largest event-loop stall of the app during the copies: "
        + ", ".join(f"{fig(run['stall_s'] * 1000)} ms" for run in runs)
        + f" (worst {fig(stall * 1000)} ms "
        f"over {sum(run['probe_samples'] for run in runs):,} probes; "
        f"target ≤ {STALL_TARGET_MS} ms)"
    )
    print(benchlib.result_line("engine", engine_s, cp_s, "s", TARGET_RATIO), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

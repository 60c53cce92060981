"""history: the app over 100, 1,000 and 10,000 past tasks — start, queue, polling, quit.

For each size a demo world gets that many finished transfers of the demo user (each with its
files and events) written into the service's database, and the service runs in its own
process, throttled so that two transfers submitted at the start stay ACTIVE throughout. Then
the real app (``GtuiApp``, logged in as ``gtui --demo`` logs in, 120×40) starts, and the run
records:

- start → the first frame whose queue shows the newest task (the queue's first frame);
- the requests the app makes per minute once it is up (the queue's polling of the two active
  tasks and everything else), counted on its HTTP client over a window of real time;
- F10 → the app has exited (quit).

The closing line compares the queue's first frame at the largest history (gtui) with the
smallest (baseline): 1x means the history costs nothing. Target: 0.9x (flat within noise).
"""

from __future__ import annotations

import asyncio
import math
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import benchlib
from service_start import add_history, prepare

SCREEN = (120, 40)
FILES_PER_TASK = 5
TARGET_RATIO = 0.9
SOURCE_FILE = "/~/projects/climate-model/output/run_001.nc"


@dataclass
class Run:
    tasks: int
    queue_frame: float
    requests_per_minute: float
    quit: float


def world_with_history(tasks: int) -> Path:
    """A demo world whose database holds ``tasks`` finished transfers of the demo user."""
    from gtui.sim.world import DEMO_USER_ID

    root = benchlib.WORK_DIR / f"world-history-{tasks}"
    built = root / ".history-built"
    if not built.exists():
        prepare(root)
        add_history(root, tasks, FILES_PER_TASK, DEMO_USER_ID)
        built.touch()
    return root


async def submit_active(session: Any, count: int, tag: str) -> list[str]:
    """``count`` real transfers that the throttled service keeps ACTIVE, labelled with ``tag``
    (new each run, so the newest task's label is known)."""
    from gtui.core.transfer_data import TransferData
    from gtui.sim.world import GUEST_ID, LAPTOP_ID

    ids = []
    for i in range(count):
        data = TransferData(LAPTOP_ID, GUEST_ID, label=f"active {tag} {i}")
        data.add_item(SOURCE_FILE, f"/bench-history/copy_{i}.nc")
        ids.append((await session.transfer.submit_transfer(data))["task_id"])
    return ids


async def run_app(service: benchlib.ServiceProcess, tasks: int, window: float) -> Run:

    session = await benchlib.demo_session(service)
    tag = uuid.uuid4().hex[:6]
    active = await submit_active(session, 2, tag)
    requests = 0

    async def count(_request: Any) -> None:
        nonlocal requests
        requests += 1

    hooks = session.http_client.event_hooks
    session.http_client.event_hooks = {**hooks, "request": [*hooks["request"], count]}
    app = benchlib.demo_app(session)
    probe = benchlib.FrameProbe()
    probe.install(app)
    probe.expect(f"active {tag} 1")  # the newest task, above the history
    start = time.perf_counter()
    async with app.run_test(size=SCREEN) as pilot:
        queue_frame = await probe.wait() - start
        await pilot.pause(1.0)  # the first polls after start are not the steady rate
        counted_from = requests
        await asyncio.sleep(window)
        per_minute = (requests - counted_from) * 60 / window
        for task_id in active:
            await session.transfer.cancel_task(task_id)
        quitting = time.perf_counter()
        await pilot.press("f10")
        while app.is_running:
            await asyncio.sleep(0.001)
    quit_seconds = time.perf_counter() - quitting
    await session.aclose()
    return Run(tasks, queue_frame, per_minute, quit_seconds)


def main() -> int:
    _, size = benchlib.parse_args(__doc__ or "")
    sizes = size.pick((100, 1_000, 10_000), (100, 1_000, 10_000), (10, 100))
    window = size.pick(60.0, 20.0, 3.0)
    fig = benchlib.figure
    benchlib.note(f"machine: {benchlib.machine()}")
    runs: list[Run] = []
    for tasks in sizes:
        root = world_with_history(tasks)
        with benchlib.serve_process(root, "--throttle", "1000") as service:
            runs.append(asyncio.run(run_app(service, tasks, window)))
    for run in runs:
        benchlib.note(
            f"{run.tasks:,} finished tasks: queue's first frame {fig(run.queue_frame)} s after "
            f"start, {fig(run.requests_per_minute)} requests per minute "
            f"(2 active tasks, {fig(window)} s counted), quit {fig(run.quit * 1000)} ms"
        )
    small, big = runs[0], runs[-1]
    scale = math.log(big.tasks / small.tasks)
    benchlib.note(
        f"growth {small.tasks:,} → {big.tasks:,} tasks (exponent; 0 = flat, 1 = linear): "
        f"queue's first frame {math.log(big.queue_frame / small.queue_frame) / scale:.2f}, "
        f"quit {math.log(big.quit / small.quit) / scale:.2f}"
    )
    print(
        benchlib.result_line("history", big.queue_frame, small.queue_frame, "s", TARGET_RATIO),
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

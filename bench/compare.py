"""compare: two trees of 100,000 files in 2,000 folders, 1% of the files changed, 20 ms a call.

Two trees are built once on disk, one under the laptop collection and one under the scratch
collection of a demo world (``/compare/files-N/top_TT/sub_SS/file_FF.dat``: 50 files a
folder, 40 top folders of 50 subfolders at 100,000 files; a few bytes a file). 1% of the
files differ, chosen by a seeded generator: a third newer on the left (mtime +1 h), a third
newer on the right, a third one byte longer on the right with the same mtime. The embedded
service runs in its own process and adds 20 ms to every request.

- gtui: ``gtui.core.compare_walk.compare_folders`` with the core's ``TransferClient`` (the demo's
  confidential client), in a fresh process so its peak memory is its own. Every class it
  finds must be exactly the changed files (asserted).
- baseline: what a user can do today: list both trees with the official globus-sdk and the
  SDK manual's recursive helper (as ``recursive_ls.py`` has it, 0.5 s sleep every 10 calls),
  one after the other, then diff ``name → (type, size, mtime)`` dicts in Python. Same
  classes (asserted).
- the real app (``GtuiApp`` logged in as ``gtui --demo`` is) with its panes on the two
  folders: ``=`` → the frame showing the comparison's totals, while a 5 ms ticker records
  the event loop's worst lateness and a ``gc.callbacks`` hook the longest full garbage
  collection (three times at the full size).

Sizes 10,000 and 100,000 files (the growth: time per file). Targets: ≥ 8× faster than the
baseline, gtui's process under 300 MB at its peak for both trees, the app's loop never
stalled more than 50 ms while comparing.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import math
import os
import random
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import benchlib
from recursive_ls import recursive_ls as seed_recursive_ls

LATENCY = 0.02
TARGET_RATIO = 8
MEMORY_TARGET_MB = 300
STALL_TARGET_MS = 50
FILES_PER_FOLDER = 50
CHANGED_PER_100 = 1
BASE_MTIME = 1_760_000_000
SCREEN = (120, 40)
SHOWN_TEXT = "newer or only on the left"
CLASSES = ("NEWER_LEFT", "NEWER_RIGHT", "SIZE_DIFFERS")
SHAPES = {
    # files: (top folders, subfolders in each); 50 files in every subfolder
    500: (2, 5),
    1_000: (4, 5),
    10_000: (10, 20),
    100_000: (40, 50),
}


def tree_path(files: int) -> str:
    return f"/compare/files-{files}/"


def collection_roots(world: Path) -> tuple[Path, Path]:
    from gtui.sim.world import LAPTOP_ID, SCRATCH_ID, demo_collections

    collections = demo_collections(world)
    return collections[LAPTOP_ID].root, collections[SCRATCH_ID].root


def file_names(files: int) -> list[str]:
    """Every file's path relative to the compared folder, in the order built."""
    tops, subs = SHAPES[files]
    return [
        f"top_{t:02d}/sub_{s:02d}/file_{f:02d}.dat"
        for t in range(tops)
        for s in range(subs)
        for f in range(FILES_PER_FOLDER)
    ]


def expected_classes(files: int) -> dict[str, str]:
    """The changed files and the class each must get (the rest are the same)."""
    names = file_names(files)
    picks = sorted(random.Random(files).sample(range(len(names)), files * CHANGED_PER_100 // 100))
    return {names[i]: CLASSES[k % len(CLASSES)] for k, i in enumerate(picks)}


def build_trees(world: Path, files: int) -> bool:
    """Both trees on disk (once); True when they were built now."""
    left_root, right_root = collection_roots(world)
    rel = tree_path(files).strip("/")
    left_top, right_top = left_root / rel, right_root / rel
    markers = [root / "compare" / f".built-{files}-v1" for root in (left_root, right_root)]
    if all(marker.exists() for marker in markers):
        return False
    changed = expected_classes(files)
    for i, name in enumerate(file_names(files)):
        body = b"x" * (1 + i % 7)
        mtime = BASE_MTIME + i
        kind = changed.get(name)
        for top, side in ((left_top, "left"), (right_top, "right")):
            path = top / name
            if i % FILES_PER_FOLDER == 0:
                path.parent.mkdir(parents=True, exist_ok=True)
            data = body + b"y" if kind == "SIZE_DIFFERS" and side == "right" else body
            path.write_bytes(data)
            when = mtime
            if (kind == "NEWER_LEFT" and side == "left") or (
                kind == "NEWER_RIGHT" and side == "right"
            ):
                when += 3600
            os.utime(path, (when, when))
    for marker in markers:  # beside the compared folders, not in them
        marker.touch()
    return True


def warm_disk(world: Path, files: int) -> None:
    """Read both trees' inodes once, so neither side pays for a cold disk cache."""
    for root in collection_roots(world):
        for folder, _, names in os.walk(root / tree_path(files).strip("/")):
            for name in names:
                os.stat(os.path.join(folder, name))


# -- gtui (in a process of its own) ------------------------------------------------------------


async def run_gtui(base_url: str, files: int) -> dict[str, Any]:
    import httpx

    from gtui.core.authorizers import AccessTokenAuthorizer
    from gtui.core.compare import Diff, Place
    from gtui.core.compare_walk import compare_folders
    from gtui.core.http import new_http_client
    from gtui.core.transfer import TransferClient
    from gtui.sim.world import LAPTOP_ID, SCRATCH_ID

    service = benchlib.ServiceProcess(None, base_url)  # type: ignore[arg-type]
    token = benchlib.client_credentials_token(service)
    requests = 0

    async def count(_request: httpx.Request) -> None:
        nonlocal requests
        requests += 1

    http = new_http_client(tls=False, event_hooks={"request": [count]})
    client = TransferClient(
        base_url=service.service_urls["transfer"],
        authorizer=AccessTokenAuthorizer(token),
        http_client=http,
    )
    path = tree_path(files)
    try:
        # Warm the imports, the connections and the CPU worker on one small folder.
        first = path + "top_00/sub_00/"
        await compare_folders(client, Place(LAPTOP_ID, first), Place(SCRATCH_ID, first))
        gc.collect()
        rss_before = benchlib.rss_mb()
        requests = 0
        reports: list[tuple[float, bool]] = []
        cpu = time.process_time()
        start = time.perf_counter()
        comparison = await compare_folders(
            client,
            Place(LAPTOP_ID, path),
            Place(SCRATCH_ID, path),
            on_progress=lambda p: reports.append((time.perf_counter(), p.done)),
        )
        seconds = time.perf_counter() - start
        cpu = time.process_time() - cpu
        walked = max((t for t, done in reports if not done), default=start + seconds)
        rss_after = benchlib.rss_mb()
        differing = {
            comparison.names[i]: Diff(d).name
            for i, d in enumerate(comparison.diff)
            if d != Diff.SAME
        }
        return {
            "files": files,
            "seconds": seconds,
            "cpu_s": cpu,
            "walk_s": walked - start,
            "merge_s": start + seconds - walked,
            "requests": requests,
            "rows": len(comparison),
            "errors": len(comparison.errors),
            "differing": differing,
            "rss_before_mb": rss_before,
            "rss_after_mb": rss_after,
            "peak_mb": benchlib.peak_rss_mb(),
        }
    finally:
        await http.aclose()


# -- the baseline ----------------------------------------------------------------------------


def run_baseline(service: benchlib.ServiceProcess, token: str, files: int) -> dict[str, Any]:
    """Both trees listed with the seed helper over globus-sdk, then diffed in Python."""
    import globus_sdk

    from gtui.sim.world import LAPTOP_ID, SCRATCH_ID

    os.environ.update(service.env)
    tc = globus_sdk.TransferClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
    path = tree_path(files)
    start = time.perf_counter()
    left = {
        item["name"]: (item["type"], item["size"], item["last_modified"])
        for item in seed_recursive_ls(tc, LAPTOP_ID, path)
    }
    listed_left = time.perf_counter()
    right = {
        item["name"]: (item["type"], item["size"], item["last_modified"])
        for item in seed_recursive_ls(tc, SCRATCH_ID, path)
    }
    listed = time.perf_counter()
    differing: dict[str, str] = {}
    for name in left.keys() | right.keys():
        if name not in right:
            differing[name] = "ONLY_LEFT"
        elif name not in left:
            differing[name] = "ONLY_RIGHT"
        else:
            (lt, ls, lm), (rt, rs, rm) = left[name], right[name]
            if lt != rt:
                differing[name] = "TYPE_CONFLICT"
            elif lt == "dir":
                continue
            elif lm != rm:
                newer = datetime.fromisoformat(lm) > datetime.fromisoformat(rm)
                differing[name] = "NEWER_LEFT" if newer else "NEWER_RIGHT"
            elif ls != rs:
                differing[name] = "SIZE_DIFFERS"
    end = time.perf_counter()
    return {
        "seconds": end - start,
        "left_s": listed_left - start,
        "right_s": listed - listed_left,
        "diff_s": end - listed,
        "entries": (len(left), len(right)),
        "differing": differing,
    }


# -- the app (in a process of its own) ---------------------------------------------------------


async def run_app(base_url: str, files: int, repeats: int) -> dict[str, Any]:
    from gtui.malloc_tuning import keep_big_blocks_out_of_the_heap
    from gtui.sim.world import LAPTOP_ID, SCRATCH_ID
    from gtui.tui.app import PanePlace
    from gtui.tui.screens.compare import CompareScreen
    from gtui.tui.widgets.file_pane import FilePane

    keep_big_blocks_out_of_the_heap()  # as the app does once its first frame is up
    service = benchlib.ServiceProcess(None, base_url)  # type: ignore[arg-type]
    session = await benchlib.demo_session(service)
    path = tree_path(files)
    app = benchlib.demo_app(
        session, left=PanePlace(LAPTOP_ID, path), right=PanePlace(SCRATCH_ID, path)
    )
    probe = benchlib.FrameProbe()
    collections: list[tuple[int, float]] = []
    began: list[float] = []

    def timed_gc(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            began[:] = [time.perf_counter()]
        elif began:
            collections.append((info["generation"], time.perf_counter() - began[0]))

    shown: list[float] = []
    stalls: list[float] = []
    found: list[str] = []
    gc_worst: list[float] = []
    async with app.run_test(size=SCREEN) as pilot:
        probe.install(app)
        deadline = time.monotonic() + 120
        while True:
            panes = [app.screen.query_one(f"#{side}", FilePane) for side in ("left", "right")]
            if all(p.path == path and not p.fetching for p in panes):
                break
            if time.monotonic() > deadline:
                raise TimeoutError("the panes never showed the compared folders")
            await asyncio.sleep(0.01)
        await pilot.pause()
        gc.collect()
        objects = len(gc.get_objects())
        gc.callbacks.append(timed_gc)
        for _ in range(repeats):
            gc.collect()
            collections.clear()
            probe.expect(SHOWN_TEXT)
            stall = benchlib.StallProbe()
            ticker = asyncio.create_task(stall.run())
            start = time.perf_counter()
            await pilot.press("equals_sign")
            painted = await probe.wait(timeout=1200)
            shown.append(painted - start)
            stall.stop()
            await ticker
            stalls.append(stall.worst)
            full = [seconds for generation, seconds in collections if generation == 2]
            gc_worst.append(max(full, default=0.0))
            screen = app.screen
            assert isinstance(screen, CompareScreen) and screen.comparison is not None
            found.append(screen.query_one("#compare-status").render().plain.split("\n")[0])
            await pilot.press("escape")
            await pilot.pause()
    await session.aclose()
    return {
        "shown_s": shown,
        "stalls_s": stalls,
        "status": found[-1] if found else "",
        "gc2_s": gc_worst,
        "objects": objects,
        "peak_mb": benchlib.peak_rss_mb(),
    }


# -- the run ---------------------------------------------------------------------------------


def exponent(small: float, big: float, small_n: int, big_n: int) -> float:
    return math.log(big / small) / math.log(big_n / small_n)


def main() -> int:
    def extra(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--side", choices=("gtui", "app"), help=argparse.SUPPRESS)
        parser.add_argument("--files", type=int, help=argparse.SUPPRESS)
        parser.add_argument("--base-url", help=argparse.SUPPRESS)
        parser.add_argument("--repeats", type=int, default=1, help=argparse.SUPPRESS)

    args, size = benchlib.parse_args(__doc__ or "", extra)
    if args.side == "gtui":
        print(json.dumps(asyncio.run(run_gtui(args.base_url, args.files))), flush=True)
        return 0
    if args.side == "app":
        result = asyncio.run(run_app(args.base_url, args.files, args.repeats))
        print(json.dumps(result), flush=True)
        return 0
    sizes = size.pick((10_000, 100_000), (1_000, 10_000), (500, 1_000))
    repeats = size.pick(3, 1, 1)
    fig = benchlib.figure
    benchlib.note(f"machine: {benchlib.machine()}")
    world = benchlib.WORK_DIR / "world-compare"
    for files in sizes:
        collection_roots(world)[0].mkdir(parents=True, exist_ok=True)
        collection_roots(world)[1].mkdir(parents=True, exist_ok=True)
        built, fresh = benchlib.timed(lambda n=files: build_trees(world, n))
        if fresh:
            benchlib.note(f"built the two {files:,}-file trees in {fig(built)} s")
        warm_disk(world, files)
    me = str(Path(__file__).resolve())
    flags = ["--tiny"] if size.name == "tiny" else []
    runs: list[tuple[int, dict[str, Any], dict[str, Any]]] = []
    with benchlib.serve_process(world, "--latency", str(LATENCY)) as service:
        token = benchlib.client_credentials_token(service)
        import globus_sdk  # noqa: F401  (imported before the baseline's clock starts)

        for files in sizes:
            gtui = benchlib.run_json(
                [
                    me,
                    *flags,
                    "--side",
                    "gtui",
                    "--files",
                    str(files),
                    "--base-url",
                    service.base_url,
                ],
                timeout=1800,
            )
            base = run_baseline(service, token, files)
            runs.append((files, gtui, base))
        app = benchlib.run_json(
            [
                me,
                *flags,
                "--side",
                "app",
                "--files",
                str(sizes[-1]),
                "--base-url",
                service.base_url,
                "--repeats",
                str(repeats),
            ],
            timeout=3600,
        )
    for files, gtui, base in runs:
        tops, subs = SHAPES[files]
        expected = expected_classes(files)
        counts = {c: sum(1 for v in expected.values() if v == c) for c in CLASSES}
        assert gtui["differing"] == expected, "gtui's classes are not the changed files"
        assert base["differing"] == expected, "the baseline's classes are not the changed files"
        assert gtui["errors"] == 0
        folders = tops * subs + tops
        benchlib.note(
            f"{files:,} files, {folders:,} folders a side ({tops} × {subs}, 50 files each), "
            f"{len(expected):,} changed ({counts['NEWER_LEFT']} newer left, "
            f"{counts['NEWER_RIGHT']} newer right, {counts['SIZE_DIFFERS']} size differs); "
            f"{int(LATENCY * 1000)} ms added per call"
        )
        benchlib.note(
            f"  gtui compare_folders: {fig(gtui['seconds'])} s ({fig(gtui['walk_s'])} s both "
            f"walks, {fig(gtui['merge_s'])} s merge), {gtui['requests']:,} requests, "
            f"{gtui['rows']:,} rows; {fig(gtui['seconds'] / files * 1e6)} µs per file; process "
            f"CPU {fig(gtui['cpu_s'])} s; found exactly the changed files"
        )
        benchlib.note(
            f"  gtui memory: peak {fig(gtui['peak_mb'])} MB resident (target < "
            f"{MEMORY_TARGET_MB} MB: {'met' if gtui['peak_mb'] < MEMORY_TARGET_MB else 'missed'}"
            f"), {fig(gtui['rss_before_mb'])} MB before the compare, "
            f"{fig(gtui['rss_after_mb'])} MB holding the result"
        )
        benchlib.note(
            f"  baseline (seed helper over globus-sdk, then dicts): {fig(base['seconds'])} s "
            f"(left {fig(base['left_s'])} s, right {fig(base['right_s'])} s, diff "
            f"{fig(base['diff_s'] * 1000)} ms), {base['entries'][0]:,} + {base['entries'][1]:,} "
            f"entries; {fig(base['seconds'] / files * 1e6)} µs per file; same classes"
        )
        ratio = base["seconds"] / gtui["seconds"]
        benchlib.note(
            f"  ratio {fig(ratio)}x (target {TARGET_RATIO}x: "
            f"{'met' if ratio >= TARGET_RATIO else 'missed'})"
        )
    if len(runs) > 1:
        (n0, g0, b0), (n1, g1, b1) = runs[0], runs[-1]
        benchlib.note(
            f"growth {n0:,} → {n1:,} files (exponent; 1 = linear): gtui time "
            f"{exponent(g0['seconds'], g1['seconds'], n0, n1):.2f} "
            f"({fig(g0['seconds'] / n0 * 1e6)} → {fig(g1['seconds'] / n1 * 1e6)} µs per file), "
            f"gtui CPU {exponent(g0['cpu_s'], g1['cpu_s'], n0, n1):.2f} "
            f"({fig(g0['cpu_s'] / n0 * 1e6)} → {fig(g1['cpu_s'] / n1 * 1e6)} µs per file), "
            f"gtui peak memory {exponent(g0['peak_mb'], g1['peak_mb'], n0, n1):.2f} "
            f"({fig(g0['peak_mb'])} → {fig(g1['peak_mb'])} MB), baseline time "
            f"{exponent(b0['seconds'], b1['seconds'], n0, n1):.2f} "
            f"({fig(b0['seconds'] / n0 * 1e6)} → {fig(b1['seconds'] / n1 * 1e6)} µs per file)"
        )
    worst = max(app["stalls_s"]) * 1000
    stalls = ", ".join(f"{fig(s * 1000)}" for s in app["stalls_s"])
    shown = ", ".join(f"{fig(s)}" for s in app["shown_s"])
    benchlib.note(
        f"app at {sizes[-1]:,} files: = → the totals on screen {shown} s; worst loop stall "
        f"{stalls} ms (target ≤ {STALL_TARGET_MS} ms: "
        f"{'met' if worst <= STALL_TARGET_MS else 'missed'}); app peak "
        f"{fig(app['peak_mb'])} MB; shown: {app['status']!r}"
    )
    gc_pauses = ", ".join(f"{fig(s * 1000)}" for s in app["gc2_s"])
    benchlib.note(
        f"  the app's longest full (generation 2) garbage collection in each: {gc_pauses} ms "
        f"({app['objects']:,} objects tracked before comparing)"
    )
    files, gtui, base = runs[-1]
    print(
        benchlib.result_line("compare", gtui["seconds"], base["seconds"], "s", TARGET_RATIO),
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

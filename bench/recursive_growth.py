"""recursive_growth: how the recursive listing's cost grows with the tree, 1k → 10k → 100k folders.

Trees of about 1,000, 10,000 and 100,000 folders (a top folder of √N groups, each of √N leaf
folders holding one file) are built once under the scratch collection of a demo world; the
embedded service runs in its own process with no added latency. gtui's
``gtui.core.recursive.recursive_ls`` walks each tree whole, three times at the smallest size
and once at the others. Printed per size: the walk's time, its time per 1,000 folders, its
requests, and the walking process's peak resident memory growth.

The closing line compares the time per 1,000 folders (in ms) at the largest size (gtui) with
that at the smallest (baseline): a ratio of 1x or more means the walk grows linearly or better.
Target: 1x.
"""

from __future__ import annotations

import asyncio
import math
import resource
import sys
import time
from pathlib import Path
from typing import Any

import benchlib

TARGET_RATIO = 1


def tree_path(folders: int) -> str:
    return f"/growth/tree-{folders}/"


def build_tree(scratch: Path, folders: int) -> int:
    """The tree of about ``folders`` folders (built once); returns its exact folder count."""
    groups = math.isqrt(folders)
    leaves = max(1, folders // groups - 1)
    top = scratch / tree_path(folders).strip("/")
    done = top / ".built"
    if not done.exists():
        for g in range(groups):
            for leaf in range(leaves):
                folder = top / f"group_{g:04d}" / f"leaf_{leaf:04d}"
                folder.mkdir(parents=True, exist_ok=True)
                (folder / "data.bin").touch()
        done.touch()
    return groups * (leaves + 1)


def scratch_root(world: Path) -> Path:
    from gtui.sim.world import SCRATCH_ID, demo_collections

    return demo_collections(world)[SCRATCH_ID].root


async def walk(service: benchlib.ServiceProcess, token: str, path: str) -> dict[str, Any]:
    """gtui's walk of ``path`` (every level); counts folders, entries and requests."""
    import httpx

    from gtui.core.authorizers import AccessTokenAuthorizer
    from gtui.core.http import new_http_client
    from gtui.core.recursive import ListingError, recursive_ls
    from gtui.core.transfer import TransferClient
    from gtui.sim.world import SCRATCH_ID

    requests = 0

    async def count(_request: httpx.Request) -> None:
        nonlocal requests
        requests += 1

    http = new_http_client(event_hooks={"request": [count]})
    client = TransferClient(
        base_url=service.service_urls["transfer"],
        authorizer=AccessTokenAuthorizer(token),
        http_client=http,
    )
    entries = folders = failed = 0
    start = time.perf_counter()
    try:
        async for item in recursive_ls(client, SCRATCH_ID, path, max_depth=3):
            if isinstance(item, ListingError):
                failed += 1
                continue
            entries += 1
            folders += item.is_dir
    finally:
        await http.aclose()
    return {
        "seconds": time.perf_counter() - start,
        "entries": entries,
        "folders": folders,
        "failed": failed,
        "requests": requests,
    }


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    _, size = benchlib.parse_args(__doc__ or "")
    sizes = size.pick((1_000, 10_000, 100_000), (1_000, 10_000, 30_000), (100, 1_000))
    fig = benchlib.figure
    benchlib.note(f"machine: {benchlib.machine()}")
    world = benchlib.WORK_DIR / "world-growth"
    results: list[tuple[int, dict[str, Any], float]] = []
    with benchlib.serve_process(world) as service:
        scratch = scratch_root(world)
        counts = {}
        for folders in sizes:
            built, counts[folders] = benchlib.timed(lambda n=folders: build_tree(scratch, n))
            if built > 1:
                benchlib.note(f"built the {counts[folders]:,}-folder tree in {fig(built)} s")
        token = benchlib.client_credentials_token(service)
        asyncio.run(walk(service, token, tree_path(sizes[0])))  # warm the service and imports
        for folders in sizes:
            repeats = 3 if folders == sizes[0] else 1
            before = peak_rss_mb()
            runs = [asyncio.run(walk(service, token, tree_path(folders))) for _ in range(repeats)]
            run = min(runs, key=lambda r: r["seconds"])
            results.append((counts[folders], run, peak_rss_mb() - before))
    for folders, run, grown in results:
        if run["folders"] != folders or run["failed"]:
            benchlib.note(f"WARNING: {run['folders']:,} folders found, {run['failed']} failed")
        benchlib.note(
            f"{folders:,} folders ({run['entries']:,} entries): {fig(run['seconds'])} s, "
            f"{fig(run['seconds'] / folders * 1000)} s per 1,000 folders, "
            f"{run['requests']:,} requests, peak resident +{fig(grown)} MB"
        )
    (small, small_run, _), (big, big_run, _) = results[0], results[-1]
    growth = math.log(big_run["seconds"] / small_run["seconds"]) / math.log(big / small)
    benchlib.note(f"growth {small:,} → {big:,} folders: time exponent {growth:.2f} (1 = linear)")
    print(
        benchlib.result_line(
            "recursive_growth",
            big_run["seconds"] / big * 1e6,
            small_run["seconds"] / small * 1e6,
            "ms",
            TARGET_RATIO,
        ),
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""recursive_ls: listing a tree of 2,000+ folders on the embedded service, 20 ms per call.

gtui's ``gtui.core.recursive.recursive_ls`` against the SDK manual's sequential helper
("Recursive ls via TransferClient", final version "With Sleep and Parameter Passing",
[001 §1.14.7]) written out below over the official globus-sdk, with its sleeps (0.5 s every
10 calls). Same tree (the demo world's ``/wide/``: 8×16×16 folders), same service, which runs
in its own process with 20 ms of added latency per request. Target: ≥ 8× faster.

Then the service's rate limit is switched on: gtui must make zero failed calls and finish
within 1.2× of (calls ÷ allowed rate) — once told the rate, and once knowing nothing but the
service's ``429 Retry-After`` answers.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections import deque
from typing import Any

import benchlib

LATENCY = 0.02
TARGET_RATIO = 8
RATE_TARGET = 1.2


# The seed's final example, as printed, with the item loop outdented as upstream's
# docs/examples/recursive_ls.rst has it (so both walks yield the same entries).
def _recursive_ls_helper(
    tc,
    ep,
    queue,
    max_depth,
    sleep_frequency,
    sleep_duration,
    ls_params,
    top_level_ls_params,
):
    call_count = 0
    while queue:
        abs_path, rel_path, depth = queue.pop()
        path_prefix = rel_path + "/" if rel_path else ""

        use_params = ls_params
        if call_count == 0:
            use_params = {**ls_params, **top_level_ls_params}

        res = tc.operation_ls(ep, path=abs_path, **use_params)

        call_count += 1
        if call_count % sleep_frequency == 0:
            time.sleep(sleep_duration)

        if depth < max_depth:
            queue.extend(
                (
                    res["path"] + item["name"],
                    path_prefix + item["name"],
                    depth + 1,
                )
                for item in res["DATA"]
                if item["type"] == "dir"
            )
        for item in res["DATA"]:
            item["name"] = path_prefix + item["name"]
            yield item


def recursive_ls(
    tc,
    ep,
    path,
    max_depth=3,
    sleep_frequency=10,
    sleep_duration=0.5,
    ls_params=None,
    top_level_ls_params=None,
):
    ls_params = ls_params or {}
    top_level_ls_params = top_level_ls_params or {}
    queue = deque()
    queue.append((path, "", 0))
    yield from _recursive_ls_helper(
        tc,
        ep,
        queue,
        max_depth,
        sleep_frequency,
        sleep_duration,
        ls_params,
        top_level_ls_params,
    )


def run_baseline(service: benchlib.ServiceProcess, token: str, path: str) -> tuple[float, int]:
    """The seed helper over the official SDK; returns (seconds, entries)."""
    import globus_sdk

    from gtui.sim.world import SCRATCH_ID

    os.environ.update(service.env)
    tc = globus_sdk.TransferClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
    start = time.perf_counter()
    count = sum(1 for _ in recursive_ls(tc, SCRATCH_ID, path))
    return time.perf_counter() - start, count


async def run_gtui(
    service: benchlib.ServiceProcess, token: str, path: str, *, rate: float | None = None
) -> dict[str, Any]:
    """gtui's walk; counts entries, failed folders, requests and 429 answers."""
    import httpx

    from gtui.core.authorizers import AccessTokenAuthorizer
    from gtui.core.http import new_http_client
    from gtui.core.recursive import ListingError, RateLimiter
    from gtui.core.recursive import recursive_ls as gtui_recursive_ls
    from gtui.core.transfer import TransferClient
    from gtui.sim.world import SCRATCH_ID

    answers: dict[int, int] = {}

    async def count(response: httpx.Response) -> None:
        answers[response.status_code] = answers.get(response.status_code, 0) + 1

    http = new_http_client(event_hooks={"response": [count]})
    client = TransferClient(
        base_url=service.service_urls["transfer"],
        authorizer=AccessTokenAuthorizer(token),
        http_client=http,
    )
    entries = failed = 0
    start = time.perf_counter()
    try:
        async for item in gtui_recursive_ls(
            client, SCRATCH_ID, path, max_depth=3, rate_limiter=RateLimiter(rate)
        ):
            if isinstance(item, ListingError):
                failed += 1
            else:
                entries += 1
    finally:
        await http.aclose()
    return {
        "seconds": time.perf_counter() - start,
        "entries": entries,
        "failed": failed,
        "requests": sum(answers.values()),
        "ok": answers.get(200, 0),
        "rate_limited": answers.get(429, 0),
    }


def main() -> int:
    _, size = benchlib.parse_args(__doc__ or "")
    path = size.pick("/wide/", "/wide/group_00/", "/wide/group_00/set_00/")
    rate = size.pick(100.0, 50.0, 20.0)
    root = benchlib.WORK_DIR / "world"
    fig = benchlib.figure
    benchlib.note(f"machine: {benchlib.machine()}")
    with benchlib.serve_process(root, "--latency", str(LATENCY)) as service:
        token = benchlib.client_credentials_token(service)
        asyncio.run(run_gtui(service, token, "/wide/group_00/set_00/"))
        gtui = asyncio.run(run_gtui(service, token, path))
        base_s, base_entries = run_baseline(service, token, path)
    folders = gtui["ok"]
    benchlib.note(
        f"tree {path}: {folders:,} folders listed, {gtui['entries']:,} entries, "
        f"{int(LATENCY * 1000)} ms added latency per call"
    )
    benchlib.note(
        f"gtui recursive_ls: {fig(gtui['seconds'])} s, {gtui['requests']:,} requests, "
        f"{gtui['failed']} failed folders"
    )
    benchlib.note(
        f"seed helper over globus-sdk: {fig(base_s)} s, {base_entries:,} entries "
        f"(sleeps alone: {fig((folders // 10) * 0.5)} s)"
    )
    if base_entries != gtui["entries"]:
        benchlib.note(f"WARNING: entry counts differ ({gtui['entries']} vs {base_entries})")
    with benchlib.serve_process(
        root, "--latency", str(LATENCY), "--rate-limit", str(rate)
    ) as service:
        token = benchlib.client_credentials_token(service)
        told = asyncio.run(run_gtui(service, token, path, rate=rate))
    with benchlib.serve_process(
        root, "--latency", str(LATENCY), "--rate-limit", str(rate)
    ) as service:
        token = benchlib.client_credentials_token(service)
        untold = asyncio.run(run_gtui(service, token, path))
    for label, run in (("told the rate", told), ("429 Retry-After only", untold)):
        ideal = run["ok"] / rate
        benchlib.note(
            f"rate limit {fig(rate)}/s, gtui {label}: {fig(run['seconds'])} s for "
            f"{run['ok']:,} calls = {fig(run['seconds'] / ideal)}× calls÷rate "
            f"(target ≤ {RATE_TARGET}×), {run['failed']} failed calls (target 0), "
            f"{run['rate_limited']} answers 429"
        )
    print(benchlib.result_line("recursive_ls", gtui["seconds"], base_s, "s", TARGET_RATIO))
    return 0


if __name__ == "__main__":
    sys.exit(main())

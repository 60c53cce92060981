"""open_folder: pressing Enter on the 100,000-entry folder until its first painted frame.

End to end against the embedded service (in its own process): the real app (``GtuiApp``,
logged in as ``gtui --demo`` logs in) with the cursor on ``/big/100k/`` in the scratch
collection; the clock runs from the Enter key to the first frame that shows the folder's first
entry. The baseline is ``globus ls`` of the same folder with the official CLI (globus-cli
3.43.0 in ``bench/.venv-cli``) pointed at the same service, from process start until it has
printed every name. Without the CLI the baseline is the official SDK's ``operation_ls`` printed
by a small script, and the output says so. Target: ≥ 3× faster than the CLI.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from typing import Any

import benchlib

SCREEN = (120, 40)
TARGET_RATIO = 3

SDK_LS = """
import sys, globus_sdk
tc = globus_sdk.TransferClient(authorizer=globus_sdk.AccessTokenAuthorizer(sys.argv[1]))
res = tc.operation_ls(sys.argv[2], path=sys.argv[3], show_hidden=0)
print("\\n".join(item["name"] + ("/" if item["type"] == "dir" else "") for item in res))
"""


def fetch_listing(service: benchlib.ServiceProcess, token: str, path: str) -> dict[str, Any]:
    import httpx

    from gtui.sim.world import SCRATCH_ID

    answer = httpx.get(
        f"{service.service_urls['transfer']}v0.10/operation/endpoint/{SCRATCH_ID}/ls",
        params={"path": path},
        headers={"Authorization": f"Bearer {token}"},
        timeout=600,
    )
    answer.raise_for_status()
    return answer.json()


def first_shown(doc: dict[str, Any]) -> str:
    """The first name the pane shows (folders first, then by name, hidden files left out)."""
    from gtui.core.models import FileEntry
    from gtui.tui.arrange import arrange

    entries = [FileEntry.from_api(item) for item in doc["DATA"]]
    return entries[arrange(entries)[0]].name


async def run_gtui(
    service: benchlib.ServiceProcess, parent: str, child: str, wanted: str, repeats: int
) -> tuple[list[float], list[float]]:
    from gtui.config import Settings
    from gtui.sim.world import DEMO_USERNAME, LAPTOP_ID, SCRATCH_ID
    from gtui.tui.app import GtuiApp, PanePlace
    from gtui.tui.state import AppState
    from gtui.tui.widgets.file_pane import FilePane

    session = await benchlib.demo_session(service)
    app = GtuiApp(
        session=session,
        settings=Settings(),
        state=AppState(),
        environment="sim",
        username=DEMO_USERNAME,
        left=PanePlace(SCRATCH_ID, parent),
        right=PanePlace(LAPTOP_ID, "/~/"),
    )
    probe = benchlib.FrameProbe()
    times: list[float] = []
    stalls: list[float] = []
    async with app.run_test(size=SCREEN) as pilot:
        probe.install(app)

        async def settled(path: str) -> FilePane:
            deadline = time.monotonic() + 600
            while True:
                pane = app.screen.query_one("#left", FilePane)
                if pane.path == path and not pane.fetching and pane.file_list.row_count:
                    await pilot.pause()
                    return pane
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the pane never showed {path}")
                await asyncio.sleep(0.01)

        for _ in range(repeats):
            pane = await settled(parent)
            file_list = pane.file_list
            file_list.focus()
            row = file_list.row_of(child)
            if row is None:
                raise RuntimeError(f"{child} is not listed in {parent}")
            file_list.cursor = row
            await pilot.pause()
            probe.expect(wanted)
            stall = benchlib.StallProbe()
            watching = asyncio.create_task(stall.run())
            start = time.perf_counter()
            await pilot.press("enter")
            times.append(await probe.wait() - start)
            stall.stop()
            await watching
            stalls.append(stall.worst)
            await settled(parent + child + "/")
            await pilot.press("backspace")
    await session.aclose()
    return times, stalls


def run_baseline(
    service: benchlib.ServiceProcess, token: str, path: str, repeats: int
) -> tuple[str, list[float]]:
    """``globus ls`` (or the SDK script) in a fresh process, printing every name."""
    from gtui.sim.world import (
        DEMO_CONFIDENTIAL_CLIENT_ID,
        DEMO_CONFIDENTIAL_CLIENT_SECRET,
        SCRATCH_ID,
    )

    globus = benchlib.CLI_VENV / "bin" / "globus"
    home = benchlib.WORK_DIR / "cli-home"
    home.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        **service.env,
        "HOME": str(home),
        "GLOBUS_CLI_CLIENT_ID": DEMO_CONFIDENTIAL_CLIENT_ID,
        "GLOBUS_CLI_CLIENT_SECRET": DEMO_CONFIDENTIAL_CLIENT_SECRET,
    }
    if globus.exists():
        label = (
            "globus-cli "
            + subprocess.run(
                [str(globus), "version"], env=env, capture_output=True, text=True, check=False
            )
            .stdout.split("\n")[0]
            .split()[-1]
        )
        command = [str(globus), "ls", f"{SCRATCH_ID}:{path}"]
        warm_up = [str(globus), "ls", f"{SCRATCH_ID}:/wide/"]
    else:
        label = "the official SDK's operation_ls (globus-cli is not installed in bench/.venv-cli)"
        command = [sys.executable, "-c", SDK_LS, token, SCRATCH_ID, path]
        warm_up = [*command[:-1], "/wide/"]
    subprocess.run(warm_up, env=env, capture_output=True, check=False)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise RuntimeError(f"{command[0]} failed: {done.stderr[-2000:]}")
        lines = done.stdout.count("\n")
    return f"{label}, {lines:,} lines printed", times


def main() -> int:
    _, size = benchlib.parse_args(__doc__ or "")
    parent, child = size.pick(("/big/", "100k"), ("/big/", "100k"), ("/wide/", "group_00"))
    repeats = size.pick(3, 1, 1)
    target = parent + child + "/"
    fig = benchlib.figure
    benchlib.note(f"machine: {benchlib.machine()}")
    with benchlib.serve_process(benchlib.WORK_DIR / "world") as service:
        token = benchlib.client_credentials_token(service)
        doc = fetch_listing(service, token, target)
        wanted = first_shown(doc)
        count = len(doc["DATA"])
        del doc
        gtui, stalls = asyncio.run(run_gtui(service, parent, child, wanted, repeats))
        label, base = run_baseline(service, token, target, repeats)
    benchlib.note(f"folder {target}: {count:,} entries; first row shown: {wanted}")
    benchlib.note(
        "gtui Enter → first frame: "
        + ", ".join(f"{fig(t)} s" for t in gtui)
        + f" (median {fig(benchlib.median(gtui))} s)"
    )
    benchlib.note(
        "largest event-loop stall while opening: "
        + ", ".join(f"{fig(s * 1000)} ms" for s in stalls)
    )
    benchlib.note(
        f"baseline ({label}): "
        + ", ".join(f"{fig(t)} s" for t in base)
        + f" (median {fig(benchlib.median(base))} s)"
    )
    print(
        benchlib.result_line(
            "open_folder", benchlib.median(gtui), benchlib.median(base), "s", TARGET_RATIO
        ),
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

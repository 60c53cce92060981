"""open_folder: the 100,000-entry folder, from the service's last byte to the folder shown.

End to end against the embedded service (in its own process): the real app (``GtuiApp``,
logged in as ``gtui --demo`` logs in) with the cursor on ``/big/100k/`` in the scratch
collection, and ``globus ls`` of the same folder with the official CLI (globus-cli 3.43.0 in
``bench/.venv-cli``; without it, the official SDK's ``operation_ls`` printed by a small script,
and the output says so). Both reach the service through a relay in its own process
(``byte_clock.py``) that notes when the last byte of a listing went out.

Listing a folder makes the service list it on disk, the same wait for both; what each client
does with the answer is its own. So the headline is each one's own time after the service's
last byte: for gtui, until the whole folder is shown (every page added, sorted, on screen);
for the CLI, until it has printed every name and exited. Also printed: Enter → the first
frame showing the folder (its first page), and the worst stall of the app's event loop.
Target: ≥ 4× faster than the CLI after the last byte.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import benchlib
from byte_clock import ByteClock

SCREEN = (120, 40)
TARGET_RATIO = 4

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


@dataclass
class GtuiRun:
    first_frame: list[float] = field(default_factory=list)
    after_last_byte: list[float] = field(default_factory=list)
    stalls: list[float] = field(default_factory=list)


async def run_gtui(
    service_urls: dict[str, str],
    clock: ByteClock,
    parent: str,
    child: str,
    wanted: str,
    repeats: int,
) -> GtuiRun:
    from gtui.malloc_tuning import keep_big_blocks_out_of_the_heap
    from gtui.sim.world import LAPTOP_ID, SCRATCH_ID
    from gtui.tui.app import PanePlace
    from gtui.tui.widgets.file_pane import FilePane

    keep_big_blocks_out_of_the_heap()  # as the app does once its first frame is up
    session = await benchlib.demo_session(_Urls(service_urls))
    app = benchlib.demo_app(
        session, left=PanePlace(SCRATCH_ID, parent), right=PanePlace(LAPTOP_ID, "/~/")
    )
    probe = benchlib.FrameProbe()
    run = GtuiRun()
    async with app.run_test(size=SCREEN) as pilot:
        probe.install(app)

        def pane() -> FilePane:
            return app.screen.query_one("#left", FilePane)

        def whole(path: str) -> bool:
            shown = pane()
            return (
                shown.path == path
                and not shown.fetching
                and not shown.partial
                and shown.file_list.entries is shown.entries
                and not shown._arranging  # noqa: SLF001
                and shown._waiting_request is None  # noqa: SLF001
            )

        async def settled(path: str) -> float:
            deadline = time.monotonic() + 600
            while not whole(path):
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the pane never showed {path} whole")
                await asyncio.sleep(0.001)
            return time.monotonic()

        for _ in range(repeats):
            await settled(parent)
            await pilot.pause()
            file_list = pane().file_list
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
            run.first_frame.append(await probe.wait() - start)
            done = await settled(parent + child + "/")
            run.after_last_byte.append(done - clock.last_reply())
            stall.stop()
            await watching
            run.stalls.append(stall.worst)
            await pilot.press("backspace")
    await session.aclose()
    return run


@dataclass
class _Urls:
    service_urls: dict[str, str]


def run_baseline(
    service: benchlib.ServiceProcess, clock: ByteClock, token: str, path: str, repeats: int
) -> tuple[str, list[float], list[float]]:
    """``globus ls`` (or the SDK script) in a fresh process, printing every name: its whole
    time, and its time after the service's last byte."""
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
        "GLOBUS_SDK_SERVICE_URL_TRANSFER": relayed(service.service_urls, clock)["transfer"],
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
    whole: list[float] = []
    after: list[float] = []
    for _ in range(repeats):
        start = time.perf_counter()
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        ended = time.monotonic()
        whole.append(time.perf_counter() - start)
        after.append(ended - clock.last_reply())
        if done.returncode != 0:
            raise RuntimeError(f"{command[0]} failed: {done.stderr[-2000:]}")
        lines = done.stdout.count("\n")
    return f"{label}, {lines:,} lines printed", whole, after


def relayed(service_urls: dict[str, str], clock: ByteClock) -> dict[str, str]:
    """The service's URLs with Transfer reached through the relay."""
    urls = dict(service_urls)
    urls["transfer"] = f"http://127.0.0.1:{clock.port}/transfer/"
    return urls


def main() -> int:
    _, size = benchlib.parse_args(__doc__ or "")
    parent, child = size.pick(("/big/", "100k"), ("/big/", "100k"), ("/wide/", "group_00"))
    repeats = size.pick(3, 1, 1)
    target = parent + child + "/"
    fig = benchlib.figure
    benchlib.note(f"machine: {benchlib.machine()}")
    with benchlib.serve_process(benchlib.WORK_DIR / "world") as service:
        port = int(service.base_url.rsplit(":", 1)[1])
        clock = ByteClock(port)
        try:
            token = benchlib.client_credentials_token(service)
            doc = fetch_listing(service, token, target)
            wanted = first_shown(doc)
            count = len(doc["DATA"])
            del doc
            urls = relayed(service.service_urls, clock)
            gtui = asyncio.run(run_gtui(urls, clock, parent, child, wanted, repeats))
            label, base_whole, base_after = run_baseline(service, clock, token, target, repeats)
        finally:
            clock.close()

    def series(values: list[float], unit: str = "s", scale: float = 1.0) -> str:
        shown = ", ".join(f"{fig(v * scale)} {unit}" for v in values)
        return f"{shown} (median {fig(benchlib.median(values) * scale)} {unit})"

    benchlib.note(f"folder {target}: {count:,} entries; first row shown: {wanted}")
    benchlib.note(f"gtui Enter → first frame (the first page): {series(gtui.first_frame)}")
    benchlib.note(f"gtui after the last byte → whole folder shown: {series(gtui.after_last_byte)}")
    benchlib.note(f"largest event-loop stall while opening: {series(gtui.stalls, 'ms', 1000)}")
    benchlib.note(f"baseline ({label}), process start → exit: {series(base_whole)}")
    benchlib.note(f"baseline after the last byte → exit: {series(base_after)}")
    print(
        benchlib.result_line(
            "open_folder",
            benchlib.median(gtui.after_last_byte),
            benchlib.median(base_after),
            "s",
            TARGET_RATIO,
        ),
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""listing: a 100,000-entry folder, from the parsed ``ls`` response to the first painted frame.

gtui's two ``FilePane`` listings (Line API ``FileList``) against Textual's ``DataTable`` fed the
same rows, in the same headless harness (120×40, the app's own stylesheet). Each side runs in
its own process so that its memory is its own. Also measured: one filter keystroke in gtui
(from the key to the frame showing the narrowed list), and the resident memory with both
panes showing the whole folder. Targets: first frame ≥ 40× faster than DataTable and under
0.25 s; a keystroke under 50 ms; both panes under 150 MB resident.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

import benchlib

SCREEN = (120, 40)
FOLDER = "/big/100k/"
DIRS_PER_100K = 1_000
KEYS = ("1", "2", "3")
TARGET_RATIO = 40


def listing_docs(count: int) -> str:
    """The JSON text of an ``ls`` answer with ``count`` entries, as the service writes it."""
    rng = random.Random(count)
    dirs = max(1, count * DIRS_PER_100K // 100_000)
    base = 1_760_000_000
    data = []
    for i in range(count):
        is_dir = i < dirs
        when = time.gmtime(base + rng.randrange(0, 86_400 * 365))
        data.append(
            {
                "DATA_TYPE": "file",
                "name": f"subdir_{i:04d}" if is_dir else f"entry_{i:06d}.dat",
                "type": "dir" if is_dir else "file",
                "size": 4096 if is_dir else rng.choice((0, 512, 70_000, 3_000_000, 2**31)),
                "permissions": "0755" if is_dir else "0644",
                "user": "demo",
                "group": "demo",
                "last_modified": time.strftime("%Y-%m-%d %H:%M:%S+00:00", when),
                "link_target": None,
                "link_user": None,
                "link_group": None,
                "link_size": None,
                "link_last_modified": None,
            }
        )
    doc = {
        "DATA_TYPE": "file_list",
        "endpoint": "a9e6fcb5-f22b-48be-85f9-29d91af40177",
        "path": FOLDER,
        "absolute_path": FOLDER,
        "length": count,
        "total": count,
        "limit": 100_000,
        "offset": 0,
        "DATA": data,
    }
    return json.dumps(doc)


def first_new_name(before: list[str], after: list[str], rows: int) -> str:
    """A name the narrowed list shows on screen that the previous screen did not show."""
    shown = set(before[: rows + 4])
    for name in after[: max(rows - 2, 1)]:
        if name not in shown:
            return name
    raise RuntimeError("the filter does not change what is on screen")


async def run_gtui(count: int) -> dict[str, Any]:
    """Both gtui panes: first frames, keystrokes, memory."""
    from textual.app import App, ComposeResult
    from textual.containers import Horizontal

    from gtui.tui.arrange import arrange
    from gtui.tui.listing import Listing
    from gtui.tui.widgets.file_pane import FilePane

    css = Path(__import__("gtui.tui", fromlist=["x"]).__file__).parent / "gtui.tcss"

    class Harness(App[None]):
        CSS_PATH = str(css)

        def compose(self) -> ComposeResult:
            with Horizontal(id="panes"):
                yield FilePane("left")
                yield FilePane("right")

    text = listing_docs(count)
    app = Harness()
    probe = benchlib.FrameProbe()
    result: dict[str, Any] = {"count": count}
    async with app.run_test(size=SCREEN) as pilot:
        probe.install(app)
        await pilot.pause()
        result["rss_empty_mb"] = benchlib.rss_mb()
        for side in ("left", "right"):
            response = json.loads(text)
            gc.collect()
            pane = app.query_one(f"#{side}", FilePane)
            probe.expect("subdir_0000")
            start = time.perf_counter()
            items = response["DATA"]
            entries = await asyncio.to_thread(Listing, items)
            pane.show_listing(response["path"], entries)
            del response, items, entries
            painted = await probe.wait()
            await pilot.pause()
            result[f"{side}_first_frame_s"] = painted - start
            result[f"{side}_idle_s"] = time.perf_counter() - start
        await app.workers.wait_for_complete()
        del text
        gc.collect()
        result["rss_both_mb"] = benchlib.rss_mb()
        result["peak_rss_mb"] = benchlib.peak_rss_mb()

        pane = app.query_one("#left", FilePane)
        pane.action_filter()
        await pilot.pause()
        rows = pane.file_list.scrollable_content_region.height
        names = [pane.entries[i].name for i in pane.file_list.view]
        typed = ""
        keystrokes = []
        for key in KEYS:
            typed += key
            after = [pane.entries[i].name for i in arrange(pane.entries, filter_text=typed)]
            probe.expect(first_new_name(names, after, rows))
            start = time.perf_counter()
            await pilot.press(key)
            painted = await probe.wait()
            keystrokes.append(painted - start)
            names = after
        result["keystrokes_s"] = keystrokes
        result["shown_after_filter"] = len(pane.file_list.view)
    return result


async def run_datatable(count: int) -> dict[str, Any]:
    """Textual's DataTable in the same harness, fed the same rows (one pane)."""
    from textual.app import App, ComposeResult
    from textual.containers import Horizontal
    from textual.widgets import DataTable

    from gtui.tui.format import human_size, short_time

    css = Path(__import__("gtui.tui", fromlist=["x"]).__file__).parent / "gtui.tcss"

    class Harness(App[None]):
        CSS_PATH = str(css)

        def compose(self) -> ComposeResult:
            with Horizontal(id="panes"):
                yield DataTable(id="left", classes="file-pane", cursor_type="row")
                yield DataTable(id="right", classes="file-pane", cursor_type="row")

    def rows_of(items: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
        return [
            (
                d["name"] + ("/" if d["type"] == "dir" else ""),
                "" if d["type"] == "dir" else human_size(d["size"]),
                short_time(d["last_modified"]),
            )
            for d in items
        ]

    text = listing_docs(count)
    app = Harness()
    probe = benchlib.FrameProbe()
    result: dict[str, Any] = {"count": count}
    async with app.run_test(size=SCREEN) as pilot:
        probe.install(app)
        await pilot.pause()
        result["rss_empty_mb"] = benchlib.rss_mb()
        response = json.loads(text)
        gc.collect()
        table = app.query_one("#left", DataTable)
        probe.expect("subdir_0000")
        start = time.perf_counter()
        rows = await asyncio.to_thread(rows_of, response["DATA"])
        table.add_columns("name", "size", "modified")
        table.add_rows(rows)
        del response, rows
        painted = await probe.wait()
        await pilot.pause()
        result["left_first_frame_s"] = painted - start
        result["left_idle_s"] = time.perf_counter() - start
        gc.collect()
        result["rss_one_mb"] = benchlib.rss_mb()
        result["peak_rss_mb"] = benchlib.peak_rss_mb()
    return result


def main() -> None:
    def extra(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--side", choices=("gtui", "datatable"), help=argparse.SUPPRESS)
        parser.add_argument("--count", type=int, help=argparse.SUPPRESS)

    args, size = benchlib.parse_args(__doc__ or "", extra)
    if args.side:
        runner = run_gtui if args.side == "gtui" else run_datatable
        print(json.dumps(asyncio.run(runner(args.count))), flush=True)
        return
    count = size.pick(100_000, 20_000, 2_000)
    me = str(Path(__file__).resolve())
    flags = ["--tiny"] if size.name == "tiny" else []
    gtui = benchlib.run_json([me, *flags, "--side", "gtui", "--count", str(count)], timeout=600)
    base = benchlib.run_json(
        [me, *flags, "--side", "datatable", "--count", str(count)], timeout=1200
    )
    fig = benchlib.figure
    benchlib.note(f"machine: {benchlib.machine()}")
    benchlib.note(f"entries per pane: {count:,}")
    benchlib.note(
        f"gtui first frame: left {fig(gtui['left_first_frame_s'])} s, "
        f"right {fig(gtui['right_first_frame_s'])} s (target < 0.25 s); "
        f"until idle: left {fig(gtui['left_idle_s'])} s"
    )
    keys = ", ".join(f"{fig(k * 1000)} ms" for k in gtui["keystrokes_s"])
    benchlib.note(
        f"gtui filter keystrokes ({'/'.join(KEYS)}): {keys}; "
        f"worst {fig(max(gtui['keystrokes_s']) * 1000)} ms (target < 50 ms)"
    )
    benchlib.note(
        f"gtui memory: {fig(gtui['rss_both_mb'])} MB resident with both panes showing "
        f"{count:,} entries (empty app {fig(gtui['rss_empty_mb'])} MB, peak "
        f"{fig(gtui['peak_rss_mb'])} MB; target < 150 MB)"
    )
    benchlib.note(
        f"DataTable first frame: {fig(base['left_first_frame_s'])} s, until idle "
        f"{fig(base['left_idle_s'])} s; {fig(base['rss_one_mb'])} MB resident with one table"
    )
    print(
        benchlib.result_line(
            "listing", gtui["left_first_frame_s"], base["left_first_frame_s"], "s", TARGET_RATIO
        ),
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())

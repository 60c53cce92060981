"""listing: a big folder, page by page as Transfer pages it, from each page's bytes to the screen.

gtui's two ``FilePane``s list the folder exactly as the app does: the pages ``ls_pages`` asks
for (1,000 entries first, then 100,000 a page), each page's bytes decoded off the event loop
by ``decode_ls_page`` and shown with ``show_listing`` then ``add_page``. Measured at each size
(10,000 / 100,000 / 1,000,000 entries; 1% folders), in a headless harness (120×40, the app's
own stylesheet, frames rendered to terminal bytes as a real driver would), each size in its
own process so its memory is its own:

- the first page's frame, from the moment its bytes are in hand;
- the whole folder shown (every page added and arranged);
- the worst stall of the app's event loop while the pages arrive (a 5 ms ticker);
- resident memory with both panes showing the whole folder, and the peak;
- filter keystrokes, from the key to the frame showing the narrowed list (worst of 3).

The baseline is Textual's ``DataTable`` fed the same 100,000 rows, already parsed, in the
same harness (one pane). Targets: the first page's frame ≥ 40× faster than the DataTable and
≤ 0.3 s at every size; a keystroke ≤ 50 ms; the loop never stalled more than 50 ms; at a
million entries both panes within 250 MB resident and 600 MB peak. The growth line says how
each figure grows with the folder: an exponent of 1 is linear, below 1 better.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import math
import random
import sys
import time
from pathlib import Path
from typing import Any

import benchlib

SCREEN = (120, 40)
FOLDER = "/big/listing/"
FOLDERS_PER_100K = 1_000
KEYS = ("1", "2", "3")
TARGET_RATIO = 40
BASELINE_COUNT = 100_000
FIRST_PAGE = 1_000
PAGE_LIMIT = 100_000


def entry_doc(i: int, dirs: int, rng: random.Random) -> dict[str, Any]:
    is_dir = i < dirs
    when = time.gmtime(1_760_000_000 + rng.randrange(0, 86_400 * 365))
    return {
        "DATA_TYPE": "file",
        "name": f"subdir_{i:04d}" if is_dir else f"entry_{i:07d}.dat",
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


def page_files(count: int) -> list[Path]:
    """The folder's ``ls`` answers as the service writes them, one file a page (built once).

    Entries come in no particular order, as a file system lists a folder (and Transfer
    passes that order on), so the panes sort what they receive.
    """
    folder = benchlib.WORK_DIR / "listing-pages-v2" / str(count)
    bounds: list[tuple[int, int]] = []
    offset, limit = 0, FIRST_PAGE
    while offset < count or not bounds:
        bounds.append((offset, min(limit, count - offset)))
        offset += limit
        limit = PAGE_LIMIT
    paths = [folder / f"{start:08d}.json" for start, _ in bounds]
    if all(path.exists() for path in paths):
        return paths
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(count)
    dirs = max(1, count * FOLDERS_PER_100K // 100_000)
    listed_order = list(range(count))
    rng.shuffle(listed_order)
    for path, (start, length) in zip(paths, bounds, strict=True):
        data = [entry_doc(i, dirs, rng) for i in listed_order[start : start + length]]
        doc = {
            "DATA_TYPE": "file_list",
            "endpoint": "a9e6fcb5-f22b-48be-85f9-29d91af40177",
            "path": FOLDER,
            "absolute_path": FOLDER,
            "length": length,
            "total": count,
            "limit": FIRST_PAGE if start == 0 else PAGE_LIMIT,
            "offset": start,
            "DATA": data,
        }
        path.with_suffix(".tmp").write_text(json.dumps(doc), encoding="utf-8")
        path.with_suffix(".tmp").rename(path)
    return paths


def first_row(path: Path) -> str:
    """The name a pane shows first for this page alone: folders first, by name."""
    names = [(doc["type"] != "dir", doc["name"]) for doc in json.loads(path.read_bytes())["DATA"]]
    return min(names)[1]


def first_new_name(before: list[str], after: list[str], rows: int) -> str:
    """A name the narrowed list shows on screen that the previous screen did not show."""
    shown = set(before[: rows + 4])
    for name in after[: max(rows - 2, 1)]:
        if name not in shown:
            return name
    raise RuntimeError("the filter does not change what is on screen")


async def run_gtui(count: int) -> dict[str, Any]:
    """Both gtui panes list the folder page by page; then three filter keystrokes."""
    from textual.app import App, ComposeResult
    from textual.containers import Horizontal

    from gtui.core.cpu_work import run_cpu
    from gtui.core.ls_pages import decode_ls_page
    from gtui.malloc_tuning import keep_big_blocks_out_of_the_heap
    from gtui.tui.listing import Listing
    from gtui.tui.widgets.file_pane import FilePane

    keep_big_blocks_out_of_the_heap()  # as the app does once its first frame is up

    css = Path(__import__("gtui.tui", fromlist=["x"]).__file__).parent / "gtui.tcss"

    class Harness(App[None]):
        CSS_PATH = str(css)

        def compose(self) -> ComposeResult:
            with Horizontal(id="panes"):
                yield FilePane("left")
                yield FilePane("right")

    pages = page_files(count)
    app = Harness()
    probe = benchlib.FrameProbe()
    result: dict[str, Any] = {"count": count, "pages": len(pages)}
    async with app.run_test(size=SCREEN) as pilot:
        probe.install(app)
        await pilot.pause()
        gc.collect()
        result["rss_empty_mb"] = benchlib.rss_mb()
        stalls = benchlib.StallProbe()
        ticker = asyncio.create_task(stalls.run())
        first_name = first_row(pages[0])
        for side in ("left", "right"):
            pane = app.query_one(f"#{side}", FilePane)
            pane.show_loading(FOLDER)
            started = None
            for number, path in enumerate(pages):
                raw = await asyncio.to_thread(path.read_bytes)
                arrived = time.perf_counter()
                started = started or arrived
                page = await run_cpu(decode_ls_page, raw)
                del raw
                if number == 0:
                    probe.expect(first_name)
                    pane.show_listing(FOLDER, Listing(columns=page.columns), total=page.total)
                    result[f"{side}_first_frame_s"] = await probe.wait() - arrived
                else:
                    pane.add_page(page.columns)
                del page
            pane.end_listing()
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert started is not None
            result[f"{side}_whole_s"] = time.perf_counter() - started
            assert len(pane.entries) == count, (len(pane.entries), count)
        stalls.stop()
        await ticker
        result["worst_stall_s"] = stalls.worst
        gc.collect()
        result["rss_both_mb"] = benchlib.rss_mb()
        result["peak_rss_mb"] = benchlib.peak_rss_mb()

        pane = app.query_one("#left", FilePane)
        pane.action_filter()
        await pilot.pause()
        rows = pane.file_list.scrollable_content_region.height
        names = [pane.entries[i].name for i in pane.file_list.view[: rows + 4]]
        typed = ""
        keystrokes = []
        listing = pane.entries
        assert isinstance(listing, Listing)
        for key in KEYS:
            typed += key
            after = [
                listing.names[i]
                for i in listing.arrange(
                    sort_key="name", reverse=False, filter_text=typed, show_hidden=False
                )[:rows]
            ]
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
    """Textual's DataTable in the same harness, fed the same rows, parsed (one pane)."""
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

    items: list[dict[str, Any]] = []
    for path in page_files(count):
        items.extend(json.loads(path.read_bytes())["DATA"])
    app = Harness()
    probe = benchlib.FrameProbe()
    result: dict[str, Any] = {"count": count}
    async with app.run_test(size=SCREEN) as pilot:
        probe.install(app)
        await pilot.pause()
        gc.collect()
        result["rss_empty_mb"] = benchlib.rss_mb()
        table = app.query_one("#left", DataTable)
        probe.expect(items[0]["name"] + ("/" if items[0]["type"] == "dir" else ""))
        start = time.perf_counter()
        rows = await asyncio.to_thread(rows_of, items)
        table.add_columns("name", "size", "modified")
        table.add_rows(rows)
        del items, rows
        painted = await probe.wait()
        await pilot.pause()
        result["left_first_frame_s"] = painted - start
        result["left_idle_s"] = time.perf_counter() - start
        gc.collect()
        result["rss_one_mb"] = benchlib.rss_mb()
        result["peak_rss_mb"] = benchlib.peak_rss_mb()
    return result


def exponent(small: dict[str, Any], big: dict[str, Any], key: str) -> str:
    """How the figure grows between two sizes: 1 is linear, 0 flat."""
    a, b = small[key], big[key]
    if isinstance(a, list):
        a, b = max(a), max(b)
    if a <= 0 or b <= 0:
        return "—"
    return f"{math.log(b / a) / math.log(big['count'] / small['count']):.2f}"


def main() -> None:
    def extra(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--side", choices=("gtui", "datatable"), help=argparse.SUPPRESS)
        parser.add_argument("--count", type=int, help=argparse.SUPPRESS)

    args, size = benchlib.parse_args(__doc__ or "", extra)
    if args.side:
        runner = run_gtui if args.side == "gtui" else run_datatable
        print(json.dumps(asyncio.run(runner(args.count))), flush=True)
        return
    counts = size.pick([10_000, 100_000, 1_000_000], [10_000, 100_000], [2_500])
    baseline_count = size.pick(BASELINE_COUNT, 20_000, 2_500)
    me = str(Path(__file__).resolve())
    flags = ["--tiny"] if size.name == "tiny" else []
    runs = [
        benchlib.run_json([me, *flags, "--side", "gtui", "--count", str(n)], timeout=1200)
        for n in counts
    ]
    base = benchlib.run_json(
        [me, *flags, "--side", "datatable", "--count", str(baseline_count)], timeout=1200
    )
    fig = benchlib.figure
    benchlib.note(f"machine: {benchlib.machine()}")
    for run in runs:
        keys = ", ".join(f"{fig(k * 1000)}" for k in run["keystrokes_s"])
        benchlib.note(
            f"{run['count']:,} entries ({run['pages']} pages): first page's frame "
            f"{fig(run['left_first_frame_s'])} / {fig(run['right_first_frame_s'])} s; whole "
            f"folder {fig(run['left_whole_s'])} / {fig(run['right_whole_s'])} s (left / right); "
            f"worst loop stall {fig(run['worst_stall_s'] * 1000)} ms; both panes "
            f"{fig(run['rss_both_mb'])} MB resident, peak {fig(run['peak_rss_mb'])} MB "
            f"(empty app {fig(run['rss_empty_mb'])} MB); keystrokes {keys} ms"
        )
    for small, big in zip(runs, runs[1:], strict=False):
        benchlib.note(
            f"growth {small['count']:,} → {big['count']:,} (exponent; 1 = linear): "
            f"first frame {exponent(small, big, 'left_first_frame_s')}, whole folder "
            f"{exponent(small, big, 'left_whole_s')}, resident "
            f"{exponent(small, big, 'rss_both_mb')}, peak {exponent(small, big, 'peak_rss_mb')}, "
            f"keystroke {exponent(small, big, 'keystrokes_s')}"
        )
    benchlib.note(
        f"DataTable, {base['count']:,} parsed rows: first frame {fig(base['left_first_frame_s'])} s"
        f", until idle {fig(base['left_idle_s'])} s; {fig(base['rss_one_mb'])} MB resident with "
        "one table"
    )
    at_base = next((run for run in runs if run["count"] == base["count"]), runs[-1])
    print(
        benchlib.result_line(
            "listing", at_base["left_first_frame_s"], base["left_first_frame_s"], "s", TARGET_RATIO
        ),
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())

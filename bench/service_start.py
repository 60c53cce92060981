"""service_start: ``gtui sim serve`` from spawn to its first answered request, with a history.

Two demo folders are started once each (so that the demo world, the keys and a token exist)
and stopped. One keeps an empty history; into the other's database (``service.db``) go 10,000
finished tasks with 1,000,000 successful transfers and 30,000 events, inserted directly. Then
``gtui sim serve`` starts on each in turn, alternating, serving a loopback socket the benchmark
bound beforehand (``--listen-fd``): the clock runs from spawning the process to the answer of
an authenticated ``task_list`` sent on that socket at once. The ratio is the empty folder's
start over the one with the history (1x: the history costs nothing at start). Also printed:
the database size, and the time of a few reads of that history. Target: ≥ 0.9x.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import benchlib

TARGET_RATIO = 0.9
TRANSFER_PATH = "/transfer/v0.10"
SAMPLE_TASK = "00000000-0000-4000-8000-000000000007"


def prepare(root: Path) -> str:
    """A demo folder the service has run on once; returns a token that stays valid."""
    if root.exists():
        shutil.rmtree(root)
    with benchlib.serve_process(root) as service:
        return benchlib.client_credentials_token(service)


def add_history(root: Path, tasks: int, files_per_task: int, owner_id: str = "") -> None:
    """Insert finished tasks of ``owner_id`` (the demo confidential client unless given),
    with their files and events."""
    from gtui.sim.database import open_database
    from gtui.sim.settings import STATE_DIR_NAME
    from gtui.sim.transfer import rows

    db = open_database(root / STATE_DIR_NAME)
    try:
        with db.write() as conn:
            for n in range(tasks):
                task = history_task(n, tasks, files_per_task, owner_id)
                sequence = rows.insert_task(conn, task)
                rows.insert_records(conn, "successful", sequence, history_files(n, files_per_task))
                rows.insert_records(conn, "events", sequence, history_events(task.doc))
    finally:
        db.close()


def history_task(n: int, tasks: int, files: int, owner_id: str = "") -> Any:
    """The ``n``-th of ``tasks`` finished transfers, one a minute until now."""
    from gtui.sim.transfer.model import Task, iso_time, new_task_doc
    from gtui.sim.world import DEMO_CONFIDENTIAL_CLIENT_ID, LAPTOP_ID, SCRATCH_ID

    requested = time.time() - (tasks - n) * 60
    doc = new_task_doc(
        task_id=f"00000000-0000-4000-8000-{n:012d}",
        task_type="TRANSFER",
        owner_id=owner_id or DEMO_CONFIDENTIAL_CLIENT_ID,
        username="bench",
        label=f"history {n}",
        source={"id": LAPTOP_ID, "canonical_name": "laptop", "display_name": "Laptop"},
        destination={"id": SCRATCH_ID, "canonical_name": "scratch", "display_name": "Scratch"},
        deadline=iso_time(requested + 86_400),
        options={},
    )
    doc.update(
        request_time=iso_time(requested),
        completion_time=iso_time(requested + 30),
        status="SUCCEEDED",
        nice_status=None,
        files=files,
        files_transferred=files,
        bytes_transferred=files * 1_000,
    )
    return Task(doc, {"items": [{"source_path": "/~/history/"}]}, f"history-{n}")


def history_files(n: int, files: int) -> Iterator[tuple[int, dict[str, Any]]]:
    for i in range(files):
        path = f"/~/history/run-{n:05d}/file-{i:05d}.dat"
        yield i, {"source_path": path, "destination_path": path}


def history_events(doc: dict[str, Any]) -> Iterator[tuple[int, dict[str, Any]]]:
    for i, code in enumerate(("STARTED", "PROGRESS", "SUCCEEDED")):
        event = {"code": code, "description": code.lower(), "details": "{}", "is_error": False}
        yield i, {**event, "time": doc["request_time"]}


def time_start(root: Path, token: str, tasks: int) -> float:
    """Seconds from spawning ``gtui sim serve`` to the answer of its first request, a
    ``task_list`` that must count ``tasks``."""
    import httpx

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    port = listener.getsockname()[1]
    command = [sys.executable, "-m", "gtui", "sim", "serve", "--root", str(root)]
    command += ["--listen-fd", str(listener.fileno())]
    start = time.perf_counter()
    process = subprocess.Popen(
        command,
        pass_fds=(listener.fileno(),),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    listener.close()
    try:
        answer = httpx.get(
            f"http://127.0.0.1:{port}{TRANSFER_PATH}/task_list",
            headers={"Authorization": f"Bearer {token}"},
            timeout=300,
        )
        elapsed = time.perf_counter() - start
        answer.raise_for_status()
        if answer.json()["total"] != tasks:
            raise RuntimeError(f"the service lists {answer.json()['total']} tasks, not {tasks}")
    finally:
        process.terminate()
        process.wait(timeout=60)
    return elapsed


def time_reads(root: Path, token: str) -> list[tuple[str, float]]:
    """The time of a few requests that read the history (median of 5 each)."""
    import httpx

    reads = [
        ("task_list, newest 10", "/task_list", {}),
        ("task_list, label filter", "/task_list", {"filter": "label:~history 99"}),
        ("task_list, page at offset 5,000", "/task_list", {"offset": 5000, "limit": 100}),
        ("successful_transfers of one task", f"/task/{SAMPLE_TASK}/successful_transfers", {}),
        ("event_list of one task", f"/task/{SAMPLE_TASK}/event_list", {}),
    ]
    timings = []
    with (
        benchlib.serve_process(root) as service,
        httpx.Client(
            base_url=f"{service.base_url}{TRANSFER_PATH}",
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        ) as http,
    ):
        for label, path, params in reads:
            seconds = []
            for _ in range(5):
                start = time.perf_counter()
                http.get(path, params=params).raise_for_status()
                seconds.append(time.perf_counter() - start)
            timings.append((label, benchlib.median(seconds)))
    return timings


def database_mb(root: Path) -> float:
    from gtui.sim.settings import STATE_DIR_NAME

    state = root / STATE_DIR_NAME
    return sum(p.stat().st_size for p in state.glob("service.db*")) / 1e6


def main() -> int:
    _, size = benchlib.parse_args(__doc__ or "")
    tasks = size.pick(10_000, 10_000, 200)
    files_per_task = size.pick(100, 20, 10)
    repeats = size.pick(5, 3, 1)
    fig = benchlib.figure
    benchlib.note(f"machine: {benchlib.machine()}")
    empty_root = benchlib.WORK_DIR / "world-start-empty"
    history_root = benchlib.WORK_DIR / "world-start-history"
    empty_token = prepare(empty_root)
    history_token = prepare(history_root)
    built, _ = benchlib.timed(lambda: add_history(history_root, tasks, files_per_task))
    benchlib.note(
        f"history: {tasks:,} finished tasks, {tasks * files_per_task:,} successful transfers, "
        f"{tasks * 3:,} events, inserted in {fig(built)} s"
    )
    benchlib.note(
        f"service.db with the history: {fig(database_mb(history_root))} MB "
        f"(empty history: {fig(database_mb(empty_root))} MB)"
    )
    time_start(empty_root, empty_token, 0)
    time_start(history_root, history_token, tasks)
    empty_times: list[float] = []
    history_times: list[float] = []
    for _ in range(repeats):
        empty_times.append(time_start(empty_root, empty_token, 0))
        history_times.append(time_start(history_root, history_token, tasks))
    for label, times in (("empty history", empty_times), ("with the history", history_times)):
        benchlib.note(
            f"spawn to first answered task_list, {label}: "
            + ", ".join(f"{fig(t)} s" for t in times)
            + f" (median {fig(benchlib.median(times))} s)"
        )
    for label, seconds in time_reads(history_root, history_token):
        benchlib.note(f"with the history, {label}: {fig(seconds * 1000)} ms")
    empty_s, history_s = benchlib.median(empty_times), benchlib.median(history_times)
    print(benchlib.result_line("service_start", history_s, empty_s, "s", TARGET_RATIO), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

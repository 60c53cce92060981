"""``gtui --demo compare`` and ``gtui --demo sync`` against the demo folder's running service."""

from __future__ import annotations

import asyncio
import io
import json
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from gtui import compare_cli
from gtui.auth_cli import command_session
from gtui.cli import build_parser, main
from gtui.sim.serve import RunningSim
from gtui.sim.world import LAPTOP_ID, SCRATCH_ID

T0 = 1_700_000_000.0
SRC = f"{LAPTOP_ID}:/home/demo/src"
DST = f"{SCRATCH_ID}:/home/demo/dst/"


@pytest.fixture
def demo_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Fresh data and config folders, no Globus variables: ``gtui --demo``'s own folder."""
    monkeypatch.setenv("GTUI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GTUI_CONFIG_DIR", str(tmp_path / "config"))
    for name in ("ENVIRONMENT", *(f"SERVICE_URL_{s}" for s in ("AUTH", "TRANSFER"))):
        monkeypatch.delenv(f"GLOBUS_SDK_{name}", raising=False)
    return tmp_path / "data" / "demo"


@pytest.fixture
def demo(
    demo_root: Path, sim_factory: Callable[..., RunningSim], capsys: pytest.CaptureFixture[str]
) -> RunningSim:
    """A running ``gtui --demo`` service, logged in to, with empty ``src`` and ``dst``."""
    sim = sim_factory(demo_root)
    assert main(["--demo", "login"]) == 0
    capsys.readouterr()
    source, destination = folders(sim)
    source.mkdir(parents=True)
    destination.mkdir(parents=True)
    return sim


def folders(sim: RunningSim) -> tuple[Path, Path]:
    world = sim.ctx.world
    return (
        world.collections[LAPTOP_ID].root / "home/demo/src",
        world.collections[SCRATCH_ID].root / "home/demo/dst",
    )


def write(path: Path, content: str = "x", mtime: float = T0) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    os.utime(path, (mtime, mtime))


def differing_trees(sim: RunningSim) -> None:
    source, destination = folders(sim)
    for root in (source, destination):
        write(root / "same.txt", "same")
        write(root / "keep/same.txt", "same")
    write(source / "new/a.txt", "aaa")
    write(destination / "extra.txt", "extra")
    write(source / "changed.txt", "newer", mtime=T0 + 60)
    write(destination / "changed.txt", "old")
    write(source / "clash", "a file")
    write(destination / "clash/in.txt", "a folder's file")


def test_compare_prints_one_line_per_entry_then_totals(
    demo: RunningSim, capsys: pytest.CaptureFixture[str]
) -> None:
    differing_trees(demo)

    assert main(["--demo", "compare", SRC, DST]) == 1

    out = capsys.readouterr().out.splitlines()
    totals = out.index("Totals (sizes and modification times compared, not contents):")
    assert out[:totals] == [
        "* changed.txt",
        "! clash/",
        "! clash/in.txt",
        "- extra.txt",
        "= keep/same.txt",
        "+ new/",
        "+ new/a.txt",
        "= same.txt",
    ]
    assert out[totals + 1 :] == [
        "  = same                     2 files, 8 B; 1 folder",
        "  + missing on destination   1 file, 3 B; 1 folder",
        "  - only on destination      1 file, 5 B",
        "  * newer on source          1 file, 5 B",
        "  ! file vs folder           2 files, 21 B",
        "The folders are different.",
    ]


def test_compare_of_equal_folders_exits_0(
    demo: RunningSim, capsys: pytest.CaptureFixture[str]
) -> None:
    for root in folders(demo):
        write(root / "a/b.txt", "same")

    assert main(["--demo", "compare", SRC, DST]) == 0

    out = capsys.readouterr().out
    assert "= a/b.txt" in out and "The folders are equal." in out


def test_compare_json_is_one_document(demo: RunningSim, capsys: pytest.CaptureFixture[str]) -> None:
    differing_trees(demo)

    assert main(["--demo", "compare", "--json", SRC, DST]) == 1

    document = json.loads(capsys.readouterr().out)
    assert document["equal"] is False
    assert document["source"] == {"collection_id": LAPTOP_ID, "path": "/home/demo/src/"}
    assert document["totals"]["newer_source"] == {"entries": 1, "files": 1, "bytes": 5}
    entries = {e["path"]: e for e in document["entries"]}
    assert entries["extra.txt"]["class"] == "only_destination"
    assert entries["extra.txt"]["source"] is None
    assert entries["changed.txt"]["source"] == {
        "kind": "file",
        "size": 5,
        "mtime": "2023-11-14T22:14:20+00:00",
    }
    assert entries["clash"]["destination"]["kind"] == "folder"
    assert document["errors"] == []


def test_an_unlistable_subtree_is_marked_and_exits_2(
    demo: RunningSim, capsys: pytest.CaptureFixture[str]
) -> None:
    for root in folders(demo):
        write(root / "locked/a.txt")
        write(root / "open.txt")
    demo.settings.faults.denied_paths = [f"{SCRATCH_ID}:/home/demo/dst/locked/"]

    assert main(["--demo", "compare", SRC, DST]) == 2

    captured = capsys.readouterr()
    assert "! locked/" in captured.out and "! locked/a.txt" in captured.out
    assert "= open.txt" in captured.out
    assert captured.err.startswith("gtui: could not list destination folder locked/: ")
    assert "Traceback" not in captured.err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["compare", "no-colon-here", DST], "is not COLLECTION_ID:PATH"),
        (["compare", f"{LAPTOP_ID}:/home/demo/typo/", DST], "The source folder /home/demo/typo/"),
        (["sync", "--dry-run", f"{LAPTOP_ID}:/home/demo/typo/", DST], "was not found"),
    ],
)
def test_errors_are_one_line_and_exit_2(
    demo: RunningSim, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert main(["--demo", *argv]) == 2

    err = capsys.readouterr().err
    assert err.startswith("gtui: ") and message in err
    assert err.count("\n") == 1


def test_a_folder_that_cannot_be_listed_at_all_is_one_line_of_error(
    demo: RunningSim, capsys: pytest.CaptureFixture[str]
) -> None:
    demo.settings.faults.denied_paths = [f"{SCRATCH_ID}:/home/demo/dst/"]

    assert main(["--demo", "sync", SRC, DST]) == 2

    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("gtui: Cannot list the destination folder /home/demo/dst/: ")
    assert "Path not allowed" in captured.err and captured.err.count("\n") == 1


def test_without_a_login_compare_says_how_to_log_in(
    demo_root: Path, sim_factory: Callable[..., RunningSim], capsys: pytest.CaptureFixture[str]
) -> None:
    sim_factory(demo_root)

    assert main(["--demo", "compare", SRC, DST]) == 2

    assert capsys.readouterr().err == "gtui: You are not logged in. Run `gtui --demo login`.\n"


def test_sync_dry_run_prints_the_documents_and_submits_nothing(
    demo: RunningSim, capsys: pytest.CaptureFixture[str]
) -> None:
    differing_trees(demo)

    assert main(["--demo", "sync", "--dry-run", "--delete-extra", "--label", "L1", SRC, DST]) == 0

    captured = capsys.readouterr()
    documents = json.loads(captured.out)
    transfer, delete = documents["transfer"], documents["delete"]
    assert transfer["DATA_TYPE"] == "transfer" and transfer["label"] == "L1"
    assert "submission_id" not in transfer
    assert {(i["source_path"], i["recursive"]) for i in transfer["DATA"]} == {
        ("/home/demo/src/changed.txt", False),
        ("/home/demo/src/new/", True),
    }
    assert [i["path"] for i in delete["DATA"]] == ["/home/demo/dst/extra.txt"]
    assert captured.err.splitlines()[:3] == [
        "Copy 2 files (8 B), creating 1 folder, to /home/demo/dst/",
        "Delete 1 entry (1 file, 5 B) found only in /home/demo/dst/:",
        "  - extra.txt",
    ]
    assert "Skip 2 entries: a file on one side and a folder on the other." in captured.err
    assert not (folders(demo)[1] / "new").exists()
    assert (folders(demo)[1] / "extra.txt").exists()


def test_sync_wait_copies_deletes_and_leaves_the_folders_equal(
    demo: RunningSim, capsys: pytest.CaptureFixture[str]
) -> None:
    source, destination = folders(demo)
    for root in (source, destination):
        write(root / "same.txt", "same")
    write(source / "new/deep/a.txt", "aaa")
    write(destination / "old/b.txt", "bb")
    write(source / "changed.txt", "newer", mtime=T0 + 60)
    write(destination / "changed.txt", "old")

    assert main(["--demo", "sync", "--wait", "--delete-extra", SRC, DST]) == 0

    out = capsys.readouterr().out
    assert "Transfer task: " in out and "Delete task: " in out
    assert "SUCCEEDED (2 files" in out
    assert "Compared again: the folders are now the same." in out
    assert (destination / "new/deep/a.txt").read_text(encoding="utf-8") == "aaa"
    assert not (destination / "old").exists()
    assert main(["--demo", "compare", SRC, DST]) == 0
    capsys.readouterr()
    assert main(["--demo", "sync", SRC, DST]) == 0
    assert "Nothing to submit." in capsys.readouterr().out


def test_sync_wait_exits_1_when_the_task_fails(
    demo: RunningSim, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(folders(demo)[0] / "slow.bin", "x" * 1000)
    demo.settings.throttle_bytes_per_second = 10  # long enough to be canceled while it runs
    monkeypatch.setattr(compare_cli, "POLL_SECONDS", (0.1,))
    out, err = io.StringIO(), io.StringIO()
    args = build_parser().parse_args(["--demo", "sync", "--wait", SRC, DST])
    status: list[int] = []
    runner = threading.Thread(
        target=lambda: status.append(compare_cli.sync(args, out=out, err=err))
    )
    runner.start()
    try:
        task_id = _wait_until(lambda: _task_id(out.getvalue()), err)
        asyncio.run(_cancel(task_id))
    finally:
        runner.join(60)
    assert status == [1]
    assert f"Transfer task {task_id}: FAILED" in out.getvalue()


def _task_id(text: str) -> str | None:
    for line in text.splitlines():
        if line.startswith("Transfer task: "):
            return line.removeprefix("Transfer task: ")
    return None


def _wait_until(find: Callable[[], str | None], err: io.StringIO, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = find()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"not found in time: {err.getvalue()}")


async def _cancel(task_id: str) -> None:
    async with command_session(build_parser().parse_args(["--demo", "whoami"])) as session:
        await session.transfer.cancel_task(task_id)

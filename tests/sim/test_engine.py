"""The transfer engine: sync levels, checksums, cancel, queueing, retries, deadlines, restarts."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import globus_sdk
import pytest

from gtui.sim.serve import RunningSim, start_in_thread
from gtui.sim.transfer import copier, transfer_job
from gtui.sim.world import (
    DEMO_CONFIDENTIAL_CLIENT_ID,
    DEMO_CONFIDENTIAL_CLIENT_SECRET,
    LAPTOP_ID,
    SCRATCH_ID,
)

TRANSFER_SCOPE = "urn:globus:auth:scope:transfer.api.globus.org:all"


def sdk_client() -> globus_sdk.TransferClient:
    auth = globus_sdk.ConfidentialAppAuthClient(
        DEMO_CONFIDENTIAL_CLIENT_ID, DEMO_CONFIDENTIAL_CLIENT_SECRET
    )
    return globus_sdk.TransferClient(
        authorizer=globus_sdk.ClientCredentialsAuthorizer(auth, TRANSFER_SCOPE)
    )


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSim]:
    running = start_in_thread(tmp_path_factory.mktemp("engine"))
    with pytest.MonkeyPatch.context() as patch:
        for name, value in running.env.items():
            patch.setenv(name, value)
        yield running
    running.stop()


@pytest.fixture(scope="module")
def tc(service: RunningSim) -> globus_sdk.TransferClient:
    return sdk_client()


@pytest.fixture
def throttle(service: RunningSim) -> Iterator[Callable[[int], None]]:
    def set_rate(rate: int) -> None:
        service.settings.throttle_bytes_per_second = rate

    yield set_rate
    service.settings.throttle_bytes_per_second = 0


def src_home(service: RunningSim) -> Path:
    return service.ctx.world.collections[LAPTOP_ID].root / "home" / "demo"


def dst_home(service: RunningSim) -> Path:
    return service.ctx.world.collections[SCRATCH_ID].root / "home" / "demo"


def write(path: Path, data: bytes, mtime: float | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    if mtime is not None:
        os.utime(path, (mtime, mtime))


def wait_until(condition: Callable[[], Any], timeout: float = 30, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what or condition}"
        time.sleep(0.02)


def finished(tc: globus_sdk.TransferClient, task_id: str, timeout: float = 30) -> Any:
    return wait_until(
        lambda: (t := tc.get_task(task_id))["status"] in ("SUCCEEDED", "FAILED") and t,
        timeout,
        f"task {task_id} to finish",
    )


def submit(tc: globus_sdk.TransferClient, items: list[tuple[str, str]], **options: Any) -> str:
    data = globus_sdk.TransferData(
        source_endpoint=LAPTOP_ID, destination_endpoint=SCRATCH_ID, **options
    )
    for source, destination in items:
        data.add_item(source, destination)
    return tc.submit_transfer(data)["task_id"]


def events(tc: globus_sdk.TransferClient, task_id: str) -> list[dict[str, Any]]:
    return list(tc.task_event_list(task_id, limit=1000))


def sync_fixture(service: RunningSim, name: str) -> None:
    """Source and destination folders that differ in every way a sync level can notice."""
    old, new = time.time() - 7200, time.time() - 60
    src, dst = src_home(service) / name, dst_home(service) / name
    write(src / "same.txt", b"same", old)
    write(dst / "same.txt", b"same", old)
    write(src / "size.txt", b"longer text", old)
    write(dst / "size.txt", b"short", old)
    write(src / "newer.txt", b"NEW!", new)
    write(dst / "newer.txt", b"old!", old)
    write(src / "content.txt", b"AAAA", old)
    write(dst / "content.txt", b"BBBB", old)
    write(src / "missing.txt", b"here", old)


@pytest.mark.parametrize(
    ("level", "copied"),
    [
        (0, {"missing.txt"}),
        (1, {"missing.txt", "size.txt"}),
        (2, {"missing.txt", "size.txt", "newer.txt"}),
        (3, {"missing.txt", "size.txt", "newer.txt", "content.txt"}),
    ],
)
def test_each_sync_level_copies_only_what_differs(
    tc: globus_sdk.TransferClient, service: RunningSim, level: int, copied: set[str]
) -> None:
    name = f"sync{level}"
    sync_fixture(service, name)
    task = finished(tc, submit(tc, [(f"/~/{name}/", f"/~/{name}/")], sync_level=level))
    assert task["status"] == "SUCCEEDED" and task["sync_level"] == level
    assert task["files"] == 5
    assert task["files_transferred"] == len(copied)
    assert task["files_skipped"] == 5 - len(copied)
    done = {
        t["destination_path"].rsplit("/", 1)[1]
        for t in tc.task_successful_transfers(task["task_id"])
    }
    assert done == copied
    for file in (src_home(service) / name).iterdir():
        same = (dst_home(service) / name / file.name).read_bytes() == file.read_bytes()
        assert same == (file.name in copied or file.name == "same.txt"), file.name


def test_verify_checksum_reads_source_and_written_file(
    tc: globus_sdk.TransferClient, service: RunningSim
) -> None:
    payload = os.urandom(3 * 1024 * 1024 + 17)
    write(src_home(service) / "sums" / "data.bin", payload)
    task = finished(
        tc, submit(tc, [("/~/sums/data.bin", "/~/sums/data.bin")], verify_checksum=True)
    )
    assert task["status"] == "SUCCEEDED" and task["verify_checksum"] is True
    assert task["bytes_transferred"] == len(payload)
    assert task["bytes_checksummed"] == 2 * len(payload)
    written = (dst_home(service) / "sums" / "data.bin").read_bytes()
    assert hashlib.md5(written).digest() == hashlib.md5(payload).digest()


def test_external_checksum_mismatch_is_retried_as_a_fault(
    tc: globus_sdk.TransferClient, service: RunningSim
) -> None:
    write(src_home(service) / "extsum" / "f.txt", b"abc")
    data = globus_sdk.TransferData(source_endpoint=LAPTOP_ID, destination_endpoint=SCRATCH_ID)
    data.add_item("/~/extsum/f.txt", "/~/extsum/f.txt", external_checksum="0" * 32)
    task_id = tc.submit_transfer(data)["task_id"]
    wait_until(lambda: tc.get_task(task_id)["faults"] >= 1, what="a checksum fault")
    assert "CHECKSUM_MISMATCH" in {e["code"] for e in events(tc, task_id)}
    tc.cancel_task(task_id)


def test_copy_with_a_bad_checksum_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "src.bin"
    source.write_bytes(b"x" * 100_000)
    monkeypatch.setattr(copier, "file_md5", lambda *args, **kwargs: "not-the-same")
    stop = threading.Event()
    with pytest.raises(copier.ChecksumMismatch):
        copier.copy_file(
            source,
            tmp_path / "dst.bin",
            throttle=copier.Throttle(lambda: 0, stop),
            stop=stop,
            on_bytes=lambda n: None,
            on_checksummed=lambda n: None,
            checksum=True,
            verify=True,
            mtime=None,
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["src.bin"]


def test_cancel_mid_copy_leaves_no_truncated_file(
    tc: globus_sdk.TransferClient, service: RunningSim, throttle: Callable[[int], None]
) -> None:
    throttle(200_000)
    write(src_home(service) / "cancel" / "big.bin", os.urandom(4_000_000))
    task_id = submit(tc, [("/~/cancel/big.bin", "/~/cancel-copy/big.bin")])
    first = wait_until(
        lambda: (t := tc.get_task(task_id))["bytes_transferred"] > 0 and t, what="bytes to move"
    )
    later = wait_until(
        lambda: (t := tc.get_task(task_id))["bytes_transferred"] > first["bytes_transferred"] and t,
        what="more bytes to move",
    )
    assert later["effective_bytes_per_second"] > 0 and later["status"] == "ACTIVE"
    assert tc.cancel_task(task_id)["code"] == "Canceled"
    task = tc.get_task(task_id)
    assert task["status"] == "FAILED" and task["subtasks_canceled"] == 1
    assert list((dst_home(service) / "cancel-copy").iterdir()) == []
    assert [e["code"] for e in events(tc, task_id)][0] == "CANCELED"


def test_throttled_task_reports_progress_events(
    tc: globus_sdk.TransferClient, service: RunningSim, throttle: Callable[[int], None]
) -> None:
    engine = service.ctx.transfer.engine
    engine.progress_interval = 0.2
    throttle(400_000)
    try:
        write(src_home(service) / "progress" / "f.bin", os.urandom(600_000))
        task_id = submit(tc, [("/~/progress/f.bin", "/~/progress/f.bin")])
        task = finished(tc, task_id)
    finally:
        engine.progress_interval = 2.0
    assert task["status"] == "SUCCEEDED"
    progress = [e for e in events(tc, task_id) if e["code"] == "PROGRESS"]
    assert progress and not progress[0]["is_error"]
    assert "bytes_transferred" in json.loads(progress[0]["details"])


def test_a_user_runs_three_tasks_and_the_rest_are_queued(
    tc: globus_sdk.TransferClient, service: RunningSim, throttle: Callable[[int], None]
) -> None:
    throttle(50_000)
    write(src_home(service) / "queue" / "f.bin", os.urandom(300_000))
    ids = [submit(tc, [("/~/queue/f.bin", f"/~/queue-{i}/f.bin")]) for i in range(5)]

    def states() -> list[str]:
        return [tc.get_task(i)["nice_status"] for i in ids]

    wait_until(lambda: states().count("OK") == 3, what="three running tasks")
    tasks = [tc.get_task(i) for i in ids]
    assert all(t["status"] == "ACTIVE" for t in tasks)
    assert [t["nice_status"] for t in tasks] == ["OK", "OK", "OK", "Queued", "Queued"]
    assert tasks[3]["bytes_transferred"] == 0
    tc.cancel_task(ids[0])
    wait_until(lambda: tc.get_task(ids[3])["nice_status"] == "OK", what="a queued task to start")
    throttle(0)
    assert [finished(tc, i)["status"] for i in ids[1:]] == ["SUCCEEDED"] * 4


def test_source_errors_are_retried_until_they_clear(
    tc: globus_sdk.TransferClient, service: RunningSim
) -> None:
    locked = src_home(service) / "retry" / "locked.txt"
    write(locked, b"eventually")
    locked.chmod(0)
    task_id = submit(tc, [("/~/retry/", "/~/retry/")])
    task = wait_until(lambda: (t := tc.get_task(task_id))["faults"] >= 1 and t, what="a fault")
    assert task["status"] == "ACTIVE" and task["nice_status"] == "PERMISSION_DENIED"
    assert task["is_ok"] is False and task["subtasks_retrying"] == 1
    error = next(e for e in events(tc, task_id) if e["code"] == "PERMISSION_DENIED")
    assert error["is_error"] is True and "locked.txt" in error["details"]
    locked.chmod(0o644)
    task = finished(tc, task_id)
    assert task["status"] == "SUCCEEDED" and task["faults"] >= 1
    assert (dst_home(service) / "retry" / "locked.txt").read_bytes() == b"eventually"


def test_a_missing_source_fails_the_task_at_its_deadline(
    tc: globus_sdk.TransferClient,
) -> None:
    deadline = datetime.now(UTC) + timedelta(seconds=2)
    task_id = submit(tc, [("/~/never-there.txt", "/~/never.txt")], deadline=deadline)
    task = finished(tc, task_id, timeout=20)
    assert task["status"] == "FAILED" and task["fatal_error"]["code"] == "EXPIRED"
    codes = [e["code"] for e in events(tc, task_id)]
    assert codes[0] == "EXPIRED" and "FILE_NOT_FOUND" in codes
    assert task["subtasks_expired"] == 1 and task["faults"] >= 1


def test_filter_rules_first_match_decides(
    tc: globus_sdk.TransferClient, service: RunningSim
) -> None:
    base = src_home(service) / "rules"
    for name in ("keep.txt", "drop.tmp", "important.tmp", "cache/x.txt", "logs/a.log"):
        write(base / name, b"x")
    data = globus_sdk.TransferData(source_endpoint=LAPTOP_ID, destination_endpoint=SCRATCH_ID)
    data.add_item("/~/rules/", "/~/rules/", recursive=True)
    data.add_filter_rule("important.tmp", method="include", type="file")
    data.add_filter_rule("*.tmp", method="exclude", type="file")
    data.add_filter_rule("cache", method="exclude", type="dir")
    task = finished(tc, tc.submit_transfer(data)["task_id"])
    assert task["status"] == "SUCCEEDED"
    copied = sorted(
        str(p.relative_to(dst_home(service) / "rules"))
        for p in (dst_home(service) / "rules").rglob("*")
    )
    assert copied == ["important.tmp", "keep.txt", "logs", "logs/a.log"]
    assert task["filter_rules"][0]["name"] == "important.tmp"


def test_delete_destination_extra_removes_what_the_source_lacks(
    tc: globus_sdk.TransferClient, service: RunningSim
) -> None:
    write(src_home(service) / "mirror" / "a.txt", b"a")
    write(dst_home(service) / "mirror" / "a.txt", b"a")
    write(dst_home(service) / "mirror" / "stale.txt", b"old")
    write(dst_home(service) / "mirror" / "gone" / "x.txt", b"old")
    task = finished(
        tc, submit(tc, [("/~/mirror/", "/~/mirror/")], sync_level=1, delete_destination_extra=True)
    )
    assert task["status"] == "SUCCEEDED" and task["delete_destination_extra"] is True
    assert sorted(p.name for p in (dst_home(service) / "mirror").iterdir()) == ["a.txt"]


@pytest.mark.parametrize(
    ("mode", "expected"), [("ignore", None), ("keep", "link"), ("copy", "file")]
)
def test_recursive_symlinks_modes(
    tc: globus_sdk.TransferClient, service: RunningSim, mode: str, expected: str | None
) -> None:
    base = src_home(service) / f"links-{mode}"
    write(base / "real.txt", b"target")
    os.symlink("real.txt", base / "alias.txt")
    os.symlink("/etc/hostname", base / "outside")
    data = globus_sdk.TransferData(source_endpoint=LAPTOP_ID, destination_endpoint=SCRATCH_ID)
    data["recursive_symlinks"] = mode
    data.add_item(f"/~/links-{mode}/", f"/~/links-{mode}/", recursive=True)
    assert finished(tc, tc.submit_transfer(data)["task_id"])["status"] == "SUCCEEDED"
    alias = dst_home(service) / f"links-{mode}" / "alias.txt"
    outside = dst_home(service) / f"links-{mode}" / "outside"
    if expected is None:
        assert not os.path.lexists(alias)
    elif expected == "link":
        assert alias.is_symlink() and os.readlink(alias) == "real.txt"
    else:
        assert not alias.is_symlink() and alias.read_bytes() == b"target"
    assert not outside.exists() or outside.is_symlink()


def test_delete_task_needs_recursive_for_folders_and_honours_ignore_missing(
    tc: globus_sdk.TransferClient, service: RunningSim
) -> None:
    write(dst_home(service) / "del" / "f.txt", b"x")
    data = globus_sdk.DeleteData(
        endpoint=SCRATCH_ID, ignore_missing=True, deadline=datetime.now(UTC) + timedelta(seconds=2)
    )
    data.add_item("/~/del/f.txt")
    data.add_item("/~/del/absent.txt")
    assert finished(tc, tc.submit_delete(data)["task_id"])["status"] == "SUCCEEDED"
    assert not (dst_home(service) / "del" / "f.txt").exists()
    folder = globus_sdk.DeleteData(
        endpoint=SCRATCH_ID, deadline=datetime.now(UTC) + timedelta(seconds=2)
    )
    folder.add_item("/~/del/")
    task = finished(tc, tc.submit_delete(folder)["task_id"], timeout=20)
    assert task["status"] == "FAILED"
    assert "IS_A_DIRECTORY" in {e["code"] for e in events(tc, task["task_id"])}
    assert (dst_home(service) / "del").is_dir()


def test_active_tasks_resume_after_a_restart(tmp_path: Path) -> None:
    root = tmp_path / "world"
    first = start_in_thread(root, throttle_bytes_per_second=50_000)
    try:
        with pytest.MonkeyPatch.context() as patch:
            for name, value in first.env.items():
                patch.setenv(name, value)
            write(src_home(first) / "resume" / "f.bin", os.urandom(500_000))
            task_id = submit(sdk_client(), [("/~/resume/f.bin", "/~/resume/f.bin")])
            wait_until(lambda: sdk_client().get_task(task_id)["bytes_transferred"] > 0)
    finally:
        first.stop()
    with contextlib.closing(sqlite3.connect(root / ".gtui-sim" / "service.db")) as db:
        saved = db.execute("SELECT task_id, status FROM transfer_tasks").fetchall()
    assert saved == [(task_id, "ACTIVE")]
    assert not (dst_home(first) / "resume" / "f.bin").exists()
    second = start_in_thread(root)
    try:
        with pytest.MonkeyPatch.context() as patch:
            for name, value in second.env.items():
                patch.setenv(name, value)
            client = sdk_client()
            task = finished(client, task_id)
            codes = [e["code"] for e in events(client, task_id) if e["code"] != "PROGRESS"]
    finally:
        second.stop()
    assert task["status"] == "SUCCEEDED"
    assert codes == ["SUCCEEDED", "STARTED"]
    assert (dst_home(second) / "resume" / "f.bin").stat().st_size == 500_000


@pytest.mark.parametrize("fail_on_quota", [True, False])
def test_quota_errors_fail_the_task_only_when_asked(
    tc: globus_sdk.TransferClient,
    service: RunningSim,
    monkeypatch: pytest.MonkeyPatch,
    fail_on_quota: bool,
) -> None:
    def disk_full(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(transfer_job, "copy_file", disk_full)
    write(src_home(service) / "quota" / "f.txt", b"data")
    task_id = submit(
        tc,
        [("/~/quota/f.txt", f"/~/quota-{fail_on_quota}/f.txt")],
        fail_on_quota_errors=fail_on_quota,
    )
    if fail_on_quota:
        task = finished(tc, task_id)
        assert task["status"] == "FAILED"
        assert task["fatal_error"]["code"] == "QUOTA_EXCEEDED"
        assert task["fail_on_quota_errors"] is True
    else:
        task = wait_until(
            lambda: (t := tc.get_task(task_id))["faults"] >= 2 and t, what="retried quota faults"
        )
        assert task["status"] == "ACTIVE" and task["nice_status"] == "QUOTA_EXCEEDED"
        tc.cancel_task(task_id)

"""``gtui sim serve`` killed with SIGKILL: what it acknowledged survives, what it left is cleared.

"Acknowledged" means answered: a submit answered 202 is a task after the restart (and its
submission id still answers Duplicate), a bookmark created, renamed or deleted stays so. A copy
interrupted by the kill leaves its temporary ``.gtui-part`` files behind; the next start removes
them (only them), resumes the task and ends with every byte of the source.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gtui.sim.transfer.partial_files import is_part_name
from gtui.sim.world import (
    COLLECTION_FOLDERS,
    DEMO_CONFIDENTIAL_CLIENT_ID,
    DEMO_CONFIDENTIAL_CLIENT_SECRET,
    LAPTOP_ID,
    SCRATCH_ID,
)
from tests.reliability.trees import tree_digest, write_tree

TRANSFER_SCOPE = "urn:globus:auth:scope:transfer.api.globus.org:all"


class Service:
    """One ``gtui sim serve`` process and a Transfer client of the demo confidential client."""

    def __init__(self, root: Path, *flags: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gtui", "sim", "serve", "--port", "0", "--root", str(root)]
            + list(flags),
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self.base_url = self._read_base_url()
        self.http = httpx.Client(base_url=f"{self.base_url}/transfer/v0.10", timeout=30)
        token = httpx.post(
            f"{self.base_url}/auth/v2/oauth2/token",
            data={"grant_type": "client_credentials", "scope": TRANSFER_SCOPE},
            auth=(DEMO_CONFIDENTIAL_CLIENT_ID, DEMO_CONFIDENTIAL_CLIENT_SECRET),
            timeout=30,
        )
        token.raise_for_status()
        self.http.headers["Authorization"] = f"Bearer {token.json()['access_token']}"

    def _read_base_url(self) -> str:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.startswith("export GLOBUS_SDK_SERVICE_URL_AUTH="):
                return line.split("=", 1)[1].strip().removesuffix("/").removesuffix("/auth")
        raise RuntimeError("gtui sim serve did not start")

    def call(self, method: str, path: str, expect: int = 200, **kwargs: Any) -> Any:
        answer = self.http.request(method, path, **kwargs)
        assert answer.status_code == expect, answer.text
        return answer.json()

    def submit(self, source: str, destination: str, submission_id: str | None = None) -> Any:
        submission_id = submission_id or self.call("GET", "/submission_id")["value"]
        document = {
            "DATA_TYPE": "transfer",
            "submission_id": submission_id,
            "source_endpoint": LAPTOP_ID,
            "destination_endpoint": SCRATCH_ID,
            "DATA": [
                {
                    "DATA_TYPE": "transfer_item",
                    "source_path": source,
                    "destination_path": destination,
                    "recursive": source.endswith("/"),
                }
            ],
        }
        answer = self.http.post("/transfer", json=document)
        assert answer.status_code in (200, 202), answer.text
        return answer.json()

    def wait_for_status(self, task_id: str, status: str, timeout: float = 60) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            task = self.call("GET", f"/task/{task_id}")
            if task["status"] == status or time.monotonic() > deadline:
                assert task["status"] == status, task
                return task
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL: nothing of the service runs after this, not even its shutdown."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)
        self.http.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.http.close()


@pytest.fixture
def serve() -> Iterator[Callable[..., Service]]:
    started: list[Service] = []

    def start(root: Path, *flags: str) -> Service:
        started.append(Service(root, *flags))
        return started[-1]

    yield start
    for service in started:
        service.stop()


def home(root: Path, collection_id: str) -> Path:
    return root / COLLECTION_FOLDERS[collection_id] / "home" / "demo"


def test_what_was_acknowledged_before_a_sigkill_is_there_after_the_restart(
    tmp_path: Path, serve: Callable[..., Service]
) -> None:
    root = tmp_path / "root"
    first = serve(root, "--throttle", "20000")
    source = home(root, LAPTOP_ID) / "crash" / "payload.bin"
    source.parent.mkdir(parents=True)
    source.write_bytes(os.urandom(300_000))
    mark = {"endpoint_id": LAPTOP_ID, "path": "/home/demo/crash/"}
    kept = first.call("POST", "/bookmark", json={**mark, "name": "kept"})
    gone = first.call("POST", "/bookmark", json={**mark, "name": "to delete"})
    first.call("DELETE", f"/bookmark/{gone['id']}")
    renamed = first.call("POST", "/bookmark", json={**mark, "name": "before"})
    accepted = first.submit("/~/crash/payload.bin", "/~/crash/payload.bin")
    assert accepted["code"] == "Accepted"
    first.call("PUT", f"/bookmark/{renamed['id']}", json={"name": "after"})
    first.kill()

    again = serve(root)
    task = again.call("GET", f"/task/{accepted['task_id']}")
    assert task["status"] in ("ACTIVE", "SUCCEEDED")
    duplicate = again.submit("/~/crash/payload.bin", "/~/x.bin", accepted["submission_id"])
    assert (duplicate["code"], duplicate["task_id"]) == ("Duplicate", accepted["task_id"])
    marks = again.call("GET", "/bookmark_list")["DATA"]
    assert sorted((m["name"], m["id"]) for m in marks) == [
        ("after", renamed["id"]),
        ("kept", kept["id"]),
    ]
    again.wait_for_status(accepted["task_id"], "SUCCEEDED")
    copy = home(root, SCRATCH_ID) / "crash" / "payload.bin"
    assert copy.read_bytes() == source.read_bytes()
    listed = again.call("GET", "/task_list", params={"filter": "type:TRANSFER,DELETE"})
    assert listed["total"] == 1


def _part_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if is_part_name(p.name)]


def test_a_restart_removes_the_partial_files_of_a_killed_copy_and_finishes_it(
    tmp_path: Path, serve: Callable[..., Service]
) -> None:
    root = tmp_path / "root"
    first = serve(root, "--throttle", "100000")
    source = home(root, LAPTOP_ID) / "bulk"
    write_tree(source, folders=2, files=2, seed=7)
    for i in range(3):
        (source / f"big-{i}.bin").write_bytes(os.urandom(400_000))
    task_id = first.submit("/~/bulk/", "/~/bulk-copy/")["task_id"]
    destination = home(root, SCRATCH_ID) / "bulk-copy"
    deadline = time.monotonic() + 60
    while not any(p.stat().st_size > 0 for p in _part_files(destination)):
        assert time.monotonic() < deadline, "the copy never started writing"
        time.sleep(0.02)
    first.kill()
    left_behind = _part_files(destination)
    assert left_behind, "the kill should leave the copy's temporary files behind"

    # Files that are not the copy's own stay: a look-alike outside every task's destination,
    # and a name in the destination that is not the temporary-name pattern.
    elsewhere = home(root, SCRATCH_ID) / "elsewhere" / ".data.bin.0123abcd.gtui-part"
    elsewhere.parent.mkdir(parents=True)
    elsewhere.write_bytes(b"mine")
    user_file = destination / "notes.gtui-part"
    user_file.write_bytes(b"mine too")

    again = serve(root)
    again.wait_for_status(task_id, "SUCCEEDED")
    assert not any(p.exists() for p in left_behind)
    assert _part_files(destination) == []
    assert elsewhere.read_bytes() == b"mine" and user_file.read_bytes() == b"mine too"
    user_file.unlink()
    assert tree_digest(destination) == tree_digest(source)

"""``gtui sim serve`` and ``start_in_thread``: loopback only, the printed exports, restarts."""

from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from gtui.sim.serve import NotLoopbackError, start_in_thread
from gtui.sim.world import ARCHIVE_ID, DEMO_CONFIDENTIAL_CLIENT_SECRET, GUEST_ID, LAPTOP_ID


def test_running_sim_exposes_urls_and_sdk_environment(sim) -> None:
    assert sim.base_url == f"http://127.0.0.1:{sim.port}"
    assert sim.service_urls == {
        name: f"{sim.base_url}/{name}/"
        for name in ("auth", "transfer", "groups", "search", "timer", "flows")
    }
    assert sim.env["GLOBUS_SDK_ENVIRONMENT"] == "sim"
    assert sim.env["GLOBUS_SDK_SERVICE_URL_SEARCH"] == f"{sim.base_url}/search/"
    assert sim.env["GLOBUS_SDK_SERVICE_URL_FLOWS"] == f"{sim.base_url}/flows/"
    assert sim.settings.state_dir == sim.settings.root / ".gtui-sim"


def test_the_service_listens_on_loopback_only(sim) -> None:
    (server,) = sim._server.servers
    addresses = {s.getsockname()[0] for s in server.sockets}
    assert addresses == {"127.0.0.1"}


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::"])
def test_other_hosts_are_refused(tmp_path: Path, host: str) -> None:
    with pytest.raises(NotLoopbackError):
        start_in_thread(tmp_path, host=host)


def _non_loopback_address() -> str | None:
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))
        address = probe.getsockname()[0]
    except OSError:
        return None
    finally:
        probe.close()
    return None if address.startswith("127.") else address


def test_the_service_is_unreachable_from_other_interfaces(sim) -> None:
    address = _non_loopback_address()
    if address is None:
        assert sim.base_url.startswith("http://127.0.0.1:")
        return
    with pytest.raises(OSError):
        socket.create_connection((address, sim.port), timeout=2).close()


def test_gtui_sim_serve_prints_exports_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "gtui", "sim", "serve", "--port", "0", "--root", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        lines: list[str] = []
        deadline = time.monotonic() + 60
        assert proc.stdout is not None
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if GUEST_ID in line and "shared" in line:
                break
        text = "".join(lines)
        match = re.search(
            r"export GLOBUS_SDK_SERVICE_URL_AUTH=(http://127\.0\.0\.1:\d+/auth/)", text
        )
        assert match, text
        assert "export GLOBUS_SDK_ENVIRONMENT=sim" in text
        for name in ("TRANSFER", "GROUPS", "SEARCH"):
            assert f"export GLOBUS_SDK_SERVICE_URL_{name}=" in text
        assert DEMO_CONFIDENTIAL_CLIENT_SECRET in text
        assert ARCHIVE_ID in text
        assert LAPTOP_ID in text
        assert str(tmp_path / "archive") in text
        config = None
        while time.monotonic() < deadline:
            try:
                config = httpx.get(f"{match.group(1)}.well-known/openid-configuration")
                break
            except httpx.TransportError:
                time.sleep(0.05)
        assert config is not None and config.json()["issuer"] == match.group(1).rstrip("/")
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_gtui_sim_serve_refuses_a_public_host(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "gtui",
            "sim",
            "serve",
            "--host",
            "0.0.0.0",
            "--root",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "only 127.0.0.1" in result.stderr


def test_cli_help_does_not_load_the_web_stack() -> None:
    probe = (
        "import sys\nfrom gtui.cli import build_parser\nbuild_parser()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('starlette', 'uvicorn')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_one_service_per_demo_folder_until_the_first_stops(sim_factory, tmp_path: Path) -> None:
    from gtui.sim.state_lock import StateInUse

    root = tmp_path / "shared-root"
    first = sim_factory(root)
    with pytest.raises(StateInUse, match="in use by another gtui --demo or gtui sim serve"):
        start_in_thread(root)
    done = subprocess.run(
        [sys.executable, "-m", "gtui", "sim", "serve", "--port", "0", "--root", str(root)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert f"the demo folder {root} is in use" in done.stderr
    assert f"(process {os.getpid()})" in done.stderr
    assert "Traceback" not in done.stderr
    first.stop()
    second = sim_factory(root)
    answer = httpx.get(f"{second.service_urls['auth']}.well-known/openid-configuration")
    assert answer.status_code == 200


def test_a_service_waits_for_one_that_is_stopping_but_not_for_one_that_runs(
    tmp_path: Path,
) -> None:
    """Quitting gtui --demo does not wait for its service to save: a new one started at once
    waits for the old one to let go of the folder, and only for one that said it is stopping."""
    import threading

    from gtui.sim.state_lock import StateInUse, StateLock

    state = tmp_path / "state"
    state.mkdir()
    first = StateLock(state, tmp_path)
    first.acquire()
    with pytest.raises(StateInUse):
        StateLock(state, tmp_path).acquire()

    first.mark_stopping()
    saved = threading.Event()

    def finish_saving() -> None:
        time.sleep(0.3)  # the old service's last save
        saved.set()
        first.release()

    saver = threading.Thread(target=finish_saving)
    saver.start()
    second = StateLock(state, tmp_path)
    second.acquire()  # waits for the first to let go, then holds the folder
    assert saved.is_set()
    saver.join()
    with pytest.raises(StateInUse):
        StateLock(state, tmp_path).acquire()
    second.release()


@pytest.mark.parametrize(
    "damage",
    ["a schema this gtui does not know", "tables of another version", "not a database"],
)
def test_a_database_from_another_version_is_one_clear_line(tmp_path: Path, damage: str) -> None:
    state = tmp_path / ".gtui-sim"
    state.mkdir()
    database = state / "service.db"
    if damage == "not a database":
        database.write_bytes(b"this is not SQLite" * 100)
    else:
        with sqlite3.connect(database) as conn:
            conn.execute("CREATE TABLE schema_versions (component TEXT PRIMARY KEY, version INT)")
            version = 99 if damage == "a schema this gtui does not know" else 2
            conn.execute("INSERT INTO schema_versions VALUES ('transfer', ?)", (version,))
    result = subprocess.run(
        [sys.executable, "-m", "gtui", "sim", "serve", "--port", "0", "--root", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"gtui sim serve: cannot use {database}:" in result.stderr
    assert "move it away to start with an empty task history" in result.stderr

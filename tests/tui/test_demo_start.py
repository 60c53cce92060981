"""How ``gtui --demo`` starts: the service in a child process, the stored login kept or renewed."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from gtui.core.errors import LoginRequired
from gtui.core.session import GlobusSession
from gtui.demo_service import DemoService, serve_command, start_demo_service
from gtui.sim.serve import RunningSim
from gtui.sim.world import LAPTOP_ID
from gtui.tui.launch import ensure_demo_login
from tests.tui.tui_helpers import new_session


def _openid_configuration(service: DemoService, timeout: float = 60.0) -> dict[str, Any]:
    """The first answer of a service that is still starting (requests wait in its backlog)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            answer = httpx.get(
                f"{service.service_urls['auth']}.well-known/openid-configuration", timeout=30
            )
            answer.raise_for_status()
            return dict(answer.json())
        except httpx.TransportError:
            if time.monotonic() > deadline or service.exited():
                raise
            time.sleep(0.05)


def test_the_service_answers_from_its_own_process_and_stops_when_asked(
    tui_dirs: Path,
) -> None:
    root = tui_dirs / "root"
    service = start_demo_service(root, log_file=tui_dirs / "log" / "sim.log")
    try:
        assert service.base_url.startswith("http://127.0.0.1:")
        assert service.process.pid != 0 and not service.exited()
        config = _openid_configuration(service)
        assert config["issuer"].startswith(service.base_url)
        assert service.env["GLOBUS_SDK_SERVICE_URL_TRANSFER"] == f"{service.base_url}/transfer/"
    finally:
        status = service.stop()
    assert status == 0
    assert (root / ".gtui-sim" / "signing-key.pem").is_file()
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{service.service_urls['auth']}.well-known/openid-configuration", timeout=5)


def test_the_service_ends_when_the_app_side_of_its_pipe_closes(tui_dirs: Path) -> None:
    service = start_demo_service(tui_dirs / "root")
    _openid_configuration(service)
    assert service.process.stdin is not None
    service.process.stdin.close()  # what the kernel does when the app is killed
    assert service.process.wait(timeout=30) == 0


def test_an_inherited_socket_off_loopback_is_refused(tui_dirs: Path) -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("0.0.0.0", 0))
    sock.listen(1)
    try:
        done = subprocess.run(
            serve_command(sock.fileno(), tui_dirs / "root"),
            pass_fds=(sock.fileno(),),
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        sock.close()
    assert done.returncode == 1
    assert "only 127.0.0.1 is allowed" in done.stderr


def test_a_failed_start_is_explained_with_the_service_log(tui_dirs: Path) -> None:
    blocker = tui_dirs / "not-a-folder"
    blocker.write_text("a file where the demo root should be", encoding="utf-8")
    service = start_demo_service(blocker / "root", log_file=tui_dirs / "log" / "sim.log")
    try:
        with pytest.raises(httpx.TransportError):
            _openid_configuration(service, timeout=60)
        assert service.process.wait(timeout=30) != 0
        assert "gtui sim serve: cannot use" in service.log_tail()
        assert "Not a directory" in service.log_tail()
        assert "Traceback" not in service.log_tail()
    finally:
        service.stop()


@asynccontextmanager
async def demo_session(sim: RunningSim) -> AsyncIterator[GlobusSession]:
    """A session of the demo client on ``sim`` (the test's token store), closed after."""
    session = new_session(sim)
    try:
        yield session
    finally:
        await session.aclose()


async def _lists_the_laptop_home(session: GlobusSession) -> bool:
    listing = await session.transfer.operation_ls(LAPTOP_ID, path="/~/")
    return any(item["name"] == "Documents" for item in listing)


async def test_a_stored_demo_login_is_kept_while_the_service_honours_it(
    tui_dirs: Path, sim_factory: Callable[..., RunningSim]
) -> None:
    sim = sim_factory(tui_dirs / "root")
    async with demo_session(sim) as first:
        assert await ensure_demo_login(first) is True
        stored = first.token_store.get_token_data("transfer.api.globus.org")
    assert stored is not None
    async with demo_session(sim) as again:
        assert await ensure_demo_login(again) is False
        assert again.identity is not None and again.identity.username.startswith("demo@")
        kept = again.token_store.get_token_data("transfer.api.globus.org")
        assert kept is not None and kept["access_token"] == stored["access_token"]
        assert await _lists_the_laptop_home(again)


async def test_a_login_from_another_demo_world_is_replaced(
    tui_dirs: Path, sim_factory: Callable[..., RunningSim]
) -> None:
    old_world = sim_factory(tui_dirs / "old-root")
    async with demo_session(old_world) as session:
        await ensure_demo_login(session)
    old_world.stop()

    new_world = sim_factory(tui_dirs / "new-root")
    async with demo_session(new_world) as stale:
        with pytest.raises(LoginRequired):
            await stale.transfer.operation_ls(LAPTOP_ID, path="/~/")
    async with demo_session(new_world) as session:
        assert await ensure_demo_login(session) is True
        assert await _lists_the_laptop_home(session)


async def test_a_damaged_token_store_is_replaced_by_a_new_demo_login(
    tui_dirs: Path, sim_factory: Callable[..., RunningSim]
) -> None:
    sim = sim_factory(tui_dirs / "root")
    async with demo_session(sim) as session:
        session.token_store.path.parent.mkdir(parents=True, exist_ok=True)
        session.token_store.path.write_text("{not json", encoding="utf-8")
        assert await ensure_demo_login(session) is True
        assert await _lists_the_laptop_home(session)


def test_a_second_demo_on_the_same_folder_says_so(
    tui_dirs: Path, sim_factory: Callable[..., RunningSim]
) -> None:
    root = tui_dirs / "root"
    log_file = tui_dirs / "log" / "sim.log"
    log_file.write_text("gtui sim serve: a message of an earlier run\n", encoding="utf-8")
    sim_factory(root)  # the first gtui --demo's service, still running
    service = start_demo_service(root, log_file=log_file)
    try:
        assert service.process.wait(timeout=60) == 1
        assert f"the demo folder {root} is in use" in service.log_tail()
        assert "earlier run" not in service.log_tail()
    finally:
        service.stop()

"""The service goes away in the middle of a session and comes back on the same port and root.

"Nothing lost" means: the app says it is offline and retrying, recovers without being told,
the transfer that was running when the service stopped ends SUCCEEDED in the queue with every
byte of its source, and what the user tried while offline (opening a folder, submitting a
transfer) was either reported to them or done exactly once - never silently dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from gtui.core.http import RetryPolicy
from gtui.core.session import GlobusSession
from gtui.sim.serve import RunningSim
from gtui.sim.world import DEMO_NATIVE_CLIENT_ID, DEMO_USER_ID, LAPTOP_ID, SCRATCH_ID
from gtui.tui.demo_login import demo_login
from gtui.tui.screens.transfer_options import TransferOptionsScreen
from tests.reliability.trees import tree_digest, write_tree
from tests.tui.tui_helpers import build_app, pane, ready, wait_for

THROTTLE = 150_000


def _messages(app: Any, severity: str) -> list[str]:
    return [n.message for n in app._notifications if n.severity == severity]


async def _transfer(pilot: Any, app: Any, name: str) -> None:
    left = pane(app, "left")
    left.file_list.focus()
    left.file_list.cursor = left.file_list.row_of(name)
    await pilot.press("f5")
    await wait_for(pilot, lambda: isinstance(app.screen, TransferOptionsScreen))
    await pilot.press("enter")


async def test_the_app_rides_out_a_service_restart_and_loses_nothing(
    app_dirs: Path, sim_factory: Callable[..., RunningSim]
) -> None:
    root = app_dirs / "root"
    sim = sim_factory(root, throttle_bytes_per_second=THROTTLE)
    home = sim.ctx.world.collection_root(LAPTOP_ID) / "home" / "demo"
    write_tree(home / "payload", folders=1, files=0, seed=3)
    (home / "payload" / "bulk.bin").write_bytes(bytes(range(256)) * 3000)
    write_tree(home / "later", folders=0, files=2, seed=4)
    session = GlobusSession(
        DEMO_NATIVE_CLIENT_ID,
        environment="sim",
        service_urls=sim.service_urls,
        retry_policy=RetryPolicy(max_retries=2, max_backoff=0.2),
    )
    await demo_login(session)
    app = build_app(sim, session)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await ready(pilot)
        before = set(app.feed.tasks)
        await _transfer(pilot, app, "payload")
        await wait_for(pilot, lambda: len(set(app.feed.tasks) - before) == 1)
        (running,) = set(app.feed.tasks) - before
        task_doc = sim.ctx.transfer.store.task_for(DEMO_USER_ID, running).doc
        await wait_for(pilot, lambda: task_doc["bytes_transferred"] > 0)
        sim.stop()
        assert task_doc["status"] == "ACTIVE", "the copy should still be running when stopped"

        warned = await wait_for(
            pilot, lambda: [m for m in _messages(app, "warning") if "retrying" in m], timeout=30
        )
        assert "Could not reach 127.0.0.1" in warned[0]
        assert app.feed.started and app.feed.monitor.offline

        errors_before = len(_messages(app, "error"))
        left = pane(app, "left")
        left.file_list.cursor = left.file_list.row_of("Documents")
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(_messages(app, "error")) > errors_before, timeout=30)
        listing_error = _messages(app, "error")[errors_before]
        assert listing_error.startswith("Could not list /~/Documents/: could not reach")
        assert left.path == "/~/"

        errors_before = len(_messages(app, "error"))
        await _transfer(pilot, app, "later")
        await wait_for(pilot, lambda: len(_messages(app, "error")) > errors_before, timeout=60)
        submit_error = _messages(app, "error")[errors_before]
        assert submit_error.startswith("Could not submit the transfer: could not reach")

        again = sim_factory(root, port=sim.port, throttle_bytes_per_second=THROTTLE)
        await wait_for(pilot, lambda: app.feed.tasks[running].status == "SUCCEEDED", timeout=90)
        assert not app.feed.monitor.offline
        await _transfer(pilot, app, "later")
        await wait_for(pilot, lambda: len(set(app.feed.tasks) - before) == 2, timeout=30)
    assert app._exception is None

    tasks = again.ctx.transfer.store.tasks_of(DEMO_USER_ID)
    assert len(tasks) == 2
    assert {t.task_id for t in tasks} >= {running}
    scratch = again.ctx.world.collection_root(SCRATCH_ID) / "home" / "demo"
    assert tree_digest(scratch / "payload") == tree_digest(home / "payload")

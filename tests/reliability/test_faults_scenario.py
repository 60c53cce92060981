"""gtui driven through Pilot against a service that fails often: 10% 5xx, 5% 429 with
Retry-After, 2% dropped connections (half of them after the request ran), 0-200 ms jitter.

"Nothing lost" means: all 20 transfers (8 whole folders, 12 files) end SUCCEEDED, the service
holds exactly 20 tasks of the user with 20 distinct submission ids (a retried submit never made
a second task), every copied file has its source's sha256, no worker died of an exception, and
the one error the user had to know about (a folder the collection refuses) was shown.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.worker import Worker, WorkerState

from gtui.sim.settings import FaultSettings
from gtui.sim.world import DEMO_USER_ID, LAPTOP_ID, SCRATCH_ID
from gtui.tui.app import PanePlace
from gtui.tui.demo_login import demo_login
from gtui.tui.screens.transfer_options import TransferOptionsScreen
from tests.reliability.trees import tree_digest, write_tree
from tests.tui.tui_helpers import build_app, new_session, pane, ready, wait_for

FOLDERS, FILES = 8, 12
FAULTS = dict(
    error_rate=0.10, rate_429=0.05, drop_rate=0.02, latency_jitter_seconds=0.2, seed=20261122
)


def _errors_shown(app: Any) -> list[str]:
    return [n.message for n in app._notifications if n.severity == "error"]


async def test_twenty_transfers_through_faults_succeed_once_each_with_identical_bytes(
    app_dirs: Path, sim_factory: Any
) -> None:
    sim = sim_factory(app_dirs / "root")
    laptop_home = sim.ctx.world.collection_root(LAPTOP_ID) / "home" / "demo"
    scratch_home = sim.ctx.world.collection_root(SCRATCH_ID) / "home" / "demo"
    names = write_tree(laptop_home / "bulk", folders=FOLDERS, files=FILES, seed=7)
    (laptop_home / "bulk" / "forbidden").mkdir()
    (scratch_home / "incoming").mkdir()
    session = new_session(sim)
    await demo_login(session)
    sim.settings.faults = FaultSettings(
        **FAULTS, denied_paths=[f"{LAPTOP_ID}:/home/demo/bulk/forbidden/"]
    )
    app = build_app(
        sim,
        session,
        left=PanePlace(LAPTOP_ID, "/~/bulk/"),
        right=PanePlace(SCRATCH_ID, "/~/incoming/"),
    )
    dead_workers: list[Worker[Any]] = []

    def hook(message: Any) -> None:
        if isinstance(message, Worker.StateChanged) and message.state == WorkerState.ERROR:
            dead_workers.append(message.worker)

    async with app.run_test(size=(140, 40), notifications=True, message_hook=hook) as pilot:
        await ready(pilot)
        left = pane(app, "left")
        left.file_list.focus()
        left.file_list.cursor = left.file_list.row_of("forbidden")
        await pilot.press("enter")
        await wait_for(pilot, lambda: left.error is not None)
        assert left.path == "/~/bulk/"
        denied = await wait_for(pilot, lambda: [m for m in _errors_shown(app) if "forbidden" in m])
        assert "You have no permission to read" in denied[0] and "· request " in denied[0]
        assert "Traceback" not in denied[0]

        before = set(app.feed.tasks)
        for count, name in enumerate(names, start=1):
            left.file_list.cursor = left.file_list.row_of(name)
            await pilot.press("f5")
            await wait_for(pilot, lambda: isinstance(app.screen, TransferOptionsScreen))
            await pilot.press("enter")
            await wait_for(
                pilot, lambda n=count: len(set(app.feed.tasks) - before) == n, timeout=60
            )
        ours = set(app.feed.tasks) - before
        await wait_for(
            pilot,
            lambda: all(app.feed.tasks[t].status == "SUCCEEDED" for t in ours),
            timeout=150,
        )
        unexpected = [m for m in _errors_shown(app) if "forbidden" not in m]
        assert unexpected == []
    assert app._exception is None
    assert dead_workers == []

    middleware = _faults_middleware(sim)
    counts = dict(middleware.counts)
    assert counts["errors"] > 0 and counts["throttled_429"] > 0 and counts["dropped"] > 0

    tasks = sim.ctx.transfer.store.tasks_of(DEMO_USER_ID)
    assert len(tasks) == len(names) == FOLDERS + FILES
    assert len({t.submission_id for t in tasks}) == len(tasks)
    assert {t.task_id for t in tasks} == ours
    assert all(t.status == "SUCCEEDED" for t in tasks)
    for name in names:
        source = tree_digest(laptop_home / "bulk" / name)
        copy = tree_digest(scratch_home / "incoming" / name)
        assert copy == source, name
    print(f"\nfaults injected: {counts}; tasks: {len(tasks)}")


def _faults_middleware(sim: Any) -> Any:
    """The running FaultsMiddleware instance (it keeps the counts of what it injected)."""
    from gtui.sim.faults import FaultsMiddleware

    stack = sim.app.middleware_stack
    while stack is not None and not isinstance(stack, FaultsMiddleware):
        stack = getattr(stack, "app", None)
    assert stack is not None
    return stack

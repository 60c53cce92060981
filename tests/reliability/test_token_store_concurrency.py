"""The shared token store under real concurrent use: separate processes, a real service that
rotates refresh tokens, raw readers that take no lock, and writers killed with SIGKILL.

"Nothing lost" here means: every one of the 4 x 250 refreshes succeeded (a process that used a
refresh token another process had already rotated would have been refused by the service), the
file always parsed as a complete store, and the refresh token left in it still works.
"""

from __future__ import annotations

import json
import os
import random
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

from gtui.core.scopes import TRANSFER_RESOURCE_SERVER
from gtui.core.tokens import TokenStore
from gtui.sim.serve import RunningSim
from tests.reliability.token_worker import NAMESPACE, validate

WORKER = Path(__file__).with_name("token_worker.py")
PROCESSES = 4
REFRESHES_PER_PROCESS = 250
KILL_ROUNDS = 8


def _spawn(*args: str, **kwargs: object) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(WORKER.parent)}
    return subprocess.Popen([sys.executable, str(WORKER), *args], env=env, **kwargs)  # type: ignore[call-overload]


def _wait_for_file(path: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path.name} never appeared"
        time.sleep(0.01)


async def test_four_processes_refreshing_250_times_each_lose_nothing(
    sim: RunningSim, tmp_path: Path, session_factory
) -> None:
    store_path = tmp_path / "data" / "tokens.json"
    session = await session_factory(sim, store_path)
    go, stop = tmp_path / "go", tmp_path / "stop"
    results = [tmp_path / f"refresher-{i}.json" for i in range(PROCESSES)]
    refreshers = [
        _spawn(
            "refresh",
            str(store_path),
            sim.service_urls["auth"],
            str(REFRESHES_PER_PROCESS),
            str(go),
            str(result),
        )
        for result in results
    ]
    reader_result = tmp_path / "reader.json"
    reader = _spawn("read", str(store_path), str(stop), str(reader_result))
    try:
        go.touch()
        for process in refreshers:
            assert process.wait(timeout=150) == 0
    finally:
        stop.touch()
        for process in refreshers:
            if process.poll() is None:
                process.kill()
        assert reader.wait(timeout=30) == 0

    summaries = [json.loads(r.read_text()) for r in results]
    for summary in summaries:
        assert summary["errors"] == [], summary["errors"]
        assert summary["refreshes"] == REFRESHES_PER_PROCESS
        assert summary["bad_reads"] == []
        assert summary["reads"] == REFRESHES_PER_PROCESS
        assert summary["api_calls"] == REFRESHES_PER_PROCESS // 10
        assert summary["api_failures"] == []
    raw_reads = json.loads(reader_result.read_text())
    assert raw_reads["bad_reads"] == []
    assert raw_reads["reads"] > 100

    assert validate(store_path.read_bytes()) is None
    assert stat.S_IMODE(store_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store_path.parent.stat().st_mode) == 0o700
    assert not list(store_path.parent.glob(".tokens-*.tmp"))
    stored = TokenStore(store_path, namespace=NAMESPACE).get_token_data(TRANSFER_RESOURCE_SERVER)
    assert stored is not None
    again = await session.auth.oauth2_refresh_token(stored["refresh_token"])
    assert again.by_resource_server[TRANSFER_RESOURCE_SERVER]["access_token"]
    print(
        f"\nrefreshes: {sum(s['refreshes'] for s in summaries)}, validated reads: "
        f"{sum(s['reads'] for s in summaries)} + {raw_reads['reads']} lock-free, "
        f"API calls with refreshed tokens: {sum(s['api_calls'] for s in summaries)}"
    )


def _counter_in(path: Path) -> int:
    document = json.loads(path.read_bytes())
    return document["data"][NAMESPACE][TRANSFER_RESOURCE_SERVER]["counter"]


def test_writers_killed_with_sigkill_mid_write_never_damage_the_file(tmp_path: Path) -> None:
    store_path = tmp_path / "data" / "tokens.json"
    rng = random.Random(7)
    mid_write = 0
    for _ in range(KILL_ROUNDS):
        writer = _spawn("write", str(store_path), stdout=subprocess.PIPE)
        assert writer.stdout is not None
        for _ in range(rng.randint(1, 4)):
            assert writer.stdout.readline(), "the writer stopped before being killed"
        time.sleep(rng.uniform(0.0, 0.03))
        os.kill(writer.pid, signal.SIGKILL)
        assert writer.wait(timeout=10) == -signal.SIGKILL
        printed = [int(n) for n in writer.stdout.read().split()]
        writer.stdout.close()
        assert validate(store_path.read_bytes()) is None
        assert stat.S_IMODE(store_path.stat().st_mode) == 0o600
        committed = _counter_in(store_path)
        if printed:
            assert committed in (printed[-1], printed[-1] + 1)
        store = TokenStore(store_path, namespace=NAMESPACE)
        assert store.get_token_data(TRANSFER_RESOURCE_SERVER)["counter"] == committed
        mid_write += len(list(store_path.parent.glob(".tokens-*.tmp")))
    print(f"\nkills: {KILL_ROUNDS}, of which mid-write (temp file left): {mid_write}")
    store.remove_tokens()
    leftovers = [p.name for p in store_path.parent.iterdir() if b"refresh-" in p.read_bytes()]
    assert leftovers == [], "a copy of the tokens outlived the logout"

"""A chaos run: transfers submitted and followed by an app process built on gtui's core, while
the service and the app are killed with SIGKILL and restarted, under injected faults.

The service is ``gtui sim serve`` in a process of its own, always on the same ``--root`` (its
SQLite state survives each kill) and the same port, with 5xx answers, 429s and dropped
connections switched on. The app is this module run as ``python -m tests.reliability.chaos
app RUN_DIR``: it logs in as the demo user the way ``gtui --demo`` does, and for each planned
transfer gets a ``submission_id`` from the service, writes it to its journal (fsync) *before*
submitting, submits through ``TransferClient.submit_transfer`` and follows the tasks with
``TaskMonitor``. A restarted app reads its journal and submits again with the same submission
id, so the service answers "Duplicate" instead of making a second task. Faults are met with
gtui's own ``RetryPolicy``; when the core gives up, the app retries later as a person would.

The harness (``run_chaos``) kills the service and the app at moments drawn from a seeded
generator (a journal step reached, then a random delay), restarts them, and ``verify`` checks
the end: every task SUCCEEDED, one task per submission id, every copy byte-equal to its
source, no temporary file left, and the real Textual app's queue listing each task once with
its true state. ``tests/reliability/test_chaos.py`` runs it small, ``bench/chaos.py`` full size.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx

from gtui.config import TransferSettings
from gtui.core.errors import GlobusAPIError, GlobusError, LoginRequired, NetworkError
from gtui.core.http import new_http_client
from gtui.core.session import GlobusSession
from gtui.core.tasks import PollFailed, TaskMonitor, TaskUpdate
from gtui.core.tokens import TokenStore
from gtui.core.transfer_data import TransferData
from gtui.sim.serve import bind_loopback, service_urls
from gtui.sim.transfer.copier import PART_SUFFIX
from gtui.sim.transfer.partial_files import is_part_name
from gtui.sim.world import COLLECTION_FOLDERS, DEMO_NATIVE_CLIENT_ID, LAPTOP_ID, SCRATCH_ID
from gtui.tui.demo_login import demo_login
from tests.reliability.trees import tree_digest

PROJECT_DIR = Path(__file__).resolve().parents[2]
TRANSIENT_STATUSES = frozenset({429, 500, 502, 503, 504})
RETRY_LATER_SECONDS = 1.0
START_TIMEOUT_SECONDS = 60.0
POLL_SECONDS = 0.01

T = TypeVar("T")


class ChaosFailure(AssertionError):
    """The run could not go on (a process died, a wait timed out); the message says which."""


@dataclass(frozen=True)
class ChaosPlan:
    """How big and how rough a run is; ``seed`` replays the same trees and kill moments."""

    seed: int
    transfers: int
    service_kills: int
    app_kills: int
    error_rate: float = 0.05
    rate_429: float = 0.02
    drop_rate: float = 0.01
    latency_seconds: float = 0.01
    latency_jitter_seconds: float = 0.04
    throttle_bytes_per_second: int = 1_000_000
    largest_file: int = 1_000_000
    timeout_seconds: float = 600.0


@dataclass(frozen=True)
class Kill:
    """Kill ``who`` ("service" or "app") ``delay`` seconds after the journal reaches ``step``."""

    step: int
    who: str
    delay: float


@dataclass
class RunPaths:
    """Where one run keeps everything, so a failed run can be looked at afterwards."""

    base: Path

    @property
    def root(self) -> Path:
        return self.base / "root"

    @property
    def plan(self) -> Path:
        return self.base / "plan.json"

    @property
    def journal(self) -> Path:
        return self.base / "journal.log"

    @property
    def wire(self) -> Path:
        return self.base / "wire.log"

    @property
    def tokens(self) -> Path:
        return self.base / "app" / "tokens.json"

    @property
    def logs(self) -> Path:
        return self.base / "logs"

    def home(self, collection_id: str) -> Path:
        return self.root / COLLECTION_FOLDERS[collection_id] / "home" / "demo"


@dataclass
class ChaosResult:
    """What happened during a run: the figures, and what ``verify`` found wrong."""

    plan: ChaosPlan
    paths: RunPaths
    base_url: str
    transfers: list[dict[str, Any]]
    kills: Counter[str] = field(default_factory=Counter)
    starts: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    files: int = 0
    bytes: int = 0
    files_verified: int = 0
    tasks_listed: int = 0
    problems: list[str] = field(default_factory=list)
    service: Service | None = field(default=None, repr=False)

    def wire_counts(self) -> Counter[str]:
        """Every request the app sent, by outcome, as the app saw it (client side)."""
        counts: Counter[str] = Counter()
        if not self.paths.wire.exists():
            return counts
        for line in self.paths.wire.read_text(encoding="utf-8").splitlines():
            outcome = line.split(" ", 1)[0]
            counts["requests"] += 1
            if outcome.isdigit():
                status = int(outcome)
                if status >= 500:
                    counts["5xx"] += 1
                elif status == 429:
                    counts["429"] += 1
            elif outcome in ("ConnectError", "ConnectTimeout"):
                counts["refused"] += 1
            else:
                counts["dropped"] += 1
        return counts

    def journal_counts(self) -> Counter[str]:
        """Records of the app's journal by kind (starts, logins, gave_up, duplicate, ...)."""
        counts: Counter[str] = Counter()
        for record in read_journal(self.paths.journal):
            counts[record["kind"]] += 1
            if record["kind"] == "task" and record.get("code") == "Duplicate":
                counts["duplicate"] += 1
        return counts

    def figures(self) -> list[str]:
        """The run's figures, one per line, for a report."""
        wire = self.wire_counts()
        journal = self.journal_counts()
        return [
            f"seed: {self.plan.seed}",
            f"kills: service {self.kills['service']} ({self.kills['service mid-copy']} "
            f"mid-copy), app {self.kills['app']} ({self.kills['app mid-submit']} mid-submit); "
            f"starts: service {self.starts['service']}, app {self.starts['app']}",
            f"requests sent by the app: {wire['requests']}",
            f"faults seen by the app: 5xx {wire['5xx']}, 429 {wire['429']}, "
            f"dropped connections {wire['dropped']} (refused while down: {wire['refused']})",
            f"the core gave up and the app retried later: {journal['gave_up']}; "
            f"logins: {journal['login']}; submits answered Duplicate: {journal['duplicate']}",
            f"tasks: {len(self.transfers)} submitted, {self.tasks_listed} listed by the service",
            f"files: {self.files_verified} of {self.files} verified; bytes: {self.bytes}",
            f"wall time: {self.seconds:.1f} s",
        ]


# -- the journal ---------------------------------------------------------------------------


def read_journal(path: Path) -> list[dict[str, Any]]:
    """The app's records so far; a line torn by a kill is not a record."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    records = []
    for line in text.splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(record, dict) and "kind" in record:
            records.append(record)
    return records


class Journal:
    """The app's durable memory: each record is written and fsynced before the app goes on."""

    def __init__(self, path: Path) -> None:
        self.submission_ids: dict[int, str] = {}
        self.tasks: dict[int, str] = {}
        self.ended: dict[str, str] = {}
        for record in read_journal(path):
            self._learn(record)
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    def add(self, **record: Any) -> None:
        os.write(self._fd, (json.dumps(record) + "\n").encode("utf-8"))
        os.fsync(self._fd)
        self._learn(record)

    def _learn(self, record: dict[str, Any]) -> None:
        kind = record["kind"]
        if kind == "sid":
            self.submission_ids.setdefault(record["index"], record["value"])
        elif kind == "task":
            self.tasks.setdefault(record["index"], record["task_id"])
        elif kind == "final":
            self.ended[record["task_id"]] = record["status"]


def progress(records: list[dict[str, Any]]) -> int:
    """Steps reached: a submission id kept, a task acknowledged, a task ended (3 per transfer)."""
    ids = {r["index"] for r in records if r["kind"] == "sid"}
    tasks = {r["index"] for r in records if r["kind"] == "task"}
    ended = {r["task_id"] for r in records if r["kind"] == "final"}
    return len(ids) + len(tasks) + len(ended)


# -- the app process -------------------------------------------------------------------------


class WireLog(httpx.AsyncBaseTransport):
    """Passes requests on and appends each outcome (status, or the error's name) to a file.

    One ``write`` per request, no buffering: a SIGKILL loses nothing already answered.
    """

    def __init__(self, path: Path) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    def _log(self, outcome: str, request: httpx.Request) -> None:
        os.write(self._fd, f"{outcome} {request.method} {request.url.path}\n".encode())

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            response = await self.inner.handle_async_request(request)
        except httpx.TransportError as exc:
            self._log(type(exc).__name__, request)
            raise
        self._log(str(response.status_code), request)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()
        os.close(self._fd)


def transient(error: GlobusError) -> bool:
    """Errors a person would meet by trying again later (the core already retried them)."""
    if isinstance(error, NetworkError):
        return True
    return isinstance(error, GlobusAPIError) and error.http_status in TRANSIENT_STATUSES


class ChaosApp:
    """The app's side of the run: log in, submit each planned transfer once, follow them all."""

    def __init__(
        self, session: GlobusSession, journal: Journal, transfers: list[dict[str, Any]]
    ) -> None:
        self.session = session
        self.journal = journal
        self.transfers = transfers
        self.all_ended = asyncio.Event()
        self._login_lock = asyncio.Lock()
        self._logins = 0
        self._background: set[asyncio.Future[None]] = set()

    async def login(self, failed_after: int | None = None) -> None:
        """Log in as the demo user, until it works: at start without tokens, or again after a
        call failed with LoginRequired (unless another login came since ``failed_after``)."""
        async with self._login_lock:
            if failed_after is None and self.session.has_tokens():
                return
            if failed_after is not None and failed_after != self._logins:
                return
            while True:
                try:
                    await demo_login(self.session)
                except GlobusError as exc:
                    await self.later("logging in", exc)
                    continue
                self._logins += 1
                self.journal.add(kind="login")
                return

    async def later(self, doing: str, error: GlobusError) -> None:
        """The core gave up: note it, wait, and let the caller try again."""
        self.journal.add(kind="gave_up", doing=doing, error=f"{type(error).__name__}: {error}")
        await asyncio.sleep(RETRY_LATER_SECONDS)

    async def call(self, doing: str, fn: Callable[[], Awaitable[T]]) -> T:
        """``fn()`` until it answers: transient errors are retried later, a lost login redone."""
        while True:
            logins = self._logins
            try:
                return await fn()
            except LoginRequired:
                await self.login(failed_after=logins)
            except GlobusError as exc:
                if not transient(exc):
                    raise
                await self.later(doing, exc)

    async def submit(self, item: dict[str, Any]) -> str:
        """Submit one transfer with the submission id kept in the journal (fetched first)."""
        index = item["index"]
        client = self.session.transfer
        submission_id = self.journal.submission_ids.get(index)
        if submission_id is None:
            answer = await self.call("getting a submission id", client.get_submission_id)
            submission_id = str(answer["value"])
            self.journal.add(kind="sid", index=index, value=submission_id)
        defaults = TransferSettings()
        data = TransferData(
            LAPTOP_ID,
            SCRATCH_ID,
            label=item["label"],
            submission_id=submission_id,
            sync_level=defaults.sync_level,
            verify_checksum=defaults.verify_checksum,
            preserve_timestamp=defaults.preserve_timestamp,
            encrypt_data=defaults.encrypt_data,
        )
        data.add_item(item["source"], item["destination"], recursive=True)
        answer = await self.call("submitting", lambda: client.submit_transfer(data))
        task_id = str(answer["task_id"])
        self.journal.add(kind="task", index=index, task_id=task_id, code=answer["code"])
        return task_id

    def _on_event(self, event: TaskUpdate | PollFailed) -> None:
        if isinstance(event, PollFailed):
            if isinstance(event.error, LoginRequired):
                again = asyncio.ensure_future(self.login(failed_after=self._logins))
                self._background.add(again)
                again.add_done_callback(self._background.discard)
            return
        if event.final and event.task_id not in self.journal.ended:
            self.journal.add(kind="final", task_id=event.task_id, status=event.task.status)
            self._check_done()

    def _check_done(self) -> None:
        submitted = {self.journal.tasks.get(item["index"]) for item in self.transfers}
        if None not in submitted and submitted <= set(self.journal.ended):
            self.all_ended.set()

    async def run(self) -> int:
        await self.login()
        monitor = TaskMonitor(
            self.session.transfer, fast_interval=0.5, slow_interval=1.0, max_backoff=4.0
        )
        monitor.subscribe(self._on_event)
        ended = self.journal.ended
        for item in self.transfers:
            task_id = self.journal.tasks.get(item["index"])
            if task_id is not None and task_id not in ended:
                monitor.watch(task_id, just_submitted=False)
        monitor.start()
        try:
            for item in self.transfers:
                if self.journal.tasks.get(item["index"]) is None:
                    monitor.watch(await self.submit(item))
            self._check_done()
            await self.all_ended.wait()
        except GlobusError as exc:
            self.journal.add(kind="error", error=f"{type(exc).__name__}: {exc}")
            return 2
        finally:
            await monitor.stop()
        self.journal.add(kind="done")
        return 0


def _exit_when_stdin_closes() -> None:
    """The harness holds the other end: if it dies, so does this process."""

    def watch() -> None:
        try:
            while os.read(0, 4096):
                pass
        except OSError:
            pass
        os._exit(70)

    threading.Thread(target=watch, name="chaos-stdin", daemon=True).start()


async def app_main(base: Path) -> int:
    """The app process: one incarnation, until every task ended (or a real error)."""
    paths = RunPaths(base)
    plan = json.loads(paths.plan.read_text(encoding="utf-8"))
    journal = Journal(paths.journal)
    journal.add(kind="start", pid=os.getpid())
    wire = WireLog(paths.wire)
    http = new_http_client(tls=False, transport=wire)
    store = TokenStore.for_client("sim", DEMO_NATIVE_CLIENT_ID, path=paths.tokens)
    session = GlobusSession(
        DEMO_NATIVE_CLIENT_ID,
        environment="sim",
        token_store=store,
        http_client=http,
        service_urls=service_urls(plan["base_url"]),
    )
    try:
        return await ChaosApp(session, journal, plan["transfers"]).run()
    finally:
        await session.aclose()
        await http.aclose()


# -- the processes ---------------------------------------------------------------------------


def free_port() -> int:
    """A loopback port below the ephemeral range, so no client socket takes it between runs."""
    picker = random.SystemRandom()
    for _ in range(200):
        port = picker.randint(20_000, 32_000)
        try:
            probe = bind_loopback(port=port)
        except OSError:
            continue
        probe.close()
        return port
    raise ChaosFailure("no free loopback port between 20000 and 32000")


def wait_until(condition: Callable[[], T], timeout: float, what: str) -> T:
    """Poll ``condition`` until it is truthy; fail after ``timeout`` saying what was awaited."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise ChaosFailure(f"waited {timeout:g} s for {what}")
        time.sleep(POLL_SECONDS)


def _tail(path: Path, size: int = 3000) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")[-size:]
    except FileNotFoundError:
        return ""


class Child:
    """A process of the run; its stdin is a pipe whose end tells it the harness is gone."""

    def __init__(self, name: str, args: list[str], paths: RunPaths) -> None:
        self.name = name
        self.args = args
        self.paths = paths
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self.stderr_path = paths.logs / f"{name}-0.err"

    def start(self, env: dict[str, str] | None = None) -> None:
        self.paths.logs.mkdir(parents=True, exist_ok=True)
        self.stderr_path = self.paths.logs / f"{self.name}-{self.starts}.err"
        with open(self.stderr_path, "wb") as stderr:
            self.process = subprocess.Popen(
                [sys.executable, *self.args],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                cwd=PROJECT_DIR,
                env={**os.environ, **(env or {})},
            )
        self.starts += 1

    def poll(self) -> int | None:
        assert self.process is not None
        return self.process.poll()

    def kill(self) -> None:
        """SIGKILL: the process gets no chance to save or say anything."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)
        self._close_stdin()

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._close_stdin()

    def _close_stdin(self) -> None:
        assert self.process is not None
        if self.process.stdin is not None:
            try:
                self.process.stdin.close()
            except OSError:
                pass

    def failure(self, what: str) -> ChaosFailure:
        return ChaosFailure(f"{what}; stderr of {self.name}:\n{_tail(self.stderr_path)}")


class Service(Child):
    """``gtui sim serve`` on a fixed port and root, with the plan's faults."""

    def __init__(self, paths: RunPaths, port: int, plan: ChaosPlan, rng: random.Random) -> None:
        super().__init__("service", [], paths)
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        self.plan = plan
        self.rng = rng

    def start(self, env: dict[str, str] | None = None) -> None:
        plan = self.plan
        self.args = [
            "-m",
            "gtui",
            "sim",
            "serve",
            "--port",
            str(self.port),
            "--root",
            str(self.paths.root),
            "--error-rate",
            str(plan.error_rate),
            "--rate-429",
            str(plan.rate_429),
            "--drop-rate",
            str(plan.drop_rate),
            "--latency",
            str(plan.latency_seconds),
            "--latency-jitter",
            str(plan.latency_jitter_seconds),
            "--throttle",
            str(plan.throttle_bytes_per_second),
            "--seed",
            str(self.rng.randrange(2**31)),
            "--exit-with-stdin",
        ]
        super().start(env)
        wait_until(self._listening, START_TIMEOUT_SECONDS, f"the service to listen on {self.port}")

    def _listening(self) -> bool:
        if self.poll() is not None:
            raise self.failure(f"the service exited with {self.poll()} while starting")
        try:
            httpx.get(f"{self.base_url}/auth/.well-known/openid-configuration", timeout=5)
        except httpx.TransportError:
            return False
        return True


# -- the source trees ------------------------------------------------------------------------


def _size(rng: random.Random, largest: int) -> int:
    """Mixed sizes: some empty, many small, some medium, a few up to ``largest``."""
    kind = rng.random()
    if kind < 0.1:
        return 0
    if kind < 0.45:
        return rng.randint(1, 2_000)
    if kind < 0.85:
        return rng.randint(2_000, min(64_000, largest))
    return rng.randint(min(64_000, largest), largest)


def write_sources(paths: RunPaths, plan: ChaosPlan, rng: random.Random) -> list[dict[str, Any]]:
    """One folder per transfer (loose files of mixed sizes, a nested folder now and then)."""
    base = paths.home(LAPTOP_ID) / "chaos"
    (paths.home(SCRATCH_ID) / "chaos-copies").mkdir(parents=True, exist_ok=True)
    transfers = []
    for index in range(plan.transfers):
        name = f"src-{index:03d}"
        folder = base / name
        folder.mkdir(parents=True)
        for number in range(rng.randint(2, 6)):
            (folder / f"file {number}.bin").write_bytes(
                rng.randbytes(_size(rng, plan.largest_file))
            )
        if rng.random() < 0.5:
            nested = folder / "nested" / "deeper é"
            nested.mkdir(parents=True)
            for number in range(rng.randint(1, 3)):
                data = rng.randbytes(_size(rng, plan.largest_file))
                (nested / f"part-{number}.dat").write_bytes(data)
        if rng.random() < 0.2:
            (folder / "empty").mkdir()
        transfers.append(
            {
                "index": index,
                "label": f"chaos {index:03d}",
                "source": f"/~/chaos/{name}/",
                "destination": f"/~/chaos-copies/{name}/",
            }
        )
    return transfers


def kill_schedule(plan: ChaosPlan, rng: random.Random) -> list[Kill]:
    """Kill moments, by journal step: anywhere from the first submission id kept to two
    steps a transfer (with every id kept and every task acknowledged, in the usual order).

    Stopping there, not at half the tasks ended, keeps every planned kill inside the run however
    fast the tasks end: each kill waits its delay and restarts its victim before the next is
    taken, and a quick run once ended before its last kill. The app is killed at once when its
    step is reached (often with a submit in flight), the service up to 0.4 s later (often in
    the middle of a copy).
    """
    last = max(1, 2 * plan.transfers)
    kills = [
        Kill(rng.randint(1, last), "service", rng.uniform(0, 0.4))
        for _ in range(plan.service_kills)
    ]
    kills += [Kill(rng.randint(1, last), "app", 0.0) for _ in range(plan.app_kills)]
    return sorted(kills, key=lambda k: (k.step, k.delay))


# -- the run ---------------------------------------------------------------------------------


def run_chaos(plan: ChaosPlan, base: Path, say: Callable[[str], None] = print) -> ChaosResult:
    """Write the trees, start service and app, kill both as scheduled, until the app is done.

    The last service is left running (``result.service``) for ``verify``; ``stop`` ends it.
    """
    rng = random.Random(plan.seed)
    paths = RunPaths(base)
    paths.root.mkdir(parents=True)
    paths.tokens.parent.mkdir(parents=True)
    say(
        f"chaos seed {plan.seed}: {plan.transfers} transfers, {plan.service_kills} service "
        f"kills, {plan.app_kills} app kills"
    )
    transfers = write_sources(paths, plan, rng)
    schedule = kill_schedule(plan, rng)
    port = free_port()
    service = Service(paths, port, plan, random.Random(rng.randrange(2**31)))
    result = ChaosResult(plan, paths, service.base_url, transfers)
    paths.plan.write_text(
        json.dumps({"base_url": service.base_url, "transfers": transfers}), encoding="utf-8"
    )
    app = Child("app", ["-m", "tests.reliability.chaos", "app", str(base)], paths)
    app_env = {
        "GTUI_DATA_DIR": str(base / "app"),
        "GTUI_CONFIG_DIR": str(base / "app"),
        "GTUI_LOG_DIR": str(paths.logs),
    }
    started = time.monotonic()
    result.service = service
    try:
        service.start()
        app.start(app_env)
        deadline = started + plan.timeout_seconds
        pending = list(schedule)
        while True:
            code = app.poll()
            if code == 0:
                break
            if code is not None:
                errors = [r for r in read_journal(paths.journal) if r["kind"] == "error"]
                raise app.failure(f"the app exited with {code} (journal errors: {errors})")
            step = progress(read_journal(paths.journal))
            if pending and step >= pending[0].step:
                kill = pending.pop(0)
                time.sleep(kill.delay)
                victim = service if kill.who == "service" else app
                if victim.poll() is None:
                    victim.kill()
                    result.kills[kill.who] += 1
                    caught = _caught_in_the_act(paths, kill.who)
                    if caught:
                        result.kills[f"{kill.who} {caught}"] += 1
                    say(
                        f"  killed the {kill.who} at step {step} (+{kill.delay:.2f} s)"
                        + (f", {caught}" if caught else "")
                    )
                    victim.start(app_env if victim is app else None)
                continue
            if time.monotonic() > deadline:
                raise ChaosFailure(
                    f"waited {plan.timeout_seconds:g} s for the app to see every task end; "
                    f"journal at step {step} of {3 * plan.transfers}, "
                    f"kills still planned: {pending}"
                )
            time.sleep(POLL_SECONDS)
    except BaseException:
        app.stop()
        service.stop()
        result.service = None
        raise
    finally:
        result.seconds = time.monotonic() - started
        result.starts.update(service=service.starts, app=app.starts)
    say(f"  the app saw every task end after {result.seconds:.1f} s")
    return result


def _caught_in_the_act(paths: RunPaths, who: str) -> str:
    """What a kill interrupted: a copy (temporary files on disk) or a submit (a submission id
    kept, no task yet); empty when neither."""
    if who == "service":
        copies = paths.home(SCRATCH_ID) / "chaos-copies"
        return "mid-copy" if any(is_part_name(p.name) for p in copies.rglob("*")) else ""
    records = read_journal(paths.journal)
    kept = {r["index"] for r in records if r["kind"] == "sid"}
    answered = {r["index"] for r in records if r["kind"] == "task"}
    return "mid-submit" if kept - answered else ""


def stop(result: ChaosResult) -> None:
    """Stop the run's last service (gracefully: it has nothing left to prove)."""
    if result.service is not None:
        result.service.stop()
        result.service = None


# -- the checks ------------------------------------------------------------------------------


async def _logged_in_session(result: ChaosResult, store_path: Path) -> GlobusSession:
    """A session of the demo user on the run's service, logged in as ``gtui --demo`` does."""
    store = TokenStore.for_client("sim", DEMO_NATIVE_CLIENT_ID, path=store_path)
    urls = service_urls(result.base_url)
    session = GlobusSession(
        DEMO_NATIVE_CLIENT_ID, environment="sim", token_store=store, service_urls=urls
    )
    for attempt in range(5):
        try:
            await demo_login(session)
            return session
        except GlobusError:
            if attempt == 4:
                raise
    raise AssertionError("unreachable")


def _check_journal(result: ChaosResult) -> dict[int, str]:
    """Each planned transfer has one submission id and one task id; returns index → task id."""
    records = read_journal(result.paths.journal)
    problems = result.problems
    task_of: dict[int, str] = {}
    sids: dict[int, set[str]] = {}
    for record in records:
        if record["kind"] == "sid":
            sids.setdefault(record["index"], set()).add(record["value"])
        elif record["kind"] == "task":
            known = task_of.setdefault(record["index"], record["task_id"])
            if known != record["task_id"]:
                problems.append(
                    f"transfer {record['index']} was answered two task ids: "
                    f"{known} and {record['task_id']}"
                )
    for item in result.transfers:
        index = item["index"]
        if len(sids.get(index, ())) != 1:
            problems.append(f"transfer {index} has submission ids {sids.get(index)}")
        if index not in task_of:
            problems.append(f"transfer {index} has no task id in the journal")
    if len(set(task_of.values())) != len(task_of):
        problems.append("two planned transfers were answered the same task id")
    return task_of


def _check_database(result: ChaosResult, task_of: dict[int, str]) -> None:
    """The service's own rows: one task per submission id, the ids the app kept."""
    database = result.paths.root / ".gtui-sim" / "service.db"
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        rows = connection.execute(
            "SELECT task_id, submission_id FROM transfer_tasks WHERE type = 'TRANSFER'"
        ).fetchall()
    finally:
        connection.close()
    by_sid = Counter(sid for _, sid in rows)
    twice = {sid: n for sid, n in by_sid.items() if n > 1}
    if twice:
        result.problems.append(f"submission ids with more than one task: {twice}")
    kept = {r["value"] for r in read_journal(result.paths.journal) if r["kind"] == "sid"}
    if set(by_sid) != kept:
        result.problems.append(
            f"the service's submission ids differ from the app's: "
            f"{len(set(by_sid) - kept)} unknown to the app, {len(kept - set(by_sid))} missing"
        )
    if {task_id for task_id, _ in rows} != set(task_of.values()):
        result.problems.append("the service's transfer tasks are not the ones the app submitted")


def _check_files(result: ChaosResult) -> None:
    """Every copy byte-equal to its source (sha256), no temporary file anywhere."""
    laptop, scratch = result.paths.home(LAPTOP_ID), result.paths.home(SCRATCH_ID)
    for item in result.transfers:
        name = item["source"].rstrip("/").rsplit("/", 1)[1]
        source = tree_digest(laptop / "chaos" / name)
        copy_path = scratch / "chaos-copies" / name
        copy = tree_digest(copy_path) if copy_path.exists() else {}
        files = {rel: digest for rel, digest in source.items() if digest != "<dir>"}
        result.files += len(files)
        result.bytes += sum((laptop / "chaos" / name / rel).stat().st_size for rel in files)
        result.files_verified += sum(1 for rel, digest in files.items() if copy.get(rel) == digest)
        if copy != source:
            wrong = sorted(set(source.items()) ^ set(copy.items()))[:5]
            result.problems.append(f"{name}: the copy differs from its source: {wrong}")
    collection = result.paths.root / COLLECTION_FOLDERS[SCRATCH_ID]
    leftovers = [
        str(p.relative_to(collection))
        for p in collection.rglob("*")
        if is_part_name(p.name) or PART_SUFFIX in p.name
    ]
    if leftovers:
        result.problems.append(f"temporary files left behind: {leftovers[:10]}")


async def _check_service_tasks(result: ChaosResult, session: GlobusSession) -> dict[str, str]:
    """``task_list`` as the demo user: one task per transfer, every one SUCCEEDED."""
    found: dict[str, str] = {}
    labels: Counter[str] = Counter()
    pages = session.transfer.paginated.task_list(filter="type:TRANSFER,DELETE")
    async for task in pages.items():
        found[task["task_id"]] = task["status"]
        labels[task["label"]] += 1
    result.tasks_listed = len(found)
    if len(found) != len(result.transfers):
        result.problems.append(
            f"task_list has {len(found)} tasks for {len(result.transfers)} transfers"
        )
    twice = [label for label, n in labels.items() if n > 1]
    if twice:
        result.problems.append(f"labels listed more than once: {twice}")
    not_done = {t: s for t, s in found.items() if s != "SUCCEEDED"}
    if not_done:
        result.problems.append(f"tasks that did not succeed: {not_done}")
    return found


async def _check_app_queue(
    result: ChaosResult, session: GlobusSession, truth: dict[str, str]
) -> None:
    """The real app, headless: its task queue lists each task once, with the service's state."""
    from gtui.config import Settings
    from gtui.sim.world import DEMO_INDEX_ID, DEMO_USERNAME
    from gtui.tui.app import GtuiApp, PanePlace
    from gtui.tui.launch import with_search_index
    from gtui.tui.state import AppState
    from gtui.tui.task_status import status_name
    from gtui.tui.widgets.task_queue import TaskQueue
    from tests.tui.tui_helpers import wait_for

    settings = with_search_index(Settings(), DEMO_INDEX_ID)
    settings.tasks.recent_limit = len(result.transfers) + 10
    app = GtuiApp(
        session=session,
        settings=settings,
        state=AppState(result.paths.base / "check" / "state.json"),
        environment="sim",
        username=DEMO_USERNAME,
        left=PanePlace(LAPTOP_ID, "/~/"),
        right=PanePlace(SCRATCH_ID, "/~/"),
    )
    app.animation_level = "none"
    count = len(truth)
    async with app.run_test(size=(150, count + 12)) as pilot:
        await wait_for(pilot, lambda: len(app.feed.tasks) >= count, timeout=60)
        await app.switch_mode("tasks")
        queues = await wait_for(pilot, lambda: list(app.screen.query(TaskQueue)), timeout=30)
        queue = queues[0]
        await wait_for(pilot, lambda: len(queue.order) >= count and queue.size.height > count)
        shown = {task_id: queue.tasks[task_id] for task_id in queue.order}
        if len(queue.order) != len(set(queue.order)) or set(shown) != set(truth):
            result.problems.append(
                f"the app's queue shows {len(queue.order)} rows for {count} tasks"
            )
        wrong = {t: task.status for t, task in shown.items() if truth.get(t) != task.status}
        if wrong:
            result.problems.append(f"the app's queue shows other states: {wrong}")
        lines = [queue.render_line(y).text for y in range(1, len(queue.order) + 1)]
        for item in result.transfers:
            rows = [line for line in lines if item["label"] in line]
            words = {status_name(task) for task in shown.values() if task.label == item["label"]}
            if len(rows) != 1 or not all(w in rows[0] for w in words):
                result.problems.append(f"the queue's rows for {item['label']}: {rows}")


def _check_logs(result: ChaosResult) -> None:
    """No process wrote a traceback: a kill may cut a request, never make an error of it."""
    for log in sorted(result.paths.logs.glob("*.err")):
        text = log.read_text(encoding="utf-8", errors="replace")
        if "Traceback" in text:
            result.problems.append(f"{log.name} holds a traceback:\n{text[:1500]}")


async def verify(result: ChaosResult) -> list[str]:
    """Every check of the end state; returns the problems found (none when all is well)."""
    task_of = _check_journal(result)
    _check_logs(result)
    _check_files(result)
    check_dir = result.paths.base / "check"
    check_dir.mkdir(exist_ok=True)
    session = await _logged_in_session(result, check_dir / "tokens.json")
    try:
        truth = await _check_service_tasks(result, session)
        await _check_app_queue(result, session, truth)
    finally:
        await session.aclose()
    _check_database(result, task_of)
    return result.problems


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "app":
        _exit_when_stdin_closes()
        return asyncio.run(app_main(Path(argv[1])))
    print("usage: python -m tests.reliability.chaos app RUN_DIR", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

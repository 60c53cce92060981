"""What every benchmark shares: sizes, the closing line, the embedded service, logins, memory,
and a probe that notices the first frame a Textual app paints with a given text on it.

Each benchmark measures gtui and its baseline in the same run and ends with exactly one line
``<name>: gtui <v> <unit>, baseline <v> <unit>, ratio <r>x, target <t>x`` where the ratio is
the baseline's cost divided by gtui's (higher is better).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
CLI_VENV = BENCH_DIR / ".venv-cli"
WORK_DIR = Path(os.environ.get("GTUI_BENCH_DIR", Path(tempfile.gettempdir()) / "gtui-bench"))
RESULT_PATTERN = re.compile(
    r"^(?P<name>[a-z_]+): gtui (?P<gtui>[0-9.]+) (?P<unit>\S+), "
    r"baseline (?P<baseline>[0-9.]+) (?P=unit), ratio (?P<ratio>[0-9.]+)x, "
    r"target (?P<target>[0-9.]+)x$"
)
_ESCAPE = re.compile(r"\x1b(?:\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")

TRANSFER_SCOPE = "urn:globus:auth:scope:transfer.api.globus.org:all"


def isolate_environment() -> None:
    """Keep benchmark tokens, settings and logs out of the user's own folders."""
    for name in ("GTUI_CONFIG_DIR", "GTUI_DATA_DIR", "GTUI_LOG_DIR"):
        folder = WORK_DIR / "home" / name.rsplit("_", 2)[1].lower()
        folder.mkdir(parents=True, exist_ok=True)
        os.environ.setdefault(name, str(folder))
    os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")


# -- sizes and arguments -----------------------------------------------------------------


@dataclass(frozen=True)
class Size:
    """How big a run is: ``full`` (the issue's sizes), ``quick`` or ``tiny`` (the test's)."""

    name: str

    def pick(self, full: Any, quick: Any, tiny: Any) -> Any:
        return {"full": full, "quick": quick, "tiny": tiny}[self.name]


def parse_args(
    description: str, extra: Callable[[argparse.ArgumentParser], None] | None = None
) -> tuple[argparse.Namespace, Size]:
    """``--quick`` for run_all's five-minute round, ``--tiny`` (or GTUI_BENCH_TINY=1) for tests."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, a few seconds each")
    parser.add_argument("--tiny", action="store_true", help="the smallest sizes (used by tests)")
    if extra is not None:
        extra(parser)
    args = parser.parse_args()
    tiny = args.tiny or os.environ.get("GTUI_BENCH_TINY") == "1"
    size = Size("tiny" if tiny else "quick" if args.quick else "full")
    isolate_environment()
    return args, size


# -- figures -----------------------------------------------------------------------------


def figure(value: float) -> str:
    """Three significant figures, plain decimal notation (no exponent); counts stay whole."""
    if isinstance(value, int):
        return str(value)
    if value == 0:
        return "0"
    magnitude = abs(value)
    if magnitude >= 100:
        return f"{value:.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 1:
        return f"{value:.2f}"
    digits = 2 - int(f"{magnitude:e}".split("e")[1])
    return f"{value:.{min(digits, 6)}f}"


def result_line(
    name: str, gtui: float, baseline: float, unit: str, target: float, ratio: float | None = None
) -> str:
    """The closing line; ``ratio`` defaults to baseline cost ÷ gtui cost."""
    if ratio is None:
        ratio = baseline / gtui if gtui > 0 else float("inf")
    shown = f"{ratio:.2f}" if ratio < 10 else f"{ratio:.1f}"
    return (
        f"{name}: gtui {figure(gtui)} {unit}, baseline {figure(baseline)} {unit}, "
        f"ratio {shown}x, target {target:g}x"
    )


def note(text: str) -> None:
    """A detail line (everything but the closing line), flushed at once."""
    print(text, flush=True)


def median(values: Iterable[float]) -> float:
    return statistics.median(list(values))


# -- memory ------------------------------------------------------------------------------


def _status_kib(key: str) -> int:
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def rss_mb() -> float:
    """Resident memory now, in MB (10^6 bytes)."""
    return _status_kib("VmRSS") * 1024 / 1e6


def peak_rss_mb() -> float:
    """The highest resident memory so far, in MB."""
    return _status_kib("VmHWM") * 1024 / 1e6


# -- child processes ---------------------------------------------------------------------


def run_json(args: Sequence[str], *, timeout: float, env: dict[str, str] | None = None) -> Any:
    """Run a Python child that prints one JSON document on its last stdout line."""
    done = subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{args[0]} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def strip_escapes(text: str) -> str:
    """Terminal output without its control sequences."""
    return _ESCAPE.sub("", text)


# -- the embedded service ----------------------------------------------------------------


def start_sim(root: Path, **faults: Any) -> Any:
    """The embedded service on a free loopback port, with the given fault settings."""
    from gtui.sim.serve import start_in_thread
    from gtui.sim.settings import FaultSettings

    throttle = faults.pop("throttle_bytes_per_second", 0)
    return start_in_thread(root, faults=FaultSettings(**faults), throttle_bytes_per_second=throttle)


@dataclass
class ServiceProcess:
    """``gtui sim serve`` in a process of its own (own interpreter lock, like a real service)."""

    process: subprocess.Popen[str]
    base_url: str

    @property
    def service_urls(self) -> dict[str, str]:
        names = ("auth", "transfer", "groups", "search")
        return {name: f"{self.base_url}/{name}/" for name in names}

    @property
    def env(self) -> dict[str, str]:
        env = {"GLOBUS_SDK_ENVIRONMENT": "sim"}
        for name, url in self.service_urls.items():
            env[f"GLOBUS_SDK_SERVICE_URL_{name.upper()}"] = url
        return env

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> ServiceProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve_process(root: Path, *flags: str, timeout: float = 120.0) -> ServiceProcess:
    """Start ``gtui sim serve --port 0 --root ROOT FLAGS``; returns once it printed its URLs."""
    process = subprocess.Popen(
        [sys.executable, "-m", "gtui", "sim", "serve", "--port", "0", "--root", str(root), *flags],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    for line in process.stdout:
        if line.startswith("export GLOBUS_SDK_SERVICE_URL_AUTH="):
            auth_root = line.split("=", 1)[1].strip()
            running = ServiceProcess(process, auth_root.removesuffix("/").removesuffix("/auth"))
            _wait_listening(running.base_url, deadline)
            return running
        if time.monotonic() > deadline:
            break
    process.kill()
    raise RuntimeError("gtui sim serve did not start")


def _wait_listening(base_url: str, deadline: float) -> None:
    import httpx

    while True:
        try:
            httpx.get(f"{base_url}/auth/.well-known/openid-configuration", timeout=5)
            return
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def client_credentials_token(sim: Any, scope: str = TRANSFER_SCOPE) -> str:
    """An access token of the demo world's confidential client."""
    import httpx

    from gtui.sim.world import DEMO_CONFIDENTIAL_CLIENT_ID, DEMO_CONFIDENTIAL_CLIENT_SECRET

    answer = httpx.post(
        f"{sim.service_urls['auth']}v2/oauth2/token",
        data={"grant_type": "client_credentials", "scope": scope},
        auth=(DEMO_CONFIDENTIAL_CLIENT_ID, DEMO_CONFIDENTIAL_CLIENT_SECRET),
        timeout=30,
    )
    answer.raise_for_status()
    return str(answer.json()["access_token"])


def user_tokens(sim: Any, scopes: str) -> dict[str, str]:
    """Resource server → access token of the demo user, through the authorize page and PKCE."""
    import httpx

    from gtui.sim.world import DEMO_NATIVE_CLIENT_ID

    verifier = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()
    challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )
    auth_root = sim.service_urls["auth"]
    redirect = f"{auth_root}v2/web/auth-code"
    params = {
        "client_id": DEMO_NATIVE_CLIENT_ID,
        "redirect_uri": redirect,
        "scope": scopes,
        "state": secrets.token_hex(8),
        "response_type": "code",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "access_type": "offline",
    }
    with httpx.Client(timeout=30) as client:
        page = client.get(f"{auth_root}v2/oauth2/authorize", params=params)
        page.raise_for_status()
        code = re.search(r'<code id="auth-code">([^<]+)</code>', page.text)
        if code is None:
            raise RuntimeError("the authorize page showed no code")
        answer = client.post(
            f"{auth_root}v2/oauth2/token",
            data={
                "grant_type": "authorization_code",
                "code": code.group(1),
                "code_verifier": verifier,
                "redirect_uri": redirect,
                "client_id": DEMO_NATIVE_CLIENT_ID,
            },
        )
        answer.raise_for_status()
        body = answer.json()
    tokens = [body, *body.get("other_tokens", [])]
    return {t["resource_server"]: t["access_token"] for t in tokens}


def fresh_state() -> Any:
    """An empty ``AppState`` of the benchmark's own, so panes open where the run says (not
    where the user's own gtui was last)."""
    from gtui.tui.state import AppState

    path = WORK_DIR / "state.json"
    path.unlink(missing_ok=True)
    return AppState(path)


def demo_app(session: Any, left: Any = None, right: Any = None) -> Any:
    """The real app on ``session`` as the demo user, with a state of its own; the panes open
    on the laptop's and the scratch collection's homes unless told otherwise."""
    from gtui.config import Settings
    from gtui.sim.world import DEMO_USERNAME, LAPTOP_ID, SCRATCH_ID
    from gtui.tui.app import GtuiApp, PanePlace

    return GtuiApp(
        session=session,
        settings=Settings(),
        state=fresh_state(),
        environment="sim",
        username=DEMO_USERNAME,
        left=left or PanePlace(LAPTOP_ID, "/~/"),
        right=right or PanePlace(SCRATCH_ID, "/~/"),
    )


async def demo_session(sim: Any) -> Any:
    """A logged-in ``GlobusSession`` of the demo user, logged in as ``gtui --demo`` does."""
    from gtui.core.session import GlobusSession
    from gtui.sim.world import DEMO_NATIVE_CLIENT_ID
    from gtui.tui.demo_login import demo_login

    login = GlobusSession(DEMO_NATIVE_CLIENT_ID, environment="sim", service_urls=sim.service_urls)
    try:
        await demo_login(login)
    finally:
        await login.aclose()
    return GlobusSession(DEMO_NATIVE_CLIENT_ID, environment="sim", service_urls=sim.service_urls)


# -- frames ------------------------------------------------------------------------------


@dataclass
class FrameProbe:
    """Records when a Textual app paints a frame that shows some text.

    The app's frames are rendered to the bytes a terminal would receive (the headless driver
    skips that step; the probe does it so the cost is counted) and searched for ``wanted``.
    """

    wanted: str | None = None
    found_at: float | None = None
    frames: int = 0
    _waiters: list[Any] = field(default_factory=list)

    def install(self, app: Any) -> None:
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            original(screen, renderable)
            if renderable is None or app._batch_count:
                return
            self.frames += 1
            if self.wanted is None or self.found_at is not None:
                return
            render = getattr(renderable, "render_segments", None)
            text = render(app.console) if render is not None else ""
            if self.wanted in strip_escapes(text):
                self.found_at = time.perf_counter()

        app._display = display

    def expect(self, text: str) -> None:
        self.wanted = text
        self.found_at = None

    async def wait(self, timeout: float = 600.0) -> float:
        """Wait (in the app's loop) until the text was painted; returns the paint time."""
        import asyncio

        deadline = time.perf_counter() + timeout
        while self.found_at is None:
            if time.perf_counter() > deadline:
                raise TimeoutError(f"no frame showed {self.wanted!r} within {timeout} s")
            await asyncio.sleep(0.001)
        return self.found_at


class StallProbe:
    """Sleeps briefly in a loop and records how late the event loop woke it."""

    def __init__(self, interval: float = 0.005) -> None:
        self.interval = interval
        self.worst = 0.0
        self.samples = 0
        self._running = True

    async def run(self) -> None:
        import asyncio

        while self._running:
            start = time.perf_counter()
            await asyncio.sleep(self.interval)
            self.worst = max(self.worst, time.perf_counter() - start - self.interval)
            self.samples += 1

    def stop(self) -> None:
        self._running = False


def machine() -> str:
    """nproc, CPU model and Python version, for the README table."""
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    version = ".".join(map(str, sys.version_info[:3]))
    return f"{os.cpu_count()} cores, {model}, Python {version}"


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value

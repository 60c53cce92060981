"""``gtui sim serve`` and ``start_in_thread``: run the embedded service on loopback.

The service listens on two loopback sockets: plain HTTP for Auth, Transfer, Groups, Search
and Timers, and TLS for the GCS Manager API of its GCSv5 endpoints (the SDK and the CLI reach
a GCS Manager over ``https://`` only). The TLS certificate is signed by the service's own
authority (``tls.py``), which clients trust through ``GLOBUS_SDK_VERIFY_SSL``: the banner
prints that line with the others, and ``RunningSim.env`` holds it.

Module level imports stay light (the CLI imports this to build ``--help``); Starlette and
uvicorn are imported when a service actually starts.
"""

from __future__ import annotations

import argparse
import os
import shlex
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from gtui.sim.ids import (
    ARCHIVE_ENDPOINT_ID,
    ARCHIVE_ID,
    DEMO_CONFIDENTIAL_CLIENT_ID,
    DEMO_CONFIDENTIAL_CLIENT_SECRET,
    DEMO_INDEX_ID,
    DEMO_NATIVE_CLIENT_ID,
    DEMO_USERNAME,
    GUEST_ID,
    LAPTOP_ID,
    SCRATCH_ENDPOINT_ID,
    SCRATCH_ID,
)
from gtui.sim.settings import STATE_DIR_NAME
from gtui.sim.state_lock import StateInUse
from gtui.sim.tls import CA_BUNDLE_VARIABLE, ca_bundle_path

if TYPE_CHECKING:
    import uvicorn
    from starlette.applications import Starlette

    from gtui.sim.context import SimContext
    from gtui.sim.settings import FaultSettings, SimSettings

SERVICES = ("auth", "transfer", "groups", "search", "timer", "flows")
LOOPBACK_HOSTS = {"127.0.0.1", "localhost"}
ENVIRONMENT_NAME = "sim"
START_TIMEOUT_SECONDS = 60.0


class NotLoopbackError(ValueError):
    """The service only ever listens on the loopback interface."""


def default_root() -> Path:
    """Where the demo collections live unless ``--root`` says otherwise."""
    override = os.environ.get("GTUI_DATA_DIR")
    if override:
        return Path(override) / "demo"
    import platformdirs

    return platformdirs.user_data_path("gtui") / "demo"


def service_urls(base_url: str) -> dict[str, str]:
    """The service roots under one base URL."""
    return {name: f"{base_url}/{name}/" for name in SERVICES}


def sdk_environment(base_url: str, ca_bundle: str | Path | None = None) -> dict[str, str]:
    """The ``GLOBUS_SDK_*`` variables pointing a client at the service; with ``ca_bundle``
    (the service's certificate authority) also the one that makes the SDK trust its TLS
    listener, the GCS Manager API."""
    env = {"GLOBUS_SDK_ENVIRONMENT": ENVIRONMENT_NAME}
    for name, url in service_urls(base_url).items():
        env[f"GLOBUS_SDK_SERVICE_URL_{name.upper()}"] = url
    if ca_bundle is not None:
        env[CA_BUNDLE_VARIABLE] = str(ca_bundle)
    return env


def demo_ca_bundle(root: Path) -> Path:
    """The certificate authority of the service whose demo folder is ``root``."""
    return ca_bundle_path(Path(root) / STATE_DIR_NAME)


@dataclass
class ServiceAddress:
    """Where a running service answers: its base URL, the service roots under it, and the
    certificate authority of its TLS listener (when known)."""

    base_url: str
    ca_bundle: str | None = field(default=None, kw_only=True)

    @property
    def service_urls(self) -> dict[str, str]:
        return service_urls(self.base_url)

    @property
    def env(self) -> dict[str, str]:
        """The ``GLOBUS_SDK_*`` variables that point a client at this service."""
        return sdk_environment(self.base_url, self.ca_bundle)


@dataclass
class RunningSim(ServiceAddress):
    """A service running in a background thread; ``stop()`` ends it."""

    port: int
    settings: SimSettings
    app: Starlette = field(repr=False)
    _server: uvicorn.Server = field(repr=False)
    _thread: threading.Thread = field(repr=False)

    @property
    def gcs_base_url(self) -> str:
        """Where the TLS listener of the GCS Manager API answers (``https://127.0.0.1:N``)."""
        return self.settings.gcs_base_url

    @property
    def ctx(self) -> SimContext:
        """The running service's shared state (world, services, clock, fault counters)."""
        ctx: SimContext = self.app.state.ctx
        return ctx

    def stop(self, timeout: float = 30.0) -> None:
        self._server.should_exit = True
        self._thread.join(timeout)
        if self._thread.is_alive():
            self._server.force_exit = True
            self._thread.join(timeout)


def _check_host(host: str) -> str:
    if host not in LOOPBACK_HOSTS:
        raise NotLoopbackError(f"refusing to listen on {host!r}: only 127.0.0.1 is allowed")
    return "127.0.0.1"


def bind_loopback(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A listening TCP socket on ``host`` (checked by the callers to be loopback)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def _inherited(fd: int) -> socket.socket:
    """The listening socket a parent process bound and passed down (loopback only)."""
    sock = socket.socket(fileno=fd)
    try:
        _check_host(sock.getsockname()[0])
    except NotLoopbackError:
        sock.close()
        raise
    return sock


def _stop_when_stdin_closes(server: uvicorn.Server) -> None:
    """End the service gracefully once standard input reaches end of file.

    The parent holds the other end of the pipe, so the service stops with it even when the
    parent is killed and never gets to say so.
    """

    def watch() -> None:
        try:
            while sys.stdin.buffer.read(4096):
                pass
        except (OSError, ValueError):
            pass
        server.should_exit = True

    threading.Thread(target=watch, name="gtui-sim-stdin", daemon=True).start()


def _make_server(
    settings: SimSettings, gcs_socket: socket.socket
) -> tuple[Starlette, uvicorn.Server]:
    import uvicorn

    from gtui.sim.app import build_app
    from gtui.sim.protocol import DroppingH11Protocol
    from gtui.sim.quick_server import QuickServer

    app = build_app(settings, gcs_socket=gcs_socket)
    config = uvicorn.Config(
        app,
        log_level="warning",
        http=DroppingH11Protocol,
        lifespan="on",
        loop="asyncio",
        timeout_graceful_shutdown=5,
        access_log=False,
    )
    return app, QuickServer(config)


def start_in_thread(
    root: Path,
    *,
    port: int = 0,
    faults: FaultSettings | None = None,
    throttle_bytes_per_second: int = 0,
    host: str = "127.0.0.1",
    token_lifetime_seconds: int | None = None,
    clock_speed: float = 1.0,
    clock_start: float | None = None,
    gcs_port: int = 0,
) -> RunningSim:
    """Start the service on loopback in a daemon thread; return once it accepts connections
    (on both listeners: the GCS Manager API's TLS one, on ``gcs_port``, too).

    ``clock_speed`` is how fast the Timers' clock runs (virtual seconds per real second);
    ``running.ctx.clock.step(seconds)`` moves it on at once."""
    from gtui.sim.settings import FaultSettings, SimSettings

    bind_host = _check_host(host)
    sock = bind_loopback(bind_host, port)
    try:
        gcs_sock = bind_loopback(bind_host, gcs_port)
    except BaseException:
        sock.close()
        raise
    actual_port = sock.getsockname()[1]
    base_url = f"http://127.0.0.1:{actual_port}"
    settings = SimSettings(
        root=Path(root),
        throttle_bytes_per_second=throttle_bytes_per_second,
        faults=faults or FaultSettings(),
        base_url=base_url,
        clock_speed=clock_speed,
        clock_start=clock_start,
        gcs_base_url=f"https://127.0.0.1:{gcs_sock.getsockname()[1]}",
    )
    if token_lifetime_seconds is not None:
        settings.token_lifetime_seconds = token_lifetime_seconds
    try:
        app, server = _make_server(settings, gcs_sock)
    except BaseException:
        sock.close()
        gcs_sock.close()
        raise
    errors: list[BaseException] = []

    def run() -> None:
        try:
            server.run(sockets=[sock])
        except BaseException as exc:
            errors.append(exc)
        finally:
            sock.close()
            gcs_sock.close()

    thread = threading.Thread(target=run, name=f"gtui-sim-{actual_port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while not server.started:
        if errors or not thread.is_alive():
            raise RuntimeError(f"the embedded service failed to start: {errors[:1]}")
        if time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError("the embedded service did not start in time")
        time.sleep(0.01)
    return RunningSim(
        base_url=base_url,
        ca_bundle=str(ca_bundle_path(settings.state_dir)),
        port=actual_port,
        settings=settings,
        app=app,
        _server=server,
        _thread=thread,
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``gtui sim serve``."""
    parser.epilog = (
        "The faults (--latency to --drop-rate) hit every API request: Auth (not its login"
        " pages), Transfer, Groups, Search, Timers, Flows and the GCS Manager API on the TLS"
        " listener, each answering in its own error shape; --fault-path narrows them."
    )
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="interface to listen on; only loopback (127.0.0.1) is accepted",
    )
    parser.add_argument("--port", type=int, default=8765, help="port (0 picks a free one)")
    parser.add_argument(
        "--gcs-port",
        type=int,
        default=0,
        help="port of the GCS Manager API's TLS listener (default 0: a free one)",
    )
    parser.add_argument("--root", metavar="DIR", help="where the demo collections' folders live")
    parser.add_argument(
        "--throttle",
        metavar="BPS",
        type=int,
        default=0,
        help="bandwidth limit per transfer task in bytes/s (0 = unlimited)",
    )
    parser.add_argument(
        "--latency",
        metavar="S",
        type=float,
        default=0.0,
        help="added latency per API request, in seconds",
    )
    parser.add_argument(
        "--latency-jitter",
        metavar="S",
        type=float,
        default=0.0,
        help="random extra latency up to S seconds",
    )
    parser.add_argument(
        "--rate-limit",
        metavar="N",
        type=float,
        default=None,
        help="requests per second allowed per token (429 + Retry-After beyond)",
    )
    parser.add_argument(
        "--error-rate",
        metavar="P",
        type=float,
        default=0.0,
        help="share of API requests answered with a 5xx error",
    )
    parser.add_argument(
        "--rate-429",
        metavar="P",
        type=float,
        default=0.0,
        help="share of API requests answered with 429 + Retry-After",
    )
    parser.add_argument(
        "--drop-rate",
        metavar="P",
        type=float,
        default=0.0,
        help="share of API connections dropped without an answer",
    )
    parser.add_argument(
        "--consent-collection",
        metavar="ID",
        action="append",
        default=None,
        help="collection that needs data_access consent (repeatable; default: the archive)",
    )
    parser.add_argument(
        "--deny-path",
        metavar="ID:/p/",
        action="append",
        default=[],
        help="path prefix answering permission denied (repeatable)",
    )
    parser.add_argument(
        "--fault-path",
        metavar="PREFIX",
        action="append",
        default=[],
        help=(
            "limit the latency, 429s, 5xx and drops to API paths under PREFIX (repeatable),"
            " e.g. /flows/ or /transfer/; the GCS Managers' are /gcs/"
        ),
    )
    parser.add_argument("--seed", type=int, default=None, help="seed of the fault dice")
    parser.add_argument(
        "--clock-speed",
        metavar="N",
        type=float,
        default=1.0,
        help=(
            "how fast the time of timers and flows runs: N virtual seconds per real second"
            " (default 1)"
        ),
    )
    parser.add_argument(
        "--listen-fd",
        metavar="FD",
        type=int,
        default=None,
        help="serve on this inherited listening loopback socket instead of binding a port",
    )
    parser.add_argument(
        "--exit-with-stdin",
        action="store_true",
        help="stop when standard input closes (the process that started the service ended)",
    )


def faults_from_args(args: argparse.Namespace) -> FaultSettings:
    from gtui.sim.settings import FaultSettings

    consent = set(args.consent_collection) if args.consent_collection is not None else {ARCHIVE_ID}
    return FaultSettings(
        latency_seconds=args.latency,
        latency_jitter_seconds=args.latency_jitter,
        rate_limit_per_second=args.rate_limit,
        error_rate=args.error_rate,
        rate_429=args.rate_429,
        drop_rate=args.drop_rate,
        consent_collections=consent,
        denied_paths=list(args.deny_path),
        seed=args.seed,
        only_paths=list(args.fault_path),
    )


def banner(
    base_url: str, root: Path, *, ca_bundle: Path | None = None, gcs_base_url: str = ""
) -> str:
    """What ``gtui sim serve`` prints on start: exports, clients, collections, endpoints."""
    lines = ["# Point the Globus SDK (or the CLI) at the embedded service:"]
    lines += [
        f"export {k}={shlex.quote(v)}" for k, v in sdk_environment(base_url, ca_bundle).items()
    ]
    lines += [
        "",
        f"# Demo user: {DEMO_USERNAME}",
        f"# Native app client id:       {DEMO_NATIVE_CLIENT_ID}",
        f"# Confidential client id:     {DEMO_CONFIDENTIAL_CLIENT_ID}",
        f"# Confidential client secret: {DEMO_CONFIDENTIAL_CLIENT_SECRET}",
        f"# Search index:               {DEMO_INDEX_ID}",
        "# Collections:",
    ]
    names = {
        LAPTOP_ID: "Demo Laptop",
        SCRATCH_ID: "HPC Cluster Scratch",
        ARCHIVE_ID: "Tape Archive",
        GUEST_ID: "Shared Results",
    }
    from gtui.sim.world import COLLECTION_FOLDERS  # the demo world, when it is described

    for cid, folder in COLLECTION_FOLDERS.items():
        lines.append(f"#   {cid}  {names[cid]:<20} {root / folder}")
    if gcs_base_url:
        lines.append(f"# GCSv5 endpoints (GCS Manager API over TLS at {gcs_base_url}/<id>/api):")
        endpoints = {SCRATCH_ENDPOINT_ID: "HPC Cluster", ARCHIVE_ENDPOINT_ID: "Tape Archive Server"}
        for eid, name in endpoints.items():
            lines.append(f"#   {eid}  {name}")
    return "\n".join(lines)


def run_from_args(args: argparse.Namespace) -> int:
    """Serve in the foreground until Ctrl-C."""
    import sqlite3

    from gtui.sim.database import FILE_NAME as DATABASE_FILE
    from gtui.sim.database import SchemaMismatch
    from gtui.sim.settings import SimSettings

    try:
        host = _check_host(args.host)
        faults = faults_from_args(args)
        if not 0 < args.clock_speed < float("inf"):
            raise ValueError(f"--clock-speed must be positive, not {args.clock_speed:g}")
    except ValueError as exc:
        print(f"gtui sim serve: {exc}", file=sys.stderr)
        return 2
    root = Path(args.root).expanduser() if args.root else default_root()
    try:
        sock = (
            _inherited(args.listen_fd)
            if args.listen_fd is not None
            else bind_loopback(host, args.port)
        )
    except (OSError, ValueError) as exc:
        where = f"fd {args.listen_fd}" if args.listen_fd is not None else f"{host}:{args.port}"
        print(f"gtui sim serve: cannot listen on {where}: {exc}", file=sys.stderr)
        return 1
    try:
        gcs_sock = bind_loopback(host, args.gcs_port)
    except OSError as exc:
        sock.close()
        print(f"gtui sim serve: cannot listen on {host}:{args.gcs_port}: {exc}", file=sys.stderr)
        return 1
    base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    settings = SimSettings(
        root=root,
        throttle_bytes_per_second=args.throttle,
        faults=faults,
        base_url=base_url,
        clock_speed=args.clock_speed,
        gcs_base_url=f"https://127.0.0.1:{gcs_sock.getsockname()[1]}",
    )
    try:
        try:
            _, server = _make_server(settings, gcs_sock)
        except BaseException:
            gcs_sock.close()
            sock.close()
            raise
    except StateInUse as exc:
        print(f"gtui sim serve: {exc}", file=sys.stderr)
        return 1
    except (sqlite3.DatabaseError, SchemaMismatch) as exc:
        database = settings.state_dir / DATABASE_FILE
        print(
            f"gtui sim serve: cannot use {database}: {exc}. It was written by another version "
            "of gtui, or is damaged; move it away to start with an empty task history.",
            file=sys.stderr,
        )
        return 1
    except OSError as exc:
        culprit = exc.filename or root
        print(f"gtui sim serve: cannot use {culprit}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    if args.exit_with_stdin:
        _stop_when_stdin_closes(server)
    ca_bundle = ca_bundle_path(settings.state_dir)
    print(banner(base_url, root, ca_bundle=ca_bundle, gcs_base_url=settings.gcs_base_url))
    sys.stdout.flush()
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
        gcs_sock.close()
    print("# The embedded service has stopped; its state is kept for the next start.")
    return 0

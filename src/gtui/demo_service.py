"""The demo's embedded service in a process of its own, and finding one already running.

``gtui --demo`` binds a loopback socket, hands it to ``gtui sim serve --listen-fd`` in a child
process and can send requests at once: they wait in the socket's backlog while the child
starts. Its own process gives the service its own interpreter lock, so copying files never
holds up the app's event loop, and the service starts while the app is still importing.

The child reads its standard input until end of file; the parent holds the other end, so the
service stops with the app even when the app is killed.

``gtui --demo whoami|login|logout`` use ``demo_service_for_command``: the service that already
runs on the demo folder (its state lock names its address), else one started for the command.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from gtui.sim.serve import ServiceAddress, bind_loopback, demo_ca_bundle
from gtui.sim.settings import STATE_DIR_NAME
from gtui.sim.state_lock import running_service

STOP_TIMEOUT_SECONDS = 15.0
LEAVE_WAIT_SECONDS = 0.5
LOG_TAIL_BYTES = 2000


class DemoServiceError(RuntimeError):
    """The demo service could not be started or stopped as it should."""


@dataclass
class DemoService(ServiceAddress):
    """A running ``gtui sim serve`` child; ``stop()`` ends it and waits for its state to save."""

    process: subprocess.Popen[bytes]
    root: Path
    log_file: Path | None = None
    log_start: int = 0  # where this run's messages begin in the (appended) log file

    def exited(self, wait: float = 0.0) -> bool:
        """Whether the child has ended, waiting up to ``wait`` seconds for it to."""
        try:
            self.process.wait(wait)
        except subprocess.TimeoutExpired:
            return False
        return True

    def log_tail(self) -> str:
        """The end of what this run of the service logged, to explain a failed start."""
        if self.log_file is None:
            return ""
        try:
            with self.log_file.open("rb") as handle:
                handle.seek(0, 2)
                handle.seek(max(self.log_start, handle.tell() - LOG_TAIL_BYTES))
                return handle.read().decode("utf-8", "replace").strip()
        except OSError:
            return ""

    def leave(self, wait: float = LEAVE_WAIT_SECONDS) -> int | None:
        """Tell the child to stop and wait a moment, not longer: it finishes saving on its own.

        Quitting gtui must not wait for a big copy to wind down; a ``gtui --demo`` started
        meanwhile waits for this one to let go of the folder (``StateLock.acquire``).
        """
        self._close_stdin()
        try:
            return self.process.wait(wait)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, timeout: float = STOP_TIMEOUT_SECONDS) -> int:
        """Close the child's standard input (it shuts down gracefully), then wait for it."""
        self._close_stdin()
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.terminate()
        try:
            return self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()

    def _close_stdin(self) -> None:
        if self.process.stdin is not None and not self.process.stdin.closed:
            try:
                self.process.stdin.close()
            except OSError:
                pass


def serve_command(listen_fd: int, root: Path, *flags: str) -> list[str]:
    """``gtui sim serve`` on an inherited socket, ending with its parent (``flags`` appended)."""
    return [
        sys.executable,
        "-m",
        "gtui",
        "sim",
        "serve",
        "--listen-fd",
        str(listen_fd),
        "--exit-with-stdin",
        "--root",
        str(root),
        *flags,
    ]


def start_demo_service(
    root: Path,
    *,
    throttle_bytes_per_second: int = 0,
    clock_speed: float = 1.0,
    log_file: Path | None = None,
) -> DemoService:
    """Start the service on a fresh loopback port; returns without waiting for it to be up."""
    sock = bind_loopback()
    base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    fd = sock.fileno()
    command = serve_command(
        fd,
        root,
        "--throttle",
        str(throttle_bytes_per_second),
        "--clock-speed",
        repr(float(clock_speed)),
    )
    stderr: IO[bytes] | int = subprocess.DEVNULL
    log_start = 0
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        stderr = log_file.open("ab")
        log_start = stderr.tell()
    try:
        process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            pass_fds=(fd,),
            start_new_session=True,
        )
    except OSError as exc:
        raise DemoServiceError(f"could not start the demo service: {exc}") from exc
    finally:
        sock.close()
        if not isinstance(stderr, int):
            stderr.close()
    # The service makes its certificate authority (for the GCS Manager's TLS listener) in
    # its state folder; clients trust it through the environment ``env`` gives them.
    return DemoService(
        process=process,
        base_url=base_url,
        root=root,
        log_file=log_file,
        log_start=log_start,
        ca_bundle=str(demo_ca_bundle(root)),
    )


@dataclass
class CommandService:
    """The service a command talks to; ``started`` when it runs for this command only."""

    address: ServiceAddress
    started: DemoService | None = None

    def failure(self) -> str:
        """Why a started service could not be reached (empty when it still runs)."""
        if self.started is None or not self.started.exited(wait=5.0):
            return ""
        tail = self.started.log_tail()
        return "the demo service stopped while starting" + (f":\n{tail}" if tail else "")


@contextmanager
def demo_service_for_command(
    root: Path, *, throttle_bytes_per_second: int = 0
) -> Iterator[CommandService]:
    """The demo folder's running service, else one started for the command and stopped after.

    A running ``gtui --demo`` or ``gtui sim serve`` holds the folder's state lock, which names
    the address it serves on; requests to a service started here wait in its socket's backlog
    while it boots. Its throttle is the demo's, as queued transfers resume while it runs.
    """
    try:
        holder = running_service(root / STATE_DIR_NAME)
    except OSError as exc:
        raise DemoServiceError(f"cannot use the demo folder {root}: {exc.strerror or exc}") from exc
    if holder is not None:
        if not holder.base_url:
            raise DemoServiceError(
                f"the demo folder {root} is in use by a service that does not say where it "
                "answers; quit it, or choose another folder with --root"
            )
        yield CommandService(ServiceAddress(holder.base_url, ca_bundle=str(demo_ca_bundle(root))))
        return
    with tempfile.TemporaryDirectory(prefix="gtui-demo-") as logs:
        service = start_demo_service(
            root,
            throttle_bytes_per_second=throttle_bytes_per_second,
            log_file=Path(logs) / "sim.log",
        )
        try:
            yield CommandService(service, started=service)
        finally:
            service.stop()

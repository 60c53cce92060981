"""The demo's embedded service in a process of its own.

``gtui --demo`` binds a loopback socket, hands it to ``gtui sim serve --listen-fd`` in a child
process and can send requests at once: they wait in the socket's backlog while the child
starts. Its own process gives the service its own interpreter lock, so copying files never
holds up the app's event loop, and the service starts while the app is still importing.

The child reads its standard input until end of file; the parent holds the other end, so the
service stops with the app even when the app is killed.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from gtui.sim.serve import ServiceAddress, bind_loopback

STOP_TIMEOUT_SECONDS = 15.0
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

    def stop(self, timeout: float = STOP_TIMEOUT_SECONDS) -> int:
        """Close the child's standard input (it shuts down gracefully), then wait for it."""
        if self.process.stdin is not None and not self.process.stdin.closed:
            try:
                self.process.stdin.close()
            except OSError:
                pass
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.terminate()
        try:
            return self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()


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
    log_file: Path | None = None,
) -> DemoService:
    """Start the service on a fresh loopback port; returns without waiting for it to be up."""
    sock = bind_loopback()
    base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    fd = sock.fileno()
    command = serve_command(fd, root, "--throttle", str(throttle_bytes_per_second))
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
    return DemoService(
        process=process, base_url=base_url, root=root, log_file=log_file, log_start=log_start
    )

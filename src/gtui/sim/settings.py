"""Run-time settings of the embedded service: where the world lives and which faults to inject.

Both dataclasses are plain and mutable on purpose: a test (or the demo) may change the fault
settings of a running service, and every request reads them afresh.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from gtui.sim.ids import ARCHIVE_ID

STATE_DIR_NAME = ".gtui-sim"
DEFAULT_TOKEN_LIFETIME_SECONDS = 172_800


@dataclass
class FaultSettings:
    """Faults injected into API answers (never into the login pages).

    ``only_paths`` limits the latency, 429s, 5xx and drops to API paths under those prefixes
    (``/flows/``, ``/transfer/``; the GCS Managers' paths count as ``/gcs/<endpoint>/api/…``),
    so a test or a demo can make one service flaky while the others answer; empty: all of them.
    """

    latency_seconds: float = 0.0
    latency_jitter_seconds: float = 0.0
    rate_limit_per_second: float | None = None
    error_rate: float = 0.0
    rate_429: float = 0.0
    drop_rate: float = 0.0
    consent_collections: set[str] = field(default_factory=lambda: {ARCHIVE_ID})
    denied_paths: list[str] = field(default_factory=list)
    seed: int | None = None
    only_paths: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        for name in ("error_rate", "rate_429", "drop_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, not {value!r}")
        if self.latency_seconds < 0 or self.latency_jitter_seconds < 0:
            raise ValueError("latency must not be negative")
        if self.rate_limit_per_second is not None and self.rate_limit_per_second <= 0:
            raise ValueError("rate_limit_per_second must be positive (or None for no limit)")
        for entry in self.denied_paths:
            collection, sep, path = entry.partition(":")
            if not collection or not sep or not path.startswith("/"):
                raise ValueError(f"denied path {entry!r} must look like COLLECTION_ID:/path/")
        for prefix in self.only_paths:
            if not prefix.startswith("/"):
                raise ValueError(f"fault path {prefix!r} must start with / (e.g. /flows/)")

    def covers(self, path: str) -> bool:
        """Whether ``only_paths`` lets faults reach ``path`` (an API path already)."""
        return not self.only_paths or path.startswith(tuple(self.only_paths))

    def is_denied(self, collection_id: str, path: str) -> bool:
        """Whether ``path`` on ``collection_id`` lies under one of the denied prefixes."""
        for entry in self.denied_paths:
            coll, _, prefix = entry.partition(":")
            if coll != collection_id or not prefix:
                continue
            folder = prefix if prefix.endswith("/") else prefix + "/"
            if path == prefix.rstrip("/") or path.startswith(folder) or path == folder:
                return True
        return False


@dataclass(init=False)
class SimSettings:
    """Everything the service needs to know about one run.

    ``state_dir`` defaults to ``root / STATE_DIR_NAME``; once built it is always a ``Path``.
    ``clock_speed`` is how many virtual seconds the Timers' clock counts per real second;
    ``clock_start`` the epoch time a new clock starts at (default: now), so that pictures of
    timers taken in tests read the same whenever they are taken. ``gcs_base_url`` is where the
    TLS listener of the GCS Manager API answers (``https://127.0.0.1:PORT``); each GCSv5
    endpoint's ``gcs_manager_url`` is a folder of it.
    """

    root: Path
    state_dir: Path
    throttle_bytes_per_second: int
    faults: FaultSettings
    token_lifetime_seconds: int
    base_url: str
    clock_speed: float
    clock_start: float | None
    gcs_base_url: str

    def __init__(
        self,
        root: Path,
        state_dir: Path | None = None,
        throttle_bytes_per_second: int = 0,
        faults: FaultSettings | None = None,
        token_lifetime_seconds: int = DEFAULT_TOKEN_LIFETIME_SECONDS,
        base_url: str = "",
        clock_speed: float = 1.0,
        clock_start: float | None = None,
        gcs_base_url: str = "",
    ) -> None:
        self.root = Path(root)
        self.state_dir = Path(state_dir) if state_dir is not None else self.root / STATE_DIR_NAME
        self.throttle_bytes_per_second = throttle_bytes_per_second
        self.faults = faults if faults is not None else FaultSettings()
        self.token_lifetime_seconds = token_lifetime_seconds
        self.base_url = base_url
        self.clock_speed = clock_speed
        self.clock_start = clock_start
        self.gcs_base_url = gcs_base_url
        if self.throttle_bytes_per_second < 0:
            raise ValueError("throttle_bytes_per_second must not be negative")
        if not 0 < self.clock_speed < math.inf:
            raise ValueError("clock_speed must be positive (virtual seconds per real second)")

    @property
    def issuer(self) -> str:
        """The Auth service root URL, which is also the id_token issuer."""
        return f"{self.base_url}/auth" if self.base_url else ""

    def service_url(self, service: str) -> str:
        """The root URL of one of the services, with a trailing slash."""
        return f"{self.base_url}/{service}/"

    def gcs_manager_url(self, endpoint_id: str) -> str:
        """The ``gcs_manager_url`` of a GCSv5 endpoint (see ``gcs_manager_url``)."""
        return gcs_manager_url(self.gcs_base_url, endpoint_id)


def gcs_manager_url(gcs_base_url: str, endpoint_id: str) -> str:
    """The ``gcs_manager_url`` of a GCSv5 endpoint: a folder of the TLS listener, to which
    clients append ``/api``. Without a listener (a world built to test its documents) it names
    the loopback host alone, which answers nothing, like a GCS Manager that is down."""
    return f"{gcs_base_url or 'https://127.0.0.1'}/{endpoint_id}"

"""Faults on demand: latency, a per-token rate limit, random 5xx and 429 answers, dropped
connections. Settings are read on every request, so a running service can be retuned.

They reach every API of the main listener (Auth but its login pages, Transfer, Groups,
Search, Timers, Flows) and, through a second middleware sharing the same ``FaultDice``, the
GCS Managers' TLS listener: one seed orders the draws of both. Each service answers a fault in
its own error shape (``documents``: Timers', Flows', the GCS Manager's; ``errors.error_body``
for the rest).

A dropped connection is real: the socket is aborted (through the transport registry that
``DroppingH11Protocol`` keeps), half the time before the request is handled and half the
time after, with the answer thrown away — so a client cannot tell whether its request ran.
A request made in process (``acting_client.py``) has no socket: it meets ``ConnectionDropped``.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
import random
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from gtui.sim.errors import error_body

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from gtui.sim.settings import FaultSettings, SimSettings

EXEMPT_PREFIXES = (
    "/auth/v2/oauth2/authorize",
    "/auth/v2/web/",
    "/auth/.well-known/",
    "/auth/jwk.json",
)
API_PREFIXES = ("/auth/", "/transfer/", "/groups/", "/search/", "/timer/", "/flows/")
_RANDOM_5XX = (
    (500, "InternalError", "An internal error occurred; please try again"),
    (502, "BadGateway", "An upstream service did not answer; please try again"),
    (503, "ServiceUnavailable", "The service is temporarily unavailable; please try again"),
    (504, "GatewayTimeout", "The service took too long to answer; please try again"),
)

FaultDocument = Callable[[int, str, str], dict[str, Any]]
"""``(status, code, message)`` → a service's error body; ``code`` is CamelCase
(``ServiceUnavailable``), which the service spells its own way."""

TransportKey = tuple[Any, Any]
_TRANSPORTS: dict[TransportKey, asyncio.Transport] = {}
# Connections that closed lately: a drop planned for one of them has nothing left to drop
# (the client went away while its request was being answered).
_CLOSED: dict[TransportKey, None] = {}
CLOSED_KEPT = 4096


class ConnectionDropped(ConnectionError):
    """Raised when no socket can be aborted (e.g. under an in-process ASGI transport)."""


def register_transport(key: TransportKey, transport: asyncio.Transport | None) -> None:
    """Record (or, with None, forget) the transport of one connection."""
    if transport is None:
        if _TRANSPORTS.pop(key, None) is not None:
            _CLOSED[key] = None
            if len(_CLOSED) > CLOSED_KEPT:
                del _CLOSED[next(iter(_CLOSED))]
    else:
        _TRANSPORTS[key] = transport
        _CLOSED.pop(key, None)


def _transport_key(scope: Scope) -> TransportKey:
    client = scope.get("client")
    server = scope.get("server")
    return (tuple(client) if client else None, tuple(server) if server else None)


def applies_to(path: str) -> bool:
    """Faults hit the API paths, never the login pages or the discovery documents."""
    return path.startswith(API_PREFIXES) and not path.startswith(EXEMPT_PREFIXES)


def new_counts() -> dict[str, int]:
    """Counters of what the middleware did: API requests seen and each fault injected."""
    return dict.fromkeys(
        ("requests", "latency", "rate_limited", "errors", "throttled_429", "dropped"), 0
    )


class TokenBucket:
    """A token bucket per key: ``rate`` requests per second, bursts up to ``rate``."""

    def __init__(self) -> None:
        self._buckets: dict[str, tuple[float, float]] = {}

    def take(self, key: str, rate: float, now: float) -> float:
        """Take one token; returns 0 when allowed, else the seconds until one is available."""
        capacity = max(rate, 1.0)
        tokens, last = self._buckets.get(key, (capacity, now))
        tokens = min(capacity, tokens + (now - last) * rate)
        if tokens >= 1.0:
            self._buckets[key] = (tokens - 1.0, now)
            return 0.0
        self._buckets[key] = (tokens, now)
        return (1.0 - tokens) / rate


class FaultDice:
    """The draws of every request: one random sequence (reseeded when ``settings.faults``
    is replaced), the per-token buckets and the counts, shared by every listener."""

    def __init__(self, settings: SimSettings, counts: dict[str, int] | None = None) -> None:
        self.settings = settings
        self.buckets = TokenBucket()
        self.counts = counts if counts is not None else new_counts()
        self._rng = random.Random()
        self._seeded_for: tuple[int, int | None] | None = None

    def random(self, faults: FaultSettings) -> random.Random:
        marker = (id(faults), faults.seed)
        if marker != self._seeded_for:
            self._rng = random.Random(faults.seed)
            self._seeded_for = marker
        return self._rng


class FaultsMiddleware:
    """ASGI middleware applying the current ``settings.faults`` to API requests.

    ``applies`` says which paths are API paths; ``root`` is where the application sits in the
    paths ``only_paths`` names (``/gcs`` for the GCS Managers); ``documents`` maps a path
    prefix to the error shape of the service below it.
    """

    def __init__(
        self,
        app: ASGIApp,
        settings: SimSettings | None = None,
        counts: dict[str, int] | None = None,
        *,
        dice: FaultDice | None = None,
        applies: Callable[[str], bool] = applies_to,
        root: str = "",
        documents: Mapping[str, FaultDocument] | None = None,
    ) -> None:
        if dice is None:
            if settings is None:
                raise TypeError("FaultsMiddleware needs settings or dice")
            dice = FaultDice(settings, counts)
        self.app = app
        self.dice = dice
        self.applies = applies
        self.root = root
        self.documents = dict(documents or {})

    @property
    def settings(self) -> SimSettings:
        return self.dice.settings

    @property
    def counts(self) -> dict[str, int]:
        return self.dice.counts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        faults = self.settings.faults
        if not path or not self.applies(path) or not faults.covers(self.root + path):
            await self.app(scope, receive, send)
            return
        rng = self.dice.random(faults)
        self.counts["requests"] += 1
        delay = faults.latency_seconds + (
            rng.uniform(0.0, faults.latency_jitter_seconds) if faults.latency_jitter_seconds else 0
        )
        if delay > 0:
            self.counts["latency"] += 1
            await asyncio.sleep(delay)
        if faults.rate_limit_per_second:
            wait = self.dice.buckets.take(
                _bucket_key(scope), faults.rate_limit_per_second, time.monotonic()
            )
            if wait > 0:
                self.counts["rate_limited"] += 1
                await self._reject(
                    scope,
                    send,
                    429,
                    "RateLimitExceeded",
                    "Rate limit exceeded; slow down and retry later",
                    retry_after=max(1, math.ceil(wait)),
                )
                return
        roll = rng.random()
        if roll < faults.drop_rate:
            self.counts["dropped"] += 1
            if rng.random() < 0.5:
                await self.app(scope, receive, _discard)
            await _drop(scope)
            return
        roll -= faults.drop_rate
        if roll < faults.error_rate:
            self.counts["errors"] += 1
            status, code, message = rng.choice(_RANDOM_5XX)
            await self._reject(
                scope, send, status, code, message, retry_after=1 if status == 503 else None
            )
            return
        roll -= faults.error_rate
        if roll < faults.rate_429:
            self.counts["throttled_429"] += 1
            await self._reject(
                scope,
                send,
                429,
                "RateLimitExceeded",
                "Too many requests; retry later",
                retry_after=1,
            )
            return
        await self.app(scope, receive, send)

    def _document(self, path: str, status: int, code: str, message: str) -> dict[str, Any]:
        for prefix, document in self.documents.items():
            if path.startswith(prefix):
                return document(status, code, message)
        return error_body(path, status, code, message)

    async def _reject(
        self,
        scope: Scope,
        send: Send,
        status: int,
        code: str,
        message: str,
        *,
        retry_after: int | None,
    ) -> None:
        body = json.dumps(self._document(scope.get("path", ""), status, code, message)).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
        if retry_after is not None:
            headers.append((b"retry-after", str(retry_after).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _bucket_key(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            return hashlib.sha256(value).hexdigest()
    client = scope.get("client")
    return f"client:{client[0] if client else '-'}"


async def _discard(message: Message) -> None:
    return None


async def _drop(scope: Scope) -> None:
    key = _transport_key(scope)
    transport = _TRANSPORTS.get(key)
    if transport is None:
        if key in _CLOSED:
            return  # the client is gone already: the drop has happened by itself
        raise ConnectionDropped("connection dropped by fault injection")
    transport.abort()
    await asyncio.sleep(0)
    await asyncio.sleep(0)

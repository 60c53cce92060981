"""A separate process that uses the shared token store, for the concurrency tests.

``refresh STORE AUTH_ROOT COUNT GO_FILE RESULT``: wait for GO_FILE, then force COUNT refreshes
of the Transfer token through gtui's RefreshTokenAuthorizer (the service rotates the refresh
token each time), validating the whole file after each one; the access token of every tenth
refresh is used against Transfer. Writes a JSON summary to RESULT.

``read STORE STOP_FILE RESULT``: read the raw file without any lock until STOP_FILE exists,
validating every read.

``write STORE``: rewrite the store forever with an increasing counter and a large padding,
printing each counter once its write has returned (the test kills this process).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from gtui.core.auth import AuthClient
from gtui.core.authorizers import RefreshTokenAuthorizer
from gtui.core.errors import GlobusError
from gtui.core.scopes import TRANSFER_RESOURCE_SERVER
from gtui.core.tokens import FORMAT_VERSION, TokenStore, namespace_for
from gtui.sim.world import DEMO_NATIVE_CLIENT_ID, LAPTOP_ID

NAMESPACE = namespace_for("sim", DEMO_NATIVE_CLIENT_ID)
FAR_FUTURE = 10**9


def validate(raw: bytes) -> str | None:
    """Why ``raw`` is not a complete token store holding a Transfer refresh token, or None."""
    try:
        document = json.loads(raw)
    except ValueError as exc:
        return f"not JSON ({exc}) in {len(raw)} bytes"
    if not isinstance(document, dict) or document.get("format_version") != FORMAT_VERSION:
        return "not a version 2 token store"
    token = document.get("data", {}).get(NAMESPACE, {}).get(TRANSFER_RESOURCE_SERVER)
    if not isinstance(token, dict) or not isinstance(token.get("refresh_token"), str):
        return "no Transfer refresh token"
    return None


async def refresh(store_path: str, auth_root: str, count: int, go: str, result: str) -> None:
    store = TokenStore(store_path, namespace=NAMESPACE)
    summary: dict[str, Any] = {"pid": os.getpid(), "refreshes": 0, "reads": 0, "bad_reads": []}
    summary.update({"api_calls": 0, "api_failures": [], "errors": []})
    async with httpx.AsyncClient(timeout=60) as http:
        auth = AuthClient(base_url=auth_root, client_id=DEMO_NATIVE_CLIENT_ID, http_client=http)

        def counted(_: Any) -> None:
            summary["refreshes"] += 1

        authorizer = RefreshTokenAuthorizer(
            auth,
            store,
            TRANSFER_RESOURCE_SERVER,
            on_refresh=counted,
            clock=lambda: time.time() + FAR_FUTURE,
        )
        transfer_root = auth_root.replace("/auth/", "/transfer/")
        while not _exists(go):
            await asyncio.sleep(0.005)
        for i in range(count):
            try:
                header = await authorizer.get_authorization_header()
            except GlobusError as exc:
                summary["errors"].append(f"{type(exc).__name__}: {exc}")
                break
            raw = _read_bytes(store_path)
            summary["reads"] += 1
            problem = validate(raw)
            if problem:
                summary["bad_reads"].append(problem)
            if i % 10 == 0:
                answer = await http.get(
                    f"{transfer_root}v0.10/endpoint/{LAPTOP_ID}",
                    headers={"Authorization": header or ""},
                )
                summary["api_calls"] += 1
                if answer.status_code != 200:
                    summary["api_failures"].append(answer.status_code)
    _write_json(result, summary)


def _exists(path: str) -> bool:
    return os.path.exists(path)


def _read_bytes(path: str) -> bytes:
    return Path(path).read_bytes()


def _write_json(path: str, value: Any) -> None:
    Path(path).write_text(json.dumps(value))


def read(store_path: str, stop: str, result: str) -> None:
    path = Path(store_path)
    reads, bad = 0, []
    while not os.path.exists(stop):
        raw = path.read_bytes()
        reads += 1
        problem = validate(raw)
        if problem:
            bad.append(problem)
        time.sleep(0.001)
    Path(result).write_text(json.dumps({"reads": reads, "bad_reads": bad}))


def write(store_path: str) -> None:
    store = TokenStore(store_path, namespace=NAMESPACE)
    padding = "x" * 400_000
    counter = 0
    while True:
        counter += 1
        store.update_token(
            TRANSFER_RESOURCE_SERVER,
            {
                "access_token": f"access-{counter}",
                "refresh_token": f"refresh-{counter}",
                "expires_at_seconds": counter,
                "scope": padding,
                "token_type": "Bearer",
                "counter": counter,
            },
        )
        print(counter, flush=True)


def main(argv: list[str]) -> None:
    mode, *args = argv
    if mode == "refresh":
        asyncio.run(refresh(args[0], args[1], int(args[2]), args[3], args[4]))
    elif mode == "read":
        read(*args)
    elif mode == "write":
        write(args[0])
    else:
        raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main(sys.argv[1:])

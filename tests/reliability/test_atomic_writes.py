"""Every file gtui and its service keep survives a crash at each step of its write.

The harness (``tests/crash_points.py``) stops each write at every ``os`` step it takes; after
each stop, the file must hold the old content or the new one, whole, as the next reader of
that file reads it. The first test shows the harness catching a write that is not atomic.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

from gtui.config import update_config
from gtui.core.tokens import TokenStore
from gtui.sim.auth.signing_key import KEY_FILE_NAME, SigningKey
from gtui.sim.persist import JsonState
from gtui.tui.state import AppState
from tests.crash_points import crash_at, crash_points, record_steps, torn_states

RESOURCE_SERVER = "transfer.api.globus.org"


def token(name: str) -> dict[str, Any]:
    return {
        "access_token": f"access-{name}",
        "refresh_token": f"refresh-{name}",
        "expires_at_seconds": 2_000_000_000,
        "scope": "urn:globus:auth:scope:transfer.api.globus.org:all",
        "resource_server": RESOURCE_SERVER,
        "token_type": "Bearer",
    }


def restorer(path: Path, old: bytes | None) -> Callable[[], None]:
    """Put ``old`` back at ``path`` (``None``: no file) and clear what a crash left beside it."""

    def reset() -> None:
        for leftover in path.parent.iterdir():
            if leftover != path and not leftover.name.endswith(".lock"):
                leftover.unlink()
        if old is None:
            path.unlink(missing_ok=True)
        else:
            path.write_bytes(old)

    return reset


def write_in_place(path: Path, data: bytes) -> None:
    """Overwrite the file where it is: what the atomic write replaced."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)


def test_the_harness_catches_a_write_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "doc.json"
    old, new = b'{"version": 1, "pad": "' + b"x" * 500 + b'"}', b'{"version": 2}'
    problems = torn_states(
        monkeypatch,
        restorer(path, old),
        lambda: write_in_place(path, new),
        path.read_bytes,
        old,
        new,
    )
    # Torn halfway, the file holds half the new bytes; stopped before its first byte, nothing.
    assert any(problem.startswith("torn write") for problem in problems), problems
    assert any(problem.startswith("before write") and "b''" in problem for problem in problems)


@pytest.mark.parametrize("passphrase", [None, "correct horse battery staple"])
def test_the_token_store_is_old_or_new_after_a_crash_at_any_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, passphrase: str | None
) -> None:
    path = tmp_path / "tokens" / "tokens.json"

    def store() -> TokenStore:
        return TokenStore(path, namespace="crash", passphrase=passphrase, scrypt_n=2**10)

    store().store_token_data_by_resource_server({RESOURCE_SERVER: token("old")})
    old_bytes = path.read_bytes()

    def read() -> str | None:
        data = store().get_token_data(RESOURCE_SERVER)
        return data["refresh_token"] if data else None

    problems = torn_states(
        monkeypatch,
        restorer(path, old_bytes),
        lambda: store().store_token_data_by_resource_server({RESOURCE_SERVER: token("new")}),
        read,
        "refresh-old",
        "refresh-new",
    )
    assert problems == []


def test_a_crash_leaves_no_tokens_in_temporary_files_once_the_store_is_used_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "tokens.json"
    store = TokenStore(path, namespace="crash")
    store.store_token_data_by_resource_server({RESOURCE_SERVER: token("old")})
    write = lambda: store.store_token_data_by_resource_server({RESOURCE_SERVER: token("new")})  # noqa: E731
    steps = record_steps(monkeypatch, write)
    fsync = next(p for p in crash_points(steps) if p.step == "fsync")
    real_unlink = os.unlink
    monkeypatch.setattr(os, "unlink", lambda *_: None)  # a dead process cleans nothing up
    assert crash_at(monkeypatch, fsync, write)
    monkeypatch.setattr(os, "unlink", real_unlink)
    left = [p.name for p in tmp_path.iterdir() if p.name not in ("tokens.json", "tokens.json.lock")]
    assert left, "the crash should have left the temporary file behind"
    store.store_token_data_by_resource_server({RESOURCE_SERVER: token("next")})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tokens.json", "tokens.json.lock"]


def test_the_config_file_is_old_or_new_after_a_crash_at_any_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "config.toml"
    old = '# my settings\n[general]\ntheme = "textual-dark"\n'
    path.write_text(old)
    problems = torn_states(
        monkeypatch,
        restorer(path, old.encode()),
        lambda: update_config({"general": {"theme": "gtui-light"}}, path),
        path.read_text,
        old,
        '# my settings\n[general]\ntheme = "gtui-light"\n',
    )
    assert problems == []


def test_the_app_state_is_old_or_new_after_a_crash_at_any_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "state.json"
    state = AppState(path)
    state.remember_collection("collection-old")
    old = path.read_bytes()
    problems = torn_states(
        monkeypatch,
        restorer(path, old),
        lambda: AppState(path).remember_collection("collection-new"),
        lambda: AppState(path).recent_collections,
        ["collection-old"],
        ["collection-new", "collection-old"],
    )
    assert problems == []


def test_the_service_documents_are_old_or_new_after_a_crash_at_any_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "groups.json"
    JsonState(path).save({"groups": ["old"]})
    problems = torn_states(
        monkeypatch,
        restorer(path, path.read_bytes()),
        lambda: JsonState(path).save({"groups": ["old", "new"]}),
        lambda: JsonState(path).load(),
        {"groups": ["old"]},
        {"groups": ["old", "new"]},
    )
    assert problems == []


def test_the_service_signing_key_is_absent_or_whole_after_a_crash_at_any_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / KEY_FILE_NAME

    def read() -> str:
        if not path.exists():
            return "absent"
        serialization.load_pem_private_key(path.read_bytes(), password=None)
        return "a whole key"

    problems = torn_states(
        monkeypatch,
        restorer(path, None),
        lambda: SigningKey.load_or_create(tmp_path),
        read,
        "absent",
        "a whole key",
    )
    assert problems == []

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import stat
import time
from pathlib import Path
from typing import Any

import pytest

from gtui.core.errors import LoginRequired
from gtui.core.token_crypto import PassphraseRequired, WrongPassphrase
from gtui.core.tokens import TokenStore, default_token_path, namespace_for

NS = namespace_for("production", "c0ffee00-0000-4000-8000-000000000001")
FAST_SCRYPT = 2**10


def token(rs: str, access: str, refresh: str | None = "refresh-1", **extra: Any) -> dict[str, Any]:
    return {
        "resource_server": rs,
        "access_token": access,
        "refresh_token": refresh,
        "expires_at_seconds": int(time.time()) + 3600,
        "scope": f"urn:globus:auth:scope:{rs}:all",
        "token_type": "Bearer",
        **extra,
    }


@pytest.fixture
def store(tmp_path: Path) -> TokenStore:
    return TokenStore(tmp_path / "gtui" / "tokens.json", namespace=NS)


def test_default_path_honours_gtui_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GTUI_DATA_DIR", str(tmp_path / "data"))
    assert default_token_path() == tmp_path / "data" / "tokens.json"
    assert TokenStore.for_client("sim", "abc").path == tmp_path / "data" / "tokens.json"
    assert TokenStore.for_client("sim", "abc").namespace == "sim/abc"


def test_round_trip_in_format_version_2(store: TokenStore) -> None:
    store.store_token_data_by_resource_server(
        {"transfer.api.globus.org": token("transfer.api.globus.org", "at-1")}, identity_id="me"
    )
    saved = store.get_token_data("transfer.api.globus.org")
    assert saved is not None
    assert saved["access_token"] == "at-1"
    assert saved["identity_id"] == "me"
    document = json.loads(store.path.read_text())
    assert document["format_version"] == "2.0"
    assert set(document["data"]) == {NS}
    assert set(document["data"][NS]["transfer.api.globus.org"]) >= {
        "access_token",
        "refresh_token",
        "expires_at_seconds",
        "scope",
        "resource_server",
        "token_type",
        "identity_id",
    }


def test_file_is_0600_and_folder_0700(store: TokenStore) -> None:
    store.update_token("auth.globus.org", token("auth.globus.org", "a"))
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.path.parent.stat().st_mode) == 0o700


def test_permissions_are_fixed_on_an_existing_loose_file(store: TokenStore) -> None:
    store.update_token("auth.globus.org", token("auth.globus.org", "a"))
    os.chmod(store.path, 0o644)
    store.update_token("auth.globus.org", token("auth.globus.org", "b"))
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600


def test_refresh_without_new_refresh_token_keeps_the_old_one(store: TokenStore) -> None:
    store.update_token("transfer.api.globus.org", token("transfer.api.globus.org", "a", "r-old"))
    store.update_token("transfer.api.globus.org", token("transfer.api.globus.org", "b", None))
    saved = store.get_token_data("transfer.api.globus.org")
    assert saved is not None
    assert saved["access_token"] == "b"
    assert saved["refresh_token"] == "r-old"
    store.update_token("transfer.api.globus.org", token("transfer.api.globus.org", "c", "r-new"))
    assert store.get_token_data("transfer.api.globus.org")["refresh_token"] == "r-new"


def test_namespaces_are_kept_apart(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    prod = TokenStore(path, namespace="production/x")
    sim = TokenStore(path, namespace="sim/x")
    prod.update_token("auth.globus.org", token("auth.globus.org", "prod"))
    sim.update_token("auth.globus.org", token("auth.globus.org", "sim"))
    assert prod.get_token_data("auth.globus.org")["access_token"] == "prod"
    assert sim.get_token_data("auth.globus.org")["access_token"] == "sim"
    sim.remove_tokens()
    assert sim.get_by_resource_server() == {}
    assert prod.get_token_data("auth.globus.org")["access_token"] == "prod"


def test_remove_token_data(store: TokenStore) -> None:
    store.update_token("auth.globus.org", token("auth.globus.org", "a"))
    assert store.remove_token_data("auth.globus.org") is True
    assert store.remove_token_data("auth.globus.org") is False
    assert store.get_token_data("auth.globus.org") is None


def test_missing_file_reads_as_empty(store: TokenStore) -> None:
    assert store.get_by_resource_server() == {}
    assert not store.file_exists()


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"[1, 2]",
        b'{"format_version": "9.9", "data": {}}',
        b'{"format_version": "2.0", "data": []}',
        b"",
    ],
)
def test_corrupt_file_asks_to_log_in_again(store: TokenStore, content: bytes) -> None:
    store.path.parent.mkdir(parents=True)
    store.path.write_bytes(content)
    with pytest.raises(LoginRequired, match="log in again|Log in again"):
        store.get_token_data("auth.globus.org")


def test_unreadable_file_asks_to_log_in_again(store: TokenStore) -> None:
    store.update_token("auth.globus.org", token("auth.globus.org", "a"))
    os.chmod(store.path, 0o000)
    if os.access(store.path, os.R_OK):
        os.chmod(store.path, 0o600)
        store.path.unlink()
        store.path.mkdir()
    with pytest.raises(LoginRequired, match="cannot be read"):
        store.get_by_resource_server()


def test_a_new_login_replaces_a_corrupt_file(store: TokenStore) -> None:
    store.path.parent.mkdir(parents=True)
    store.path.write_text("garbage")
    store.update_token("auth.globus.org", token("auth.globus.org", "fresh"))
    assert store.get_token_data("auth.globus.org")["access_token"] == "fresh"


def test_reads_format_1_files_as_default_namespace(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    path.write_text(
        json.dumps(
            {
                "format_version": "1.0",
                "globus-sdk.version": "3.0.2",
                "by_rs": {"auth.globus.org": token("auth.globus.org", "v1")},
            }
        )
    )
    assert TokenStore(path).get_token_data("auth.globus.org")["access_token"] == "v1"


def test_encryption_round_trip_hides_tokens(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    store = TokenStore(path, namespace=NS, passphrase="correct horse", scrypt_n=FAST_SCRYPT)
    store.update_token("auth.globus.org", token("auth.globus.org", "secret-access", "secret-ref"))
    raw = path.read_text()
    assert "secret-access" not in raw and "secret-ref" not in raw
    assert json.loads(raw)["encryption"]["scheme"] == "fernet-scrypt"
    again = TokenStore(path, namespace=NS, passphrase="correct horse")
    assert again.get_token_data("auth.globus.org")["access_token"] == "secret-access"


def test_wrong_or_missing_passphrase_is_a_clear_error_and_keeps_the_file(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    TokenStore(path, namespace=NS, passphrase="right", scrypt_n=FAST_SCRYPT).update_token(
        "auth.globus.org", token("auth.globus.org", "a")
    )
    before = path.read_bytes()
    with pytest.raises(WrongPassphrase, match="passphrase"):
        TokenStore(path, namespace=NS, passphrase="wrong").get_by_resource_server()
    with pytest.raises(WrongPassphrase):
        TokenStore(path, namespace=NS, passphrase="wrong").update_token(
            "auth.globus.org", token("auth.globus.org", "b")
        )
    with pytest.raises(PassphraseRequired):
        TokenStore(path, namespace=NS).get_by_resource_server()
    assert path.read_bytes() == before


def test_plain_file_is_read_with_a_passphrase_and_then_encrypted(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    TokenStore(path, namespace=NS).update_token("auth.globus.org", token("auth.globus.org", "a"))
    store = TokenStore(path, namespace=NS, passphrase="p", scrypt_n=FAST_SCRYPT)
    assert store.get_token_data("auth.globus.org")["access_token"] == "a"
    store.update_token("groups.api.globus.org", token("groups.api.globus.org", "g"))
    assert "encryption" in json.loads(path.read_text())
    assert set(store.get_by_resource_server()) == {"auth.globus.org", "groups.api.globus.org"}


def test_repr_never_shows_the_passphrase(tmp_path: Path) -> None:
    store = TokenStore(tmp_path / "t.json", passphrase="hunter2-secret")
    assert "hunter2-secret" not in repr(store)
    assert "hunter2-secret" not in repr(store._cipher)


def _refresh_worker(path: str, rs: str, rounds: int, start: Any) -> None:
    store = TokenStore(path, namespace=NS)
    start.wait()
    for i in range(rounds):
        with store.lock() as held:
            current = store.get_token_data(rs) or {"counter": 0}
            counter = current.get("counter", 0) + 1
            store.update_token(rs, token(rs, f"{rs}-{i}", counter=counter), held=held)


def test_two_processes_refreshing_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    ctx = multiprocessing.get_context("fork")
    start = ctx.Event()
    rounds = 40
    workers = [
        ctx.Process(target=_refresh_worker, args=(str(path), rs, rounds, start))
        for rs in ("transfer.api.globus.org", "transfer.api.globus.org", "groups.api.globus.org")
    ]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    tokens = TokenStore(path, namespace=NS).get_by_resource_server()
    assert tokens["transfer.api.globus.org"]["counter"] == 2 * rounds
    assert tokens["groups.api.globus.org"]["counter"] == rounds


def _slow_writer(path: str, ready: Any) -> None:
    """Write half of the new store's bytes, then hang (until killed)."""
    real_write = os.write

    def slow_write(fd: int, data: Any) -> int:
        real_write(fd, bytes(data[: len(data) // 2]))
        ready.set()
        time.sleep(60)
        return 0

    os.write = slow_write  # this forked child's own os module
    TokenStore(path, namespace=NS).update_token(
        "auth.globus.org", token("auth.globus.org", "half-written")
    )


def test_writer_killed_mid_write_leaves_the_previous_file_intact(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    store = TokenStore(path, namespace=NS)
    store.update_token("auth.globus.org", token("auth.globus.org", "previous"))
    before = path.read_bytes()
    ctx = multiprocessing.get_context("fork")
    ready = ctx.Event()
    writer = ctx.Process(target=_slow_writer, args=(str(path), ready))
    writer.start()
    assert ready.wait(30)
    os.kill(writer.pid, signal.SIGKILL)
    writer.join(10)
    assert writer.exitcode == -signal.SIGKILL
    assert path.read_bytes() == before
    assert store.get_token_data("auth.globus.org")["access_token"] == "previous"
    store.update_token("auth.globus.org", token("auth.globus.org", "after"))
    assert store.get_token_data("auth.globus.org")["access_token"] == "after"
    assert list(path.parent.glob(".tokens-*.tmp")) == []

"""The file-backed token store: one JSON file, one namespace per (environment, client id).

Format (token storage v2, globus-api.md §2.3):
`{"format_version": "2.0", "data": {"<environment>/<client_id>": {"<resource_server>": token}}}`.
Writes are atomic (temp file in the same folder, fsync, `os.replace`), the file is 0600 in a
0700 folder, and an exclusive `fcntl` lock on a sibling lock file serialises every
read-modify-write, so two gtui processes that refresh at once lose nothing. With a
passphrase the `data` part is encrypted (token_crypto.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import os
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

import platformdirs

from gtui import __version__
from gtui.atomic_file import write_atomically
from gtui.core.errors import LoginRequired
from gtui.core.redact import get_logger
from gtui.core.token_crypto import (
    DEFAULT_SCRYPT_N,
    Cipher,
    PassphraseRequired,
    TokenEncryptionError,
    is_encrypted,
)

log = get_logger(__name__)

FORMAT_VERSION = "2.0"
DATA_DIR_VAR = "GTUI_DATA_DIR"
TOKEN_FIELDS = (
    "resource_server",
    "identity_id",
    "scope",
    "access_token",
    "refresh_token",
    "expires_at_seconds",
    "token_type",
)
Tokens = dict[str, dict[str, Any]]
_T = TypeVar("_T")
TEMP_PREFIX = ".tokens-"
TEMP_SUFFIX = ".tmp"


def default_token_path() -> Path:
    """`tokens.json` in gtui's data folder (GTUI_DATA_DIR overrides the platformdirs one)."""
    folder = os.environ.get(DATA_DIR_VAR)
    base = Path(folder) if folder else platformdirs.user_data_path("gtui")
    return base / "tokens.json"


def namespace_for(environment: str, client_id: str) -> str:
    return f"{environment}/{client_id}"


class StoreLock:
    """Proof that the caller holds the store's cross-process lock."""

    def __init__(self, fd: int) -> None:
        self._fd: int | None = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


class _Damaged(Exception):
    """The file exists but its content is not a token store gtui can read."""


class TokenStore:
    """Tokens of one namespace in a shared JSON file; every call reads the file afresh."""

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        namespace: str = "DEFAULT",
        passphrase: str | None = None,
        scrypt_n: int = DEFAULT_SCRYPT_N,
    ) -> None:
        self.path = Path(path) if path is not None else default_token_path()
        self.namespace = namespace
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self._cipher = Cipher(passphrase, scrypt_n=scrypt_n) if passphrase else None
        self._async_lock: asyncio.Lock | None = None

    @classmethod
    def for_client(
        cls,
        environment: str,
        client_id: str,
        *,
        path: str | os.PathLike[str] | None = None,
        passphrase: str | None = None,
    ) -> TokenStore:
        return cls(path, namespace=namespace_for(environment, client_id), passphrase=passphrase)

    def __repr__(self) -> str:
        return f"TokenStore(path={str(self.path)!r}, namespace={self.namespace!r})"

    @property
    def encrypted(self) -> bool:
        return self._cipher is not None

    def file_exists(self) -> bool:
        return self.path.exists()

    # -- locking -------------------------------------------------------------------------

    def _ensure_folder(self) -> None:
        folder = self.path.parent
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(folder, 0o700)

    def acquire(self) -> StoreLock:
        """Block until this process holds the exclusive lock on the store."""
        self._ensure_folder()
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except BaseException:
            os.close(fd)
            raise
        return StoreLock(fd)

    @contextlib.contextmanager
    def lock(self) -> Iterator[StoreLock]:
        held = self.acquire()
        try:
            yield held
        finally:
            held.release()

    @contextlib.asynccontextmanager
    async def alock(self) -> AsyncIterator[StoreLock]:
        """The lock for async callers: one waiter per store in this process, the rest queue here."""
        if self._async_lock is None:
            self._async_lock = asyncio.Lock()
        async with self._async_lock:
            held = await asyncio.to_thread(self.acquire)
            try:
                yield held
            finally:
                held.release()

    @contextlib.contextmanager
    def _locked(self, held: StoreLock | None) -> Iterator[None]:
        if held is not None:
            yield
            return
        with self.lock():
            yield

    # -- reading and writing the whole file ------------------------------------------------

    def _read_document(self) -> dict[str, Any]:
        """The decrypted document `{"format_version", "data"}`; empty when there is no file."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return {"format_version": FORMAT_VERSION, "data": {}}
        except OSError as exc:
            raise _Damaged(f"it cannot be read ({exc.strerror})") from None
        try:
            document = json.loads(raw)
        except ValueError:
            raise _Damaged("it is not valid JSON") from None
        if not isinstance(document, dict):
            raise _Damaged("it does not hold a JSON object")
        if is_encrypted(document):
            if self._cipher is None:
                raise PassphraseRequired()
            try:
                inner = json.loads(self._cipher.decrypt(document))
            except ValueError:
                raise _Damaged("its encrypted content is not valid JSON") from None
            if not isinstance(inner, dict):
                raise _Damaged("its encrypted content is not a JSON object")
            document = {**document, **inner}
            document["_encryption"] = document.pop("encryption")
        version = document.get("format_version")
        if version == "1.0" and isinstance(document.get("by_rs"), dict):
            document = {"format_version": FORMAT_VERSION, "data": {"DEFAULT": document["by_rs"]}}
        elif version != FORMAT_VERSION:
            raise _Damaged(f"its format version {version!r} is not {FORMAT_VERSION}")
        data = document.get("data")
        if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
            raise _Damaged("its 'data' section is not a mapping of namespaces")
        return document

    def _read_for_reading(self) -> dict[str, Any]:
        try:
            return self._read_document()
        except _Damaged as exc:
            log.warning("token store %s is unusable: %s", self.path, exc)
            raise LoginRequired(
                f"The saved login at {self.path} is damaged: {exc}. Log in again."
            ) from None

    def _read_for_writing(self) -> dict[str, Any]:
        """Like reading, but a damaged file is replaced rather than reported."""
        try:
            return self._read_document()
        except _Damaged as exc:
            log.warning("replacing damaged token store %s: %s", self.path, exc)
            return {"format_version": FORMAT_VERSION, "data": {}}

    def _write_document(self, document: dict[str, Any]) -> None:
        self._ensure_folder()
        out: dict[str, Any] = {"format_version": FORMAT_VERSION, "gtui.version": __version__}
        inner = {"data": document["data"]}
        if self._cipher is not None:
            out.update(
                self._cipher.encrypt(json.dumps(inner).encode(), document.get("_encryption"))
            )
        else:
            out.update(inner)
        payload = json.dumps(out, indent=2, sort_keys=True).encode()
        write_atomically(self.path, payload, prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX)

    def _remove_stale_temp_files(self) -> None:
        """Delete temp files a writer killed mid-write left behind (they may hold tokens).

        Only called under the lock, when no other writer can be between mkstemp and replace.
        """
        for stale in self.path.parent.glob(f"{TEMP_PREFIX}*{TEMP_SUFFIX}"):
            with contextlib.suppress(FileNotFoundError):
                stale.unlink()

    def modify(self, change: Callable[[Tokens], _T], *, held: StoreLock | None = None) -> _T:
        """Apply `change` to this namespace's tokens under the lock and write the file once."""
        with self._locked(held):
            self._remove_stale_temp_files()
            document = self._read_for_writing()
            tokens = document["data"].setdefault(self.namespace, {})
            result = change(tokens)
            if not tokens:
                document["data"].pop(self.namespace, None)
            self._write_document(document)
            return result

    # -- the public token API ----------------------------------------------------------------

    def get_by_resource_server(self) -> Tokens:
        """Every token of this namespace, keyed by resource server."""
        tokens = self._read_for_reading()["data"].get(self.namespace, {})
        return {rs: dict(data) for rs, data in tokens.items() if isinstance(data, dict)}

    def get_token_data(self, resource_server: str) -> dict[str, Any] | None:
        return self.get_by_resource_server().get(resource_server)

    def can_refresh(self, resource_server: str) -> bool:
        """True when a refresh token for ``resource_server`` is stored (a login that lasts).

        Raises LoginRequired when the store is damaged.
        """
        token = self.get_token_data(resource_server)
        return bool(token and token.get("refresh_token"))

    def store_token_data_by_resource_server(
        self,
        by_resource_server: Mapping[str, Mapping[str, Any]],
        *,
        identity_id: str | None = None,
        held: StoreLock | None = None,
    ) -> Tokens:
        """Merge new tokens in; a token without a refresh token keeps the stored one."""

        def change(tokens: Tokens) -> Tokens:
            for rs, new in by_resource_server.items():
                tokens[rs] = merge_token(tokens.get(rs), new, rs, identity_id)
            return {rs: dict(tokens[rs]) for rs in by_resource_server}

        return self.modify(change, held=held)

    def store_token_response(
        self, response: Any, *, identity_id: str | None = None, held: StoreLock | None = None
    ) -> Tokens:
        """Store every token of an `OAuthTokenResponse` (or a by-resource-server mapping)."""
        by_rs = getattr(response, "by_resource_server", response)
        return self.store_token_data_by_resource_server(by_rs, identity_id=identity_id, held=held)

    def update_token(
        self, resource_server: str, data: Mapping[str, Any], *, held: StoreLock | None = None
    ) -> dict[str, Any]:
        return self.store_token_data_by_resource_server({resource_server: data}, held=held)[
            resource_server
        ]

    def remove_token_data(self, resource_server: str, *, held: StoreLock | None = None) -> bool:
        return bool(self.modify(lambda tokens: tokens.pop(resource_server, None), held=held))

    def remove_tokens(self, *, held: StoreLock | None = None) -> Tokens:
        """Forget every token of this namespace; returns what was removed."""

        def change(tokens: Tokens) -> Tokens:
            removed = dict(tokens)
            tokens.clear()
            return removed

        return self.modify(change, held=held)


def merge_token(
    old: Mapping[str, Any] | None,
    new: Mapping[str, Any],
    resource_server: str,
    identity_id: str | None = None,
) -> dict[str, Any]:
    """The stored form of `new`; keeps the old refresh token and identity when `new` lacks them."""
    merged: dict[str, Any] = {key: new.get(key) for key in TOKEN_FIELDS}
    merged.update({k: v for k, v in new.items() if k not in TOKEN_FIELDS and k != "id_token"})
    merged["resource_server"] = resource_server
    old = old or {}
    if not merged.get("refresh_token"):
        merged["refresh_token"] = old.get("refresh_token")
    merged["identity_id"] = identity_id or new.get("identity_id") or old.get("identity_id")
    return merged


__all__ = [
    "FORMAT_VERSION",
    "StoreLock",
    "TokenEncryptionError",
    "TokenStore",
    "default_token_path",
    "merge_token",
    "namespace_for",
]

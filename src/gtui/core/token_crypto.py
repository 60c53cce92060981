"""Optional passphrase encryption of the token store: Fernet, keyed by scrypt(passphrase, salt).

The salt and scrypt cost live in the file's header, so the file alone (plus the passphrase)
is enough to read it back, and each file gets its own key. cryptography is imported on first
use, so a plain store costs nothing at start.
"""

from __future__ import annotations

import base64
import os
from typing import Any

from gtui.core.errors import GlobusError

SCHEME = "fernet-scrypt"
DEFAULT_SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 1


class TokenEncryptionError(GlobusError):
    """The token store is encrypted and cannot be opened with what was given."""


class PassphraseRequired(TokenEncryptionError):
    def __init__(self) -> None:
        super().__init__(
            "The token store is encrypted. Enter its passphrase (or set GTUI_TOKEN_PASSPHRASE)."
        )


class WrongPassphrase(TokenEncryptionError):
    def __init__(self) -> None:
        super().__init__("The passphrase does not open the token store. Check it and try again.")


def derive_key(passphrase: str, salt: bytes, n: int = DEFAULT_SCRYPT_N) -> bytes:
    """A Fernet key (url-safe base64 of 32 bytes) from the passphrase and salt."""
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    kdf = Scrypt(salt=salt, length=32, n=n, r=SCRYPT_R, p=SCRYPT_P)
    return base64.urlsafe_b64encode(kdf.derive(passphrase.encode("utf-8")))


def is_encrypted(document: Any) -> bool:
    return isinstance(document, dict) and isinstance(document.get("encryption"), dict)


class Cipher:
    """Encrypts and decrypts store payloads; remembers derived keys (scrypt is slow on purpose)."""

    def __init__(self, passphrase: str, *, scrypt_n: int = DEFAULT_SCRYPT_N) -> None:
        self._passphrase = passphrase
        self._scrypt_n = scrypt_n
        self._keys: dict[tuple[bytes, int], bytes] = {}

    def __repr__(self) -> str:
        return "Cipher(passphrase=***)"

    def _key(self, salt: bytes, n: int) -> bytes:
        cached = self._keys.get((salt, n))
        if cached is None:
            cached = derive_key(self._passphrase, salt, n)
            self._keys[(salt, n)] = cached
        return cached

    def encrypt(self, plaintext: bytes, header: dict[str, Any] | None = None) -> dict[str, Any]:
        """Wrap `plaintext` in an encrypted document, re-using the salt of `header` if given."""
        if header and isinstance(header.get("salt"), str):
            salt = base64.b64decode(header["salt"])
            n = int(header.get("n", self._scrypt_n))
        else:
            salt, n = os.urandom(16), self._scrypt_n
        from cryptography.fernet import Fernet

        token = Fernet(self._key(salt, n)).encrypt(plaintext)
        return {
            "encryption": {
                "scheme": SCHEME,
                "salt": base64.b64encode(salt).decode("ascii"),
                "n": n,
                "r": SCRYPT_R,
                "p": SCRYPT_P,
            },
            "payload": token.decode("ascii"),
        }

    def decrypt(self, document: dict[str, Any]) -> bytes:
        header = document["encryption"]
        if header.get("scheme") != SCHEME:
            raise TokenEncryptionError(
                f"The token store uses an unknown encryption scheme {header.get('scheme')!r}."
            )
        try:
            salt = base64.b64decode(header["salt"])
            n = int(header["n"])
            payload = document["payload"].encode("ascii")
        except (KeyError, ValueError, TypeError, AttributeError) as exc:
            raise TokenEncryptionError("The token store's encryption header is damaged.") from exc
        from cryptography.fernet import Fernet, InvalidToken

        try:
            return Fernet(self._key(salt, n)).decrypt(payload)
        except InvalidToken:
            raise WrongPassphrase() from None

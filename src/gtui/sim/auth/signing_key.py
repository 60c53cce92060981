"""The service's signing key: an RSA key made once per state folder, published as a JWKS.

Keeping the key on disk (mode 0600) means a restarted service still verifies the id_tokens
it issued before.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from gtui.atomic_file import write_atomically

SIGNING_ALGORITHM = "RS512"
KEY_FILE_NAME = "signing-key.pem"


def _b64_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


class SigningKey:
    """An RSA private key with its key id, able to sign JWTs and describe itself as a JWK."""

    def __init__(self, private_key: rsa.RSAPrivateKey) -> None:
        self._key = private_key
        numbers = private_key.public_key().public_numbers()
        self._jwk = {
            "kty": "RSA",
            "use": "sig",
            "alg": SIGNING_ALGORITHM,
            "n": _b64_uint(numbers.n),
            "e": _b64_uint(numbers.e),
        }
        digest = hashlib.sha256(f"{self._jwk['e']}.{self._jwk['n']}".encode()).hexdigest()
        self.key_id = digest[:16]
        self._jwk["kid"] = self.key_id

    def __repr__(self) -> str:
        return f"SigningKey(kid={self.key_id!r})"

    @classmethod
    def load_or_create(cls, state_dir: Path) -> SigningKey:
        """The key stored in ``state_dir``, generating and storing a new one if there is none.

        The stored key is one this service wrote (mode 0600 in its own folder), so loading it
        skips OpenSSL's RSA consistency check, which costs ~100 ms at every start.
        """
        path = Path(state_dir) / KEY_FILE_NAME
        if path.exists():
            key = serialization.load_pem_private_key(
                path.read_bytes(), password=None, unsafe_skip_rsa_key_validation=True
            )
            if isinstance(key, rsa.RSAPrivateKey):
                return cls(key)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_atomically(path, pem)
        return cls(key)

    def jwks(self) -> dict[str, Any]:
        """The JSON Web Key Set naming the public half."""
        return {"keys": [dict(self._jwk)]}

    def sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(
            claims, self._key, algorithm=SIGNING_ALGORITHM, headers={"kid": self.key_id}
        )

    def public_key(self) -> rsa.RSAPublicKey:
        return self._key.public_key()

"""The embedded service's own certificate authority, and the server certificate it signs.

The official SDK and CLI reach a GCS Manager only over ``https://`` (the CLI refuses any other
``gcs_manager_url``), so the service answers the GCS Manager API on a TLS listener. At each
start it makes sure ``state_dir/tls/`` holds:

- ``ca.pem`` and ``ca-key.pem``: a small certificate authority of this state folder, made once
  and kept, so a client told to trust it keeps trusting the service across restarts;
- ``server.pem`` and ``server-key.pem``: a certificate for ``localhost`` and ``127.0.0.1``
  signed by that authority, made again when it is missing, damaged, about to expire, or signed
  by another authority.

Clients trust ``ca.pem`` through ``GLOBUS_SDK_VERIFY_SSL`` (``CA_BUNDLE_VARIABLE``): the Globus
SDK hands its value to ``requests`` as ``verify=`` on every call (``requests`` itself would
ignore ``REQUESTS_CA_BUNDLE`` there, as the SDK always passes ``verify`` explicitly), and gtui's
client core reads the same variable. Keys are elliptic-curve (P-256): made in a millisecond,
so a first start costs nothing noticeable.
"""

from __future__ import annotations

import datetime
import ipaddress
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from gtui.atomic_file import write_atomically

TLS_DIR_NAME = "tls"
CA_FILE_NAME = "ca.pem"
CA_KEY_FILE_NAME = "ca-key.pem"
SERVER_FILE_NAME = "server.pem"
SERVER_KEY_FILE_NAME = "server-key.pem"
CA_BUNDLE_VARIABLE = "GLOBUS_SDK_VERIFY_SSL"
SERVER_DNS_NAMES = ("localhost",)
SERVER_ADDRESSES = ("127.0.0.1",)
CA_LIFETIME = datetime.timedelta(days=3650)
SERVER_LIFETIME = datetime.timedelta(days=397)
RENEW_BEFORE = datetime.timedelta(days=30)
_BACKDATE = datetime.timedelta(minutes=5)


@dataclass(frozen=True)
class TLSFiles:
    """Where the authority's certificate and the server's certificate and key are."""

    ca_file: Path
    cert_file: Path
    key_file: Path


def tls_dir(state_dir: Path) -> Path:
    return Path(state_dir) / TLS_DIR_NAME


def ca_bundle_path(state_dir: Path) -> Path:
    """The certificate clients must trust to reach the service's TLS listener."""
    return tls_dir(state_dir) / CA_FILE_NAME


def ensure_certificates(state_dir: Path, now: datetime.datetime | None = None) -> TLSFiles:
    """The authority and server certificate of ``state_dir``, made or renewed as needed."""
    now = now or datetime.datetime.now(datetime.UTC)
    folder = tls_dir(state_dir)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    files = TLSFiles(
        ca_file=folder / CA_FILE_NAME,
        cert_file=folder / SERVER_FILE_NAME,
        key_file=folder / SERVER_KEY_FILE_NAME,
    )
    authority = _load_authority(folder, now)
    if authority is None:
        authority = _new_authority(now)
        _write_key(folder / CA_KEY_FILE_NAME, authority[1])
        _write_cert(files.ca_file, authority[0])
    ca_cert, ca_key = authority
    if not _server_cert_is_good(files, ca_cert, now):
        cert, key = _new_server_cert(ca_cert, ca_key, now)
        _write_key(files.key_file, key)
        _write_cert(files.cert_file, cert)
    return files


def _load_authority(
    folder: Path, now: datetime.datetime
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None:
    try:
        cert = x509.load_pem_x509_certificate((folder / CA_FILE_NAME).read_bytes())
        key = serialization.load_pem_private_key(
            (folder / CA_KEY_FILE_NAME).read_bytes(), password=None
        )
    except (OSError, ValueError):
        return None
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        return None
    if not _same_key(cert, key) or not _valid_for_a_while(cert, now):
        return None
    return cert, key


def _server_cert_is_good(
    files: TLSFiles, ca_cert: x509.Certificate, now: datetime.datetime
) -> bool:
    try:
        cert = x509.load_pem_x509_certificate(files.cert_file.read_bytes())
        key = serialization.load_pem_private_key(files.key_file.read_bytes(), password=None)
        cert.verify_directly_issued_by(ca_cert)
    except (OSError, ValueError, TypeError, InvalidSignature):
        return False
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not _same_key(cert, key):
        return False
    try:
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return False
    dns = set(names.get_values_for_type(x509.DNSName))
    addresses = {str(a) for a in names.get_values_for_type(x509.IPAddress)}
    if not (set(SERVER_DNS_NAMES) <= dns and set(SERVER_ADDRESSES) <= addresses):
        return False
    return _valid_for_a_while(cert, now)


def _same_key(cert: x509.Certificate, key: ec.EllipticCurvePrivateKey) -> bool:
    """Whether the certificate is that key's."""
    encoding, spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    return cert.public_key().public_bytes(encoding, spki) == key.public_key().public_bytes(
        encoding, spki
    )


def _valid_for_a_while(cert: x509.Certificate, now: datetime.datetime) -> bool:
    return cert.not_valid_before_utc <= now and now + RENEW_BEFORE < cert.not_valid_after_utc


def _new_authority(
    now: datetime.datetime,
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "gtui"),
            x509.NameAttribute(
                NameOID.COMMON_NAME, f"gtui embedded service CA {secrets.token_hex(4)}"
            ),
        ]
    )
    public = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _BACKDATE)
        .not_valid_after(now + CA_LIFETIME)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    return cert, key


def _new_server_cert(
    ca_cert: x509.Certificate, ca_key: ec.EllipticCurvePrivateKey, now: datetime.datetime
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key()
    names: list[x509.GeneralName] = [x509.DNSName(n) for n in SERVER_DNS_NAMES]
    names += [x509.IPAddress(ipaddress.ip_address(a)) for a in SERVER_ADDRESSES]
    ca_ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, SERVER_DNS_NAMES[0])]))
        .issuer_name(ca_cert.subject)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _BACKDATE)
        .not_valid_after(min(now + SERVER_LIFETIME, ca_cert.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    return cert, key


def _write_key(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    write_atomically(path, pem, mode=0o600)


def _write_cert(path: Path, cert: x509.Certificate) -> None:
    write_atomically(path, cert.public_bytes(serialization.Encoding.PEM), mode=0o644)

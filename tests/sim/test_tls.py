"""The service's certificate authority and server certificate: made once, kept, renewed; and
the TLS listener that serves them, started and stopped with the service."""

from __future__ import annotations

import datetime
import ipaddress
import socket
import ssl
import stat
import threading
import time
from pathlib import Path

import httpx
import pytest
from cryptography import x509

from gtui.sim.serve import RunningSim, banner, demo_ca_bundle, start_in_thread
from gtui.sim.tls import ca_bundle_path, ensure_certificates
from gtui.sim.world import ARCHIVE_ENDPOINT_ID, SCRATCH_ENDPOINT_ID

NOW = datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC)


def load(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def test_the_authority_signs_a_certificate_for_the_loopback_names(tmp_path: Path) -> None:
    files = ensure_certificates(tmp_path)
    assert files.ca_file == ca_bundle_path(tmp_path)
    ca, cert = load(files.ca_file), load(files.cert_file)
    cert.verify_directly_issued_by(ca)
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["localhost"]
    assert names.get_values_for_type(x509.IPAddress) == [ipaddress.ip_address("127.0.0.1")]
    assert stat.S_IMODE(files.key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "tls" / "ca-key.pem").stat().st_mode) == 0o600
    # Python's own verifier accepts the pair (strict X.509 checks included).
    context = ssl.create_default_context(cafile=str(files.ca_file))
    context.verify_flags |= getattr(ssl, "VERIFY_X509_STRICT", 0)
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(files.cert_file, files.key_file)
    _handshake(context, server, "localhost")
    _handshake(context, server, "127.0.0.1")


def _handshake(client: ssl.SSLContext, server: ssl.SSLContext, name: str) -> None:
    """A TLS handshake over a socket pair, the client checking ``name``."""
    left, right = socket.socketpair()
    with left, right:
        left.settimeout(5)
        right.settimeout(5)
        errors: list[BaseException] = []

        def serve() -> None:
            try:
                with server.wrap_socket(right, server_side=True):
                    pass
            except (ssl.SSLError, OSError) as exc:
                errors.append(exc)

        thread = threading.Thread(target=serve)
        thread.start()
        with client.wrap_socket(left, server_hostname=name) as tls:
            assert tls.version()
        thread.join()
        assert not errors


def test_the_files_are_kept_and_renewed_when_needed(tmp_path: Path) -> None:
    first = ensure_certificates(tmp_path, NOW)
    ca_bytes, cert_bytes = first.ca_file.read_bytes(), first.cert_file.read_bytes()
    ensure_certificates(tmp_path, NOW + datetime.timedelta(days=100))
    assert (first.ca_file.read_bytes(), first.cert_file.read_bytes()) == (ca_bytes, cert_bytes)
    # Near its end the server certificate is made again; the authority stays.
    later = NOW + datetime.timedelta(days=380)
    ensure_certificates(tmp_path, later)
    assert first.ca_file.read_bytes() == ca_bytes
    renewed = load(first.cert_file)
    assert renewed.not_valid_after_utc > later + datetime.timedelta(days=30)
    renewed.verify_directly_issued_by(load(first.ca_file))
    # A damaged key is replaced, with a certificate to match.
    first.key_file.write_text("not a key")
    ensure_certificates(tmp_path, later)
    assert b"PRIVATE KEY" in first.key_file.read_bytes()
    # A lost authority is made again, and the server certificate with it.
    first.ca_file.unlink()
    ensure_certificates(tmp_path, later)
    assert first.ca_file.read_bytes() != ca_bytes
    load(first.cert_file).verify_directly_issued_by(load(first.ca_file))


def test_the_banner_prints_the_line_that_trusts_the_authority(tmp_path: Path) -> None:
    root = tmp_path / "with space"
    text = banner(
        "http://127.0.0.1:1",
        root,
        ca_bundle=ca_bundle_path(root / ".gtui-sim"),
        gcs_base_url="https://127.0.0.1:2",
    )
    expected = f"export GLOBUS_SDK_VERIFY_SSL='{root}/.gtui-sim/tls/ca.pem'"
    assert expected in text.splitlines()
    assert "https://127.0.0.1:2/<id>/api" in text
    assert SCRATCH_ENDPOINT_ID in text and ARCHIVE_ENDPOINT_ID in text
    assert "GLOBUS_SDK_VERIFY_SSL" not in banner("http://127.0.0.1:1", root)


def test_stopping_the_service_stops_its_tls_listener(tmp_path: Path) -> None:
    running: RunningSim = start_in_thread(tmp_path / "root", gcs_port=0)
    assert running.ca_bundle == str(demo_ca_bundle(tmp_path / "root"))
    url = f"{running.gcs_base_url}/{SCRATCH_ENDPOINT_ID}/api/info"
    verify = ssl.create_default_context(cafile=running.ca_bundle)
    with httpx.Client(verify=verify) as client:
        assert client.get(url).is_success  # and the connection stays in the pool, idle
        started = time.monotonic()
        running.stop(timeout=10)
        assert not running._thread.is_alive()
        # An idle TLS connection does not hold the shutdown for its grace period.
        assert time.monotonic() - started < 4
    with pytest.raises(httpx.ConnectError):
        httpx.get(url, verify=verify)

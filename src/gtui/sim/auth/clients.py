"""The OAuth clients registered in the demo world, and how a call proves which one it is."""

from __future__ import annotations

import base64
import binascii
import urllib.parse
from dataclasses import dataclass

from starlette.requests import Request

from gtui.sim.errors import OAuthError
from gtui.sim.ids import (
    CLIENT_IDENTITY_DOMAIN,
    DEMO_CONFIDENTIAL_CLIENT_ID,
    DEMO_CONFIDENTIAL_CLIENT_SECRET,
    DEMO_NATIVE_CLIENT_ID,
)


@dataclass(frozen=True)
class Client:
    """An OAuth client registered in the demo world."""

    client_id: str
    name: str
    secret: str | None = None

    def __repr__(self) -> str:
        return f"Client(client_id={self.client_id!r}, name={self.name!r})"

    @property
    def confidential(self) -> bool:
        return self.secret is not None


CLIENTS = {
    DEMO_NATIVE_CLIENT_ID: Client(DEMO_NATIVE_CLIENT_ID, "gtui (demo)"),
    DEMO_CONFIDENTIAL_CLIENT_ID: Client(
        DEMO_CONFIDENTIAL_CLIENT_ID, "gtui demo automation", DEMO_CONFIDENTIAL_CLIENT_SECRET
    ),
}


def client_username(client_id: str) -> str:
    """The username of a client's own identity (a client acting for itself)."""
    return f"{client_id}@{CLIENT_IDENTITY_DOMAIN}"


def authenticate_client(request: Request, form: dict[str, str]) -> Client:
    """The client calling: Basic auth for confidential clients, ``client_id`` for public ones."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise OAuthError(401, "invalid_client", "Malformed client credentials") from None
        client_id, _, secret = decoded.partition(":")
        client = CLIENTS.get(urllib.parse.unquote(client_id))
        if client is None or client.secret != urllib.parse.unquote(secret):
            raise OAuthError(401, "invalid_client", "Invalid client credentials")
        return client
    client = CLIENTS.get(form.get("client_id", ""))
    if client is None:
        raise OAuthError(401, "invalid_client", "Unknown or missing client_id")
    if client.confidential:
        raise OAuthError(401, "invalid_client", "This client must authenticate with its secret")
    return client

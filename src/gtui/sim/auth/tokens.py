"""The tokens of the embedded Auth service: issued, validated, rotated, revoked.

Tokens are opaque random strings; only their SHA-256 digests are stored (in
``state_dir/auth.json``), so neither the state file nor a log ever holds a usable token.
Each resource server gets its own access token and, for offline grants, its own refresh
token; refreshing rotates the refresh token and a rotated one stops working. The one
exception is a lost answer: presented again within ``ROTATION_GRACE_SECONDS`` while its
replacement has never been used (neither refreshed nor its access token shown), a rotated
token rotates once more and the unseen replacement is withdrawn, so a client whose
connection dropped mid-refresh is not logged out.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from gtui.sim.auth.clients import CLIENTS, client_username
from gtui.sim.auth.scopes import (
    AUTH_RS,
    Scope,
    data_access_scope,
    flatten_scope_string,
    scope_string,
    without_scope,
)
from gtui.sim.persist import JsonState

if TYPE_CHECKING:
    from gtui.sim.auth.signing_key import SigningKey
    from gtui.sim.settings import SimSettings
    from gtui.sim.world import World

ROTATED_RETENTION_SECONDS = 7 * 86_400
ROTATION_GRACE_SECONDS = 60
MAX_ROTATED_KEPT = 5_000
SAVE_INTERVAL_SECONDS = 0.25


@dataclass(frozen=True)
class Caller:
    """Who is calling an API route, as proven by the bearer token."""

    identity_id: str
    username: str
    client_id: str
    scopes: frozenset[str]

    def has_data_access(self, collection_id: str) -> bool:
        """Whether the token carries the collection's ``data_access`` consent."""
        return data_access_scope(collection_id) in self.scopes


@dataclass(frozen=True)
class LiveGrant:
    """A token of an identity that still works (what its consents are made of)."""

    client_id: str
    resource_server: str
    scope: str
    issued_at: int
    refreshable: bool


@lru_cache(maxsize=512)
def granted_scopes(scope: str) -> frozenset[str]:
    """The scopes a stored scope string grants (few distinct strings, checked often)."""
    return flatten_scope_string(scope)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(40)


class AuthService:
    """Issues, validates, rotates and revokes tokens; state survives restarts."""

    def __init__(self, settings: SimSettings, world: World, key: SigningKey) -> None:
        self.settings = settings
        self.world = world
        self.key = key
        self._state = JsonState(settings.state_dir / "auth.json")
        self._lock = threading.RLock()
        data = self._state.load()
        self._access: dict[str, dict[str, Any]] = data.get("access", {})
        self._refresh: dict[str, dict[str, Any]] = data.get("refresh", {})
        self._codes: dict[str, dict[str, Any]] = {}
        self._dirty = False
        self._last_write = 0.0
        self._timer: threading.Timer | None = None
        self.authorize_requests: list[dict[str, str]] = []

    def __repr__(self) -> str:
        return f"AuthService(tokens={len(self._access)})"

    # -- identities ---------------------------------------------------------------------
    def username_of(self, identity_id: str) -> str:
        user = self.world.user_for(identity_id)
        if user is not None:
            return user.username
        return client_username(identity_id)

    def identity_doc(self, identity_id: str) -> dict[str, Any] | None:
        user = self.world.user_for(identity_id)
        if user is not None:
            return user.to_identity_doc()
        client = CLIENTS.get(identity_id)
        if client is None:
            return None
        return {
            "id": client.client_id,
            "username": client_username(client.client_id),
            "name": client.name,
            "email": None,
            "organization": None,
            "status": "used",
            "identity_provider": "c48a4b88-39c5-4e4b-a2b7-3b4d8a6f2e51",
            "identity_type": "client",
        }

    # -- persistence --------------------------------------------------------------------
    def _save(self) -> None:
        """Persist soon: at once if the last write is old, else within ``SAVE_INTERVAL``.

        Bursts of refreshes (several clients rotating tokens) then cost one write each
        interval instead of one write per request; ``flush()`` runs at shutdown.
        """
        now = time.time()
        self._access = {h: r for h, r in self._access.items() if r["exp"] > now}
        rotated = sorted(
            (r.get("rotated_at", now), h)
            for h, r in self._refresh.items()
            if r["status"] != "active"
        )
        too_many = max(0, len(rotated) - MAX_ROTATED_KEPT)
        for index, (rotated_at, digest) in enumerate(rotated):
            if index < too_many or now - rotated_at > ROTATED_RETENTION_SECONDS:
                del self._refresh[digest]
        self._dirty = True
        if time.monotonic() - self._last_write >= SAVE_INTERVAL_SECONDS:
            self._write()
        elif self._timer is None:
            self._timer = threading.Timer(SAVE_INTERVAL_SECONDS, self.flush)
            self._timer.daemon = True
            self._timer.start()

    def _write(self) -> None:
        self._state.save({"access": self._access, "refresh": self._refresh})
        self._dirty = False
        self._last_write = time.monotonic()

    def flush(self) -> None:
        """Write pending changes now (also called when the service stops)."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if self._dirty:
                self._write()

    # -- authorization codes ------------------------------------------------------------
    def create_code(self, record: dict[str, Any]) -> str:
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._codes[token_digest(code)] = {**record, "exp": time.time() + 600}
        return code

    def take_code(self, code: str) -> dict[str, Any] | None:
        """The code's grant, once: a second use finds nothing."""
        with self._lock:
            record = self._codes.pop(token_digest(code), None)
        if record is None or record["exp"] < time.time():
            return None
        return record

    # -- tokens -------------------------------------------------------------------------
    def issue(
        self, identity_id: str, client_id: str, grouped: dict[str, list[Scope]], *, offline: bool
    ) -> list[dict[str, Any]]:
        """One token document per resource server, in Auth's token-response shape."""
        now = int(time.time())
        lifetime = int(self.settings.token_lifetime_seconds)
        documents = []
        with self._lock:
            for rs in sorted(grouped, key=lambda r: (r != AUTH_RS, r)):
                scope = scope_string(grouped[rs])
                documents.append(
                    self._mint(identity_id, client_id, rs, scope, now, lifetime, offline)
                )
            self._save()
        return documents

    def _mint(
        self,
        identity_id: str,
        client_id: str,
        rs: str,
        scope: str,
        now: int,
        lifetime: int,
        offline: bool,
    ) -> dict[str, Any]:
        access = new_token()
        grant = secrets.token_hex(8)
        self._access[token_digest(access)] = {
            "sub": identity_id,
            "client_id": client_id,
            "rs": rs,
            "scope": scope,
            "iat": now,
            "exp": now + lifetime,
            "grant": grant,
        }
        doc: dict[str, Any] = {
            "access_token": access,
            "expires_in": lifetime,
            "resource_server": rs,
            "token_type": "Bearer",
            "scope": scope,
        }
        if offline:
            refresh = new_token()
            self._refresh[token_digest(refresh)] = {
                "sub": identity_id,
                "client_id": client_id,
                "rs": rs,
                "scope": scope,
                "grant": grant,
                "status": "active",
                "iat": now,
            }
            doc["refresh_token"] = refresh
        return doc

    def refresh(self, refresh_token: str, client_id: str) -> dict[str, Any] | None:
        """Rotate a refresh token: a new access and refresh token; the old one stops working."""
        digest = token_digest(refresh_token)
        now = int(time.time())
        with self._lock:
            record = self._refresh.get(digest)
            if record is None or record["client_id"] != client_id:
                return None
            if record["status"] != "active" and not self._answer_was_lost(record, now):
                return None
            self._withdraw_replacement(record)
            record["status"] = "rotated"
            record.setdefault("rotated_at", now)
            doc = self._mint(
                record["sub"],
                client_id,
                record["rs"],
                record["scope"],
                now,
                int(self.settings.token_lifetime_seconds),
                offline=True,
            )
            new_digest = token_digest(doc["refresh_token"])
            access_digest = token_digest(doc["access_token"])
            self._refresh[new_digest]["grant"] = record["grant"]
            self._access[access_digest]["grant"] = record["grant"]
            self._access[access_digest]["from_refresh"] = new_digest
            record["replaced_by"] = {"refresh": new_digest, "access": access_digest}
            self._save()
        return {**doc, "sub": record["sub"]}

    def _answer_was_lost(self, record: dict[str, Any], now: int) -> bool:
        """A rotated token presented again soon, its replacement never seen by anyone."""
        if record["status"] != "rotated" or now - record.get("rotated_at", 0) > (
            ROTATION_GRACE_SECONDS
        ):
            return False
        replaced_by = record.get("replaced_by") or {}
        replacement = self._refresh.get(replaced_by.get("refresh", ""))
        return (
            replacement is not None
            and replacement["status"] == "active"
            and not replacement.get("used")
        )

    def _withdraw_replacement(self, record: dict[str, Any]) -> None:
        replaced_by = record.pop("replaced_by", None) or {}
        self._refresh.pop(replaced_by.get("refresh", ""), None)
        self._access.pop(replaced_by.get("access", ""), None)

    def revoke(self, token: str, client_id: str) -> None:
        """Revoke an access or refresh token of this client (a refresh token takes its grant's
        access tokens with it). Unknown tokens are ignored, as RFC 7009 asks."""
        digest = token_digest(token)
        with self._lock:
            access = self._access.get(digest)
            if access is not None and access["client_id"] == client_id:
                del self._access[digest]
                self._save()
                return
            refresh = self._refresh.get(digest)
            if refresh is not None and refresh["client_id"] == client_id:
                grant = refresh["grant"]
                self._refresh = {h: r for h, r in self._refresh.items() if r["grant"] != grant}
                self._access = {h: r for h, r in self._access.items() if r["grant"] != grant}
                self._save()

    def expire_access_tokens(self, identity_id: str | None = None) -> int:
        """End the access tokens (of one identity, or all) now, as time would; refresh tokens
        keep working. Returns how many were ended."""
        now = int(time.time())
        with self._lock:
            ended = [
                r for r in self._access.values() if identity_id is None or r["sub"] == identity_id
            ]
            for record in ended:
                record["exp"] = now
            self._save()
        return len(ended)

    def revoke_consents(self, identity_id: str, client_id: str | None = None) -> int:
        """Withdraw an identity's consents (for one client, or all): every token of those
        grants stops working, as when a person revokes an app's consent. Returns how many
        refresh tokens were withdrawn."""

        def matches(record: dict[str, Any]) -> bool:
            return record["sub"] == identity_id and client_id in (None, record["client_id"])

        with self._lock:
            withdrawn = [h for h, r in self._refresh.items() if matches(r)]
            self._refresh = {h: r for h, r in self._refresh.items() if not matches(r)}
            self._access = {h: r for h, r in self._access.items() if not matches(r)}
            self._save()
        return len(withdrawn)

    def revoke_consent(self, identity_id: str, scope: str) -> int:
        """Withdraw one consent of an identity (a collection's ``data_access``), as a person
        does on Globus Auth's consents page: their tokens keep working, but no longer carry
        that scope, nor do the tokens refreshed from them. Returns how many tokens lost it."""
        changed = 0
        with self._lock:
            for record in (*self._access.values(), *self._refresh.values()):
                if record["sub"] != identity_id or scope not in granted_scopes(record["scope"]):
                    continue
                record["scope"] = without_scope(record["scope"], scope)
                changed += 1
            if changed:
                self._save()
        return changed

    def _live_records(self, identity_id: str) -> list[tuple[dict[str, Any], bool]]:
        """The identity's unexpired access and active refresh token records (with whether
        each is a refresh token); call with the lock held."""
        now = time.time()
        access = [
            (r, False) for r in self._access.values() if r["sub"] == identity_id and r["exp"] > now
        ]
        refresh = [
            (r, True)
            for r in self._refresh.values()
            if r["sub"] == identity_id and r["status"] == "active"
        ]
        return access + refresh

    def holds_consent(self, identity_id: str, scope: str) -> bool:
        """Whether a live grant of the identity carries ``scope``: an unexpired access token,
        or an active refresh token. A task working for its owner needs one (its credentials);
        none once the consent is withdrawn or every token of the grant has expired."""
        with self._lock:
            return any(
                scope in granted_scopes(record["scope"])
                for record, _ in self._live_records(identity_id)
            )

    def live_grants(self, identity_id: str) -> list[LiveGrant]:
        """The identity's tokens that still work, for listing its consents."""
        with self._lock:
            return [
                LiveGrant(r["client_id"], r["rs"], r["scope"], int(r["iat"]), refreshable)
                for r, refreshable in self._live_records(identity_id)
            ]

    def lookup(self, token: str) -> dict[str, Any] | None:
        """The record of an active (issued, unexpired, unrevoked) access token."""
        record = self._access.get(token_digest(token))
        if record is None or record["exp"] <= time.time():
            return None
        origin = record.pop("from_refresh", None)
        if origin is not None and origin in self._refresh:
            self._refresh[origin]["used"] = True  # its answer arrived: no grace for the old one
        return record

    def caller_for(self, token: str, resource_server: str) -> Caller | None:
        record = self.lookup(token)
        if record is None or record["rs"] != resource_server:
            return None
        return Caller(
            identity_id=record["sub"],
            username=self.username_of(record["sub"]),
            client_id=record["client_id"],
            scopes=flatten_scope_string(record["scope"]),
        )

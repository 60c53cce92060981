"""What the GCS Managers keep: collections made or changed through them, and their roles.

Rows of the service database (component ``gcs``, numbered migrations):

- ``gcs_collections``: a guest collection made through ``POST /collections`` (everything
  needed to put it back in the world at the next start), or the changes ``PATCH`` made to
  one of the demo world's collections;
- ``gcs_roles``: the roles of each endpoint and of its mapped collections (a guest
  collection's roles are Transfer's, in ``transfer_roles``, shared with its role API). The
  first migration gives the endpoints' administrator (the other demo user) the ``owner`` role
  of both endpoints and the ``administrator`` role of their mapped collections.

Writes are committed before the request that made them is answered.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from dataclasses import dataclass, field
from typing import Any

from gtui.sim.database import Database
from gtui.sim.ids import (
    ARCHIVE_ENDPOINT_ID,
    ARCHIVE_ID,
    OTHER_USER_ID,
    SCRATCH_ENDPOINT_ID,
    SCRATCH_ID,
)

COMPONENT = "gcs"
IDENTITY_URN = "urn:globus:auth:identity:"
GROUP_URN = "urn:globus:groups:id:"

_VERSION_1 = (
    """
    CREATE TABLE gcs_collections (
        collection_id TEXT PRIMARY KEY,
        endpoint_id TEXT NOT NULL,
        collection_type TEXT NOT NULL,
        mapped_collection_id TEXT,
        identity_id TEXT,
        user_credential_id TEXT,
        collection_base_path TEXT,
        created_at TEXT NOT NULL,
        fields TEXT NOT NULL
    )
    """,
    """
    CREATE TABLE gcs_roles (
        role_id TEXT PRIMARY KEY,
        endpoint_id TEXT NOT NULL,
        collection_id TEXT NOT NULL,
        principal TEXT NOT NULL,
        role TEXT NOT NULL,
        UNIQUE (endpoint_id, collection_id, principal, role)
    )
    """,
)

# The demo endpoints' own roles: (endpoint, collection or "" for the endpoint, role).
DEMO_ROLES = (
    (SCRATCH_ENDPOINT_ID, "", "owner"),
    (ARCHIVE_ENDPOINT_ID, "", "owner"),
    (SCRATCH_ENDPOINT_ID, SCRATCH_ID, "administrator"),
    (ARCHIVE_ENDPOINT_ID, ARCHIVE_ID, "administrator"),
)


def _version_1(conn: sqlite3.Connection) -> None:
    for statement in _VERSION_1:
        conn.execute(statement)
    for endpoint_id, collection_id, role in DEMO_ROLES:
        conn.execute(
            "INSERT INTO gcs_roles VALUES (?, ?, ?, ?, ?)",
            (str(uuid.uuid4()), endpoint_id, collection_id, IDENTITY_URN + OTHER_USER_ID, role),
        )


MIGRATIONS = (_version_1,)
COLLECTION_COLUMNS = (
    "collection_id, endpoint_id, collection_type, mapped_collection_id, identity_id,"
    " user_credential_id, collection_base_path, created_at, fields"
)
ROLE_COLUMNS = "role_id, endpoint_id, collection_id, principal, role"


@dataclass(frozen=True)
class CollectionRecord:
    """A guest collection made through a GCS Manager, or the changes made to a demo one
    (``collection_type`` ``"mapped"``, or ``"guest"`` without a ``mapped_collection_id``)."""

    collection_id: str
    endpoint_id: str
    collection_type: str
    mapped_collection_id: str | None
    identity_id: str | None
    user_credential_id: str | None
    collection_base_path: str | None
    created_at: str
    fields: dict[str, Any] = field(default_factory=dict)

    @property
    def made_here(self) -> bool:
        """A guest collection this service made (not changes to one of the demo world)."""
        return self.collection_type == "guest" and self.mapped_collection_id is not None


@dataclass(frozen=True)
class GCSRole:
    """A role on an endpoint (``collection_id`` empty) or on one of its mapped collections."""

    id: str
    endpoint_id: str
    collection_id: str
    principal: str
    role: str

    def to_doc(self) -> dict[str, Any]:
        return {
            "DATA_TYPE": "role#1.0.0",
            "id": self.id,
            "collection": self.collection_id or None,
            "principal": self.principal,
            "role": self.role,
        }


def _record(row: tuple[Any, ...]) -> CollectionRecord:
    cid, endpoint, kind, mapped, identity, credential, base, created, fields = row
    return CollectionRecord(
        cid, endpoint, kind, mapped, identity, credential, base, created, json.loads(fields)
    )


class GCSStore:
    """The rows of the GCS Managers of every endpoint of the demo world."""

    def __init__(self, db: Database) -> None:
        self.db = db
        db.migrate(COMPONENT, MIGRATIONS)

    # -- collections ------------------------------------------------------------------------

    def records(self) -> list[CollectionRecord]:
        found = self.db.connection().execute(
            f"SELECT {COLLECTION_COLUMNS} FROM gcs_collections ORDER BY rowid"
        )
        return [_record(row) for row in found.fetchall()]

    def record(self, collection_id: str) -> CollectionRecord | None:
        row = (
            self.db.connection()
            .execute(
                f"SELECT {COLLECTION_COLUMNS} FROM gcs_collections WHERE collection_id = ?",
                (collection_id,),
            )
            .fetchone()
        )
        return None if row is None else _record(row)

    def put(self, record: CollectionRecord) -> None:
        with self.db.write() as conn:
            conn.execute(
                f"INSERT OR REPLACE INTO gcs_collections ({COLLECTION_COLUMNS})"
                " VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    record.collection_id,
                    record.endpoint_id,
                    record.collection_type,
                    record.mapped_collection_id,
                    record.identity_id,
                    record.user_credential_id,
                    record.collection_base_path,
                    record.created_at,
                    json.dumps(record.fields, sort_keys=True),
                ),
            )

    def delete(self, collection_id: str) -> None:
        """Forget a collection and its roles."""
        with self.db.write() as conn:
            conn.execute("DELETE FROM gcs_collections WHERE collection_id = ?", (collection_id,))
            conn.execute("DELETE FROM gcs_roles WHERE collection_id = ?", (collection_id,))

    # -- roles --------------------------------------------------------------------------------

    def roles(self, endpoint_id: str, collection_id: str = "") -> list[GCSRole]:
        """The roles on an endpoint (``collection_id`` empty) or one of its collections."""
        found = self.db.connection().execute(
            f"SELECT {ROLE_COLUMNS} FROM gcs_roles WHERE endpoint_id = ? AND collection_id = ?"
            " ORDER BY rowid",
            (endpoint_id, collection_id),
        )
        return [GCSRole(*row) for row in found.fetchall()]

    def role(self, endpoint_id: str, role_id: str) -> GCSRole | None:
        row = (
            self.db.connection()
            .execute(
                f"SELECT {ROLE_COLUMNS} FROM gcs_roles WHERE endpoint_id = ? AND role_id = ?",
                (endpoint_id, role_id),
            )
            .fetchone()
        )
        return None if row is None else GCSRole(*row)

    def add_role(self, endpoint_id: str, collection_id: str, principal: str, role: str) -> GCSRole:
        """A new role, or the same one if the principal already holds it (idempotent)."""
        with self.db.write() as conn:
            row = conn.execute(
                f"SELECT {ROLE_COLUMNS} FROM gcs_roles WHERE endpoint_id = ?"
                " AND collection_id = ? AND principal = ? AND role = ?",
                (endpoint_id, collection_id, principal, role),
            ).fetchone()
            if row is not None:
                return GCSRole(*row)
            made = GCSRole(str(uuid.uuid4()), endpoint_id, collection_id, principal, role)
            conn.execute(
                f"INSERT INTO gcs_roles ({ROLE_COLUMNS}) VALUES (?,?,?,?,?)",
                (made.id, endpoint_id, collection_id, principal, role),
            )
        return made

    def delete_role(self, role_id: str) -> None:
        with self.db.write() as conn:
            conn.execute("DELETE FROM gcs_roles WHERE role_id = ?", (role_id,))

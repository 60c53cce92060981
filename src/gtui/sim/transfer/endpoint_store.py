"""The changes ``PUT /endpoint/{id}`` made to collections: one row each, put back at start.

Rows of the service database (component ``transfer_endpoints``, numbered migrations): the
fields an administrator set on a collection (only those, as JSON), written before the update
is answered. At every start ``restore`` puts them back into the world, the way the GCS
Managers put back theirs (``gcs/store.py``): the world's collections are swapped, never
changed in place.

A changed collection is a ``ChangedCollection``: the world's ``Collection`` with the fields
set, where the dataclass has them (display name, description, keywords, ...: what endpoint
search, listings and paths read), and in its Transfer document for every field set (the
document of a plain ``Collection`` fixes ``department``, ``contact_info``, ``info_link``,
``force_encryption`` and the like).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import sqlite3
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from gtui.sim.transfer.model import iso_time
from gtui.sim.world import Collection

if TYPE_CHECKING:
    from gtui.sim.database import Database
    from gtui.sim.world import World

log = logging.getLogger(__name__)

COMPONENT = "transfer_endpoints"

# The endpoint types whose document Transfer itself keeps (and so changes on ``PUT``): Globus
# Connect Personal and GCSv4. A GCSv5 endpoint's or collection's is its GCS Manager's.
TRADITIONAL = ("GCP_mapped_collection", "GCP_guest_collection", "GCSv4_host", "GCSv4_share")


def _version_1(conn: sqlite3.Connection) -> None:
    conn.execute(
        """
        CREATE TABLE transfer_endpoint_changes (
            endpoint_id TEXT PRIMARY KEY,
            fields TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )
        """
    )


MIGRATIONS = (_version_1,)


@dataclass
class ChangedCollection(Collection):
    """A collection with fields an administrator set through ``PUT /endpoint/{id}``."""

    changed: dict[str, Any] = field(default_factory=dict)

    def to_endpoint_doc(self) -> dict[str, Any]:
        doc = super().to_endpoint_doc()
        doc.update(self.changed)
        return doc


def _text(value: Any, default: str = "") -> str:
    return value if isinstance(value, str) else default


def with_changes(collection: Collection, fields: dict[str, Any]) -> ChangedCollection:
    """The collection with ``fields`` (endpoint document fields, already checked) set."""
    attributes = {f.name: getattr(collection, f.name) for f in dataclasses.fields(Collection)}
    if "display_name" in fields:
        attributes["display_name"] = fields["display_name"]
    for name in ("description", "keywords", "organization", "contact_email"):
        if name in fields:
            attributes[name] = _text(fields[name])
    if "default_directory" in fields:
        # Unset, a collection starts at the home folder (``/~/``), as Globus does.
        attributes["default_directory"] = _text(fields["default_directory"], "/~/")
    if "public" in fields:
        attributes["public"] = bool(fields["public"])
    earlier = collection.changed if isinstance(collection, ChangedCollection) else {}
    return ChangedCollection(**attributes, changed={**earlier, **fields})


class EndpointStore:
    """The stored changes of every collection, by endpoint id."""

    def __init__(self, db: Database) -> None:
        self.db = db
        db.migrate(COMPONENT, MIGRATIONS)

    def changes(self) -> dict[str, dict[str, Any]]:
        rows = self.db.connection().execute(
            "SELECT endpoint_id, fields FROM transfer_endpoint_changes ORDER BY rowid"
        )
        return {endpoint_id: json.loads(fields) for endpoint_id, fields in rows.fetchall()}

    def changes_of(self, endpoint_id: str) -> dict[str, Any]:
        row = (
            self.db.connection()
            .execute(
                "SELECT fields FROM transfer_endpoint_changes WHERE endpoint_id = ?",
                (endpoint_id,),
            )
            .fetchone()
        )
        return json.loads(row[0]) if row else {}

    def record(self, endpoint_id: str, fields: dict[str, Any]) -> dict[str, Any]:
        """Add ``fields`` to the endpoint's stored changes; returns all of them."""
        with self.db.write() as conn:
            row = conn.execute(
                "SELECT fields FROM transfer_endpoint_changes WHERE endpoint_id = ?",
                (endpoint_id,),
            ).fetchone()
            merged = {**(json.loads(row[0]) if row else {}), **fields}
            conn.execute(
                "INSERT INTO transfer_endpoint_changes (endpoint_id, fields, updated_at)"
                " VALUES (?, ?, ?) ON CONFLICT (endpoint_id) DO UPDATE"
                " SET fields = excluded.fields, updated_at = excluded.updated_at",
                (endpoint_id, json.dumps(merged, sort_keys=True), iso_time()),
            )
        return merged

    def restore(self, world: World) -> list[ChangedCollection]:
        """Put the stored changes into the world's collections (at start); returns the
        collections changed."""
        collections = dict(world.collections)
        changed = []
        for endpoint_id, fields in self.changes().items():
            collection = collections.get(endpoint_id)
            if collection is None or collection.entity_type not in TRADITIONAL:
                log.warning("stored changes of endpoint %s have no collection", endpoint_id)
                continue
            collections[endpoint_id] = updated = with_changes(collection, fields)
            changed.append(updated)
        world.collections = collections
        return changed

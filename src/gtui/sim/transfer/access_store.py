"""Access rules and roles of Transfer collections: rows in the service database.

Transfer keeps an access list (who may read or write which folder, until when) on each guest
collection, and roles (``administrator``, ``access_manager``, ``activity_manager``,
``activity_monitor``) on guest and Globus Connect Personal collections. Both are rows here,
written before the request that made them is answered, and read per check (a check is one
indexed query), so every instance on the same database sees the same rules at once.

The tables are a component of their own (``transfer_access``) with numbered migrations; the
first one gives the demo user the administrator role of the collections it owns in the demo
world ("Shared Results" and "Demo Laptop"). A collection created later gets its owner's role
from ``record_owner``.
"""

from __future__ import annotations

import dataclasses
import sqlite3
import time
import uuid
from dataclasses import dataclass
from typing import Any

from gtui.sim.database import Database
from gtui.sim.errors import SimAPIError
from gtui.sim.ids import DEMO_USER_ID, GUEST_ID, LAPTOP_ID
from gtui.sim.transfer.model import iso_time

COMPONENT = "transfer_access"

PRINCIPAL_TYPES = ("identity", "group", "all_authenticated_users", "anonymous")
ROLE_PRINCIPAL_TYPES = ("identity", "group")
ROLES = ("administrator", "access_manager", "activity_manager", "activity_monitor")
PERMISSIONS = ("r", "rw")

_VERSION_1 = (
    """
    CREATE TABLE transfer_access_rules (
        rule_id TEXT PRIMARY KEY,
        collection_id TEXT NOT NULL,
        principal_type TEXT NOT NULL,
        principal TEXT NOT NULL,
        path TEXT NOT NULL,
        permissions TEXT NOT NULL,
        create_time TEXT NOT NULL,
        expiration_date TEXT,
        expires_at REAL,
        notify_email TEXT,
        notify_message TEXT,
        UNIQUE (collection_id, principal_type, principal, path)
    )
    """,
    """
    CREATE TABLE transfer_roles (
        role_id TEXT PRIMARY KEY,
        collection_id TEXT NOT NULL,
        principal_type TEXT NOT NULL,
        principal TEXT NOT NULL,
        role TEXT NOT NULL,
        UNIQUE (collection_id, principal_type, principal, role)
    )
    """,
)

# The demo world's collections whose owner is the demo user: it administers them.
DEMO_ADMINISTERED = (GUEST_ID, LAPTOP_ID)


def _version_1(conn: sqlite3.Connection) -> None:
    for statement in _VERSION_1:
        conn.execute(statement)
    for collection_id in DEMO_ADMINISTERED:
        conn.execute(
            "INSERT INTO transfer_roles VALUES (?, ?, 'identity', ?, 'administrator')",
            (str(uuid.uuid4()), collection_id, DEMO_USER_ID),
        )


MIGRATIONS = (_version_1,)

RULE_COLUMNS = (
    "rule_id, principal_type, principal, path, permissions, create_time, expiration_date,"
    " expires_at, notify_email, notify_message"
)
ROLE_COLUMNS = "role_id, principal_type, principal, role"


@dataclass(frozen=True)
class AccessRule:
    """One rule of a collection's access list."""

    id: str
    principal_type: str
    principal: str
    path: str
    permissions: str
    create_time: str
    expiration_date: str | None = None
    expires_at: float | None = None
    notify_email: str | None = None
    notify_message: str | None = None

    def expired(self, now: float | None = None) -> bool:
        return self.expires_at is not None and self.expires_at <= (
            time.time() if now is None else now
        )

    def to_doc(self) -> dict[str, Any]:
        """The rule as ``access_list`` and ``access/{id}`` answer it."""
        return {
            "DATA_TYPE": "access",
            "id": self.id,
            "principal_type": self.principal_type,
            "principal": self.principal,
            "path": self.path,
            "permissions": self.permissions,
            "role_id": None,
            "role_type": None,
            "create_time": self.create_time,
            "expiration_date": self.expiration_date,
            "notify_email": self.notify_email,
            "notify_message": self.notify_message,
        }


@dataclass(frozen=True)
class Role:
    """One role assignment on a collection."""

    id: str
    principal_type: str
    principal: str
    role: str

    def to_doc(self) -> dict[str, Any]:
        """The role as ``role_list`` and ``role/{id}`` answer it."""
        return {
            "DATA_TYPE": "role",
            "id": self.id,
            "principal_type": self.principal_type,
            "principal": self.principal,
            "role": self.role,
        }

    def implicit_rule_doc(self) -> dict[str, Any]:
        """The rule an administrator or access manager holds by its role: read-write on the
        whole collection, listed with a null id and the role's id (Transfer's shape)."""
        return {
            "DATA_TYPE": "access",
            "id": None,
            "principal_type": self.principal_type,
            "principal": self.principal,
            "path": "/",
            "permissions": "rw",
            "role_id": self.id,
            "role_type": self.role,
            "create_time": None,
            "expiration_date": None,
            "notify_email": None,
            "notify_message": None,
        }


def rule_not_found(rule_id: str) -> SimAPIError:
    return SimAPIError(404, "AccessRuleNotFound", f"Access rule '{rule_id}' not found")


def role_not_found(role_id: str) -> SimAPIError:
    return SimAPIError(404, "RoleNotFound", f"Role '{role_id}' not found")


def _rule(row: tuple[Any, ...]) -> AccessRule:
    return AccessRule(*row)


def _role(row: tuple[Any, ...]) -> Role:
    return Role(*row)


class AccessStore:
    """The access rules and roles of every collection; callers check who may change them."""

    def __init__(self, db: Database) -> None:
        self.db = db
        db.migrate(COMPONENT, MIGRATIONS)

    # -- access rules -----------------------------------------------------------------------

    def rules_of(self, collection_id: str, *, now: float | None = None) -> list[AccessRule]:
        """A collection's rules that have not expired, oldest first."""
        found = self.db.connection().execute(
            f"SELECT {RULE_COLUMNS} FROM transfer_access_rules WHERE collection_id = ?"
            " ORDER BY rowid",
            (collection_id,),
        )
        rules = [_rule(row) for row in found.fetchall()]
        return [r for r in rules if not r.expired(now)]

    def rule(self, collection_id: str, rule_id: str) -> AccessRule:
        """One live rule, or 404 AccessRuleNotFound (an expired rule is gone, as on Globus)."""
        row = (
            self.db.connection()
            .execute(
                f"SELECT {RULE_COLUMNS} FROM transfer_access_rules"
                " WHERE collection_id = ? AND rule_id = ?",
                (collection_id, rule_id),
            )
            .fetchone()
        )
        if row is None or _rule(row).expired():
            raise rule_not_found(rule_id)
        return _rule(row)

    def add_rule(
        self,
        collection_id: str,
        *,
        principal_type: str,
        principal: str,
        path: str,
        permissions: str,
        expiration_date: str | None = None,
        expires_at: float | None = None,
        notify_email: str | None = None,
        notify_message: str | None = None,
    ) -> AccessRule:
        """A new rule; 409 Exists when the principal already has a rule on that path."""
        rule = AccessRule(
            str(uuid.uuid4()),
            principal_type,
            principal,
            path,
            permissions,
            iso_time(),
            expiration_date,
            expires_at,
            notify_email,
            notify_message,
        )
        with self.db.write() as conn:
            self._drop_expired(conn, collection_id)
            clash = conn.execute(
                "SELECT 1 FROM transfer_access_rules WHERE collection_id = ?"
                " AND principal_type = ? AND principal = ? AND path = ?",
                (collection_id, principal_type, principal, path),
            ).fetchone()
            if clash is not None:
                raise SimAPIError(
                    409,
                    "Exists",
                    f"An access rule for this {principal_type.replace('_', ' ')} on path "
                    f"'{path}' already exists",
                )
            conn.execute(
                f"INSERT INTO transfer_access_rules (collection_id, {RULE_COLUMNS})"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (
                    collection_id,
                    rule.id,
                    principal_type,
                    principal,
                    path,
                    permissions,
                    rule.create_time,
                    expiration_date,
                    expires_at,
                    notify_email,
                    notify_message,
                ),
            )
        return rule

    def update_rule(
        self,
        collection_id: str,
        rule_id: str,
        *,
        permissions: str | None = None,
        expiration: tuple[str | None, float | None] | None = None,
    ) -> AccessRule:
        """Change a rule's permissions and/or expiration (``(text, seconds)``; ``(None, None)``
        makes it last forever). The store takes any time, even a past one (tests use that)."""
        with self.db.write() as conn:
            rule = self.rule(collection_id, rule_id)
            changes: dict[str, Any] = {}
            if permissions is not None:
                changes["permissions"] = permissions
            if expiration is not None:
                changes["expiration_date"], changes["expires_at"] = expiration
            if changes:
                assignments = ", ".join(f"{name} = ?" for name in changes)
                conn.execute(
                    f"UPDATE transfer_access_rules SET {assignments}"
                    " WHERE collection_id = ? AND rule_id = ?",
                    (*changes.values(), collection_id, rule_id),
                )
        return dataclasses.replace(rule, **changes)

    def delete_rule(self, collection_id: str, rule_id: str) -> None:
        with self.db.write() as conn:
            self.rule(collection_id, rule_id)
            conn.execute(
                "DELETE FROM transfer_access_rules WHERE collection_id = ? AND rule_id = ?",
                (collection_id, rule_id),
            )

    def _drop_expired(self, conn: sqlite3.Connection, collection_id: str) -> None:
        """Globus deletes a rule when it expires; here it goes at the next write."""
        conn.execute(
            "DELETE FROM transfer_access_rules WHERE collection_id = ?"
            " AND expires_at IS NOT NULL AND expires_at <= ?",
            (collection_id, time.time()),
        )

    # -- roles --------------------------------------------------------------------------------

    def roles_of(self, collection_id: str) -> list[Role]:
        """A collection's roles, oldest first."""
        found = self.db.connection().execute(
            f"SELECT {ROLE_COLUMNS} FROM transfer_roles WHERE collection_id = ? ORDER BY rowid",
            (collection_id,),
        )
        return [_role(row) for row in found.fetchall()]

    def role(self, collection_id: str, role_id: str) -> Role:
        row = (
            self.db.connection()
            .execute(
                f"SELECT {ROLE_COLUMNS} FROM transfer_roles"
                " WHERE collection_id = ? AND role_id = ?",
                (collection_id, role_id),
            )
            .fetchone()
        )
        if row is None:
            raise role_not_found(role_id)
        return _role(row)

    def add_role(self, collection_id: str, principal_type: str, principal: str, role: str) -> Role:
        """A new role assignment; 409 Exists when the principal already holds that role."""
        made = Role(str(uuid.uuid4()), principal_type, principal, role)
        with self.db.write() as conn:
            clash = conn.execute(
                "SELECT 1 FROM transfer_roles WHERE collection_id = ? AND principal_type = ?"
                " AND principal = ? AND role = ?",
                (collection_id, principal_type, principal, role),
            ).fetchone()
            if clash is not None:
                raise SimAPIError(
                    409, "Exists", f"The {principal_type} already has the role '{role}'"
                )
            conn.execute(
                f"INSERT INTO transfer_roles (collection_id, {ROLE_COLUMNS}) VALUES (?,?,?,?,?)",
                (collection_id, made.id, principal_type, principal, role),
            )
        return made

    def delete_role(self, collection_id: str, role_id: str) -> None:
        """Remove a role; 409 Conflict for the collection's last administrator."""
        with self.db.write() as conn:
            role = self.role(collection_id, role_id)
            if role.role == "administrator":
                (admins,) = conn.execute(
                    "SELECT count(*) FROM transfer_roles WHERE collection_id = ?"
                    " AND role = 'administrator'",
                    (collection_id,),
                ).fetchone()
                if admins <= 1:
                    raise SimAPIError(
                        409,
                        "Conflict",
                        "A collection must keep at least one administrator: "
                        "add another before removing this one",
                    )
            conn.execute(
                "DELETE FROM transfer_roles WHERE collection_id = ? AND role_id = ?",
                (collection_id, role_id),
            )

    # -- collections created and deleted by other parts of the service ---------------------

    def record_owner(self, collection_id: str, identity_id: str) -> Role:
        """Make ``identity_id`` an administrator of a new collection (a guest collection made
        through the GCS Manager API, say): it may then manage the collection's access rules
        and roles, and reads and writes all of it. Idempotent: an existing role is kept."""
        for role in self.roles_of(collection_id):
            if (role.principal_type, role.principal, role.role) == (
                "identity",
                identity_id,
                "administrator",
            ):
                return role
        return self.add_role(collection_id, "identity", identity_id, "administrator")

    def forget_collection(self, collection_id: str) -> None:
        """Drop every rule and role of a collection that was deleted."""
        with self.db.write() as conn:
            conn.execute(
                "DELETE FROM transfer_access_rules WHERE collection_id = ?", (collection_id,)
            )
            conn.execute("DELETE FROM transfer_roles WHERE collection_id = ?", (collection_id,))

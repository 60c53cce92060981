"""The GCS Managers of the demo world's GCSv5 endpoints: collections, credentials, roles.

A GCS Manager sees the world's collections whose ``owner_id`` is its endpoint. Its guest
collections are the world's too: one made here (``create_guest``) is a folder of its mapped
collection's storage (``collection_base_path``, under the mapped collection's root path
``/``), shows up in Transfer at once (search, ``endpoint/{id}``, ``ls``, transfers) for its
creator, who becomes its administrator (Transfer's roles, ``AccessPolicy.record_owner``), and
is put back into the world at every start (``gcs_collections`` rows, ``store.py``).

The world's collections are swapped, never changed in place: ``world.collections`` is
replaced by a new dict, so a reader that holds the old one (an engine thread walking it) is
never surprised by a change.

Who may do what:

- an endpoint's administrators (its ``owner`` or ``administrator`` roles) manage every
  collection of the endpoint;
- a collection's ``administrator`` (a guest collection's creator) changes and deletes it and
  manages its roles;
- anyone a mapped collection is open to makes guest collections on it, with their own user
  credential, on a folder that exists; where Transfer asks for the mapped collection's
  ``data_access`` consent, so does this, as a dependency of ``manage_collections``.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import posixpath
import uuid
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from gtui.sim.auth.scopes import data_access_scope, manage_collections_scope
from gtui.sim.gcs import documents
from gtui.sim.gcs.errors import (
    GCSError,
    bad_request,
    conflict,
    consent_required,
    not_found,
    permission_denied,
)
from gtui.sim.gcs.store import GROUP_URN, IDENTITY_URN, CollectionRecord, GCSRole, GCSStore
from gtui.sim.transfer.model import iso_time
from gtui.sim.world import Collection, GCSEndpoint

if TYPE_CHECKING:
    from gtui.sim.auth.tokens import Caller
    from gtui.sim.database import Database
    from gtui.sim.settings import SimSettings
    from gtui.sim.world import World

log = logging.getLogger(__name__)

MAPPED = "GCSv5_mapped_collection"
GUEST = "GCSv5_guest_collection"
ENDPOINT_ROLES = ("owner", "administrator", "activity_manager", "activity_monitor")
COLLECTION_ROLES = ("administrator", "access_manager", "activity_manager", "activity_monitor")
ADMINISTERING = frozenset({"owner", "administrator"})
# Where the demo world's own guest collection ("Shared Results") says it lives on its mapped
# collection (its folder is ``shared/`` beside the collections, not inside ``scratch/``).
DEMO_GUEST_BASE_PATH = "/shared/"

# The fields a client may set, each with the types it takes (None: may be null).
_TEXT = (str, type(None))
SETTABLE: dict[str, tuple[type, ...]] = {
    "display_name": (str,),
    "description": _TEXT,
    "contact_email": _TEXT,
    "contact_info": _TEXT,
    "info_link": _TEXT,
    "organization": _TEXT,
    "department": _TEXT,
    "default_directory": _TEXT,
    "user_message": _TEXT,
    "user_message_link": _TEXT,
    "keywords": (list, type(None)),
    "public": (bool,),
    "force_encryption": (bool,),
    "force_verify": (bool,),
    "disable_verify": (bool,),
    "enable_https": (bool,),
    "skip_auto_delete": (bool,),
    "activity_notification_policy": (dict, type(None)),
    "associated_flow_policy": (dict, type(None)),
}
# Fields fixed when a guest collection is made.
FIXED = ("mapped_collection_id", "user_credential_id", "collection_base_path", "identity_id")


class RoleRecord(Protocol):
    """A role Transfer keeps on a guest collection (``access_store.Role``)."""

    @property
    def id(self) -> str: ...
    @property
    def principal_type(self) -> str: ...
    @property
    def principal(self) -> str: ...
    @property
    def role(self) -> str: ...


class RoleStore(Protocol):
    """Where Transfer keeps the roles of guest collections (``access_store.AccessStore``)."""

    def roles_of(self, collection_id: str) -> Sequence[RoleRecord]: ...
    def add_role(
        self, collection_id: str, principal_type: str, principal: str, role: str
    ) -> RoleRecord: ...
    def delete_role(self, collection_id: str, role_id: str) -> None: ...
    def forget_collection(self, collection_id: str) -> None: ...


class GuestAccess(Protocol):
    """What the GCS Managers ask Transfer's access policy (``access_policy.AccessPolicy``):
    the roles of guest collections, who may see one, and group memberships."""

    @property
    def store(self) -> RoleStore: ...
    def effective_roles(self, collection: Collection, identity_id: str) -> list[str]: ...
    def may_see(self, collection: Collection, identity_id: str) -> bool: ...
    def record_owner(self, collection_id: str, identity_id: str) -> object: ...
    def member_of(self, group_id: str, identity_id: str) -> bool: ...


class LiveTask(Protocol):
    """An unfinished Transfer task (``transfer.model.Task``): its document."""

    @property
    def doc(self) -> dict[str, Any]: ...


def clean_fields(body: dict[str, Any]) -> dict[str, Any]:
    """The settable fields of a request body, type-checked (400 for a wrong type)."""
    fields: dict[str, Any] = {}
    for name, types in SETTABLE.items():
        if name not in body:
            continue
        value: Any = body[name]
        if not isinstance(value, types) or (name == "display_name" and not str(value).strip()):
            raise bad_request(f"Invalid value for '{name}': {value!r}")
        if isinstance(value, list) and not all(isinstance(k, str) for k in value):
            raise bad_request("'keywords' must be a list of strings")
        fields[name] = value
    return fields


def with_fields(collection: Collection, fields: dict[str, Any]) -> Collection:
    """The collection as Transfer sees it with ``fields`` set (the rest are GCS's alone)."""
    changes: dict[str, Any] = {}
    if "display_name" in fields:
        changes["display_name"] = fields["display_name"]
    if "description" in fields:
        changes["description"] = fields["description"] or ""
    if "keywords" in fields:
        changes["keywords"] = ",".join(fields["keywords"] or [])
    if "public" in fields:
        changes["public"] = fields["public"]
    if fields.get("organization"):
        changes["organization"] = fields["organization"]
    if fields.get("contact_email"):
        changes["contact_email"] = fields["contact_email"]
    if fields.get("default_directory"):
        changes["default_directory"] = fields["default_directory"]
    return dataclasses.replace(collection, **changes) if changes else collection


def _principal(urn: Any) -> tuple[str, str]:
    """``(principal_type, id)`` of a role's principal URN (400 for anything else)."""
    if isinstance(urn, str):
        for prefix, kind in ((IDENTITY_URN, "identity"), (GROUP_URN, "group")):
            if urn.startswith(prefix):
                try:
                    return kind, str(uuid.UUID(urn[len(prefix) :]))
                except ValueError:
                    break
    raise bad_request(
        f"Invalid principal {urn!r}: expected urn:globus:auth:identity:<id> "
        "or urn:globus:groups:id:<id>"
    )


def _urn(principal_type: str, principal: str) -> str:
    return (GROUP_URN if principal_type == "group" else IDENTITY_URN) + principal


class GCSService:
    """Every endpoint's GCS Manager, on the service's world and database.

    ``access`` (Transfer's access policy: the roles of guest collections) and
    ``active_tasks`` (Transfer's unfinished tasks) are given once Transfer is built.
    """

    def __init__(
        self,
        settings: SimSettings,
        world: World,
        db: Database,
        username_of: Callable[[str], str],
    ) -> None:
        self.settings = settings
        self.world = world
        self.username_of = username_of
        self.store = GCSStore(db)
        self.access: GuestAccess | None = None
        self.active_tasks: Callable[[], Iterable[LiveTask]] = list
        self._restore()

    # -- the world's collections ------------------------------------------------------------

    def _restore(self) -> None:
        """Put the guest collections made here, and the changes made here, into the world."""
        collections = dict(self.world.collections)
        for record in self.store.records():
            if record.made_here:
                mapped = collections.get(record.mapped_collection_id or "")
                if mapped is None or mapped.entity_type != MAPPED:
                    log.warning("guest collection %s has no mapped collection", record)
                    continue
                collections[record.collection_id] = self._guest_from(record, mapped)
            elif record.collection_id in collections:
                base = collections[record.collection_id]
                collections[record.collection_id] = with_fields(base, record.fields)
        self.world.collections = collections

    def _put_in_world(self, collection: Collection) -> None:
        self.world.collections = {**self.world.collections, collection.id: collection}

    def _take_from_world(self, collection_id: str) -> None:
        self.world.collections = {
            cid: c for cid, c in self.world.collections.items() if cid != collection_id
        }

    def _guest_from(self, record: CollectionRecord, mapped: Collection) -> Collection:
        identity = record.identity_id or ""
        username = self.username_of(identity)
        base = (record.collection_base_path or "/").strip("/")
        guest = Collection(
            record.collection_id,
            str(record.fields.get("display_name") or record.collection_id),
            f"{mapped.owner_id}#{record.collection_id}",
            GUEST,
            mapped.owner_id,
            username,
            mapped.root / base if base else mapped.root,
            organization=mapped.organization,
            default_directory="/",
            home="/",
            host_endpoint_id=mapped.id,
            gcs_manager_url=mapped.gcs_manager_url,
            contact_email=mapped.contact_email,
            owner_identity_id=identity,
        )
        return with_fields(guest, record.fields)

    # -- lookups ------------------------------------------------------------------------------

    def endpoint(self, endpoint_id: str) -> GCSEndpoint:
        endpoint = self.world.endpoints.get(endpoint_id)
        if endpoint is None:
            raise not_found(f"No GCS Manager for endpoint '{endpoint_id}'")
        return endpoint

    def collections_of(self, endpoint: GCSEndpoint) -> list[Collection]:
        """The endpoint's mapped and guest collections, mapped ones first."""
        mine = [
            c
            for c in self.world.collections.values()
            if c.owner_id == endpoint.id and c.entity_type in (MAPPED, GUEST)
        ]
        return sorted(mine, key=lambda c: c.entity_type != MAPPED)

    def collection(self, endpoint: GCSEndpoint, collection_id: str) -> Collection:
        found = self.world.collections.get(collection_id)
        on_endpoint = found is not None and found.owner_id == endpoint.id
        if found is None or not on_endpoint or found.entity_type not in (MAPPED, GUEST):
            raise not_found(f"Collection '{collection_id}' not found on this endpoint")
        return found

    def identities(self, identity_id: str) -> frozenset[str]:
        """The identity and those linked to it."""
        return frozenset({identity_id, *(u.id for u in self.world.identity_set(identity_id))})

    # -- who may do what --------------------------------------------------------------------

    def _names_me(self, principal: str, me: frozenset[str]) -> bool:
        if principal.startswith(IDENTITY_URN):
            return principal[len(IDENTITY_URN) :] in me
        return False

    def endpoint_roles_of(self, endpoint: GCSEndpoint, identity_id: str) -> set[str]:
        me = self.identities(identity_id)
        return {r.role for r in self.store.roles(endpoint.id) if self._names_me(r.principal, me)}

    def is_endpoint_admin(self, endpoint: GCSEndpoint, identity_id: str) -> bool:
        return bool(ADMINISTERING & self.endpoint_roles_of(endpoint, identity_id))

    def collection_roles_of(self, collection: Collection, identity_id: str) -> set[str]:
        """The roles the identity holds on the collection (Transfer's for a guest one)."""
        if collection.entity_type == GUEST:
            if self.access is not None:
                return set(self.access.effective_roles(collection, identity_id))
            owner = collection.owner_identity_id in self.identities(identity_id)
            return {"administrator"} if owner else set()
        me = self.identities(identity_id)
        return {
            r.role
            for r in self.store.roles(collection.owner_id, collection.id)
            if self._names_me(r.principal, me)
        }

    def administers(self, endpoint: GCSEndpoint, collection: Collection, identity_id: str) -> bool:
        return self.is_endpoint_admin(endpoint, identity_id) or (
            "administrator" in self.collection_roles_of(collection, identity_id)
        )

    def sees(self, endpoint: GCSEndpoint, collection: Collection, identity_id: str) -> bool:
        if collection.public or collection.can_access(identity_id):
            return True
        if self.access is not None and self.access.may_see(collection, identity_id):
            return True
        return self.administers(endpoint, collection, identity_id) or bool(
            self.collection_roles_of(collection, identity_id)
        )

    # -- documents ----------------------------------------------------------------------------

    def document(
        self, endpoint: GCSEndpoint, collection: Collection, *, private: bool = False
    ) -> dict[str, Any]:
        record = self.store.record(collection.id)
        fields = record.fields if record is not None else {}
        extra = {k: v for k, v in fields.items() if k in SETTABLE}
        if record is not None and record.made_here:
            return documents.collection_doc(
                collection,
                endpoint,
                created_at=record.created_at,
                user_credential=record.user_credential_id,
                collection_base_path=record.collection_base_path or "/",
                extra=extra,
                private=private,
            )
        if collection.entity_type == GUEST:
            owner = collection.owner_identity_id
            return documents.collection_doc(
                collection,
                endpoint,
                created_at=None,
                user_credential=documents.user_credential_id(endpoint.id, owner),
                collection_base_path=DEMO_GUEST_BASE_PATH,
                extra=extra,
                private=private,
            )
        return documents.collection_doc(
            collection, endpoint, created_at=None, extra=extra, private=private
        )

    def collection_list(
        self,
        endpoint: GCSEndpoint,
        caller: Caller,
        *,
        filters: set[str],
        mapped_collection_id: str | None,
    ) -> list[Collection]:
        """The collections of the endpoint the caller may see, filtered as asked."""
        me = caller.identity_id
        mine = self.identities(me)
        found = []
        for c in self.collections_of(endpoint):
            if not self.sees(endpoint, c, me):
                continue
            if "mapped_collections" in filters and c.entity_type != MAPPED:
                continue
            if "guest_collections" in filters and c.entity_type != GUEST:
                continue
            if "created_by_me" in filters and c.owner_identity_id not in mine:
                continue
            if "managed_by_me" in filters and not (
                self.is_endpoint_admin(endpoint, me) or self.collection_roles_of(c, me)
            ):
                continue
            if mapped_collection_id is not None and c.host_endpoint_id != mapped_collection_id:
                continue
            found.append(c)
        return found

    # -- making, changing and deleting guest collections ------------------------------------

    def create_guest(
        self, endpoint: GCSEndpoint, caller: Caller, body: dict[str, Any]
    ) -> Collection:
        data_type = body.get("DATA_TYPE")
        if not isinstance(data_type, str) or not data_type.startswith("collection#1."):
            raise bad_request(f"Invalid DATA_TYPE {data_type!r}: expected collection#1.x.0")
        kind = body.get("collection_type")
        if kind == "mapped":
            raise permission_denied(
                "Mapped collections are made by the endpoint's administrators on its "
                "storage gateways; this demo endpoint's mapped collections are fixed"
            )
        if kind != "guest":
            raise bad_request(f"Invalid collection_type {kind!r}: expected 'guest'")
        me = caller.identity_id
        mapped_id = body.get("mapped_collection_id")
        if not isinstance(mapped_id, str):
            raise bad_request("mapped_collection_id is required for a guest collection")
        mapped = self.world.collections.get(mapped_id)
        if mapped is None or mapped.owner_id != endpoint.id or mapped.entity_type != MAPPED:
            raise not_found(f"Mapped collection '{mapped_id}' not found on this endpoint")
        if not self.sees(endpoint, mapped, me):
            raise permission_denied(f"You may not use mapped collection '{mapped_id}'")
        identity = body.get("identity_id") or me
        if identity not in self.identities(me):
            raise permission_denied(
                "A guest collection is owned by the identity that makes it: "
                f"identity_id {identity!r} is not one of yours"
            )
        credential = body.get("user_credential_id")
        if credential != documents.user_credential_id(endpoint.id, identity):
            raise bad_request(
                f"user_credential_id {credential!r} is not a user credential of identity "
                f"{identity} on storage gateway {documents.storage_gateway_id(endpoint.id)}"
            )
        base_path = body.get("collection_base_path")
        if not isinstance(base_path, str) or not base_path.strip():
            raise bad_request("collection_base_path is required for a guest collection")
        fields = clean_fields(body)
        if "display_name" not in fields:
            raise bad_request("display_name is required")
        faults = self.settings.faults
        if mapped.id in faults.consent_collections and not caller.has_data_access(mapped.id):
            scope = f"{manage_collections_scope(endpoint.id)}[*{data_access_scope(mapped.id)}]"
            raise consent_required(
                scope,
                f"Making a guest collection on '{mapped.display_name}' needs consent to "
                "access its data (data_access) for this endpoint's GCS Manager",
            )
        path = self._existing_folder(mapped, base_path)
        record = CollectionRecord(
            str(uuid.uuid4()),
            endpoint.id,
            "guest",
            mapped.id,
            identity,
            credential,
            path,
            iso_time(),
            fields,
        )
        self.store.put(record)
        guest = self._guest_from(record, mapped)
        self._put_in_world(guest)
        self.record_administrator(guest, identity)
        return guest

    def record_administrator(self, guest: Collection, identity_id: str) -> None:
        """The creator of a guest collection administers it: Transfer keeps the roles of
        guest collections (``AccessPolicy.record_owner``), which this role API shares."""
        if self.access is not None:
            self.access.record_owner(guest.id, identity_id)

    def _existing_folder(self, mapped: Collection, base_path: str) -> str:
        """The normalized ``collection_base_path`` (``/a/b/``) of a folder of the mapped
        collection's storage (its root path is ``/``), or 400."""
        normal = posixpath.normpath("/" + base_path.strip().lstrip("/"))
        folder = normal if normal.endswith("/") else normal + "/"
        if self.settings.faults.is_denied(mapped.id, folder):
            raise permission_denied(f"Permission denied on '{folder}'")
        root = Path(os.path.realpath(mapped.root))
        real = Path(os.path.realpath(root / normal.lstrip("/")))
        if real != root and root not in real.parents:
            raise bad_request(f"collection_base_path '{base_path}' is outside the collection")
        if not real.is_dir():
            raise bad_request(
                f"collection_base_path '{base_path}' is not a folder of '{mapped.display_name}'"
            )
        return folder

    def update(
        self,
        endpoint: GCSEndpoint,
        caller: Caller,
        collection: Collection,
        body: dict[str, Any],
    ) -> Collection:
        if not self.administers(endpoint, collection, caller.identity_id):
            raise permission_denied(
                f"Only an administrator of collection '{collection.id}' may change it"
            )
        kind = "guest" if collection.entity_type == GUEST else "mapped"
        if body.get("collection_type", kind) != kind:
            raise bad_request(f"collection_type of a {kind} collection cannot change")
        record = self.store.record(collection.id) or CollectionRecord(
            collection.id, endpoint.id, kind, None, None, None, None, iso_time(), {}
        )
        current = self.document(endpoint, collection)
        for name in FIXED:
            if name in body and body[name] != current.get(name):
                raise bad_request(f"'{name}' of a collection cannot change")
        fields = clean_fields(body)
        record = dataclasses.replace(record, fields={**record.fields, **fields})
        self.store.put(record)
        if record.made_here:
            mapped = self.world.collections[record.mapped_collection_id or ""]
            changed = self._guest_from(record, mapped)
        else:
            changed = with_fields(collection, fields)
        self._put_in_world(changed)
        return changed

    def delete(self, endpoint: GCSEndpoint, caller: Caller, collection: Collection) -> None:
        if not self.administers(endpoint, collection, caller.identity_id):
            raise permission_denied(
                f"Only an administrator of collection '{collection.id}' may delete it"
            )
        record = self.store.record(collection.id)
        if collection.entity_type == MAPPED:
            raise conflict(
                f"Collection '{collection.display_name}' is delete_protected: "
                "turn delete protection off first"
            )
        if record is None or not record.made_here:
            raise conflict(
                f"Collection '{collection.display_name}' belongs to the demo world and "
                "cannot be deleted"
            )
        if self._in_use(collection.id):
            raise conflict(
                f"Collection '{collection.display_name}' is used by a task that has not "
                "finished: cancel it or wait for it first"
            )
        self.store.delete(collection.id)
        if self.access is not None:
            self.access.store.forget_collection(collection.id)
        self._take_from_world(collection.id)

    def _in_use(self, collection_id: str) -> bool:
        return any(
            collection_id in (t.doc.get("source_endpoint_id"), t.doc.get("destination_endpoint_id"))
            for t in self.active_tasks()
        )

    # -- roles ----------------------------------------------------------------------------------

    def _guest_role_docs(self, collection: Collection) -> list[tuple[dict[str, Any], str]]:
        """A guest collection's roles (Transfer's), as GCS documents with the principal."""
        if self.access is None:
            return []
        return [
            (
                {
                    "DATA_TYPE": "role#1.0.0",
                    "id": r.id,
                    "collection": collection.id,
                    "principal": _urn(r.principal_type, r.principal),
                    "role": r.role,
                },
                r.principal_type,
            )
            for r in self.access.store.roles_of(collection.id)
        ]

    def _role_names_me(self, doc: dict[str, Any], principal_type: str, identity_id: str) -> bool:
        principal = str(doc["principal"])
        if principal_type == "group" or principal.startswith(GROUP_URN):
            if self.access is None:
                return False
            group = principal[len(GROUP_URN) :]
            return any(self.access.member_of(group, i) for i in self.identities(identity_id))
        return self._names_me(principal, self.identities(identity_id))

    def role_list(
        self,
        endpoint: GCSEndpoint,
        caller: Caller,
        collection_id: str | None,
        *,
        all_roles: bool,
    ) -> list[dict[str, Any]]:
        """The roles on the endpoint, or on one of its collections: the caller's own, or every
        one (``all_roles``, for those who administer it)."""
        me = caller.identity_id
        if collection_id is None:
            docs = [(r.to_doc(), "identity") for r in self.store.roles(endpoint.id)]
            administers = self.is_endpoint_admin(endpoint, me)
        else:
            collection = self.collection(endpoint, collection_id)
            if not self.sees(endpoint, collection, me):
                raise permission_denied(f"You may not see collection '{collection_id}'")
            if collection.entity_type == GUEST:
                docs = self._guest_role_docs(collection)
            else:
                roles = self.store.roles(endpoint.id, collection.id)
                docs = [(r.to_doc(), "identity") for r in roles]
            administers = self.administers(endpoint, collection, me)
        if all_roles:
            if not administers:
                raise permission_denied("Only administrators may list every role")
            return [d for d, _ in docs]
        return [d for d, kind in docs if self._role_names_me(d, kind, me)]

    def create_role(
        self, endpoint: GCSEndpoint, caller: Caller, body: dict[str, Any]
    ) -> dict[str, Any]:
        data_type = body.get("DATA_TYPE", "role#1.0.0")
        if not isinstance(data_type, str) or not data_type.startswith("role#1."):
            raise bad_request(f"Invalid DATA_TYPE {data_type!r}: expected role#1.0.0")
        principal_type, principal = _principal(body.get("principal"))
        role = body.get("role")
        collection_id = body.get("collection")
        me = caller.identity_id
        if collection_id is None:
            if role not in ENDPOINT_ROLES:
                raise bad_request(f"Invalid endpoint role {role!r}")
            if not self.is_endpoint_admin(endpoint, me):
                raise permission_denied("Only the endpoint's administrators may give it roles")
            if principal_type != "identity" and role == "owner":
                raise bad_request("The owner of an endpoint is an identity")
            made = self.store.add_role(endpoint.id, "", _urn(principal_type, principal), role)
            return made.to_doc()
        if not isinstance(collection_id, str):
            raise bad_request(f"Invalid collection {collection_id!r}")
        collection = self.collection(endpoint, collection_id)
        if role not in COLLECTION_ROLES:
            raise bad_request(f"Invalid collection role {role!r}")
        if not self.administers(endpoint, collection, me):
            raise permission_denied(
                f"Only an administrator of collection '{collection_id}' may give it roles"
            )
        if collection.entity_type != GUEST:
            urn = _urn(principal_type, principal)
            return self.store.add_role(endpoint.id, collection.id, urn, role).to_doc()
        if self.access is None:
            raise GCSError(503, "unavailable", "Roles of guest collections are not available")
        for doc, _ in self._guest_role_docs(collection):
            if doc["principal"] == _urn(principal_type, principal) and doc["role"] == role:
                return doc
        made_role = self.access.store.add_role(collection.id, principal_type, principal, role)
        return {
            "DATA_TYPE": "role#1.0.0",
            "id": made_role.id,
            "collection": collection.id,
            "principal": _urn(principal_type, principal),
            "role": role,
        }

    def _find_role(
        self, endpoint: GCSEndpoint, role_id: str
    ) -> tuple[dict[str, Any], str, Collection | None]:
        """A role of the endpoint or of one of its collections: its document, the kind of its
        principal, and its collection (None for an endpoint role)."""
        found: GCSRole | None = self.store.role(endpoint.id, role_id)
        if found is not None:
            collection = self.world.collections.get(found.collection_id or "-")
            return found.to_doc(), "identity", collection
        for collection in self.collections_of(endpoint):
            if collection.entity_type != GUEST:
                continue
            for doc, kind in self._guest_role_docs(collection):
                if doc["id"] == role_id:
                    return doc, kind, collection
        raise not_found(f"Role '{role_id}' not found")

    def get_role(self, endpoint: GCSEndpoint, caller: Caller, role_id: str) -> dict[str, Any]:
        doc, kind, collection = self._find_role(endpoint, role_id)
        me = caller.identity_id
        allowed = (
            self._role_names_me(doc, kind, me)
            or self.is_endpoint_admin(endpoint, me)
            or (collection is not None and self.administers(endpoint, collection, me))
        )
        if not allowed:
            raise not_found(f"Role '{role_id}' not found")
        return doc

    def delete_role(self, endpoint: GCSEndpoint, caller: Caller, role_id: str) -> None:
        doc, _, collection = self._find_role(endpoint, role_id)
        me = caller.identity_id
        if collection is None:
            if not self.is_endpoint_admin(endpoint, me):
                raise permission_denied("Only the endpoint's administrators may remove its roles")
            owners = [r for r in self.store.roles(endpoint.id) if r.role == "owner"]
            if doc["role"] == "owner" and len(owners) <= 1:
                raise conflict("An endpoint must keep an owner: add another first")
            self.store.delete_role(role_id)
            return
        if not self.administers(endpoint, collection, me):
            raise permission_denied(
                f"Only an administrator of collection '{collection.id}' may remove its roles"
            )
        if collection.entity_type == GUEST and self.access is not None:
            self.access.store.delete_role(collection.id, role_id)
        else:
            self.store.delete_role(role_id)

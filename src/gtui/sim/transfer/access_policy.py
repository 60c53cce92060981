"""Who may see, read and write what on a collection: the world's word, roles, access rules.

Collections other than guest collections are as the world says (``Collection.can_access``):
whoever may use one reads and writes all of it. A guest collection also answers to its roles
and its access list:

- the identities the world lets in (``can_access``), and the collection's administrators and
  access managers (directly or through a group), read and write all of it;
- anyone else sees the collection while a live rule names them, and on each path holds the
  best permission (``r`` or ``rw``) of the live rules whose folder holds it: a rule on
  ``/results/`` covers ``/results`` and everything below, nothing above or beside it.

A rule names an identity (any identity of the caller's identity set), a group (its active
members, as the Groups service knows them), all authenticated users or anonymous (anyone with
a token: every caller here is logged in). Expired rules grant nothing from the second they
expire. The routes (``common.py``) and the engine (``jobs.py``) ask before they touch a path
(``restrictions`` once, then ``refusal`` per path), so a rule that changes mid-task stops the
task's next file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gtui.sim.groups import access as group_access
from gtui.sim.transfer.access_store import AccessRule, AccessStore, Role
from gtui.sim.world import Collection, World

if TYPE_CHECKING:
    from gtui.sim.groups.service import GroupsService

READ = "r"
WRITE = "rw"
GUEST = "GCSv5_guest_collection"
GCP = "GCP_mapped_collection"
MANAGING_ROLES = frozenset({"administrator", "access_manager"})

# Whether an identity is an active member of a group: (group_id, identity_id) -> bool.
MemberCheck = Callable[[str, str], bool]


def no_groups(group_id: str, identity_id: str) -> bool:
    return False


def group_members(groups: GroupsService) -> MemberCheck:
    """The Groups service's word on active membership (invited or pending members are not)."""

    def is_member(group_id: str, identity_id: str) -> bool:
        group = groups.groups.get(group_id)
        return group is not None and group_access.role(group, identity_id) is not None

    return is_member


def takes_rules(collection: Collection) -> bool:
    """Only guest collections have an access list."""
    return collection.entity_type == GUEST


def takes_roles(collection: Collection) -> bool:
    """Transfer keeps the roles of guest and Globus Connect Personal collections (a GCSv5
    mapped collection's roles live in its GCS Manager)."""
    return collection.entity_type in (GUEST, GCP)


def _folder(path: str) -> str:
    return path if path.endswith("/") else path + "/"


@dataclass(frozen=True)
class Grants:
    """What one identity holds on one collection: everything, or the rules that name it."""

    full: bool
    rules: tuple[tuple[str, str], ...] = ()

    def permission(self, path: str) -> str | None:
        """``rw``, ``r`` or None on a path (a normalized Globus path)."""
        if self.full:
            return WRITE
        folder = _folder(path)
        best: str | None = None
        for rule_path, permissions in self.rules:
            if folder.startswith(rule_path):
                if permissions == WRITE:
                    return WRITE
                best = READ
        return best

    @property
    def sees(self) -> bool:
        return self.full or bool(self.rules)


class AccessPolicy:
    """Decides access from the world, the stored roles and rules, and group memberships."""

    def __init__(self, world: World, store: AccessStore, member_of: MemberCheck = no_groups):
        self.world = world
        self.store = store
        self.member_of = member_of

    def identities(self, identity_id: str) -> frozenset[str]:
        """The caller's identity and those linked to it (rules name any of them)."""
        return frozenset({identity_id, *(u.id for u in self.world.identity_set(identity_id))})

    def _names(self, principal_type: str, principal: str, identities: frozenset[str]) -> bool:
        if principal_type == "identity":
            return principal in identities
        if principal_type == "group":
            return any(self.member_of(principal, i) for i in identities)
        return principal_type in ("all_authenticated_users", "anonymous")

    def roles(self, collection: Collection, identity_id: str) -> list[Role]:
        """The role assignments that name the identity (directly or through a group)."""
        if not takes_roles(collection):
            return []
        ids = self.identities(identity_id)
        return [
            r
            for r in self.store.roles_of(collection.id)
            if self._names(r.principal_type, r.principal, ids)
        ]

    def effective_roles(self, collection: Collection, identity_id: str) -> list[str]:
        """The names of the roles the identity holds; a Globus Connect Personal collection's
        owner administers it."""
        names = {r.role for r in self.roles(collection, identity_id)}
        if collection.entity_type == GCP and collection.owner_id == identity_id:
            names.add("administrator")
        return sorted(names)

    def is_administrator(self, collection: Collection, identity_id: str) -> bool:
        return "administrator" in self.effective_roles(collection, identity_id)

    def manages_access(self, collection: Collection, identity_id: str) -> bool:
        """Administrators and access managers read and change the access list."""
        return bool(MANAGING_ROLES & set(self.effective_roles(collection, identity_id)))

    def live_rules(self, collection: Collection, identity_id: str) -> list[AccessRule]:
        """The unexpired rules of the collection that name the identity."""
        ids = self.identities(identity_id)
        return [
            r
            for r in self.store.rules_of(collection.id)
            if self._names(r.principal_type, r.principal, ids)
        ]

    def grants(self, collection: Collection, identity_id: str) -> Grants:
        """What the identity holds on the collection right now (expired rules left out)."""
        if collection.can_access(identity_id):
            return Grants(full=True)
        if not takes_rules(collection):
            return Grants(full=False)
        if self.manages_access(collection, identity_id):
            return Grants(full=True)
        rules = tuple((r.path, r.permissions) for r in self.live_rules(collection, identity_id))
        return Grants(full=False, rules=rules)

    def may_see(self, collection: Collection, identity_id: str) -> bool:
        """Whether the collection exists for the identity (its document, its operations)."""
        if self.grants(collection, identity_id).sees:
            return True
        return bool(self.roles(collection, identity_id))

    def restrictions(self, collection: Collection, identity_id: str) -> Grants | None:
        """What limits the identity's paths on the collection, or None when nothing does (not
        a guest collection, or one the identity reads and writes all of). Cheap when None
        for the world's own users, so a caller asks it once before checking many paths."""
        if collection.can_access(identity_id) or not takes_rules(collection):
            return None
        grants = self.grants(collection, identity_id)
        return None if grants.full else grants

    def refusal(self, collection: Collection, limits: Grants, path: str, need: str) -> str | None:
        """Why ``limits`` do not allow ``need`` (``r`` or ``rw``) on ``path``, or None."""
        have = limits.permission(path)
        if have == WRITE or (have == READ and need == READ):
            return None
        where = f"'{path}' on '{collection.display_name}' ({collection.id})"
        if have == READ:
            return (
                f"Permission denied: {where} is shared with you read-only; "
                "ask the collection's administrator for read-write access"
            )
        verb = "read" if need == READ else "write"
        return (
            f"Permission denied: no access rule lets you {verb} {where}; "
            "ask the collection's administrator for access"
        )

    def denial(self, collection: Collection, identity_id: str, path: str, need: str) -> str | None:
        """Why the identity may not ``need`` (``r`` or ``rw``) ``path``, or None if it may."""
        limits = self.restrictions(collection, identity_id)
        return None if limits is None else self.refusal(collection, limits, path, need)

    def shared_with(self, identity_id: str) -> list[Collection]:
        """The guest collections a live rule shares with the identity (not its own ones)."""
        return [
            c
            for c in self.world.collections.values()
            if takes_rules(c)
            and not c.can_access(identity_id)
            and not self.manages_access(c, identity_id)
            and self.live_rules(c, identity_id)
        ]

    def record_owner(self, collection_id: str, identity_id: str) -> Role:
        """The owner of a new collection administers it (see ``AccessStore.record_owner``)."""
        return self.store.record_owner(collection_id, identity_id)

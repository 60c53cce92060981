"""Auth's consents API: an identity's consent trees, rebuilt from its tokens that still work.

Every top-level scope of a live token is the root of a tree (what the person let the client
do); each dependency is a node below it (what the service above may do in turn: Transfer
acting for Timers, a collection's ``data_access`` for Transfer). Rebuilt on each call, a
consent withdrawn from every token, or whose tokens have all ended, is simply gone, as on
Globus Auth's consents page. Ids are derived from the tree path, so they are stable between
calls and the SDK's ``to_forest()`` can join each node to its parent.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from gtui.sim.auth.bearer import require_caller
from gtui.sim.auth.scopes import (
    AUTH_RS,
    VIEW_CONSENTS,
    Scope,
    ScopeError,
    parse_scopes,
    resource_server_of,
)
from gtui.sim.auth.tokens import LiveGrant
from gtui.sim.context import context_of
from gtui.sim.errors import SimAPIError

_IDS = uuid.UUID("3b0c1f62-5d0e-4d55-9c55-5a7e0c2f9d41")  # namespace of the derived ids
_TRUE = {"true", "1", "yes"}


@dataclass
class _Node:
    """One consent: a client allowed one scope, below the consents in its path."""

    client: str
    scope_name: str
    created: int
    last_used: int
    allows_refresh: bool = False
    children: dict[str, _Node] = field(default_factory=dict)

    def absorb(self, scope: Scope, grant: LiveGrant) -> None:
        """Count ``grant`` as carrying this consent and, below it, ``scope``'s dependencies."""
        self.created = min(self.created, grant.issued_at)
        self.last_used = max(self.last_used, grant.issued_at)
        self.allows_refresh = self.allows_refresh or grant.refreshable
        for dep in scope.dependencies:
            child = self.children.get(dep.name)
            if child is None:
                child = _Node(service_client(self.scope_name), dep.name, grant.issued_at, 0)
                self.children[dep.name] = child
            child.absorb(dep, grant)


def service_client(scope_name: str) -> str:
    """The client a service acts as when it uses a dependent consent: a service named by a
    UUID is its own client; the named ones get a stable UUID of their name."""
    try:
        resource_server = resource_server_of(scope_name)
    except ScopeError:
        resource_server = scope_name
    try:
        return str(uuid.UUID(resource_server))
    except ValueError:
        return str(uuid.uuid5(_IDS, resource_server))


def scope_id(scope_name: str) -> str:
    """A stable id per scope name (Auth gives each scope a UUID)."""
    return str(uuid.uuid5(_IDS, f"scope:{scope_name}"))


def consent_id(identity_id: str, client: str, path: tuple[str, ...]) -> int:
    """A stable integer id for the consent at ``path`` (scope names from the root)."""
    key = "\n".join((identity_id, client, *path)).encode("utf-8")
    return int.from_bytes(hashlib.sha256(key).digest()[:6], "big")


def _when(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).isoformat()


def consent_documents(
    identity_id: str, grants: Iterable[LiveGrant], client_id: str | None = None
) -> list[dict[str, Any]]:
    """Every node of the identity's consent trees (of one client's roots, or all), parents
    before their children, in the shape of ``GET /v2/api/identities/{id}/consents``."""
    roots: dict[tuple[str, str], _Node] = {}
    for grant in grants:
        if client_id is not None and grant.client_id != client_id:
            continue
        for scope in parse_scopes(grant.scope):
            key = (grant.client_id, scope.name)
            if key not in roots:
                roots[key] = _Node(grant.client_id, scope.name, grant.issued_at, 0)
            roots[key].absorb(scope, grant)
    documents: list[dict[str, Any]] = []
    for node in sorted(roots.values(), key=lambda n: (n.created, n.client, n.scope_name)):
        _emit(identity_id, node.client, node, (), [], documents)
    return documents


def _emit(
    identity_id: str,
    root_client: str,
    node: _Node,
    path: tuple[str, ...],
    ids: list[int],
    out: list[dict[str, Any]],
) -> None:
    path = (*path, node.scope_name)
    dependency_path = [*ids, consent_id(identity_id, root_client, path)]
    out.append(
        {
            "id": dependency_path[-1],
            "scope_name": node.scope_name,
            "scope": scope_id(node.scope_name),
            "dependency_path": dependency_path,
            "client": node.client,
            "effective_identity": identity_id,
            "status": "approved",
            "created": _when(node.created),
            "updated": _when(node.created),
            "last_used": _when(node.last_used),
            "allows_refresh": node.allows_refresh,
            # A client acting as itself approves its own grants.
            "auto_approved": node.client == identity_id,
            # This service lets a person withdraw a data_access consent alone.
            "atomically_revocable": node.scope_name.endswith("/data_access"),
        }
    )
    for child in sorted(node.children.values(), key=lambda c: c.scope_name):
        _emit(identity_id, root_client, child, path, dependency_path, out)


async def consents(request: Request) -> JSONResponse:
    """The caller's own consents: those rooted at the calling client, or with ``all=true``
    (which needs ``view_consents``, as the SDK documents) those of every client."""
    ctx = context_of(request)
    caller = require_caller(request, AUTH_RS)
    identity_id = request.path_params["identity_id"]
    if identity_id != caller.identity_id:
        raise SimAPIError(403, "FORBIDDEN", "You may only view your own consents")
    every_client = request.query_params.get("all", "").lower() in _TRUE
    if every_client and VIEW_CONSENTS not in caller.scopes:
        raise SimAPIError(403, "FORBIDDEN", "Viewing all consents needs the view_consents scope")
    grants = ctx.auth.live_grants(identity_id)
    client_id = None if every_client else caller.client_id
    return JSONResponse({"consents": consent_documents(identity_id, grants, client_id)})

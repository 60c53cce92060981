"""Whether the user already consented to a scope, dependencies included: a consent forest.

Globus Auth's ``get_consents`` lists one entry per node of the user's consent trees; an entry's
``dependency_path`` runs from its tree's root to itself. A scope requirement such as
``timer[transfer:all[*data_access]]`` is met when some tree has a root with that scope whose
children meet each dependency in turn (the Globus SDK's ``ConsentForest``). Asking first
lets gtui create a timer without a consent error half way through, and say why it asks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from gtui.core.auth import AuthClient
from gtui.core.errors import AuthAPIError, MalformedResponseError
from gtui.core.http import malformed_error
from gtui.core.response import GlobusResponse
from gtui.core.scopes import Scope

# Other statuses (a consent withdrawn, say) grant nothing, although Auth may still list them.
_GRANTING = frozenset({"approved"})


@dataclass(frozen=True)
class Consent:
    """One node of a consent tree: a scope the user granted to a client, along a path."""

    id: int
    scope_name: str
    dependency_path: tuple[int, ...]
    status: str | None = None
    client: str | None = None
    scope: str | None = None

    @classmethod
    def from_document(cls, doc: Any, *, response: httpx.Response | None = None) -> Consent:
        """Read one entry; a missing id, scope name or path, or a wrong type, is malformed."""

        def malformed(reason: str) -> MalformedResponseError:
            return malformed_error(AuthAPIError, response or httpx.Response(200), reason)

        if not isinstance(doc, Mapping):
            raise malformed("a consent is not a JSON object")
        ident, name, path = doc.get("id"), doc.get("scope_name"), doc.get("dependency_path")
        if isinstance(ident, bool) or not isinstance(ident, int):
            raise malformed("a consent's id is not a number")
        if not isinstance(name, str):
            raise malformed(f"consent {ident} has no scope_name")
        if not isinstance(path, list) or not path or not all(_is_int(p) for p in path):
            raise malformed(f"consent {ident}'s dependency_path is not a list of ids")
        optional = {key: doc.get(key) for key in ("status", "client", "scope")}
        if any(value is not None and not isinstance(value, str) for value in optional.values()):
            raise malformed(f"consent {ident} has a status, client or scope that is not text")
        return cls(ident, name, tuple(path), **optional)

    @property
    def grants(self) -> bool:
        return self.status is None or self.status in _GRANTING


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class ConsentForest:
    """Every consent tree of one identity (for this client), for `meets_scope_requirements`.

    A node whose parent is not listed is unreachable rather than an error: the answer is then
    "not met", and asking for a consent the user already gave costs one click.
    """

    def __init__(self, consents: Iterable[Consent]) -> None:
        self.nodes: dict[int, Consent] = {node.id: node for node in consents}
        self.children: dict[int, list[Consent]] = {ident: [] for ident in self.nodes}
        self.roots: list[Consent] = []
        for node in self.nodes.values():
            if len(node.dependency_path) == 1:
                self.roots.append(node)
            elif node.dependency_path[-2] in self.children:
                self.children[node.dependency_path[-2]].append(node)

    @classmethod
    def from_response(cls, response: GlobusResponse) -> ConsentForest:
        """The forest of a ``get_consents`` answer (``{"consents": [...]}``)."""
        raw = response.raw_response
        return cls(Consent.from_document(d, response=raw) for d in response.documents("consents"))

    def meets_scope_requirements(
        self, required_scopes: str | Scope | Iterable[str | Scope]
    ) -> bool:
        """True when every scope (with its dependencies, optional ones too) is consented to.

        Strings are parsed, so ``"a[b c] d"`` is two requirements, ``a`` needing ``b`` and ``c``.
        """
        return all(
            any(self._meets(root, scope) for root in self.roots)
            for scope in _scopes(required_scopes)
        )

    def _meets(self, node: Consent, scope: Scope) -> bool:
        if node.scope_name != scope.scope_string or not node.grants:
            return False
        children = self.children.get(node.id, [])
        return all(
            any(self._meets(child, dependency) for child in children)
            for dependency in scope.dependencies
        )


def _scopes(required: str | Scope | Iterable[str | Scope]) -> list[Scope]:
    if isinstance(required, Scope):
        return [required]
    if isinstance(required, str):
        return Scope.parse(required)
    found: list[Scope] = []
    for item in required:
        found.extend(Scope.parse(item) if isinstance(item, str) else [item])
    return found


def meets_scope_requirements(
    consents: GlobusResponse | ConsentForest,
    required_scopes: str | Scope | Iterable[str | Scope],
) -> bool:
    """Whether a ``get_consents`` answer (or its forest) covers every required scope."""
    forest = (
        consents if isinstance(consents, ConsentForest) else ConsentForest.from_response(consents)
    )
    return forest.meets_scope_requirements(required_scopes)


async def consent_forest(auth: AuthClient, identity_id: str) -> ConsentForest:
    """The identity's consents to this client, as a forest."""
    return ConsentForest.from_response(await auth.get_consents(identity_id))

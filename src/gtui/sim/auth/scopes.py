"""Scope strings: parsing (with dependent scopes in brackets), validation, resource servers.

``urn:globus:auth:scope:transfer.api.globus.org:all[*https://auth.globus.org/scopes/ID/data_access]``
is the Transfer scope with an optional dependency on one collection's ``data_access`` scope;
``TIMER_SCOPE[<that>]`` lets Timers act through Transfer;
``https://auth.globus.org/scopes/ENDPOINT_ID/manage_collections[*<a data_access>]`` lets a
GCSv5 endpoint's GCS Manager act on one of its mapped collections' data (a guest collection is
made with it). Globus Flows' own scopes are URL-form names of its resource server; each
flow has a scope of its own, ``https://auth.globus.org/scopes/FLOW/flow_FLOW_user`` (the id
with underscores), whose resource server is the flow: a flow made at any time has one, so they
are recognised by their shape, and one may carry Transfer's scope (with ``data_access`` below
it) for the transfers the flow makes. Names are stored in one canonical form (URN for the
named services, URL for Timers, Flows, collections and endpoints), because consents and
``meets_scope_requirements`` compare names as plain strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from gtui.sim.ids import ARCHIVE_ENDPOINT_ID, ARCHIVE_ID, SCRATCH_ENDPOINT_ID, SCRATCH_ID

AUTH_RS = "auth.globus.org"
TRANSFER_RS = "transfer.api.globus.org"
GROUPS_RS = "groups.api.globus.org"
SEARCH_RS = "search.api.globus.org"
TIMER_RS = "524230d7-ea86-4a52-8312-86065a9e0417"
FLOWS_CLIENT_ID = "eec9b274-0c81-4334-bdc2-54e90e689b9a"
# Flows names its scopes after its client id but files its tokens under a domain name (as the
# SDK's and the CLI's token stores expect): the one service that breaks the convention.
FLOWS_RS = "flows.globus.org"
FLOWS_SCOPE_NAMES = ("all", "manage_flows", "view_flows", "run", "run_status", "run_manage")

OIDC_SCOPES = frozenset({"openid", "profile", "email"})
TRANSFER_ALL = f"urn:globus:auth:scope:{TRANSFER_RS}:all"
TIMER_SCOPE = f"https://auth.globus.org/scopes/{TIMER_RS}/timer"
VIEW_CONSENTS = f"urn:globus:auth:scope:{AUTH_RS}:view_consents"
SCOPE_NAMES = {
    AUTH_RS: ("view_identities", "view_identity_set", "view_consents"),
    TRANSFER_RS: ("all",),
    GROUPS_RS: ("all", "view_my_groups_and_memberships"),
    SEARCH_RS: ("all", "search", "ingest"),
}
# Services whose scopes Auth names in URL form (the SDK and CLI write them so).
URL_SCOPE_NAMES = {
    TIMER_RS: ("timer",),
    FLOWS_CLIENT_ID: FLOWS_SCOPE_NAMES,
    SCRATCH_ENDPOINT_ID: ("manage_collections",),
    ARCHIVE_ENDPOINT_ID: ("manage_collections",),
}
DATA_ACCESS_COLLECTIONS = frozenset({SCRATCH_ID, ARCHIVE_ID})
# Each GCSv5 endpoint's mapped collections, whose data_access its manage_collections may need.
ENDPOINT_COLLECTIONS = {SCRATCH_ENDPOINT_ID: (SCRATCH_ID,), ARCHIVE_ENDPOINT_ID: (ARCHIVE_ID,)}
_URL_FORM = re.compile(r"^https://auth\.globus\.org/scopes/([^/\s\[\]]+)/([^/\s\[\]]+)$")
_FLOW_ID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_FLOW_SCOPE = re.compile(
    rf"^https://auth\.globus\.org/scopes/({_FLOW_ID})/flow_([0-9a-f_]{{36}})_user$"
)
_URN_FORM = re.compile(r"^urn:globus:auth:scope:([^:\s\[\]]+):([^:\s\[\]]+)$")


class ScopeError(ValueError):
    """A scope string that cannot be parsed or names an unknown scope."""


@dataclass
class Scope:
    """One scope with its dependencies."""

    name: str
    optional: bool = False
    dependencies: list[Scope] = field(default_factory=list)

    def __str__(self) -> str:
        text = ("*" if self.optional else "") + self.name
        if self.dependencies:
            text += "[" + " ".join(str(d) for d in self.dependencies) + "]"
        return text

    def flatten(self) -> list[str]:
        """This scope and every dependency, nested ones included, without markers."""
        names = [self.name]
        for dep in self.dependencies:
            names.extend(dep.flatten())
        return names


def data_access_scope(collection_id: str) -> str:
    return f"https://auth.globus.org/scopes/{collection_id}/data_access"


def flows_scope(name: str) -> str:
    """One of the Flows service's own scopes (``all``, ``manage_flows``…), by its name."""
    return f"https://auth.globus.org/scopes/{FLOWS_CLIENT_ID}/{name}"


def flow_scope(flow_id: str) -> str:
    """A flow's own scope: what a person consents to so that the flow may act for them."""
    return f"https://auth.globus.org/scopes/{flow_id}/flow_{flow_id.replace('-', '_')}_user"


def flow_of_scope(name: str) -> str | None:
    """The flow whose own scope ``name`` is, if it is one."""
    match = _FLOW_SCOPE.match(name)
    if match is None or match.group(2) != match.group(1).replace("-", "_"):
        return None
    return match.group(1)


def parse_scopes(text: str) -> list[Scope]:
    """Parse a space-separated scope string with bracketed dependencies."""
    scopes, pos = _parse_list(text, 0, top=True)
    if pos != len(text):
        raise ScopeError(f"unexpected {text[pos]!r} in scope string")
    return scopes


def _parse_list(text: str, pos: int, *, top: bool) -> tuple[list[Scope], int]:
    scopes: list[Scope] = []
    while pos < len(text):
        char = text[pos]
        if char.isspace():
            pos += 1
            continue
        if char == "]":
            if top:
                raise ScopeError("unbalanced ']' in scope string")
            return scopes, pos
        optional = char == "*"
        if optional:
            pos += 1
        start = pos
        while pos < len(text) and not text[pos].isspace() and text[pos] not in "[]*":
            pos += 1
        name = text[start:pos]
        if not name:
            raise ScopeError("empty scope name in scope string")
        scope = Scope(name, optional)
        if pos < len(text) and text[pos] == "[":
            scope.dependencies, pos = _parse_list(text, pos + 1, top=False)
            if pos >= len(text) or text[pos] != "]":
                raise ScopeError("unbalanced '[' in scope string")
            pos += 1
        scopes.append(scope)
    if not top:
        raise ScopeError("unbalanced '[' in scope string")
    return scopes, pos


def canonical_name(name: str) -> str:
    """The URN form of named services' scopes given in URL form, the URL form of Timers'
    scopes given in URN form; other names unchanged."""
    match = _URL_FORM.match(name)
    if match and match.group(1) in SCOPE_NAMES:
        return f"urn:globus:auth:scope:{match.group(1)}:{match.group(2)}"
    urn = _URN_FORM.match(name)
    if urn and urn.group(1) in URL_SCOPE_NAMES:
        return f"https://auth.globus.org/scopes/{urn.group(1)}/{urn.group(2)}"
    return name


def resource_server_of(name: str) -> str:
    """The resource server a (known) scope belongs to; raises ScopeError for unknown scopes."""
    name = canonical_name(name)
    if name in OIDC_SCOPES:
        return AUTH_RS
    urn = _URN_FORM.match(name)
    if urn and urn.group(2) in SCOPE_NAMES.get(urn.group(1), ()):
        return urn.group(1)
    url = _URL_FORM.match(name)
    if url and url.group(2) in URL_SCOPE_NAMES.get(url.group(1), ()):
        return FLOWS_RS if url.group(1) == FLOWS_CLIENT_ID else url.group(1)
    if url and _is_data_access(name):
        return url.group(1)
    flow_id = flow_of_scope(name)
    if flow_id is not None:
        return flow_id
    raise ScopeError(f"Unknown scope: {name}")


def _is_data_access(name: str) -> bool:
    url = _URL_FORM.match(name)
    return (
        url is not None
        and url.group(2) == "data_access"
        and url.group(1) in DATA_ACCESS_COLLECTIONS
    )


def manage_collections_scope(endpoint_id: str) -> str:
    return f"https://auth.globus.org/scopes/{endpoint_id}/manage_collections"


def _may_depend(parent: str, child: str) -> bool:
    """Transfer may act on a collection's data; Timers and a flow may act through Transfer;
    a GCS Manager may act on its own mapped collections' data."""
    if parent == TRANSFER_ALL:
        return _is_data_access(child)
    for endpoint_id, collections in ENDPOINT_COLLECTIONS.items():
        if parent == manage_collections_scope(endpoint_id):
            return any(child == data_access_scope(c) for c in collections)
    if flow_of_scope(parent) is not None:
        return child == TRANSFER_ALL
    return parent == TIMER_SCOPE and child == TRANSFER_ALL


def _check_dependencies(scope: Scope) -> None:
    """Put every dependency's name in canonical form and refuse the ones not allowed."""
    for dep in scope.dependencies:
        given = dep.name
        dep.name = canonical_name(given)
        if not _may_depend(scope.name, dep.name):
            raise ScopeError(f"Unknown scope: {given} as a dependency of {scope.name}")
        _check_dependencies(dep)


def _merge(into: Scope, other: Scope) -> None:
    """Add ``other``'s dependencies to ``into`` (same scope), nested ones merged too: a
    dependency stays optional only if both asked for it as optional."""
    for dep in other.dependencies:
        same = next((d for d in into.dependencies if d.name == dep.name), None)
        if same is None:
            into.dependencies.append(dep)
        else:
            same.optional = same.optional and dep.optional
            _merge(same, dep)


def group_by_resource_server(text: str) -> dict[str, list[Scope]]:
    """Validate a requested scope string and group its scopes by resource server."""
    grouped: dict[str, dict[str, Scope]] = {}
    parsed = parse_scopes(text)
    if not parsed:
        raise ScopeError("no scope requested")
    for scope in parsed:
        scope.name = canonical_name(scope.name)
        scope.optional = False
        _check_dependencies(scope)
        bucket = grouped.setdefault(resource_server_of(scope.name), {})
        existing = bucket.get(scope.name)
        if existing is None:
            bucket[scope.name] = scope
        else:
            _merge(existing, scope)
    return {rs: list(scopes.values()) for rs, scopes in grouped.items()}


def scope_string(scopes: list[Scope]) -> str:
    return " ".join(str(s) for s in scopes)


def flatten_scope_string(text: str) -> frozenset[str]:
    """Every scope named in a stored scope string, dependencies included."""
    names: list[str] = []
    for scope in parse_scopes(text):
        names.extend(scope.flatten())
    return frozenset(names)


def without_scope(text: str, name: str) -> str:
    """A stored scope string with ``name`` left out wherever it appears (a dependency too),
    together with whatever depended on it there."""

    def kept(scopes: list[Scope]) -> list[Scope]:
        remaining = []
        for scope in scopes:
            if scope.name == name:
                continue
            scope.dependencies = kept(scope.dependencies)
            remaining.append(scope)
        return remaining

    return scope_string(kept(parse_scopes(text)))

"""Scope strings of the Globus services gtui uses, and dependent-scope building and parsing.

A dependent scope is written in brackets after its parent, a leading `*` marks it optional,
and dependencies nest (globus-api.md §1.6):
`urn:globus:auth:scope:transfer.api.globus.org:all[*https://auth.globus.org/scopes/<id>/data_access]`
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

AUTH_RESOURCE_SERVER = "auth.globus.org"
TRANSFER_RESOURCE_SERVER = "transfer.api.globus.org"
GROUPS_RESOURCE_SERVER = "groups.api.globus.org"
SEARCH_RESOURCE_SERVER = "search.api.globus.org"
TIMERS_RESOURCE_SERVER = "524230d7-ea86-4a52-8312-86065a9e0417"
# Flows breaks the convention: its tokens' resource server is a domain name, its scopes are
# named after its client id (SDK scopes/data/flows.py).
FLOWS_RESOURCE_SERVER = "flows.globus.org"
FLOWS_CLIENT_ID = "eec9b274-0c81-4334-bdc2-54e90e689b9a"


def urn_scope(resource_server: str, name: str) -> str:
    return f"urn:globus:auth:scope:{resource_server}:{name}"


def url_scope(resource_server: str, name: str) -> str:
    return f"https://auth.globus.org/scopes/{resource_server}/{name}"


class AuthScopes:
    resource_server = AUTH_RESOURCE_SERVER
    openid = "openid"
    profile = "profile"
    email = "email"
    view_identities = urn_scope(AUTH_RESOURCE_SERVER, "view_identities")
    view_identity_set = urn_scope(AUTH_RESOURCE_SERVER, "view_identity_set")
    view_consents = urn_scope(AUTH_RESOURCE_SERVER, "view_consents")


class TransferScopes:
    resource_server = TRANSFER_RESOURCE_SERVER
    all = urn_scope(TRANSFER_RESOURCE_SERVER, "all")


class GroupsScopes:
    resource_server = GROUPS_RESOURCE_SERVER
    all = urn_scope(GROUPS_RESOURCE_SERVER, "all")
    view_my_groups_and_memberships = urn_scope(
        GROUPS_RESOURCE_SERVER, "view_my_groups_and_memberships"
    )


class SearchScopes:
    resource_server = SEARCH_RESOURCE_SERVER
    all = urn_scope(SEARCH_RESOURCE_SERVER, "all")
    search = urn_scope(SEARCH_RESOURCE_SERVER, "search")
    ingest = urn_scope(SEARCH_RESOURCE_SERVER, "ingest")


class TimersScopes:
    resource_server = TIMERS_RESOURCE_SERVER
    timer = url_scope(TIMERS_RESOURCE_SERVER, "timer")


class FlowsScopes:
    resource_server = FLOWS_RESOURCE_SERVER
    all = url_scope(FLOWS_CLIENT_ID, "all")
    manage_flows = url_scope(FLOWS_CLIENT_ID, "manage_flows")
    view_flows = url_scope(FLOWS_CLIENT_ID, "view_flows")
    run = url_scope(FLOWS_CLIENT_ID, "run")
    run_status = url_scope(FLOWS_CLIENT_ID, "run_status")
    run_manage = url_scope(FLOWS_CLIENT_ID, "run_manage")


def flow_user_scope(flow_id: str) -> str:
    """The scope a flow's runs are started and resumed with; its resource server is the
    flow's id (``https://auth.globus.org/scopes/<id>/flow_<id with _>_user``)."""
    return url_scope(flow_id, f"flow_{flow_id.replace('-', '_')}_user")


OIDC_SCOPES = (AuthScopes.openid, AuthScopes.profile, AuthScopes.email)

# Timers acts for the user at Transfer, so its scope carries Transfer's as a dependency
# (globus-api.md §12); a timer on a collection needing data_access needs more, see
# `transfer_timer_scope`.
TIMER_TRANSFER_SCOPE = f"{TimersScopes.timer}[{TransferScopes.all}]"

DEFAULT_SCOPES: tuple[str, ...] = (
    *OIDC_SCOPES,
    AuthScopes.view_identities,
    TransferScopes.all,
    GroupsScopes.all,
    SearchScopes.all,
    TIMER_TRANSFER_SCOPE,
    FlowsScopes.all,
)


def data_access_scope(collection_id: str) -> str:
    """The `data_access` scope of a GCSv5 mapped collection."""
    return url_scope(collection_id, "data_access")


@dataclass(frozen=True)
class Scope:
    """One scope with its (possibly optional, possibly nested) dependencies."""

    scope_string: str
    optional: bool = False
    dependencies: tuple[Scope, ...] = field(default=())

    def __str__(self) -> str:
        text = ("*" if self.optional else "") + self.scope_string
        if self.dependencies:
            text += "[" + " ".join(str(dep) for dep in self.dependencies) + "]"
        return text

    def with_dependency(self, dependency: Scope | str) -> Scope:
        dep = Scope(dependency) if isinstance(dependency, str) else dependency
        return Scope(self.scope_string, self.optional, (*self.dependencies, dep))

    @classmethod
    def parse(cls, text: str) -> list[Scope]:
        """Parse a space-separated scope string, brackets and `*` included."""
        return _Parser(text).parse()

    @property
    def resource_server(self) -> str | None:
        return resource_server_of(self.scope_string)


class ScopeParseError(ValueError):
    """A scope string with unbalanced brackets or a misplaced `*`."""


_TOKEN = re.compile(r"\s*(\[|\]|\*|[^\s\[\]*]+)")


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = [m.group(1) for m in _TOKEN.finditer(text)]
        self.pos = 0

    def parse(self) -> list[Scope]:
        scopes = self._sequence(closing=False)
        if self.pos != len(self.tokens):
            raise ScopeParseError(f"unbalanced ']' in scope string {self.text!r}")
        return scopes

    def _sequence(self, closing: bool) -> list[Scope]:
        scopes: list[Scope] = []
        while self.pos < len(self.tokens):
            token = self.tokens[self.pos]
            if token == "]":
                if not closing:
                    raise ScopeParseError(f"unbalanced ']' in scope string {self.text!r}")
                return scopes
            scopes.append(self._scope())
        if closing:
            raise ScopeParseError(f"missing ']' in scope string {self.text!r}")
        return scopes

    def _scope(self) -> Scope:
        optional = False
        if self.tokens[self.pos] == "*":
            optional = True
            self.pos += 1
        if self.pos >= len(self.tokens) or self.tokens[self.pos] in "[]*":
            raise ScopeParseError(f"expected a scope at position {self.pos} in {self.text!r}")
        name = self.tokens[self.pos]
        self.pos += 1
        dependencies: list[Scope] = []
        if self.pos < len(self.tokens) and self.tokens[self.pos] == "[":
            self.pos += 1
            dependencies = self._sequence(closing=True)
            self.pos += 1
            if not dependencies:
                raise ScopeParseError(f"empty brackets after {name!r} in {self.text!r}")
        return Scope(name, optional, tuple(dependencies))


def _transfer_scope(collection_ids: Iterable[str]) -> Scope:
    scope = Scope(TransferScopes.all)
    for collection_id in dict.fromkeys(collection_ids):
        scope = scope.with_dependency(Scope(data_access_scope(collection_id), optional=True))
    return scope


def transfer_scope_with_data_access(collection_ids: Iterable[str]) -> str:
    """Transfer's `all` scope with optional `data_access` dependencies on the given collections."""
    return str(_transfer_scope(collection_ids))


def transfer_timer_scope(data_access_collection_ids: Iterable[str] = ()) -> str:
    """The scope a transfer timer's owner consents to: `timer[transfer:all[*data_access ...]]`.

    Pass only the collections that take a `data_access` consent (non high-assurance GCSv5
    mapped ones, `Collection.requires_data_access`); on any other the scope is unknown to
    Globus Auth and the login fails. With none it is `TIMER_TRANSFER_SCOPE`.
    """
    return str(
        Scope(TimersScopes.timer).with_dependency(_transfer_scope(data_access_collection_ids))
    )


def flow_run_scope(
    flow_id: str, *, calls_transfer: bool = True, data_access_collection_ids: Iterable[str] = ()
) -> str:
    """The scope to consent to before running a flow: its user scope, with what the flow acts
    through as dependencies: Transfer's ``all``, with an optional ``data_access`` for each
    collection that takes one (as the SDK's ``add_app_transfer_data_access_scope``)."""
    scope = Scope(flow_user_scope(flow_id))
    if calls_transfer:
        scope = scope.with_dependency(_transfer_scope(data_access_collection_ids))
    return str(scope)


def scopes_to_str(scopes: Iterable[str | Scope]) -> str:
    """Join scopes into the space-separated form the authorize URL takes."""
    return " ".join(dict.fromkeys(str(scope) for scope in scopes))


_URN = re.compile(r"^urn:globus:auth:scope:([^:\s\[\]]+):[^\s\[\]]+$")
_URL = re.compile(r"^https://auth\.globus\.org/scopes/([^/\s\[\]]+)/[^\s\[\]]+$")


def resource_server_of(scope_string: str) -> str | None:
    """The resource server a (top-level) scope belongs to; None if the form is not recognised."""
    base = scope_string.lstrip("*").split("[", 1)[0]
    if base in OIDC_SCOPES:
        return AUTH_RESOURCE_SERVER
    match = _URN.match(base) or _URL.match(base)
    return match.group(1) if match else None

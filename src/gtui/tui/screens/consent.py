"""The consent dialog: what Globus wants and why, in words, then the login for exactly that.

The flow around it (ask once, retry the action) is ``gtui.tui.session_flows``.
"""

from __future__ import annotations

from typing import ClassVar

from gtui.core.errors import AuthorizationRequirement
from gtui.core.scopes import Scope, ScopeParseError, TimersScopes, flow_user_scope
from gtui.core.session import GlobusSession
from gtui.tui.screens.login import LoginScreen

DATA_ACCESS = "data_access"


def data_access_collections(requirement: AuthorizationRequirement) -> list[str]:
    """Ids of the collections whose ``data_access`` consent the requirement asks for."""
    found: list[str] = []

    def walk(scope: Scope) -> None:
        if scope.scope_string.endswith("/" + DATA_ACCESS) and scope.resource_server:
            found.append(scope.resource_server)
        for dependency in scope.dependencies:
            walk(dependency)

    for text in requirement.required_scopes:
        try:
            parsed = Scope.parse(text)
        except ScopeParseError:
            continue
        for scope in parsed:
            walk(scope)
    return list(dict.fromkeys(found))


def flows_asked_for(requirement: AuthorizationRequirement) -> list[str]:
    """Ids of the flows whose own scope (``…/scopes/<id>/flow_<id with _>_user``) the
    requirement asks for: a flow starts transfers for the user only through that scope."""
    found: list[str] = []
    for text in requirement.required_scopes:
        try:
            parsed = Scope.parse(text)
        except ScopeParseError:
            continue
        for scope in parsed:
            flow_id = scope.resource_server
            if flow_id and scope.scope_string == flow_user_scope(flow_id):
                found.append(flow_id)
    return list(dict.fromkeys(found))


def for_timers(requirement: AuthorizationRequirement) -> bool:
    """Whether the consent is asked for Globus Timers (a timer acting for the user later)."""
    return any(s.lstrip("*").startswith(TimersScopes.timer) for s in requirement.required_scopes)


def describe_requirement(
    requirement: AuthorizationRequirement, names: dict[str, str] | None = None
) -> str:
    """What is missing and why, in words, for the consent dialog.

    ``names`` gives the words for ids: a collection's name, a flow's title.
    """
    names = names or {}
    lines: list[str] = []
    collections = data_access_collections(requirement)
    timers = for_timers(requirement)
    flows = flows_asked_for(requirement)
    for flow_id in flows:
        lines.append(_flow_sentence(flow_id, names.get(flow_id)))
    for collection_id in collections:
        name = names.get(collection_id, collection_id)
        if flows:
            lines.append(
                f"The flow copies to or from “{name}”, which only lets an application read or "
                "write its data with your explicit consent, so the flow needs that consent too "
                "(the collection's data_access scope, given to the flow)."
            )
            continue
        if timers:
            lines.append(
                f"A timer copies later, while you may be away, so Globus Timers needs your "
                f"consent to read and write “{name}” for you (its data_access scope, given to "
                "Timers). It is asked once, now, rather than failing at the first run."
            )
            continue
        lines.append(
            f"“{name}” is a Globus Connect Server collection that only lets an application "
            "read or write its data with your explicit consent (its data_access scope). "
            "gtui does not hold that consent now: it was never given, was withdrawn, or expired."
        )
    if timers and not collections:
        lines.append(
            "Globus Timers needs your consent to start transfers for you on a schedule "
            "(your login was made before gtui used Timers)."
        )
    elif requirement.required_scopes and not collections and not flows:
        lines.append("Globus needs your consent for: " + ", ".join(requirement.required_scopes))
    if requirement.session_required_identities:
        who = ", ".join(requirement.session_required_identities)
        lines.append(f"You need to log in with the identity {who}.")
    if requirement.session_required_single_domain:
        domains = ", ".join(requirement.session_required_single_domain)
        lines.append(f"You need to log in with an identity from {domains}.")
    if requirement.session_required_policies:
        lines.append("Your login must satisfy the collection's authentication policy.")
    if requirement.session_required_mfa:
        lines.append("You need to log in with multi-factor authentication.")
    if requirement.prompt == "login":
        lines.append("Globus asks you to log in again (your session is too old).")
    if requirement.session_message and not collections and not timers and not flows:
        lines.append(f"The service said: {requirement.session_message}")
    if not lines:
        lines.append(f"Globus asks for a new login ({requirement.code}).")
    lines.append(
        "gtui will log you in for exactly this, keep the new tokens and retry what you were doing."
    )
    return "\n".join(lines)


def _flow_sentence(flow_id: str, title: str | None) -> str:
    flow = f"The flow “{title}”" if title else f"The flow {flow_id}"
    return (
        f"{flow} runs as you: Globus Flows starts its steps (the transfers and deletes it "
        "makes) for you, so it needs your consent, given to that flow alone (its own scope). "
        "It is asked once; later runs of the flow use it."
    )


class ConsentScreen(LoginScreen):
    """The login dialog, titled and explained for one authorization requirement.

    Against the demo service it also offers to approve as the demo user: over SSH no browser
    can reach the service on 127.0.0.1 to show the code.
    """

    offer_demo_approval: ClassVar[bool] = True

    def __init__(
        self,
        session: GlobusSession,
        requirement: AuthorizationRequirement,
        explanation: str,
        *,
        local: bool | None = None,
    ) -> None:
        title = (
            "Consent needed"
            if requirement.code == "ConsentRequired"
            else "Globus asks for a new login"
        )
        super().__init__(
            session,
            title=title,
            reason=explanation,
            requirement=requirement,
            local=local,
            id="consent",
        )

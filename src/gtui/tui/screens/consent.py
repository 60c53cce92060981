"""Consent repair: say what Globus wants and why, log in for exactly that, retry the action.

A GCSv5 mapped collection answers ``ConsentRequired`` until the user consents to its
``data_access`` scope; a high-assurance one may ask for a fresh session with a given identity
or domain. Rather than print a command to run (globus-cli) or send the user to a browser app,
gtui runs that login on the spot and retries, so the user lands on the folder they asked for.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar, TypeVar

from gtui.core.errors import AuthorizationRequirement, GlobusError
from gtui.core.scopes import Scope, ScopeParseError
from gtui.tui.screens.login import LoginScreen, wait_for_screen

T = TypeVar("T")

DATA_ACCESS = "data_access"
_locks: weakref.WeakKeyDictionary[Any, asyncio.Lock] = weakref.WeakKeyDictionary()


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


def describe_requirement(
    requirement: AuthorizationRequirement, names: dict[str, str] | None = None
) -> str:
    """What is missing and why, in words, for the consent dialog."""
    names = names or {}
    lines: list[str] = []
    collections = data_access_collections(requirement)
    for collection_id in collections:
        name = names.get(collection_id, collection_id)
        lines.append(
            f"“{name}” is a Globus Connect Server collection that only lets an application "
            "read or write its data with your explicit consent (its data_access scope). "
            "You have not given gtui that consent yet."
        )
    if requirement.required_scopes and not collections:
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
    if requirement.session_message and not collections:
        lines.append(f"The service said: {requirement.session_message}")
    if not lines:
        lines.append(f"Globus asks for a new login ({requirement.code}).")
    lines.append(
        "gtui will log you in for exactly this, keep the new tokens and retry what you were doing."
    )
    return "\n".join(lines)


class ConsentScreen(LoginScreen):
    """The login dialog, titled and explained for one authorization requirement.

    Against the demo service it also offers to approve as the demo user: over SSH no browser
    can reach the service on 127.0.0.1 to show the code.
    """

    offer_demo_approval: ClassVar[bool] = True

    def __init__(
        self, requirement: AuthorizationRequirement, explanation: str, *, local: bool | None = None
    ) -> None:
        title = (
            "Consent needed"
            if requirement.code == "ConsentRequired"
            else "Globus asks for a new login"
        )
        super().__init__(
            title=title, reason=explanation, requirement=requirement, local=local, id="consent"
        )


async def _collection_names(app: Any, collection_ids: list[str]) -> dict[str, str]:
    names: dict[str, str] = {}
    for collection_id in collection_ids:
        try:
            doc = await app.session.transfer.get_endpoint(collection_id)
        except GlobusError:
            continue
        name = doc.get("display_name") or doc.get("canonical_name")
        if isinstance(name, str) and name:
            names[collection_id] = name
    return names


async def ask_for_consent(app: Any, requirement: AuthorizationRequirement) -> bool:
    """Show the consent dialog; True once the new tokens are stored.

    One dialog at a time: a second action that hits the same wall while the first dialog is
    open waits for it and then simply retries.
    """
    lock = _locks.setdefault(app, asyncio.Lock())
    if lock.locked():
        async with lock:
            return True
    async with lock:
        names = await _collection_names(app, data_access_collections(requirement))
        screen = ConsentScreen(requirement, describe_requirement(requirement, names))
        granted = bool(await wait_for_screen(app, screen))
    if granted:
        app.notify("Consent stored; trying again.", timeout=3)
    return granted


async def with_consent_repair(app: Any, fn: Callable[[], Awaitable[T]]) -> T:
    """Run ``fn``; if Globus wants more consent or a new session, get it and run ``fn`` again."""
    return await app.session.call_with_consent_repair(
        fn, lambda requirement: ask_for_consent(app, requirement)
    )

"""The flows about the login itself, which any screen may need: consent repair, logging in
again, logging out, learning who is logged in.

A GCSv5 mapped collection answers ``ConsentRequired`` until the user consents to its
``data_access`` scope; a high-assurance one may ask for a fresh session. Rather than print a
command to run (globus-cli) or send the user to a browser app, gtui runs that login on the
spot and retries, so the user lands on the folder they asked for. Screens call these
functions; the dialogs they show live in ``screens/login.py`` and ``screens/consent.py``.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from textual.app import App
from textual.dom import DOMNode

from gtui.core.errors import AuthorizationRequirement, GlobusError
from gtui.core.session import GlobusSession
from gtui.tui.context import gtui
from gtui.tui.screen_wait import wait_for_screen
from gtui.tui.screens.confirm import ConfirmScreen
from gtui.tui.screens.consent import ConsentScreen, data_access_collections, describe_requirement
from gtui.tui.screens.login import LoginScreen

T = TypeVar("T")

log = logging.getLogger(__name__)

_consent_locks: weakref.WeakKeyDictionary[App[Any], asyncio.Lock] = weakref.WeakKeyDictionary()


# -- consent repair ------------------------------------------------------------------------


async def with_consent_repair(
    node: DOMNode, fn: Callable[[], Awaitable[T]], *, names: Mapping[str, str] | None = None
) -> T:
    """Run ``fn``; if Globus wants more consent or a new session, get it and run ``fn`` again.

    ``names`` are words the caller already knows for ids the consent may name (a flow's
    title), so the dialog says them rather than the ids.
    """
    app = node.app
    session = gtui(node).session
    return await session.call_with_consent_repair(
        fn, lambda requirement: ask_for_consent(app, session, requirement, names=names)
    )


async def ask_for_consent(
    app: App[Any],
    session: GlobusSession,
    requirement: AuthorizationRequirement,
    *,
    names: Mapping[str, str] | None = None,
) -> bool:
    """Show the consent dialog; True once the new tokens are stored.

    One dialog at a time: a second action that hits the same wall while the first dialog is
    open waits for it and then simply retries.
    """
    lock = _consent_locks.setdefault(app, asyncio.Lock())
    if lock.locked():
        async with lock:
            return True
    async with lock:
        names = {
            **(names or {}),
            **await _collection_names(session, data_access_collections(requirement)),
        }
        screen = ConsentScreen(session, requirement, describe_requirement(requirement, names))
        answer = await wait_for_screen(app, screen)
    granted = bool(answer)
    if granted:
        app.notify("Consent stored; trying again.", timeout=3)
    return granted


async def _collection_names(session: GlobusSession, collection_ids: list[str]) -> dict[str, str]:
    names: dict[str, str] = {}
    for collection_id in collection_ids:
        try:
            doc = await session.transfer.get_endpoint(collection_id)
        except GlobusError:
            continue
        name = doc.get("display_name") or doc.get("canonical_name")
        if isinstance(name, str) and name:
            names[collection_id] = name
    return names


# -- logging in and out --------------------------------------------------------------------


def ask_to_log_in(app: App[Any], reason: str = "") -> None:
    """No usable tokens (none, expired or revoked): log in here, then carry on."""
    if any(isinstance(screen, LoginScreen) for screen in app.screen_stack):
        return
    app.run_worker(_log_in_again(app, reason), group="login-again", exit_on_error=False)


async def _log_in_again(app: App[Any], reason: str) -> None:
    context = gtui(app)
    session = context.session
    if not await wait_for_screen(app, LoginScreen(session, reason=reason)):
        # (imported here: its Markdown renderer is not needed until a login is refused)
        from gtui.tui.screens.onboarding import OnboardingScreen

        if app.current_mode != "browse" and not isinstance(app.screen, OnboardingScreen):
            app.push_screen(OnboardingScreen(context.environment, reason))
        return
    identity = session.identity
    if identity is not None:
        context.show_identity(identity.username)
    app.notify(f"Logged in as {context.username or 'you'}.", timeout=3, markup=False)
    context.reload_after_login()


async def log_out(app: App[Any]) -> None:
    """Ask, revoke the tokens at Globus and forget them, then offer a new login."""
    context = gtui(app)
    question = ConfirmScreen(
        "Log out of Globus?",
        "gtui revokes its tokens at Globus and deletes them from this machine. "
        "Transfers already submitted keep running.",
        yes="Log out",
        no="Stay",
    )
    if not await wait_for_screen(app, question):
        return
    try:
        servers = await context.session.logout()
    except GlobusError as exc:
        context.report_error(exc, "Logging out")
        return
    context.show_identity("")
    app.notify(f"Logged out ({len(servers)} tokens revoked).", timeout=4)
    ask_to_log_in(app, "You logged out.")


async def fetch_identity(app: App[Any]) -> None:
    """Learn who is logged in (Auth's userinfo) and say so in the header."""
    context = gtui(app)
    try:
        identity = await context.session.fetch_identity()
    except GlobusError as exc:
        log.info("could not fetch the identity: %s", exc)
        return
    context.show_identity(identity.username)

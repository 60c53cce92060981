"""``gtui login``, ``gtui logout`` and ``gtui whoami``: the native-app login from a terminal.

``login`` prints the authorize URL (and copies it with OSC 52 when stdout is a terminal). When
a browser runs on this machine it opens the URL and listens on a loopback redirect, so the
login finishes without pasting; over SSH, or with ``--no-local-server``, it reads the code the
Globus page shows from stdin. PKCE and ``state`` are the core's; tokens go to the token store.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import sys
import webbrowser
from collections.abc import Callable
from typing import Any, TextIO

from gtui.config import ConfigError, Settings, load_settings
from gtui.core.login_place import browser_is_local, grant_name
from gtui.passphrase import token_passphrase

LOCAL_LOGIN_TIMEOUT_SECONDS = 600.0


class CommandError(Exception):
    """A problem the user can fix; printed as one line, exit status 1 or 2."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status


def osc52(text: str) -> str:
    """The terminal escape that puts ``text`` on the clipboard (works over SSH)."""
    return "\x1b]52;c;" + base64.b64encode(text.encode("utf-8")).decode("ascii") + "\a"


def resolve_environment(settings: Settings) -> str:
    """``GLOBUS_SDK_ENVIRONMENT`` wins over the config file, as in the Globus SDK."""
    return os.environ.get("GLOBUS_SDK_ENVIRONMENT") or settings.general.environment or "production"


def resolve_client_id(settings: Settings, environment: str) -> str:
    """The configured native client; the embedded service's own when talking to it."""
    if settings.general.client_id:
        return settings.general.client_id
    if environment == "sim":
        from gtui.sim.world import DEMO_NATIVE_CLIENT_ID

        return DEMO_NATIVE_CLIENT_ID
    raise CommandError(
        "No client id is configured. Register a native app at "
        "https://app.globus.org/settings/developers and set client_id in the [general] "
        "section of the config file (`gtui config path` shows where it is).",
        status=2,
    )


def open_session(settings: Settings | None = None) -> Any:
    """A GlobusSession for the configured environment and client (tokens from the store)."""
    from gtui.core.session import GlobusSession

    if settings is None:
        try:
            settings = load_settings()
        except ConfigError as exc:
            raise CommandError(str(exc), status=2) from exc
    environment = resolve_environment(settings)
    client_id = resolve_client_id(settings, environment)
    return GlobusSession(client_id, environment=environment, passphrase=token_passphrase(settings))


def _run(main: Callable[[], Any]) -> int:
    from gtui.core.errors import GlobusError

    try:
        return int(asyncio.run(main()))
    except CommandError as exc:
        print(f"gtui: {exc}", file=sys.stderr)
        return exc.status
    except GlobusError as exc:
        print(f"gtui: {exc}", file=sys.stderr)
        return 1


# -- login ---------------------------------------------------------------------------------


def login(
    args: argparse.Namespace,
    *,
    read_code: Callable[[str], str] = input,
    out: TextIO | None = None,
) -> int:
    """``gtui login``: returns the exit status."""
    return _run(lambda: _login(args, read_code, out or sys.stdout))


async def _login(args: argparse.Namespace, read_code: Callable[[str], str], out: TextIO) -> int:
    from gtui.core.scopes import DEFAULT_SCOPES

    scopes = [*DEFAULT_SCOPES, *getattr(args, "scope", [])]
    local = not getattr(args, "no_local_server", False) and browser_is_local()
    may_open = local and not getattr(args, "no_browser", False)
    async with open_session() as session:
        if local:
            response = await _login_with_redirect(session, scopes, out, open_browser=may_open)
        else:
            response = await _login_with_code(session, scopes, out, read_code)
        who = session.identity.display if session.identity else "your Globus identity"
        servers = ", ".join(sorted(response.by_resource_server))
        print(f"You are logged in as {who} on {session.environment}.", file=out)
        print(f"Tokens stored for {servers}.", file=out)
    return 0


def _show_url(url: str, out: TextIO, *, opened: bool) -> None:
    if opened:
        print("Your browser should open the Globus login page. If it does not, open:", file=out)
    else:
        print("Open this URL in a browser (on any machine) and log in:", file=out)
    print(f"\n    {url}\n", file=out)
    if out.isatty():
        out.write(osc52(url))
        print("(The URL is also on your clipboard, if your terminal allows OSC 52.)", file=out)
    out.flush()


async def _login_with_code(
    session: Any, scopes: list[str], out: TextIO, read_code: Callable[[str], str]
) -> Any:
    flow = session.login_flow(scopes, prefill_named_grant=grant_name())
    _show_url(flow.authorize_url, out, opened=False)
    code = (await asyncio.to_thread(read_code, "Paste the authorization code here: ")).strip()
    if not code:
        raise CommandError("No code was given; nothing was stored.")
    return await session.complete_login(flow, code, flow.state)


async def _login_with_redirect(
    session: Any, scopes: list[str], out: TextIO, *, open_browser: bool
) -> Any:
    from gtui.core.loopback import LocalServerCodeReceiver

    async with LocalServerCodeReceiver() as receiver:
        flow = session.login_flow(
            scopes, redirect_uri=receiver.redirect_uri, prefill_named_grant=grant_name()
        )
        opened = open_browser and await asyncio.to_thread(webbrowser.open, flow.authorize_url)
        _show_url(flow.authorize_url, out, opened=bool(opened))
        print("Waiting for the browser to come back…", file=out, flush=True)
        try:
            code, state = await receiver.wait(LOCAL_LOGIN_TIMEOUT_SECONDS)
        except TimeoutError as exc:
            raise CommandError(
                "The browser did not come back within ten minutes. "
                "Run `gtui login --no-local-server` to paste a code instead."
            ) from exc
    return await session.complete_login(flow, code, state)


# -- logout and whoami ---------------------------------------------------------------------


def logout(args: argparse.Namespace, *, out: TextIO | None = None) -> int:
    """``gtui logout``: revoke every stored token at Globus Auth and forget them."""
    return _run(lambda: _logout(out or sys.stdout))


async def _logout(out: TextIO) -> int:
    async with open_session() as session:
        servers = await session.logout()
    if not servers:
        print("You were not logged in; nothing to revoke.", file=out)
    else:
        print(f"Logged out: revoked and removed the tokens for {', '.join(servers)}.", file=out)
    return 0


def whoami(args: argparse.Namespace, *, out: TextIO | None = None) -> int:
    """``gtui whoami``: the identity logged in (and, on request, its linked identities)."""
    linked = bool(getattr(args, "linked_identities", False))
    return _run(lambda: _whoami(out or sys.stdout, linked=linked))


async def _whoami(out: TextIO, *, linked: bool) -> int:
    from gtui.core.errors import LoginRequired

    async with open_session() as session:
        try:
            if not session.has_tokens():
                raise LoginRequired()
            info = await session.auth.userinfo()
        except LoginRequired:
            print("You are not logged in. Run `gtui login`.", file=sys.stderr)
            return 1
    data = info.data if isinstance(info.data, dict) else {}
    print(data.get("preferred_username") or data.get("sub", ""), file=out)
    if not linked:
        return 0
    identities = [i for i in data.get("identity_set") or [] if isinstance(i, dict)]
    if not identities:
        print("No linked identities were returned.", file=out)
        return 0
    rows = [
        (str(i.get("username", "")), str(i.get("name") or ""), str(i.get("sub", "")))
        for i in identities
    ]
    widths = [max(len(h), *(len(r[n]) for r in rows)) for n, h in enumerate(("Username", "Name"))]
    print(f"\n{'Username':<{widths[0]}}  {'Name':<{widths[1]}}  ID", file=out)
    print(f"{'-' * widths[0]}  {'-' * widths[1]}  {'-' * 36}", file=out)
    for username, name, ident in rows:
        print(f"{username:<{widths[0]}}  {name:<{widths[1]}}  {ident}", file=out)
    return 0

"""``gtui login``, ``gtui logout`` and ``gtui whoami``: the native-app login from a terminal.

``login`` prints the authorize URL (and copies it with OSC 52 when stdout is a terminal). When
a browser runs on this machine it opens the URL and listens on a loopback redirect, so the
login finishes without pasting; over SSH, or with ``--no-local-server``, it reads the code the
Globus page shows from stdin. PKCE and ``state`` are the core's; tokens go to the token store.
Without a client id, ``login`` in a terminal first walks the user through registering one.

With ``--demo`` the three talk to the demo folder's embedded service: the one a running
``gtui --demo`` (or ``gtui sim serve``) serves, else one started for the command; ``login``
then logs in as the demo user, as ``gtui --demo`` does.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import sys
import webbrowser
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from gtui.config import ConfigError, Settings, load_settings
from gtui.core.login_place import browser_is_local, grant_name
from gtui.passphrase import token_passphrase

if TYPE_CHECKING:
    from gtui.core.session import GlobusSession

LOCAL_LOGIN_TIMEOUT_SECONDS = 600.0
DEMO_ENVIRONMENT = "sim"
NO_CLIENT_ID = (
    "No client id is configured. Run `gtui login` in a terminal to set one up, or register a "
    "native app at https://app.globus.org/settings/developers and set client_id in the "
    "[general] section of the config file (`gtui config path` shows where it is)."
)


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


def configured_client_id(settings: Settings, environment: str) -> str:
    """The configured native client; the embedded service's own when talking to it; else ""."""
    if settings.general.client_id:
        return settings.general.client_id
    if environment == DEMO_ENVIRONMENT:
        from gtui.sim.ids import DEMO_NATIVE_CLIENT_ID

        return DEMO_NATIVE_CLIENT_ID
    return ""


def resolve_client_id(settings: Settings, environment: str) -> str:
    """The client to talk as; a ``CommandError`` saying how to set one up when there is none."""
    client_id = configured_client_id(settings, environment)
    if not client_id:
        raise CommandError(NO_CLIENT_ID, status=2)
    return client_id


def _load_settings() -> Settings:
    try:
        return load_settings()
    except ConfigError as exc:
        raise CommandError(str(exc), status=2) from exc


def open_session(settings: Settings | None = None) -> Any:
    """A GlobusSession for the configured environment and client (tokens from the store)."""
    from gtui.core.session import GlobusSession

    settings = settings or _load_settings()
    environment = resolve_environment(settings)
    client_id = resolve_client_id(settings, environment)
    return GlobusSession(client_id, environment=environment, passphrase=token_passphrase(settings))


def _demo_root(args: argparse.Namespace) -> Path | None:
    """The demo folder with ``--demo`` (``--root``, else the one ``gtui --demo`` uses)."""
    if not getattr(args, "demo", False):
        return None
    from gtui.sim.serve import default_root

    root = getattr(args, "root", None)
    return Path(root).expanduser() if root else default_root()


@asynccontextmanager
async def command_session(args: argparse.Namespace) -> AsyncIterator[GlobusSession]:
    """The session a command works with: the configured Globus, or with ``--demo`` the demo
    folder's service (running, or started for the command and stopped after)."""
    root = _demo_root(args)
    if root is None:
        async with open_session() as session:
            yield session
        return
    from gtui.core.errors import GlobusAPIError, GlobusError
    from gtui.core.session import GlobusSession
    from gtui.demo_service import DemoServiceError, demo_service_for_command
    from gtui.sim.ids import DEMO_NATIVE_CLIENT_ID

    settings = _load_settings()
    passphrase = token_passphrase(settings)
    throttle = settings.demo.throttle_bytes_per_second
    try:
        with demo_service_for_command(root, throttle_bytes_per_second=throttle) as service:
            session = GlobusSession(
                DEMO_NATIVE_CLIENT_ID,
                environment=DEMO_ENVIRONMENT,
                service_urls=service.address.service_urls,
                passphrase=passphrase,
            )
            try:
                async with session:
                    yield session
            except GlobusError as exc:
                # Not reached (no API answer): a service started here that died, on a bad
                # folder say, explains itself.
                failure = "" if isinstance(exc, GlobusAPIError) else service.failure()
                if failure:
                    raise CommandError(failure) from exc
                raise
    except DemoServiceError as exc:
        raise CommandError(str(exc)) from exc


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
    ask_client_id: Callable[[str], str] = input,
    out: TextIO | None = None,
) -> int:
    """``gtui login``: returns the exit status."""
    return _run(lambda: _login(args, read_code, ask_client_id, out or sys.stdout))


async def _login(
    args: argparse.Namespace,
    read_code: Callable[[str], str],
    ask_client_id: Callable[[str], str],
    out: TextIO,
) -> int:
    if _demo_root(args) is not None:
        return await _demo_login(args, out)
    from gtui.core.scopes import DEFAULT_SCOPES

    settings = _load_settings()
    environment = resolve_environment(settings)
    if not configured_client_id(settings, environment):
        if not sys.stdin.isatty():
            raise CommandError(NO_CLIENT_ID, status=2)
        await set_up_client_id(environment, out, ask_client_id)
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


async def _demo_login(args: argparse.Namespace, out: TextIO) -> int:
    """Log in to the demo service as its demo user, through its real authorize page."""
    from gtui.tui.demo_login import demo_login

    async with command_session(args) as session:
        await demo_login(session)
        who = session.identity.display if session.identity else "the demo user"
        print(f"You are logged in as {who} on the demo service.", file=out)
    return 0


async def set_up_client_id(environment: str, out: TextIO, ask: Callable[[str], str]) -> str:
    """Say where to register a native app, then read its id until one passes the checks;
    save it in config.toml (comments kept). End of input stops without saving anything."""
    from gtui.client_setup import (
        REGISTER_STEPS,
        ClientIdError,
        check_client_id,
        parse_client_id,
        save_client_id,
    )
    from gtui.core.session import GlobusSession

    print(
        "gtui logs in to Globus as an app that you register once (free, about a minute):",
        file=out,
    )
    for number, step in enumerate(REGISTER_STEPS, 1):
        print(f"  {number}. {step}", file=out)
    print(file=out, flush=True)
    while True:
        try:
            typed = await asyncio.to_thread(ask, "Client UUID: ")
        except EOFError:
            raise CommandError("No client id was given; nothing was saved.") from None
        try:
            client_id = parse_client_id(typed)
            print("Checking it with Globus Auth…", file=out, flush=True)
            async with GlobusSession(client_id, environment=environment) as probe:
                await check_client_id(probe)
        except ClientIdError as exc:
            print(exc, file=out, flush=True)
            continue
        try:
            path = save_client_id(client_id)
        except (ConfigError, OSError) as exc:
            raise CommandError(f"The client id could not be saved: {exc}") from exc
        print(f"Saved client_id in {path}. Now the login:", file=out, flush=True)
        return client_id


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
    try:
        code = (await asyncio.to_thread(read_code, "Paste the authorization code here: ")).strip()
    except EOFError:
        code = ""
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
    return _run(lambda: _logout(args, out or sys.stdout))


async def _logout(args: argparse.Namespace, out: TextIO) -> int:
    async with command_session(args) as session:
        servers = await session.logout()
    if not servers:
        print("You were not logged in; nothing to revoke.", file=out)
    else:
        print(f"Logged out: revoked and removed the tokens for {', '.join(servers)}.", file=out)
    return 0


def whoami(args: argparse.Namespace, *, out: TextIO | None = None) -> int:
    """``gtui whoami``: the identity logged in (and, on request, its linked identities)."""
    linked = bool(getattr(args, "linked_identities", False))
    return _run(lambda: _whoami(args, out or sys.stdout, linked=linked))


async def _whoami(args: argparse.Namespace, out: TextIO, *, linked: bool) -> int:
    from gtui.core.errors import LoginRequired

    async with command_session(args) as session:
        try:
            if not session.has_tokens():
                raise LoginRequired()
            info = await session.auth.userinfo()
        except LoginRequired:
            command = "gtui --demo login" if _demo_root(args) is not None else "gtui login"
            print(f"You are not logged in. Run `{command}`.", file=sys.stderr)
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

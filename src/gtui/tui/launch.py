"""Starting the app: ``gtui`` against Globus, or ``gtui --demo`` against the embedded service.

The demo logs in for real: it fetches the service's authorize page, reads the code from it
and exchanges it (PKCE checked by the service), so the tokens in the store are genuine. A
later start keeps those tokens while the service (which persists them) still honours them.
The service runs in a child process (``gtui.demo_service``) that boots while the app imports.
Both paint the app's first frame before anything touches the network: the session (and the
demo's login) are made by a ``connect`` callable the app runs once the frame is up.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
import logging.handlers
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs

from gtui.config import ConfigError, SearchSettings, Settings, load_settings
from gtui.tui.connection import Connection, StartFailed
from gtui.tui.state import PanePlace

if TYPE_CHECKING:
    # Types only: the launcher imports the network stack after the demo service has started.
    from gtui.core.session import GlobusSession
    from gtui.demo_service import DemoService

log = logging.getLogger(__name__)

LOG_FILE = "gtui.log"
SIM_LOG_FILE = "sim.log"


def log_dir() -> Path:
    """Where the log file goes (``GTUI_LOG_DIR`` overrides the platformdirs folder)."""
    override = os.environ.get("GTUI_LOG_DIR")
    return Path(override) if override else platformdirs.user_log_path("gtui")


def setup_logging(level: str) -> Path:
    """A rotating log file with tokens redacted; nothing goes to the terminal the app owns."""
    from gtui.core.redact import install, install_on_gtui_loggers

    folder = log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOG_FILE
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=2_000_000, backupCount=3, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    install(handler)
    root = logging.getLogger("gtui")
    root.setLevel(level)
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    install_on_gtui_loggers()
    return path


async def ensure_demo_login(session: GlobusSession) -> bool:
    """Keep the stored demo login if the service still honours it, else log in again.

    The service keeps its signing key and tokens between runs, so most starts need one
    ``userinfo`` call instead of a whole login. Returns whether a new login was made.
    """
    from gtui.core.errors import AuthAPIError, LoginRequired
    from gtui.tui.demo_login import demo_login

    try:
        if session.has_tokens():
            await session.fetch_identity()
            return False
    except LoginRequired:
        # Ended, revoked, or a damaged store file (the new login replaces it).
        log.info("the stored demo login cannot be used; logging in again")
    except AuthAPIError as exc:
        if exc.http_status not in (400, 401, 403):
            raise
        log.info("the demo service did not accept the stored login; logging in again")
    await demo_login(session)
    return True


def run_from_args(args: argparse.Namespace) -> int:
    """``gtui [--demo] [--root DIR] [--debug]``; returns the exit status."""
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"gtui: {exc}", file=sys.stderr)
        return 2
    level = "DEBUG" if getattr(args, "debug", False) else settings.general.log_level.upper()
    log_path = setup_logging(level)
    if getattr(args, "demo", False):
        return run_demo(settings, root=getattr(args, "root", None), log_path=log_path)
    return run_production(settings, log_path=log_path)


def with_search_index(settings: Settings, index_id: str) -> Settings:
    """The settings with one more search index offered (the demo's), in memory only."""
    indexes = list(dict.fromkeys([*settings.search.indexes, index_id]))
    return dataclasses.replace(settings, search=SearchSettings(indexes=indexes))


def run_demo(settings: Settings, *, root: str | None, log_path: Path) -> int:
    """The embedded service in a child process, the demo login, the app on two collections."""
    from gtui.demo_service import DemoServiceError, start_demo_service
    from gtui.passphrase import token_passphrase
    from gtui.sim.ids import (
        DEMO_INDEX_ID,
        DEMO_NATIVE_CLIENT_ID,
        DEMO_USERNAME,
        LAPTOP_ID,
        SCRATCH_ID,
    )
    from gtui.sim.serve import default_root

    passphrase = token_passphrase(settings)
    folder = Path(root).expanduser() if root else default_root()
    try:
        service = start_demo_service(
            folder,
            throttle_bytes_per_second=settings.demo.throttle_bytes_per_second,
            clock_speed=settings.demo.clock_speed,
            log_file=log_path.with_name(SIM_LOG_FILE),
        )
    except DemoServiceError as exc:
        print(f"gtui: {exc}", file=sys.stderr)
        return 1
    os.environ.update(service.env)
    log.info("demo service at %s on %s", service.base_url, folder)

    def new_session() -> GlobusSession:
        from gtui.core.session import GlobusSession

        return GlobusSession(
            DEMO_NATIVE_CLIENT_ID,
            environment="sim",
            service_urls=service.service_urls,
            passphrase=passphrase,
        )

    async def connect() -> Connection:
        # Awaited by the app once its first frame is painted.
        session = await asyncio.to_thread(new_session)
        try:
            await ensure_demo_login(session)
        except Exception as exc:
            await session.aclose()
            reason = await asyncio.to_thread(_demo_failure, exc, service)
            raise StartFailed(reason) from exc
        return Connection(session, username=DEMO_USERNAME)

    try:
        from gtui.tui.app import GtuiApp

        app = GtuiApp(
            session=None,
            connect=connect,
            settings=with_search_index(settings, DEMO_INDEX_ID),
            environment="sim",
            username=DEMO_USERNAME,
            left=PanePlace(LAPTOP_ID, "/~/"),
            right=PanePlace(SCRATCH_ID, "/~/"),
            log_path=log_path,
        )
        result = app.run()
    finally:
        # The service finishes saving on its own; quitting does not wait for it.
        if service.leave() not in (0, None):
            log.warning("the demo service ended with status %s", service.process.returncode)
    return int(result or 0) or app.return_code or 0


def _demo_failure(error: BaseException, service: DemoService) -> str:
    """What to tell the user when the demo could not log in; secrets never appear here."""
    from gtui.core.errors import GlobusError, NetworkError
    from gtui.core.token_crypto import TokenEncryptionError

    if isinstance(error, TokenEncryptionError):
        return str(error)
    # A connection refused usually means the child failed on start; give it time to exit.
    if service.exited(wait=5.0 if isinstance(error, NetworkError) else 0.0):
        tail = service.log_tail()
        detail = f":\n{tail}" if tail else ""
        return f"the demo service stopped while starting (see {service.log_file}){detail}"
    if isinstance(error, GlobusError):
        return f"could not log in to the demo service: {error}"
    return f"could not log in to the demo service: {type(error).__name__}: {error}"


def run_production(settings: Settings, *, log_path: Path) -> int:
    """The app against Globus. Without a client id it opens on setting one up; without a
    usable login, on the login dialog."""
    from gtui.core.environments import get_environment_name
    from gtui.core.errors import LoginRequired
    from gtui.core.scopes import TRANSFER_RESOURCE_SERVER
    from gtui.core.token_crypto import TokenEncryptionError
    from gtui.core.tokens import TokenStore
    from gtui.passphrase import token_passphrase
    from gtui.tui.app import GtuiApp

    environment = os.environ.get("GLOBUS_SDK_ENVIRONMENT") or settings.general.environment
    environment = environment or get_environment_name()
    # Asked before the app owns the terminal, also when the client id is set up in the app.
    passphrase = token_passphrase(settings)

    def new_session(client_id: str) -> GlobusSession:
        from gtui.core.session import GlobusSession

        return GlobusSession(client_id, environment=environment, passphrase=passphrase)

    client_id = settings.general.client_id
    reason = ""
    if not client_id:
        reason = "No client id is configured yet."
    else:
        # The token store is read here (no network stack needed), so a wrong passphrase is
        # told before the app takes the terminal.
        store = TokenStore.for_client(environment, client_id, passphrase=passphrase)
        try:
            if not store.can_refresh(TRANSFER_RESOURCE_SERVER):
                reason = "No saved login was found."
        except LoginRequired as exc:
            reason = str(exc)
        except TokenEncryptionError as exc:
            print(f"gtui: {exc}", file=sys.stderr)
            return 1

    async def connect() -> Connection:
        # Awaited by the app once its first frame is painted.
        session = await asyncio.to_thread(new_session, client_id) if client_id else None
        return Connection(session, login_needed=reason or None)

    panes = settings.panes
    app = GtuiApp(
        session=None,
        connect=connect,
        settings=settings,
        environment=environment,
        left=PanePlace(panes.left_collection, panes.left_path),
        right=PanePlace(panes.right_collection, panes.right_path),
        log_path=log_path,
        new_session=new_session,
    )
    return int(app.run() or 0) or app.return_code or 0

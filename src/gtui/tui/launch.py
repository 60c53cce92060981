"""Starting the app: ``gtui`` against Globus, or ``gtui --demo`` against the embedded service.

The demo logs in for real: it fetches the service's authorize page, reads the code from it
and exchanges it (PKCE checked by the service), so the tokens in the store are genuine.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import logging.handlers
import os
import re
import sys
from pathlib import Path
from typing import Any

import platformdirs

from gtui.config import ConfigError, Settings, load_settings

log = logging.getLogger(__name__)

LOG_FILE = "gtui.log"
_AUTH_CODE = re.compile(r'<code id="auth-code">([^<]+)</code>')


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


async def demo_login(session: Any) -> None:
    """Log in to the embedded service as the demo user, through its real authorize page."""
    flow = session.login_flow()
    page = await session.http_client.get(flow.authorize_url)
    page.raise_for_status()
    match = _AUTH_CODE.search(page.text)
    if match is None:
        raise RuntimeError("the embedded service's authorize page showed no code")
    await session.complete_login(flow, match.group(1), flow.state)


async def _login_and_close(session: Any) -> None:
    try:
        await demo_login(session)
    finally:
        await session.aclose()


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


def run_demo(settings: Settings, *, root: str | None, log_path: Path) -> int:
    """The embedded service in a thread, a real demo login, the app on two demo collections."""
    from gtui.commands import token_passphrase
    from gtui.core.session import GlobusSession
    from gtui.core.token_crypto import TokenEncryptionError
    from gtui.sim.serve import default_root, start_in_thread
    from gtui.sim.world import DEMO_NATIVE_CLIENT_ID, DEMO_USERNAME, LAPTOP_ID, SCRATCH_ID
    from gtui.tui.app import GtuiApp, PanePlace

    passphrase = token_passphrase(settings)
    folder = Path(root).expanduser() if root else default_root()
    sim = start_in_thread(folder, throttle_bytes_per_second=settings.demo.throttle_bytes_per_second)
    os.environ.update(sim.env)
    log.info("demo service at %s on %s", sim.base_url, folder)
    try:
        try:
            asyncio.run(
                _login_and_close(
                    GlobusSession(
                        DEMO_NATIVE_CLIENT_ID,
                        environment="sim",
                        service_urls=sim.service_urls,
                        passphrase=passphrase,
                    )
                )
            )
        except TokenEncryptionError as exc:
            print(f"gtui: {exc}", file=sys.stderr)
            return 1
        session = GlobusSession(
            DEMO_NATIVE_CLIENT_ID,
            environment="sim",
            service_urls=sim.service_urls,
            passphrase=passphrase,
        )
        app = GtuiApp(
            session=session,
            settings=settings,
            environment="sim",
            username=DEMO_USERNAME,
            left=PanePlace(LAPTOP_ID, "/~/"),
            right=PanePlace(SCRATCH_ID, "/~/"),
            log_path=log_path,
        )
        result = app.run()
    finally:
        sim.stop()
    return int(result or 0)


def run_production(settings: Settings, *, log_path: Path) -> int:
    """The app against Globus; without a usable login it opens on how to log in."""
    from gtui.commands import token_passphrase
    from gtui.core.environments import get_environment_name
    from gtui.core.errors import LoginRequired
    from gtui.core.session import GlobusSession
    from gtui.core.token_crypto import TokenEncryptionError
    from gtui.tui.app import GtuiApp, PanePlace

    environment = os.environ.get("GLOBUS_SDK_ENVIRONMENT") or settings.general.environment
    environment = environment or get_environment_name()
    client_id = settings.general.client_id
    reason = ""
    session = None
    if not client_id:
        reason = "No client id is configured (the `client_id` key of [general])."
    else:
        session = GlobusSession(
            client_id, environment=environment, passphrase=token_passphrase(settings)
        )
        try:
            if not session.has_tokens():
                reason = "No saved login was found."
        except LoginRequired as exc:
            reason = str(exc)
        except TokenEncryptionError as exc:
            print(f"gtui: {exc}", file=sys.stderr)
            return 1
    panes = settings.panes
    app = GtuiApp(
        session=session,
        settings=settings,
        environment=environment,
        left=PanePlace(panes.left_collection, panes.left_path),
        right=PanePlace(panes.right_collection, panes.right_path),
        login_needed=reason or None,
        log_path=log_path,
    )
    return int(app.run() or 0)

"""The ``gtui`` command line: the app, ``login``/``logout``/``whoami`` and ``compare``/``sync``
(against Globus, or with ``--demo`` against the demo's service), ``config``, ``sim serve``.

Parsing stays free of Textual and of the network stack so that ``gtui --help`` is instant;
each sub-command imports what it needs when it runs.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from gtui import __version__


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser (also used by the tests)."""
    parser = argparse.ArgumentParser(
        prog="gtui",
        description="A terminal file-transfer manager for Globus.",
    )
    parser.add_argument("--version", action="version", version=f"gtui {__version__}")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="start the embedded Globus service with the demo world and open the app on it; "
        "before login, logout, whoami, compare or sync: talk to the demo's service (the running "
        "one, or one started for the command)",
    )
    parser.add_argument(
        "--root", metavar="DIR", help="with --demo: where the demo collections live"
    )
    parser.add_argument("--debug", action="store_true", help="log debug detail to the log file")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    login = sub.add_parser("login", help="log in to Globus (native-app flow)")
    login.add_argument(
        "--no-local-server",
        action="store_true",
        help="always paste the code, even when a browser is available",
    )
    login.add_argument("--no-browser", action="store_true", help="never open a browser")
    login.add_argument("--scope", action="append", default=[], help="extra scope to request")
    sub.add_parser("logout", help="revoke the stored tokens and remove them")
    whoami = sub.add_parser("whoami", help="print the identity you are logged in as")
    whoami.add_argument(
        "--linked-identities", action="store_true", help="also list the linked identities"
    )

    from gtui.compare_cli import add_arguments as add_compare_commands

    add_compare_commands(sub)

    config = sub.add_parser("config", help="the configuration file")
    config_sub = config.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    init = config_sub.add_parser("init", help="write config.toml from the documented example")
    init.add_argument("--force", action="store_true", help="overwrite an existing config.toml")
    config_sub.add_parser("path", help="print where config.toml lives")

    sim = sub.add_parser("sim", help="the embedded Globus-compatible service")
    sim_sub = sim.add_subparsers(dest="sim_command", metavar="ACTION", required=True)
    serve = sim_sub.add_parser("serve", help="serve the demo world on loopback")
    from gtui.sim.serve import add_arguments

    add_arguments(serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``gtui`` console script."""
    args = build_parser().parse_args(argv)
    try:
        return _dispatch(args)
    except KeyboardInterrupt:
        return 130


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "config":
        return _config_command(args)
    if args.command == "sim":
        from gtui.sim.serve import run_from_args

        return run_from_args(args)
    if args.command in ("login", "logout", "whoami"):
        from gtui import auth_cli

        command: Callable[[argparse.Namespace], int] = getattr(auth_cli, args.command)
        return command(args)
    if args.command in ("compare", "sync"):
        from gtui import compare_cli

        compare_command: Callable[[argparse.Namespace], int] = getattr(compare_cli, args.command)
        return compare_command(args)
    from gtui.tui.launch import run_from_args as run_app

    return run_app(args)


def _config_command(args: argparse.Namespace) -> int:
    from gtui.config import config_path, example_config_text

    path = config_path()
    if args.config_command == "path":
        print(path)
        return 0
    if path.exists() and not args.force:
        print(f"{path} already exists; use --force to overwrite it.", file=sys.stderr)
        return 1
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(example_config_text(), encoding="utf-8")
    print(f"Wrote {path}")
    return 0

"""Where a login happens: whether a browser opened here reaches the user, and the name Globus
shows for the grant. Both the ``gtui login`` command and the app's login dialog ask."""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Mapping

SSH_VARIABLES = ("SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY")


def browser_is_local(environ: Mapping[str, str] | None = None, platform: str | None = None) -> bool:
    """Whether a browser opened here would appear in front of the user (not over SSH)."""
    environ = os.environ if environ is None else environ
    platform = sys.platform if platform is None else platform
    if any(environ.get(name) for name in SSH_VARIABLES):
        return False
    if platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return bool(environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"))
    return True


def grant_name() -> str:
    """The label Globus shows on the consent page and in the user's consents list."""
    return f"gtui on {socket.gethostname()}"

"""The passphrase of an encrypted token file: from its environment variable, else asked for.

Every way of starting gtui (the app, the demo, ``gtui login``) opens the same token store, so
they all ask for it the same way.
"""

from __future__ import annotations

import getpass
import os

from gtui.config import Settings


def token_passphrase(settings: Settings) -> str | None:
    """With ``security.encrypt_tokens``: the passphrase from its variable, else asked for."""
    if not settings.security.encrypt_tokens:
        return None
    return os.environ.get(settings.security.passphrase_env) or getpass.getpass(
        "Passphrase of the token file: "
    )

"""Setting up the user's own Globus client id: where to register it, checking it, saving it.

Real use needs a native app that the user registers once with Globus Auth. The app's first
start and ``gtui login`` both walk through it with the same steps and the same checks: the id
must be a UUID, and Globus Auth must know it as a native app; then it is saved in
``config.toml`` (the user's comments kept) and the login follows.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from gtui.config import update_config

if TYPE_CHECKING:
    from gtui.core.session import GlobusSession

REGISTER_URL = "https://app.globus.org/settings/developers"
REGISTER_CHOICE = (
    "Register a thick client or script that will be installed and run by users on their devices"
)
REGISTER_STEPS = (
    f"Open {REGISTER_URL} and log in to Globus.",
    f"Choose “{REGISTER_CHOICE}” (a native app: it has no secret to keep).",
    "Create or pick a project (Globus may ask you to log in again), name the app, for "
    "example “gtui”, and press “Register App”.",
    "Copy the app's Client UUID and paste it here.",
)
# A code no login ever made: exchanging it shows whether Globus Auth knows the client.
PROBE_CODE = "gtui-checks-its-client-id"
SHORT_INPUT = 40


class ClientIdError(ValueError):
    """A client id that cannot be used, said in one sentence the user can act on."""


def parse_client_id(text: str) -> str:
    """The client id in its usual form (lower case, with dashes), or ``ClientIdError``."""
    candidate = text.strip().strip("\"'").strip()
    if not candidate:
        raise ClientIdError("Paste the Client UUID of your app; nothing was entered.")
    try:
        return str(uuid.UUID(candidate))
    except ValueError:
        shown = candidate if len(candidate) <= SHORT_INPUT else candidate[:SHORT_INPUT] + "…"
        raise ClientIdError(
            f"“{shown}” is not a client id: a Client UUID has 36 characters, like "
            "1b7e2c3a-5d4f-4e6b-8a9c-0d1e2f3a4b5c."
        ) from None


async def check_client_id(session: GlobusSession) -> None:
    """Ask Globus Auth whether it knows the session's client id as a native app.

    A login flow exchanges a code that no login made. Globus Auth first checks the client: an
    unknown one (or one registered with a secret) is refused as ``invalid_client``; a native
    app gets past that and is refused only for the made-up code.
    """
    from gtui.core.errors import AuthAPIError, GlobusError, MalformedResponseError

    flow = session.login_flow()
    try:
        await flow.exchange_code(PROBE_CODE, flow.state)
    except MalformedResponseError as exc:
        raise _not_checked(exc) from None
    except AuthAPIError as exc:
        # A made-up code of a known native app is 401 "invalid_grant": only the client counts.
        error = exc.raw_json.get("error") if isinstance(exc.raw_json, dict) else None
        if error == "invalid_client" or (exc.http_status == 401 and error != "invalid_grant"):
            raise ClientIdError(
                f"Globus Auth does not know {session.client_id} as a native app: copy the "
                "Client UUID of an app registered as a “thick client or script”."
            ) from None
        if exc.http_status >= 500:
            raise _not_checked(exc) from None
    except GlobusError as exc:
        raise _not_checked(exc) from None


def _not_checked(exc: Exception) -> ClientIdError:
    why = str(exc).rstrip(".")
    return ClientIdError(f"The client id could not be checked with Globus Auth ({why}); try again.")


def save_client_id(client_id: str, path: Path | None = None) -> Path:
    """Write ``client_id`` into ``[general]`` of ``config.toml``; nothing else changes."""
    return update_config({"general": {"client_id": client_id}}, path)

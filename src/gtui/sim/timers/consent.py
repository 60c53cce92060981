"""Whether a timer may still act for its owner on the collections it uses.

A collection that needs ``data_access`` consent (the service's consent collections) can be
used by a timer only while its owner holds that consent. When they no longer do, the timer
is inactive with ``globus_auth_requirements``: an authorization requirements error (GARE)
naming the scope to consent to, ``TIMER[TRANSFER[*data_access]]``, as the Timers service
words it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from typing import Any

from gtui.sim.auth.scopes import TIMER_SCOPE, TRANSFER_ALL, data_access_scope
from gtui.sim.errors import SimAPIError

ConsentCheck = Callable[[str, str], bool]
"""``holds(identity_id, scope)``: whether the identity holds that consent now."""

CONSENT_REQUIRED = "ConsentRequired"
MESSAGE = "Missing required data_access consent"
AUTH_REQUIREMENTS = "globus_auth_requirements"


def collections_needing_consent(
    body: dict[str, Any], consent_collections: Collection[str]
) -> list[str]:
    """The collections of a transfer body that need ``data_access`` consent."""
    found: list[str] = []
    for side in ("source_endpoint", "destination_endpoint"):
        collection = body.get(side)
        if (
            isinstance(collection, str)
            and collection in consent_collections
            and collection not in found
        ):
            found.append(collection)
    return found


def missing_consents(owner_id: str, collections: Iterable[str], holds: ConsentCheck) -> list[str]:
    """Those of ``collections`` whose ``data_access`` consent the owner does not hold."""
    return [c for c in collections if not holds(owner_id, data_access_scope(c))]


def transfer_scope(collections: Iterable[str]) -> str:
    """Transfer's scope with the ``data_access`` of ``collections`` below it."""
    needed = " ".join(f"*{data_access_scope(c)}" for c in collections)
    return f"{TRANSFER_ALL}[{needed}]" if needed else TRANSFER_ALL


def auth_requirements(missing: Iterable[str]) -> dict[str, Any]:
    """The GARE that says which consent to give again."""
    return {
        "code": CONSENT_REQUIRED,
        "authorization_parameters": {
            "session_message": MESSAGE,
            "required_scopes": [f"{TIMER_SCOPE}[{transfer_scope(missing)}]"],
        },
    }


def inactive_reason(missing: Iterable[str]) -> dict[str, Any]:
    return {"cause": AUTH_REQUIREMENTS, "detail": auth_requirements(missing)}


def consent_required(missing: Iterable[str]) -> SimAPIError:
    """The 403 a resume answers while the consent is still missing."""
    requirements = auth_requirements(missing)
    return SimAPIError(
        403,
        CONSENT_REQUIRED,
        f"{MESSAGE}: log in to give it again, then resume the timer",
        authorization_parameters=requirements["authorization_parameters"],
    )

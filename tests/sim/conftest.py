"""Fixtures for tests of the embedded service: a running service and logged-in clients.

- ``sim`` and ``sim_factory`` (tests/conftest.py): services on fresh roots, stopped after.
- ``sim_env``: the ``GLOBUS_SDK_*`` variables of ``sim`` set for the test.
- ``sdk_authorizer``: a ``ClientCredentialsAuthorizer`` of the demo confidential client for
  ``transfer:all`` (no ``data_access``); ``sdk_authorizer_factory(scopes)`` for other scopes.
- ``sdk_transfer_client`` / ``sdk_groups_client`` / ``sdk_search_client`` / ``sdk_auth_client``:
  official SDK clients with such authorizers.
- ``demo_user_tokens`` / ``other_user_tokens``: resource server → access token for the demo
  user (or the other user), obtained through the authorize page and a PKCE code exchange;
  ``user_token_response(...)`` returns the whole token response.
- ``timers_client_for(sim, identity_id=DEMO_USER_ID, data_access=())``: an official SDK
  ``TimersClient`` for a user logged in through the authorize page with the timer scope
  (Transfer below it, and below that the ``data_access`` of the ``data_access`` collections).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import globus_sdk
import pytest

from gtui.sim.auth.scopes import TIMER_RS, TIMER_SCOPE, data_access_scope
from gtui.sim.serve import RunningSim
from gtui.sim.world import (
    DEMO_CONFIDENTIAL_CLIENT_ID,
    DEMO_CONFIDENTIAL_CLIENT_SECRET,
    DEMO_USER_ID,
    OTHER_USER_ID,
)
from tests.sim_login import (
    AUTH_SCOPES,
    GROUPS_SCOPE,
    SEARCH_SCOPE,
    TRANSFER_SCOPE,
    by_resource_server,
    login_through_page,
)


@pytest.fixture
def sim_env(sim: RunningSim, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    for name, value in sim.env.items():
        monkeypatch.setenv(name, value)
    return sim.env


@pytest.fixture
def sdk_confidential_client(sim_env: dict[str, str]) -> globus_sdk.ConfidentialAppAuthClient:
    return globus_sdk.ConfidentialAppAuthClient(
        DEMO_CONFIDENTIAL_CLIENT_ID, DEMO_CONFIDENTIAL_CLIENT_SECRET
    )


@pytest.fixture
def sdk_authorizer_factory(
    sdk_confidential_client: globus_sdk.ConfidentialAppAuthClient,
) -> Callable[[str], globus_sdk.ClientCredentialsAuthorizer]:
    def make(scopes: str) -> globus_sdk.ClientCredentialsAuthorizer:
        return globus_sdk.ClientCredentialsAuthorizer(sdk_confidential_client, scopes)

    return make


@pytest.fixture
def sdk_authorizer(
    sdk_authorizer_factory: Callable[[str], globus_sdk.ClientCredentialsAuthorizer],
) -> globus_sdk.ClientCredentialsAuthorizer:
    return sdk_authorizer_factory(TRANSFER_SCOPE)


@pytest.fixture
def sdk_transfer_client(
    sdk_authorizer: globus_sdk.ClientCredentialsAuthorizer,
) -> globus_sdk.TransferClient:
    return globus_sdk.TransferClient(authorizer=sdk_authorizer)


@pytest.fixture
def sdk_groups_client(
    sdk_authorizer_factory: Callable[[str], globus_sdk.ClientCredentialsAuthorizer],
) -> globus_sdk.GroupsClient:
    return globus_sdk.GroupsClient(authorizer=sdk_authorizer_factory(GROUPS_SCOPE))


@pytest.fixture
def sdk_search_client(
    sdk_authorizer_factory: Callable[[str], globus_sdk.ClientCredentialsAuthorizer],
) -> globus_sdk.SearchClient:
    return globus_sdk.SearchClient(authorizer=sdk_authorizer_factory(SEARCH_SCOPE))


@pytest.fixture
def sdk_auth_client(
    sdk_authorizer_factory: Callable[[str], globus_sdk.ClientCredentialsAuthorizer],
) -> globus_sdk.AuthClient:
    return globus_sdk.AuthClient(authorizer=sdk_authorizer_factory(AUTH_SCOPES))


@pytest.fixture
def user_token_response(sim: RunningSim) -> Callable[..., dict[str, Any]]:
    def login(**kwargs: Any) -> dict[str, Any]:
        return login_through_page(sim, **kwargs)

    return login


@pytest.fixture
def login_through() -> Callable[..., dict[str, Any]]:
    """``login_through(sim, **options)``: the token response of a login on that service."""
    return login_through_page


@pytest.fixture
def demo_user_tokens(sim: RunningSim) -> dict[str, str]:
    return by_resource_server(login_through_page(sim))


@pytest.fixture
def other_user_tokens(sim: RunningSim) -> dict[str, str]:
    return by_resource_server(login_through_page(sim, identity_id=OTHER_USER_ID))


@pytest.fixture
def timers_client_for(monkeypatch: pytest.MonkeyPatch) -> Callable[..., globus_sdk.TimersClient]:
    def make(
        sim: RunningSim, *, identity_id: str = DEMO_USER_ID, data_access: tuple[str, ...] = ()
    ) -> globus_sdk.TimersClient:
        for name, value in sim.env.items():
            monkeypatch.setenv(name, value)
        below = " ".join(f"*{data_access_scope(c)}" for c in data_access)
        transfer = f"{TRANSFER_SCOPE}[{below}]" if below else TRANSFER_SCOPE
        scopes = f"{TIMER_SCOPE}[{transfer}]"
        token = by_resource_server(login_through_page(sim, scopes=scopes, identity_id=identity_id))
        authorizer = globus_sdk.AccessTokenAuthorizer(token[TIMER_RS])
        return globus_sdk.TimersClient(authorizer=authorizer)

    return make

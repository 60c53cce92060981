"""AuthClient.get_consents and the consent forest check, against the SDK's recorded answer and
against consent trees shaped like a transfer timer's."""

from __future__ import annotations

import itertools
from typing import Any

import httpx
import pytest
import respx

from gtui.core.auth import AuthClient
from gtui.core.consents import (
    Consent,
    ConsentForest,
    consent_forest,
    meets_scope_requirements,
)
from gtui.core.errors import AuthAPIError, MalformedResponseError
from gtui.core.response import GlobusResponse
from gtui.core.scopes import (
    TIMER_TRANSFER_SCOPE,
    Scope,
    TimersScopes,
    TransferScopes,
    data_access_scope,
    transfer_timer_scope,
)
from tests.core.sdk_fixtures import sdk_response

AUTH = "https://auth.test/"
RECORDED = sdk_response("auth.get_consents")
IDENTITY = RECORDED.metadata["identity_id"]
SDK_COLLECTION = "542a86fc-1766-450d-841f-065488a2ec01"
ARCHIVE = "c39824e6-d48a-4ed9-afe5-aa3ffbdd79e0"
OTHER = "a9e6fcb5-f22b-48be-85f9-29d91af40177"


def _response(data: Any) -> GlobusResponse:
    raw = httpx.Response(200, json=data, request=httpx.Request("GET", AUTH))
    return GlobusResponse(raw, data)


@respx.mock
async def test_get_consents_reads_the_recorded_answer() -> None:
    route = respx.get(AUTH.rstrip("/") + RECORDED.path).respond(200, json=RECORDED.json)
    async with httpx.AsyncClient() as http:
        auth = AuthClient(base_url=AUTH, http_client=http)
        response = await auth.get_consents(IDENTITY)
        assert route.calls.last.request.url.params["all"] == "False"
        await auth.get_consents(IDENTITY, all=True)
        assert route.calls.last.request.url.params["all"] == "True"
        forest = await consent_forest(auth, IDENTITY)
    assert len(response.documents("consents")) == 2
    assert [root.id for root in forest.roots] == [142632]
    transfer_with_data_access = f"{TransferScopes.all}[*{data_access_scope(SDK_COLLECTION)}]"
    assert forest.meets_scope_requirements(transfer_with_data_access)
    assert forest.meets_scope_requirements([TransferScopes.all])
    assert not forest.meets_scope_requirements(f"{TransferScopes.all}[{data_access_scope(OTHER)}]")
    assert not forest.meets_scope_requirements(data_access_scope(SDK_COLLECTION)), (
        "a dependency is not a root"
    )
    assert meets_scope_requirements(_response(RECORDED.json), transfer_with_data_access)


_ids = itertools.count(1000)


def _node(scope_name: str, path: list[int], **extra: Any) -> dict[str, Any]:
    return {
        "id": path[-1],
        "scope_name": scope_name,
        "dependency_path": path,
        "status": "approved",
        "client": "c",
        "scope": "s",
        "created": "2026-12-06T20:00:00+00:00",
        "updated": "2026-12-06T20:00:00+00:00",
        "last_used": "2026-12-06T20:00:00+00:00",
        "allows_refresh": True,
        "auto_approved": False,
        "atomically_revocable": False,
        "effective_identity": IDENTITY,
        **extra,
    }


def _timer_tree(*collections: str, status: str = "approved") -> list[dict[str, Any]]:
    """The consents a login for ``timer[transfer:all[*data_access ...]]`` leaves."""
    root, transfer = next(_ids), next(_ids)
    nodes = [
        _node(TimersScopes.timer, [root]),
        _node(TransferScopes.all, [root, transfer]),
    ]
    for collection in collections:
        nodes.append(
            _node(data_access_scope(collection), [root, transfer, next(_ids)], status=status)
        )
    return nodes


def _forest(*entries: dict[str, Any]) -> ConsentForest:
    return ConsentForest.from_response(_response({"consents": list(entries)}))


def test_a_timer_consent_with_its_data_access() -> None:
    forest = _forest(*_timer_tree(ARCHIVE))
    assert forest.meets_scope_requirements(transfer_timer_scope([ARCHIVE]))
    assert forest.meets_scope_requirements(TIMER_TRANSFER_SCOPE)
    assert forest.meets_scope_requirements(Scope(TimersScopes.timer))
    assert not forest.meets_scope_requirements(transfer_timer_scope([ARCHIVE, OTHER]))
    assert not forest.meets_scope_requirements(transfer_timer_scope([OTHER]))
    assert not forest.meets_scope_requirements(
        f"{TransferScopes.all}[*{data_access_scope(ARCHIVE)}]"
    ), "Transfer's consent under Timers is not a consent to gtui itself"


def test_dependencies_may_be_met_by_different_trees_only_per_requirement() -> None:
    """Two trees, each with one collection: enough for two requirements, not for one of both."""
    forest = _forest(*_timer_tree(ARCHIVE), *_timer_tree(OTHER))
    both = transfer_timer_scope([ARCHIVE, OTHER])
    assert not forest.meets_scope_requirements(both)
    assert forest.meets_scope_requirements(
        [transfer_timer_scope([ARCHIVE]), transfer_timer_scope([OTHER])]
    )


def test_a_consent_that_is_not_approved_grants_nothing() -> None:
    forest = _forest(*_timer_tree(ARCHIVE, status="revoked"))
    assert forest.meets_scope_requirements(TIMER_TRANSFER_SCOPE)
    assert not forest.meets_scope_requirements(transfer_timer_scope([ARCHIVE]))


def test_an_orphan_is_unreachable_not_an_error() -> None:
    forest = _forest(_node(data_access_scope(ARCHIVE), [1, 2, 3]))
    assert forest.roots == []
    assert not forest.meets_scope_requirements(data_access_scope(ARCHIVE))
    assert forest.meets_scope_requirements([]), "nothing required is always met"


def test_agrees_with_the_sdk_forest() -> None:
    from globus_sdk.scopes.consents import ConsentForest as SDKForest

    entries = [*_timer_tree(ARCHIVE), *_timer_tree(OTHER), *RECORDED.json["consents"]]
    ours, theirs = _forest(*entries), SDKForest(entries)
    for required in (
        TIMER_TRANSFER_SCOPE,
        transfer_timer_scope([ARCHIVE]),
        transfer_timer_scope([ARCHIVE, OTHER]),
        f"{TransferScopes.all}[*{data_access_scope(SDK_COLLECTION)}]",
        data_access_scope(ARCHIVE),
        f"{TIMER_TRANSFER_SCOPE} {TransferScopes.all}",
    ):
        assert ours.meets_scope_requirements(required) == theirs.meets_scope_requirements(
            required
        ), required


@pytest.mark.parametrize(
    "entry",
    [
        "consent",
        {"scope_name": "x", "dependency_path": [1]},
        {"id": True, "scope_name": "x", "dependency_path": [1]},
        {"id": 1, "scope_name": None, "dependency_path": [1]},
        {"id": 1, "scope_name": "x", "dependency_path": []},
        {"id": 1, "scope_name": "x", "dependency_path": "1"},
        {"id": 1, "scope_name": "x", "dependency_path": [1], "status": 1},
    ],
)
def test_malformed_consents(entry: Any) -> None:
    with pytest.raises(MalformedResponseError) as caught:
        _forest(entry)
    assert isinstance(entry, str) or isinstance(caught.value, AuthAPIError)
    with pytest.raises(MalformedResponseError):
        ConsentForest.from_response(_response({"consents": "none"}))


def test_consent_records() -> None:
    consent = Consent.from_document(_node("openid", [5]))
    assert consent == Consent(5, "openid", (5,), "approved", "c", "s") and consent.grants
    assert Consent.from_document({"id": 1, "scope_name": "x", "dependency_path": [1]}).grants

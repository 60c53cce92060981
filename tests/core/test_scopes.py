from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gtui.core.scopes import (
    DEFAULT_SCOPES,
    GroupsScopes,
    Scope,
    ScopeParseError,
    SearchScopes,
    TimersScopes,
    TransferScopes,
    data_access_scope,
    resource_server_of,
    scopes_to_str,
    transfer_scope_with_data_access,
)

C1 = "c39824e6-d48a-4ed9-afe5-aa3ffbdd79e0"
C2 = "a9e6fcb5-f22b-48be-85f9-29d91af40177"


def test_scope_constants_match_globus() -> None:
    assert TransferScopes.all == "urn:globus:auth:scope:transfer.api.globus.org:all"
    assert GroupsScopes.all == "urn:globus:auth:scope:groups.api.globus.org:all"
    assert SearchScopes.search == "urn:globus:auth:scope:search.api.globus.org:search"
    assert TimersScopes.timer == (
        "https://auth.globus.org/scopes/524230d7-ea86-4a52-8312-86065a9e0417/timer"
    )
    assert DEFAULT_SCOPES[:3] == ("openid", "profile", "email")


def test_data_access_scope_and_dependent_transfer_scope() -> None:
    assert data_access_scope(C1) == f"https://auth.globus.org/scopes/{C1}/data_access"
    assert transfer_scope_with_data_access([C1, C2, C1]) == (
        "urn:globus:auth:scope:transfer.api.globus.org:all"
        f"[*https://auth.globus.org/scopes/{C1}/data_access "
        f"*https://auth.globus.org/scopes/{C2}/data_access]"
    )


def test_dependent_scope_string_agrees_with_the_sdk() -> None:
    from globus_sdk.scopes import Scope as SDKScope

    text = transfer_scope_with_data_access([C1])
    sdk = SDKScope(TransferScopes.all).with_dependency(
        SDKScope(data_access_scope(C1), optional=True)
    )
    assert text == str(sdk)


def test_parse_nested_and_optional() -> None:
    text = f"{TimersScopes.timer}[{TransferScopes.all}[*{data_access_scope(C1)}]] openid"
    timer, openid = Scope.parse(text)
    assert timer.scope_string == TimersScopes.timer
    (transfer,) = timer.dependencies
    assert transfer.scope_string == TransferScopes.all and not transfer.optional
    (data,) = transfer.dependencies
    assert data.optional and data.scope_string == data_access_scope(C1)
    assert openid == Scope("openid")
    assert " ".join(str(s) for s in Scope.parse(text)) == text


@pytest.mark.parametrize("text", ["a[b", "a]b", "a[]", "*", "a[*]"])
def test_parse_rejects_malformed_strings(text: str) -> None:
    with pytest.raises(ScopeParseError):
        Scope.parse(text)


def test_resource_server_of_each_form() -> None:
    assert resource_server_of("openid") == "auth.globus.org"
    assert resource_server_of(TransferScopes.all) == "transfer.api.globus.org"
    assert resource_server_of(transfer_scope_with_data_access([C1])) == "transfer.api.globus.org"
    assert resource_server_of(data_access_scope(C1)) == C1
    assert resource_server_of("nonsense") is None


def test_scopes_to_str_deduplicates_in_order() -> None:
    assert scopes_to_str(["openid", Scope("email"), "openid"]) == "openid email"


_names = st.from_regex(r"[a-z][a-z0-9:./_-]{0,20}", fullmatch=True)
_scopes = st.recursive(
    st.builds(Scope, _names, st.booleans()),
    lambda children: st.builds(
        Scope, _names, st.booleans(), st.lists(children, min_size=1, max_size=3).map(tuple)
    ),
    max_leaves=8,
)


@given(st.lists(_scopes, min_size=1, max_size=4))
def test_serialised_scopes_parse_back_to_the_same_tree(scopes: list[Scope]) -> None:
    text = " ".join(str(scope) for scope in scopes)
    assert Scope.parse(text) == scopes

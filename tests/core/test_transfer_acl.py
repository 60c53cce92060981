"""TransferClient's sharing calls (access rules, roles, ``my_shared_endpoint_list``) against
recorded Transfer answers, and the ``AccessRule``/``CollectionRole`` models read from them.

The Globus SDK 4.9.0 ships no recorded answers for these routes (its ``testing/data/transfer``
has none for access, role or shared endpoints), so the answers below follow the Transfer API
documents (globus-api.md §14), the globus-cli's ``endpoint_acl_operations`` fixture for the
create result, and the SDK's own ``get_endpoint`` fixture for a shared endpoint's document.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import respx

from gtui.core.errors import TransferAPIError
from gtui.core.http import RetryPolicy
from gtui.core.models import AccessRule, Collection, CollectionRole
from gtui.core.transfer import TransferClient
from tests.core.sdk_fixtures import sdk_response

BASE = "https://transfer.test/"
API = "https://transfer.test/v0.10"
GUEST = "6f3b264e-351b-4d41-a950-6c4db21c5844"
RULE_ID = "3c1a8b2e-6a4f-4b9e-9d2c-7e5f0a1b2c3d"
ROLE_ID = "0f007eec-1aeb-11e7-aec4-3c970e0c9cc4"
ADA = "aad380b0-3a92-426a-8cb5-bb9300b956a9"
OWNER = "f982aefb-c5d2-41c0-8a5a-718a8d0c828c"
GROUP = "6ff95ab1-048a-4859-a099-b27b0bd8b477"

RULE_DOC = {
    "DATA_TYPE": "access",
    "id": RULE_ID,
    "principal_type": "identity",
    "principal": ADA,
    "path": "/results/",
    "permissions": "r",
    "role_id": None,
    "role_type": None,
    "create_time": "2026-01-05T10:00:00+00:00",
    "expiration_date": "2026-03-01T00:00:00+00:00",
    "notify_email": "ada@example.org",
    "notify_message": "The figures are in",
}
ROLE_RULE_DOC = {
    "DATA_TYPE": "access",
    "id": None,
    "principal_type": "identity",
    "principal": OWNER,
    "path": "/",
    "permissions": "rw",
    "role_id": ROLE_ID,
    "role_type": "administrator",
    "create_time": None,
    "expiration_date": None,
}
ACCESS_LIST = {"DATA_TYPE": "access_list", "endpoint": GUEST, "DATA": [ROLE_RULE_DOC, RULE_DOC]}
CREATE_RESULT = {
    "code": "Created",
    "resource": f"/endpoint/{GUEST}/access",
    "DATA_TYPE": "access_create_result",
    "request_id": "abc123",
    "access_id": RULE_ID,
    "message": "Access rule created successfully.",
}
ROLE_DOC = {
    "DATA_TYPE": "role",
    "id": ROLE_ID,
    "principal_type": "identity",
    "principal": OWNER,
    "role": "administrator",
}
GROUP_ROLE_DOC = {
    "DATA_TYPE": "role",
    "id": "9a1c0f3e-2b7d-4e55-8c1a-5d6e7f8a9b0c",
    "principal_type": "group",
    "principal": GROUP,
    "role": "access_manager",
}


def result_doc(code: str, message: str, resource: str) -> dict[str, Any]:
    return {
        "DATA_TYPE": "result",
        "code": code,
        "message": message,
        "request_id": "r3qU1tId",
        "resource": resource,
    }


async def _no_sleep(_seconds: float) -> None:
    return None


@pytest.fixture
async def transfer() -> Any:
    async with httpx.AsyncClient() as http:
        yield TransferClient(
            base_url=BASE, http_client=http, retry_policy=RetryPolicy(sleep=_no_sleep)
        )


def sent(route: respx.Route) -> Any:
    content = route.calls.last.request.content
    return json.loads(content) if content else None


@respx.mock
async def test_endpoint_acl_list_reads_the_rules_and_the_role_held_ones(
    transfer: TransferClient,
) -> None:
    route = respx.get(f"{API}/endpoint/{GUEST}/access_list").respond(200, json=ACCESS_LIST)
    listed = await transfer.endpoint_acl_list(GUEST, query_params={"x": "1"})
    assert route.calls.last.request.url.params["x"] == "1"
    rules = [AccessRule.from_api(doc) for doc in listed]
    assert [r.id for r in rules] == [None, RULE_ID]
    held, shared = rules
    assert held.is_role_rule and held.role_type == "administrator" and held.can_write
    assert not shared.is_role_rule and not shared.can_write
    assert (shared.principal_type, shared.principal, shared.path) == ("identity", ADA, "/results/")
    assert shared.create_time == datetime(2026, 1, 5, 10, tzinfo=UTC)
    assert shared.expiration_date == datetime(2026, 3, 1, tzinfo=UTC)
    assert shared.notify_message == "The figures are in"
    assert shared.expired(datetime(2026, 3, 1, 0, 0, 1, tzinfo=UTC))
    assert not shared.expired(datetime(2026, 2, 28, tzinfo=UTC))
    assert not held.expired()


@respx.mock
async def test_add_endpoint_acl_rule_posts_an_access_document(transfer: TransferClient) -> None:
    route = respx.post(f"{API}/endpoint/{GUEST}/access").respond(201, json=CREATE_RESULT)
    answer = await transfer.add_endpoint_acl_rule(
        GUEST,
        {
            "principal_type": "identity",
            "principal": ADA,
            "path": "/results/",
            "permissions": "r",
            "expiration_date": "2026-03-01T00:00:00+00:00",
        },
    )
    assert answer.http_status == 201
    assert answer["access_id"] == RULE_ID and answer["code"] == "Created"
    assert sent(route) == {
        "DATA_TYPE": "access",
        "principal_type": "identity",
        "principal": ADA,
        "path": "/results/",
        "permissions": "r",
        "expiration_date": "2026-03-01T00:00:00+00:00",
    }


@respx.mock
async def test_get_update_and_delete_an_acl_rule(transfer: TransferClient) -> None:
    rule_url = f"{API}/endpoint/{GUEST}/access/{RULE_ID}"
    respx.get(rule_url).respond(200, json=RULE_DOC)
    put = respx.put(rule_url).respond(
        200,
        json=result_doc("Updated", f"Access rule '{RULE_ID}' updated", f"/endpoint/{GUEST}/access"),
    )
    respx.delete(rule_url).respond(
        200,
        json=result_doc("Deleted", f"Access rule '{RULE_ID}' deleted", f"/endpoint/{GUEST}/access"),
    )
    assert AccessRule.from_api(await transfer.get_endpoint_acl_rule(GUEST, RULE_ID)).path == (
        "/results/"
    )
    updated = await transfer.update_endpoint_acl_rule(
        GUEST, RULE_ID, {"permissions": "rw", "expiration_date": None}
    )
    assert updated["code"] == "Updated"
    assert sent(put) == {"DATA_TYPE": "access", "permissions": "rw", "expiration_date": None}
    deleted = await transfer.delete_endpoint_acl_rule(GUEST, RULE_ID)
    assert deleted["code"] == "Deleted"


@respx.mock
async def test_a_missing_rule_raises_the_services_error(transfer: TransferClient) -> None:
    respx.get(f"{API}/endpoint/{GUEST}/access/{RULE_ID}").respond(
        404,
        json={
            "code": "AccessRuleNotFound",
            "message": f"Access rule '{RULE_ID}' not found",
            "request_id": "n0tF0und1",
            "resource": f"/endpoint/{GUEST}/access/{RULE_ID}",
        },
    )
    with pytest.raises(TransferAPIError) as caught:
        await transfer.get_endpoint_acl_rule(GUEST, RULE_ID)
    assert (caught.value.http_status, caught.value.code) == (404, "AccessRuleNotFound")
    assert caught.value.request_id == "n0tF0und1"


@respx.mock
async def test_a_duplicate_rule_is_a_409_exists_and_is_not_retried(
    transfer: TransferClient,
) -> None:
    route = respx.post(f"{API}/endpoint/{GUEST}/access").respond(
        409,
        json={
            "code": "Exists",
            "message": "An access rule for this identity on path '/results/' already exists",
            "request_id": "dup11cate",
            "resource": f"/endpoint/{GUEST}/access",
        },
    )
    with pytest.raises(TransferAPIError) as caught:
        await transfer.add_endpoint_acl_rule(GUEST, RULE_DOC)
    assert (caught.value.http_status, caught.value.code) == (409, "Exists")
    assert route.call_count == 1


@respx.mock
async def test_role_calls(transfer: TransferClient) -> None:
    respx.get(f"{API}/endpoint/{GUEST}/role_list").respond(
        200, json={"DATA_TYPE": "role_list", "DATA": [ROLE_DOC, GROUP_ROLE_DOC]}
    )
    post = respx.post(f"{API}/endpoint/{GUEST}/role").respond(200, json=GROUP_ROLE_DOC)
    role_url = f"{API}/endpoint/{GUEST}/role/{ROLE_ID}"
    respx.get(role_url).respond(200, json=ROLE_DOC)
    respx.delete(role_url).respond(
        200, json=result_doc("Deleted", f"Role '{ROLE_ID}' deleted", f"/endpoint/{GUEST}/role")
    )

    roles = [CollectionRole.from_api(doc) for doc in await transfer.endpoint_role_list(GUEST)]
    assert [(r.principal_type, r.role) for r in roles] == [
        ("identity", "administrator"),
        ("group", "access_manager"),
    ]
    made = await transfer.add_endpoint_role(
        GUEST, {"principal_type": "group", "principal": GROUP, "role": "access_manager"}
    )
    assert sent(post) == {
        "DATA_TYPE": "role",
        "principal_type": "group",
        "principal": GROUP,
        "role": "access_manager",
    }
    assert CollectionRole.from_api(made).principal == GROUP
    assert CollectionRole.from_api(await transfer.get_endpoint_role(GUEST, ROLE_ID)) == roles[0]
    assert (await transfer.delete_endpoint_role(GUEST, ROLE_ID))["code"] == "Deleted"


@respx.mock
async def test_my_shared_endpoint_list_reads_endpoint_documents(transfer: TransferClient) -> None:
    endpoint = sdk_response("transfer.get_endpoint").json
    host = endpoint["id"]
    route = respx.get(f"{API}/endpoint/{host}/my_shared_endpoint_list").respond(
        200, json={"DATA_TYPE": "endpoint_list", "DATA": [endpoint]}
    )
    shared = await transfer.my_shared_endpoint_list(host)
    assert route.called
    (collection,) = [Collection.from_api(doc) for doc in shared]
    assert collection.id == host
    assert collection.display_name == endpoint["display_name"]


def test_a_half_filled_rule_document_still_reads() -> None:
    rule = AccessRule.from_api({"DATA_TYPE": "access", "id": 7, "permissions": None})
    assert rule.id is None and rule.principal_type == "" and rule.permissions == "r"
    assert rule.expiration_date is None and not rule.expired()

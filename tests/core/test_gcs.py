"""GCSClient against the Globus SDK's recorded GCS Manager answers; the guest collection and
role documents; what a GCS Manager's TLS trusts; the session's GCS clients and their missing
consent; and the client against the embedded service's TLS listener."""

from __future__ import annotations

import json
import ssl
from pathlib import Path
from typing import Any

import globus_sdk
import httpx
import pytest
import respx

from gtui.core.authorizers import AccessTokenAuthorizer
from gtui.core.errors import ConsentMissing, LoginRequired
from gtui.core.gcs import (
    GCSAPIError,
    GCSClient,
    GCSResponse,
    GuestCollectionDocument,
    RoleDocument,
    gcs_verify,
    manage_collections_scope,
)
from gtui.core.http import RetryPolicy, default_ssl_context
from gtui.core.session import GlobusSession
from gtui.core.tokens import TokenStore
from tests.core.sdk_fixtures import sdk_response

HOST = "abc.xyz.data.globus.org"
API = f"https://{HOST}/api"
ENDPOINT = "d6210145-78e4-4c8a-bf95-d9616378a5c9"
MAPPED = "a9e6fcb5-f22b-48be-85f9-29d91af40177"
MANAGE = f"https://auth.globus.org/scopes/{ENDPOINT}/manage_collections"
DATA_ACCESS = f"https://auth.globus.org/scopes/{MAPPED}/data_access"


async def _no_sleep(_seconds: float) -> None:
    return None


@pytest.fixture
async def gcs() -> Any:
    async with httpx.AsyncClient() as http:
        yield GCSClient(
            f"https://{HOST}",
            authorizer=AccessTokenAuthorizer("tok"),
            http_client=http,
            retry_policy=RetryPolicy(sleep=_no_sleep),
        )


def mock(router: respx.MockRouter, name: str, case: str = "default") -> respx.Route:
    recorded = sdk_response(f"globus_connect_server.{name}", case)
    return router.route(method=recorded.method, url=API + recorded.path).respond(
        recorded.status, json=recorded.json
    )


def result(*data: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"DATA_TYPE": "result#1.0.0", "code": "success", "data": list(data), **extra}


# -- addresses ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "base"),
    [
        (HOST, f"{API}/"),
        (f"https://{HOST}", f"{API}/"),
        (f"https://{HOST}/", f"{API}/"),
        (f"{API}/", f"{API}/"),
        (API, f"{API}/"),
        (f"https://127.0.0.1:8443/{ENDPOINT}", f"https://127.0.0.1:8443/{ENDPOINT}/api/"),
    ],
)
def test_the_address_gets_api_as_the_sdk_adds_it(given: str, base: str) -> None:
    client = GCSClient(given, http_client=httpx.AsyncClient())
    assert client.base_url == base
    assert client.url_for("collections") == f"{base}collections"


def test_a_gcs_manager_is_never_plain_http() -> None:
    with pytest.raises(ValueError, match="https"):
        GCSClient(f"http://{HOST}")


# -- calls ----------------------------------------------------------------------------------


@respx.mock
async def test_get_collection_list_reads_the_recorded_answer(gcs: GCSClient) -> None:
    route = mock(respx.mock, "get_collection_list")
    answer = await gcs.get_collection_list(
        mapped_collection_id=MAPPED, filter=["mapped_collections", "created_by_me"]
    )
    assert isinstance(answer, GCSResponse)
    recorded = sdk_response("globus_connect_server.get_collection_list")
    assert [c["id"] for c in answer] == recorded.metadata["collection_ids"]
    assert len(answer) == 2
    sent = route.calls.last.request
    assert sent.url.params["filter"] == "mapped_collections,created_by_me"
    assert sent.url.params["mapped_collection_id"] == MAPPED
    assert sent.headers["authorization"] == "Bearer tok"


@respx.mock
async def test_a_refused_list_is_a_gcs_error(gcs: GCSClient) -> None:
    mock(respx.mock, "get_collection_list", "forbidden")
    with pytest.raises(GCSAPIError) as caught:
        await gcs.get_collection_list()
    error = caught.value
    assert (error.http_status, error.code) == (403, "permission_denied")
    assert "Insufficient permissions" in error.message
    assert "Globus Connect Server" in str(error)


@respx.mock
async def test_the_collection_list_pages_by_marker(gcs: GCSClient) -> None:
    first = result({"DATA_TYPE": "collection#1.0.0", "id": "a"}, has_next_page=True, marker="m1")
    last = result({"DATA_TYPE": "collection#1.0.0", "id": "b"}, has_next_page=False)
    route = respx.get(f"{API}/collections").mock(
        side_effect=[httpx.Response(200, json=first), httpx.Response(200, json=last)]
    )
    items = [c["id"] async for c in gcs.paginated.get_collection_list(page_size=1).items()]
    assert items == ["a", "b"]
    assert [c.request.url.params.get("marker") for c in route.calls] == [None, "m1"]


@respx.mock
async def test_get_endpoint_and_info_unpack_their_documents(gcs: GCSClient) -> None:
    mock(respx.mock, "get_endpoint")
    info_route = mock(respx.mock, "get_gcs_info")
    endpoint = (await gcs.get_endpoint()).unpacked("endpoint")
    recorded = sdk_response("globus_connect_server.get_endpoint")
    assert endpoint["display_name"] == recorded.metadata["display_name"]
    info = (await gcs.get_gcs_info()).unpacked("info")
    assert (
        info["client_id"]
        == sdk_response("globus_connect_server.get_gcs_info").metadata["endpoint_client_id"]
    )
    assert "authorization" not in info_route.calls.last.request.headers  # /info is public
    with pytest.raises(Exception, match="no 'collection'"):
        (await gcs.get_endpoint()).unpacked("collection")


@respx.mock
async def test_user_credentials_and_storage_gateways(gcs: GCSClient) -> None:
    credentials = mock(respx.mock, "get_user_credential_list")
    mock(respx.mock, "get_storage_gateway_list")
    listed = await gcs.get_user_credential_list("gw-1")
    assert [c["id"] for c in listed] == sdk_response(
        "globus_connect_server.get_user_credential_list"
    ).metadata["ids"]
    assert credentials.calls.last.request.url.params["storage_gateway"] == "gw-1"
    gateways = await gcs.get_storage_gateway_list()
    assert [g["id"] for g in gateways] == sdk_response(
        "globus_connect_server.get_storage_gateway_list"
    ).metadata["ids"]


@respx.mock
async def test_create_update_and_delete_a_guest_collection(gcs: GCSClient) -> None:
    made = {"DATA_TYPE": "collection#1.15.0", "id": "new", "collection_type": "guest"}
    create = respx.post(f"{API}/collections").respond(200, json=result(made))
    update = respx.patch(f"{API}/collections/new").respond(200, json=result(made))
    delete = respx.delete(f"{API}/collections/new").respond(200, json=result())
    document = GuestCollectionDocument(
        mapped_collection_id=MAPPED,
        user_credential_id="cred",
        collection_base_path="/home/demo/share/",
        display_name="Share",
    )
    assert (await gcs.create_collection(document)).unpacked("collection")["id"] == "new"
    assert json.loads(create.calls.last.request.content) == dict(document)
    await gcs.update_collection("new", GuestCollectionDocument(description="hello"))
    assert json.loads(update.calls.last.request.content) == {
        "collection_type": "guest",
        "description": "hello",
        "DATA_TYPE": "collection#1.0.0",
    }
    assert (await gcs.delete_collection("new"))["code"] == "success"
    assert delete.called


@respx.mock
async def test_roles(gcs: GCSClient) -> None:
    role = {"DATA_TYPE": "role#1.0.0", "id": "r1", "collection": MAPPED, "role": "administrator"}
    listing = respx.get(f"{API}/roles").respond(200, json=result(role))
    create = respx.post(f"{API}/roles").respond(200, json=result(role))
    respx.get(f"{API}/roles/r1").respond(200, json=result(role))
    respx.delete(f"{API}/roles/r1").respond(200, json=result())
    assert [r["id"] for r in await gcs.get_role_list(MAPPED, "all_roles")] == ["r1"]
    params = listing.calls.last.request.url.params
    assert (params["collection_id"], params["include"]) == (MAPPED, "all_roles")
    document = RoleDocument(
        principal="urn:globus:auth:identity:me", role="administrator", collection=MAPPED
    )
    assert (await gcs.create_role(document)).unpacked("role")["id"] == "r1"
    assert json.loads(create.calls.last.request.content) == {
        "DATA_TYPE": "role#1.0.0",
        "principal": "urn:globus:auth:identity:me",
        "role": "administrator",
        "collection": MAPPED,
    }
    assert (await gcs.get_role("r1")).unpacked("role")["role"] == "administrator"
    await gcs.delete_role("r1")


@respx.mock
async def test_a_missing_data_access_consent_is_a_repairable_requirement(
    gcs: GCSClient,
) -> None:
    wanted = manage_collections_scope(ENDPOINT, MAPPED)
    respx.post(f"{API}/collections").respond(
        403,
        json={
            "DATA_TYPE": "result#1.0.0",
            "code": "ConsentRequired",
            "http_response_code": 403,
            "detail": None,
            "message": "Missing required data_access consent",
            "required_scopes": [wanted],
            "authorization_parameters": {"required_scopes": [wanted]},
            "data": [],
        },
    )
    with pytest.raises(GCSAPIError) as caught:
        await gcs.create_collection(GuestCollectionDocument(display_name="x"))
    error = caught.value
    assert error.consent_required
    assert error.authorization_requirement is not None
    assert error.authorization_requirement.required_scopes == (wanted,)


@respx.mock
async def test_a_detail_document_names_its_type(gcs: GCSClient) -> None:
    respx.post(f"{API}/collections").respond(
        403,
        json={
            "DATA_TYPE": "result#1.0.0",
            "code": "permission_denied",
            "detail": {"DATA_TYPE": "authentication_timeout#1.1.0", "high_assurance": True},
            "message": "You must reauthenticate",
            "data": [],
        },
    )
    with pytest.raises(GCSAPIError) as caught:
        await gcs.create_collection({})
    assert caught.value.detail_data_type == "authentication_timeout#1.1.0"
    assert isinstance(caught.value.detail, dict)


# -- documents and scopes -------------------------------------------------------------------


def test_guest_collection_documents_match_the_sdks() -> None:
    arguments: dict[str, Any] = {
        "mapped_collection_id": MAPPED,
        "user_credential_id": "cred",
        "collection_base_path": "/share/",
        "display_name": "Share",
        "keywords": ["a", "b"],
        "public": False,
    }
    ours = GuestCollectionDocument(**arguments)
    sdk = globus_sdk.GuestCollectionDocument(**arguments)
    theirs = {k: v for k, v in sdk.items() if v is not globus_sdk.MISSING}  # left out when sent
    assert dict(ours) == theirs
    for newer in (
        {"enable_https": True},
        {"user_message": "x" * 65},
        {"activity_notification_policy": {"status": ["SUCCEEDED"]}},
    ):
        assert (
            GuestCollectionDocument(**newer)["DATA_TYPE"]
            == globus_sdk.GuestCollectionDocument(**newer)["DATA_TYPE"]
        )
    assert GuestCollectionDocument(data_type="collection#1.9.0")["DATA_TYPE"] == (
        "collection#1.9.0"
    )
    assert "description" not in GuestCollectionDocument(display_name="x")


def test_manage_collections_scope() -> None:
    assert manage_collections_scope(ENDPOINT) == MANAGE
    assert manage_collections_scope(ENDPOINT, MAPPED) == f"{MANAGE}[*{DATA_ACCESS}]"


# -- what TLS trusts --------------------------------------------------------------------------


def test_gcs_verify_reads_the_sdks_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GLOBUS_SDK_VERIFY_SSL", raising=False)
    assert gcs_verify() is default_ssl_context()
    for word in ("true", "1", "YES"):
        assert gcs_verify(word) is default_ssl_context()
    for word in ("false", "0", "off"):
        assert gcs_verify(word) is False
    bundle = tmp_path / "ca.pem"
    bundle.write_text(_a_certificate())
    monkeypatch.setenv("GLOBUS_SDK_VERIFY_SSL", str(bundle))
    context = gcs_verify()
    assert isinstance(context, ssl.SSLContext) and context is not default_ssl_context()
    with pytest.raises(ValueError, match="GLOBUS_SDK_VERIFY_SSL"):
        gcs_verify(str(tmp_path / "missing.pem"))


def _a_certificate() -> str:
    """A real CA certificate (the embedded service's authority, made in a scratch folder)."""
    import tempfile

    from gtui.sim.tls import ensure_certificates

    with tempfile.TemporaryDirectory() as folder:
        return ensure_certificates(Path(folder)).ca_file.read_text()


# -- the session's GCS clients ----------------------------------------------------------------

FOUR = {name: f"http://127.0.0.1:8400/{name}/" for name in ("auth", "transfer", "groups", "search")}


def _token(rs: str) -> dict[str, Any]:
    return {
        "access_token": f"access-{rs}",
        "refresh_token": f"refresh-{rs}",
        "expires_at_seconds": 4_000_000_000,
        "scope": "",
        "token_type": "Bearer",
    }


@respx.mock
async def test_a_login_without_the_endpoints_consent_asks_for_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GLOBUS_SDK_VERIFY_SSL", raising=False)
    store = TokenStore.for_client("sim", "client", path=tmp_path / "tokens.json")
    store.store_token_data_by_resource_server({"transfer.api.globus.org": _token("transfer")})
    async with GlobusSession(
        "client", environment="sim", token_store=store, service_urls=FOUR
    ) as session:
        gcs = session.gcs_client(f"https://{HOST}", ENDPOINT, data_access_collection=MAPPED)
        assert gcs.base_url == f"{API}/"
        with pytest.raises(ConsentMissing) as caught:
            await gcs.get_collection_list()
        error = caught.value
        assert isinstance(error, LoginRequired) and error.consent_required
        wanted = f"{MANAGE}[*{DATA_ACCESS}]"
        assert error.authorization_requirement.required_scopes == (wanted,)
        assert not respx.calls, "no request goes out without a token"

        route = respx.get(f"{API}/collections").respond(200, json=result())

        async def consent(requirement: Any) -> bool:
            store.store_token_data_by_resource_server({ENDPOINT: _token(ENDPOINT)})
            session.authorizers[f"gcs:{ENDPOINT}"].forget()
            return True

        listed = await session.call_with_consent_repair(gcs.get_collection_list, consent)
        assert list(listed) == []
        assert route.calls.last.request.headers["authorization"] == f"Bearer access-{ENDPOINT}"
        again = session.gcs_client(f"https://{HOST}", ENDPOINT, data_access_collection=MAPPED)
        assert again.authorizer is gcs.authorizer
        assert again.http_client is gcs.http_client


# -- against the embedded service ---------------------------------------------------------------


async def _client_token(sim: Any, scope: str) -> str:
    from gtui.sim.world import DEMO_CONFIDENTIAL_CLIENT_ID, DEMO_CONFIDENTIAL_CLIENT_SECRET

    async with httpx.AsyncClient() as http:
        answer = await http.post(
            f"{sim.service_urls['auth']}v2/oauth2/token",
            data={"grant_type": "client_credentials", "scope": scope},
            auth=(DEMO_CONFIDENTIAL_CLIENT_ID, DEMO_CONFIDENTIAL_CLIENT_SECRET),
        )
        answer.raise_for_status()
        token: str = answer.json()["access_token"]
        return token


async def test_the_client_makes_a_guest_collection_on_the_embedded_service(
    sim: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gtui.sim.world import ARCHIVE_ENDPOINT_ID, ARCHIVE_ID, DEMO_CONFIDENTIAL_CLIENT_ID

    monkeypatch.setenv("GLOBUS_SDK_VERIFY_SSL", sim.ca_bundle)
    url = sim.ctx.world.endpoints[ARCHIVE_ENDPOINT_ID].gcs_manager_url
    (sim.ctx.world.collections[ARCHIVE_ID].root / "home" / "demo" / "core").mkdir(parents=True)
    plain = manage_collections_scope(ARCHIVE_ENDPOINT_ID)
    async with GCSClient(
        url, authorizer=AccessTokenAuthorizer(await _client_token(sim, plain))
    ) as gcs:
        gateway = (await gcs.get_collection(ARCHIVE_ID)).unpacked("collection")[
            "storage_gateway_id"
        ]
        (credential,) = [
            c
            for c in await gcs.get_user_credential_list(gateway)
            if c["identity_id"] == DEMO_CONFIDENTIAL_CLIENT_ID
        ]
        document = GuestCollectionDocument(
            mapped_collection_id=ARCHIVE_ID,
            user_credential_id=credential["id"],
            collection_base_path="/home/demo/core/",
            display_name="From the core",
        )
        with pytest.raises(GCSAPIError) as caught:
            await gcs.create_collection(document)
        requirement = caught.value.authorization_requirement
        assert requirement is not None
        wanted = manage_collections_scope(ARCHIVE_ENDPOINT_ID, ARCHIVE_ID)
        assert requirement.required_scopes == (wanted,)

    token = await _client_token(sim, wanted)
    async with GCSClient(url, authorizer=AccessTokenAuthorizer(token)) as gcs:
        made = (await gcs.create_collection(document)).unpacked("collection")
        assert (made["collection_base_path"], made["mapped_collection_id"]) == (
            "/home/demo/core/",
            ARCHIVE_ID,
        )
        roles = await gcs.get_role_list(made["id"])
        assert [r["role"] for r in roles] == ["administrator"]
        await gcs.delete_collection(made["id"])
        with pytest.raises(GCSAPIError) as gone:
            await gcs.get_collection(made["id"])
        assert gone.value.http_status == 404

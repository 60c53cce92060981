"""The official globus-sdk ``GCSClient`` drives every route of the embedded GCS Managers.

The GCS Manager API answers on the service's TLS listener, with a certificate its own
authority signed: the SDK trusts it through ``GLOBUS_SDK_VERIFY_SSL`` (set from
``RunningSim.env``), which is the proof that the printed environment line is enough. One
service serves the module; each test makes its own folders and collections.
"""

from __future__ import annotations

import ssl
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import globus_sdk
import httpx
import pytest

from gtui.sim.serve import RunningSim, start_in_thread
from gtui.sim.world import (
    ARCHIVE_ENDPOINT_ID,
    ARCHIVE_ID,
    DEMO_CONFIDENTIAL_CLIENT_ID,
    DEMO_CONFIDENTIAL_CLIENT_SECRET,
    DEMO_USER_ID,
    GUEST_ID,
    LAPTOP_ID,
    OTHER_USER_ID,
    SCRATCH_ENDPOINT_ID,
    SCRATCH_ID,
)
from tests.sim_login import TRANSFER_SCOPE, by_resource_server, login_through_page

IDENTITY = "urn:globus:auth:identity:"


def manage(endpoint_id: str, data_access: str | None = None) -> str:
    scope = f"https://auth.globus.org/scopes/{endpoint_id}/manage_collections"
    if data_access:
        scope += f"[*https://auth.globus.org/scopes/{data_access}/data_access]"
    return scope


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSim]:
    running = start_in_thread(tmp_path_factory.mktemp("gcs-sdk"))
    with pytest.MonkeyPatch.context() as patch:
        for name, value in running.env.items():
            patch.setenv(name, value)
        yield running
    running.stop()


def confidential() -> globus_sdk.ConfidentialAppAuthClient:
    return globus_sdk.ConfidentialAppAuthClient(
        DEMO_CONFIDENTIAL_CLIENT_ID, DEMO_CONFIDENTIAL_CLIENT_SECRET
    )


def gcs_url(service: RunningSim, endpoint_id: str = SCRATCH_ENDPOINT_ID) -> str:
    return service.ctx.world.endpoints[endpoint_id].gcs_manager_url


def client_gcs(
    service: RunningSim, endpoint_id: str = SCRATCH_ENDPOINT_ID, data_access: str | None = None
) -> globus_sdk.GCSClient:
    """The demo confidential client's GCSClient (client credentials)."""
    authorizer = globus_sdk.ClientCredentialsAuthorizer(
        confidential(), manage(endpoint_id, data_access)
    )
    return globus_sdk.GCSClient(gcs_url(service, endpoint_id), authorizer=authorizer)


def user_clients(
    service: RunningSim,
    identity_id: str = DEMO_USER_ID,
    endpoint_id: str = SCRATCH_ENDPOINT_ID,
    data_access: str | None = SCRATCH_ID,
) -> tuple[globus_sdk.GCSClient, globus_sdk.TransferClient]:
    """A person's GCSClient and TransferClient, logged in through the authorize page."""
    scopes = f"{TRANSFER_SCOPE} {manage(endpoint_id, data_access)}"
    tokens = by_resource_server(login_through_page(service, scopes=scopes, identity_id=identity_id))
    gcs = globus_sdk.GCSClient(
        gcs_url(service, endpoint_id),
        authorizer=globus_sdk.AccessTokenAuthorizer(tokens[endpoint_id]),
    )
    transfer = globus_sdk.TransferClient(
        authorizer=globus_sdk.AccessTokenAuthorizer(tokens["transfer.api.globus.org"])
    )
    return gcs, transfer


def folder(service: RunningSim, collection_id: str, *parts: str) -> Path:
    path = service.ctx.world.collections[collection_id].root.joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


def guest_document(
    gcs: globus_sdk.GCSClient,
    mapped: str,
    base: str,
    name: str,
    identity_id: str = DEMO_USER_ID,
) -> Any:
    """What ``globus collection create guest`` sends: the caller's credential on the
    mapped collection's storage gateway (one per identity of its identity set)."""
    gateway = gcs.get_collection(mapped)["storage_gateway_id"]
    credentials = gcs.get_user_credential_list(storage_gateway=gateway)
    (credential,) = [c for c in credentials if c["identity_id"] == identity_id]
    return globus_sdk.GuestCollectionDocument(
        mapped_collection_id=mapped,
        user_credential_id=credential["id"],
        collection_base_path=base,
        display_name=name,
    )


def gcs_error(call: Any, *args: Any, **kwargs: Any) -> globus_sdk.GCSAPIError:
    with pytest.raises(globus_sdk.GCSAPIError) as info:
        call(*args, **kwargs)
    return info.value


def wait_for_task(tc: globus_sdk.TransferClient, task_id: str, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        task = tc.get_task(task_id)
        if task["status"] in ("SUCCEEDED", "FAILED"):
            return task
        assert time.monotonic() < deadline, f"task still {task['status']}"
        time.sleep(0.05)


# -- documents and TLS ---------------------------------------------------------------------


def test_gcsv5_documents_name_their_endpoint(service: RunningSim) -> None:
    tc = globus_sdk.TransferClient(
        authorizer=globus_sdk.ClientCredentialsAuthorizer(confidential(), TRANSFER_SCOPE)
    )
    scratch = tc.get_endpoint(SCRATCH_ID)
    assert scratch["owner_id"] == SCRATCH_ENDPOINT_ID
    assert scratch["host_endpoint_id"] is None
    assert scratch["gcs_manager_url"] == f"{service.gcs_base_url}/{SCRATCH_ENDPOINT_ID}"
    assert tc.get_endpoint(ARCHIVE_ID)["owner_id"] == ARCHIVE_ENDPOINT_ID
    guest = tc.get_endpoint(GUEST_ID)
    assert (guest["owner_id"], guest["host_endpoint_id"], guest["mapped_collection_id"]) == (
        SCRATCH_ENDPOINT_ID,
        SCRATCH_ID,
        SCRATCH_ID,
    )
    assert tc.get_endpoint(LAPTOP_ID)["owner_id"] != SCRATCH_ENDPOINT_ID  # a person's GCP
    endpoint = tc.get_endpoint(SCRATCH_ENDPOINT_ID)
    assert endpoint["entity_type"] == "GCSv5_endpoint"
    assert endpoint["id"] == endpoint["owner_id"] == SCRATCH_ENDPOINT_ID
    assert endpoint["gcs_manager_url"] == scratch["gcs_manager_url"]


def test_the_listener_speaks_tls_trusted_only_through_the_printed_authority(
    service: RunningSim,
) -> None:
    url = f"{gcs_url(service)}/api/info"
    assert url.startswith("https://127.0.0.1:")
    with pytest.raises(httpx.ConnectError):
        httpx.get(url, verify=ssl.create_default_context())
    assert httpx.get(url, verify=ssl.create_default_context(cafile=service.ca_bundle)).is_success
    assert service.env["GLOBUS_SDK_VERIFY_SSL"] == service.ca_bundle
    assert Path(service.ca_bundle).is_file()


def test_info_names_the_endpoint_as_its_resource_server(service: RunningSim) -> None:
    gcs = globus_sdk.GCSClient(gcs_url(service))  # /info needs no token
    info = gcs.get_gcs_info()
    assert info["client_id"] == info["endpoint_id"] == SCRATCH_ENDPOINT_ID
    assert gcs.endpoint_client_id == SCRATCH_ENDPOINT_ID
    # The SDK names the scope in URN form; Auth knows it in both.
    (scope,) = gcs.default_scope_requirements
    assert scope.scope_string == f"urn:globus:auth:scope:{SCRATCH_ENDPOINT_ID}:manage_collections"


def test_get_endpoint(service: RunningSim) -> None:
    endpoint = client_gcs(service).get_endpoint()
    assert endpoint["DATA_TYPE"].startswith("endpoint#1.")
    assert endpoint["id"] == SCRATCH_ENDPOINT_ID
    assert endpoint["gcs_manager_url"] == gcs_url(service)
    assert endpoint.full_data["code"] == "success"


# -- collections ---------------------------------------------------------------------------


def test_collection_list_and_get(service: RunningSim) -> None:
    gcs = client_gcs(service)
    listed = gcs.get_collection_list()
    assert listed["DATA_TYPE"] == "result#1.0.0"
    ids = [c["id"] for c in listed]
    assert ids[:2] == [SCRATCH_ID, GUEST_ID]
    assert {c["collection_type"] for c in listed} == {"mapped", "guest"}
    mapped_only = [c["id"] for c in gcs.get_collection_list(filter="mapped_collections")]
    assert mapped_only == [SCRATCH_ID]
    on_scratch = gcs.get_collection_list(mapped_collection_id=SCRATCH_ID)
    assert GUEST_ID in [c["id"] for c in on_scratch]
    paged = list(gcs.paginated.get_collection_list(page_size=1).items())
    assert [c["id"] for c in paged] == ids

    scratch = gcs.get_collection(SCRATCH_ID)
    assert scratch["DATA_TYPE"].startswith("collection#1.")
    assert scratch["collection_type"] == "mapped"
    assert scratch["identity_id"] == OTHER_USER_ID
    assert scratch["storage_gateway_id"]
    assert scratch["manager_url"] == gcs_url(service)
    guest = gcs.get_collection(GUEST_ID)
    assert guest["mapped_collection_id"] == SCRATCH_ID
    assert guest["collection_type"] == "guest"


def test_collection_errors_have_the_gcs_shape(service: RunningSim) -> None:
    gcs = client_gcs(service)
    missing = gcs_error(gcs.get_collection, str(uuid.uuid4()))
    assert (missing.http_status, missing.code) == (404, "not_found")
    assert missing.raw_json["DATA_TYPE"] == "result#1.0.0"
    assert missing.raw_json["data"] == []
    other_endpoint = gcs_error(gcs.get_collection, ARCHIVE_ID)
    assert other_endpoint.http_status == 404
    anonymous = globus_sdk.GCSClient(gcs_url(service))
    unauthorized = gcs_error(anonymous.get_collection_list)
    assert (unauthorized.http_status, unauthorized.code) == (401, "unauthorized")
    mapped = gcs_error(gcs.delete_collection, SCRATCH_ID)
    assert mapped.http_status == 403  # only the endpoint's administrators


def test_storage_gateways_and_user_credentials(service: RunningSim) -> None:
    gcs = client_gcs(service)
    (gateway,) = list(gcs.get_storage_gateway_list())
    assert gateway["DATA_TYPE"].startswith("storage_gateway#1.")
    assert gateway["connector_id"] == "145812c8-decc-41f1-83cf-bb2a85a2a70b"
    assert globus_sdk.ConnectorTable.lookup(gateway["connector_id"]).name == "POSIX"
    (credential,) = list(gcs.get_user_credential_list(storage_gateway=gateway["id"]))
    assert credential["identity_id"] == DEMO_CONFIDENTIAL_CLIENT_ID
    assert credential["storage_gateway_id"] == gateway["id"]
    assert list(gcs.get_user_credential_list(storage_gateway=str(uuid.uuid4()))) == []


def test_a_guest_collection_is_made_used_changed_and_deleted(service: RunningSim) -> None:
    gcs, tc = user_clients(service)
    share = folder(service, SCRATCH_ID, "home", "demo", "to-share")
    (share / "results.csv").write_text("a,b\n1,2\n")
    document = guest_document(gcs, SCRATCH_ID, "/home/demo/to-share/", "My shared results")
    made = gcs.create_collection(document)
    guest_id = made["id"]
    assert made["collection_type"] == "guest"
    assert (made["mapped_collection_id"], made["identity_id"]) == (SCRATCH_ID, DEMO_USER_ID)
    assert made["collection_base_path"] == "/home/demo/to-share/"
    assert made["user_credential_id"] == document["user_credential_id"]

    # Transfer knows it at once, owned by the endpoint, hosted by the mapped collection.
    doc = tc.get_endpoint(guest_id)
    assert doc["entity_type"] == "GCSv5_guest_collection"
    assert (doc["owner_id"], doc["host_endpoint_id"]) == (SCRATCH_ENDPOINT_ID, SCRATCH_ID)
    assert doc["owner_string"] == "demo@gtui.example"
    assert doc["gcs_manager_url"] == gcs_url(service)
    assert [e["name"] for e in tc.operation_ls(guest_id, path="/")] == ["results.csv"]
    shared = tc.endpoint_search(filter_scope="shared-by-me")
    assert guest_id in [e["id"] for e in shared]
    found = tc.endpoint_search("shared results", filter_scope="all")
    assert guest_id in [e["id"] for e in found]
    data = globus_sdk.TransferData(source_endpoint=guest_id, destination_endpoint=guest_id)
    data.add_item("/results.csv", "/copy/results.csv")
    assert wait_for_task(tc, tc.submit_transfer(data)["task_id"])["status"] == "SUCCEEDED"
    assert (share / "copy" / "results.csv").read_text() == "a,b\n1,2\n"

    # Its creator administers it (Transfer's roles, shared with the GCS role API).
    roles = list(gcs.get_role_list(guest_id))
    assert [(r["principal"], r["role"]) for r in roles] == [
        (IDENTITY + DEMO_USER_ID, "administrator")
    ]
    assert guest_id in [c["id"] for c in gcs.get_collection_list(filter="created_by_me")]

    changed = gcs.update_collection(
        guest_id,
        globus_sdk.GuestCollectionDocument(display_name="Renamed", keywords=["a", "b"]),
    )
    assert changed["display_name"] == "Renamed"
    assert changed["keywords"] == ["a", "b"]
    assert tc.get_endpoint(guest_id)["display_name"] == "Renamed"
    fixed = gcs_error(gcs.update_collection, guest_id, {"collection_base_path": "/elsewhere/"})
    assert fixed.http_status == 400

    deleted = gcs.delete_collection(guest_id)
    assert deleted["code"] == "success"
    with pytest.raises(globus_sdk.TransferAPIError) as gone:
        tc.get_endpoint(guest_id)
    assert gone.value.http_status == 404
    assert (share / "results.csv").exists()  # the data stays on the mapped collection
    assert gcs_error(gcs.get_collection, guest_id).http_status == 404


def test_only_its_administrators_change_a_guest_collection(service: RunningSim) -> None:
    mine, _ = user_clients(service)
    folder(service, SCRATCH_ID, "home", "demo", "private-share")
    made = mine.create_collection(
        guest_document(mine, SCRATCH_ID, "/home/demo/private-share", "Private share")
    )
    others, _ = user_clients(service, identity_id=OTHER_USER_ID, data_access=None)
    # The other user administers the endpoint: it sees and may change every collection.
    assert others.get_collection(made["id"])["display_name"] == "Private share"
    stranger = client_gcs(service)
    assert gcs_error(stranger.get_collection, made["id"]).http_status == 403
    denied = gcs_error(stranger.update_collection, made["id"], {"display_name": "Mine now"})
    assert denied.http_status == 403
    assert gcs_error(stranger.delete_collection, made["id"]).http_status == 403
    mine.delete_collection(made["id"])


def test_a_public_guest_collection_is_listed_but_opens_no_data(service: RunningSim) -> None:
    mine, _ = user_clients(service)
    folder(service, SCRATCH_ID, "home", "demo", "public-share")
    document = guest_document(mine, SCRATCH_ID, "/home/demo/public-share/", "Public share")
    document["public"] = True  # what ``globus collection create guest`` sends by default
    made = mine.create_collection(document)
    stranger = client_gcs(service)
    assert stranger.get_collection(made["id"])["public"] is True
    tc = globus_sdk.TransferClient(
        authorizer=globus_sdk.ClientCredentialsAuthorizer(confidential(), TRANSFER_SCOPE)
    )
    with pytest.raises(globus_sdk.TransferAPIError) as refused:
        tc.operation_ls(made["id"], path="/")
    assert refused.value.http_status == 403
    mine.delete_collection(made["id"])


def test_guest_collection_requests_are_checked(service: RunningSim) -> None:
    gcs, _ = user_clients(service)
    document = guest_document(gcs, SCRATCH_ID, "/home/demo/", "Checked")
    missing_folder = {**document, "collection_base_path": "/no/such/folder/"}
    assert gcs_error(gcs.create_collection, missing_folder).http_status == 400
    escaping = {**document, "collection_base_path": "/../../"}
    made = gcs.create_collection(escaping)  # normalized to the storage's root, not above it
    assert made["collection_base_path"] == "/"
    gcs.delete_collection(made["id"])
    wrong_credential = {**document, "user_credential_id": str(uuid.uuid4())}
    assert gcs_error(gcs.create_collection, wrong_credential).http_status == 400
    someone_else = {**document, "identity_id": OTHER_USER_ID}
    assert gcs_error(gcs.create_collection, someone_else).http_status == 403
    mapped = {**document, "collection_type": "mapped"}
    assert gcs_error(gcs.create_collection, mapped).http_status == 403
    bad_type = {**document, "DATA_TYPE": "endpoint#1.0.0"}
    assert gcs_error(gcs.create_collection, bad_type).http_status == 400
    demo_guest = gcs_error(client_gcs(service).delete_collection, GUEST_ID)
    assert demo_guest.http_status in (403, 409)


def test_a_guest_collection_on_a_consent_collection_needs_data_access(
    service: RunningSim,
) -> None:
    folder(service, ARCHIVE_ID, "home", "demo", "tapes")
    without = client_gcs(service, ARCHIVE_ENDPOINT_ID)
    document = guest_document(
        without, ARCHIVE_ID, "/home/demo/tapes/", "Tapes", DEMO_CONFIDENTIAL_CLIENT_ID
    )
    error = gcs_error(without.create_collection, document)
    wanted = manage(ARCHIVE_ENDPOINT_ID, ARCHIVE_ID)
    assert (error.http_status, error.code) == (403, "ConsentRequired")
    assert error.raw_json["DATA_TYPE"] == "result#1.0.0"
    assert error.info.consent_required.required_scopes == [wanted]
    gare = globus_sdk.gare.to_gare(error)
    assert gare is not None
    assert gare.authorization_parameters.required_scopes == [wanted]

    with_consent = client_gcs(service, ARCHIVE_ENDPOINT_ID, data_access=ARCHIVE_ID)
    made = with_consent.create_collection(document)
    assert made["mapped_collection_id"] == ARCHIVE_ID
    assert made["identity_id"] == DEMO_CONFIDENTIAL_CLIENT_ID
    with_consent.delete_collection(made["id"])


def test_roles_of_the_endpoint_and_its_collections(service: RunningSim) -> None:
    admin, _ = user_clients(service, identity_id=OTHER_USER_ID, data_access=None)
    endpoint_roles = list(admin.get_role_list())
    assert [(r["role"], r["collection"]) for r in endpoint_roles] == [("owner", None)]
    assert endpoint_roles[0]["DATA_TYPE"] == "role#1.0.0"
    every = list(admin.get_role_list(SCRATCH_ID, include="all_roles"))
    assert [(r["principal"], r["role"]) for r in every] == [
        (IDENTITY + OTHER_USER_ID, "administrator")
    ]
    made = admin.create_role(
        globus_sdk.GCSRoleDocument(
            collection=SCRATCH_ID, principal=IDENTITY + DEMO_USER_ID, role="activity_monitor"
        )
    )
    assert (made["collection"], made["role"]) == (SCRATCH_ID, "activity_monitor")
    assert admin.get_role(made["id"])["principal"] == IDENTITY + DEMO_USER_ID

    demo, _ = user_clients(service)
    assert [r["role"] for r in demo.get_role_list(SCRATCH_ID)] == ["activity_monitor"]
    assert gcs_error(demo.get_role_list, SCRATCH_ID, include="all_roles").http_status == 403
    refused = gcs_error(
        demo.create_role,
        {"DATA_TYPE": "role#1.0.0", "principal": IDENTITY + DEMO_USER_ID, "role": "owner"},
    )
    assert refused.http_status == 403
    assert gcs_error(demo.delete_role, made["id"]).http_status == 403
    admin.delete_role(made["id"])
    assert gcs_error(admin.get_role, made["id"]).http_status == 404
    (owner,) = endpoint_roles
    assert gcs_error(admin.delete_role, owner["id"]).http_status == 409  # the last owner
    bad = gcs_error(admin.create_role, {"principal": "someone", "role": "administrator"})
    assert bad.http_status == 400


def test_guest_roles_are_transfers_roles(service: RunningSim) -> None:
    gcs, tc = user_clients(service)
    folder(service, SCRATCH_ID, "home", "demo", "team")
    guest_id = gcs.create_collection(
        guest_document(gcs, SCRATCH_ID, "/home/demo/team/", "Team folder")
    )["id"]
    made = gcs.create_role(
        {
            "DATA_TYPE": "role#1.0.0",
            "collection": guest_id,
            "principal": IDENTITY + OTHER_USER_ID,
            "role": "access_manager",
        }
    )
    listed = tc.endpoint_role_list(guest_id)
    assert (made["id"], "access_manager") in [(r["id"], r["role"]) for r in listed]
    assert gcs.get_role(made["id"])["collection"] == guest_id
    gcs.delete_role(made["id"])
    assert made["id"] not in [r["id"] for r in tc.endpoint_role_list(guest_id)]
    gcs.delete_collection(guest_id)


def test_guest_collections_survive_a_restart(tmp_path: Path) -> None:
    first = start_in_thread(tmp_path)
    try:
        with pytest.MonkeyPatch.context() as patch:
            for name, value in first.env.items():
                patch.setenv(name, value)
            gcs, _ = user_clients(first)
            folder(first, SCRATCH_ID, "home", "demo", "kept")
            made = gcs.create_collection(
                guest_document(gcs, SCRATCH_ID, "/home/demo/kept/", "Kept share")
            )
            gcs.update_collection(made["id"], {"description": "still here"})
    finally:
        first.stop()
    second = start_in_thread(tmp_path)
    try:
        assert second.ca_bundle == first.ca_bundle
        with pytest.MonkeyPatch.context() as patch:
            for name, value in second.env.items():
                patch.setenv(name, value)
            gcs, tc = user_clients(second)
            again = gcs.get_collection(made["id"])
            assert (again["display_name"], again["description"]) == ("Kept share", "still here")
            assert tc.get_endpoint(made["id"])["description"] == "still here"
            assert [r["role"] for r in gcs.get_role_list(made["id"])] == ["administrator"]
    finally:
        second.stop()

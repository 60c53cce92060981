"""``PUT /endpoint/{id}``: the official SDK's ``TransferClient.update_endpoint`` and the
official CLI's ``globus endpoint update`` change a collection's document, and the change
outlives a restart.

The demo user owns (administers) the Globus Connect Personal collection "Demo Laptop"; the
CLI logs in as the demo confidential client, which the demo user first makes an
administrator of it (as tests/sim/test_cli_permissions.py does for "Shared Results").
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import globus_sdk
import pytest

from gtui.sim.serve import RunningSim
from gtui.sim.transfer.common import TRANSFER_RESOURCE_SERVER
from gtui.sim.world import (
    ADA_USER_ID,
    DEMO_CONFIDENTIAL_CLIENT_ID,
    DEMO_CONFIDENTIAL_CLIENT_SECRET,
    DEMO_INDEX_ID,
    DEMO_USER_ID,
    GUEST_ID,
    LAPTOP_ID,
    SCRATCH_ENDPOINT_ID,
    SCRATCH_ID,
)
from tests.sim_login import by_resource_server, login_through_page

GLOBUS = Path(sys.executable).parent / "globus"
UNKNOWN_ID = "0b5e2d1c-8f0a-4c55-9d0e-1f2a3b4c5d6e"

ClientFor = Callable[[RunningSim, str], globus_sdk.TransferClient]


@pytest.fixture
def client_for(monkeypatch: pytest.MonkeyPatch) -> ClientFor:
    """An official TransferClient of a demo identity logged in on a service."""

    def make(sim: RunningSim, identity_id: str) -> globus_sdk.TransferClient:
        for name, value in sim.env.items():
            monkeypatch.setenv(name, value)
        tokens = by_resource_server(login_through_page(sim, identity_id=identity_id))
        authorizer = globus_sdk.AccessTokenAuthorizer(tokens[TRANSFER_RESOURCE_SERVER])
        return globus_sdk.TransferClient(authorizer=authorizer)

    return make


def refused(call: Callable[[], Any]) -> globus_sdk.TransferAPIError:
    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        call()
    return caught.value


def test_the_owner_updates_the_writable_fields(sim: RunningSim, client_for: ClientFor) -> None:
    demo = client_for(sim, DEMO_USER_ID)
    changes = {
        "DATA_TYPE": "endpoint",
        "display_name": "Demo Laptop (office)",
        "description": "The laptop on my desk",
        "organization": "Lovelace Lab",
        "department": "Analytical Engines",
        "keywords": "laptop,office",
        "contact_email": "lab@gtui.example",
        "contact_info": "Room 101",
        "info_link": "https://lab.gtui.example/laptop",
        "default_directory": "/~/projects/",
        "force_encryption": True,
        "user_message": "Back up before you leave",
    }
    answer = demo.update_endpoint(LAPTOP_ID, changes)
    assert answer["DATA_TYPE"] == "result"
    assert (answer["code"], answer["message"]) == ("Updated", "Endpoint updated successfully")
    assert answer["resource"] == f"/v0.10/endpoint/{LAPTOP_ID}"
    assert answer["request_id"]
    doc = demo.get_endpoint(LAPTOP_ID)
    assert {name: doc[name] for name in changes} == changes
    # Untouched fields stay as they were.
    assert (doc["id"], doc["entity_type"]) == (LAPTOP_ID, "GCP_mapped_collection")
    assert doc["owner_id"] == DEMO_USER_ID and doc["public"] is False
    # Search and listings see the new name and words; an empty path lists the new default.
    found = demo.endpoint_search("office", filter_scope="my-endpoints")
    assert [e["display_name"] for e in found] == ["Demo Laptop (office)"]
    listing = demo.operation_ls(LAPTOP_ID)
    assert listing["path"] == "/~/projects/"
    assert "climate-model" in {entry["name"] for entry in listing}


def test_fields_can_be_unset_and_a_document_sent_back_as_read(
    sim: RunningSim, client_for: ClientFor
) -> None:
    demo = client_for(sim, DEMO_USER_ID)
    demo.update_endpoint(LAPTOP_ID, {"description": None, "default_directory": None})
    doc = demo.get_endpoint(LAPTOP_ID)
    assert doc["description"] is None and doc["default_directory"] is None
    assert demo.operation_ls(LAPTOP_ID)["path"] == "/~/"
    # A whole document, read and sent back with one field changed, is taken.
    whole = dict(demo.get_endpoint(LAPTOP_ID).data)
    whole["description"] = "Round trip"
    demo.update_endpoint(LAPTOP_ID, whole)
    assert demo.get_endpoint(LAPTOP_ID)["description"] == "Round trip"


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"canonical_name": "demo#other"}, "read-only"),
        ({"id": UNKNOWN_ID}, "read-only"),
        ({"entity_type": "GCSv4_host"}, "read-only"),
        ({"owner_id": ADA_USER_ID}, "read-only"),
        ({"no_such_field": 1}, "Unknown endpoint field"),
        ({"display_name": ""}, "must not be empty"),
        ({"display_name": None}, "must be a string"),
        ({"public": "yes"}, "true or false"),
        ({"description": 7}, "a string or null"),
        ({"info_link": "ftp://example.org"}, "URL"),
        ({"myproxy_server": "myproxy.example.org"}, "Globus Connect Server v4"),
        ({"DATA_TYPE": "collection"}, "DATA_TYPE"),
        ({"display_name": "x" * 200}, "too long"),
    ],
)
def test_read_only_and_bad_fields_are_refused_with_400(
    sim: RunningSim, client_for: ClientFor, changes: dict[str, Any], words: str
) -> None:
    demo = client_for(sim, DEMO_USER_ID)
    error = refused(lambda: demo.update_endpoint(LAPTOP_ID, changes))
    assert error.http_status == 400
    assert words in error.message
    assert demo.get_endpoint(LAPTOP_ID)["display_name"] == "Demo Laptop"


def test_only_administrators_update_and_gcsv5_documents_are_their_managers(
    sim: RunningSim, client_for: ClientFor
) -> None:
    demo = client_for(sim, DEMO_USER_ID)
    ada = client_for(sim, ADA_USER_ID)
    # Ada does not see the laptop at all; the demo user sees the public mapped collection.
    assert refused(lambda: ada.update_endpoint(LAPTOP_ID, {"description": "x"})).http_status in (
        403,
        404,
    )
    error = refused(lambda: demo.update_endpoint(UNKNOWN_ID, {"description": "x"}))
    assert (error.http_status, error.code) == (404, "EndpointNotFound")
    for endpoint_id in (SCRATCH_ID, GUEST_ID, SCRATCH_ENDPOINT_ID):
        error = refused(lambda e=endpoint_id: demo.update_endpoint(e, {"description": "x"}))
        assert (error.http_status, error.code) == (409, "Conflict")
        assert "GCS Manager" in error.message
    # An administrator role is enough: the demo user makes Ada one.
    demo.update_endpoint(LAPTOP_ID, {"public": True})
    assert ada.get_endpoint(LAPTOP_ID)["public"] is True
    error = refused(lambda: ada.update_endpoint(LAPTOP_ID, {"description": "x"}))
    assert (error.http_status, error.code) == (403, "PermissionDenied")
    demo.add_endpoint_role(
        LAPTOP_ID, {"principal_type": "identity", "principal": ADA_USER_ID, "role": "administrator"}
    )
    ada.update_endpoint(LAPTOP_ID, {"description": "Ada was here"})
    assert demo.get_endpoint(LAPTOP_ID)["description"] == "Ada was here"


def test_an_administrator_takes_an_endpoint_off_its_subscription_but_not_on(
    sim: RunningSim, client_for: ClientFor
) -> None:
    demo = client_for(sim, DEMO_USER_ID)
    current = demo.get_endpoint(LAPTOP_ID)["subscription_id"]
    assert current is not None
    demo.update_endpoint(LAPTOP_ID, {"subscription_id": current, "managed": True})
    error = refused(lambda: demo.update_endpoint(LAPTOP_ID, {"subscription_id": UNKNOWN_ID}))
    assert (error.http_status, error.code) == (403, "PermissionDenied")
    error = refused(lambda: demo.update_endpoint(LAPTOP_ID, {"subscription_id": "nope"}))
    assert error.http_status == 400
    demo.update_endpoint(LAPTOP_ID, {"managed": False})
    assert demo.get_endpoint(LAPTOP_ID)["subscription_id"] is None
    error = refused(lambda: demo.update_endpoint(LAPTOP_ID, {"managed": True}))
    assert (error.http_status, error.code) == (403, "PermissionDenied")
    demo.update_endpoint(LAPTOP_ID, {"subscription_id": None})


def search_client(sim: RunningSim, identity_id: str) -> globus_sdk.SearchClient:
    tokens = by_resource_server(login_through_page(sim, identity_id=identity_id))
    authorizer = globus_sdk.AccessTokenAuthorizer(tokens["search.api.globus.org"])
    return globus_sdk.SearchClient(authorizer=authorizer)


def laptop_files(client: globus_sdk.SearchClient) -> list[dict[str, Any]]:
    query = {
        "q": "*",
        "limit": 100,
        "filters": [{"field_name": "collection_id", "values": [LAPTOP_ID]}],
    }
    return [g["entries"][0]["content"] for g in client.post_search(DEMO_INDEX_ID, query)["gmeta"]]


def test_the_demo_index_follows_a_new_name_and_visibility(
    sim: RunningSim, client_for: ClientFor
) -> None:
    demo = client_for(sim, DEMO_USER_ID)
    assert {f["collection_name"] for f in laptop_files(search_client(sim, DEMO_USER_ID))} == {
        "Demo Laptop"
    }
    assert laptop_files(search_client(sim, ADA_USER_ID)) == []
    demo.update_endpoint(LAPTOP_ID, {"display_name": "Office laptop", "public": True})
    seen_by_ada = laptop_files(search_client(sim, ADA_USER_ID))
    assert seen_by_ada and {f["collection_name"] for f in seen_by_ada} == {"Office laptop"}


def test_changes_outlive_a_restart(
    sim_factory: Callable[..., RunningSim], tmp_path: Path, client_for: ClientFor
) -> None:
    root = tmp_path / "kept"
    first = sim_factory(root)
    client_for(first, DEMO_USER_ID).update_endpoint(
        LAPTOP_ID, {"display_name": "Renamed laptop", "department": "Physics"}
    )
    first.stop()
    second = sim_factory(root)
    doc = client_for(second, DEMO_USER_ID).get_endpoint(LAPTOP_ID)
    assert (doc["display_name"], doc["department"]) == ("Renamed laptop", "Physics")
    assert doc["description"] == "Globus Connect Personal on the demo user's laptop"
    names = {f["collection_name"] for f in laptop_files(search_client(second, DEMO_USER_ID))}
    assert names == {"Renamed laptop"}


# -- the official CLI ----------------------------------------------------------------------


@pytest.fixture
def cli_env(sim: RunningSim, client_for: ClientFor, tmp_path: Path) -> dict[str, str]:
    """The CLI's environment, once the demo user has made the client an administrator of the
    laptop."""
    client_for(sim, DEMO_USER_ID).add_endpoint_role(
        LAPTOP_ID,
        {
            "DATA_TYPE": "role",
            "principal_type": "identity",
            "principal": DEMO_CONFIDENTIAL_CLIENT_ID,
            "role": "administrator",
        },
    )
    home = tmp_path / "cli-home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GLOBUS_")}
    return {
        **env,
        **sim.env,
        "HOME": str(home),
        "GLOBUS_CLI_CLIENT_ID": DEMO_CONFIDENTIAL_CLIENT_ID,
        "GLOBUS_CLI_CLIENT_SECRET": DEMO_CONFIDENTIAL_CLIENT_SECRET,
    }


def globus(env: dict[str, str], *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(GLOBUS), *args], env=env, capture_output=True, text=True, timeout=120
    )
    assert (done.returncode == 0) is ok, (done.stdout + done.stderr)[-2000:]
    return done


@pytest.mark.skipif(not GLOBUS.exists(), reason="globus-cli is not installed")
def test_globus_endpoint_update_then_show(cli_env: dict[str, str]) -> None:
    done = globus(
        cli_env,
        "endpoint",
        "update",
        LAPTOP_ID,
        "--description",
        "Updated from the CLI",
        "--display-name",
        "CLI laptop",
        "--department",
        "Chemistry",
        "--keywords",
        "cli,laptop",
        "--contact-info",
        "Ask at the desk",
        "--info-link",
        "https://gtui.example/laptop",
        "--force-encryption",
        "--default-directory",
        "/~/data/",
    )
    assert done.stdout.strip() == "Endpoint updated successfully"
    shown = json.loads(globus(cli_env, "endpoint", "show", LAPTOP_ID, "-F", "json").stdout)
    assert shown["description"] == "Updated from the CLI"
    assert shown["display_name"] == "CLI laptop"
    assert shown["department"] == "Chemistry"
    assert shown["keywords"] == "cli,laptop"
    assert shown["contact_info"] == "Ask at the desk"
    assert shown["info_link"] == "https://gtui.example/laptop"
    assert shown["force_encryption"] is True
    assert shown["default_directory"] == "/~/data/"
    text = globus(cli_env, "endpoint", "show", LAPTOP_ID).stdout
    assert "CLI laptop" in text and "Updated from the CLI" in text
    # Make it public, then private again. (Unsetting a field from the CLI, with an empty
    # value or --no-default-directory, fails in globus-cli 3.43.0 itself before any request
    # is sent: "Type is not JSON serializable: ExplicitNullType". The SDK test above unsets.)
    globus(cli_env, "endpoint", "update", LAPTOP_ID, "--public")
    assert json.loads(globus(cli_env, "endpoint", "show", LAPTOP_ID, "-F", "json").stdout)["public"]
    globus(cli_env, "endpoint", "update", LAPTOP_ID, "--private")
    shown = json.loads(globus(cli_env, "endpoint", "show", LAPTOP_ID, "-F", "json").stdout)
    assert shown["public"] is False and shown["display_name"] == "CLI laptop"


@pytest.mark.skipif(not GLOBUS.exists(), reason="globus-cli is not installed")
def test_globus_endpoint_update_refuses_what_it_may_not_change(cli_env: dict[str, str]) -> None:
    # The CLI itself refuses GCSv5 collections (they are changed with `globus gcs ...`).
    refused_gcs = globus(cli_env, "endpoint", "update", SCRATCH_ID, "--description", "x", ok=False)
    assert "GCSv5" in refused_gcs.stderr or "Globus Connect Server v5" in refused_gcs.stderr
    # The service refuses a subscription the caller does not manage.
    refused_sub = globus(
        cli_env, "endpoint", "update", LAPTOP_ID, "--subscription-id", UNKNOWN_ID, ok=False
    )
    assert "PermissionDenied" in refused_sub.stderr
    # The CLI refuses GCSv4 server settings on a Globus Connect Personal collection.
    refused_v4 = globus(
        cli_env, "endpoint", "update", LAPTOP_ID, "--myproxy-server", "myproxy.example", ok=False
    )
    assert "--myproxy-server" in refused_v4.stderr

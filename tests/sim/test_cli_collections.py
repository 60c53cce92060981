"""The official globus-cli (3.43.0) manages GCSv5 collections of the embedded service.

The CLI reaches a GCS Manager only at an ``https://`` ``gcs_manager_url`` (the service's TLS
listener), trusting the service's authority through ``GLOBUS_SDK_VERIFY_SSL`` from
``RunningSim.env``, and builds the endpoint's ``manage_collections`` scope from the
collection's ``owner_id``: each command passing is the proof that the documents are right.

It is logged in as the demo confidential client (client credentials): a user login of the
CLI (``globus login``) registers a client of its own through Auth's client API, which the
embedded Auth does not have.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gtui.sim.serve import RunningSim
from gtui.sim.world import (
    ARCHIVE_ENDPOINT_ID,
    ARCHIVE_ID,
    DEMO_CONFIDENTIAL_CLIENT_ID,
    DEMO_CONFIDENTIAL_CLIENT_SECRET,
    GUEST_ID,
    SCRATCH_ENDPOINT_ID,
    SCRATCH_ID,
)

GLOBUS = Path(sys.executable).parent / "globus"
CLIENT_USERNAME = f"{DEMO_CONFIDENTIAL_CLIENT_ID}@clients.auth.globus.org"

pytestmark = pytest.mark.skipif(not GLOBUS.exists(), reason="globus-cli is not installed")


@pytest.fixture
def cli_env(sim: RunningSim, tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "cli-home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GLOBUS_", "REQUESTS_"))}
    return {
        **env,
        **sim.env,
        "HOME": str(home),
        "GLOBUS_CLI_CLIENT_ID": DEMO_CONFIDENTIAL_CLIENT_ID,
        "GLOBUS_CLI_CLIENT_SECRET": DEMO_CONFIDENTIAL_CLIENT_SECRET,
    }


def globus(env: dict[str, str], *args: str, status: int = 0) -> str:
    done = subprocess.run(
        [str(GLOBUS), *args], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == status, (done.stdout[-2000:], done.stderr[-2000:])
    return done.stdout if status == 0 else done.stderr


def as_json(env: dict[str, str], *args: str) -> dict[str, object]:
    data = json.loads(globus(env, *args, "--format", "json"))
    assert isinstance(data, dict)
    return data


def test_endpoint_show_shows_a_gcsv5_endpoint(cli_env: dict[str, str]) -> None:
    shown = as_json(cli_env, "endpoint", "show", SCRATCH_ENDPOINT_ID)
    assert (shown["id"], shown["entity_type"]) == (SCRATCH_ENDPOINT_ID, "GCSv5_endpoint")
    text = globus(cli_env, "endpoint", "show", SCRATCH_ENDPOINT_ID)
    assert "Display Name:" in text and "HPC Cluster" in text
    # A collection is not an endpoint: the CLI says which command to use instead.
    refused = globus(cli_env, "endpoint", "show", SCRATCH_ID, status=3)
    assert "Globus Connect Server v5 Mapped Collection" in refused


def test_gcs_endpoint_show_reads_the_gcs_manager(cli_env: dict[str, str], sim: RunningSim) -> None:
    shown = as_json(cli_env, "gcs", "endpoint", "show", ARCHIVE_ENDPOINT_ID)
    assert shown["id"] == ARCHIVE_ENDPOINT_ID
    assert shown["gcs_manager_url"] == f"{sim.gcs_base_url}/{ARCHIVE_ENDPOINT_ID}"
    text = globus(cli_env, "gcs", "endpoint", "show", ARCHIVE_ENDPOINT_ID)
    assert "GCS Manager URL:" in text and "Tape Archive Server" in text


def test_collection_list_and_show(cli_env: dict[str, str]) -> None:
    table = globus(cli_env, "collection", "list", SCRATCH_ENDPOINT_ID)
    rows = {line.split(" | ")[0].strip(): line for line in table.splitlines() if " | " in line}
    assert {SCRATCH_ID, GUEST_ID} <= set(rows)
    assert "other@gtui.example" in rows[SCRATCH_ID]  # the owner's identity, resolved by Auth
    guests = as_json(
        cli_env, "collection", "list", SCRATCH_ENDPOINT_ID, "--filter", "guest-collections"
    )
    assert [c["id"] for c in guests["DATA"]] == [GUEST_ID]  # type: ignore[index, union-attr]

    shown = globus(cli_env, "collection", "show", SCRATCH_ID)
    assert "Collection Type:             mapped" in shown
    assert "Connector:                   POSIX" in shown
    guest = as_json(cli_env, "collection", "show", GUEST_ID)
    assert (guest["collection_type"], guest["mapped_collection_id"]) == ("guest", SCRATCH_ID)


def test_collection_create_guest_then_delete(cli_env: dict[str, str], sim: RunningSim) -> None:
    share = sim.ctx.world.collections[ARCHIVE_ID].root / "home" / "demo" / "from-cli"
    share.mkdir(parents=True)
    (share / "notes.txt").write_text("shared from the CLI\n")
    # The archive needs data_access consent: the CLI asks for manage_collections with the
    # mapped collection's data_access below it, finds its user credential, and creates.
    made = as_json(
        cli_env, "collection", "create", "guest", ARCHIVE_ID, "/home/demo/from-cli/", "From CLI"
    )
    guest_id = str(made["id"])
    assert (made["collection_type"], made["mapped_collection_id"]) == ("guest", ARCHIVE_ID)
    assert made["identity_id"] == DEMO_CONFIDENTIAL_CLIENT_ID

    shown = globus(cli_env, "collection", "show", guest_id)
    assert "From CLI" in shown and CLIENT_USERNAME in shown
    listed = globus(cli_env, "collection", "list", ARCHIVE_ENDPOINT_ID, "--filter", "created-by-me")
    assert guest_id in listed
    assert "notes.txt" in globus(cli_env, "ls", f"{guest_id}:/")
    globus(cli_env, "collection", "update", guest_id, "--description", "updated by the CLI")
    assert as_json(cli_env, "collection", "show", guest_id)["description"] == "updated by the CLI"
    roles = globus(cli_env, "collection", "role", "list", guest_id)
    assert "administrator" in roles and CLIENT_USERNAME in roles

    assert globus(cli_env, "collection", "delete", guest_id).strip() == "success"
    gone = globus(cli_env, "collection", "show", guest_id, status=1)
    assert "404" in gone or "EndpointNotFound" in gone
    assert (share / "notes.txt").exists()


def test_collection_delete_refuses_a_mapped_collection(cli_env: dict[str, str]) -> None:
    refused = globus(cli_env, "collection", "delete", SCRATCH_ID, status=1)
    assert "403" in refused or "permission_denied" in refused

"""Mismatches 3 and 4 of issue 16, driven by the official clients against the embedded service.

3. ``task_list`` label filters as the real service reads them: ``label:`` holds a comma list of
   patterns that must all hold; ``~pattern`` matches the whole label ignoring case with ``*`` as
   a wildcard, ``!~`` negates it, ``=``/``!`` compare exactly (CLI ``globus task list
   --filter-label/--filter-not-label [--exact]``, SDK ``TransferClient.task_list``).
4. Endpoint documents carry the newer fields (``my_effective_roles``,
   ``sharing_target_endpoint``, ``sharing_target_root_path``, ``storage_type``,
   ``authentication_policy_id``, ``last_accessed_time``, ``requester_pays``) and search results
   also ``_rank`` and ``is_go_storage`` (SDK ``TransferClient``, CLI ``globus endpoint search``
   and ``globus endpoint show``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import globus_sdk
import pytest

from gtui.sim.serve import RunningSim
from gtui.sim.world import GUEST_ID, LAPTOP_ID, SCRATCH_ID
from tests.sim import test_cli_basics
from tests.sim.test_cli_basics import GLOBUS, globus

TRANSFER_RS = "transfer.api.globus.org"
needs_cli = pytest.mark.skipif(not GLOBUS.exists(), reason="globus-cli is not installed")
LABELS = ("wire-sync 1", "Wire-Sync 2", "wire-stage", "rewire-sync", "wire-[a]", "nightly backup")
NEWER_FIELDS = {
    "my_effective_roles": list,
    "sharing_target_endpoint": type(None),
    "sharing_target_root_path": type(None),
    "storage_type": type(None),
    "authentication_policy_id": type(None),
    "last_accessed_time": type(None),
    "requester_pays": bool,
}


@pytest.fixture
def cli_env(sim: RunningSim, tmp_path: Path) -> dict[str, str]:
    """The official CLI's environment of test_cli_basics: the service, a client login."""
    return test_cli_basics.cli_env.__wrapped__(sim, tmp_path)


@pytest.fixture
def labelled_tasks(sim: RunningSim, sdk_transfer_client: globus_sdk.TransferClient) -> list[str]:
    """One delete task per label, and one without a label, of the demo confidential client
    (the identity the CLI logs in as)."""
    home = sim.ctx.world.collections[LAPTOP_ID].root / "home" / "demo" / "wire"
    ids = []
    for i, label in enumerate((*LABELS, None)):
        (home / f"f{i}").mkdir(parents=True, exist_ok=True)
        data = globus_sdk.DeleteData(endpoint=LAPTOP_ID, recursive=True, label=label)
        data.add_item(f"/~/wire/f{i}")
        ids.append(sdk_transfer_client.submit_delete(data)["task_id"])
    return ids


def cli_labels(env: dict[str, str], *options: str) -> set[str | None]:
    """The labels of the tasks ``globus task list`` shows with these options."""
    # ``DATA[].[label]``: a projection ``DATA[].label`` would drop the null labels.
    out = globus(env, "task", "list", "--limit", "100", *options, "--jmespath", "DATA[].[label]")
    return {label for (label,) in json.loads(out)}


# -- 3. Task-list label filters -----------------------------------------------------------------


@needs_cli
def test_cli_filter_label_takes_star_wildcards_and_ignores_case(
    cli_env: dict[str, str], labelled_tasks: list[str]
) -> None:
    assert cli_labels(cli_env, "--filter-label", "wire-s*") == {
        "wire-sync 1",
        "Wire-Sync 2",
        "wire-stage",
    }
    # The whole label must match: no implicit substring, so "rewire-sync" is not a "wire-*".
    assert cli_labels(cli_env, "--filter-label", "*SYNC*") == {
        "wire-sync 1",
        "Wire-Sync 2",
        "rewire-sync",
    }
    assert cli_labels(cli_env, "--filter-label", "wire") == set()
    # Only "*" is special: brackets and "?" are taken literally.
    assert cli_labels(cli_env, "--filter-label", "wire-[a]") == {"wire-[a]"}
    assert cli_labels(cli_env, "--filter-label", "wire-?tage") == set()


@needs_cli
def test_cli_filter_not_label_excludes_what_the_pattern_matches(
    cli_env: dict[str, str], labelled_tasks: list[str]
) -> None:
    assert cli_labels(cli_env, "--filter-not-label", "wire-*") == {
        "rewire-sync",
        "nightly backup",
        None,
    }
    # --filter-label and --filter-not-label together (one ``label:~a,!~b`` clause): both hold.
    assert cli_labels(cli_env, "--filter-label", "*sync*", "--filter-not-label", "WIRE-SYNC 1") == {
        "Wire-Sync 2",
        "rewire-sync",
    }
    # Repeated --filter-label patterns must all match.
    assert cli_labels(cli_env, "--filter-label", "wire-*", "--filter-label", "*2") == {
        "Wire-Sync 2"
    }


@needs_cli
def test_cli_exact_label_filters_compare_the_whole_label_with_case(
    cli_env: dict[str, str], labelled_tasks: list[str]
) -> None:
    assert cli_labels(cli_env, "--exact", "--filter-label", "wire-sync 1") == {"wire-sync 1"}
    assert cli_labels(cli_env, "--exact", "--filter-label", "WIRE-SYNC 1") == set()
    assert cli_labels(cli_env, "--exact", "--filter-label", "wire-s*") == set()
    assert cli_labels(cli_env, "--exact", "--filter-not-label", "nightly backup") == (
        {*LABELS, None} - {"nightly backup"}
    )


def test_sdk_task_list_label_filters(
    sdk_transfer_client: globus_sdk.TransferClient, labelled_tasks: list[str]
) -> None:
    def labels(filter_: Any) -> set[str | None]:
        found = sdk_transfer_client.task_list(filter=filter_, limit=100)
        return {t["label"] for t in found}

    wire_s = {"wire-sync 1", "Wire-Sync 2", "wire-stage"}
    assert labels("type:TRANSFER,DELETE/label:~WIRE-S*") == wire_s
    assert labels({"type": "DELETE", "label": "~wire-s*"}) == wire_s
    # A task without a label has the empty label, which "*" matches.
    assert labels("type:DELETE/label:~*,!~wire-*,!~*backup") == {"rewire-sync", None}
    assert labels("type:DELETE/label:=") == {None}
    with_label = labels("type:DELETE/label:!")
    assert None not in with_label and len(with_label) == len(LABELS)


# -- 4. Endpoint documents: the newer fields; search results' _rank and is_go_storage ---------


def _check_newer_fields(doc: dict[str, Any]) -> None:
    for name, kind in NEWER_FIELDS.items():
        assert name in doc, name
        assert isinstance(doc[name], kind), (name, doc[name])
    assert doc["requester_pays"] is False


def test_endpoint_documents_carry_the_newer_fields(
    sim_env: dict, demo_user_tokens: dict[str, str], sdk_transfer_client: globus_sdk.TransferClient
) -> None:
    demo = globus_sdk.TransferClient(
        authorizer=globus_sdk.AccessTokenAuthorizer(demo_user_tokens[TRANSFER_RS])
    )
    for collection_id in (LAPTOP_ID, SCRATCH_ID, GUEST_ID):
        _check_newer_fields(demo.get_endpoint(collection_id).data)
    # my_effective_roles is the caller's: the demo user administers their laptop collection;
    # the confidential client, with whom it is shared, has no role on it.
    assert demo.get_endpoint(LAPTOP_ID)["my_effective_roles"] == ["administrator"]
    assert demo.get_endpoint(GUEST_ID)["my_effective_roles"] == []
    assert sdk_transfer_client.get_endpoint(LAPTOP_ID)["my_effective_roles"] == []
    mine = demo.endpoint_search(filter_scope="my-endpoints")
    assert [e["my_effective_roles"] for e in mine] == [["administrator"]]


def test_endpoint_search_results_carry_rank_and_is_go_storage(
    sdk_transfer_client: globus_sdk.TransferClient,
) -> None:
    found = list(sdk_transfer_client.endpoint_search("hpc scratch"))
    assert found, "the search finds the scratch collection"
    for doc in found:
        _check_newer_fields(doc)
        assert isinstance(doc["_rank"], float)
        assert doc["is_go_storage"] is False
    # Best first: the collection whose name holds the words outranks one that only mentions them.
    ranks = [doc["_rank"] for doc in sdk_transfer_client.endpoint_search("scratch")]
    assert ranks == sorted(ranks, reverse=True)
    assert sdk_transfer_client.endpoint_search("scratch")["DATA"][0]["id"] == SCRATCH_ID
    # get_endpoint answers no search-only fields.
    assert "_rank" not in sdk_transfer_client.get_endpoint(LAPTOP_ID)


@needs_cli
def test_cli_endpoint_search_and_show(cli_env: dict[str, str]) -> None:
    text = globus(cli_env, "endpoint", "search", "scratch")
    assert SCRATCH_ID in text
    found = json.loads(globus(cli_env, "endpoint", "search", "hpc", "-F", "json"))
    assert {SCRATCH_ID} <= {doc["id"] for doc in found["DATA"]}
    for doc in found["DATA"]:
        _check_newer_fields(doc)
        assert isinstance(doc["_rank"], float) and doc["is_go_storage"] is False
    shown = json.loads(globus(cli_env, "endpoint", "show", LAPTOP_ID, "-F", "json"))
    _check_newer_fields(shown)
    assert shown["my_effective_roles"] == []

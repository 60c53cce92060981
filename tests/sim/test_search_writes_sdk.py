"""Search writes and administration of the embedded service, driven by the official SDK's
``SearchClient``: ingest, deletes (by query, by subject, of an entry), tasks, indexes
(create, list, show, update, delete, reopen) and index roles, with the documents, errors and
who-may-do-what of Globus Search; ingested entries searchable under their ``visible_to``;
everything kept across a restart.

The demo user owns the demo index; the others log in through the authorize page, the demo
confidential client with client credentials (``sdk_search_client``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import globus_sdk
import pytest

from gtui.sim.serve import RunningSim
from gtui.sim.world import (
    ADA_USER_ID,
    ALAN_USER_ID,
    CLIMATE_GROUP_ID,
    DEMO_CONFIDENTIAL_CLIENT_ID,
    DEMO_INDEX_ID,
    DEMO_USER_ID,
    GRACE_USER_ID,
    LAPTOP_ID,
    OTHER_USER_ID,
)
from tests.sim_login import by_resource_server, login_through_page

SEARCH_RS = "search.api.globus.org"
UNKNOWN_ID = "0b5e2d1c-8f0a-4c55-9d0e-1f2a3b4c5d6e"
ClientFor = Callable[..., globus_sdk.SearchClient]


def urn(identity_id: str) -> str:
    return f"urn:globus:auth:identity:{identity_id}"


@pytest.fixture
def client_for(monkeypatch: pytest.MonkeyPatch) -> ClientFor:
    """An official SearchClient of a demo identity logged in on a service."""

    def make(
        sim: RunningSim, identity_id: str = DEMO_USER_ID, scopes: str | None = None
    ) -> globus_sdk.SearchClient:
        for name, value in sim.env.items():
            monkeypatch.setenv(name, value)
        options = {"scopes": scopes} if scopes else {}
        tokens = by_resource_server(login_through_page(sim, identity_id=identity_id, **options))
        authorizer = globus_sdk.AccessTokenAuthorizer(tokens[SEARCH_RS])
        return globus_sdk.SearchClient(authorizer=authorizer)

    return make


@pytest.fixture
def demo(sim: RunningSim, client_for: ClientFor) -> globus_sdk.SearchClient:
    return client_for(sim)


def refused(call: Callable[[], Any]) -> globus_sdk.SearchAPIError:
    with pytest.raises(globus_sdk.SearchAPIError) as caught:
        call()
    return caught.value


def finished(client: globus_sdk.SearchClient, task_id: str) -> dict[str, Any]:
    """The task once it is no longer pending (tasks take a fraction of a second)."""
    deadline = time.monotonic() + 10
    while True:
        task = client.get_task(task_id).data
        if task["state"] not in ("PENDING", "PROGRESS") or time.monotonic() > deadline:
            return task
        time.sleep(0.05)


def entry(subject: str, content: dict[str, Any], *visible: str, **extra: Any) -> dict[str, Any]:
    return {
        "subject": subject,
        "visible_to": list(visible or ["public"]),
        "content": content,
        **extra,
    }


def ingest(client: globus_sdk.SearchClient, index_id: str, *entries: dict[str, Any]) -> str:
    """Ingest entries (one GMetaEntry, or a GMetaList) and wait for the task; its id."""
    if len(entries) == 1:
        doc = {"ingest_type": "GMetaEntry", "ingest_data": entries[0]}
    else:
        doc = {"ingest_type": "GMetaList", "ingest_data": {"gmeta": list(entries)}}
    answer = client.ingest(index_id, doc)
    assert answer["acknowledged"] is True and answer["success"] is True
    task = finished(client, answer["task_id"])
    assert task["state"] == "SUCCESS", task
    return str(answer["task_id"])


def subjects(result: Any) -> list[str]:
    return [g["subject"] for g in result["gmeta"]]


# -- ingest and search ----------------------------------------------------------------------


def test_the_demo_user_owns_the_demo_index(demo: globus_sdk.SearchClient) -> None:
    listed = {i["id"]: i for i in demo.index_list()}
    assert listed[DEMO_INDEX_ID]["permissions"] == ["owner"]
    assert demo.get_index(DEMO_INDEX_ID)["is_trial"] is False
    (role,) = demo.get_role_list(DEMO_INDEX_ID)["role_list"]
    assert role["principal"] == urn(DEMO_USER_ID)
    assert (role["role_name"], role["principal_type"], role["index_id"]) == (
        "owner",
        "identity",
        DEMO_INDEX_ID,
    )
    assert set(role) == {
        "creation_date",
        "id",
        "index_id",
        "principal",
        "principal_type",
        "role_name",
    }
    assert [i["id"] for i in demo.index_list(filter_roles=["writer"])] == []


def test_an_ingested_entry_is_searchable_once_its_task_is_done(
    demo: globus_sdk.SearchClient,
) -> None:
    doc = {
        "ingest_type": "GMetaEntry",
        "ingest_data": entry("https://example.org/abc.txt", {"name": "abc.txt", "kind": "zebra"}),
    }
    answer = demo.ingest(DEMO_INDEX_ID, doc)
    task_id = answer["task_id"]
    first = demo.get_task(task_id)
    assert first["state"] in ("PENDING", "SUCCESS")
    assert set(first.data) == {
        "task_id",
        "state",
        "state_description",
        "index_id",
        "creation_date",
        "completion_date",
        "message",
        "additional_details",
    }
    task = finished(demo, task_id)
    assert (task["state"], task["state_description"]) == ("SUCCESS", "Task succeeded")
    assert task["index_id"] == DEMO_INDEX_ID and task["completion_date"] >= task["creation_date"]
    assert task["additional_details"] == {"num_documents_ingested": 1}
    found = demo.search(DEMO_INDEX_ID, "zebra")
    assert subjects(found) == ["https://example.org/abc.txt"]
    (hit,) = found["gmeta"][0]["entries"]
    assert hit == {
        "content": {"name": "abc.txt", "kind": "zebra"},
        "entry_id": None,
        "matched_principal_sets": ["public"],
    }
    assert demo.get_subject(DEMO_INDEX_ID, "https://example.org/abc.txt")["entries"][0][
        "content"
    ] == {"name": "abc.txt", "kind": "zebra"}
    # The CLI's "globus search ingest" wraps a GMetaEntry with its @datatype in a GIngest.
    wrapped = {
        "@datatype": "GIngest",
        "ingest_type": "GMetaEntry",
        "ingest_data": {"@datatype": "GMetaEntry", **entry("s:wrapped", {"kind": "zebra"})},
    }
    assert finished(demo, demo.ingest(DEMO_INDEX_ID, wrapped)["task_id"])["state"] == "SUCCESS"
    assert demo.search(DEMO_INDEX_ID, "zebra")["total"] == 2


def test_visible_to_decides_who_sees_an_entry(
    sim: RunningSim, demo: globus_sdk.SearchClient, client_for: ClientFor
) -> None:
    ingest(
        demo,
        DEMO_INDEX_ID,
        entry("s:for-ada", {"word": "quokka"}, urn(ADA_USER_ID)),
        entry("s:for-climate", {"word": "quokka"}, f"urn:globus:groups:id:{CLIMATE_GROUP_ID}"),
        entry("s:for-all", {"word": "quokka"}, "public"),
    )
    ada = client_for(sim, ADA_USER_ID)
    grace = client_for(sim, GRACE_USER_ID)
    ada_sees = set(subjects(ada.search(DEMO_INDEX_ID, "quokka")))
    assert "s:for-ada" in ada_sees and "s:for-all" in ada_sees
    assert "s:for-ada" not in subjects(demo.search(DEMO_INDEX_ID, "quokka"))
    hit = next(
        g for g in ada.search(DEMO_INDEX_ID, "quokka")["gmeta"] if g["subject"] == "s:for-ada"
    )
    assert hit["entries"][0]["matched_principal_sets"] == [urn(ADA_USER_ID)]
    assert refused(lambda: grace.get_subject(DEMO_INDEX_ID, "s:for-ada")).http_status == 404
    # The owner may bypass visible_to; anyone else may not.
    everything = demo.post_search(DEMO_INDEX_ID, {"q": "quokka", "bypass_visible_to": True})
    assert set(subjects(everything)) == {"s:for-ada", "s:for-climate", "s:for-all"}
    error = refused(
        lambda: grace.post_search(DEMO_INDEX_ID, {"q": "quokka", "bypass_visible_to": True})
    )
    assert (error.http_status, error.code) == (403, "Forbidden.Generic")
    # Active members of a group see what is visible to it (Grace is one; Alan's membership is
    # pending; the other user is no member).
    assert set(subjects(grace.search(DEMO_INDEX_ID, "quokka"))) == {"s:for-all", "s:for-climate"}
    alan = client_for(sim, ALAN_USER_ID)
    assert set(subjects(alan.search(DEMO_INDEX_ID, "quokka"))) == {"s:for-all"}
    other = client_for(sim, OTHER_USER_ID)
    assert set(subjects(other.search(DEMO_INDEX_ID, "quokka"))) == {"s:for-all"}
    hit = next(
        g for g in grace.search(DEMO_INDEX_ID, "quokka")["gmeta"] if g["subject"] == "s:for-climate"
    )
    assert hit["entries"][0]["matched_principal_sets"] == [
        f"urn:globus:groups:id:{CLIMATE_GROUP_ID}"
    ]


def test_a_subject_holds_several_entries_and_a_file_entry_can_be_replaced(
    demo: globus_sdk.SearchClient,
) -> None:
    ingest(
        demo,
        DEMO_INDEX_ID,
        entry("s:multi", {"part": "main", "word": "wombat"}),
        entry("s:multi", {"part": "extra", "word": "wombat"}, id="extra"),
        entry("s:multi", {"part": "hidden", "word": "wombat"}, urn(OTHER_USER_ID), id="secret"),
    )
    (result,) = demo.search(DEMO_INDEX_ID, "wombat")["gmeta"]
    assert [(e["entry_id"], e["content"]["part"]) for e in result["entries"]] == [
        (None, "main"),
        ("extra", "extra"),
    ]
    assert (
        demo.get_entry(DEMO_INDEX_ID, "s:multi", entry_id="extra")["entries"][0]["content"]["part"]
        == "extra"
    )
    assert (
        refused(lambda: demo.get_entry(DEMO_INDEX_ID, "s:multi", entry_id="secret")).http_status
        == 404
    )
    # A demo file's subject, ingested again with a null entry id, replaces the file's entry.
    readme = demo.search(DEMO_INDEX_ID, 'name:"README.md"', advanced=True)["gmeta"][0]["subject"]
    ingest(demo, DEMO_INDEX_ID, entry(readme, {"name": "README.md", "note": "rewritten"}))
    (entries,) = [g["entries"] for g in demo.search(DEMO_INDEX_ID, "rewritten")["gmeta"]]
    assert entries[0]["content"] == {"name": "README.md", "note": "rewritten"}
    assert len(demo.get_subject(DEMO_INDEX_ID, readme)["entries"]) == 1


def test_deletes_by_query_subject_and_entry(demo: globus_sdk.SearchClient) -> None:
    before = demo.get_index(DEMO_INDEX_ID)["num_subjects"]
    ingest(
        demo,
        DEMO_INDEX_ID,
        entry("s:one", {"word": "narwhal", "n": 1}),
        entry("s:two", {"word": "narwhal", "n": 2}),
        entry("s:two", {"word": "narwhal", "n": 3}, id="b"),
        entry("s:three", {"word": "narwhal", "n": 4}),
    )
    assert demo.get_index(DEMO_INDEX_ID)["num_subjects"] == before + 3
    answer = demo.delete_by_query(
        DEMO_INDEX_ID,
        {
            "q": "narwhal",
            "filters": [{"type": "range", "field_name": "n", "values": [{"from": 2, "to": 3}]}],
        },
    )
    task = finished(demo, answer["task_id"])
    assert task["state"] == "SUCCESS"
    assert task["additional_details"]["num_subjects_deleted"] == 1
    assert subjects(demo.search(DEMO_INDEX_ID, "narwhal")) == ["s:one", "s:three"]
    finished(demo, demo.delete_subject(DEMO_INDEX_ID, "s:one")["task_id"])
    assert subjects(demo.search(DEMO_INDEX_ID, "narwhal")) == ["s:three"]
    finished(demo, demo.batch_delete_by_subject(DEMO_INDEX_ID, ["s:three"])["task_id"])
    assert demo.search(DEMO_INDEX_ID, "narwhal")["total"] == 0
    # Deleting one entry of a subject keeps the others.
    ingest(
        demo,
        DEMO_INDEX_ID,
        entry("s:pair", {"w": "okapi"}),
        entry("s:pair", {"w": "okapi"}, id="x"),
    )
    finished(demo, demo.delete_entry(DEMO_INDEX_ID, "s:pair", entry_id="x")["task_id"])
    assert [e["entry_id"] for e in demo.get_subject(DEMO_INDEX_ID, "s:pair")["entries"]] == [None]
    # The demo index's file entries can be deleted too.
    laptop_files = {"type": "match_all", "field_name": "collection_id", "values": [LAPTOP_ID]}
    assert demo.post_search(DEMO_INDEX_ID, {"q": "*", "filters": [laptop_files]})["total"] > 0
    finished(
        demo, demo.delete_by_query(DEMO_INDEX_ID, {"q": "*", "filters": [laptop_files]})["task_id"]
    )
    assert demo.post_search(DEMO_INDEX_ID, {"q": "*", "filters": [laptop_files]})["total"] == 0
    # Unknown subjects and entries, and bad queries, are refused at once.
    assert refused(lambda: demo.delete_subject(DEMO_INDEX_ID, "s:nope")).http_status == 404
    assert (
        refused(lambda: demo.delete_entry(DEMO_INDEX_ID, "s:pair", entry_id="y")).http_status == 404
    )
    error = refused(lambda: demo.delete_by_query(DEMO_INDEX_ID, {"q": "(", "advanced": True}))
    assert (error.http_status, error.code) == (400, "BadRequest.InvalidQuery")
    assert refused(lambda: demo.delete_by_query(DEMO_INDEX_ID, {})).http_status == 400


def test_task_list_names_the_latest_tasks_first(demo: globus_sdk.SearchClient) -> None:
    first = ingest(demo, DEMO_INDEX_ID, entry("s:t1", {"x": 1}))
    second = ingest(demo, DEMO_INDEX_ID, entry("s:t2", {"x": 2}))
    tasks = demo.get_task_list(DEMO_INDEX_ID)["tasks"]
    assert [t["task_id"] for t in tasks[:2]] == [second, first]
    assert all(t["state"] == "SUCCESS" for t in tasks)


@pytest.mark.parametrize(
    "doc",
    [
        {"ingest_type": "GMetaEntry", "ingest_data": {"visible_to": ["public"], "content": {}}},
        {"ingest_type": "GMetaEntry", "ingest_data": entry("s", {"a": 1}, "everyone")},
        {
            "ingest_type": "GMetaEntry",
            "ingest_data": entry("s", {"a": 1}, "urn:globus:auth:identity:nope"),
        },
        {"ingest_type": "GMetaEntry", "ingest_data": {**entry("s", {}), "visible_to": []}},
        {"ingest_type": "GMetaEntry", "ingest_data": {**entry("s", {}), "content": [1, 2]}},
        {"ingest_type": "GMetaEntry", "ingest_data": {**entry("s", {}), "surprise": 1}},
        {"ingest_type": "GMetaList", "ingest_data": {"gmeta": []}},
        {"ingest_type": "GMetaList", "ingest_data": {"gmeta": [entry("s", {}), "x"]}},
        {"ingest_type": "GSomething", "ingest_data": {}},
        {"ingest_data": entry("s", {})},
    ],
)
def test_malformed_ingest_documents_are_refused_with_400(
    demo: globus_sdk.SearchClient, doc: dict[str, Any]
) -> None:
    error = refused(lambda: demo.ingest(DEMO_INDEX_ID, doc))
    assert (error.http_status, error.code) == (400, "BadRequest.ValidationError")


def test_writes_need_a_writer_role_and_a_writing_scope(
    sim: RunningSim, demo: globus_sdk.SearchClient, client_for: ClientFor
) -> None:
    other = client_for(sim, OTHER_USER_ID)
    doc = {"ingest_type": "GMetaEntry", "ingest_data": entry("s:x", {"a": 1})}
    error = refused(lambda: other.ingest(DEMO_INDEX_ID, doc))
    assert (error.http_status, error.code) == (403, "Forbidden.Generic")
    task_id = ingest(demo, DEMO_INDEX_ID, entry("s:x", {"a": 1}))
    for call in (
        lambda: other.get_task(task_id),
        lambda: other.get_task_list(DEMO_INDEX_ID),
        lambda: other.get_role_list(DEMO_INDEX_ID),
        lambda: other.delete_by_query(DEMO_INDEX_ID, {"q": "*"}),
        lambda: other.delete_subject(DEMO_INDEX_ID, "s:x"),
    ):
        assert refused(call).http_status == 403
    assert refused(lambda: demo.get_task(UNKNOWN_ID)).http_status == 404
    error = refused(lambda: demo.ingest(UNKNOWN_ID, doc))
    assert (error.http_status, error.code) == (404, "NotFound.NoSuchIndex")
    # A writer ingests and reads tasks, but neither deletes by query nor manages roles.
    demo.create_role(DEMO_INDEX_ID, {"role_name": "writer", "principal": urn(OTHER_USER_ID)})
    finished(other, other.ingest(DEMO_INDEX_ID, doc)["task_id"])
    assert other.get_task_list(DEMO_INDEX_ID)["tasks"]
    assert refused(lambda: other.delete_by_query(DEMO_INDEX_ID, {"q": "*"})).http_status == 403
    assert refused(lambda: other.get_role_list(DEMO_INDEX_ID)).http_status == 403
    # A token with only Search's "search" scope cannot write.
    reader = client_for(sim, scopes="urn:globus:auth:scope:search.api.globus.org:search")
    assert reader.search(DEMO_INDEX_ID, "*", limit=1)["count"] == 1
    error = refused(lambda: reader.ingest(DEMO_INDEX_ID, doc))
    assert (error.http_status, error.code) == (403, "Forbidden.Generic")


# -- indexes and roles ----------------------------------------------------------------------


def test_create_list_update_delete_and_reopen_an_index(
    sim: RunningSim, sdk_search_client: globus_sdk.SearchClient, client_for: ClientFor
) -> None:
    client = sdk_search_client
    made = client.create_index("Client index", "Made by a script")
    assert set(made.data) == {
        "@datatype",
        "@version",
        "creation_date",
        "display_name",
        "description",
        "id",
        "is_trial",
        "subscription_id",
        "max_size_in_mb",
        "num_entries",
        "num_subjects",
        "size_in_mb",
        "status",
    }
    assert (made["@datatype"], made["is_trial"], made["status"]) == ("GSearchIndex", True, "open")
    assert (made["num_entries"], made["num_subjects"], made["max_size_in_mb"]) == (0, 0, 1)
    index_id = made["id"]
    listed = {i["id"]: i["permissions"] for i in client.index_list()}
    assert listed == {DEMO_INDEX_ID: [], index_id: ["owner"]}
    assert [i["id"] for i in client.index_list(filter_roles=["owner"])] == [index_id]
    (role,) = client.get_role_list(index_id)["role_list"]
    assert role["principal"] == urn(DEMO_CONFIDENTIAL_CLIENT_ID)
    changed = client.update_index(index_id, display_name="Renamed index")
    assert (changed["display_name"], changed["description"]) == (
        "Renamed index",
        "Made by a script",
    )
    ingest(client, index_id, entry("s:a", {"animal": "tapir"}))
    shown = client.get_index(index_id)
    assert (shown["num_subjects"], shown["num_entries"]) == (1, 1)
    # Anyone searches any index (visible_to decides what they see).
    assert subjects(client_for(sim, ADA_USER_ID).search(index_id, "tapir")) == ["s:a"]
    assert client.delete_index(index_id).data == {"index_id": index_id, "acknowledged": True}
    assert client.get_index(index_id)["status"] == "delete-pending"
    error = refused(lambda: client.search(index_id, "tapir"))
    assert (error.http_status, error.code) == (409, "Conflict.IncompatibleIndexStatus")
    error = refused(lambda: client.delete_index(index_id))
    assert (error.http_status, error.code) == (409, "Conflict.IncompatibleIndexStatus")
    assert client.reopen_index(index_id)["acknowledged"] is True
    assert subjects(client.search(index_id, "tapir")) == ["s:a"]
    assert refused(lambda: client.reopen_index(index_id)).http_status == 409
    # Only the owner deletes an index.
    demo = client_for(sim)
    assert refused(lambda: demo.delete_index(index_id)).http_status == 403
    for bad in ({"display_name": "", "description": "x"}, {"description": "x"}):
        error = refused(lambda b=bad: client.post("/v1/index", data=b))
        assert error.http_status == 400


def test_one_principal_owns_at_most_three_trial_indexes(
    sdk_search_client: globus_sdk.SearchClient,
) -> None:
    for n in range(3):
        sdk_search_client.create_index(f"Index {n}", "")
    error = refused(lambda: sdk_search_client.create_index("One too many", ""))
    assert (error.http_status, error.code) == (409, "Conflict.LimitExceeded")
    assert error.message == "Role limit exceeded"


def test_index_roles_create_list_and_delete(
    sim: RunningSim, demo: globus_sdk.SearchClient, client_for: ClientFor
) -> None:
    made = demo.create_role(DEMO_INDEX_ID, {"role_name": "admin", "principal": urn(ADA_USER_ID)})
    assert (made["role_name"], made["principal_type"], made["index_id"]) == (
        "admin",
        "identity",
        DEMO_INDEX_ID,
    )
    group = demo.create_role(
        DEMO_INDEX_ID,
        {"role_name": "writer", "principal": f"urn:globus:groups:id:{CLIMATE_GROUP_ID}"},
    )
    assert group["principal_type"] == "group"
    names = [
        (r["principal"], r["role_name"]) for r in demo.get_role_list(DEMO_INDEX_ID)["role_list"]
    ]
    assert names == [
        (urn(DEMO_USER_ID), "owner"),
        (urn(ADA_USER_ID), "admin"),
        (f"urn:globus:groups:id:{CLIMATE_GROUP_ID}", "writer"),
    ]
    error = refused(
        lambda: demo.create_role(
            DEMO_INDEX_ID, {"role_name": "admin", "principal": urn(ADA_USER_ID)}
        )
    )
    assert error.http_status == 409
    for bad in (
        {"role_name": "reader", "principal": urn(ADA_USER_ID)},
        {"role_name": "writer", "principal": ADA_USER_ID},
        {"role_name": "writer", "principal": urn(ADA_USER_ID), "principal_type": "group"},
    ):
        assert refused(lambda b=bad: demo.create_role(DEMO_INDEX_ID, b)).http_status == 400
    # An admin lists roles and adds writers, but owners are the owners' to grant and take.
    ada = client_for(sim, ADA_USER_ID)
    assert len(ada.get_role_list(DEMO_INDEX_ID)["role_list"]) == 3
    ada.create_role(DEMO_INDEX_ID, {"role_name": "writer", "principal": urn(GRACE_USER_ID)})
    error = refused(
        lambda: ada.create_role(
            DEMO_INDEX_ID, {"role_name": "owner", "principal": urn(ADA_USER_ID)}
        )
    )
    assert error.http_status == 403
    (owner,) = [
        r for r in ada.get_role_list(DEMO_INDEX_ID)["role_list"] if r["role_name"] == "owner"
    ]
    assert refused(lambda: ada.delete_role(DEMO_INDEX_ID, owner["id"])).http_status == 403
    error = refused(lambda: demo.delete_role(DEMO_INDEX_ID, owner["id"]))
    assert (error.http_status, error.code) == (409, "Conflict.LastOwner")
    deleted = demo.delete_role(DEMO_INDEX_ID, made["id"])
    assert deleted["success"] is True and deleted["deleted"] == made.data
    assert refused(lambda: demo.delete_role(DEMO_INDEX_ID, made["id"])).http_status == 404
    assert refused(lambda: ada.get_role_list(DEMO_INDEX_ID)).http_status == 403


# -- across a restart -----------------------------------------------------------------------


def test_indexes_entries_roles_tasks_and_deletes_outlive_a_restart(
    sim_factory: Callable[..., RunningSim], tmp_path: Path, client_for: ClientFor
) -> None:
    root = tmp_path / "kept"
    first = sim_factory(root)
    demo = client_for(first)
    index_id = demo.create_index("Kept", "Outlives a restart")["id"]
    task_id = ingest(demo, index_id, entry("s:kept", {"animal": "pangolin"}))
    demo.create_role(index_id, {"role_name": "writer", "principal": urn(ADA_USER_ID)})
    ingest(demo, DEMO_INDEX_ID, entry("s:demo", {"animal": "axolotl"}))
    laptop = {"type": "match_all", "field_name": "collection_id", "values": [LAPTOP_ID]}
    finished(demo, demo.delete_by_query(DEMO_INDEX_ID, {"q": "*", "filters": [laptop]})["task_id"])
    # A task submitted just before the service stops is done at the next start.
    late = demo.ingest(
        index_id, {"ingest_type": "GMetaEntry", "ingest_data": entry("s:late", {"animal": "okapi"})}
    )["task_id"]
    first.stop()
    second = sim_factory(root)
    demo = client_for(second)
    assert demo.get_index(index_id)["display_name"] == "Kept"
    assert subjects(demo.search(index_id, "pangolin")) == ["s:kept"]
    assert subjects(demo.search(index_id, "okapi")) == ["s:late"]
    assert demo.get_task(late)["state"] == "SUCCESS"
    assert task_id in {t["task_id"] for t in demo.get_task_list(index_id)["tasks"]}
    assert [r["role_name"] for r in demo.get_role_list(index_id)["role_list"]] == [
        "owner",
        "writer",
    ]
    assert subjects(demo.search(DEMO_INDEX_ID, "axolotl")) == ["s:demo"]
    assert demo.post_search(DEMO_INDEX_ID, {"q": "*", "filters": [laptop]})["total"] == 0
    assert demo.search(DEMO_INDEX_ID, "*")["total"] > 0

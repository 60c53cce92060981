"""Names as Globus allows them — any characters but ``/`` and NUL — through the service whole.

Leading and trailing spaces, a literal ``%2e%2e``, both Unicode normalisation forms of the same
word, names that differ only by case: each is made, listed, renamed, transferred into and
deleted with the official SDK, and must come back byte for byte as it was given.
"""

from __future__ import annotations

import unicodedata
import uuid
from pathlib import Path

import globus_sdk
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gtui.sim.serve import RunningSim
from gtui.sim.world import LAPTOP_ID, SCRATCH_ID

SOURCE = "/home/demo/Documents/budget 2026.csv"
EDGE_NAMES = [
    " leading",
    "trailing ",
    "  both  ",
    "%2e%2e",
    "..%2f..%2fx",
    unicodedata.normalize("NFC", "Café"),
    unicodedata.normalize("NFD", "Café"),
    "Data",
    "data",
    "a\tb",
    "…",
]
printable = st.characters(
    blacklist_characters="/\x00", blacklist_categories=("Cs", "Cc"), max_codepoint=0x2FFFF
)
names = st.one_of(
    st.sampled_from(EDGE_NAMES),
    st.text(printable, min_size=1, max_size=24).filter(lambda n: n not in (".", "..")),
    st.tuples(st.sampled_from([" ", "  ", ""]), st.text(printable, min_size=1, max_size=8))
    .map(lambda parts: parts[0] + parts[1] + parts[0])
    .filter(lambda n: n.strip(" ") not in ("", ".", "..")),
)


def listed(tc: globus_sdk.TransferClient, folder: str) -> list[str]:
    return sorted(item["name"] for item in tc.operation_ls(LAPTOP_ID, path=folder))


def finish(tc: globus_sdk.TransferClient, answer: globus_sdk.GlobusHTTPResponse) -> str:
    task_id = answer["task_id"]
    assert tc.task_wait(task_id, timeout=60, polling_interval=1)
    return str(tc.get_task(task_id)["status"])


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(name=names, other=names)
def test_any_legal_name_is_made_listed_renamed_copied_and_deleted_as_given(
    sim: RunningSim, sdk_transfer_client: globus_sdk.TransferClient, name: str, other: str
) -> None:
    tc = sdk_transfer_client
    folder = f"/home/demo/names-{uuid.uuid4().hex[:8]}/"
    tc.operation_mkdir(LAPTOP_ID, path=folder)
    tc.operation_mkdir(LAPTOP_ID, path=folder + name)
    assert listed(tc, folder) == [name]

    # A file copied into it lands under exactly that name, with the source's bytes.
    data = globus_sdk.TransferData(source_endpoint=LAPTOP_ID, destination_endpoint=LAPTOP_ID)
    data.add_item(SOURCE, f"{folder}{name}/{name}")
    assert finish(tc, tc.submit_transfer(data)) == "SUCCEEDED"
    root = sim.ctx.world.collection_root(LAPTOP_ID)
    copied = Path(root, folder.strip("/"), name, name)
    assert copied.read_bytes() == Path(root, SOURCE.strip("/")).read_bytes()
    assert [i["name"] for i in tc.operation_ls(LAPTOP_ID, path=f"{folder}{name}/")] == [name]

    # Renamed to the other name (the same name is refused as existing; skip that case).
    renamed = other if other != name else other + " (2)"
    tc.operation_rename(LAPTOP_ID, folder + name, folder + renamed)
    assert listed(tc, folder) == [renamed]

    delete = globus_sdk.DeleteData(endpoint=LAPTOP_ID, recursive=True)
    delete.add_item(folder + renamed)
    assert finish(tc, tc.submit_delete(delete)) == "SUCCEEDED"
    assert listed(tc, folder) == []


def test_names_that_differ_by_case_or_normal_form_are_different_names(
    sdk_transfer_client: globus_sdk.TransferClient,
) -> None:
    tc = sdk_transfer_client
    folder = "/home/demo/lookalikes/"
    tc.operation_mkdir(LAPTOP_ID, path=folder)
    lookalikes = EDGE_NAMES[5:9]  # Café twice (NFC, NFD), Data, data
    for name in lookalikes:
        tc.operation_mkdir(LAPTOP_ID, path=folder + name)
    assert listed(tc, folder) == sorted(lookalikes)
    # Copied to another collection, each stays itself.
    data = globus_sdk.TransferData(source_endpoint=LAPTOP_ID, destination_endpoint=SCRATCH_ID)
    data.add_item(folder, "/~/lookalikes/", recursive=True)
    assert finish(tc, tc.submit_transfer(data)) == "SUCCEEDED"
    copied = tc.operation_ls(SCRATCH_ID, path="/~/lookalikes/")
    assert sorted(item["name"] for item in copied) == sorted(lookalikes)

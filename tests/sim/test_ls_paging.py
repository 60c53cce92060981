"""``ls`` pages as Transfer pages it, at the 100,000-entry cap: checked with the official SDK.

Folders of 99,999, 100,000 + 1 and 250,001 empty files are made on disk in the scratch
collection; every page is asked for the way a client walks a big folder (``offset`` until
``total``), and the names must add up to the folder, each exactly once.
"""

from __future__ import annotations

import os
from pathlib import Path

import globus_sdk
import pytest

from gtui.sim.serve import RunningSim
from gtui.sim.world import SCRATCH_ID

CAP = 100_000


def make_folder(root: Path, name: str, count: int) -> list[str]:
    folder = root / "pages" / name
    folder.mkdir(parents=True)
    names = [f"f{i:06d}" for i in range(count)]
    for file_name in names:
        os.close(os.open(folder / file_name, os.O_CREAT | os.O_WRONLY, 0o644))
    return names


@pytest.fixture
def demo(sim_env: dict[str, str], demo_user_tokens: dict[str, str]) -> globus_sdk.TransferClient:
    token = demo_user_tokens["transfer.api.globus.org"]
    return globus_sdk.TransferClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))


def test_folders_at_the_cap_page_with_offset_until_total(
    sim: RunningSim, demo: globus_sdk.TransferClient
) -> None:
    scratch = sim.ctx.world.collection_root(SCRATCH_ID)
    under = make_folder(scratch, "under", CAP - 1)
    over = make_folder(scratch, "over", CAP + 1)

    whole = demo.operation_ls(SCRATCH_ID, path="/pages/under/")
    assert (whole["total"], whole["length"]) == (CAP - 1, CAP - 1)
    assert sorted(e["name"] for e in whole) == under

    # The default limit is the cap: the first answer holds 100,000 and says one is left.
    first = demo.operation_ls(SCRATCH_ID, path="/pages/over/")
    assert (first["total"], first["length"]) == (CAP + 1, CAP)
    rest = demo.operation_ls(SCRATCH_ID, path="/pages/over/", offset=CAP)
    assert (rest["total"], rest["length"]) == (CAP + 1, 1)
    assert sorted([*(e["name"] for e in first), *(e["name"] for e in rest)]) == over
    past = demo.operation_ls(SCRATCH_ID, path="/pages/over/", offset=CAP + 1)
    assert past["length"] == 0 and past["total"] == CAP + 1

    with pytest.raises(globus_sdk.TransferAPIError) as refused:
        demo.operation_ls(SCRATCH_ID, path="/pages/over/", limit=CAP + 1)
    assert refused.value.http_status == 400


def test_a_folder_of_250_001_entries_comes_whole_in_pages_of_the_cap(
    sim: RunningSim, demo: globus_sdk.TransferClient
) -> None:
    names = make_folder(sim.ctx.world.collection_root(SCRATCH_ID), "big", 250_001)
    seen: list[str] = []
    lengths: list[int] = []
    offset = 0
    while True:
        page = demo.operation_ls(SCRATCH_ID, path="/pages/big/", offset=offset)
        assert page["total"] == 250_001
        lengths.append(page["length"])
        seen.extend(e["name"] for e in page)
        offset += page["length"]
        if offset >= page["total"]:
            break
    assert lengths == [CAP, CAP, 50_001]
    assert len(seen) == len(set(seen)) == 250_001
    assert sorted(seen) == names

"""The demo world: its documented ids and folders, and the sample data the demo relies on."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from gtui.sim import demo_data
from gtui.sim.persist import JsonState
from gtui.sim.settings import SimSettings
from gtui.sim.world import (
    ARCHIVE_ID,
    BIG_FOLDER_ENTRIES,
    BIG_FOLDER_PATH,
    DEMO_CONFIDENTIAL_CLIENT_ID,
    DEMO_USER_ID,
    GUEST_ID,
    LAPTOP_ID,
    LARGE_DATASET_NAME,
    LARGE_DATASET_PATH,
    OTHER_USER_ID,
    SCRATCH_ID,
    WIDE_TREE_PATH,
    World,
)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return World.load(SimSettings(root=tmp_path_factory.mktemp("world")))


def test_each_collection_has_its_documented_folder(world: World) -> None:
    folders = {cid: c.root.name for cid, c in world.collections.items()}
    assert folders == {
        LAPTOP_ID: "laptop",
        SCRATCH_ID: "scratch",
        ARCHIVE_ID: "archive",
        GUEST_ID: "shared",
    }
    assert all(c.root.is_dir() and c.root.parent == world.root for c in world.collections.values())


def test_endpoint_documents_name_the_right_kinds(world: World) -> None:
    kinds = {cid: c.to_endpoint_doc()["entity_type"] for cid, c in world.collections.items()}
    assert kinds == {
        LAPTOP_ID: "GCP_mapped_collection",
        SCRATCH_ID: "GCSv5_mapped_collection",
        ARCHIVE_ID: "GCSv5_mapped_collection",
        GUEST_ID: "GCSv5_guest_collection",
    }
    archive = world.collections[ARCHIVE_ID].to_endpoint_doc()
    assert archive["DATA_TYPE"] == "endpoint"
    assert archive["display_name"] == "Tape Archive"
    assert archive["requires_data_access_consent"] is True
    assert world.collections[LAPTOP_ID].to_endpoint_doc()["is_globus_connect"] is True


def test_visibility_follows_ownership_and_sharing(world: World) -> None:
    def ids(identity: str) -> set[str]:
        return {c.id for c in world.visible_collections(identity)}

    assert ids(DEMO_USER_ID) == {LAPTOP_ID, SCRATCH_ID, ARCHIVE_ID, GUEST_ID}
    assert ids(OTHER_USER_ID) == {SCRATCH_ID, ARCHIVE_ID, GUEST_ID}
    assert ids(DEMO_CONFIDENTIAL_CLIENT_ID) == {LAPTOP_ID, SCRATCH_ID, ARCHIVE_ID, GUEST_ID}
    assert ids("00000000-0000-0000-0000-000000000000") == {SCRATCH_ID, ARCHIVE_ID}


def test_sample_data_has_every_awkward_case(world: World) -> None:
    home = world.collection_root(LAPTOP_ID) / "home" / "demo"
    deep = max(len(p.relative_to(home / "deep").parts) for p in (home / "deep").rglob("*"))
    assert deep >= 8
    names = [p.name for p in home.rglob("*")]
    assert any(" " in n for n in names)
    assert any(not n.isascii() for n in names)
    assert (home / ".bashrc").is_file()
    inside = home / demo_data.INSIDE_LINK_NAME
    assert inside.is_symlink()
    assert inside.resolve().is_relative_to(world.collection_root(LAPTOP_ID))
    fixtures = world.collection_root(LAPTOP_ID) / demo_data.FIXTURES_PATH.strip("/")
    outside = fixtures / demo_data.OUTSIDE_LINK_NAME
    assert outside.is_symlink()
    assert not outside.resolve().is_relative_to(world.root)
    assert (fixtures / demo_data.UNREADABLE_NAME).stat().st_mode & 0o777 == 0


def test_the_home_a_user_lands_in_holds_research_data_and_no_test_fixtures(world: World) -> None:
    home = world.collection_root(LAPTOP_ID) / "home" / "demo"
    visible = sorted(p.name for p in home.iterdir() if not p.name.startswith("."))
    assert visible == ["Documents", "datasets", "deep", "latest-results", "projects"]
    assert len(list((home / "projects").iterdir())) >= 3
    sizes = [p.stat().st_size for p in (home / "datasets").rglob("*") if p.is_file()]
    assert any(s < 20_000 for s in sizes)
    assert any(s >= 10 * 1024 * 1024 for s in sizes)
    names = {p.name for p in home.rglob("*")}
    assert demo_data.OUTSIDE_LINK_NAME not in names
    assert demo_data.UNREADABLE_NAME not in names


def test_large_files_and_mixed_sizes(world: World) -> None:
    sizes = [
        p.stat().st_size
        for c in world.collections.values()
        for p in c.root.rglob("*")
        if p.is_file() and not p.is_symlink()
    ]
    large = [s for s in sizes if s >= 20 * 1024 * 1024]
    assert len(large) >= 2
    assert all(s <= 50 * 1024 * 1024 for s in large)
    assert any(s < 1000 for s in sizes)
    assert any(100_000 <= s < 1_000_000 for s in sizes)


def test_loading_again_leaves_the_data_alone(world: World) -> None:
    readme = world.collection_root(GUEST_ID) / "README.md"
    readme.write_text("edited by the user\n", encoding="utf-8")
    World.load(SimSettings(root=world.root))
    assert readme.read_text(encoding="utf-8") == "edited by the user\n"


def test_big_folder_is_built_on_first_use(world: World) -> None:
    folder = world.collection_root(SCRATCH_ID) / BIG_FOLDER_PATH.strip("/")
    assert not folder.exists()
    assert world.ensure_big_folder() == folder
    with os.scandir(folder) as entries:
        assert sum(1 for _ in entries) == BIG_FOLDER_ENTRIES
    assert world.ensure_big_folder() == folder


def test_large_dataset_is_a_sparse_file_built_on_first_use(world: World) -> None:
    folder = world.collection_root(LAPTOP_ID) / LARGE_DATASET_PATH.strip("/")
    path = folder / LARGE_DATASET_NAME
    assert folder.is_dir() and not path.exists()
    assert world.ensure_large_dataset() == path
    assert path.stat().st_size == 3 * 1024**3
    assert path.stat().st_blocks * 512 < 100 * 1024 * 1024
    assert world.ensure_large_dataset() == path
    assert sorted(p.name for p in folder.iterdir()) == ["README.md", LARGE_DATASET_NAME]


def test_a_demo_folder_of_the_first_version_loses_its_fixtures_from_the_home(
    tmp_path: Path,
) -> None:
    root = tmp_path / "world"
    World.load(SimSettings(root=root))
    home = root / "laptop" / "home" / "demo"
    (home / demo_data.OUTSIDE_LINK_NAME).symlink_to("/etc/passwd")
    (home / demo_data.UNREADABLE_NAME).write_text("old key\n", encoding="utf-8")
    (home / demo_data.UNREADABLE_NAME).chmod(0)
    (home / "my-results.txt").write_text("the user's own\n", encoding="utf-8")
    (root / demo_data.MARKER_NAME).write_text("1\n", encoding="utf-8")

    World.load(SimSettings(root=root))

    assert not os.path.lexists(home / demo_data.OUTSIDE_LINK_NAME)
    assert not os.path.lexists(home / demo_data.UNREADABLE_NAME)
    assert (home / "my-results.txt").read_text(encoding="utf-8") == "the user's own\n"
    assert (root / demo_data.MARKER_NAME).read_text(encoding="utf-8").strip() == (
        demo_data.DATA_VERSION
    )


def test_wide_tree_has_at_least_two_thousand_folders(world: World) -> None:
    top = world.ensure_wide_tree()
    assert top == world.collection_root(SCRATCH_ID) / WIDE_TREE_PATH.strip("/")
    assert sum(1 for p in top.rglob("*") if p.is_dir()) >= 2000


def test_world_constants_import_without_the_web_stack() -> None:
    probe = (
        "import sys, gtui.sim.world, gtui.sim.settings, gtui.sim.serve\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('starlette', 'uvicorn')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_json_state_round_trips_and_survives_garbage(tmp_path: Path) -> None:
    state = JsonState(tmp_path / "sub" / "state.json")
    assert state.load() == {}
    state.save({"a": [1, 2], "b": "é"})
    assert state.load() == {"a": [1, 2], "b": "é"}
    assert (tmp_path / "sub" / "state.json").stat().st_mode & 0o777 == 0o600
    (tmp_path / "sub" / "state.json").write_text("{truncated", encoding="utf-8")
    assert state.load() == {}
    assert [p.name for p in (tmp_path / "sub").iterdir()] == ["state.json"]

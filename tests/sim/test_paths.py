"""Globus paths map into the collection's folder and never out of it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gtui.sim.errors import SimAPIError
from gtui.sim.settings import FaultSettings
from gtui.sim.transfer.paths import globus_path_of, is_inside_root, resolve
from gtui.sim.world import LAPTOP_ID, Collection, demo_collections


@pytest.fixture
def laptop(tmp_path: Path) -> Collection:
    collection = demo_collections(tmp_path)[LAPTOP_ID]
    home = collection.root / "home" / "demo"
    (home / "data").mkdir(parents=True)
    (home / "data" / "a.txt").write_text("a")
    (tmp_path / "secret.txt").write_text("outside")
    os.symlink(tmp_path / "secret.txt", home / "escape")
    os.symlink("data", home / "inside")
    return collection


def refused(
    collection: Collection, path: str, faults: FaultSettings | None = None, **kwargs: bool
) -> SimAPIError:
    with pytest.raises(SimAPIError) as info:
        resolve(collection, path, faults or FaultSettings(), **kwargs)
    return info.value


def test_home_forms_all_map_to_the_home_folder(laptop: Collection) -> None:
    home = laptop.root / "home" / "demo"
    for path in ("/~/", "~", "/~", "~/", "data/..", "/home/demo"):
        assert resolve(laptop, path, FaultSettings()).real == home, path
    assert resolve(laptop, "/~/data/a.txt", FaultSettings()).real == home / "data" / "a.txt"


def test_absolute_paths_are_relative_to_the_collection_root(laptop: Collection) -> None:
    resolved = resolve(laptop, "/home/demo/data", FaultSettings())
    assert resolved.real == laptop.root / "home" / "demo" / "data"
    assert resolved.globus_path == "/home/demo/data"
    assert resolved.echo == "/home/demo/data/"
    assert resolve(laptop, "/", FaultSettings()).real == laptop.root


def test_missing_path_means_the_default_directory(laptop: Collection) -> None:
    resolved = resolve(laptop, None, FaultSettings())
    assert resolved.echo == "/~/"
    assert resolved.real == laptop.root / "home" / "demo"


def test_requested_form_is_echoed_with_a_trailing_slash(laptop: Collection) -> None:
    assert resolve(laptop, "/~/data", FaultSettings()).echo == "/~/data/"
    assert resolve(laptop, "/~/data/", FaultSettings()).echo == "/~/data/"


@pytest.mark.parametrize(
    "path",
    ["/..", "/../etc/passwd", "/~/../../..", "../../../../etc", "/home/../../x", "~/../../.."],
)
def test_dot_dot_above_the_root_is_refused(laptop: Collection, path: str) -> None:
    error = refused(laptop, path)
    assert (error.status, error.code) == (403, "EndpointPermissionDenied")


@pytest.mark.parametrize(
    ("path", "inside"),
    [
        ("/%2e%2e/etc", "%2e%2e/etc"),
        ("/~/%2E%2E/%2e%2e/x", "home/demo/%2E%2E/%2e%2e/x"),
        ("/%252e%252e/etc", "%252e%252e/etc"),
        ("/~/..%2f..%2fx", "home/demo/..%2f..%2fx"),
    ],
)
def test_percent_encoded_dots_are_literal_names_inside_the_root(
    laptop: Collection, path: str, inside: str
) -> None:
    # The path is already decoded once by HTTP; decoding it again would misname real files.
    resolved = resolve(laptop, path, FaultSettings())
    assert resolved.real == Path(os.path.realpath(laptop.root)) / inside


def test_nul_is_a_bad_request(laptop: Collection) -> None:
    error = refused(laptop, "/~/data\x00/../../etc")
    assert (error.status, error.code) == (400, "ClientError.BadRequest")


def test_symlink_leading_outside_is_refused_but_inside_links_work(laptop: Collection) -> None:
    assert refused(laptop, "/~/escape").status == 403
    assert resolve(laptop, "/~/inside/a.txt", FaultSettings()).real.read_text() == "a"


def test_the_link_itself_may_be_named_when_not_followed(laptop: Collection) -> None:
    resolved = resolve(laptop, "/~/escape", FaultSettings(), follow_final_symlink=False)
    assert resolved.real == laptop.root / "home" / "demo" / "escape"
    assert refused(laptop, "/~/escape/x", follow_final_symlink=False).status == 403


def test_denied_paths_answer_permission_denied(laptop: Collection) -> None:
    faults = FaultSettings(denied_paths=[f"{LAPTOP_ID}:/home/demo/data/"])
    assert refused(laptop, "/~/data", faults).code == "EndpointPermissionDenied"
    assert refused(laptop, "/~/data/a.txt", faults).status == 403
    assert resolve(laptop, "/~/", faults).real.is_dir()


def test_real_paths_map_back_to_globus_paths_only_inside(laptop: Collection) -> None:
    home = laptop.root / "home" / "demo"
    assert globus_path_of(laptop, home / "inside") == "/home/demo/data"
    assert globus_path_of(laptop, home / "escape") is None
    assert is_inside_root(laptop, home / "data")
    assert not is_inside_root(laptop, home / "escape")

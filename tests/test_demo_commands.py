"""``gtui --demo whoami|login|logout``: against the demo folder's running service, or one
started for the command when none runs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from gtui.cli import main
from gtui.sim.serve import RunningSim
from gtui.sim.settings import STATE_DIR_NAME
from gtui.sim.state_lock import running_service
from gtui.sim.world import DEMO_USERNAME


@pytest.fixture
def demo_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Fresh data and config folders, no Globus variables: ``gtui --demo``'s own folder."""
    monkeypatch.setenv("GTUI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GTUI_CONFIG_DIR", str(tmp_path / "config"))
    for name in ("ENVIRONMENT", *(f"SERVICE_URL_{s}" for s in ("AUTH", "TRANSFER"))):
        monkeypatch.delenv(f"GLOBUS_SDK_{name}", raising=False)
    return tmp_path / "data" / "demo"


def test_demo_commands_talk_to_the_running_demo_service(
    demo_root: Path,
    sim_factory: Callable[..., RunningSim],
    capsys: pytest.CaptureFixture[str],
) -> None:
    sim = sim_factory(demo_root)  # a `gtui --demo` running on the folder
    holder = running_service(demo_root / STATE_DIR_NAME)
    assert holder is not None and holder.base_url == sim.base_url

    assert main(["--demo", "whoami"]) == 1
    assert "You are not logged in. Run `gtui --demo login`." in capsys.readouterr().err

    assert main(["--demo", "login"]) == 0
    assert f"You are logged in as Demo User ({DEMO_USERNAME})" in capsys.readouterr().out

    assert main(["--demo", "whoami"]) == 0
    assert capsys.readouterr().out.strip() == DEMO_USERNAME


def test_with_no_service_running_one_is_started_for_the_command(
    demo_root: Path,
    sim_factory: Callable[..., RunningSim],
    capsys: pytest.CaptureFixture[str],
) -> None:
    first = sim_factory(demo_root)
    assert main(["--demo", "login"]) == 0
    first.stop()  # the service keeps its tokens for the next start
    capsys.readouterr()
    assert running_service(demo_root / STATE_DIR_NAME) is None

    assert main(["--demo", "whoami"]) == 0
    assert capsys.readouterr().out.strip() == DEMO_USERNAME
    assert running_service(demo_root / STATE_DIR_NAME) is None

    assert main(["--demo", "logout"]) == 0
    assert "revoked and removed" in capsys.readouterr().out
    assert main(["--demo", "whoami"]) == 1
    assert "You are not logged in" in capsys.readouterr().err


def test_demo_commands_use_the_folder_given_with_root(
    tmp_path: Path, demo_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = tmp_path / "another-demo"

    assert main(["--demo", "--root", str(elsewhere), "login"]) == 0
    assert main(["--demo", "--root", str(elsewhere), "whoami"]) == 0

    assert capsys.readouterr().out.splitlines()[-1] == DEMO_USERNAME
    assert (elsewhere / "laptop" / "home" / "demo" / "Documents").is_dir()
    assert not demo_root.exists()


def test_a_service_that_cannot_start_is_explained_in_one_message(
    tmp_path: Path, demo_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the demo folder should be", encoding="utf-8")

    assert main(["--demo", "--root", str(blocker / "demo"), "login"]) == 1

    err = capsys.readouterr().err
    assert "the demo service stopped while starting" in err
    assert "cannot use" in err and "Traceback" not in err

"""The official globus-cli (3.43.0) against the embedded service, logged in as the demo
confidential client: it knows who it is, lists a folder, reads its consents, and gets the
timer token and consents answer that ``globus timer create transfer`` needs."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from gtui.sim.auth.scopes import TIMER_RS, TIMER_SCOPE
from gtui.sim.serve import RunningSim
from gtui.sim.world import (
    ARCHIVE_ID,
    DEMO_CONFIDENTIAL_CLIENT_ID,
    DEMO_CONFIDENTIAL_CLIENT_SECRET,
    SCRATCH_ID,
)

GLOBUS = Path(sys.executable).parent / "globus"
TRANSFER = "urn:globus:auth:scope:transfer.api.globus.org:all"
DATA_ACCESS = f"https://auth.globus.org/scopes/{ARCHIVE_ID}/data_access"

pytestmark = pytest.mark.skipif(not GLOBUS.exists(), reason="globus-cli is not installed")

# The CLI's own consents check of `globus timer create transfer` (what it runs for a user
# login), and the token its timer client would use once the data_access need is added.
TIMER_CONSENTS_CHECK = """
import json, sys
from globus_cli.commands.timer.create import transfer
from globus_cli.login_manager import LoginManager

manager = LoginManager()
needed = transfer._derive_needed_scopes([sys.argv[1]])
if sys.argv[2] == "get-token":
    manager.add_requirement(sys.argv[3], scopes=list(needed.values()))
    manager._get_client_authorizer(sys.argv[3]).get_authorization_header()
missing = transfer._derive_missing_scopes(manager, manager.get_auth_client(), needed)
print(json.dumps(missing))
"""


@pytest.fixture
def cli_env(sim: RunningSim, tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "cli-home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GLOBUS_")}
    return {
        **env,
        # Until the service names Timers in its environment, point the SDK at its mount.
        "GLOBUS_SDK_SERVICE_URL_TIMER": f"{sim.base_url}/timer/",
        **sim.env,
        "HOME": str(home),
        "GLOBUS_CLI_CLIENT_ID": DEMO_CONFIDENTIAL_CLIENT_ID,
        "GLOBUS_CLI_CLIENT_SECRET": DEMO_CONFIDENTIAL_CLIENT_SECRET,
    }


def run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def globus(env: dict[str, str], *args: str) -> str:
    return run(env, str(GLOBUS), *args)


def test_whoami_names_the_client(cli_env: dict[str, str]) -> None:
    assert globus(cli_env, "whoami").strip() == (
        f"{DEMO_CONFIDENTIAL_CLIENT_ID}@clients.auth.globus.org"
    )


def test_ls_lists_a_collection(cli_env: dict[str, str]) -> None:
    assert "home/" in globus(cli_env, "ls", f"{SCRATCH_ID}:/").split()


def test_the_cli_reads_its_consents(cli_env: dict[str, str]) -> None:
    """There is no ``globus session consents``: ``globus api auth`` makes the same call."""
    globus(cli_env, "ls", f"{SCRATCH_ID}:/")  # grants transfer:all
    path = f"/v2/api/identities/{DEMO_CONFIDENTIAL_CLIENT_ID}/consents"
    consents = json.loads(globus(cli_env, "api", "auth", "GET", path))["consents"]
    names = {c["scope_name"] for c in consents}
    assert {"openid", TRANSFER} <= names
    assert {c["client"] for c in consents} == {DEMO_CONFIDENTIAL_CLIENT_ID}
    every = globus(
        cli_env,
        "api",
        "auth",
        "GET",
        path,
        "-Q",
        "all=true",
        "--scope-string",
        "urn:globus:auth:scope:auth.globus.org:view_consents",
    )
    assert len(json.loads(every)["consents"]) >= len(consents)


def test_timer_create_gets_its_token_and_its_consents_answer(cli_env: dict[str, str]) -> None:
    python = [sys.executable, "-c", TIMER_CONSENTS_CHECK, ARCHIVE_ID]
    assert json.loads(run(cli_env, *python, "check-only")) == [ARCHIVE_ID]
    assert json.loads(run(cli_env, *python, "get-token", TIMER_RS)) == []
    storage = next((Path(cli_env["HOME"]) / ".globus").rglob("storage.db"))
    with sqlite3.connect(storage) as db:
        rows = db.execute(
            "SELECT token_data_json FROM token_storage WHERE resource_server = ?", (TIMER_RS,)
        ).fetchall()
    (row,) = rows
    assert json.loads(row[0])["scope"] == f"{TIMER_SCOPE}[{TRANSFER}[{DATA_ACCESS}]]"

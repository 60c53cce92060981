"""The command line against the embedded service: login with a pasted code, logout, whoami,
config init and path."""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from gtui import auth_cli
from gtui.cli import build_parser, main
from gtui.config import config_path, example_config_text, load_settings
from gtui.core.login_place import browser_is_local
from gtui.core.scopes import TRANSFER_RESOURCE_SERVER
from gtui.core.tokens import TokenStore
from gtui.sim.serve import RunningSim, start_in_thread
from gtui.sim.world import DEMO_NATIVE_CLIENT_ID, DEMO_USER_ID, DEMO_USERNAME

CODE = re.compile(r'<code id="auth-code">([^<]+)</code>')
URL = re.compile(r"^\s+(http://\S+/auth/v2/oauth2/authorize\?\S+)$", re.MULTILINE)


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSim]:
    running = start_in_thread(tmp_path_factory.mktemp("world"))
    yield running
    running.stop()


@pytest.fixture
def env(sim: RunningSim, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh data/config folder, the service's variables, and no local browser."""
    for name, value in sim.env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("GTUI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GTUI_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.1 5000 10.0.0.2 22")
    return tmp_path


def store() -> TokenStore:
    return TokenStore.for_client("sim", DEMO_NATIVE_CLIENT_ID)


def paste_code_from_page(out: io.StringIO) -> Callable[[str], str]:
    """Play the user: open the printed URL in a 'browser' and paste the code it shows."""

    def read_code(prompt: str) -> str:
        match = URL.search(out.getvalue())
        assert match, out.getvalue()
        page = httpx.get(match.group(1))
        assert page.status_code == 200
        code = CODE.search(page.text)
        assert code, page.text
        return code.group(1)

    return read_code


def run_login(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    args = build_parser().parse_args(["login", *argv])
    status = auth_cli.login(args, read_code=paste_code_from_page(out), out=out)
    return status, out.getvalue()


def test_login_with_a_pasted_code_stores_tokens_for_every_service(env: Path) -> None:
    status, text = run_login()

    assert status == 0, text
    assert f"You are logged in as Demo User ({DEMO_USERNAME}) on sim." in text
    tokens = store().get_by_resource_server()
    assert {"auth.globus.org", TRANSFER_RESOURCE_SERVER} <= set(tokens)
    assert tokens[TRANSFER_RESOURCE_SERVER]["refresh_token"]
    assert tokens[TRANSFER_RESOURCE_SERVER]["identity_id"] == DEMO_USER_ID
    assert tokens[TRANSFER_RESOURCE_SERVER]["access_token"] not in text


def test_login_with_a_wrong_code_fails_cleanly_and_stores_nothing(env: Path) -> None:
    out = io.StringIO()
    args = build_parser().parse_args(["login"])

    status = auth_cli.login(args, read_code=lambda prompt: "not-a-real-code", out=out)

    assert status == 1
    assert not store().get_by_resource_server()


def test_login_redirect_to_loopback_finishes_without_pasting(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SSH_CONNECTION")
    monkeypatch.setenv("DISPLAY", ":0")
    visited: list[int] = []

    def browser(url: str) -> bool:
        import threading

        def visit() -> None:
            visited.append(httpx.get(url, follow_redirects=True).status_code)

        threading.Thread(target=visit, daemon=True).start()
        return True

    monkeypatch.setattr(auth_cli.webbrowser, "open", browser)
    out = io.StringIO()
    args = build_parser().parse_args(["login"])

    status = auth_cli.login(args, read_code=lambda prompt: pytest.fail("asked to paste"), out=out)

    assert status == 0, out.getvalue()
    assert "Your browser should open" in out.getvalue()
    assert visited == [200]
    assert store().get_token_data(TRANSFER_RESOURCE_SERVER)


def test_whoami_prints_the_username_and_linked_identities(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_login()[0] == 0

    assert main(["whoami"]) == 0
    assert capsys.readouterr().out.strip() == DEMO_USERNAME

    assert main(["whoami", "--linked-identities"]) == 0
    text = capsys.readouterr().out
    assert "Username" in text
    assert re.search(rf"{re.escape(DEMO_USERNAME)}\s+Demo User\s+{DEMO_USER_ID}", text)


def test_whoami_without_a_login_says_how_to_log_in(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["whoami"]) == 1
    assert "gtui login" in capsys.readouterr().err


def test_logout_revokes_the_tokens_at_the_service_and_removes_them(
    env: Path, sim: RunningSim, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_login()[0] == 0
    token = store().get_token_data(TRANSFER_RESOURCE_SERVER)["access_token"]
    ls_url = f"{sim.base_url}/transfer/v0.10/endpoint_search?filter_scope=my-endpoints"
    headers = {"Authorization": f"Bearer {token}"}
    assert httpx.get(ls_url, headers=headers).status_code == 200

    assert main(["logout"]) == 0

    assert "revoked and removed" in capsys.readouterr().out
    assert httpx.get(ls_url, headers=headers).status_code == 401
    assert not store().get_by_resource_server()
    assert main(["logout"]) == 0
    assert "not logged in" in capsys.readouterr().out


def test_login_without_a_client_id_in_production_says_where_to_set_it(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GLOBUS_SDK_ENVIRONMENT", "production")

    assert main(["login"]) == 2

    assert "client_id" in capsys.readouterr().err


class TerminalInput(io.StringIO):
    """What the user types at a terminal."""

    def isatty(self) -> bool:
        return True


UNKNOWN_CLIENT_ID = "1b7e2c3a-5d4f-4e6b-8a9c-0d1e2f3a4b5c"


@pytest.fixture
def production_without_a_client_id(env: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Production settings and a config.toml from `gtui config init` with no client id; the
    GLOBUS_SDK_SERVICE_URL_* variables keep the requests on the embedded service."""
    monkeypatch.setenv("GLOBUS_SDK_ENVIRONMENT", "production")
    path = config_path()
    path.parent.mkdir(parents=True)
    path.write_text(example_config_text(), encoding="utf-8")
    return path


def test_login_without_a_client_id_in_a_terminal_sets_one_up_and_logs_in(
    production_without_a_client_id: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    typed = f"my-client\n{UNKNOWN_CLIENT_ID}\n\n{DEMO_NATIVE_CLIENT_ID}\n"
    monkeypatch.setattr(sys, "stdin", TerminalInput(typed))
    out = io.StringIO()
    args = build_parser().parse_args(["login"])

    status = auth_cli.login(args, read_code=paste_code_from_page(out), out=out)

    text = out.getvalue()
    assert status == 0, text
    assert "https://app.globus.org/settings/developers" in text
    assert "Register a thick client or script that will be installed and run by users" in text
    assert "“my-client” is not a client id" in text
    assert f"Globus Auth does not know {UNKNOWN_CLIENT_ID} as a native app" in text
    assert "nothing was entered" in text
    assert f"Saved client_id in {production_without_a_client_id}" in text
    assert f"You are logged in as Demo User ({DEMO_USERNAME}) on production." in text
    assert load_settings().general.client_id == DEMO_NATIVE_CLIENT_ID
    before = example_config_text().splitlines()
    after = production_without_a_client_id.read_text(encoding="utf-8").splitlines()
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert changed == [('client_id = ""', f'client_id = "{DEMO_NATIVE_CLIENT_ID}"')]


def test_login_set_up_ended_at_end_of_input_saves_nothing(
    production_without_a_client_id: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(sys, "stdin", TerminalInput("not-a-client-id\n"))

    assert main(["login"]) == 1

    assert "No client id was given; nothing was saved." in capsys.readouterr().err
    assert production_without_a_client_id.read_text(encoding="utf-8") == example_config_text()


def test_config_init_writes_the_example_and_never_overwrites_without_force(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["config", "path"]) == 0
    path = Path(capsys.readouterr().out.strip())
    assert path == env / "config" / "config.toml"

    assert main(["config", "init"]) == 0
    assert "[general]" in path.read_text(encoding="utf-8")
    path.write_text('[general]\ntheme = "nord"\n', encoding="utf-8")
    capsys.readouterr()

    assert main(["config", "init"]) == 1
    assert "--force" in capsys.readouterr().err
    assert path.read_text(encoding="utf-8") == '[general]\ntheme = "nord"\n'

    assert main(["config", "init", "--force"]) == 0
    assert "[transfer]" in path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("environ", "platform", "local"),
    [
        ({"DISPLAY": ":0"}, "linux", True),
        ({}, "linux", False),
        ({"DISPLAY": ":0", "SSH_CONNECTION": "a b c d"}, "linux", False),
        ({}, "darwin", True),
        ({"SSH_TTY": "/dev/pts/1"}, "darwin", False),
    ],
)
def test_a_browser_counts_as_local_only_off_ssh_and_with_a_display(
    environ: dict[str, str], platform: str, local: bool
) -> None:
    assert browser_is_local(environ, platform) is local

"""Tokens encrypted at rest, switched on in config, through the commands people run.

``gtui login`` (a pasted code) with ``security.encrypt_tokens`` writes a file that holds no
token in the clear; ``gtui whoami`` and the app's start read it back with the passphrase from
the environment or asked for at the prompt; a wrong or missing passphrase is one clear
sentence and leaves the file untouched; a plain file is read back as before.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import re
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from gtui import auth_cli, passphrase
from gtui.config import load_settings
from gtui.core.scopes import TRANSFER_RESOURCE_SERVER
from gtui.core.tokens import TokenStore, default_token_path, namespace_for
from gtui.sim.serve import RunningSim
from gtui.sim.world import DEMO_NATIVE_CLIENT_ID, DEMO_USERNAME
from gtui.tui import launch
from gtui.tui.app import GtuiApp

PASSPHRASE = "correct horse battery staple"
URL = re.compile(r"https?://\S+/v2/oauth2/authorize\?\S+")
CODE = re.compile(r'<code id="auth-code">([^<]+)</code>')


@pytest.fixture
def configured(
    app_dirs: Path, sim: RunningSim, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., None]:
    """Point gtui at ``sim`` and write its config with encryption on or off."""
    for name, value in sim.env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("GTUI_TOKEN_PASSPHRASE", raising=False)

    def write(*, encrypt: bool) -> None:
        (app_dirs / "config" / "config.toml").write_text(
            f'[general]\nclient_id = "{DEMO_NATIVE_CLIENT_ID}"\n\n'
            f"[security]\nencrypt_tokens = {'true' if encrypt else 'false'}\n"
        )

    return write


def _login() -> tuple[int, str]:
    out = io.StringIO()

    def paste_code(prompt: str) -> str:
        url = URL.search(out.getvalue())
        assert url, out.getvalue()
        page = httpx.get(url.group(0))
        return CODE.search(page.text).group(1)

    args = argparse.Namespace(no_local_server=True, no_browser=True, scope=[])
    return auth_cli.login(args, read_code=paste_code, out=out), out.getvalue()


def _whoami() -> tuple[int, str]:
    out = io.StringIO()
    return auth_cli.whoami(argparse.Namespace(linked_identities=False), out=out), out.getvalue()


def _tokens(passphrase: str | None) -> dict[str, Any]:
    store = TokenStore.for_client("sim", DEMO_NATIVE_CLIENT_ID, passphrase=passphrase)
    return store.get_by_resource_server()


def test_encrypted_tokens_are_read_back_and_a_wrong_passphrase_is_one_clear_sentence(
    configured: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    configured(encrypt=True)
    monkeypatch.setenv("GTUI_TOKEN_PASSPHRASE", PASSPHRASE)
    status, said = _login()
    assert status == 0, said
    path = default_token_path()
    raw = path.read_bytes()
    document = json.loads(raw)
    assert document["encryption"]["scheme"] == "fernet-scrypt" and "data" not in document
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    stored = _tokens(PASSPHRASE)
    assert TRANSFER_RESOURCE_SERVER in stored
    for token in stored.values():
        for key in ("access_token", "refresh_token"):
            assert token[key].encode() not in raw
    assert namespace_for("sim", DEMO_NATIVE_CLIENT_ID).encode() not in raw

    assert _whoami() == (0, DEMO_USERNAME + "\n")

    asked: list[str] = []
    monkeypatch.delenv("GTUI_TOKEN_PASSPHRASE")
    monkeypatch.setattr(
        passphrase.getpass, "getpass", lambda prompt: asked.append(prompt) or PASSPHRASE
    )
    assert _whoami() == (0, DEMO_USERNAME + "\n")
    assert asked == ["Passphrase of the token file: "]

    capsys.readouterr()
    monkeypatch.setenv("GTUI_TOKEN_PASSPHRASE", "wrong horse")
    assert _whoami()[0] == 1
    err = capsys.readouterr().err
    assert err == "gtui: The passphrase does not open the token store. Check it and try again.\n"
    assert path.read_bytes() == raw

    started: list[GtuiApp] = []
    monkeypatch.setattr(GtuiApp, "run", lambda self, **kw: started.append(self) or 0)
    assert launch.run_production(load_settings(), log_path=path) == 1
    assert "The passphrase does not open the token store" in capsys.readouterr().err
    assert started == [] and path.read_bytes() == raw

    monkeypatch.setenv("GTUI_TOKEN_PASSPHRASE", PASSPHRASE)
    assert launch.run_production(load_settings(), log_path=path) == 0
    (app,) = started
    assert app.connector is not None
    connection = asyncio.run(app.connector())
    assert connection.login_needed is None
    assert connection.session is not None and connection.session.has_tokens()
    asyncio.run(connection.session.aclose())

    configured(encrypt=False)
    assert _whoami()[0] == 1
    assert "The token store is encrypted" in capsys.readouterr().err
    assert path.read_bytes() == raw


def test_a_plain_token_file_is_read_back_and_still_read_once_encryption_is_on(
    configured: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    configured(encrypt=False)
    status, said = _login()
    assert status == 0, said
    document = json.loads(default_token_path().read_bytes())
    assert "encryption" not in document
    stored = _tokens(None)
    namespace = document["data"][namespace_for("sim", DEMO_NATIVE_CLIENT_ID)]
    assert (
        namespace[TRANSFER_RESOURCE_SERVER]["refresh_token"]
        == (stored[TRANSFER_RESOURCE_SERVER]["refresh_token"])
    )
    assert _whoami() == (0, DEMO_USERNAME + "\n")
    configured(encrypt=True)
    monkeypatch.setenv("GTUI_TOKEN_PASSPHRASE", PASSPHRASE)
    assert _whoami() == (0, DEMO_USERNAME + "\n")
    assert _tokens(PASSPHRASE) == stored

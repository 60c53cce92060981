"""A whole session with debug logging, then a search of everything it wrote for secrets.

Every access token, refresh token, id_token, authorization code and PKCE verifier that
crossed the wire (recorded by a transport under the app's own HTTP client) is looked for,
whole and by its first 16 characters, in: the log files, stdout and stderr, every
notification, every error message and repr, the app's state files, the embedded service's
state, and SVG screenshots of each screen visited. Only the token store may hold tokens.
"""

from __future__ import annotations

import json
import logging
import re
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gtui.core.session import GlobusSession
from gtui.sim.serve import RunningSim
from gtui.sim.world import DEMO_NATIVE_CLIENT_ID, DEMO_USER_ID, LAPTOP_ID
from gtui.tui.demo_login import demo_login
from gtui.tui.launch import setup_logging
from gtui.tui.screens.login import LoginScreen
from gtui.tui.screens.transfer_options import TransferOptionsScreen
from tests.tui.tui_helpers import build_app, pane, ready, wait_for

CODE = re.compile(r'<code id="auth-code">([^<]+)</code>')
SECRET_FIELDS = ("access_token", "refresh_token", "id_token")


class RecordingTransport(httpx.AsyncBaseTransport):
    """Passes every request on and remembers each secret that went out or came back."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.secrets: dict[str, str] = {}
        self.requests = 0

    def remember(self, kind: str, value: Any) -> None:
        if isinstance(value, str) and len(value) >= 16:
            self.secrets[value] = kind

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        header = request.headers.get("authorization", "")
        if header.lower().startswith("bearer "):
            self.remember("access token", header[7:])
        if request.headers.get("content-type", "").startswith("application/x-www-form"):
            form = dict(urllib.parse.parse_qsl(request.content.decode()))
            for key in ("code", "code_verifier", "refresh_token", "token"):
                self.remember(key, form.get(key))
        for key, value in request.url.params.items():
            if key in ("code", "code_verifier"):
                self.remember(key, value)
        response = await self.inner.handle_async_request(request)
        body = await response.aread()
        if "json" in response.headers.get("content-type", ""):
            self._from_body(json.loads(body or b"null"))
        elif match := CODE.search(body.decode(errors="replace")):
            self.remember("auth code", match.group(1))
        return httpx.Response(
            response.status_code, headers=response.headers, content=body, request=request
        )

    def _from_body(self, data: Any) -> None:
        if isinstance(data, dict):
            for field in SECRET_FIELDS:
                self.remember(field, data.get(field))
            for other in data.get("other_tokens") or []:
                self._from_body(other)

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.fixture
def debug_log(app_dirs: Path) -> Iterator[Path]:
    """gtui's logging exactly as ``gtui --debug`` sets it up; restored afterwards."""
    logger = logging.getLogger("gtui")
    saved = (logger.level, list(logger.handlers))
    path = setup_logging("DEBUG")
    try:
        yield path
    finally:
        for handler in list(logger.handlers):
            handler.close()
            logger.removeHandler(handler)
        logger.setLevel(saved[0])
        for handler in saved[1]:
            logger.addHandler(handler)


def _read_all(folder: Path) -> str:
    return "".join(p.read_text(errors="replace") for p in folder.iterdir() if p.is_file())


def _files_besides_the_token_store(folder: Path) -> list[tuple[str, str]]:
    return [
        (str(path), path.read_text(errors="replace"))
        for path in folder.rglob("*")
        if path.is_file()
        and not path.name.startswith(("tokens.json", ".tokens-"))
        and path.stat().st_size < 5_000_000
    ]


def _leaks(secrets: dict[str, str], text: str, where: str) -> list[str]:
    return [
        f"{kind} in {where}"
        for secret, kind in secrets.items()
        if secret in text or secret[:16] in text
    ]


async def test_a_debug_session_writes_no_secret_anywhere(
    app_dirs: Path,
    sim_factory: Callable[..., RunningSim],
    debug_log: Path,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.1 5000 10.0.0.2 22")
    sim = sim_factory(app_dirs / "root")
    recorder = RecordingTransport()
    session = GlobusSession(
        DEMO_NATIVE_CLIENT_ID,
        environment="sim",
        service_urls=sim.service_urls,
        http_client=httpx.AsyncClient(transport=recorder, timeout=30),
    )
    flow_reprs = [repr(session.login_flow())]
    await demo_login(session)
    sim.settings.faults.denied_paths = [f"{LAPTOP_ID}:/home/demo/deep/"]
    app = build_app(sim, session)
    screenshots: list[str] = []
    texts: list[str] = []
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await ready(pilot)
        left = pane(app, "left")
        left.file_list.focus()
        left.file_list.cursor = left.file_list.row_of("Documents")
        await pilot.press("enter")
        await wait_for(pilot, lambda: left.path == "/~/Documents/" and not left.fetching)
        screenshots.append(app.export_screenshot())
        left.file_list.cursor = left.file_list.row_of("budget 2026.csv")
        await pilot.press("f5")
        await wait_for(pilot, lambda: isinstance(app.screen, TransferOptionsScreen))
        screenshots.append(app.export_screenshot())
        await pilot.press("enter")
        await wait_for(pilot, lambda: any(t.status == "SUCCEEDED" for t in app.feed.tasks.values()))
        sim.ctx.auth.expire_access_tokens(DEMO_USER_ID)
        await pilot.press("backspace")
        await wait_for(pilot, lambda: left.path == "/~/" and not left.fetching)
        left.file_list.cursor = left.file_list.row_of("deep")
        await pilot.press("enter")
        await wait_for(pilot, lambda: left.error is not None)
        for data in session.token_store.get_by_resource_server().values():
            await session.auth.oauth2_revoke_token(data["refresh_token"])
        await pilot.press("ctrl+r")
        screen = await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen) and app.screen)
        await wait_for(pilot, lambda: screen.flow is not None)
        screenshots.append(app.export_screenshot())
        flow_reprs.append(repr(screen.flow))
        async with httpx.AsyncClient() as browser:
            page = await browser.get(screen.flow.authorize_url)
        code = CODE.search(page.text).group(1)
        recorder.remember("auth code", code)
        recorder.remember("code_verifier", screen.flow._verifier)
        screen.query_one("#login-code").value = code
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, LoginScreen))
        await ready(pilot)
        screenshots.append(app.export_screenshot())
        texts += [n.message for n in app._notifications]
        texts += [n.title for n in app._notifications]
    texts += flow_reprs + [repr(session), repr(session.token_store)]
    texts += [repr(a) for a in session.authorizers.values()]

    kinds = set(recorder.secrets.values())
    assert {"access token", "access_token", "refresh_token", "id_token"} <= kinds
    assert {"code", "code_verifier"} <= kinds
    assert any("no permission" in t for t in texts), "the session should have shown an error"
    log_text = _read_all(debug_log.parent)
    assert "refreshed the access token" in log_text and "/operation/endpoint/" in log_text
    captured = capfd.readouterr()

    leaks = _leaks(recorder.secrets, log_text, "the log")
    leaks += _leaks(recorder.secrets, captured.out + captured.err, "stdout/stderr")
    leaks += _leaks(recorder.secrets, "\n".join(texts), "messages and reprs")
    for number, svg in enumerate(screenshots):
        leaks += _leaks(recorder.secrets, svg, f"screenshot {number}")
    for where, text in _files_besides_the_token_store(app_dirs):
        leaks += _leaks(recorder.secrets, text, where)
    assert leaks == []
    print(
        f"\nsecrets issued: {len(recorder.secrets)} ({sorted(kinds)}); requests: "
        f"{recorder.requests}; log bytes: {len(log_text)}; screenshots: {len(screenshots)}"
    )

"""Answers that are not what the API promises: the core raises its typed error, the app shows
it as a sentence and keeps working.

The kinds: an HTML error page (502), an HTML page with 200 (a captive portal), truncated JSON,
an empty body, a 200 carrying an error document, a bare JSON scalar, missing fields, and a
listing whose items are not objects. The core is driven through an injected transport; the
app through a transport that forwards each request to the real embedded service and then
spoils the answer, so the request really ran and only the answer is bad.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from gtui.core.errors import GlobusAPIError, MalformedResponseError
from gtui.core.http import RetryPolicy
from gtui.core.models import FileEntry, Task
from gtui.core.transfer import TransferClient
from gtui.sim.serve import RunningSim
from gtui.sim.world import SCRATCH_ID
from gtui.tui.demo_login import demo_login
from gtui.tui.screens.transfer_options import TransferOptionsScreen
from tests.reliability.support import session_on
from tests.tui.tui_helpers import build_app, pane, ready, wait_for

ERROR_DOC = {"code": "ClientError.NotFound", "message": "gone", "request_id": "Rq1"}
SPOILED: dict[str, tuple[int, str, bytes]] = {
    "HTML error page": (502, "text/html", b"<html><body><h1>502 Bad Gateway</h1></body></html>"),
    "HTML with 200": (
        200,
        "text/html; charset=utf-8",
        b"<html><body>Sign in to Wi-Fi</body></html>",
    ),
    "truncated JSON": (200, "application/json", b'{"DATA": [{"name": "a", "ty'),
    "empty body": (200, "application/json", b""),
    "200 error document": (200, "application/json", json.dumps(ERROR_DOC).encode()),
    "bare scalar": (200, "application/json", b'"ok"'),
    "missing fields": (200, "application/json", b'{"DATA_TYPE": "file_list"}'),
    "items not objects": (200, "application/json", b'{"DATA": [1, "a", null], "task_id": []}'),
}
# Valid JSON of the wrong shape where one object belongs (a list that looks like a listing).
OBJECT_AS_LIST = (200, "application/json", b'[{"id": "E", "display_name": "a list"}]')


async def _no_wait(_: float) -> None:
    return None


CONSUMERS: dict[str, tuple[Callable[[TransferClient], Awaitable[Any]], Callable[[Any], Any]]] = {
    "operation_ls": (
        lambda tc: tc.operation_ls("E", path="/~/"),
        lambda r: [FileEntry.from_api(d) for d in r],
    ),
    "task_list": (lambda tc: tc.task_list(), lambda r: [Task.from_api(d) for d in r]),
    "submit_transfer": (
        lambda tc: tc.submit_transfer({"DATA_TYPE": "transfer", "DATA": []}),
        lambda r: str(r["task_id"]),
    ),
    "get_task": (lambda tc: tc.get_task("T"), lambda r: r["status"]),
    "get_endpoint": (lambda tc: tc.get_endpoint("E"), lambda r: r["display_name"]),
}


@pytest.mark.parametrize("kind", list(SPOILED))
@pytest.mark.parametrize("call", list(CONSUMERS))
async def test_the_core_raises_its_typed_error_for_every_spoiled_answer(
    kind: str, call: str
) -> None:
    status, content_type, body = SPOILED[kind]
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path.endswith("/submission_id"):
            return httpx.Response(200, json={"value": "c1e9d8a4-0000-4000-8000-000000000001"})
        return httpx.Response(status, headers={"content-type": content_type}, content=body)

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
        client = TransferClient(
            base_url="https://transfer.example/",
            http_client=http,
            retry_policy=RetryPolicy(sleep=_no_wait),
        )
        request, use = CONSUMERS[call]
        with pytest.raises(GlobusAPIError) as caught:
            use(await request(client))
    error = caught.value
    if kind == "200 error document":
        assert error.request_id == "Rq1"
    else:
        assert isinstance(error, MalformedResponseError)
    text = str(error)
    assert "Traceback" not in text and len(text) < 400
    assert ("HTTP 502" in text) == (status == 502)
    if status == 502:
        assert len([r for r in seen if not r.url.path.endswith("/submission_id")]) == 6


class SpoilingTransport(httpx.AsyncBaseTransport):
    """Forwards to the real service; answers of requests matching ``rule`` are spoiled."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.rule: tuple[str, str, str] | None = None
        self.spoiled = 0
        self.forwarded = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        real = await self.inner.handle_async_request(request)
        await real.aread()
        self.forwarded += 1
        if self.rule is None:
            return real
        method, path_end, kind = self.rule
        if request.method != method or not request.url.path.endswith(path_end):
            return real
        self.spoiled += 1
        status, content_type, body = OBJECT_AS_LIST if kind == "object as list" else SPOILED[kind]
        return httpx.Response(status, headers={"content-type": content_type}, content=body)

    async def aclose(self) -> None:
        await self.inner.aclose()


async def _logged_in_through_spoiler(sim: RunningSim) -> tuple[SpoilingTransport, Any]:
    """A demo session whose every request passes the spoiling transport (no rule set yet)."""
    transport = SpoilingTransport()
    session = session_on(sim, transport, retry_policy=RetryPolicy(max_backoff=0.05))
    await demo_login(session)
    return transport, session


def _errors(app: Any) -> list[str]:
    return [n.message for n in app._notifications if n.severity == "error"]


async def test_the_app_shows_every_spoiled_answer_and_keeps_working(
    app_dirs: Path, sim_factory: Callable[..., RunningSim]
) -> None:
    sim = sim_factory(app_dirs / "root")
    transport, session = await _logged_in_through_spoiler(sim)
    app = build_app(sim, session)
    shown: list[str] = []
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await ready(pilot)
        left = pane(app, "left")
        left.file_list.focus()
        for kind in SPOILED:
            for rule, act, doing in (
                (("GET", "/ls", kind), _open_documents, "Could not list /~/Documents/"),
                (("POST", "/transfer", kind), _submit_deep, "Could not submit the transfer"),
            ):
                before = len(_errors(app))
                transport.rule = rule
                await act(pilot, app)
                message = await wait_for(pilot, lambda b=before: _errors(app)[b:])
                transport.rule = None
                assert len(message) == 1, message
                text = message[0]
                assert text.startswith(doing + ": "), text
                assert "Traceback" not in text and "Error:" not in text
                assert left.path == "/~/", (kind, left.path)
                shown.append(text)
                await wait_for(pilot, lambda: not isinstance(app.screen, TransferOptionsScreen))
        await _open_documents(pilot, app)
        await wait_for(pilot, lambda: left.path == "/~/Documents/" and not left.fetching)
        assert "budget 2026.csv" in [e.name for e in left.entries]
    assert app._exception is None
    assert len(shown) == 2 * len(SPOILED)
    assert transport.spoiled >= 2 * len(SPOILED)


async def _open_documents(pilot: Any, app: Any) -> None:
    left = pane(app, "left")
    if left.path != "/~/":
        left.file_list.cursor = 0
        await pilot.press("backspace")
        await wait_for(pilot, lambda: left.path == "/~/" and not left.fetching)
    left.file_list.cursor = left.file_list.row_of("Documents")
    await pilot.press("enter")


async def _submit_deep(pilot: Any, app: Any) -> None:
    left = pane(app, "left")
    left.file_list.cursor = left.file_list.row_of("deep")
    await pilot.press("f5")
    await wait_for(pilot, lambda: isinstance(app.screen, TransferOptionsScreen))
    await pilot.press("enter")


async def test_a_list_where_the_collection_document_belongs_is_reported_in_the_pane(
    app_dirs: Path, sim_factory: Callable[..., RunningSim]
) -> None:
    sim = sim_factory(app_dirs / "root")
    transport, session = await _logged_in_through_spoiler(sim)
    transport.rule = ("GET", f"/endpoint/{SCRATCH_ID}", "object as list")
    app = build_app(sim, session)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        right = pane(app, "right")
        await wait_for(pilot, lambda: right.error is not None)
        assert right.error == "could not open the collection"
        assert right.collection is None
        errors = await wait_for(pilot, lambda: _errors(app))
        assert len(errors) == 1 and errors[0].startswith("Could not open the collection")
        assert "expected a JSON object" in errors[0]
        await wait_for(pilot, lambda: "Documents" in [e.name for e in pane(app, "left").entries])
        transport.rule = None
    assert app._exception is None
    assert transport.spoiled == 1

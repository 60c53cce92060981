"""The embedded service's own defences, attacked over real HTTP.

Every traversal form (``..``, home-relative ``..``, absolute host paths, symlinks leading
outside, percent-encoded and double-encoded forms, NUL) against every operation that takes a
path (ls, stat, mkdir, rename both ways, transfer source and destination, delete); unknown,
expired, revoked and wrong-service tokens; one user's tasks, bookmarks and memberships hidden
from another; loopback only. "Nothing let in" means: every attempt is a 4xx in the service's
error shape, no byte outside a collection's folder is read, written, moved or deleted.
"""

from __future__ import annotations

import hashlib
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gtui.sim.serve import NotLoopbackError, RunningSim, start_in_thread
from gtui.sim.world import (
    CLIMATE_GROUP_ID,
    DEMO_INDEX_ID,
    DEMO_NATIVE_CLIENT_ID,
    DEMO_USER_ID,
    GENOME_GROUP_ID,
    GUEST_ID,
    HPC_USERS_GROUP_ID,
    LAPTOP_ID,
    OPEN_DATA_GROUP_ID,
    OTHER_USER_ID,
    SCRATCH_ID,
)
from tests.reliability.support import access_tokens
from tests.sim_login import (
    AUTH_SCOPES,
    GROUPS_SCOPE,
    SEARCH_SCOPE,
    TRANSFER_SCOPE,
    login_through_page,
)

TRANSFER_RS = "transfer.api.globus.org"
GROUPS_RS = "groups.api.globus.org"
SEARCH_RS = "search.api.globus.org"
AUTH_RS = "auth.globus.org"
SECRET = b"outside the collection: must never be served\n"
REFUSED = (400, 403, 404)
TERMINAL = ("SUCCEEDED", "FAILED")

TRAVERSALS = [
    "/../outside/secret.txt",
    "/home/demo/../../../outside/secret.txt",
    "../../../outside/secret.txt",
    "~/../../../outside/secret.txt",
    "/~/../../../outside/secret.txt",
    "/home/demo/escape/secret.txt",
    "/home/demo/escape-file",
    "/srv/test-fixtures/system-passwd",
    "/home/demo/secret.txt\x00.csv",
]
# Percent signs left in a decoded path are part of the names: these name folders inside the
# collection (which do not exist, or which a transfer creates there), never anything outside.
ENCODED = [
    "/%2e%2e/outside/secret.txt",
    "/home/demo/%2E%2E/%2e%2e/%2e%2e/outside/secret.txt",
    "/home/demo/%252e%252e/%252e%252e/%252e%252e/outside/secret.txt",
    "/home/demo/..%2f..%2f..%2foutside/secret.txt",
    "/home/demo/%00/secret.txt",
]
SOURCE_FILE = "/home/demo/Documents/budget 2026.csv"
LINK_NAMES = ("/home/demo/escape-file", "/srv/test-fixtures/system-passwd")
ACT_ON_THE_LINK = ("mkdir", "rename from", "rename to", "delete")


@pytest.fixture
def world(sim: RunningSim, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """The demo user's tokens, plus a folder outside every collection reachable by symlinks."""
    outside = tmp_path / "world0" / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_bytes(SECRET)
    home = sim.ctx.world.collection_root(LAPTOP_ID) / "home" / "demo"
    (home / "escape").symlink_to(outside)
    (home / "escape-file").symlink_to(outside / "secret.txt")
    before = _snapshot(sim, tmp_path)
    with httpx.Client(base_url=sim.base_url, timeout=30) as http:
        yield {
            "http": http,
            "tokens": access_tokens(login_through_page(sim)),
            "outside": outside,
            "home": home,
        }
    assert (outside / "secret.txt").read_bytes() == SECRET
    assert sorted(p.name for p in outside.iterdir()) == ["secret.txt"]
    assert _snapshot(sim, tmp_path) == before
    assert str(outside / "secret.txt") in before


def _snapshot(sim: RunningSim, tmp_path: Path) -> dict[str, str]:
    """Digest of every file outside the collections' folders and the service's state."""
    inside = [*sim.ctx.world.collections.values()]
    excluded = [c.root.resolve() for c in inside] + [sim.settings.state_dir.resolve()]
    found = {}
    for path in tmp_path.rglob("*"):
        if any(path.resolve().is_relative_to(root) for root in excluded) or path.is_symlink():
            continue
        if path.is_file():
            found[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _submission_id(http: httpx.Client, token: str) -> str:
    answer = http.get("/transfer/v0.10/submission_id", headers=_bearer(token))
    assert answer.status_code == 200
    return answer.json()["value"]


def _assert_refused(answer: httpx.Response, what: str) -> None:
    """A client error, or the storage's own refusal (e.g. mkdir on an existing link's name)."""
    body = answer.json()
    storage_refusal = answer.status_code == 502 and body["code"].startswith("ExternalError.")
    assert answer.status_code in REFUSED or storage_refusal, (
        f"{what}: {answer.status_code} {answer.text[:200]}"
    )
    assert body["code"] and body["request_id"], what
    assert SECRET.decode().strip() not in answer.text
    assert "root:x:0:0" not in answer.text


def _operations(http: httpx.Client, token: str) -> dict[str, Callable[[str], httpx.Response]]:
    """Every path-taking operation, as a function of the hostile path."""
    base = f"/transfer/v0.10/operation/endpoint/{LAPTOP_ID}"
    headers = _bearer(token)

    def transfer(source: str, destination: str, src: str, dst: str) -> httpx.Response:
        return http.post(
            "/transfer/v0.10/transfer",
            headers=headers,
            json={
                "DATA_TYPE": "transfer",
                "submission_id": _submission_id(http, token),
                "source_endpoint": source,
                "destination_endpoint": destination,
                "DATA": [
                    {
                        "DATA_TYPE": "transfer_item",
                        "source_path": src,
                        "destination_path": dst,
                        "recursive": False,
                    }
                ],
            },
        )

    return {
        "ls": lambda p: http.get(f"{base}/ls", params={"path": p}, headers=headers),
        "stat": lambda p: http.get(f"{base}/stat", params={"path": p}, headers=headers),
        "mkdir": lambda p: http.post(
            f"{base}/mkdir",
            headers=headers,
            json={"DATA_TYPE": "mkdir", "path": p.replace("secret.txt", "made-here")},
        ),
        "rename from": lambda p: http.post(
            f"{base}/rename",
            headers=headers,
            json={"DATA_TYPE": "rename", "old_path": p, "new_path": "/home/demo/stolen.txt"},
        ),
        "rename to": lambda p: http.post(
            f"{base}/rename",
            headers=headers,
            json={
                "DATA_TYPE": "rename",
                "old_path": SOURCE_FILE,
                "new_path": p.replace("secret.txt", "moved.csv"),
            },
        ),
        "transfer source": lambda p: transfer(LAPTOP_ID, SCRATCH_ID, p, "/home/demo/stolen.txt"),
        "transfer destination": lambda p: transfer(
            SCRATCH_ID,
            LAPTOP_ID,
            "/home/demo/datasets/README.txt",
            p.replace("secret.txt", "planted.txt"),
        ),
        "delete": lambda p: http.post(
            "/transfer/v0.10/delete",
            headers=headers,
            json={
                "DATA_TYPE": "delete",
                "submission_id": _submission_id(http, token),
                "endpoint": LAPTOP_ID,
                "recursive": True,
                "DATA": [{"DATA_TYPE": "delete_item", "path": p}],
            },
        ),
    }


def test_every_traversal_form_is_refused_on_every_operation(world: dict[str, Any]) -> None:
    http, token = world["http"], world["tokens"][TRANSFER_RS]
    tried = 0
    for name, operation in _operations(http, token).items():
        for path in TRAVERSALS:
            if name in ACT_ON_THE_LINK and path in LINK_NAMES:
                continue
            _assert_refused(operation(path), f"{name} {path!r}")
            tried += 1
    assert tried == 8 * len(TRAVERSALS) - len(ACT_ON_THE_LINK) * len(LINK_NAMES)
    assert not (world["home"] / "stolen.txt").exists()
    assert (world["home"] / "Documents" / "budget 2026.csv").exists()


def test_percent_encoded_forms_stay_names_inside_the_collection(world: dict[str, Any]) -> None:
    """Each operation answers "not found" or acts on the literal name inside the collection;
    the fixture checks that nothing outside the collections changed."""
    http, token = world["http"], world["tokens"][TRANSFER_RS]
    laptop_root = world["home"].parent.parent
    for name, operation in _operations(http, token).items():
        for path in ENCODED:
            answer = operation(path)
            what = f"{name} {path!r}: {answer.status_code} {answer.text[:200]}"
            if answer.status_code == 202 and name == "transfer destination":
                assert _wait_for_task(http, token, answer.json()["task_id"]) in TERMINAL, what
            elif answer.status_code == 202:  # a path that does not exist: the task retries it
                task_id = answer.json()["task_id"]
                http.post(f"/transfer/v0.10/task/{task_id}/cancel", headers=_bearer(token))
            else:
                assert answer.status_code in (200, 404), what
            assert SECRET.decode().strip() not in answer.text
    planted = laptop_root / "home/demo/%2E%2E/%2e%2e/%2e%2e/outside/planted.txt"
    assert planted.is_file()  # the transfer made the literal folders, under the home
    assert not (world["home"] / "stolen.txt").exists()


def test_links_themselves_may_go_but_what_they_point_at_stays(world: dict[str, Any]) -> None:
    """Deleting or renaming a symlink that leads outside acts on the link, never its target."""
    http, token = world["http"], world["tokens"][TRANSFER_RS]
    base = f"/transfer/v0.10/operation/endpoint/{LAPTOP_ID}"
    renamed = http.post(
        f"{base}/rename",
        headers=_bearer(token),
        json={
            "DATA_TYPE": "rename",
            "old_path": "/home/demo/escape-file",
            "new_path": "/home/demo/escape-link",
        },
    )
    assert renamed.status_code == 200
    assert (world["home"] / "escape-link").is_symlink()
    answer = http.post(
        "/transfer/v0.10/delete",
        headers=_bearer(token),
        json={
            "DATA_TYPE": "delete",
            "submission_id": _submission_id(http, token),
            "endpoint": LAPTOP_ID,
            "recursive": True,
            "DATA": [
                {"DATA_TYPE": "delete_item", "path": "/home/demo/escape"},
                {"DATA_TYPE": "delete_item", "path": "/home/demo/escape-link"},
            ],
        },
    )
    if answer.status_code == 202:
        status = _wait_for_task(http, token, answer.json()["task_id"])
        assert status in TERMINAL
    else:
        _assert_refused(answer, "delete of links")


def _wait_for_task(http: httpx.Client, token: str, task_id: str, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while True:
        status = http.get(f"/transfer/v0.10/task/{task_id}", headers=_bearer(token)).json()
        if status["status"] in TERMINAL or time.monotonic() > deadline:
            return status["status"]
        time.sleep(0.05)


PROTECTED = [
    ("GET", "/transfer/v0.10/endpoint/" + LAPTOP_ID, TRANSFER_RS),
    ("GET", "/transfer/v0.10/task_list", TRANSFER_RS),
    ("GET", f"/transfer/v0.10/operation/endpoint/{LAPTOP_ID}/ls", TRANSFER_RS),
    ("GET", "/transfer/v0.10/bookmark_list", TRANSFER_RS),
    ("GET", "/groups/v2/groups/my_groups", GROUPS_RS),
    ("GET", f"/search/v1/index/{DEMO_INDEX_ID}/search?q=climate", SEARCH_RS),
    ("GET", "/auth/v2/oauth2/userinfo", AUTH_RS),
    ("GET", f"/auth/v2/api/identities?ids={DEMO_USER_ID}", AUTH_RS),
]


def _assert_401(answer: httpx.Response, what: str) -> None:
    assert answer.status_code == 401, f"{what}: {answer.status_code}"
    body = answer.json()
    code = body.get("code") or body["errors"][0]["code"]
    assert code in ("AuthenticationFailed", "UNAUTHORIZED"), what


def test_missing_unknown_wrong_service_and_revoked_tokens_get_401(world: dict[str, Any]) -> None:
    http, tokens = world["http"], world["tokens"]
    tried = 0
    for method, path, rs in PROTECTED:
        wrong_rs = TRANSFER_RS if rs != TRANSFER_RS else GROUPS_RS
        for label, headers in (
            ("no header", {}),
            ("basic", {"Authorization": "Basic ZGVtbzpkZW1v"}),
            ("empty bearer", {"Authorization": "Bearer"}),
            ("unknown", _bearer("x" * 54)),
            ("wrong service", _bearer(tokens[wrong_rs])),
        ):
            _assert_401(http.request(method, path, headers=headers), f"{path} {label}")
            tried += 1
        assert http.request(method, path, headers=_bearer(tokens[rs])).status_code == 200, path
    revoked = http.post(
        "/auth/v2/oauth2/token/revoke",
        data={"token": tokens[TRANSFER_RS], "client_id": DEMO_NATIVE_CLIENT_ID},
    )
    assert revoked.status_code == 200
    _assert_401(http.get(PROTECTED[0][1], headers=_bearer(tokens[TRANSFER_RS])), "revoked")
    assert tried == 5 * len(PROTECTED)


def test_expired_tokens_get_401(sim_factory: Callable[..., RunningSim], tmp_path: Path) -> None:
    # Lifetimes are whole seconds counted from the current second, so a 1 s token can have
    # a few milliseconds left when it arrives; 3 s leaves room for a busy machine.
    short = sim_factory(tmp_path / "short", token_lifetime_seconds=3)
    tokens = access_tokens(login_through_page(short))
    with httpx.Client(base_url=short.base_url) as http:
        path = PROTECTED[0][1]
        assert http.get(path, headers=_bearer(tokens[TRANSFER_RS])).status_code == 200
        deadline = time.monotonic() + 15
        while http.get(path, headers=_bearer(tokens[TRANSFER_RS])).status_code == 200:
            assert time.monotonic() < deadline, "the token never expired"
            time.sleep(0.1)
        for method, path, rs in PROTECTED:
            _assert_401(http.request(method, path, headers=_bearer(tokens[rs])), f"{path} expired")


def _transfer(http: httpx.Client, token: str, submission_id: str) -> httpx.Response:
    return http.post(
        "/transfer/v0.10/transfer",
        headers=_bearer(token),
        json={
            "DATA_TYPE": "transfer",
            "submission_id": submission_id,
            "label": "demo's private transfer",
            "source_endpoint": GUEST_ID,
            "destination_endpoint": GUEST_ID,
            "DATA": [
                {
                    "DATA_TYPE": "transfer_item",
                    "source_path": "/README.md",
                    "destination_path": "/README copy.md",
                }
            ],
        },
    )


def test_tasks_and_bookmarks_of_one_user_are_invisible_to_another(
    sim: RunningSim, world: dict[str, Any]
) -> None:
    http, demo = world["http"], world["tokens"][TRANSFER_RS]
    other = access_tokens(login_through_page(sim, identity_id=OTHER_USER_ID))[TRANSFER_RS]
    submission_id = _submission_id(http, demo)
    submitted = _transfer(http, demo, submission_id)
    assert submitted.status_code == 202
    task_id = submitted.json()["task_id"]
    for suffix in ("", "/event_list", "/successful_transfers", "/skipped_errors", "/pause_info"):
        answer = http.get(f"/transfer/v0.10/task/{task_id}{suffix}", headers=_bearer(other))
        assert answer.status_code == 404, suffix
    assert (
        http.put(
            f"/transfer/v0.10/task/{task_id}", headers=_bearer(other), json={"label": "mine now"}
        ).status_code
        == 404
    )
    assert (
        http.post(f"/transfer/v0.10/task/{task_id}/cancel", headers=_bearer(other)).status_code
        == 404
    )
    listed = http.get("/transfer/v0.10/task_list", headers=_bearer(other)).json()["DATA"]
    assert task_id not in {t["task_id"] for t in listed}
    replay = _transfer(http, other, submission_id)
    assert replay.status_code in (202, *REFUSED)
    if replay.status_code == 202:
        assert replay.json()["task_id"] != task_id
    assert _wait_for_task(http, demo, task_id) == "SUCCEEDED"
    mine = http.get(f"/transfer/v0.10/task/{task_id}", headers=_bearer(demo)).json()
    assert mine["label"] == "demo's private transfer"

    created = http.post(
        "/transfer/v0.10/bookmark",
        headers=_bearer(demo),
        json={
            "DATA_TYPE": "bookmark",
            "name": "demo only",
            "endpoint_id": LAPTOP_ID,
            "path": "/home/demo/",
        },
    )
    assert created.status_code in (200, 201)
    mark = created.json()["id"]
    others = http.get("/transfer/v0.10/bookmark_list", headers=_bearer(other)).json()["DATA"]
    assert mark not in {b["id"] for b in others}
    for method in ("GET", "PUT", "DELETE"):
        answer = http.request(
            method,
            f"/transfer/v0.10/bookmark/{mark}",
            headers=_bearer(other),
            json={"name": "stolen"} if method == "PUT" else None,
        )
        assert answer.status_code == 404, method
    still = http.get(f"/transfer/v0.10/bookmark/{mark}", headers=_bearer(demo)).json()
    assert still["name"] == "demo only"


def test_memberships_are_visible_only_as_the_group_policies_allow(sim: RunningSim) -> None:
    scopes = f"{AUTH_SCOPES} {GROUPS_SCOPE} {TRANSFER_SCOPE} {SEARCH_SCOPE}"
    demo = access_tokens(login_through_page(sim, scopes=scopes))[GROUPS_RS]
    other = access_tokens(login_through_page(sim, identity_id=OTHER_USER_ID, scopes=scopes))[
        GROUPS_RS
    ]
    with httpx.Client(base_url=sim.base_url) as http:
        mine = http.get("/groups/v2/groups/my_groups", headers=_bearer(other)).json()
        assert {g["id"] for g in mine} == {HPC_USERS_GROUP_ID, OPEN_DATA_GROUP_ID}
        private = http.get(f"/groups/v2/groups/{GENOME_GROUP_ID}", headers=_bearer(other))
        assert private.status_code in (403, 404)
        climate = http.get(
            f"/groups/v2/groups/{CLIMATE_GROUP_ID}",
            params={"include": "memberships"},
            headers=_bearer(other),
        )
        if climate.status_code == 200:
            assert not climate.json().get("memberships")
        else:
            assert climate.status_code in (403, 404)
        hpc = http.get(
            f"/groups/v2/groups/{HPC_USERS_GROUP_ID}",
            params={"include": "memberships"},
            headers=_bearer(demo),
        ).json()
        assert {m["identity_id"] for m in hpc.get("memberships", [])} <= {DEMO_USER_ID}


def test_the_service_listens_on_loopback_only(sim: RunningSim, tmp_path: Path) -> None:
    with pytest.raises(NotLoopbackError):
        start_in_thread(tmp_path / "public", host="0.0.0.0")
    refused = subprocess.run(
        [
            sys.executable,
            "-m",
            "gtui",
            "sim",
            "serve",
            "--host",
            "0.0.0.0",
            "--port",
            "0",
            "--root",
            str(tmp_path / "cli"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode == 2
    assert "only 127.0.0.1" in refused.stderr
    listening = _listening_addresses(sim.port)
    assert listening == {"127.0.0.1"}
    for address in _own_addresses():
        with pytest.raises(OSError), socket.create_connection((address, sim.port), timeout=2):
            pass


def _listening_addresses(port: int) -> set[str]:
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, port_hex = local.split(":")
        if int(port_hex, 16) == port and state == "0A":
            found.add(socket.inet_ntoa(bytes.fromhex(address)[::-1]))
    return found


def _own_addresses() -> set[str]:
    """This machine's non-loopback IPv4 addresses (none on an isolated machine)."""
    found = set()
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("10.255.255.255", 1))
            found.add(probe.getsockname()[0])
    except OSError:
        pass
    return {a for a in found if not a.startswith("127.")}


def test_the_code_is_never_redirected_to_a_host_other_than_loopback(sim: RunningSim) -> None:
    auth_root = sim.service_urls["auth"]
    params = {
        "client_id": DEMO_NATIVE_CLIENT_ID,
        "redirect_uri": "https://attacker.example/callback",
        "scope": TRANSFER_SCOPE,
        "state": uuid.uuid4().hex,
        "response_type": "code",
        "code_challenge": "A" * 43,
        "code_challenge_method": "S256",
    }
    with httpx.Client() as http:
        answer = http.get(f"{auth_root}v2/oauth2/authorize", params=params)
    assert answer.status_code != 302 or "attacker.example" not in answer.headers["location"]
    assert "attacker.example/callback?code" not in answer.text

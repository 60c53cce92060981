"""recursive_ls against a fake Transfer service serving an in-memory tree."""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from gtui.core.errors import LoginRequired
from gtui.core.http import RetryPolicy
from gtui.core.models import FileEntry
from gtui.core.recursive import ListingError, RateLimiter, recursive_ls
from gtui.core.transfer import TransferClient

EP = "ep-1"
LS_PATH = f"/v0.10/operation/endpoint/{EP}/ls"


def make_tree(fanout: int, depth: int, files: int = 2) -> dict[str, list[dict[str, Any]]]:
    """Folders ``/root/d0/d1...`` with ``fanout`` subfolders and ``files`` files each."""
    tree: dict[str, list[dict[str, Any]]] = {}

    def build(path: str, level: int) -> None:
        items = []
        if level < depth:
            for i in range(fanout):
                items.append({"name": f"d{i}", "type": "dir", "size": 4096})
                build(f"{path}d{i}/", level + 1)
        items += [{"name": f"f{i}.txt", "type": "file", "size": i} for i in range(files)]
        tree[path] = items

    build("/root/", 0)
    return tree


def expected_bfs(tree: dict[str, list[dict[str, Any]]], max_depth: int) -> list[str]:
    """What a sequential breadth-first walk yields: the reference for the concurrent one."""
    names: list[str] = []
    queue = deque([("/root/", "", 0)])
    while queue:
        path, rel, depth = queue.popleft()
        for item in tree[path]:
            name = f"{rel}/{item['name']}" if rel else item["name"]
            names.append(name)
            if item["type"] == "dir" and depth < max_depth:
                queue.append((f"{path}{item['name']}/", name, depth + 1))
    return names


class TreeService:
    """Answers ls over ``tree`` with per-folder latency; counts calls and concurrency."""

    def __init__(
        self,
        tree: dict[str, list[dict[str, Any]]],
        *,
        latency: Callable[[str], float] = lambda p: 0.0,
        page_cap: int | None = None,
    ) -> None:
        self.tree = tree
        self.latency = latency
        self.page_cap = page_cap
        self.requests: list[httpx.Request] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.cancelled = 0
        self.failures: dict[str, httpx.Response] = {}
        self.blocker: asyncio.Event | None = None

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.params.get("path", "/~/")
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.blocker is not None and path != "/root/":
                await self.blocker.wait()
            delay = self.latency(path)
            if delay:
                await asyncio.sleep(delay)
        except asyncio.CancelledError:
            self.cancelled += 1
            raise
        finally:
            self.in_flight -= 1
        if path in self.failures:
            return self.failures[path]
        normalized = path if path.endswith("/") else path + "/"
        if normalized not in self.tree:
            return httpx.Response(
                404,
                json={
                    "code": "ClientError.NotFound",
                    "message": f"{path} not found",
                    "request_id": "r",
                },
            )
        items = self.tree[normalized]
        offset = int(request.url.params.get("offset", 0))
        limit = int(request.url.params.get("limit", 100_000))
        if self.page_cap is not None:
            limit = min(limit, self.page_cap)
        page = items[offset : offset + limit]
        data = [
            {
                "DATA_TYPE": "file",
                "last_modified": "2024-01-01 00:00:00+00:00",
                "link_target": None,
                **item,
            }
            for item in page
        ]
        return httpx.Response(
            200,
            json={
                "DATA_TYPE": "file_list",
                "endpoint": EP,
                "path": normalized,
                "absolute_path": None,
                "length": len(data),
                "total": len(items),
                "DATA": data,
            },
        )

    def ls_paths(self) -> list[str]:
        return [r.url.params.get("path") for r in self.requests]


@contextlib.asynccontextmanager
async def transfer_for(service: TreeService, **policy: Any):
    async def no_sleep(_s: float) -> None:
        return None

    policy.setdefault("sleep", no_sleep)
    async with httpx.AsyncClient(transport=httpx.MockTransport(service)) as http:
        yield TransferClient(
            base_url="https://transfer.test/", http_client=http, retry_policy=RetryPolicy(**policy)
        )


async def walk(client: TransferClient, path: str = "/root/", **kwargs: Any) -> list[Any]:
    return [item async for item in recursive_ls(client, EP, path, **kwargs)]


async def test_concurrent_walk_yields_true_breadth_first_order() -> None:
    tree = make_tree(fanout=3, depth=3)
    # Early folders answer slowest, so completion order is the reverse of discovery order.
    service = TreeService(tree, latency=lambda p: 0.02 / (1 + len(p) + sum(map(ord, p)) % 7))
    async with transfer_for(service) as client:
        items = await walk(client, max_depth=3, concurrency=6)
    assert [i.name for i in items] == expected_bfs(tree, 3)
    assert 1 < service.max_in_flight <= 6
    assert items[0].abs_path == "/root/d0" and items[-1].abs_path.startswith("/root/d2/d2/d2/")


@pytest.mark.parametrize("max_depth", [0, 1, 2, 3])
async def test_max_depth_lists_every_level_including_the_last(max_depth: int) -> None:
    tree = make_tree(fanout=2, depth=4)
    service = TreeService(tree)
    async with transfer_for(service) as client:
        items = await walk(client, max_depth=max_depth)
    names = [i.name for i in items]
    assert names == expected_bfs(tree, max_depth)
    assert max(n.count("/") for n in names) == max_depth
    assert len(service.requests) == sum(2**d for d in range(max_depth + 1))
    assert all(isinstance(i, FileEntry) for i in items)


async def test_ls_params_go_everywhere_and_top_level_params_only_to_the_root() -> None:
    service = TreeService(make_tree(fanout=2, depth=1))
    async with transfer_for(service) as client:
        await walk(
            client,
            max_depth=1,
            ls_params={"show_hidden": False},
            top_level_ls_params={"orderby": "name DESC"},
        )
    params = [dict(r.url.params) for r in service.requests]
    assert all(p["show_hidden"] == "0" for p in params)
    assert params[0]["orderby"] == "name DESC"
    assert all("orderby" not in p for p in params[1:])
    with pytest.raises(ValueError, match="path"):
        await walk(client, ls_params={"path": "/x"})


async def test_large_folders_are_paged_until_total() -> None:
    tree = {"/root/": [{"name": f"f{i:03}", "type": "file"} for i in range(250)]}
    service = TreeService(tree, page_cap=100)
    async with transfer_for(service) as client:
        items = await walk(client)
    assert [i.name for i in items] == [f"f{i:03}" for i in range(250)]
    assert [r.url.params.get("offset") for r in service.requests] == [None, "100", "200"]


async def test_a_failed_folder_is_an_error_item_and_the_walk_goes_on() -> None:
    tree = make_tree(fanout=3, depth=2, files=1)
    service = TreeService(tree)
    service.failures["/root/d1"] = httpx.Response(
        403,
        json={
            "code": "EndpointPermissionDenied",
            "message": "Path not allowed",
            "request_id": "req42",
        },
    )
    async with transfer_for(service) as client:
        items = await walk(client, max_depth=2)
    errors = [i for i in items if isinstance(i, ListingError)]
    assert len(errors) == 1
    assert errors[0].path == "/root/d1" and errors[0].name == "d1" and errors[0].depth == 1
    assert errors[0].code == "EndpointPermissionDenied" and "req42" in errors[0].message
    names = [i.name for i in items if isinstance(i, FileEntry)]
    assert "d2/d0" in names and not any(n.startswith("d1/") for n in names)
    index = items.index(errors[0])
    assert items[index - 1].name == "d0/f0.txt" and items[index + 1].name == "d2/d0"


async def test_on_error_raise_and_login_required_stop_the_walk() -> None:
    tree = make_tree(fanout=2, depth=1)
    service = TreeService(tree)
    service.failures["/root/d0"] = httpx.Response(
        404, json={"code": "ClientError.NotFound", "message": "gone", "request_id": "r"}
    )
    async with transfer_for(service) as client:
        with pytest.raises(Exception, match="gone"):
            await walk(client, max_depth=1, on_error="raise")

    class LoggedOut:
        async def operation_ls(self, endpoint_id: str, **kwargs: Any) -> Any:
            raise LoginRequired()

    with pytest.raises(LoginRequired):
        await walk(LoggedOut())  # type: ignore[arg-type]


async def test_symlinked_folders_are_not_followed_into_loops() -> None:
    tree = {
        "/root/": [
            {"name": "real", "type": "dir"},
            {"name": "loop", "type": "dir", "link_target": "/root"},
        ],
        "/root/real/": [
            {"name": "up", "type": "dir", "link_target": ".."},
            {"name": "side", "type": "dir", "link_target": "/other"},
            {"name": "x.txt", "type": "file"},
        ],
        "/root/real/side/": [{"name": "y.txt", "type": "file"}],
    }
    service = TreeService(tree)
    async with transfer_for(service) as client:
        plain = await walk(client, max_depth=5)
        assert service.ls_paths() == ["/root/", "/root/real"]
        service.requests.clear()
        followed = await walk(client, max_depth=5, follow_symlinks=True)
    assert {i.name for i in plain} == {"real", "loop", "real/up", "real/side", "real/x.txt"}
    assert service.ls_paths() == ["/root/", "/root/real", "/root/real/side"]
    assert "real/side/y.txt" in {i.name for i in followed}


async def test_rate_limiter_spaces_calls_by_the_rate() -> None:
    now = [0.0]
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    limiter = RateLimiter(10, burst=2, clock=lambda: now[0], sleep=fake_sleep)
    stamps = []
    for _ in range(6):
        await limiter.acquire()
        stamps.append(round(now[0], 6))
    assert stamps == [0.0, 0.0, 0.1, 0.2, 0.3, 0.4]
    limiter.pause_for(2)
    await limiter.acquire()
    assert now[0] >= 2.4 and limiter.pauses == 1


async def test_a_pause_holds_every_waiting_caller() -> None:
    limiter = RateLimiter(None)
    limiter.pause_for(0.2)
    loop = asyncio.get_running_loop()
    started = loop.time()
    done: list[float] = []

    async def caller() -> None:
        await limiter.acquire()
        done.append(loop.time() - started)

    await asyncio.gather(*(caller() for _ in range(4)))
    assert len(done) == 4 and min(done) >= 0.19


async def test_walk_honours_the_rate_and_429_retry_after_without_failures() -> None:
    tree = make_tree(fanout=3, depth=2, files=1)
    service = TreeService(tree)
    throttled = {"/root/d1": 1}
    inner = service.__call__
    times: list[float] = []
    throttled_at: list[int] = []
    clock = [0.0]

    async def fake_sleep(seconds: float) -> None:
        clock[0] += seconds
        await asyncio.sleep(0)

    async def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.params.get("path")
        times.append(clock[0])
        if throttled.get(path):
            throttled_at.append(len(times) - 1)
            throttled[path] -= 1
            return httpx.Response(
                429,
                headers={"Retry-After": "3"},
                json={"code": "RequestLimitExceeded", "message": "slow down"},
            )
        return await inner(request)

    limiter = RateLimiter(20, clock=lambda: clock[0], sleep=fake_sleep)
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        client = TransferClient(
            base_url="https://transfer.test/",
            http_client=http,
            retry_policy=RetryPolicy(sleep=fake_sleep),
        )
        items = [
            i
            async for i in recursive_ls(
                client, EP, "/root/", max_depth=2, concurrency=4, rate_limiter=limiter
            )
        ]
    assert not [i for i in items if isinstance(i, ListingError)]
    assert [i.name for i in items] == expected_bfs(tree, 2)
    assert limiter.pauses == 1
    paused_at = times[throttled_at[0]]
    assert all(t >= paused_at + 3 for t in times[throttled_at[0] + 1 :])
    calls = 1 + 3 + 9 + 1
    assert len(times) == calls and limiter.calls == calls
    assert clock[0] <= 1.2 * (calls / 20) + 3


async def test_closing_the_iterator_cancels_calls_in_flight() -> None:
    tree = make_tree(fanout=4, depth=2)
    service = TreeService(tree)
    service.blocker = asyncio.Event()
    async with transfer_for(service) as client:
        iterator = recursive_ls(client, EP, "/root/", concurrency=3)
        first = await anext(iterator)
        assert first.name == "d0"
        await asyncio.wait_for(_until(lambda: service.in_flight == 3), 2)
        await iterator.aclose()
    assert service.cancelled == 3 and service.in_flight == 0


async def test_cancelling_the_consumer_cancels_calls_in_flight() -> None:
    service = TreeService(make_tree(fanout=4, depth=2))
    service.blocker = asyncio.Event()
    async with transfer_for(service) as client:
        consumer = asyncio.create_task(walk(client, concurrency=2))
        await asyncio.wait_for(_until(lambda: service.in_flight == 2), 2)
        consumer.cancel()
        with pytest.raises(asyncio.CancelledError):
            await consumer
    assert service.cancelled == 2 and service.in_flight == 0


async def _until(condition: Callable[[], bool]) -> None:
    while not condition():
        await asyncio.sleep(0.005)


async def test_slow_consumer_bounds_buffered_folders() -> None:
    tree = make_tree(fanout=4, depth=3, files=0)
    service = TreeService(tree)
    async with transfer_for(service) as client:
        iterator = recursive_ls(client, EP, "/root/", concurrency=4, max_buffered=3)
        await anext(iterator)
        await asyncio.sleep(0.05)
        assert len(service.requests) <= 1 + 3 + 4
        rest = [i async for i in iterator]
    assert len(rest) + 1 == len(expected_bfs(tree, 3))


@pytest.mark.parametrize("bad", [{"max_depth": -1}, {"concurrency": 0}, {"max_buffered": 0}])
async def test_bad_arguments_are_rejected(bad: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        await anext(recursive_ls(object(), EP, "/", **bad))


async def test_repeated_429s_teach_the_limiter_the_service_rate() -> None:
    now = [0.0]

    async def fake_sleep(seconds: float) -> None:
        now[0] += seconds

    limiter = RateLimiter(None, clock=lambda: now[0], sleep=fake_sleep)
    for _ in range(40):
        await limiter.acquire()
        limiter.completed()
    limiter.throttled(1)
    limiter.throttled(1)
    assert limiter.rate is None and limiter.pauses == 1
    now[0] = 2.0
    for _ in range(50):
        limiter.completed()
    limiter.throttled(1)
    assert limiter.rate == pytest.approx(25 * 0.95)
    start = now[0]
    for _ in range(11):
        await limiter.acquire()
    assert now[0] - start == pytest.approx(1 + 10 / (25 * 0.95))


async def test_walk_told_nothing_settles_at_the_service_rate() -> None:
    tree = make_tree(fanout=6, depth=2, files=0)
    clock = [0.0]
    bucket = {"tokens": 5.0, "at": 0.0}
    rate = 20.0
    answers = {"ok": 0, "429": 0}
    service = TreeService(tree)

    async def fake_sleep(seconds: float) -> None:
        clock[0] += seconds
        await asyncio.sleep(0)

    async def handler(request: httpx.Request) -> httpx.Response:
        clock[0] += 0.001
        tokens = min(5.0, bucket["tokens"] + (clock[0] - bucket["at"]) * rate)
        bucket["at"] = clock[0]
        if tokens < 1:
            bucket["tokens"] = tokens
            answers["429"] += 1
            return httpx.Response(429, headers={"Retry-After": "1"}, json={"code": "Limit"})
        bucket["tokens"] = tokens - 1
        answers["ok"] += 1
        return await service(request)

    limiter = RateLimiter(None, clock=lambda: clock[0], sleep=fake_sleep)
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        client = TransferClient(
            base_url="https://transfer.test/",
            http_client=http,
            retry_policy=RetryPolicy(sleep=fake_sleep),
        )
        items = await walk(client, max_depth=2, concurrency=4, rate_limiter=limiter)
    assert not [i for i in items if isinstance(i, ListingError)]
    assert answers["ok"] == 1 + 6 + 36
    assert limiter.rate is not None and limiter.rate <= rate
    assert answers["429"] <= 8, answers


async def test_walk_of_the_embedded_service_matches_folder_by_folder_listing(
    sim_transfer,
) -> None:
    from gtui.sim.world import LAPTOP_ID

    items = [i async for i in recursive_ls(sim_transfer, LAPTOP_ID, "/home/demo/", max_depth=2)]
    assert items and not [i for i in items if isinstance(i, ListingError)]
    expected: list[str] = []
    queue = deque([("/home/demo/", "", 0)])
    while queue:
        path, rel, depth = queue.popleft()
        listing = await sim_transfer.operation_ls(LAPTOP_ID, path=path)
        for doc in listing["DATA"]:
            name = f"{rel}/{doc['name']}" if rel else doc["name"]
            expected.append(name)
            if doc["type"] == "dir" and depth < 2 and not doc.get("link_target"):
                queue.append((f"{listing['path']}{doc['name']}/", name, depth + 1))
    assert [i.name for i in items] == expected

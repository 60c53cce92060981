"""Faults on demand, measured: latency, per-token rate limit, 5xx share, 429s, dropped sockets."""

from __future__ import annotations

import time
from collections import Counter

import httpx
import pytest

from gtui.sim.faults import TokenBucket, applies_to
from gtui.sim.serve import RunningSim
from gtui.sim.settings import FaultSettings
from gtui.sim.world import DEMO_NATIVE_CLIENT_ID


@pytest.fixture
def groups_url(sim: RunningSim) -> str:
    return f"{sim.service_urls['groups']}v2/groups/my_groups"


@pytest.fixture
def auth_header(demo_user_tokens: dict[str, str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {demo_user_tokens['groups.api.globus.org']}"}


def test_latency_is_added_to_api_calls_but_not_to_the_login_page(
    sim: RunningSim, groups_url: str, auth_header: dict[str, str]
) -> None:
    sim.settings.faults.latency_seconds = 0.3
    with httpx.Client() as client:
        started = time.monotonic()
        assert client.get(groups_url, headers=auth_header).status_code == 200
        assert time.monotonic() - started >= 0.3
        started = time.monotonic()
        config = client.get(f"{sim.service_urls['auth']}.well-known/openid-configuration")
        assert config.status_code == 200
        assert time.monotonic() - started < 0.3


def test_rate_limit_per_token_answers_429_with_retry_after(
    sim: RunningSim, groups_url: str, auth_header: dict[str, str], other_user_tokens: dict
) -> None:
    sim.settings.faults.rate_limit_per_second = 5
    with httpx.Client() as client:
        answers = [client.get(groups_url, headers=auth_header) for _ in range(20)]
        other = client.get(
            groups_url,
            headers={"Authorization": f"Bearer {other_user_tokens['groups.api.globus.org']}"},
        )
    statuses = Counter(a.status_code for a in answers)
    assert statuses[200] >= 5
    assert statuses[429] >= 10
    limited = next(a for a in answers if a.status_code == 429)
    assert int(limited.headers["Retry-After"]) >= 1
    body = limited.json()
    assert body["code"] == "RateLimitExceeded"
    assert body["request_id"]
    assert body["resource"] == "/groups/v2/groups/my_groups"
    assert other.status_code == 200


def test_error_rate_gives_about_that_share_of_5xx(
    sim: RunningSim, groups_url: str, auth_header: dict[str, str]
) -> None:
    sim.settings.faults = FaultSettings(error_rate=0.3, seed=7)
    with httpx.Client() as client:
        statuses = [client.get(groups_url, headers=auth_header).status_code for _ in range(200)]
    errors = [s for s in statuses if s >= 500]
    assert 0.2 <= len(errors) / len(statuses) <= 0.4
    assert sim.ctx.fault_counts["errors"] == len(errors)
    assert set(errors) <= {500, 502, 503, 504}
    assert set(statuses) - set(errors) == {200}


def test_random_429s_carry_retry_after(
    sim: RunningSim, groups_url: str, auth_header: dict[str, str]
) -> None:
    sim.settings.faults = FaultSettings(rate_429=0.5, seed=3)
    with httpx.Client() as client:
        answers = [client.get(groups_url, headers=auth_header) for _ in range(60)]
    limited = [a for a in answers if a.status_code == 429]
    assert 15 <= len(limited) <= 45
    assert all(a.headers["Retry-After"] == "1" for a in limited)


def test_dropped_connections_close_the_socket_without_an_answer(
    sim: RunningSim, groups_url: str, auth_header: dict[str, str]
) -> None:
    sim.settings.faults = FaultSettings(drop_rate=0.5, seed=11)
    outcomes: Counter[str] = Counter()
    for _ in range(30):
        try:
            with httpx.Client() as client:
                outcomes[str(client.get(groups_url, headers=auth_header).status_code)] += 1
        except httpx.TransportError:
            outcomes["dropped"] += 1
    assert 7 <= outcomes["dropped"] <= 23
    assert sim.ctx.fault_counts["dropped"] == outcomes["dropped"]
    assert outcomes["200"] == 30 - outcomes["dropped"]


def test_the_service_keeps_serving_after_drops(
    sim: RunningSim, groups_url: str, auth_header: dict[str, str]
) -> None:
    sim.settings.faults.drop_rate = 1.0
    with pytest.raises(httpx.TransportError), httpx.Client() as client:
        client.get(groups_url, headers=auth_header)
    sim.settings.faults.drop_rate = 0.0
    assert httpx.get(groups_url, headers=auth_header).status_code == 200


def test_login_pages_are_never_faulted(sim: RunningSim) -> None:
    sim.settings.faults = FaultSettings(error_rate=1.0)
    page = httpx.get(
        f"{sim.service_urls['auth']}v2/oauth2/authorize",
        params={"client_id": DEMO_NATIVE_CLIENT_ID, "scope": "openid"},
    )
    assert page.status_code != 500
    assert page.status_code < 500
    assert httpx.get(f"{sim.service_urls['auth']}jwk.json").status_code == 200
    assert httpx.get(f"{sim.service_urls['groups']}v2/groups/my_groups").status_code >= 500


def test_token_bucket_refills_at_its_rate() -> None:
    bucket = TokenBucket()
    assert [bucket.take("k", 2.0, 0.0) for _ in range(2)] == [0.0, 0.0]
    assert bucket.take("k", 2.0, 0.0) == pytest.approx(0.5)
    assert bucket.take("k", 2.0, 0.5) == 0.0
    assert bucket.take("other", 2.0, 0.5) == 0.0


def test_fault_paths() -> None:
    assert applies_to("/transfer/v0.10/task_list")
    assert applies_to("/auth/v2/oauth2/token")
    assert not applies_to("/auth/v2/oauth2/authorize")
    assert not applies_to("/auth/.well-known/openid-configuration")


def test_fault_settings_refuse_nonsense() -> None:
    with pytest.raises(ValueError):
        FaultSettings(error_rate=1.5)
    with pytest.raises(ValueError):
        FaultSettings(rate_limit_per_second=0)
    with pytest.raises(ValueError):
        FaultSettings(denied_paths=["no-colon-here"])
    faults = FaultSettings(denied_paths=["abc:/secret/"])
    assert faults.is_denied("abc", "/secret/x.txt")
    assert faults.is_denied("abc", "/secret")
    assert not faults.is_denied("abc", "/secretive/x")
    assert not faults.is_denied("other", "/secret/x")


def test_the_sdk_rides_out_the_rate_limit_by_honouring_retry_after(
    sim: RunningSim, sim_env: dict, demo_user_tokens: dict[str, str]
) -> None:
    import globus_sdk

    client = globus_sdk.GroupsClient(
        authorizer=globus_sdk.AccessTokenAuthorizer(demo_user_tokens["groups.api.globus.org"])
    )
    sim.settings.faults.rate_limit_per_second = 2
    started = time.monotonic()
    results = [client.get_my_groups() for _ in range(5)]
    assert all(len(r.data) == 2 for r in results)
    assert sim.ctx.fault_counts["rate_limited"] >= 1
    assert time.monotonic() - started >= 1.0

from __future__ import annotations

import pytest

from gtui.core.environments import (
    UnknownEnvironmentError,
    get_environment_name,
    get_service_url,
    get_service_urls,
    sim_environment_variables,
    sim_service_urls,
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GLOBUS_SDK_ENVIRONMENT", raising=False)
    for service in ("AUTH", "TRANSFER", "GROUPS", "SEARCH"):
        monkeypatch.delenv(f"GLOBUS_SDK_SERVICE_URL_{service}", raising=False)


def test_production_roots_match_globus() -> None:
    assert get_service_urls("production") == {
        "auth": "https://auth.globus.org/",
        "transfer": "https://transfer.api.globus.org/",
        "groups": "https://groups.api.globus.org/",
        "search": "https://search.api.globus.org/",
    }


def test_default_environment_is_production() -> None:
    assert get_environment_name() == "production"
    assert get_service_url("transfer") == "https://transfer.api.globus.org/"


@pytest.mark.parametrize(
    ("environment", "service", "expected"),
    [
        ("preview", "auth", "https://auth.preview.globus.org/"),
        ("preview", "transfer", "https://transfer.api.preview.globus.org/"),
        ("sandbox", "auth", "https://auth.sandbox.globuscs.info/"),
        ("sandbox", "search", "https://search.api.sandbox.globuscs.info/"),
        ("staging", "groups", "https://groups.api.staging.globuscs.info/"),
    ],
)
def test_other_environments_build_urls_like_the_sdk(
    environment: str, service: str, expected: str
) -> None:
    import globus_sdk.config

    assert get_service_url(service, environment) == expected
    assert globus_sdk.config.get_service_url(service, environment) == expected


def test_environment_variable_selects_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GLOBUS_SDK_ENVIRONMENT", "preview")
    assert get_service_url("auth") == "https://auth.preview.globus.org/"


def test_service_url_variable_overrides_any_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GLOBUS_SDK_SERVICE_URL_TRANSFER", "http://127.0.0.1:9999/transfer")
    assert get_service_url("transfer", "preview") == "http://127.0.0.1:9999/transfer/"
    assert get_service_url("auth", "preview") == "https://auth.preview.globus.org/"


def test_sim_roots_from_one_base_url() -> None:
    assert sim_service_urls("http://127.0.0.1:8123/") == {
        "auth": "http://127.0.0.1:8123/auth/",
        "transfer": "http://127.0.0.1:8123/transfer/",
        "groups": "http://127.0.0.1:8123/groups/",
        "search": "http://127.0.0.1:8123/search/",
    }


def test_sim_environment_reads_service_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in sim_environment_variables("http://127.0.0.1:8123").items():
        monkeypatch.setenv(name, value)
    assert get_environment_name() == "sim"
    assert get_service_urls() == sim_service_urls("http://127.0.0.1:8123")


def test_sim_without_urls_is_a_clear_error() -> None:
    with pytest.raises(UnknownEnvironmentError, match="GLOBUS_SDK_SERVICE_URL_TRANSFER"):
        get_service_url("transfer", "sim")


def test_unknown_environment_names_the_known_ones() -> None:
    with pytest.raises(UnknownEnvironmentError, match="production"):
        get_service_url("transfer", "nowhere")

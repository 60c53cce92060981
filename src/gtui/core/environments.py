"""Service roots per Globus environment, resolved the way the Globus SDK resolves them.

`GLOBUS_SDK_SERVICE_URL_<SERVICE>` wins over everything, then `GLOBUS_SDK_ENVIRONMENT` picks
the environment. The "sim" environment is gtui's embedded service: one base URL serving the
four services under `/auth/`, `/transfer/`, `/groups/` and `/search/`.
"""

from __future__ import annotations

import os

ENVIRONMENT_VAR = "GLOBUS_SDK_ENVIRONMENT"
SERVICE_URL_VAR = "GLOBUS_SDK_SERVICE_URL_{}"
SIM_ENVIRONMENT = "sim"
SERVICES = ("auth", "transfer", "groups", "search")

_DOMAINS = {
    "production": "globus.org",
    "preview": "preview.globus.org",
    "sandbox": "sandbox.globuscs.info",
    "integration": "integration.globuscs.info",
    "test": "test.globuscs.info",
    "staging": "staging.globuscs.info",
}
# Services whose host has no ".api" label (SDK config/environments.py, `no_dotapi`).
_NO_DOTAPI = frozenset({"auth", "app"})
_PRODUCTION_OVERRIDES = {"timer": "https://timer.automate.globus.org/"}

ENVIRONMENTS = (*_DOMAINS, SIM_ENVIRONMENT)


class UnknownEnvironmentError(ValueError):
    """Raised for an environment name that gtui cannot map to service roots."""


def get_environment_name(default: str = "production") -> str:
    """The environment named by `GLOBUS_SDK_ENVIRONMENT`, else `default`."""
    return os.environ.get(ENVIRONMENT_VAR) or default


def _ensure_slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"


def sim_service_urls(base_url: str) -> dict[str, str]:
    """Map the embedded service's base URL (`http://127.0.0.1:PORT`) to the four service roots."""
    base = base_url.rstrip("/")
    return {service: f"{base}/{service}/" for service in SERVICES}


def sim_environment_variables(base_url: str) -> dict[str, str]:
    """The GLOBUS_SDK_* variables that point gtui (and the SDK) at the embedded service."""
    env = {ENVIRONMENT_VAR: SIM_ENVIRONMENT}
    for service, root in sim_service_urls(base_url).items():
        env[SERVICE_URL_VAR.format(service.upper())] = root
    return env


def get_service_url(service: str, environment: str | None = None) -> str:
    """Return the root URL (with a trailing slash) of `service` in `environment`.

    As in the SDK, `GLOBUS_SDK_SERVICE_URL_<SERVICE>` overrides any environment, and
    `environment=None` reads `GLOBUS_SDK_ENVIRONMENT` (default "production").
    """
    override = os.environ.get(SERVICE_URL_VAR.format(service.upper()))
    if override:
        return _ensure_slash(override)
    env = environment or get_environment_name()
    if env == SIM_ENVIRONMENT:
        raise UnknownEnvironmentError(
            f"The 'sim' environment has no URL for {service!r}: set "
            f"{SERVICE_URL_VAR.format(service.upper())} or start gtui with --demo."
        )
    domain = _DOMAINS.get(env)
    if domain is None:
        known = ", ".join(ENVIRONMENTS)
        raise UnknownEnvironmentError(f"Unknown Globus environment {env!r} (known: {known}).")
    if env == "production" and service in _PRODUCTION_OVERRIDES:
        return _PRODUCTION_OVERRIDES[service]
    if service in _NO_DOTAPI:
        return f"https://{service}.{domain}/"
    return f"https://{service}.api.{domain}/"


def get_service_urls(environment: str | None = None) -> dict[str, str]:
    """Roots of the four services gtui uses, for one environment."""
    return {service: get_service_url(service, environment) for service in SERVICES}

"""Service roots per Globus environment, resolved the way the Globus SDK resolves them.

`GLOBUS_SDK_SERVICE_URL_<SERVICE>` wins over everything, then `GLOBUS_SDK_ENVIRONMENT` picks
the environment. The "sim" environment is gtui's embedded service: one base URL serving the
four services under `/auth/`, `/transfer/`, `/groups/` and `/search/` (and Timers under
`/timer/`, see `sibling_service_url`).
"""

from __future__ import annotations

import os
import urllib.parse

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
# Services on automate.globus.org: `https://{env}.{service}.automate.globus.org/` outside
# production (SDK config/environments.py, `automate_services`).
_AUTOMATE = frozenset({"actions", "flows", "timer"})
_PRODUCTION_OVERRIDES = {
    "timer": "https://timer.automate.globus.org/",
    "flows": "https://flows.automate.globus.org/",
    "actions": "https://actions.automate.globus.org/",
}
TIMER_SERVICE = "timer"

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
    if service in _AUTOMATE:
        return f"https://{env}.{service}.automate.globus.org/"
    return f"https://{service}.api.{domain}/"


def sibling_service_url(auth_url: str, service: str) -> str:
    """The root of `service` beside Auth's on the embedded service, which serves each service
    under its own folder of one base (`<base>/auth/` → `<base>/timer/`).

    For a session given the four roots of an embedded service that predates a service: a root
    not in `<base>/auth/` form gets the service's folder at its origin.
    """
    url = auth_url.rstrip("/")
    if url.endswith("/auth"):
        return url[: -len("auth")] + service + "/"
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/{service}/"


def get_service_urls(environment: str | None = None) -> dict[str, str]:
    """Roots of the four services gtui uses, for one environment."""
    return {service: get_service_url(service, environment) for service in SERVICES}

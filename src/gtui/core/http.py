"""`ServiceClient`: the one place gtui speaks HTTP to a Globus service.

It adds the Authorization header from an authorizer, encodes JSON or form bodies, turns
4xx/5xx answers into the service's error class, retries what the Globus SDK retries
(globus-api.md §3.8), refreshes once on a 401, and logs each call without its secrets.

A request that is not idempotent and has no key making a repeat harmless (``idempotent=False``:
a flow's run, a new flow or timer; Transfer's submits carry a ``submission_id`` instead) is
sent again only when it surely was not carried out: the connection was never made, or the
service answered 429 or 503. After a dropped connection or a 500, 502 or 504 it raises
``OutcomeUnknown``.
"""

from __future__ import annotations

import asyncio
import functools
import os
import random
import ssl
import time
import urllib.parse
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, Protocol, runtime_checkable

import httpx
import orjson

from gtui import __version__
from gtui.core.environments import get_service_url
from gtui.core.errors import (
    GlobusAPIError,
    MalformedResponseError,
    NetworkError,
    OutcomeUnknown,
    looks_like_error_document,
)
from gtui.core.redact import get_logger, redact
from gtui.core.response import GlobusResponse

log = get_logger(__name__)

USER_AGENT = f"gtui/{__version__}"
HTTP_TIMEOUT_VAR = "GLOBUS_SDK_HTTP_TIMEOUT"
DEFAULT_TIMEOUT = 60.0
QueryParams = Mapping[str, Any]
Encoding = Literal["json", "form"]

_RETRY_AFTER_STATUSES = frozenset({429, 503})
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# What says a request was never sent: it may be sent again even when it is not idempotent.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
_MAX_DOUBLINGS = 1000
_SECRET_QUERY_KEYS = frozenset(
    {"code", "code_verifier", "token", "access_token", "refresh_token", "client_secret"}
)


@runtime_checkable
class Authorizer(Protocol):
    """Supplies the Authorization header; may renew credentials after a 401.

    Declared here, where it is used, so this module needs no authorizer implementation.
    """

    async def get_authorization_header(self) -> str | None: ...

    async def handle_missing_authorization(self) -> bool:
        """Called after a 401; True when new credentials make a retry worthwhile."""
        ...


def http_timeout() -> float | None:
    """Request timeout from GLOBUS_SDK_HTTP_TIMEOUT (seconds; -1 disables it), default 60 s."""
    raw = os.environ.get(HTTP_TIMEOUT_VAR)
    if not raw:
        return DEFAULT_TIMEOUT
    try:
        value = float(raw)
    except ValueError as exc:
        raise ValueError(f"{HTTP_TIMEOUT_VAR} must be a number of seconds, not {raw!r}") from exc
    return None if value == -1 else value


@functools.cache
def default_ssl_context() -> ssl.SSLContext:
    """httpx's default verifying context, built once: loading the CA bundle takes ~70 ms."""
    return httpx.create_ssl_context()


def new_http_client(*, tls: bool = True, **kwargs: Any) -> httpx.AsyncClient:
    """An AsyncClient with gtui's timeout and User-Agent, for sharing between clients.

    ``tls=False`` is for a client that only ever talks plain HTTP (the demo's loopback
    service): it skips building the verifying TLS context, which nothing would use.
    """
    kwargs.setdefault("timeout", http_timeout())
    kwargs.setdefault("verify", default_ssl_context() if tls else False)
    headers = {"User-Agent": USER_AGENT, **kwargs.pop("headers", {})}
    return httpx.AsyncClient(headers=headers, **kwargs)


@dataclass
class RetryPolicy:
    """How often and how long to wait before retrying (globus-api.md §3.8).

    `sleep` and `jitter` are injectable so tests run without waiting.
    """

    max_retries: int = 5
    max_backoff: float = 10.0
    sleep: Callable[[float], Awaitable[Any]] = field(default=asyncio.sleep)
    jitter: Callable[[], float] = field(default=random.random)

    def backoff(self, attempt: int) -> float:
        """`(0.25 + 0.5*random) * 2**attempt`, capped at `max_backoff`.

        The exponent is bounded because `2.0**1024` overflows; long before that the delay
        has reached `max_backoff`.
        """
        doubling = 2.0 ** min(attempt, _MAX_DOUBLINGS)
        return min((0.25 + 0.5 * self.jitter()) * doubling, self.max_backoff)

    def retry_after(self, response: httpx.Response) -> float | None:
        """An integer Retry-After header capped at `max_backoff`; None when absent or not an int."""
        raw = response.headers.get("retry-after", "").strip()
        if not raw.isdigit():
            return None
        return min(float(int(raw)), self.max_backoff)


def slash_join(left: str, right: str) -> str:
    """Join two URL parts with exactly one slash between them."""
    if not right:
        return left
    return left.rstrip("/") + "/" + right.lstrip("/")


def _encode_query(params: QueryParams | None) -> tuple[tuple[str, str], ...]:
    """Drop None values, repeat list values, stringify the rest as given.

    A tuple, not a list: httpx accepts both alike, and only the (covariant) tuple type
    matches its annotation for pairs of `str`.
    """
    encoded: list[tuple[str, str]] = []
    for key, value in (params or {}).items():
        if value is None:
            continue
        values = value if isinstance(value, list | tuple) else [value]
        for item in values:
            if item is None:
                continue
            encoded.append((key, str(item)))
    return tuple(encoded)


def _loggable_url(url: httpx.URL) -> str:
    if not url.query:
        return str(url)
    pairs = urllib.parse.parse_qsl(url.query.decode(), keep_blank_values=True)
    safe = [(k, "***" if k in _SECRET_QUERY_KEYS else v) for k, v in pairs]
    return redact(str(url.copy_with(query=urllib.parse.urlencode(safe).encode())))


class ServiceClient:
    """Base of the Auth, Transfer, Groups and Search clients.

    `base_url` is the service root, as in `GLOBUS_SDK_SERVICE_URL_<SERVICE>`; when omitted
    it comes from the environment. `base_path` (e.g. "/v0.10/") is appended to the root,
    unless the root given already ends with it.
    """

    service_name: ClassVar[str] = ""
    base_path: ClassVar[str] = ""
    error_class: ClassVar[type[GlobusAPIError]] = GlobusAPIError

    def __init__(
        self,
        *,
        base_url: str | None = None,
        authorizer: Authorizer | None = None,
        http_client: httpx.AsyncClient | None = None,
        environment: str | None = None,
        retry_policy: RetryPolicy | None = None,
    ) -> None:
        self.environment = environment
        root = base_url if base_url is not None else get_service_url(self.service_name, environment)
        self.service_root = root
        self.base_url = self._with_base_path(root)
        self.authorizer = authorizer
        self.retry_policy = retry_policy or RetryPolicy()
        self._owns_http_client = http_client is None
        self.http_client = http_client or new_http_client()

    @classmethod
    def _with_base_path(cls, root: str) -> str:
        base_path = cls.base_path.strip("/")
        if base_path and root.rstrip("/").endswith("/" + base_path):
            return root.rstrip("/") + "/"
        return slash_join(root, base_path).rstrip("/") + "/"

    def url_for(self, path: str) -> str:
        """The absolute URL of `path` (a full http(s) URL passes through unchanged)."""
        if path.startswith(("https://", "http://")):
            return path
        return slash_join(self.base_url, urllib.parse.quote(path))

    async def aclose(self) -> None:
        """Close the HTTP client, but only if this client created it."""
        if self._owns_http_client:
            await self.http_client.aclose()

    async def __aenter__(self) -> ServiceClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def get(
        self,
        path: str,
        *,
        query_params: QueryParams | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> GlobusResponse:
        return await self.request("GET", path, query_params=query_params, headers=headers)

    async def post(
        self,
        path: str,
        *,
        data: Any = None,
        query_params: QueryParams | None = None,
        headers: Mapping[str, str] | None = None,
        encoding: Encoding = "json",
        idempotent: bool = True,
    ) -> GlobusResponse:
        return await self.request(
            "POST",
            path,
            data=data,
            query_params=query_params,
            headers=headers,
            encoding=encoding,
            idempotent=idempotent,
        )

    async def put(
        self,
        path: str,
        *,
        data: Any = None,
        query_params: QueryParams | None = None,
        headers: Mapping[str, str] | None = None,
        encoding: Encoding = "json",
    ) -> GlobusResponse:
        return await self.request(
            "PUT", path, data=data, query_params=query_params, headers=headers, encoding=encoding
        )

    async def patch(
        self,
        path: str,
        *,
        data: Any = None,
        query_params: QueryParams | None = None,
        headers: Mapping[str, str] | None = None,
        encoding: Encoding = "json",
    ) -> GlobusResponse:
        return await self.request(
            "PATCH", path, data=data, query_params=query_params, headers=headers, encoding=encoding
        )

    async def delete(
        self,
        path: str,
        *,
        query_params: QueryParams | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> GlobusResponse:
        return await self.request("DELETE", path, query_params=query_params, headers=headers)

    async def request(
        self,
        method: str,
        path: str,
        *,
        data: Any = None,
        query_params: QueryParams | None = None,
        headers: Mapping[str, str] | None = None,
        encoding: Encoding = "json",
        authenticated: bool = True,
        idempotent: bool = True,
    ) -> GlobusResponse:
        """Send one request with retries; return the response or raise `error_class`
        (``OutcomeUnknown`` when a request that is not ``idempotent`` may have been done)."""
        response = await self.send(
            method,
            path,
            data=data,
            query_params=query_params,
            headers=headers,
            encoding=encoding,
            authenticated=authenticated,
            idempotent=idempotent,
        )
        return self._make_response(response)

    async def send(
        self,
        method: str,
        path: str,
        *,
        data: Any = None,
        query_params: QueryParams | None = None,
        headers: Mapping[str, str] | None = None,
        encoding: Encoding = "json",
        authenticated: bool = True,
        idempotent: bool = True,
    ) -> httpx.Response:
        """``request`` without parsing the body: the answer as it came, once it is a success.

        For the answers too big to parse in one go on the event loop (a folder listing),
        which the caller decodes itself, off the loop.
        """
        url = self.url_for(path)
        params = _encode_query(query_params)
        body: dict[str, Any] = {}
        if data is not None:
            if encoding == "form":
                body["data"] = {k: str(v) for k, v in data.items() if v is not None}
            else:
                body["json"] = dict(data) if isinstance(data, Mapping) else data
        policy = self.retry_policy
        attempt = 0
        refreshed = False
        while True:
            request_headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
            request_headers.update(headers or {})
            if authenticated and self.authorizer is not None:
                auth_header = await self.authorizer.get_authorization_header()
                if auth_header:
                    request_headers["Authorization"] = auth_header
            started = time.monotonic()
            try:
                response = await self.http_client.request(
                    method, url, params=params, headers=request_headers, **body
                )
            except httpx.UnsupportedProtocol:
                raise
            except httpx.TransportError as exc:
                elapsed = time.monotonic() - started
                log.debug("%s %s failed after %.3fs: %s", method, url, elapsed, type(exc).__name__)
                sent = not isinstance(exc, _NOT_SENT)
                host = httpx.URL(url).host or url
                if sent and not idempotent:
                    label = self.error_class.service_label
                    raise OutcomeUnknown(label, host, type(exc).__name__) from None
                if attempt < policy.max_retries:
                    await policy.sleep(policy.backoff(attempt))
                    attempt += 1
                    continue
                raise NetworkError(host, type(exc).__name__) from None
            self._log_response(response, time.monotonic() - started)
            status = response.status_code
            if (
                status == 401
                and authenticated
                and self.authorizer is not None
                and not refreshed
                and await self.authorizer.handle_missing_authorization()
            ):
                refreshed = True
                continue
            if status >= 400:
                error = self._make_error(response)
                if not idempotent and status in _RETRY_STATUSES - _RETRY_AFTER_STATUSES:
                    host = httpx.URL(url).host or url
                    label = self.error_class.service_label
                    raise OutcomeUnknown(label, host, f"HTTP {status}", cause=error)
                delay = self._retry_delay(response, error, attempt)
                if delay is not None:
                    await policy.sleep(delay)
                    attempt += 1
                    continue
                raise error
            return response

    def _retry_delay(
        self, response: httpx.Response, error: GlobusAPIError, attempt: int
    ) -> float | None:
        """Seconds to wait before the next attempt, or None when this error is final."""
        policy = self.retry_policy
        if attempt >= policy.max_retries:
            return None
        status = response.status_code
        if status in _RETRY_AFTER_STATUSES:
            retry_after = policy.retry_after(response)
            return retry_after if retry_after is not None else policy.backoff(attempt)
        if status not in _RETRY_STATUSES or not self.may_retry(error):
            return None
        return policy.backoff(attempt)

    def may_retry(self, error: GlobusAPIError) -> bool:
        """Whether an error with status 500, 502 or 504 may be retried (429 and 503 always are).

        Yes by default; a service for which some such errors are final (Transfer's
        ExternalError, ...) overrides this, as the Globus SDK lets it replace its retry check.
        """
        return True

    def _make_error(self, response: httpx.Response) -> GlobusAPIError:
        error_class = self.error_class
        content_type = response.headers.get("content-type", "")
        if response.content and "json" not in content_type:
            try:
                response.json()
            except ValueError:
                snippet = "an HTML page" if "html" in content_type else "a body that is not JSON"
                return malformed_error(error_class, response, f"the error came as {snippet}")
        return error_class(response)

    def _make_response(self, response: httpx.Response) -> GlobusResponse:
        if response.status_code == 204:
            return GlobusResponse(response, None)
        if not response.content.strip():
            raise malformed_error(self.error_class, response, "the answer is an empty body")
        try:
            # orjson parses a 100,000-entry listing (26 MB) in ~0.16 s instead of ~0.28 s,
            # time during which the app's event loop cannot run.
            data = orjson.loads(response.content)
        except ValueError:
            reason = unparsable_reason(response)
            raise malformed_error(self.error_class, response, reason) from None
        if not isinstance(data, dict | list):
            kind = type(data).__name__ if data is not None else "null"
            raise malformed_error(self.error_class, response, f"the answer is a bare JSON {kind}")
        if looks_like_error_document(data):
            raise malformed_error(
                self.error_class, response, "a success status with an error document"
            )
        return GlobusResponse(response, data)

    def _log_response(self, response: httpx.Response, elapsed: float) -> None:
        request_id = response.headers.get("x-request-id", "-")
        log.debug(
            "%s %s -> %s (request %s, %.3fs)",
            response.request.method,
            _loggable_url(response.request.url),
            response.status_code,
            request_id,
            elapsed,
        )


def unparsable_reason(response: httpx.Response) -> str:
    """Why a body that is not JSON was not JSON, in the words the errors use."""
    content_type = response.headers.get("content-type", "")
    if "html" in content_type or response.content.lstrip().startswith(b"<"):
        return "expected JSON, got an HTML page"
    if "json" in content_type:
        return "the JSON body is truncated or invalid"
    return f"expected JSON, got {content_type or 'an untyped body'}"


def malformed_error(
    error_class: type[GlobusAPIError], response: httpx.Response, reason: str
) -> MalformedResponseError:
    """A MalformedResponseError that is also an instance of the service's error class."""
    if issubclass(MalformedResponseError, error_class):
        return MalformedResponseError(response, reason=reason)
    cls = _MALFORMED_CLASSES.get(error_class)
    if cls is None:
        cls = type(
            f"Malformed{error_class.__name__}",
            (MalformedResponseError, error_class),
            {"__module__": __name__},
        )
        _MALFORMED_CLASSES[error_class] = cls
    return cls(response, reason=reason)


_MALFORMED_CLASSES: dict[type[GlobusAPIError], type[MalformedResponseError]] = {}

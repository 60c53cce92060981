"""The one error hierarchy of gtui's client core, and the parser for authorization requirements.

A Globus service that needs more consent or a fresher session says so in one of several
shapes (globus-api.md §1.7); `parse_authorization_requirement` turns every one of them into
an `AuthorizationRequirement` the UI can act on: log in again for exactly those scopes and
session parameters, then retry.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gtui.core.redact import redact

if TYPE_CHECKING:
    import httpx


class GlobusError(Exception):
    """Base of every error the client core raises."""


class NetworkError(GlobusError):
    """The service could not be reached (after retries): DNS, refused, reset or timed out."""

    def __init__(self, host: str, detail: str = "") -> None:
        self.host = host
        self.detail = detail
        suffix = f" ({detail})" if detail else ""
        super().__init__(
            f"Could not reach {host}{suffix}. Check the network connection and try again."
        )


class OutcomeUnknown(GlobusError):
    """A request that must not be sent twice (a flow's run, a new timer) may or may not have
    been carried out: the connection dropped after it was sent, or the service failed while
    answering (500, 502, 504). The Globus SDK would send it again and could start a second
    run; gtui does not, and says so. ``cause`` is the service's error, when there was one."""

    def __init__(
        self, service: str, host: str, detail: str, cause: GlobusAPIError | None = None
    ) -> None:
        self.service = service
        self.host = host
        self.detail = detail
        self.cause = cause
        super().__init__(
            f"{service} did not answer ({detail}), so it may or may not have been done. "
            "Look before trying again."
        )


class LoginRequired(GlobusError):
    """There are no usable tokens: none stored, refresh token rejected, or the store unreadable."""

    def __init__(self, message: str = "You are not logged in. Log in again.") -> None:
        super().__init__(message)
        self.message = message


def _str_tuple(value: Any) -> tuple[str, ...]:
    """A list, or a comma-separated string, as a tuple of non-empty strings."""
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    if isinstance(value, list | tuple):
        return tuple(str(item) for item in value if isinstance(item, str) and item)
    return ()


@dataclass(frozen=True)
class AuthorizationRequirement:
    """What a service asks for before it will answer: consent for scopes and/or a new session."""

    code: str
    required_scopes: tuple[str, ...] = ()
    session_message: str | None = None
    session_required_identities: tuple[str, ...] = ()
    session_required_single_domain: tuple[str, ...] = ()
    session_required_policies: tuple[str, ...] = ()
    session_required_mfa: bool | None = None
    prompt: str | None = None

    def authorize_params(self) -> dict[str, str]:
        """The extra query parameters for the authorize URL that satisfies this requirement."""
        params: dict[str, str] = {}
        if self.session_message:
            params["session_message"] = self.session_message
        for name in (
            "session_required_identities",
            "session_required_single_domain",
            "session_required_policies",
        ):
            values: tuple[str, ...] = getattr(self, name)
            if values:
                params[name] = ",".join(values)
        if self.session_required_mfa:
            params["session_required_mfa"] = "true"
        if self.prompt:
            params["prompt"] = self.prompt
        return params

    @classmethod
    def from_parameters(
        cls, code: str, params: dict[str, Any], extra_scopes: Any = None
    ) -> AuthorizationRequirement:
        scopes = _str_tuple(params.get("required_scopes")) or _str_tuple(extra_scopes)
        mfa = params.get("session_required_mfa")
        message = params.get("session_message")
        prompt = params.get("prompt")
        return cls(
            code=code,
            required_scopes=scopes,
            session_message=message if isinstance(message, str) else None,
            session_required_identities=_str_tuple(params.get("session_required_identities")),
            session_required_single_domain=_str_tuple(params.get("session_required_single_domain")),
            session_required_policies=_str_tuple(params.get("session_required_policies")),
            session_required_mfa=mfa if isinstance(mfa, bool) else None,
            prompt=prompt if isinstance(prompt, str) else None,
        )


def _parse_one(doc: Any) -> AuthorizationRequirement | None:
    if not isinstance(doc, dict):
        return None
    code = doc.get("code") if isinstance(doc.get("code"), str) else None
    params = doc.get("authorization_parameters")
    if isinstance(params, dict):
        # Canonical GARE, or the legacy shape without a code (SDK: "AuthorizationRequired").
        return AuthorizationRequirement.from_parameters(
            code or "AuthorizationRequired", params, doc.get("required_scopes")
        )
    if code == "ConsentRequired":
        # Transfer's top-level `required_scopes`, or an action provider's `required_scope`.
        scopes = _str_tuple(doc.get("required_scopes")) or _str_tuple(
            [doc["required_scope"]] if isinstance(doc.get("required_scope"), str) else None
        )
        if scopes:
            return AuthorizationRequirement(code="ConsentRequired", required_scopes=scopes)
    error = doc.get("error")
    if isinstance(error, str) and error.lower() == "dependent_consent_required":
        # Globus Auth: {"error": "dependent_consent_required", "errors": [{"unapproved_scopes"}]}
        unapproved: list[str] = []
        for item in doc.get("errors") or []:
            if isinstance(item, dict):
                unapproved.extend(_str_tuple(item.get("unapproved_scopes")))
        if unapproved:
            return AuthorizationRequirement(
                code="ConsentRequired", required_scopes=tuple(unapproved)
            )
    return None


def parse_authorization_requirement(doc: Any) -> AuthorizationRequirement | None:
    """Find an authorization requirement in an error body, in any shape Globus uses.

    Looks at the document itself first, then at each entry of an `errors` array.
    """
    found = _parse_one(doc)
    if found is not None:
        return found
    if isinstance(doc, dict) and isinstance(doc.get("errors"), list):
        for item in doc["errors"]:
            found = _parse_one(item)
            if found is not None:
                return found
    return None


def _first_str(*values: Any) -> str | None:
    for value in values:
        if isinstance(value, str) and value:
            return value
    return None


class GlobusAPIError(GlobusError):
    """A service answered with an error status (4xx/5xx) or with a body that is not usable."""

    service_label = "Globus"

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.http_status = response.status_code
        self.headers = response.headers
        self.raw_text = response.text
        self.raw_json: Any = None
        try:
            self.raw_json = json.loads(response.content) if response.content else None
        except ValueError:
            self.raw_json = None
        body = self.raw_json if isinstance(self.raw_json, dict) else {}
        sub_errors = [e for e in body.get("errors") or [] if isinstance(e, dict)]
        self.errors: list[dict[str, Any]] = sub_errors
        first = sub_errors[0] if sub_errors else {}
        # Order as in the SDK: a top-level code, then JSON:API errors[], then OAuth's "error".
        self.code: str | None = _first_str(body.get("code"), first.get("code"), body.get("error"))
        self.message: str = _first_str(
            body.get("message"),
            first.get("detail"),
            first.get("message"),
            first.get("title"),
            body.get("error_description"),
            body.get("detail"),
            body.get("title"),
        ) or (response.reason_phrase or f"HTTP {self.http_status}")
        self.message = redact(self.message)
        self.request_id: str | None = _first_str(
            body.get("request_id"),
            first.get("id"),
            response.headers.get("x-request-id"),
        )
        self.authorization_requirement = parse_authorization_requirement(self.raw_json)
        super().__init__(self._describe())

    @property
    def consent_required(self) -> bool:
        """True only for ConsentRequired with a non-empty scope list (SDK semantics, v3.20)."""
        req = self.authorization_requirement
        return req is not None and req.code == "ConsentRequired" and bool(req.required_scopes)

    @property
    def method(self) -> str | None:
        try:
            return self.response.request.method
        except RuntimeError:
            return None

    @property
    def url(self) -> str | None:
        try:
            return str(self.response.request.url.copy_with(query=None))
        except RuntimeError:
            return None

    def _describe(self) -> str:
        text = self.message.rstrip(".")
        details = [f"HTTP {self.http_status}"]
        if self.code:
            details.append(self.code)
        if self.request_id:
            details.append(f"request {self.request_id}")
        return redact(f"{self.service_label}: {text} ({', '.join(details)}).")

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(http_status={self.http_status}, code={self.code!r}, "
            f"request_id={self.request_id!r})"
        )


class AuthAPIError(GlobusAPIError):
    service_label = "Globus Auth"


class TransferAPIError(GlobusAPIError):
    service_label = "Globus Transfer"


class GroupsAPIError(GlobusAPIError):
    service_label = "Globus Groups"


class SearchAPIError(GlobusAPIError):
    service_label = "Globus Search"


class TimersAPIError(GlobusAPIError):
    """Globus Timers' errors, which come in their own shapes.

    ``{"error": {"code", "detail", "status"}}`` for most; FastAPI's validation list
    ``{"detail": [{"loc", "msg", "type"}]}`` for a bad body; and a refused resume carries its
    Globus Auth requirement (``authorization_parameters``) inside ``error`` or beside it at the
    top level, read together with the code inside ``error`` so that ``consent_required`` holds.
    """

    service_label = "Globus Timers"

    def __init__(self, response: httpx.Response) -> None:
        super().__init__(response)
        body = self.raw_json if isinstance(self.raw_json, dict) else {}
        error = body.get("error")
        details = body.get("detail")
        if isinstance(error, dict):
            self.errors = [error]
            self.code = _first_str(error.get("code"), body.get("code")) or self.code
            found = _first_str(error.get("detail"), error.get("message"))
            if found:
                self.message = redact(found)
        elif isinstance(details, list) and details and all(isinstance(d, dict) for d in details):
            self.errors = list(details)
            self.code = _first_str(*(d.get("code") for d in details)) or self.code
            self.message = redact("; ".join(_validation_message(d) for d in details))
        requirement = _timers_requirement(body)
        if requirement is not None:
            self.authorization_requirement = requirement
        self.args = (self._describe(),)


def _validation_message(item: dict[str, Any]) -> str:
    """``field required: body.start``, as the Globus SDK words FastAPI's validation errors."""
    message = _first_str(item.get("msg"), item.get("message")) or "invalid"
    where = item.get("loc")
    if isinstance(where, list) and where:
        return f"{message}: {'.'.join(str(part) for part in where)}"
    return message


def _timers_requirement(body: dict[str, Any]) -> AuthorizationRequirement | None:
    """The requirement of a Timers error: the code may sit in ``error``, the GARE beside it."""
    error = body.get("error")
    if isinstance(error, dict):
        beside = {k: body[k] for k in ("authorization_parameters", "required_scopes") if k in body}
        found = parse_authorization_requirement({**error, **beside})
        if found is not None:
            return found
    return parse_authorization_requirement(body)


class FlowsAPIError(GlobusAPIError):
    """Globus Flows' errors: ``{"error": {"code", "detail", "message"?}, "debug_id"}``.

    ``detail`` is a sentence, or for an input that fails the flow's schema a list of
    ``{"loc", "msg", "type"}``, kept as ``field_errors`` so a form can show each message by
    its field (SDK ``services/flows/errors.py``). A refusal for want of a scope names it in
    words ("This action requires the following scope: …"), read as a consent to give.
    """

    service_label = "Globus Flows"

    def __init__(self, response: httpx.Response) -> None:
        super().__init__(response)
        body = self.raw_json if isinstance(self.raw_json, dict) else {}
        error = body.get("error")
        self.field_errors: list[FieldError] = []
        if isinstance(error, dict):
            self.errors = [error]
            self.code = _first_str(error.get("code"), body.get("code")) or self.code
            detail = error.get("detail")
            if isinstance(detail, list):
                self.field_errors = [
                    FieldError.from_detail(item) for item in detail if isinstance(item, dict)
                ]
            said = _first_str(detail if isinstance(detail, str) else None, error.get("message"))
            if self.field_errors:
                said = "; ".join(str(item) for item in self.field_errors)
            if said:
                self.message = redact(said)
        self.request_id = _first_str(body.get("debug_id"), self.request_id)
        requirement = _flows_requirement(body)
        if requirement is not None:
            self.authorization_requirement = requirement
        self.args = (self._describe(),)


@dataclass(frozen=True)
class FieldError:
    """One input value the service refused: where (a JSONPath such as ``$.source.path``, or
    FastAPI's ``loc`` list joined), why, and the kind of problem."""

    location: str
    message: str
    kind: str = ""

    @classmethod
    def from_detail(cls, item: dict[str, Any]) -> FieldError:
        where = item.get("loc")
        if isinstance(where, list):
            parts = [str(part) for part in where]
            location = parts[0] if len(parts) == 1 else ".".join(parts)
        else:
            location = str(where) if where is not None else ""
        message = _first_str(item.get("msg"), item.get("message")) or "invalid"
        return cls(location, message, str(item.get("type") or ""))

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


_MISSING_SCOPE = "requires the following scope:"


def _flows_requirement(body: dict[str, Any]) -> AuthorizationRequirement | None:
    """A Flows error's requirement: a GARE inside ``error`` or beside it, or a missing scope
    named in the words of ``MISSING_SCOPE``."""
    error = body.get("error")
    if isinstance(error, dict):
        found = _timers_requirement(body)
        if found is not None:
            return found
        detail = error.get("detail")
        if error.get("code") == "MISSING_SCOPE" and isinstance(detail, str):
            _, marker, rest = detail.partition(_MISSING_SCOPE)
            scope = rest.strip().rstrip(".")
            if marker and scope:
                return AuthorizationRequirement(code="ConsentRequired", required_scopes=(scope,))
        return None
    return parse_authorization_requirement(body)


class ConsentMissing(LoginRequired):
    """The stored login has no token for a service it needs, so no request was sent.

    A login made before gtui asked for that service (Timers) lacks its token: that is one
    consent to give, not a whole new login. ``authorization_requirement`` names the scope, so
    ``GlobusSession.call_with_consent_repair`` asks for exactly it; a caller that only knows
    ``LoginRequired`` logs in again with every default scope, which includes it too.
    """

    def __init__(self, requirement: AuthorizationRequirement, service: str) -> None:
        super().__init__(
            f"Your Globus login does not include {service} yet. "
            "Give gtui that consent (log in again) to continue."
        )
        self.authorization_requirement = requirement
        self.service = service

    @property
    def consent_required(self) -> bool:
        return bool(self.authorization_requirement.required_scopes)


class MalformedResponseError(GlobusAPIError):
    """The body is not the JSON that was expected (HTML, truncated, empty, wrong type)."""

    def __init__(self, response: httpx.Response, *, reason: str) -> None:
        self.reason = reason
        super().__init__(response)
        # The body carries no message of the service, only (at best) an HTTP reason phrase
        # such as "OK", which would read as nonsense in "Listing /x failed: OK".
        self.message = redact(
            f"the service's answer was not the JSON expected ({reason}); "
            "it may be down or behind a proxy, try again later"
        )

    def _describe(self) -> str:
        where = f" from {self.url}" if self.url else ""
        rid = f", request {self.request_id}" if self.request_id else ""
        return redact(
            f"Unexpected response{where}: {self.reason} (HTTP {self.http_status}{rid}). "
            "The service may be down or behind a proxy; try again later."
        )


_ERROR_CODE_PREFIXES = ("ClientError", "ServerError", "ExternalError", "EndpointError")
_ERROR_CODES = frozenset(
    {
        "PermissionDenied",
        "EndpointPermissionDenied",
        "ConsentRequired",
        "AuthPolicyFailed",
        "AuthorizationRequired",
        "ServiceUnavailable",
        "NotFound",
        "BadRequest",
        "Unauthorized",
        "Forbidden",
    }
)


def looks_like_error_document(data: Any) -> bool:
    """True for a body that is an error report although its status is 2xx.

    Transfer's successful answers also carry `code` and `message` ("Accepted", "Created"),
    so only known error codes, OAuth `error` fields or a bare JSON:API `errors` array count.
    """
    if not isinstance(data, dict):
        return False
    if isinstance(data.get("error"), str) and "access_token" not in data:
        return True
    code = data.get("code")
    if isinstance(code, str) and (code.startswith(_ERROR_CODE_PREFIXES) or code in _ERROR_CODES):
        return True
    errors = data.get("errors")
    return isinstance(errors, list) and bool(errors) and "data" not in data and "DATA" not in data

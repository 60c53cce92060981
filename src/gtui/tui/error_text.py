"""Errors told to a person: one sentence saying what failed, where, and what to do next.

The sentence comes from a table keyed by the kind of error (worked out from the Globus error
code, then the HTTP status) and, where it reads better, by what the person was doing. An
unknown code falls back to the service's own message, cleaned of FTP transcripts, JSON and
control characters and shortened. The code and the request id go on a second line, for a
support ticket, never into the sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gtui.core.errors import (
    GlobusAPIError,
    GlobusError,
    LoginRequired,
    MalformedResponseError,
    NetworkError,
    OutcomeUnknown,
    TransferAPIError,
)
from gtui.core.redact import redact
from gtui.tui.service_words import clean_message, collection_in, flat, path_in, shown_name

# -- what the person was doing --------------------------------------------------------------

# The phrases callers pass as ``doing`` ("Listing /~/x/"), as a verb to say "Could not list".
GERUNDS: tuple[tuple[str, str], ...] = (
    ("Creating folder", "create folder"),
    ("Looking up", "look up"),
    ("Finding out", "find out"),
    ("Logging out", "log out"),
    ("Listing", "list"),
    ("Creating", "create"),
    ("Renaming", "rename"),
    ("Opening", "open"),
    ("Loading", "load"),
    ("Submitting", "submit"),
    ("Cancelling", "cancel"),
    ("Canceling", "cancel"),
    ("Deleting", "delete"),
    ("Searching", "search"),
    ("Reading", "read"),
    ("Following", "follow"),
    ("Moving", "move"),
    ("Copying", "copy"),
    ("Saving", "save"),
    ("Starting", "start"),
)
# Group actions arrive as "Leave in <group>" (the action's name, capitalised).
GROUP_ACTIONS = {
    "Accept": "accept the invitation to",
    "Decline": "decline the invitation to",
    "Leave": "leave",
    "Request join": "ask to join",
    "Join": "join",
    "Approve": "approve the request to join",
    "Reject": "reject the request to join",
    "Remove": "remove the member from",
    "Invite": "invite them to",
    "Add": "add the member to",
    "Change role": "change the role in",
}
# Verbs whose failure reads better another way than "Could not <verb>".
FAILED_PHRASES = {"search": "The search failed"}
# Whole phrases that read better as another verb and subject.
PHRASE_ACTIONS = {"Following tasks": ("update", "the task list")}
# Verbs whose subject is a name or path the error is about ("Renaming a.txt").
NAMED_VERBS = frozenset({"list", "create folder", "rename", "delete"})


@dataclass(frozen=True)
class Action:
    """What the person was doing, parsed from the caller's phrase ("Listing /~/x/")."""

    phrase: str
    verb: str = ""
    subject: str = ""

    @property
    def failed(self) -> str:
        """The failure as a sentence begins: "Could not list /~/x/", or "<phrase> failed"."""
        if not self.verb:
            return f"{shown_name(self.phrase)} failed"
        if self.verb in FAILED_PHRASES:
            return FAILED_PHRASES[self.verb]
        subject = f" {shown_name(self.subject)}" if self.subject else ""
        return f"Could not {self.verb}{subject}"


def action_of(doing: str) -> Action:
    """The verb and subject of a ``doing`` phrase; an unknown phrase keeps only its words."""
    if doing in PHRASE_ACTIONS:
        return Action(doing, *PHRASE_ACTIONS[doing])
    for gerund, verb in GERUNDS:
        if doing == gerund or doing.startswith(gerund + " "):
            # The subject as given: a name may begin or end with spaces.
            return Action(doing, verb, doing[len(gerund) + 1 :])
    head, sep, group = doing.partition(" in ")
    if sep and head in GROUP_ACTIONS:
        return Action(doing, GROUP_ACTIONS[head], group)
    return Action(doing)


# -- the sentence table -----------------------------------------------------------------------

# (kind, verb) → the sentence; (kind, "") is the sentence for any verb. Fields: {failed}
# ("Could not rename a.txt"), {what} (the path or thing concerned), {on} (" on <collection>"),
# {existing}, {message} (the service's words, cleaned), {host}, {wait}.
SENTENCES: dict[tuple[str, str], str] = {
    ("not_found", ""): (
        "{failed}: {what} was not found{on}. It may have been moved or deleted; "
        "refresh and try again."
    ),
    ("not_found", "list"): "There is no folder {what}{on}. Check the path and try again.",
    ("not_found", "rename"): (
        "{failed}: {what} is no longer there{on}. Refresh the folder and try again."
    ),
    ("no_collection", ""): (
        "{failed}: the collection was not found. It may have been deleted, or shared with you "
        "no longer; choose a collection again."
    ),
    ("not_folder", ""): "{failed}: {what} is not a folder{on}. Open the folder that holds it.",
    ("not_folder", "list"): (
        "{what} is a file, not a folder{on}. Open the folder that holds it instead."
    ),
    ("exists", ""): "{failed}: {existing} already exists here. Choose another name.",
    ("exists", "create folder"): "{existing} already exists here. Choose another name.",
    ("no_permission", ""): (
        "{failed}: you have no permission to use {what}{on}. "
        "Ask the collection's administrator for access."
    ),
    ("no_permission", "list"): (
        "You have no permission to read {what}{on}. Ask the collection's administrator for access."
    ),
    ("no_permission", "open"): (
        "{failed}: you have no permission to use it. Ask the collection's administrator for access."
    ),
    ("forbidden", ""): (
        "{failed}: you are not allowed to do this. Ask the owner or an administrator for access."
    ),
    ("consent", ""): "{failed}: Globus needs your consent before gtui may use this collection.",
    ("session", ""): "{failed}: Globus wants a fresh login for this.",
    ("login", ""): "{failed}: Globus did not accept your login. Log in again and retry.",
    ("rate_limited", ""): (
        "{failed}: Globus is limiting how fast gtui may ask. Wait {wait} and try again."
    ),
    ("unavailable", ""): (
        "{failed}: Globus is temporarily unavailable. Try again in a few minutes."
    ),
    ("server_error", ""): (
        "{failed}: Globus had an internal error. Try again; if it keeps happening, "
        "report the request id below."
    ),
    ("quota", ""): (
        "{failed}: there is no space left{on} (the quota is full). "
        "Free some space, or ask the collection's administrator for more."
    ),
    ("network", ""): (
        "{failed}: could not reach {host}. Check the network connection and try again."
    ),
    ("malformed", ""): (
        "{failed}: the service's answer was not what gtui expected. "
        "It may be down or behind a proxy; try again later."
    ),
    ("conflict", ""): "{failed}: {message}. Refresh and try again.",
    ("bad_query", ""): (
        "{failed}: the query is not valid ({message}). "
        "Fix it, or switch off Advanced to search plain words."
    ),
    ("refused", ""): "{failed}: {message}.",
    ("unknown", ""): "{failed}: {message}.",
    ("logged_out", ""): "{failed}: you are not logged in. Log in again.",
    ("unexpected", ""): "{failed}: an unexpected error ({message}). The details are in the log.",
    # A request gtui must not send twice, whose answer was lost (core: ``OutcomeUnknown``).
    ("outcome_unknown", ""): (
        "No clear answer came from {service}, so {doing} may or may not have been done. "
        "Look before trying again."
    ),
    ("outcome_unknown", "start"): (
        "No clear answer came from {service}, so the run of {subject} may or may not have started. "
        "Look in the flow's runs before starting it again."
    ),
    ("outcome_unknown", "create"): (
        "No clear answer came from {service}, so {subject} may or may not have been made. "
        "Look in the list before making it again."
    ),
}

# Globus codes (Transfer, Auth, Groups, Search) → kind. A ``permission`` kind is told as
# ``no_permission`` on a collection (Transfer) and ``forbidden`` anywhere else.
CODE_KINDS: dict[str, str] = {
    "ExternalError.MkdirFailed.Exists": "exists",
    "ExternalError.RenameFailed.Exists": "exists",
    "EndpointNotFound": "no_collection",
    "ClientError.NotFound": "not_found",
    "NotFound": "not_found",
    "NotFound.Generic": "not_found",
    "NOT_FOUND": "not_found",
    "ExternalError.DirListingFailed.NotFound": "not_found",
    "ExternalError.DirListingFailed.NotDirectory": "not_folder",
    "EndpointPermissionDenied": "permission",
    "PermissionDenied": "permission",
    "ExternalError.DirListingFailed.PermissionDenied": "permission",
    "PERMISSION_DENIED": "permission",
    "FORBIDDEN": "permission",
    "Forbidden": "permission",
    "Forbidden.Generic": "permission",
    "ConsentRequired": "consent",
    "AuthorizationRequired": "session",
    "AuthPolicyFailed": "session",
    "AuthenticationPolicyRequired": "session",
    "AuthenticationFailed": "login",
    "ClientError.AuthenticationFailed": "login",
    "UNAUTHORIZED": "login",
    "Unauthorized": "login",
    "invalid_grant": "login",
    "ServiceUnavailable": "unavailable",
    "BadGateway": "unavailable",
    "GatewayTimeout": "unavailable",
    "InternalError": "server_error",
    "ServerError.InternalError": "server_error",
    "ClientError.RequestLimitExceeded": "rate_limited",
    "RequestLimitExceeded": "rate_limited",
    "TooManyRequests": "rate_limited",
    "ClientError.Conflict": "conflict",
    "BadRequest.InvalidQuery": "bad_query",
}
# Codes not in the table, by their ending or beginning.
CODE_SUFFIX_KINDS = (
    (".Exists", "exists"),
    ("NotFound", "not_found"),
    (".NotDirectory", "not_folder"),
    ("PermissionDenied", "permission"),
    ("QuotaExceeded", "quota"),
)
CODE_PREFIX_KINDS = (
    ("BadRequest.InvalidQuery", "bad_query"),
    ("ClientError.BadRequest", "refused"),
    ("BadRequest", "refused"),
    ("INVALID_", "refused"),
    ("ClientError.Conflict", "conflict"),
    ("Conflict", "conflict"),
    # A collection's own failure (Transfer answers 502): its words say more than the status.
    ("ExternalError.", "unknown"),
    ("EndpointError", "unknown"),
)
STATUS_KINDS = {
    400: "refused",
    401: "login",
    403: "permission",
    404: "not_found",
    409: "conflict",
    429: "rate_limited",
    502: "unavailable",
    503: "unavailable",
    504: "unavailable",
}


def kind_of(exc: BaseException) -> str:
    """The row of the sentence table an error is told by."""
    if isinstance(exc, LoginRequired):
        return "logged_out"
    if isinstance(exc, NetworkError):
        return "network"
    if isinstance(exc, OutcomeUnknown):
        return "outcome_unknown"
    if isinstance(exc, MalformedResponseError):
        return "malformed"
    if not isinstance(exc, GlobusAPIError):
        return "unknown" if isinstance(exc, GlobusError) else "unexpected"
    kind = _api_kind(exc)
    if kind == "permission":
        return "no_permission" if isinstance(exc, TransferAPIError) else "forbidden"
    return kind


def _api_kind(exc: GlobusAPIError) -> str:
    if exc.consent_required:
        return "consent"
    if exc.authorization_requirement is not None:
        return "session"
    code = exc.code or ""
    if code in CODE_KINDS:
        return CODE_KINDS[code]
    for suffix, kind in CODE_SUFFIX_KINDS:
        if code.endswith(suffix):
            return kind
    for prefix, kind in CODE_PREFIX_KINDS:
        if code.startswith(prefix):
            return kind
    if "quota" in code.lower() or "quota exceeded" in (exc.message or "").lower():
        return "quota"
    if exc.http_status in STATUS_KINDS:
        return STATUS_KINDS[exc.http_status]
    if exc.http_status >= 500:
        return "server_error"
    return "unknown"


# -- telling ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ErrorText:
    """An error as a person reads it: the sentence, then the code and request id."""

    sentence: str
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.sentence}\n{self.detail}" if self.detail else self.sentence


def tell_error(exc: BaseException, doing: str) -> ErrorText:
    """The sentence for ``exc`` met while ``doing``, and its code and request id."""
    action = action_of(doing)
    kind = kind_of(exc)
    template = SENTENCES.get((kind, action.verb)) or SENTENCES[(kind, "")]
    # Each field is on one line already (names through ``shown_name``, the service's words
    # through ``clean_message``), so the sentence keeps a name's spaces as they are.
    sentence = redact(template.format(**_fields(exc, action, kind)))
    return ErrorText(sentence, _detail(exc))


def describe_error(exc: BaseException, doing: str) -> str:
    """The sentence, and on a second line the code and request id (when the error has them)."""
    return str(tell_error(exc, doing))


def _fields(exc: BaseException, action: Action, kind: str) -> dict[str, str]:
    raw = exc.message if isinstance(exc, GlobusAPIError) else str(exc)
    path = path_in(raw) if isinstance(exc, GlobusAPIError) else None
    if action.verb in NAMED_VERBS and action.subject and (kind != "exists" or not path):
        what = action.subject
    else:
        what = path or (action.subject if action.subject.startswith(("/", "~")) else "")
    collection = collection_in(raw) if isinstance(exc, GlobusAPIError) else None
    message = clean_message(raw) if not isinstance(exc, MalformedResponseError) else ""
    if kind == "unexpected":
        message = type(exc).__name__
    elif kind == "bad_query":
        message = re.sub(r"^invalid query:\s*", "", message, flags=re.I)
    existing = path.rstrip("/").rsplit("/", 1)[-1] if path else action.subject
    return {
        "failed": action.failed,
        "subject": shown_name(action.subject),
        "what": shown_name(what) if what else _default_what(kind),
        "on": f" on {shown_name(collection)}" if collection else "",
        "existing": shown_name(existing or "That name"),
        "message": message or "the service gave no reason",
        "host": exc.host if isinstance(exc, NetworkError) else "the service",
        "wait": _wait(exc),
        "service": exc.service if isinstance(exc, OutcomeUnknown) else "the service",
        "doing": _lowered(action.phrase),
    }


def _lowered(phrase: str) -> str:
    """ "Starting “Move”" → "starting “Move”": a phrase inside a sentence."""
    return phrase[:1].lower() + phrase[1:] if phrase else "it"


def _default_what(kind: str) -> str:
    return "this collection" if kind == "no_permission" else "it"


def _wait(exc: BaseException) -> str:
    """How long to wait: the Retry-After header in words ("30 seconds"), else "a minute"."""
    if isinstance(exc, GlobusAPIError):
        value = exc.headers.get("retry-after", "")
        if value.isdigit() and 0 < int(value) <= 3600:
            seconds = int(value)
            return f"{seconds} second{'s' if seconds != 1 else ''}"
    return "a minute"


_DETAIL_UNSAFE = re.compile(r"[^\w .:/()·,+=@#-]")


def _detail(exc: BaseException) -> str:
    """The code and request id ("<code> · request <id>"): for a support ticket, not to read."""
    parts: list[str] = []
    if isinstance(exc, MalformedResponseError):
        parts += [f"HTTP {exc.http_status}", exc.reason]
    elif isinstance(exc, GlobusAPIError):
        parts.append(exc.code or f"HTTP {exc.http_status}")
    elif isinstance(exc, NetworkError) and exc.detail:
        parts.append(exc.detail)
    elif isinstance(exc, OutcomeUnknown):
        cause = exc.cause
        parts.append(cause.code or f"HTTP {cause.http_status}" if cause else exc.detail)
        if cause is not None and cause.request_id:
            parts.append(f"request {cause.request_id}")
    if isinstance(exc, GlobusAPIError) and exc.request_id:
        parts.append(f"request {exc.request_id}")
    text = " · ".join(_DETAIL_UNSAFE.sub("", flat(part)) for part in parts if part)
    return redact(text).strip()

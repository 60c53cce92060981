"""The sentences errors are told in: one per known Globus code, the service's words cleaned for
the rest, the code and request id on a line of their own, and never a token."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from gtui.core.errors import (
    GlobusAPIError,
    GroupsAPIError,
    LoginRequired,
    MalformedResponseError,
    NetworkError,
    SearchAPIError,
    TransferAPIError,
)
from gtui.tui.error_text import action_of, describe_error
from gtui.tui.format import middle_ellipsis
from gtui.tui.service_words import clean_message, shown_name

COLL = "85bcf520-92eb-4a71-8281-550125062da2"
TRANSFER = f"https://transfer.api.globus.org/v0.10/operation/endpoint/{COLL}/ls"
FTP_DENIED = (
    "Denied by endpoint, Error (list)\n"
    f"Endpoint: HPC Cluster Scratch ({COLL})\n"
    "Server: 100.26.231.26:443\n"
    "Command: MLST /~/x/\n"
    "Message: Fatal FTP Response\n"
    "---\n"
    "Details: 500 Command failed : Path not allowed.\\r\\n\n"
)


def api_error(
    status: int,
    code: str | None,
    message: str,
    *,
    kind: type[GlobusAPIError] = TransferAPIError,
    url: str = TRANSFER,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> GlobusAPIError:
    body: dict[str, Any] = {"message": message, "request_id": "Rq7Xb2kLm", **extra}
    if code is not None:
        body["code"] = code
    response = httpx.Response(status, json=body, headers=headers, request=httpx.Request("GET", url))
    return kind(response)


def lines(exc: BaseException, doing: str) -> list[str]:
    return describe_error(exc, doing).split("\n")


KNOWN = [
    (
        api_error(403, "EndpointPermissionDenied", FTP_DENIED),
        "Listing /~/x/",
        "You have no permission to read /~/x/ on HPC Cluster Scratch. "
        "Ask the collection's administrator for access.",
    ),
    (
        api_error(
            403,
            "EndpointPermissionDenied",
            FTP_DENIED.replace("MLST /~/x/", "MLST /~/system-passwd"),
        ),
        "Submitting the transfer",
        "Could not submit the transfer: you have no permission to use /~/system-passwd on "
        "HPC Cluster Scratch. Ask the collection's administrator for access.",
    ),
    (
        api_error(
            403, "PermissionDenied", f"You do not have permission to access endpoint '{COLL}'"
        ),
        "Opening the collection",
        "Could not open the collection: you have no permission to use it. "
        "Ask the collection's administrator for access.",
    ),
    (
        api_error(
            404,
            "ExternalError.DirListingFailed.NotFound",
            f"Directory '/~/nope/' not found on endpoint Demo Laptop ({COLL})",
        ),
        "Listing /~/nope/",
        "There is no folder /~/nope/ on Demo Laptop. Check the path and try again.",
    ),
    (
        api_error(404, "ClientError.NotFound", "Path '/~/gone.txt' not found"),
        "Renaming gone.txt",
        "Could not rename gone.txt: gone.txt is no longer there. Refresh the folder and try again.",
    ),
    (
        api_error(404, "ClientError.NotFound", "Task 1234 not found"),
        "Loading the task",
        "Could not load the task: it was not found. It may have been moved or deleted; "
        "refresh and try again.",
    ),
    (
        api_error(502, "ExternalError.MkdirFailed.Exists", "Path '/~/deep' already exists"),
        "Creating folder deep",
        "deep already exists here. Choose another name.",
    ),
    (
        api_error(
            502, "ExternalError.RenameFailed.Exists", "Destination '/~/b.txt' already exists"
        ),
        "Renaming a.txt",
        "Could not rename a.txt: b.txt already exists here. Choose another name.",
    ),
    (
        api_error(404, "EndpointNotFound", "No such endpoint 'x'"),
        "Opening the collection",
        "Could not open the collection: the collection was not found. It may have been "
        "deleted, or shared with you no longer; choose a collection again.",
    ),
    (
        api_error(
            403,
            "ConsentRequired",
            "Missing required data_access consent",
            required_scopes=["urn:globus:auth:scope:transfer.api.globus.org:all"],
        ),
        "Listing /~/",
        "Could not list /~/: Globus needs your consent before gtui may use this collection.",
    ),
    (
        api_error(
            403,
            "AuthorizationRequired",
            "A fresher session is required",
            authorization_parameters={"session_required_single_domain": ["example.org"]},
        ),
        "Listing /~/",
        "Could not list /~/: Globus wants a fresh login for this.",
    ),
    (
        api_error(401, "AuthenticationFailed", "Token is not active"),
        "Loading recent tasks",
        "Could not load recent tasks: Globus did not accept your login. Log in again and retry.",
    ),
    (
        api_error(503, "ServiceUnavailable", "The service is temporarily unavailable"),
        "Cancelling the task",
        "Could not cancel the task: Globus is temporarily unavailable. Try again in a few minutes.",
    ),
    (
        api_error(429, None, "Too many requests", headers={"Retry-After": "30"}),
        "Listing /~/",
        "Could not list /~/: Globus is limiting how fast gtui may ask. "
        "Wait 30 seconds and try again.",
    ),
    (
        api_error(500, "InternalError", "An internal error occurred; please try again"),
        "Submitting the transfer",
        "Could not submit the transfer: Globus had an internal error. Try again; "
        "if it keeps happening, report the request id below.",
    ),
    (
        api_error(507, "ExternalError.Something.QuotaExceeded", "Disk quota exceeded"),
        "Submitting the transfer",
        "Could not submit the transfer: there is no space left (the quota is full). "
        "Free some space, or ask the collection's administrator for more.",
    ),
    (
        api_error(400, "ClientError.BadRequest", "Invalid path: it contains a NUL character"),
        "Listing /~/a\x00b/",
        "Could not list /~/a\\x00b/: Invalid path: it contains a NUL character.",
    ),
    (
        api_error(
            400,
            "BadRequest.InvalidQuery",
            "Invalid query: unterminated quoted phrase",
            kind=SearchAPIError,
            url="https://search.api.globus.org/v1/index/x/search",
        ),
        "Searching",
        "The search failed: the query is not valid (unterminated quoted phrase). "
        "Fix it, or switch off Advanced to search plain words.",
    ),
    (
        api_error(
            403,
            "FORBIDDEN",
            "Only group admins may change the group",
            kind=GroupsAPIError,
            url="https://groups.api.globus.org/v2/groups/x",
        ),
        "Leave in Physics",
        "Could not leave Physics: you are not allowed to do this. "
        "Ask the owner or an administrator for access.",
    ),
]


@pytest.mark.parametrize(("exc", "doing", "sentence"), KNOWN)
def test_each_known_code_has_its_sentence(exc: BaseException, doing: str, sentence: str) -> None:
    assert lines(exc, doing)[0] == sentence


def test_the_code_and_request_id_are_on_the_second_line_not_in_the_sentence() -> None:
    exc = api_error(502, "ExternalError.RenameFailed.Exists", "Destination '/~/b' already exists")
    sentence, detail = lines(exc, "Renaming a")
    assert detail == "ExternalError.RenameFailed.Exists · request Rq7Xb2kLm"
    assert "ExternalError" not in sentence and "Rq7Xb2kLm" not in sentence
    assert "[" not in sentence


def test_an_unknown_code_with_an_ftp_transcript_reads_as_a_short_clean_sentence() -> None:
    message = (
        "Weird failure, Error (transfer)\n"
        f"Endpoint: Demo Laptop ({COLL})\n"
        "Server: ballen#uc-laptop (Globus Connect)\n"
        "File: /~/Downloads/plan.png\n"
        "Command: STOR ~/Downloads/plan.png\n"
        "Message: Fatal FTP response\n"
        "---\n"
        "500 Command failed. : Disk on fire.\\r\\n550-GlobusError: v=1 c=INTERNAL\\r\\n"
        "550-GridFTP-Errno: 5\\r\\n550 End.\\r\\n\n"
    )
    sentence, detail = lines(
        api_error(502, "ExternalError.Odd", message), "Submitting the transfer"
    )
    assert sentence == "Could not submit the transfer: Weird failure: Disk on fire."
    assert detail == "ExternalError.Odd · request Rq7Xb2kLm"
    for noise in ("FTP", "\\r", "\r", "550", "Command", COLL, "Server"):
        assert noise not in sentence


def test_a_json_or_very_long_service_message_is_flattened_and_shortened() -> None:
    exc = api_error(418, "Teapot.Short", '{"bytes_transferred": 0, "why": "no\\r\\ncoffee"}')
    assert lines(exc, "Loading the task")[0] == (
        "Could not load the task: bytes transferred 0, why no coffee."
    )
    long = api_error(418, "Teapot.Long", "word " * 200)
    sentence = lines(long, "Loading the task")[0]
    assert len(sentence) < 220 and sentence.endswith("….")


def test_network_malformed_and_unexpected_errors_are_sentences_too() -> None:
    network = NetworkError("transfer.api.globus.org", "ConnectError")
    assert lines(network, "Listing /~/Documents/") == [
        "Could not list /~/Documents/: could not reach transfer.api.globus.org. "
        "Check the network connection and try again.",
        "ConnectError",
    ]
    spoiled = httpx.Response(200, text="<html>", request=httpx.Request("GET", TRANSFER))
    malformed = MalformedResponseError(spoiled, reason="expected a JSON object")
    sentence, detail = lines(malformed, "Opening the collection")
    assert sentence.startswith("Could not open the collection: the service's answer was not")
    assert detail == "HTTP 200 · expected a JSON object"
    assert lines(ValueError("boom"), "Following tasks") == [
        "Could not update the task list: an unexpected error (ValueError). "
        "The details are in the log."
    ]
    assert lines(LoginRequired(), "Loading your groups") == [
        "Could not load your groups: you are not logged in. Log in again."
    ]


def test_a_phrase_gtui_does_not_know_still_reads() -> None:
    exc = api_error(404, "ClientError.NotFound", "Nothing here")
    assert lines(exc, "Frobnicating")[0].startswith("Frobnicating failed: it was not found.")
    assert action_of("Creating folder deep").failed == "Could not create folder deep"


SECRETS = [
    "AgXk2Lp9Qz7Yb3Vn8Rt4Wm6Hs1Jd5Fc0Ge2Ua9Ko3Li7Mn1Op5Qr",
    "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJkZW1vIn0.c2lnbmF0dXJlLXRleHQ",
]


@pytest.mark.parametrize("secret", SECRETS)
def test_no_token_reaches_the_sentence_or_the_detail_line(secret: str) -> None:
    cases: list[tuple[BaseException, str]] = [
        (api_error(400, "BadRequest", f"bad token {secret}"), "Listing /~/"),
        (api_error(400, "BadRequest", f"Authorization: Bearer {secret}"), "Searching"),
        (api_error(400, f"Odd.{secret}", "x", request_id=secret), "Listing /~/"),
        (api_error(403, "EndpointPermissionDenied", FTP_DENIED + secret), "Listing /~/x/"),
        (NetworkError("transfer.api.globus.org", f"access_token={secret}"), "Listing /~/"),
        (api_error(404, "ClientError.NotFound", "gone"), f"Renaming {secret}"),
    ]
    for exc, doing in cases:
        text = describe_error(exc, doing)
        assert secret not in text, text


def test_names_in_sentences_stay_on_one_line_and_short() -> None:
    assert shown_name("new\nline\ttab") == "new\\nline\\ttab"
    assert len(shown_name("x" * 300)) == 80
    assert clean_message("a\\r\\nb\r\nc") == "a b c"


def test_middle_ellipsis_keeps_both_ends() -> None:
    task_id = "0f6b2c1e-5d7a-4c1b-9a43-2b8e1f3d7c55"
    assert middle_ellipsis(task_id, 13) == "0f6b2c…3d7c55"
    assert middle_ellipsis(task_id, 40) == task_id
    assert len(middle_ellipsis(task_id, 13)) == 13
    assert middle_ellipsis("abc", 1) == "…" and middle_ellipsis("abc", 0) == ""
    assert middle_ellipsis("日本語のフォルダ名前です", 9) == "日本…です"  # wide: 2 cells each

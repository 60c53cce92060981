from __future__ import annotations

from typing import Any

import httpx
import pytest

from gtui.core.errors import (
    AuthAPIError,
    AuthorizationRequirement,
    GlobusAPIError,
    NetworkError,
    TransferAPIError,
    looks_like_error_document,
    parse_authorization_requirement,
)

COLL = "bd7d0f87-5a3a-4e3a-8f0c-8b3e2c6a1f00"
DATA_ACCESS = (
    "urn:globus:auth:scope:transfer.api.globus.org:all"
    f"[*https://auth.globus.org/scopes/{COLL}/data_access]"
)


def make_response(status: int, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    request = httpx.Request(
        "GET", f"https://transfer.api.globus.org/v0.10/operation/endpoint/{COLL}/ls"
    )
    return httpx.Response(status, json=body, headers=headers, request=request)


def test_transfer_consent_required_with_top_level_and_parameters() -> None:
    body = {
        "code": "ConsentRequired",
        "message": "Missing required data_access consent",
        "request_id": "m8RfX3cES",
        "resource": f"/operation/endpoint/{COLL}/ls",
        "required_scopes": [DATA_ACCESS],
        "authorization_parameters": {
            "required_scopes": [DATA_ACCESS],
            "session_message": "Missing required data_access consent",
        },
    }
    error = TransferAPIError(make_response(403, body))
    assert error.http_status == 403
    assert error.code == "ConsentRequired"
    assert error.request_id == "m8RfX3cES"
    assert error.consent_required is True
    req = error.authorization_requirement
    assert req is not None
    assert req.required_scopes == (DATA_ACCESS,)
    assert req.session_message == "Missing required data_access consent"
    assert "m8RfX3cES" in str(error)
    assert "Missing required data_access consent" in str(error)


def test_transfer_legacy_top_level_required_scopes_only() -> None:
    body = {"code": "ConsentRequired", "message": "m", "required_scopes": [DATA_ACCESS]}
    req = parse_authorization_requirement(body)
    assert req == AuthorizationRequirement(code="ConsentRequired", required_scopes=(DATA_ACCESS,))


def test_action_provider_single_required_scope() -> None:
    req = parse_authorization_requirement(
        {"code": "ConsentRequired", "required_scope": "urn:globus:auth:scope:x:all"}
    )
    assert req is not None
    assert req.required_scopes == ("urn:globus:auth:scope:x:all",)


def test_auth_dependent_consent_required_becomes_consent_required() -> None:
    body = {
        "error": "dependent_consent_required",
        "error_description": "Dependent consent required",
        "errors": [
            {
                "status": "400",
                "id": "5b8d3d9f",
                "code": "DEPENDENT_CONSENT_REQUIRED",
                "detail": "Dependent consent required",
                "unapproved_scopes": [DATA_ACCESS],
            }
        ],
    }
    error = AuthAPIError(make_response(400, body))
    assert error.consent_required
    assert error.authorization_requirement is not None
    assert error.authorization_requirement.required_scopes == (DATA_ACCESS,)
    assert error.code == "DEPENDENT_CONSENT_REQUIRED"
    assert error.request_id == "5b8d3d9f"


def test_authorization_parameters_without_code_is_authorization_required() -> None:
    req = parse_authorization_requirement(
        {"authorization_parameters": {"session_required_identities": ["a", "b"]}}
    )
    assert req is not None
    assert req.code == "AuthorizationRequired"
    assert req.session_required_identities == ("a", "b")


def test_auth_policy_failed_with_comma_separated_policies() -> None:
    body = {
        "code": "AuthPolicyFailed",
        "message": "Session policy not satisfied",
        "request_id": "abc123",
        "authorization_parameters": {
            "session_message": "Policy requires a recent login",
            "session_required_policies": "pol-1,pol-2",
            "session_required_single_domain": "uchicago.edu, example.org",
            "session_required_mfa": True,
            "prompt": "login",
        },
    }
    error = TransferAPIError(make_response(403, body))
    req = error.authorization_requirement
    assert req is not None
    assert req.code == "AuthPolicyFailed"
    assert req.session_required_policies == ("pol-1", "pol-2")
    assert req.session_required_single_domain == ("uchicago.edu", "example.org")
    assert req.session_required_mfa is True
    assert error.consent_required is False
    assert req.authorize_params() == {
        "session_message": "Policy requires a recent login",
        "session_required_single_domain": "uchicago.edu,example.org",
        "session_required_policies": "pol-1,pol-2",
        "session_required_mfa": "true",
        "prompt": "login",
    }


def test_gare_inside_errors_array() -> None:
    body = {
        "errors": [
            {"code": "Other", "detail": "not this one"},
            {
                "code": "ConsentRequired",
                "authorization_parameters": {"required_scopes": [DATA_ACCESS]},
            },
        ]
    }
    error = GlobusAPIError(make_response(403, body))
    assert error.consent_required
    assert error.message == "not this one"


def test_consent_required_with_empty_scopes_is_not_consent_required() -> None:
    body = {"code": "ConsentRequired", "authorization_parameters": {"required_scopes": []}}
    error = TransferAPIError(make_response(403, body))
    assert error.authorization_requirement is not None
    assert error.consent_required is False


def test_plain_error_has_no_requirement() -> None:
    body = {
        "code": "ClientError.NotFound",
        "message": "Directory '/nope/' not found on endpoint",
        "request_id": "Q9nRwSW",
        "resource": "/operation/endpoint/x/ls",
    }
    error = TransferAPIError(make_response(404, body))
    assert error.authorization_requirement is None
    assert not error.consent_required
    assert str(error) == (
        "Globus Transfer: Directory '/nope/' not found on endpoint "
        "(HTTP 404, ClientError.NotFound, request Q9nRwSW)."
    )


def test_oauth_error_shape() -> None:
    error = AuthAPIError(
        make_response(400, {"error": "invalid_grant", "error_description": "Invalid grant"})
    )
    assert error.code == "invalid_grant"
    assert error.message == "Invalid grant"


def test_auth_json_api_error_uses_the_first_sub_error() -> None:
    body = {
        "errors": [
            {
                "status": "401",
                "id": "0e3b1b1c-e6a2-11ef-9f2c-0242ac120002",
                "code": "UNAUTHORIZED",
                "detail": "Call must be authenticated",
                "title": "Unauthorized",
            }
        ],
        "error_description": "Unauthorized",
        "error": "unauthorized",
    }
    error = AuthAPIError(make_response(401, body))
    assert error.code == "UNAUTHORIZED"
    assert error.message == "Call must be authenticated"
    assert error.request_id == "0e3b1b1c-e6a2-11ef-9f2c-0242ac120002"
    assert str(error).startswith("Globus Auth: Call must be authenticated (HTTP 401")


def test_request_id_falls_back_to_header() -> None:
    error = GlobusAPIError(make_response(500, {"message": "boom"}, {"X-Request-Id": "hdr-1"}))
    assert error.request_id == "hdr-1"


def test_error_text_never_carries_a_token() -> None:
    secret = "AgXk2Lp9Qz7Yb3Vn8Rt4Wm6Hs1Jd5Fc0Ge2Ua9Ko3Li7Mn1Op5Qr"
    error = GlobusAPIError(
        make_response(400, {"message": f"bad token {secret}", "code": "BadRequest"})
    )
    assert secret not in str(error)
    assert secret not in repr(error)


def test_network_error_names_the_host() -> None:
    error = NetworkError("transfer.api.globus.org", "ConnectError")
    assert "transfer.api.globus.org" in str(error)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"code": "Accepted", "message": "ok", "task_id": "t"}, False),
        ({"DATA_TYPE": "mkdir_result", "code": "DirectoryCreated"}, False),
        ({"code": "ClientError.NotFound", "message": "x"}, True),
        ({"error": "invalid_grant"}, True),
        ({"errors": [{"detail": "x"}]}, True),
        ({"data": [], "errors": []}, False),
        ([1, 2], False),
    ],
)
def test_error_document_detection(body: Any, expected: bool) -> None:
    assert looks_like_error_document(body) is expected

from __future__ import annotations

import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gtui.core.redact import RedactingFilter, get_logger, install_on_gtui_loggers, redact

OPAQUE = "AgXk2Lp9Qz7Yb3Vn8Rt4Wm6Hs1Jd5Fc0Ge2Ua9Ko3Li7Mn1Op5Qr"
JWT = "eyJhbGciOiJSUzUxMiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLWJ5dGVz"


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        (f"Authorization: Bearer {OPAQUE}", OPAQUE),
        ("Authorization: Basic Y2lkOnNlY3JldA==", "Y2lkOnNlY3JldA=="),
        ("grant_type=refresh_token&refresh_token=rt-123&client_id=x", "rt-123"),
        ("code=abc123&code_verifier=verif-456", "verif-456"),
        ("?code=abc123&state=s", "abc123"),
        ('{"access_token": "at-789", "expires_in": 1}', "at-789"),
        ("{'refresh_token': 'rt-999'}", "rt-999"),
        (f"id_token {JWT}", JWT),
        # Fixed, so the test has one id from run to run (and across parallel workers).
        ("token Zq3Vb8Xk1Lm9Np2Rs7Tu4Wy6Ac0Ef5Gh3Ij8Kl1Mn6Op9Qr2Ts4x9Z", None),
    ],
)
def test_redact_masks_credentials(text: str, secret: str | None) -> None:
    masked = redact(text)
    assert "***" in masked
    if secret is not None:
        assert secret not in masked


@pytest.mark.parametrize(
    "text",
    [
        "GET https://transfer.api.globus.org/v0.10/task_list?limit=10 -> 200",
        "endpoint f982aefb-c5d2-41c0-8a5a-718a8d0c828c",
        '{"code": "ConsentRequired", "message": "Missing consent"}',
        "/home/demo/results/run_2026_11_22/output.csv",
    ],
)
def test_redact_leaves_ordinary_text_alone(text: str) -> None:
    assert redact(text) == text


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200))
def test_redact_never_fails_and_is_idempotent(text: str) -> None:
    once = redact(text)
    assert redact(once) == once


def test_filter_masks_arguments_and_exceptions(caplog: pytest.LogCaptureFixture) -> None:
    logger = get_logger("gtui.test_redact")
    assert any(isinstance(f, RedactingFilter) for f in logger.filters)
    with caplog.at_level(logging.DEBUG, logger="gtui.test_redact"):
        logger.debug("header %s", f"Bearer {OPAQUE}")
        try:
            raise ValueError(f"refresh_token={OPAQUE}")
        except ValueError:
            logger.exception("failed")
    assert OPAQUE not in caplog.text
    assert "Bearer ***" in caplog.text


def test_install_on_gtui_loggers_covers_existing_loggers() -> None:
    plain = logging.getLogger("gtui.some.module")
    install_on_gtui_loggers()
    assert any(isinstance(f, RedactingFilter) for f in plain.filters)
    assert any(isinstance(f, RedactingFilter) for f in logging.getLogger("gtui").filters)

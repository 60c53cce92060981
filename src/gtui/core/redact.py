"""Masking of secrets (bearer tokens, refresh tokens, auth codes, PKCE verifiers) in text and logs.

Every logger of gtui gets `RedactingFilter`, so even a careless `log.debug(body)` cannot
write a credential to the log file.
"""

from __future__ import annotations

import logging
import re

MASK = "***"

_SECRET_KEYS = (
    "access_token|refresh_token|id_token|code_verifier|code_challenge|client_secret|"
    "token|code|assertion|password"
)
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?i)\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+"), rf"\1 {MASK}"),
    (re.compile(rf"(?i)\b({_SECRET_KEYS})=([^&\s\"',;]+)"), rf"\1={MASK}"),
    (
        re.compile(
            r"(?i)([\"'](?:access_token|refresh_token|id_token|code_verifier|client_secret|"
            r"token|other_tokens_access|password)[\"']\s*:\s*)[\"'][^\"']*[\"']"
        ),
        rf'\1"{MASK}"',
    ),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"), MASK),
    # Opaque tokens: 40+ URL-safe characters mixing upper and lower case and digits.
    (
        re.compile(
            r"(?<![A-Za-z0-9_-])(?=[A-Za-z0-9_-]*[0-9])(?=[A-Za-z0-9_-]*[a-z])"
            r"(?=[A-Za-z0-9_-]*[A-Z])[A-Za-z0-9_-]{40,}(?![A-Za-z0-9_-])"
        ),
        MASK,
    ),
)


def redact(text: str) -> str:
    """Return `text` with anything that looks like a credential replaced by `***`."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """A logging filter that renders each record's message once and masks secrets in it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


_FILTER = RedactingFilter()


def install(target: logging.Logger | logging.Handler) -> None:
    """Attach the redacting filter to a logger or handler (idempotent)."""
    if not any(isinstance(existing, RedactingFilter) for existing in target.filters):
        target.addFilter(_FILTER)


def get_logger(name: str) -> logging.Logger:
    """A logger whose records are redacted before any handler sees them.

    Filters on a logger only apply to records logged on that logger, not on its children,
    so each module asks for its own logger through this function.
    """
    logger = logging.getLogger(name)
    install(logger)
    return logger


def install_on_gtui_loggers() -> None:
    """Redact the `gtui` logger, every `gtui.*` logger made so far, and their handlers."""
    names = ["gtui", *(n for n in logging.root.manager.loggerDict if n.startswith("gtui."))]
    for name in names:
        logger = get_logger(name)
        for handler in logger.handlers:
            install(handler)

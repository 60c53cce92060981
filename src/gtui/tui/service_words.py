"""The service's own words, made fit to show: FTP transcripts, JSON and control characters
taken out, long text shortened, and the path or collection a message names picked out."""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

from gtui.core.redact import redact
from gtui.tui.format import middle_ellipsis

MESSAGE_LIMIT = 160
NAME_LIMIT = 80

_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_COLLECTION = re.compile(rf"(?:\bon endpoint|^Endpoint:)\s*(.+?)\s*\(({_UUID})\)", re.M)
_PATH_LINE = re.compile(r"^(?:Command:\s*[A-Z]+|File:)\s+(\S.*?)\s*$", re.M)
_QUOTED = re.compile(r"'([^'\n]+)'")
_FTP_HEAD = re.compile(r",?\s*Error \([a-z ]+\)\s*$", re.I)
_FTP_REPLY = re.compile(r"^\s*\d{3}[- ]?\s*")
_FTP_NOISE = re.compile(r"^(?:\d{3}[- ]?)?(?:GlobusError|GridFTP-|End\.)", re.I)
_ERROR_WORD = re.compile(r"\b(?:Command failed|Error)\s*[:.]\s*", re.I)
_FTP_KEYS = ("Endpoint", "Server", "Command", "Message", "File", "Details")


def _lines(text: str) -> list[str]:
    """Real lines: the escaped ``\\r\\n`` that Transfer embeds in its messages too."""
    text = text.replace("\\r\\n", "\n").replace("\\n", "\n").replace("\\r", "")
    return [line.strip() for line in text.replace("\r", "").split("\n")]


def flat(text: str) -> str:
    """One line: control characters gone, runs of spaces collapsed."""
    kept = "".join(
        " " if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch for ch in text
    )
    return " ".join(kept.split())


def _shorten(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a word where one is near, ending in ``…``."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 2 // 3:
        cut = cut[:space]
    return cut.rstrip(" ,;:.") + "…"


def _from_json(text: str) -> str | None:
    """The message inside a JSON document, or its fields flattened; None if not JSON."""
    stripped = text.strip()
    if not stripped.startswith(("{", "[")):
        return None
    try:
        data = json.loads(stripped)
    except ValueError:
        return None
    if isinstance(data, dict):
        for key in ("message", "detail", "description", "error_description", "title"):
            if isinstance(data.get(key), str) and data[key].strip():
                return str(data[key])
        return ", ".join(f"{k.replace('_', ' ')} {_scalar(v)}" for k, v in data.items())
    if isinstance(data, list):
        return ", ".join(_scalar(v) for v in data)
    return _scalar(data)


def _scalar(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _from_ftp(lines: list[str]) -> str | None:
    """The headline and reason of a GridFTP transcript ("Denied by endpoint: …"), else None."""
    fields: dict[str, str] = {}
    details: list[str] = []
    in_details = False
    for line in lines[1:]:
        key, sep, value = line.partition(":")
        if line == "---":
            in_details = True
        elif sep and key in _FTP_KEYS:
            fields[key] = value.strip()
            in_details = key == "Details"
            if in_details and value.strip():
                details.append(value.strip())
        elif in_details and line:
            details.append(line)
    if not fields:
        return None
    head = _FTP_HEAD.sub("", lines[0]).strip()
    reason = ""
    for line in details:
        if line == "---" or _FTP_NOISE.match(line):
            continue
        reason = _ERROR_WORD.sub("", _FTP_REPLY.sub("", line)).strip(" :.")
        if reason:
            break
    message = fields.get("Message", "")
    if not reason and message and "ftp" not in message.lower():
        reason = message
    if head and reason and reason.lower().rstrip(".") not in head.lower():
        return f"{head}: {reason}"
    return head or reason or None


def clean_message(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """The service's words as one short line: no FTP dumps, no ``\\r\\n``, no JSON."""
    inner = _from_json(text)
    if inner is not None:
        text = inner
    lines = [line for line in _lines(text) if line]
    if not lines:
        return ""
    text = _from_ftp(lines) or " ".join(line for line in lines if line != "---")
    text = re.sub(rf"\s*\((?:{_UUID})\)", "", text)
    text = re.sub(r"\s+on endpoint\s*$", "", text)
    text = _ERROR_WORD.sub(lambda m: "" if m.start() == 0 else ": ", text)
    text = flat(redact(text)).strip(" :")
    return _shorten(text, limit).rstrip(".")


def shown_name(text: str, limit: int = NAME_LIMIT) -> str:
    """A name or path as a sentence shows it: on one line, control characters visible."""
    visible = "".join(
        ch.encode("unicode_escape").decode("ascii")
        if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp")
        else ch
        for ch in text
    )
    return middle_ellipsis(visible, limit)


def collection_in(message: str) -> str | None:
    """The collection a Transfer message names ("on endpoint Laptop (<id>)")."""
    named = named_collection(message)
    return named[0] if named else None


def named_collection(message: str) -> tuple[str, str] | None:
    """The name and id of the collection a Transfer message names ("Endpoint: Laptop (<id>)")."""
    found = _COLLECTION.search(message.replace("\\n", "\n"))
    return (found.group(1).strip(), found.group(2)) if found else None


def path_in(message: str) -> str | None:
    """The path a Transfer message is about (``Command: MLST /x``, ``File:``, or quoted)."""
    text = "\n".join(_lines(message))
    for pattern in (_PATH_LINE, _QUOTED):
        for found in pattern.finditer(text):
            if found.group(1).startswith(("/", "~")):
                return found.group(1)
    return None

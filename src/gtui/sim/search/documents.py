"""The documents Search's write routes take, checked before a task is made (400 otherwise).

- ingest: a ``GIngest`` (``ingest_type`` ``GMetaEntry`` or ``GMetaList``, ``ingest_data``);
  a ``GMetaEntry`` is ``subject``, ``visible_to`` (``public`` or principal URNs), ``content``
  (a JSON object) and an optional entry ``id``; a ``GMetaList`` is ``gmeta``, a list of them;
- delete by query: a query document's ``q`` (and ``advanced``) and ``filters``;
- roles: ``role_name`` and a ``principal`` URN (``principal_type`` may repeat its kind);
- indexes: ``display_name`` and ``description``.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from starlette.requests import Request

from gtui.sim.errors import SimAPIError
from gtui.sim.search.results import Entry
from gtui.sim.search.store import GROUP_URN, IDENTITY_URN

MAX_BODY_BYTES = 10 * 1024 * 1024
MAX_SUBJECT_LENGTH = 32_768
MAX_NAME_LENGTH = 1024
DATATYPE_KEYS = frozenset({"@datatype", "@version"})
ENTRY_KEYS = frozenset({"subject", "visible_to", "content", "id"}) | DATATYPE_KEYS
INGEST_KEYS = frozenset({"ingest_type", "ingest_data", "field_mapping"}) | DATATYPE_KEYS
QUERY_KEYS = frozenset({"q", "advanced", "filters", "bypass_visible_to"}) | DATATYPE_KEYS
ROLE_NAMES = ("owner", "admin", "writer")


def invalid(message: str) -> SimAPIError:
    return SimAPIError(400, "BadRequest.ValidationError", message)


async def read_body(request: Request) -> dict[str, Any]:
    """The request's JSON object (400 for anything else, 413 past 10 MB)."""
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        raise SimAPIError(
            413, "RequestTooLarge", f"The request body is larger than {MAX_BODY_BYTES} bytes"
        )
    try:
        data = json.loads(body or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise SimAPIError(400, "BadRequest", "The body is not valid JSON") from None
    if not isinstance(data, dict):
        raise SimAPIError(400, "BadRequest", "The body must be a JSON object")
    return data


def _unknown(doc: dict[str, Any], allowed: frozenset[str], what: str) -> None:
    extra = sorted(set(doc) - allowed)
    if extra:
        raise invalid(f"Unknown field(s) in {what}: {', '.join(extra)}")


def _datatype(doc: dict[str, Any], wanted: str) -> None:
    if doc.get("@datatype", wanted) != wanted:
        raise invalid(f"@datatype must be {wanted!r} here, not {doc['@datatype']!r}")


def principal_urn(value: Any, *, allow_public: bool) -> str:
    """A principal as Search names one: ``public``, or an identity's or group's URN."""
    if allow_public and value == "public":
        return "public"
    if isinstance(value, str):
        for prefix in (IDENTITY_URN, GROUP_URN):
            if value.startswith(prefix):
                try:
                    return prefix + str(uuid.UUID(value[len(prefix) :]))
                except ValueError:
                    break
    kinds = "'public', " if allow_public else ""
    raise invalid(
        f"Invalid principal {value!r}: expected {kinds}urn:globus:auth:identity:<id> "
        "or urn:globus:groups:id:<id>"
    )


def gmeta_entry(doc: Any, where: str = "GMetaEntry") -> Entry:
    """One checked ``GMetaEntry``, as the index keeps it."""
    if not isinstance(doc, dict):
        raise invalid(f"{where} must be a JSON object")
    _unknown(doc, ENTRY_KEYS, where)
    _datatype(doc, "GMetaEntry")
    subject = doc.get("subject")
    if not isinstance(subject, str) or not subject:
        raise invalid(f"{where} needs a subject (a non-empty string)")
    if len(subject) > MAX_SUBJECT_LENGTH:
        raise invalid(f"{where}: the subject is longer than {MAX_SUBJECT_LENGTH} characters")
    visible_to = doc.get("visible_to")
    if not isinstance(visible_to, list) or not visible_to:
        raise invalid(f"{where} needs visible_to (a non-empty list of principals)")
    content = doc.get("content")
    if not isinstance(content, dict):
        raise invalid(f"{where} needs content (a JSON object)")
    entry_id = doc.get("id")
    if entry_id is not None and (not isinstance(entry_id, str) or not entry_id):
        raise invalid(f"{where}: id must be a non-empty string or null")
    principals = [principal_urn(p, allow_public=True) for p in visible_to]
    return {
        "subject": subject,
        "entry_id": entry_id,
        "content": content,
        "visible_to": list(dict.fromkeys(principals)),
    }


def ingest_entries(doc: dict[str, Any]) -> list[Entry]:
    """The entries of a ``GIngest`` document, in order (a later one with the same subject
    and id replaces an earlier one when the task runs)."""
    _unknown(doc, INGEST_KEYS, "GIngest")
    _datatype(doc, "GIngest")
    kind = doc.get("ingest_type")
    data = doc.get("ingest_data")
    if kind == "GMetaEntry":
        return [gmeta_entry(data)]
    if kind == "GMetaList":
        if not isinstance(data, dict):
            raise invalid("ingest_data of a GMetaList must be a JSON object")
        _unknown(data, frozenset({"gmeta"}) | DATATYPE_KEYS, "GMetaList")
        _datatype(data, "GMetaList")
        gmeta = data.get("gmeta")
        if not isinstance(gmeta, list) or not gmeta:
            raise invalid("A GMetaList needs gmeta (a non-empty list of GMetaEntry documents)")
        return [gmeta_entry(e, f"gmeta[{i}]") for i, e in enumerate(gmeta)]
    raise invalid(f"ingest_type must be 'GMetaEntry' or 'GMetaList', not {kind!r}")


def delete_query(doc: dict[str, Any]) -> dict[str, Any]:
    """The query of a delete by query: ``q`` (and ``advanced``) and/or ``filters``."""
    _unknown(doc, QUERY_KEYS, "the delete-by-query document")
    if "q" not in doc and not doc.get("filters"):
        raise invalid("A delete by query needs q or filters")
    if not isinstance(doc.get("advanced", False), bool):
        raise invalid("advanced must be true or false")
    return {name: doc[name] for name in ("q", "advanced", "filters") if name in doc}


def role_document(doc: dict[str, Any]) -> tuple[str, str]:
    """``(role_name, principal URN)`` of a role to create."""
    role_name = doc.get("role_name")
    if role_name not in ROLE_NAMES:
        raise invalid(f"Invalid role_name {role_name!r}: one of {', '.join(ROLE_NAMES)}")
    principal = principal_urn(doc.get("principal"), allow_public=False)
    kind = doc.get("principal_type")
    if kind is not None and kind != ("group" if principal.startswith(GROUP_URN) else "identity"):
        raise invalid(f"principal_type {kind!r} does not match the principal {principal}")
    return str(role_name), principal


def index_fields(doc: dict[str, Any], *, required: bool) -> dict[str, str]:
    """``display_name`` and ``description`` of an index (both needed to create one)."""
    fields: dict[str, str] = {}
    for name in ("display_name", "description"):
        if name not in doc:
            if required:
                raise invalid(f"{name} is required")
            continue
        value = doc[name]
        if not isinstance(value, str) or (name == "display_name" and not value.strip()):
            raise invalid(
                f"{name} must be a{' non-empty' if name == 'display_name' else ''} string"
            )
        if len(value) > MAX_NAME_LENGTH * (4 if name == "description" else 1):
            raise invalid(f"{name} is too long")
        fields[name] = value
    return fields

"""Checks of what clients send: a flow's fields and definition, a run's request, and a run's
input against its flow's ``input_schema`` (JSON Schema, checked with ``jsonschema``).

Problems with a flow or a run request are a 422 ``UNPROCESSABLE_ENTITY`` listing each with
its ``loc``; input that fails the schema is a 400 ``FLOW_INPUT_ERROR`` listing each failure
with ``loc`` as a JSONPath into the input (``["$.source.path"]``), as Globus Flows answers.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import jsonschema
from jsonschema.exceptions import SchemaError, ValidationError

from gtui.sim.auth.scopes import TRANSFER_ALL
from gtui.sim.errors import SimAPIError
from gtui.sim.flows import asl
from gtui.sim.flows.actions import KNOWN_ACTION_URLS
from gtui.sim.flows.errors import unprocessable
from gtui.sim.flows.roles import ALL_AUTHENTICATED, PRINCIPAL, PUBLIC

Problems = list[tuple[list[str | int], str]]
MAX_PRINCIPALS = 16
MAX_LABEL = 64
_REQUIRED = re.compile(r"^'(.+)' is a required property$")
_WHERE = re.compile(r"^\$((?:\.[^.\[:]+|\[\d+\]|\['[^']*'\])*):\s*(.*)$", re.DOTALL)
_PART = re.compile(r"\.([^.\[:]+)|\[(\d+)\]|\['([^']*)'\]")


# -- flows ------------------------------------------------------------------------------------
def definition_problems(definition: object) -> Problems:
    """The interpreter's objections to a definition, and any ActionUrl this service does not
    serve, each with its place under ``definition``."""
    problems: Problems = []
    for sentence in asl.check_definition(definition):
        loc, msg = _located(sentence)
        problems.append((["definition", *loc], msg))
    if not problems and isinstance(definition, dict):
        for url in asl.action_urls(definition):
            if url not in KNOWN_ACTION_URLS:
                problems.append(
                    (
                        ["definition"],
                        f"ActionUrl {url} is not an action provider this service knows",
                    )
                )
    return problems


def _located(sentence: str) -> tuple[list[str | int], str]:
    match = _WHERE.match(sentence)
    if match is None:
        return [], sentence
    loc: list[str | int] = []
    for name, index, quoted in _PART.findall(match.group(1)):
        loc.append(int(index) if index else (name or quoted))
    return loc, match.group(2)


def required_scopes(definition: dict[str, Any]) -> list[str]:
    """The scopes a person consents to (under the flow's own) so that it may run."""
    return [TRANSFER_ALL] if asl.action_urls(definition) else []


def check_flow_fields(doc: dict[str, Any], *, creating: bool) -> None:
    """A 422 unless the fields given are well formed (``title`` and ``definition`` required
    when creating)."""
    problems: Problems = []
    if creating:
        for name in ("title", "definition"):
            if name not in doc:
                problems.append(([name], "field required"))
    for name, low, high in (("title", 1, 128), ("subtitle", 0, 128), ("description", 0, 4096)):
        if name in doc and not (isinstance(doc[name], str) and low <= len(doc[name]) <= high):
            problems.append(([name], f"must be a string of {low} to {high} characters"))
    if "definition" in doc:
        problems.extend(definition_problems(doc["definition"]))
    if "input_schema" in doc:
        problems.extend(_schema_problems(doc["input_schema"]))
    if "keywords" in doc and not _strings(doc["keywords"]):
        problems.append((["keywords"], "must be a list of strings"))
    for name, anyone in (
        ("flow_viewers", PUBLIC),
        ("flow_starters", ALL_AUTHENTICATED),
        ("flow_administrators", None),
        ("run_managers", None),
        ("run_monitors", None),
    ):
        if name in doc:
            problems.extend(principal_problems(name, doc[name], anyone))
    subscription = doc.get("subscription_id")
    if subscription is not None and subscription != "DEFAULT" and not _is_uuid(subscription):
        problems.append((["subscription_id"], "must be a UUID or 'DEFAULT'"))
    if problems:
        raise unprocessable(problems)


def _schema_problems(schema: object) -> Problems:
    if not isinstance(schema, dict):
        return [(["input_schema"], "must be a JSON object")]
    try:
        jsonschema.validators.validator_for(schema).check_schema(schema)
    except SchemaError as exc:
        return [(["input_schema", *exc.path], f"not a valid JSON Schema: {exc.message}")]
    return []


def principal_problems(name: str, value: object, anyone: str | None) -> Problems:
    if not isinstance(value, list):
        return [([name], "must be a list of principal URNs")]
    if len(value) > MAX_PRINCIPALS:
        return [([name], f"may name at most {MAX_PRINCIPALS} principals")]
    problems: Problems = []
    for index, principal in enumerate(value):
        if isinstance(principal, str) and (PRINCIPAL.match(principal) or principal == anyone):
            continue
        allowed = "[<AuthGroupUrn>, <AuthIdentityUrn>" + (f", '{anyone}'" if anyone else "") + "]"
        problems.append(
            ([name, index], f'Unrecognized principal string: "{principal}". Allowed: {allowed}')
        )
    return problems


def _strings(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _is_uuid(value: object) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


# -- runs -------------------------------------------------------------------------------------
def check_run_request(doc: dict[str, Any], *, starting: bool) -> None:
    """A 422 unless a run's request (or a run's update) is well formed."""
    problems: Problems = []
    if starting and not isinstance(doc.get("body"), dict):
        problems.append((["body"], "field required: the run's input, a JSON object"))
    label = doc.get("label")
    if label is not None and not (isinstance(label, str) and 1 <= len(label) <= MAX_LABEL):
        problems.append((["label"], f"must be a string of 1 to {MAX_LABEL} characters"))
    if "tags" in doc and not _strings(doc["tags"]):
        problems.append((["tags"], "must be a list of strings"))
    for name in ("run_managers", "run_monitors"):
        if name in doc:
            problems.extend(principal_problems(name, doc[name], None))
    policy = doc.get("activity_notification_policy")
    if policy is not None and not (
        isinstance(policy, dict)
        and _strings(policy.get("status", []))
        and set(policy.get("status", [])) <= {"INACTIVE", "SUCCEEDED", "FAILED"}
    ):
        problems.append(
            (["activity_notification_policy"], "status must list INACTIVE, SUCCEEDED, FAILED")
        )
    if problems:
        raise unprocessable(problems)


def normal_tags(tags: list[str]) -> list[str]:
    """Tags with their whitespace trimmed and runs of it made one space."""
    return [" ".join(tag.split()) for tag in tags]


def check_input(schema: dict[str, Any], body: Any) -> None:
    """A 400 ``FLOW_INPUT_ERROR`` unless ``body`` satisfies the flow's ``input_schema``."""
    if not schema:
        return
    validator_class = jsonschema.validators.validator_for(schema)
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(body), key=lambda e: (list(map(str, e.path)), e.message))
    if not errors:
        return
    detail = [
        {"loc": [_input_location(error)], "type": "InvalidActionInput", "msg": error.message}
        for error in errors
    ]
    count = len(detail)
    raise SimAPIError(
        400,
        "FLOW_INPUT_ERROR",
        f"Input failed schema validation with {count} error{'s' if count != 1 else ''}.",
        detail=detail,
    )


def _input_location(error: ValidationError) -> str:
    """Where in the input the failure is; a missing required field is named itself."""
    where = str(error.json_path)
    required = _REQUIRED.match(error.message) if error.validator == "required" else None
    if required is not None:
        name = required.group(1)
        where += f".{name}" if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) else f"['{name}']"
    return where

"""A flow's ``input_schema`` read as the fields of a form, and the form's text made back into
the run's input document.

Kept apart from the widget (``widgets/schema_form.py``) because none of it draws: which
field a schema property becomes, how ``"3, 4"`` becomes ``[3, 4]``, and which field a
service's error location (``$.source.path``, ``$.items[0]``, ``$['a b']``) points at.

Supported: strings, numbers and integers, booleans, enums, arrays of simple values (one
value per line, or comma-separated on one line), nested objects, and ``{"id", "path"}``
objects marked ``"format": "globus-collection"`` (a collection and a path in it). Anything
else (``anyOf``, arrays of objects…) is a JSON field: typed as JSON, sent as parsed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal[
    "string", "number", "integer", "boolean", "enum", "array", "object", "collection", "json"
]
Path = tuple[str, ...]
SIMPLE = frozenset({"string", "number", "integer", "boolean"})
COLLECTION_FORMAT = "globus-collection"
_LOCATION_PART = re.compile(r"\.([^.\[]+)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]|\[\"([^\"]*)\"\]")


@dataclass(frozen=True)
class FieldSpec:
    """One field of the form: where its value goes in the input (``path``), what it takes,
    and the words the schema gives it."""

    path: Path
    kind: Kind
    title: str
    description: str = ""
    required: bool = False
    default: Any = None
    choices: tuple[Any, ...] = ()
    item_kind: str = "string"
    """An array's values: string, number, integer or boolean."""
    children: tuple[FieldSpec, ...] = ()
    """An object's fields."""
    schema: Mapping[str, Any] = field(default_factory=dict, compare=False)

    @property
    def key(self) -> str:
        """A name for widget ids, unique in the form."""
        return "/".join(self.path) or "root"

    @property
    def name(self) -> str:
        return self.path[-1] if self.path else ""

    def leaves(self) -> list[FieldSpec]:
        """This field, or for an object each field under it, in order."""
        if self.kind != "object":
            return [self]
        return [leaf for child in self.children for leaf in child.leaves()]


class InputProblem(ValueError):
    """A field's text is not a value of its kind (``"ten"`` for a number)."""

    def __init__(self, spec: FieldSpec, message: str) -> None:
        super().__init__(message)
        self.spec = spec
        self.message = message


# -- the schema, read -----------------------------------------------------------------------


def form_fields(schema: Mapping[str, Any]) -> list[FieldSpec]:
    """The top-level fields of a flow's input schema (an object schema), in its order.

    A schema that is not an object of properties is one JSON field for the whole input.
    """
    resolved = _resolve(schema, schema)
    if _type_of(resolved) == "object" and isinstance(resolved.get("properties"), Mapping):
        return list(_object_children(resolved, (), schema))
    return [FieldSpec((), "json", "Input", _text(resolved.get("description")), schema=resolved)]


def _object_children(
    schema: Mapping[str, Any], path: Path, root: Mapping[str, Any]
) -> tuple[FieldSpec, ...]:
    required = schema.get("required")
    needed = set(required) if isinstance(required, list) else set()
    properties = schema.get("properties")
    if not isinstance(properties, Mapping):
        return ()
    return tuple(
        _field(str(name), _resolve(sub, root), (*path, str(name)), str(name) in needed, root)
        for name, sub in properties.items()
        if isinstance(sub, Mapping)
    )


def _field(
    name: str, schema: Mapping[str, Any], path: Path, required: bool, root: Mapping[str, Any]
) -> FieldSpec:
    title = _text(schema.get("title")) or _title_of(name)
    common: dict[str, Any] = {
        "path": path,
        "title": title,
        "description": _text(schema.get("description")),
        "required": required,
        "default": schema.get("default"),
        "schema": schema,
    }
    kind = _type_of(schema)
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return FieldSpec(kind="enum", choices=tuple(schema["enum"]), **common)
    if "const" in schema:
        return FieldSpec(kind="enum", choices=(schema["const"],), **common)
    if kind == "object" and schema.get("format") == COLLECTION_FORMAT:
        return FieldSpec(kind="collection", **common)
    if kind == "object" and isinstance(schema.get("properties"), Mapping):
        children = _object_children(schema, path, root)
        if _is_collection_shape(children):
            return FieldSpec(kind="collection", **common)
        return FieldSpec(kind="object", children=children, **common)
    if kind == "array":
        items = schema.get("items")
        item = _resolve(items, root) if isinstance(items, Mapping) else {}
        item_kind = _type_of(item)
        if item_kind in SIMPLE and "enum" not in item:
            return FieldSpec(kind="array", item_kind=item_kind, **common)
        return FieldSpec(kind="json", **common)
    if kind in SIMPLE:
        return FieldSpec(kind=kind, **common)  # type: ignore[arg-type]
    return FieldSpec(kind="json", **common)


def _is_collection_shape(children: tuple[FieldSpec, ...]) -> bool:
    """An object of exactly a string ``id`` and a string ``path`` (Transfer's input shape)."""
    names = {child.name: child.kind for child in children}
    return names == {"id": "string", "path": "string"}


def _type_of(schema: Mapping[str, Any]) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if k != "null"]
        kind = kinds[0] if len(kinds) == 1 else None
    if isinstance(kind, str):
        return kind
    if isinstance(schema.get("properties"), Mapping):
        return "object"
    return ""


def _resolve(schema: Any, root: Mapping[str, Any], depth: int = 0) -> Mapping[str, Any]:
    """A local ``$ref`` (``#/$defs/x``, ``#/definitions/x``) followed; others left as they are."""
    if not isinstance(schema, Mapping):
        return {}
    ref = schema.get("$ref")
    if not isinstance(ref, str) or not ref.startswith("#/") or depth > 8:
        return schema
    target: Any = root
    for part in ref[2:].split("/"):
        if not isinstance(target, Mapping) or part not in target:
            return schema
        target = target[part]
    merged = {
        **_resolve(target, root, depth + 1),
        **{k: v for k, v in schema.items() if k != "$ref"},
    }
    return merged


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _title_of(name: str) -> str:
    """``source_endpoint_id`` → ``Source endpoint id``."""
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).replace("_", " ").replace("-", " ")
    words = " ".join(words.split())
    return words[:1].upper() + words[1:] if words else name


# -- the form's values, made into the input ---------------------------------------------------


def initial_text(spec: FieldSpec) -> str:
    """What a text field shows before the user types: its default, in the form's words."""
    default = spec.default
    if default is None:
        return ""
    if spec.kind == "array" and isinstance(default, list):
        return ", ".join(_simple_text(item) for item in default)
    if spec.kind == "json":
        return json.dumps(default)
    return _simple_text(default)


def _simple_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def parse_value(spec: FieldSpec, raw: Any) -> tuple[bool, Any]:
    """(given, value) of one field from what its widget holds; raises `InputProblem`.

    An empty text is "not given" (left out of the input, so a required one is reported by
    the service by its own words); a boolean is always given.
    """
    if spec.kind == "boolean":
        return True, bool(raw)
    if spec.kind == "enum":
        if raw is None:
            return False, None
        return True, raw
    if spec.kind == "collection":
        collection_id, path = raw if isinstance(raw, tuple) else ("", "")
        if not collection_id and not path:
            return False, None
        return True, {"id": collection_id, "path": path}
    text = raw if isinstance(raw, str) else ""
    if not text.strip():
        return False, None
    if spec.kind == "array":
        return True, [_scalar(spec, part, spec.item_kind) for part in split_items(text)]
    if spec.kind == "json":
        try:
            return True, json.loads(text)
        except ValueError as exc:
            raise InputProblem(spec, f"not JSON ({exc.args[0].split(':')[0]})") from None
    return True, _scalar(spec, text, spec.kind)


def split_items(text: str) -> list[str]:
    """An array field's items: one per line; or, written on one line, separated by commas."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) == 1:
        return [part.strip() for part in lines[0].split(",") if part.strip()]
    return lines


def _scalar(spec: FieldSpec, text: str, kind: str) -> Any:
    value = text.strip()
    if kind == "integer":
        try:
            return int(value)
        except ValueError:
            raise InputProblem(spec, f"“{value}” is not a whole number") from None
    if kind == "number":
        try:
            number = float(value)
        except ValueError:
            raise InputProblem(spec, f"“{value}” is not a number") from None
        return int(number) if number.is_integer() and "." not in value else number
    if kind == "boolean":
        lowered = value.casefold()
        if lowered in ("true", "yes", "y", "1"):
            return True
        if lowered in ("false", "no", "n", "0"):
            return False
        raise InputProblem(spec, f"“{value}” is not true or false")
    return text if kind == "string" and spec.kind == "string" else value


def build_input(
    fields: list[FieldSpec], raw: Mapping[Path, Any]
) -> tuple[dict[str, Any] | Any, dict[Path, str]]:
    """The run's input from each leaf field's raw value, and the problems by field path.

    An object none of whose fields is given is left out, unless it is required (then it is
    sent empty, and the service names the fields it lacks).
    """
    problems: dict[Path, str] = {}
    if len(fields) == 1 and fields[0].path == ():
        try:
            given, value = parse_value(fields[0], raw.get(()))
        except InputProblem as problem:
            problems[()] = problem.message
            return {}, problems
        return (value if given else {}), problems
    body: dict[str, Any] = {}
    for spec in fields:
        given, value = _collect(spec, raw, problems)
        if given:
            body[spec.name] = value
    return body, problems


def _collect(
    spec: FieldSpec, raw: Mapping[Path, Any], problems: dict[Path, str]
) -> tuple[bool, Any]:
    if spec.kind == "object":
        inner: dict[str, Any] = {}
        for child in spec.children:
            given, value = _collect(child, raw, problems)
            if given:
                inner[child.name] = value
        return bool(inner) or spec.required, inner
    try:
        return parse_value(spec, raw.get(spec.path))
    except InputProblem as problem:
        problems[spec.path] = problem.message
        return False, None


# -- the service's answer, placed -------------------------------------------------------------


def location_path(location: str) -> Path | None:
    """``$.source.path`` → ``("source", "path")``; ``$.items[0]`` → ``("items", "0")``;
    a FastAPI ``body.input.x`` → ``("x",)``; None when it is not a place in the input."""
    text = location.strip()
    if text.startswith("$"):
        parts: list[str] = []
        rest = text[1:]
        position = 0
        for match in _LOCATION_PART.finditer(rest):
            if match.start() != position:
                return None
            position = match.end()
            name, index, quoted, double = match.groups()
            parts.append(name or index or (quoted or double or "").replace("\\'", "'"))
        return tuple(parts) if position == len(rest) else None
    dotted = [part for part in text.split(".") if part]
    while dotted and dotted[0] in ("body", "input"):
        dotted.pop(0)
    return tuple(dotted) if dotted else None


def field_for(fields: list[FieldSpec], path: Path) -> FieldSpec | None:
    """The deepest field at or above ``path`` (an array item's error belongs to the array,
    a collection's ``path`` to its picker)."""
    best: FieldSpec | None = None
    for spec in _all_fields(fields):
        if path[: len(spec.path)] == spec.path and (
            best is None or len(spec.path) > len(best.path)
        ):
            best = spec
    return best


def _all_fields(fields: list[FieldSpec]) -> list[FieldSpec]:
    found: list[FieldSpec] = []
    for spec in fields:
        found.append(spec)
        found.extend(_all_fields(list(spec.children)))
    return found


def place_errors(
    fields: list[FieldSpec], errors: list[tuple[str, str]]
) -> tuple[dict[Path, list[str]], list[str]]:
    """The service's (location, message) pairs by the field each names, and those naming
    no field of the form (said above it)."""
    by_field: dict[Path, list[str]] = {}
    elsewhere: list[str] = []
    for location, message in errors:
        path = location_path(location)
        spec = field_for(fields, path) if path else None
        if spec is None or spec.path == ():
            elsewhere.append(f"{location}: {message}" if location and location != "$" else message)
            continue
        by_field.setdefault(spec.path, []).append(message)
    return by_field, elsewhere


# -- collections: what the form is prefilled with ----------------------------------------------


def collection_fields(fields: list[FieldSpec]) -> list[FieldSpec]:
    """The collection + path fields of the form, in order."""
    return [spec for spec in _all_fields(fields) if spec.kind == "collection"]


_SOURCE_WORDS = ("source", "src", "from", "origin", "instrument")
_DESTINATION_WORDS = ("destination", "dest", "target", "archive", "to", "output")


def guess_role(spec: FieldSpec) -> str:
    """``"source"`` or ``"destination"`` when a collection field's name or title says where
    data comes from or goes; ``""`` when it says neither (a staging place)."""
    words = set(re.split(r"[^a-z]+", " ".join((*spec.path, spec.title)).casefold()))
    if words & set(_SOURCE_WORDS):
        return "source"
    if words & set(_DESTINATION_WORDS):
        return "destination"
    return ""


def prefill_roles(fields: list[FieldSpec]) -> dict[Path, str]:
    """Which collection fields take the active pane's folder (``"source"``) and which the
    other pane's (``"destination"``). Fields whose words say neither stay empty, unless the
    form has one or two collection fields: then the first is the source, the second the
    destination. A destination the flow's author gave a default (an archive) keeps it: the
    other pane is only where the user happens to be, the default is where the flow sends data.
    A source always follows the focused pane, the folder the user is looking at."""
    pickers = collection_fields(fields)
    roles = {spec.path: guess_role(spec) for spec in pickers}
    if len(pickers) <= 2 and not any(roles.values()):
        for spec, role in zip(pickers, ("source", "destination"), strict=False):
            roles[spec.path] = role
    for spec in pickers:
        if roles[spec.path] == "destination" and spec.default is not None:
            roles[spec.path] = ""
    return {path: role for path, role in roles.items() if role}

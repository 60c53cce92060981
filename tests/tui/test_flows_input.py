"""A flow's input schema read as a form, the form's text made into the input, and the
service's error locations placed on the fields they name; and the words of runs and logs."""

from __future__ import annotations

from typing import Any

import pytest

from gtui.core.errors import AuthorizationRequirement
from gtui.core.flow_models import FlowRun, RunLogEntry
from gtui.core.scopes import TransferScopes, data_access_scope, flow_user_scope
from gtui.tui.flow_actions import consent_for
from gtui.tui.flow_input import (
    build_input,
    field_for,
    form_fields,
    initial_text,
    location_path,
    place_errors,
    prefill_roles,
    split_items,
)
from gtui.tui.flow_words import entry_words, role_words, status_words

COLLECTION = {
    "type": "object",
    "format": "globus-collection",
    "properties": {"id": {"type": "string"}, "path": {"type": "string"}},
    "required": ["id", "path"],
}
SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["source", "destination", "level"],
    "properties": {
        "source": {**COLLECTION, "title": "Source"},
        "destination": {**COLLECTION, "title": "Destination"},
        "label": {"type": "string", "description": "The task's label", "default": "moved"},
        "retries": {"type": "integer", "default": 3},
        "ratio": {"type": "number"},
        "verify": {"type": "boolean", "default": True},
        "level": {"type": "string", "enum": ["exists", "size", "checksum"]},
        "names": {"type": "array", "items": {"type": "string"}},
        "sizes": {"type": "array", "items": {"type": "integer"}, "default": [1, 2]},
        "options": {
            "type": "object",
            "title": "More options",
            "properties": {
                "notify": {"type": "boolean"},
                "note": {"type": "string"},
            },
        },
        "extra": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
        "place": {"$ref": "#/$defs/place"},
    },
    "$defs": {"place": COLLECTION},
}


def by_path(fields: list[Any]) -> dict[tuple[str, ...], Any]:
    found: dict[tuple[str, ...], Any] = {}
    for spec in fields:
        found[spec.path] = spec
        found.update(by_path(list(spec.children)))
    return found


def test_each_property_becomes_the_field_of_its_kind() -> None:
    fields = form_fields(SCHEMA)
    specs = by_path(fields)
    kinds = {path: spec.kind for path, spec in specs.items()}
    assert kinds == {
        ("source",): "collection",
        ("destination",): "collection",
        ("label",): "string",
        ("retries",): "integer",
        ("ratio",): "number",
        ("verify",): "boolean",
        ("level",): "enum",
        ("names",): "array",
        ("sizes",): "array",
        ("options",): "object",
        ("options", "notify"): "boolean",
        ("options", "note"): "string",
        ("extra",): "json",
        ("place",): "collection",
    }
    assert [f.name for f in fields][:3] == ["source", "destination", "label"]
    assert specs[("source",)].required and not specs[("label",)].required
    assert specs[("label",)].description == "The task's label"
    assert specs[("retries",)].title == "Retries"
    assert specs[("level",)].choices == ("exists", "size", "checksum")
    assert specs[("sizes",)].item_kind == "integer"
    assert initial_text(specs[("sizes",)]) == "1, 2"
    assert initial_text(specs[("label",)]) == "moved"


def test_the_form_text_becomes_the_input_document() -> None:
    fields = form_fields(SCHEMA)
    body, problems = build_input(
        fields,
        {
            ("source",): ("c1", "/~/data/"),
            ("destination",): ("c2", "/~/"),
            ("label",): "nightly",
            ("retries",): "5",
            ("ratio",): "0.5",
            ("verify",): False,
            ("level",): "size",
            ("names",): "a.txt, b.txt",
            ("sizes",): "",
            ("options", "notify"): True,
            ("options", "note"): "",
            ("extra",): '{"x": [1]}',
            ("place",): ("", ""),
        },
    )
    assert problems == {}
    assert body == {
        "source": {"id": "c1", "path": "/~/data/"},
        "destination": {"id": "c2", "path": "/~/"},
        "label": "nightly",
        "retries": 5,
        "ratio": 0.5,
        "verify": False,
        "level": "size",
        "names": ["a.txt", "b.txt"],
        "options": {"notify": True},
        "extra": {"x": [1]},
    }


def test_text_that_is_not_of_its_kind_is_a_problem_of_that_field() -> None:
    fields = form_fields(SCHEMA)
    body, problems = build_input(
        fields, {("retries",): "ten", ("sizes",): "1, two", ("extra",): "{oops"}
    )
    assert set(problems) == {("retries",), ("sizes",), ("extra",)}
    assert "not a whole number" in problems[("retries",)]
    assert "“two”" in problems[("sizes",)]
    assert problems[("extra",)].startswith("not JSON")
    # An empty required object is still sent, so the service names what it lacks.
    assert "retries" not in body


def test_array_items_one_per_line_or_separated_by_commas() -> None:
    assert split_items("a, b,c") == ["a", "b", "c"]
    assert split_items("a, b\nc") == ["a, b", "c"]
    assert split_items("  \n") == []


@pytest.mark.parametrize(
    ("location", "path"),
    [
        ("$.source.path", ("source", "path")),
        ("$.names[1]", ("names", "1")),
        ("$['odd name'].x", ("odd name", "x")),
        ("$.bool", ("bool",)),
        ("body.input.label", ("label",)),
        ("$", ()),
        ("$..weird", None),
    ],
)
def test_service_locations_become_paths(location: str, path: tuple[str, ...] | None) -> None:
    assert location_path(location) == path


def test_the_service_answer_is_placed_on_the_fields_it_names() -> None:
    fields = form_fields(SCHEMA)
    assert field_for(fields, ("source", "path")).path == ("source",)  # type: ignore[union-attr]
    by_field, elsewhere = place_errors(
        fields,
        [
            ("$.source.path", "'' is too short"),
            ("$.level", "'fast' is not one of ['exists', 'size', 'checksum']"),
            ("$.options.note", "too long"),
            ("$.destination", "'destination' is a required property"),
            ("$", "Additional properties are not allowed ('x' was unexpected)"),
            ("$.nothing", "unknown"),
        ],
    )
    assert by_field == {
        ("source",): ["'' is too short"],
        ("level",): ["'fast' is not one of ['exists', 'size', 'checksum']"],
        ("options", "note"): ["too long"],
        ("destination",): ["'destination' is a required property"],
    }
    assert elsewhere == [
        "Additional properties are not allowed ('x' was unexpected)",
        "$.nothing: unknown",
    ]


def test_source_and_destination_take_the_panes_staging_keeps_its_default() -> None:
    two_stage = {
        "type": "object",
        "properties": {
            "source": {**COLLECTION, "title": "Instrument data"},
            "staging": {**COLLECTION, "title": "Staging area"},
            "destination": {**COLLECTION, "title": "Archive"},
        },
    }
    assert prefill_roles(form_fields(two_stage)) == {
        ("source",): "source",
        ("destination",): "destination",
    }
    unnamed = {"type": "object", "properties": {"a": COLLECTION, "b": COLLECTION}}
    assert prefill_roles(form_fields(unnamed)) == {("a",): "source", ("b",): "destination"}


def test_a_destination_with_a_default_keeps_it_and_a_source_follows_the_pane() -> None:
    tape = {"id": "a9e6fcb5-f22b-48be-85f9-29d91af40177", "path": "/~/"}
    archived = {
        "type": "object",
        "properties": {
            "source": {**COLLECTION, "title": "Instrument data", "default": tape},
            "destination": {**COLLECTION, "title": "Archive", "default": tape},
        },
    }
    assert prefill_roles(form_fields(archived)) == {("source",): "source"}


def test_a_schema_that_is_not_an_object_is_one_json_field() -> None:
    (only,) = form_fields({"type": "array", "items": {"type": "object"}})
    assert only.kind == "json" and only.path == ()
    body, problems = build_input([only], {(): "[1, 2]"})
    assert body == [1, 2] and problems == {}


# -- words ----------------------------------------------------------------------------------


def test_runs_and_log_entries_in_words() -> None:
    waiting = FlowRun.from_document(
        {
            "run_id": "r",
            "flow_id": "f",
            "status": "INACTIVE",
            "details": {"code": "ActionInactive", "required_scope": data_access_scope("c")},
        }
    )
    assert status_words(waiting) == "Needs consent"
    canceled = FlowRun.from_document(
        {"run_id": "r", "flow_id": "f", "status": "FAILED", "details": {"code": "FlowCanceled"}}
    )
    assert status_words(canceled) == "Canceled"
    assert role_words("flow_starter") == "starter" and role_words("") == "—"
    entry = RunLogEntry.from_document(
        {
            "code": "ActionCompleted",
            "details": {"state_name": "Copy", "output": {"details": {"task_id": "t-1"}}},
        }
    )
    assert entry_words(entry) == "completed · task t-1"
    failed = RunLogEntry.from_document(
        {"code": "FlowFailed", "details": {"cause": "The copy did not succeed"}}
    )
    assert entry_words(failed) == "flow failed — The copy did not succeed"


def test_a_run_waiting_for_data_access_asks_for_the_flow_scope_with_it() -> None:
    run = FlowRun.from_document({"run_id": "r", "flow_id": "f1", "status": "INACTIVE"})
    needed = consent_for(
        run,
        AuthorizationRequirement(
            code="ConsentRequired", required_scopes=(data_access_scope("arch"),)
        ),
    )
    assert needed.required_scopes == (
        f"{flow_user_scope('f1')}[{TransferScopes.all}[*{data_access_scope('arch')}]]",
    )
    other = AuthorizationRequirement(code="ConsentRequired", required_scopes=("x",))
    assert consent_for(run, other) is other

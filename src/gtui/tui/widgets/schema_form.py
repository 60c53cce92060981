"""A form drawn from a flow's input schema: one field per property, each with its title, a
``*`` when required, its description, and a line under it for what the service says of it.

The fields come from ``gtui.tui.flow_input`` (which also turns the form's text back into the
input). Strings, numbers and JSON are text boxes, booleans checkboxes, enums a Select, an
array of simple values a text box of comma-separated values, an object its fields under its
title, and a collection + path a button naming the collection (Enter opens the collection
picker: the form posts ``CollectionRequested``) beside a box for the path.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select, Static

from gtui.tui.flow_input import FieldSpec, Path, initial_text
from gtui.tui.widgets.checkbox import Checkbox

REQUIRED_MARK = " *"
NO_COLLECTION = "Choose a collection…"
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
PLACEHOLDERS = {
    "number": "a number",
    "integer": "a whole number",
    "json": 'JSON, e.g. {"a": 1} or [1, 2]',
    "array": "values separated by commas",
}


def _choice_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "null" if value is None else str(value)


class SchemaForm(Vertical):
    """The fields of ``fields`` (from ``flow_input.form_fields``), as widgets."""

    DEFAULT_CSS = """
    SchemaForm {
        height: auto;
    }
    SchemaForm .form-field {
        height: auto;
        margin-bottom: 1;
    }
    SchemaForm .form-label {
        width: 24;
        padding-right: 1;
        text-style: bold;
    }
    SchemaForm .form-control {
        width: 1fr;
        height: auto;
    }
    SchemaForm .form-help {
        color: $text-muted;
    }
    SchemaForm .form-error {
        color: $text-error;
        text-style: bold;
        display: none;
        &.-shown {
            display: block;
        }
    }
    SchemaForm .form-collection {
        height: auto;
    }
    SchemaForm .form-collection Button {
        width: auto;
        max-width: 50%;
        margin-right: 1;
    }
    SchemaForm .form-collection Input {
        width: 1fr;
    }
    SchemaForm Input, SchemaForm Select {
        width: 100%;
    }
    SchemaForm Checkbox {
        width: 6;
    }
    SchemaForm .form-object .form-label {
        width: 18;
    }
    .-short SchemaForm .form-field {
        margin-bottom: 0;
    }
    """

    class CollectionRequested(Message):
        """The user wants to choose the collection of a collection + path field."""

        def __init__(self, form: SchemaForm, spec: FieldSpec) -> None:
            super().__init__()
            self.form = form
            self.spec = spec

        @property
        def control(self) -> SchemaForm:
            return self.form

    NO_VALUE: ClassVar[object] = object()

    def __init__(self, fields: list[FieldSpec], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.fields = fields
        self._ids: dict[Path, str] = {}
        self._specs: dict[str, FieldSpec] = {}
        self.collections: dict[Path, tuple[str, str]] = {}
        """Each collection field's chosen collection: (id, display name)."""
        self.errors: dict[Path, str] = {}
        """The problem each field shows now."""
        for index, spec in enumerate(self._walk(fields)):
            safe = _UNSAFE.sub("_", spec.key)[:40] or "input"
            self._ids[spec.path] = f"f{index}-{safe}"
            self._specs[self._ids[spec.path]] = spec

    @staticmethod
    def _walk(fields: list[FieldSpec]) -> list[FieldSpec]:
        found: list[FieldSpec] = []
        for spec in fields:
            found.append(spec)
            found.extend(SchemaForm._walk(list(spec.children)))
        return found

    def widget_id(self, path: Path) -> str:
        return self._ids[path]

    # -- drawing ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        for spec in self.fields:
            yield self._field(spec)

    def _field(self, spec: FieldSpec) -> Widget:
        """A row: the title (``*`` when required) on the left; on the right the control, the
        schema's description and the line for the service's answer."""
        base = self._ids[spec.path]
        title = spec.title + (REQUIRED_MARK if spec.required else "")
        right: list[Widget] = []
        if spec.kind == "object":
            right.append(
                Vertical(*(self._field(child) for child in spec.children), classes="form-object")
            )
        else:
            right.append(self._control(spec, base))
        help_text = spec.description
        if spec.kind == "array":
            help_text = (help_text + " " if help_text else "") + "(separate values with commas)"
        elif spec.kind == "collection":
            help_text = (help_text + " " if help_text else "") + (
                "(Enter on the collection to choose another)"
            )
        if help_text:
            right.append(Static(help_text, classes="form-help", markup=False))
        right.append(Static("", id=f"{base}-error", classes="form-error", markup=False))
        return Horizontal(
            Label(title, classes="form-label", markup=False),
            Vertical(*right, classes="form-control"),
            id=f"{base}-field",
            classes="form-field",
        )

    def _control(self, spec: FieldSpec, base: str) -> Widget:
        if spec.kind == "boolean":
            return Checkbox("", bool(spec.default), id=base, compact=True)
        if spec.kind == "enum":
            options = [(_choice_text(value), index) for index, value in enumerate(spec.choices)]
            start: Any = Select.BLANK
            if spec.default in spec.choices:
                start = spec.choices.index(spec.default)
            elif spec.required and len(spec.choices) == 1:
                start = 0
            return Select(
                options,
                value=start,
                allow_blank=not spec.required or start is Select.BLANK,
                id=base,
                compact=True,
            )
        if spec.kind == "collection":
            default = spec.default if isinstance(spec.default, Mapping) else {}
            if isinstance(default.get("id"), str) and default["id"]:
                self.collections[spec.path] = (default["id"], default["id"])
            chosen = self.collections.get(spec.path)
            path = default.get("path") if isinstance(default.get("path"), str) else ""
            return Horizontal(
                Button(chosen[1] if chosen else NO_COLLECTION, id=f"{base}-pick", compact=True),
                Input(path, placeholder="/path/in/the/collection", id=base, compact=True),
                classes="form-collection",
            )
        kind = {"integer": "integer", "number": "number"}.get(spec.kind, "text")
        return Input(
            initial_text(spec),
            placeholder=PLACEHOLDERS.get(spec.kind, ""),
            type=kind,  # type: ignore[arg-type]
            id=base,
            compact=True,
        )

    # -- values -----------------------------------------------------------------------------

    def raw_values(self) -> dict[Path, Any]:
        """Each leaf field's value as its widget holds it (text, bool, enum value, or a
        collection's (id, path)), for ``flow_input.build_input``."""
        values: dict[Path, Any] = {}
        for spec in self._walk(self.fields):
            if spec.kind == "object":
                continue
            widget = self.query_one(f"#{self._ids[spec.path]}")
            if isinstance(widget, Checkbox):
                values[spec.path] = widget.value
            elif isinstance(widget, Select):
                chosen = widget.value
                values[spec.path] = spec.choices[chosen] if isinstance(chosen, int) else None
            elif isinstance(widget, Input) and spec.kind == "collection":
                collection = self.collections.get(spec.path)
                values[spec.path] = (collection[0] if collection else "", widget.value.strip())
            elif isinstance(widget, Input):
                values[spec.path] = widget.value
        return values

    def set_collection(self, path: Path, collection_id: str, name: str, folder: str | None) -> None:
        """Put a collection (and a folder in it, when given) in a collection + path field."""
        self.collections[path] = (collection_id, name)
        base = self._ids[path]
        button = self.query_one(f"#{base}-pick", Button)
        button.label = name
        # An auto width is measured once: a name in place of an id would sit in the id's width.
        button.refresh(layout=True)
        if folder is not None:
            self.query_one(f"#{base}", Input).value = folder

    def collection_of(self, path: Path) -> str | None:
        chosen = self.collections.get(path)
        return chosen[0] if chosen else None

    # -- the service's answer ---------------------------------------------------------------

    def show_errors(self, by_field: Mapping[Path, list[str] | str]) -> None:
        """Each field's problems under it (others cleared); the first one is scrolled to."""
        first: Widget | None = None
        self.errors = {}
        for path, base in self._ids.items():
            said = by_field.get(path)
            text = "; ".join(said) if isinstance(said, list) else (said or "")
            if text:
                self.errors[path] = text
            line = self.query_one(f"#{base}-error", Static)
            line.update(text)
            line.set_class(bool(text), "-shown")
            if text and first is None:
                first = self.query_one(f"#{base}-field")
        if first is not None:
            first.scroll_visible(animate=False)

    def clear_errors(self) -> None:
        self.show_errors({})

    def focus_field(self, path: Path) -> None:
        base = self._ids.get(path)
        if base is None:
            return
        if path in self.collections or not self.query(f"#{base}-pick"):
            self.query_one(f"#{base}").focus()
        else:
            self.query_one(f"#{base}-pick").focus()

    # -- the collection picker ----------------------------------------------------------------

    def on_button_pressed(self, event: Button.Pressed) -> None:
        button_id = event.button.id or ""
        if not button_id.endswith("-pick"):
            return
        event.stop()
        spec = self._specs.get(button_id[: -len("-pick")])
        if spec is not None:
            self.post_message(self.CollectionRequested(self, spec))

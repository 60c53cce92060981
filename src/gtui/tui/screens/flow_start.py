"""Starting a flow: its form, made from its input schema, prefilled from the panes.

A collection + path field named as a source takes the focused pane's collection and folder,
one named as a destination the other pane's. Before starting, the input is checked by the
service itself (``validate_run``), and what it says of a field is shown under that field;
then the run starts (the first run of a flow asks for the flow's consent) and its detail
replaces this screen.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Input, Label, Static

from gtui.core.errors import GlobusError
from gtui.core.flow_models import Flow, delete_states
from gtui.core.models import Collection
from gtui.tui import flow_actions
from gtui.tui.context import gtui
from gtui.tui.flow_input import (
    FieldSpec,
    Path,
    build_input,
    collection_fields,
    form_fields,
    place_errors,
    prefill_roles,
)
from gtui.tui.screen_wait import wait_for_screen
from gtui.tui.screens.collection_picker import CollectionPickerScreen
from gtui.tui.session_flows import with_consent_repair
from gtui.tui.widgets.key_bar import KeyBar
from gtui.tui.widgets.schema_form import SchemaForm
from gtui.tui.widgets.title_bar import TitleBar

HOME = "/~/"


class FieldCollectionPicker(CollectionPickerScreen):
    """The collection picker, titled for the form field it fills."""

    def __init__(self, title: str) -> None:
        super().__init__("left")
        self.field_title = title

    def on_mount(self) -> None:
        self.query_one(".dialog-title", Label).update(
            f"Choose a collection for “{self.field_title}”"
        )


class FlowStartScreen(Screen[None]):
    """A flow's input form and run label; ctrl+s starts the run, ctrl+l only checks."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="flow_start_back"),
        Binding("ctrl+s", "submit(True)", "Start run", id="flow_start_run"),
        Binding("ctrl+l", "submit(False)", "Check input", id="flow_start_check"),
    ]

    def __init__(self, flow: Flow) -> None:
        super().__init__(classes="flow-start")
        self.flow = flow
        self.fields: list[FieldSpec] = form_fields(flow.input_schema)
        self.collections: dict[str, Collection] = {}

    def compose(self) -> ComposeResult:
        yield TitleBar()
        about = " · ".join(part for part in (self.flow.subtitle, self.flow.description) if part)
        yield Static(
            f"Start “{self.flow.title}”" + (f"\n{about}" if about else ""),
            id="flow-start-head",
            markup=False,
        )
        with VerticalScroll(id="flow-start-body"):
            with Horizontal(id="run-label-row"):
                yield Label("Run label", classes="form-label")
                yield Input(
                    placeholder="optional: a name for this run", id="run-label", compact=True
                )
            yield Static(
                "* required · ctrl+l checks the input · ctrl+s starts the run",
                classes="form-help",
                id="flow-start-legend",
                markup=False,
            )
            yield SchemaForm(self.fields, id="flow-form")
        yield Static("", id="flow-start-problem", classes="dialog-warning", markup=False)
        with Horizontal(classes="dialog-buttons", id="flow-start-buttons"):
            yield Button("Check input", id="check", compact=True)
            yield Button("Start run", id="start", variant="primary", compact=True)
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#flow-start-problem").display = False
        self.query_one("#run-label", Input).focus()
        self._prefill()
        if not self.flow.input_schema:
            self.load_flow()

    @property
    def form(self) -> SchemaForm:
        return self.query_one(SchemaForm)

    # -- prefilling ---------------------------------------------------------------------------

    def _prefill(self) -> None:
        """Collection fields from the panes: the focused pane's place for a source, the other
        pane's for a destination (over the schema's default: the panes are where the user
        is); then the names of the collections the defaults name."""
        focused, other = gtui(self).pane_folders()
        places = {"source": focused, "destination": other}
        for path, role in prefill_roles(self.fields).items():
            place = places.get(role)
            if place is None:
                continue
            collection, folder = place
            self.collections[collection.id] = collection
            self.form.set_collection(path, collection.id, collection.display_name, folder)
        self.name_collections()

    @work(group="flow-start-names", exclusive=True, exit_on_error=False)
    async def name_collections(self) -> None:
        for spec in collection_fields(self.fields):
            chosen = self.form.collections.get(spec.path)
            if chosen is None or chosen[0] != chosen[1]:
                continue
            collection = await self._collection(chosen[0])
            if collection is not None and self.form.collection_of(spec.path) == chosen[0]:
                self.form.set_collection(spec.path, chosen[0], collection.display_name, None)

    @work(group="flow-start-load", exclusive=True, exit_on_error=False)
    async def load_flow(self) -> None:
        """A flow from a list without its schema: read it in full and draw its form again."""
        app = gtui(self)
        try:
            response = await with_consent_repair(
                self, lambda: app.session.flows.get_flow(self.flow.id)
            )
        except GlobusError as exc:
            app.report_error(exc, f"Reading the flow “{self.flow.title}”")
            return
        self.flow = Flow.from_response(response)
        self.fields = form_fields(self.flow.input_schema)
        await self.form.remove()
        await self.query_one("#flow-start-body", VerticalScroll).mount(
            SchemaForm(self.fields, id="flow-form")
        )
        self._prefill()

    # -- choosing a collection --------------------------------------------------------------

    @on(SchemaForm.CollectionRequested)
    def _pick(self, event: SchemaForm.CollectionRequested) -> None:
        event.stop()
        self.pick_collection(event.spec)

    @work(group="flow-start-pick", exclusive=True, exit_on_error=False)
    async def pick_collection(self, spec: FieldSpec) -> None:
        picked = await wait_for_screen(self.app, FieldCollectionPicker(spec.title))
        if picked is None:
            return
        collection = await self._collection(picked.collection_id)
        name = collection.display_name if collection is not None else picked.collection_id
        folder = picked.path
        if folder is None:
            default = collection.default_directory if collection is not None else None
            folder = default or HOME
        self.form.set_collection(spec.path, picked.collection_id, name, folder)
        self.form.focus_field(spec.path)

    async def _collection(self, collection_id: str) -> Collection | None:
        known = self.collections.get(collection_id)
        if known is not None:
            return known
        try:
            doc = await gtui(self).session.transfer.get_endpoint(collection_id)
        except GlobusError:
            return None
        collection = Collection.from_api(doc.document())
        self.collections[collection_id] = collection
        return collection

    async def _data_access(self) -> list[str]:
        """The form's collections whose ``data_access`` the run needs consent for."""
        needing: list[str] = []
        for spec in collection_fields(self.fields):
            collection_id = self.form.collection_of(spec.path)
            if not collection_id:
                continue
            collection = await self._collection(collection_id)
            if collection is not None and collection.requires_data_access:
                needing.append(collection_id)
        return needing

    # -- checking and starting --------------------------------------------------------------

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id in ("check", "start"):
            event.stop()
            self.action_submit(event.button.id == "start")

    def action_back(self) -> None:
        self.dismiss()

    def _say(self, text: str) -> None:
        line = self.query_one("#flow-start-problem", Static)
        line.update(text)
        line.display = bool(text)

    @work(group="flow-start-submit", exclusive=True, exit_on_error=False)
    async def action_submit(self, run: bool) -> None:
        app = gtui(self)
        label = self.query_one("#run-label", Input).value
        problem = flow_actions.check_label(label)
        if problem:
            self._say(problem)
            return
        body, problems = build_input(self.fields, self.form.raw_values())
        if problems:
            self.form.show_errors(problems)
            self._say("Some fields are not filled in right: see the marks below them.")
            self._focus_first_error()
            return
        self._say("Checking the input with the service…")
        try:
            data_access = await self._data_access()
            refusal = await flow_actions.validate(self, self.flow, body, label, data_access)
        except GlobusError as exc:
            self._say("")
            app.report_error(exc, f"Checking the input of “{self.flow.title}”")
            return
        if refusal is not None:
            self._show_refusal(
                refusal.message, [(e.location, e.message) for e in refusal.field_errors]
            )
            return
        self.form.clear_errors()
        if not run:
            self._say("")
            self.notify("The service accepts this input.", timeout=3)
            return
        deleting = delete_states(self.flow.definition)
        if deleting:
            self._say("")
        if deleting and not await flow_actions.confirm_deletes(
            self, self.flow, deleting, self._places()
        ):
            self._say("Not started.")
            return
        self._say("Starting the run…")
        try:
            started = await flow_actions.start(self, self.flow, body, label, data_access)
        except GlobusError as exc:
            self._say("")
            app.report_error(exc, f"Starting “{self.flow.title}”")
            return
        from gtui.tui.screens.flow_run import FlowRunScreen

        self.notify(f"Run of “{self.flow.title}” started.", timeout=3, markup=False)
        # Not awaited here: replacing this screen cancels its workers, this one included.
        self.app.call_later(self.app.switch_screen, FlowRunScreen(started.run_id, run=started))

    def _places(self) -> list[str]:
        """Each collection + path field as it reads: "Source: Demo Laptop /~/Documents/"."""
        values = self.form.raw_values()
        places = []
        for spec in collection_fields(self.fields):
            chosen = self.form.collections.get(spec.path)
            value = values.get(spec.path)
            path = value[1] if isinstance(value, tuple) else ""
            name = chosen[1] if chosen else "no collection"
            places.append(f"{spec.title}: {name} {path or '(no path)'}")
        return places

    def _show_refusal(self, message: str, errors: list[tuple[str, str]]) -> None:
        by_field, elsewhere = place_errors(self.fields, errors)
        self.form.show_errors(by_field)
        if not errors:
            elsewhere = [message]
        said = "The service refused this input"
        if elsewhere:
            said += ": " + "; ".join(elsewhere)
        elif by_field:
            said += ": see the marks below the fields."
        self._say(said)
        self._focus_first_error()

    def _focus_first_error(self) -> None:
        first: Path | None = next(iter(self.form.errors), None)
        if first is not None:
            self.form.focus_field(first)

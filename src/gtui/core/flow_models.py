"""Frozen records of flows, runs and run logs for the UI, read from Globus Flows' documents.

The shapes are those of the SDK's recorded answers (``globus_sdk/testing/data/flows``): a
flow (``GET /flows/{id}``), a run (``GET /runs/{id}``) and a run log entry (``GET
/runs/{id}/log``). A missing or null field takes its default; a field of the wrong type is a
`MalformedResponseError`, like any other unusable answer, so screens never meet a
``KeyError`` or an ``AttributeError`` in a worker.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from gtui.core.errors import (
    AuthorizationRequirement,
    FlowsAPIError,
    MalformedResponseError,
    parse_authorization_requirement,
)
from gtui.core.http import malformed_error
from gtui.core.models import parse_time
from gtui.core.response import GlobusResponse

ACTIVE_STATUSES = frozenset({"ACTIVE", "INACTIVE"})
FINISHED_STATUSES = frozenset({"SUCCEEDED", "FAILED", "ENDED"})
# The roles that may start a flow, from least to most (Flows' ``filter_roles``).
STARTER_ROLES = ("flow_starter", "flow_administrator", "flow_owner")
# Action providers that submit Transfer tasks, whose action id is the task's id.
TRANSFER_ACTION_HOSTS = ("transfer.actions.globus.org", "actions.globus.org/transfer")


class _Doc:
    """One JSON object's fields by type: missing or null is None, a wrong type is malformed."""

    def __init__(self, doc: Any, where: str, response: httpx.Response | None) -> None:
        self.where = where
        self.response = response
        if not isinstance(doc, Mapping):
            raise self.malformed(f"{where} is not a JSON object")
        self.doc: Mapping[str, Any] = doc

    def malformed(self, reason: str) -> MalformedResponseError:
        return malformed_error(FlowsAPIError, self.response or httpx.Response(200), reason)

    def _wrong(self, key: str, expected: str) -> MalformedResponseError:
        return self.malformed(f"{self.where}'s {key!r} is not {expected}")

    def text(self, key: str, default: str = "") -> str:
        value = self.doc.get(key)
        if value is None:
            return default
        if isinstance(value, str):
            return value
        raise self._wrong(key, "a string")

    def texts(self, key: str) -> tuple[str, ...]:
        value = self.doc.get(key)
        if value is None:
            return ()
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(value)
        raise self._wrong(key, "a list of strings")

    def time(self, key: str) -> datetime | None:
        """A time; text that is not one reads as unknown (None), since only people read it
        (the SDK's own recorded flows carry ``…+00:00+00:00``)."""
        value = self.doc.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self._wrong(key, "an ISO 8601 time")
        return parse_time(value)

    def mapping(self, key: str) -> Mapping[str, Any]:
        value = self.doc.get(key)
        if value is None:
            return {}
        if isinstance(value, Mapping):
            return value
        raise self._wrong(key, "a JSON object")

    def objects(self, key: str) -> list[Any]:
        value = self.doc.get(key)
        if value is None:
            return []
        if isinstance(value, list):
            return value
        raise self._wrong(key, "a list")


def _response_of(source: GlobusResponse | Mapping[str, Any]) -> httpx.Response | None:
    return source.raw_response if isinstance(source, GlobusResponse) else None


def _document(source: GlobusResponse | Mapping[str, Any]) -> Any:
    return source.document() if isinstance(source, GlobusResponse) else source


def is_transfer_action(action_url: str) -> bool:
    """True for the Transfer action providers (``…/transfer``, ``…/delete``): their action
    id is a Transfer task id."""
    return any(host in action_url for host in TRANSFER_ACTION_HOSTS)


def transfer_states(definition: Mapping[str, Any]) -> frozenset[str]:
    """The names of a definition's Action states that call a Transfer action provider."""
    states = definition.get("States")
    if not isinstance(states, Mapping):
        return frozenset()
    return frozenset(
        name
        for name, state in states.items()
        if isinstance(state, Mapping)
        and state.get("Type") == "Action"
        and isinstance(state.get("ActionUrl"), str)
        and is_transfer_action(state["ActionUrl"])
    )


def delete_states(definition: Mapping[str, Any]) -> list[str]:
    """The names of a definition's Action states that delete through Transfer
    (``…/delete``), in definition order: a flow that has one is asked about before it runs."""
    states = definition.get("States")
    if not isinstance(states, Mapping):
        return []
    return [
        name
        for name, state in states.items()
        if isinstance(state, Mapping)
        and state.get("Type") == "Action"
        and isinstance(state.get("ActionUrl"), str)
        and is_transfer_action(state["ActionUrl"])
        and state["ActionUrl"].rstrip("/").endswith("/delete")
    ]


@dataclass(frozen=True)
class Flow:
    """A flow: what it is called, who owns it, my role on it and the input it takes."""

    id: str
    title: str
    subtitle: str = ""
    description: str = ""
    keywords: tuple[str, ...] = ()
    input_schema: Mapping[str, Any] = field(default_factory=dict)
    definition: Mapping[str, Any] = field(default_factory=dict)
    user_role: str = ""
    owner: str = ""
    scope: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @classmethod
    def from_document(
        cls, doc: Any, *, where: str = "the flow", response: httpx.Response | None = None
    ) -> Flow:
        fields = _Doc(doc, where, response)
        flow_id = fields.text("id")
        if not flow_id:
            raise fields.malformed(f"{where} has no 'id'")
        return cls(
            id=flow_id,
            title=fields.text("title") or flow_id,
            subtitle=fields.text("subtitle"),
            description=fields.text("description"),
            keywords=fields.texts("keywords"),
            input_schema=fields.mapping("input_schema"),
            definition=fields.mapping("definition"),
            user_role=fields.text("user_role"),
            owner=fields.text("flow_owner") or fields.text("created_by"),
            scope=fields.text("globus_auth_scope"),
            created_at=fields.time("created_at"),
            updated_at=fields.time("updated_at"),
        )

    @classmethod
    def from_response(cls, response: GlobusResponse) -> Flow:
        return cls.from_document(response.document(), response=response.raw_response)

    @property
    def can_run(self) -> bool:
        return self.user_role in STARTER_ROLES

    @property
    def calls_transfer(self) -> bool:
        """True when one of its Action states submits Transfer tasks (so running it needs
        Transfer's scope, and the ``data_access`` of the collections it is given)."""
        return bool(transfer_states(self.definition))


@dataclass(frozen=True)
class FlowRun:
    """One run of a flow: its state, its label and tags, and the last thing that happened."""

    run_id: str
    flow_id: str
    flow_title: str = ""
    label: str = ""
    tags: tuple[str, ...] = ()
    status: str = ""
    display_status: str = ""
    start_time: datetime | None = None
    completion_time: datetime | None = None
    details: Mapping[str, Any] = field(default_factory=dict)
    run_owner: str = ""
    user_role: str = ""

    @classmethod
    def from_document(
        cls, doc: Any, *, where: str = "the run", response: httpx.Response | None = None
    ) -> FlowRun:
        fields = _Doc(doc, where, response)
        run_id = fields.text("run_id") or fields.text("action_id")
        if not run_id:
            raise fields.malformed(f"{where} has no 'run_id'")
        return cls(
            run_id=run_id,
            flow_id=fields.text("flow_id"),
            flow_title=fields.text("flow_title"),
            label=fields.text("label"),
            tags=fields.texts("tags"),
            status=fields.text("status"),
            display_status=fields.text("display_status") or fields.text("status"),
            start_time=fields.time("start_time"),
            completion_time=fields.time("completion_time"),
            details=fields.mapping("details"),
            run_owner=fields.text("run_owner") or fields.text("created_by"),
            user_role=fields.text("user_role"),
        )

    @classmethod
    def from_response(cls, response: GlobusResponse) -> FlowRun:
        return cls.from_document(response.document(), response=response.raw_response)

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def code(self) -> str:
        """The code of the last thing that happened (``FlowSucceeded``, ``ActionStarted``…)."""
        value = self.details.get("code")
        return value if isinstance(value, str) else ""

    @property
    def description(self) -> str:
        value = self.details.get("description")
        return value if isinstance(value, str) else ""

    @property
    def output(self) -> Mapping[str, Any]:
        value = self.details.get("output")
        return value if isinstance(value, Mapping) else {}

    def inactive_requirement(self) -> AuthorizationRequirement | None:
        """What an INACTIVE run waits for, when it waits for a consent: the scopes named in
        its details (a Globus Auth requirement, or an action's ``required_scope``)."""
        if self.status != "INACTIVE":
            return None
        return find_requirement(self.details)


def find_requirement(doc: Any, depth: int = 0) -> AuthorizationRequirement | None:
    """The first authorization requirement in ``doc`` or the documents nested in it."""
    if depth > 6:
        return None
    if isinstance(doc, Mapping):
        scope = doc.get("required_scope")
        if isinstance(scope, str) and scope:
            return AuthorizationRequirement(code="ConsentRequired", required_scopes=(scope,))
        found = parse_authorization_requirement(dict(doc))
        if found is not None:
            return found
        children: Iterable[Any] = doc.values()
    elif isinstance(doc, list):
        children = doc
    else:
        return None
    for child in children:
        found = find_requirement(child, depth + 1)
        if found is not None:
            return found
    return None


@dataclass(frozen=True)
class RunLogEntry:
    """One line of a run's log. ``task_id`` is the Transfer task an action started, when the
    action is a Transfer one (its ``task_id`` in the action's details, or its action id on a
    state known to call Transfer), so the UI can open that task."""

    time: datetime | None
    code: str
    description: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)
    state_name: str = ""
    state_type: str = ""
    action_id: str = ""
    task_id: str | None = None

    @classmethod
    def from_document(
        cls,
        doc: Any,
        *,
        transfer_state_names: frozenset[str] = frozenset(),
        where: str = "a log entry",
        response: httpx.Response | None = None,
    ) -> RunLogEntry:
        fields = _Doc(doc, where, response)
        details = fields.mapping("details")
        inner = _Doc(details, f"{where}'s 'details'", response)
        output = inner.mapping("output")
        state_name = inner.text("state_name")
        action_id = _first_text(output.get("action_id"), details.get("action_id"))
        task_id = _task_id(details, output)
        code = fields.text("code")
        if (
            task_id is None
            and action_id
            and state_name in transfer_state_names
            and not _waiting(code, details, output)
        ):
            task_id = action_id
        return cls(
            time=fields.time("time"),
            code=code,
            description=fields.text("description"),
            details=details,
            state_name=state_name,
            state_type=inner.text("state_type"),
            action_id=action_id,
            task_id=task_id,
        )

    @property
    def is_failure(self) -> bool:
        return "Fail" in self.code or self.code.endswith(("Canceled", "Cancelled", "TimedOut"))


def _waiting(code: str, details: Mapping[str, Any], output: Mapping[str, Any]) -> bool:
    """The action has not made its task yet: it waits for a consent (INACTIVE, a required
    scope named), so its action id names no task to open."""
    if code == "ActionInactive":
        return True
    for place in (output, details.get("action_details"), details):
        if isinstance(place, Mapping) and (
            place.get("status") == "INACTIVE" or "required_scope" in place
        ):
            return True
    return False


def _first_text(*values: Any) -> str:
    for value in values:
        if isinstance(value, str) and value:
            return value
    return ""


def _task_id(details: Mapping[str, Any], output: Mapping[str, Any]) -> str | None:
    """A Transfer action's task: ``task_id`` in its output's details (the Transfer action
    provider answers the task document there), in its output, or in the entry's details
    (``action_details`` as an ActionStarted entry carries the provider's first answer)."""
    places = (output.get("details"), output, details.get("action_details"), details.get("details"))
    for place in (*places, details):
        if isinstance(place, Mapping):
            value = place.get("task_id")
            if isinstance(value, str) and value:
                return value
    return None


def flows_from_response(source: GlobusResponse | Mapping[str, Any]) -> list[Flow]:
    """The flows of one ``list_flows`` page."""
    page = _Doc(_document(source), "the list of flows", _response_of(source))
    return [
        Flow.from_document(item, where=f"flow {index}", response=page.response)
        for index, item in enumerate(page.objects("flows"))
    ]


def runs_from_response(source: GlobusResponse | Mapping[str, Any]) -> list[FlowRun]:
    """The runs of one ``list_runs`` page."""
    page = _Doc(_document(source), "the list of runs", _response_of(source))
    return [
        FlowRun.from_document(item, where=f"run {index}", response=page.response)
        for index, item in enumerate(page.objects("runs"))
    ]


def log_entries_from_response(
    source: GlobusResponse | Mapping[str, Any],
    *,
    transfer_state_names: frozenset[str] = frozenset(),
) -> list[RunLogEntry]:
    """The entries of one ``get_run_logs`` page, oldest first as the service sends them."""
    page = _Doc(_document(source), "the run log", _response_of(source))
    return [
        RunLogEntry.from_document(
            item,
            transfer_state_names=transfer_state_names,
            where=f"log entry {index}",
            response=page.response,
        )
        for index, item in enumerate(page.objects("entries"))
    ]

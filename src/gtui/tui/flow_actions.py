"""What the user does with a flow or a run, from the Flows screens: check an input, start a
run, cancel one (asked first), resume one (giving the consent it waits for), relabel one.

The first run of a flow needs the flow's own consent: the session's flow client raises
``ConsentMissing`` for it, and ``with_consent_repair`` shows the consent dialog and tries
again, as it does for a collection's ``data_access``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from textual.dom import DOMNode

from gtui.core.errors import AuthorizationRequirement, FlowsAPIError, GlobusError
from gtui.core.flow_models import Flow, FlowRun
from gtui.core.flows import SpecificFlowClient
from gtui.core.scopes import flow_run_scope
from gtui.tui.context import gtui
from gtui.tui.flow_words import identity_id
from gtui.tui.screen_wait import wait_for_screen
from gtui.tui.screens.confirm import ConfirmScreen
from gtui.tui.screens.prompt import PromptScreen
from gtui.tui.session_flows import ask_for_consent, with_consent_repair

LABEL_LIMIT = 64
_DATA_ACCESS = re.compile(r"^https://auth\.globus\.org/scopes/([^/\s\[\]]+)/data_access$")


def flow_client(
    node: DOMNode, flow_id: str, *, calls_transfer: bool = True, data_access: Iterable[str] = ()
) -> SpecificFlowClient:
    return gtui(node).session.specific_flow_client(
        flow_id, calls_transfer=calls_transfer, data_access_collections=list(data_access)
    )


def check_label(value: str) -> str | None:
    """Why a run label is not acceptable, or None."""
    if len(value.strip()) > LABEL_LIMIT:
        return f"A label has at most {LABEL_LIMIT} characters."
    return None


async def validate(
    node: DOMNode, flow: Flow, body: Mapping[str, Any], label: str, data_access: Iterable[str]
) -> FlowsAPIError | None:
    """The service's answer to this input: None when it would run, else its error (whose
    ``field_errors`` name the fields). Other errors propagate."""
    client = flow_client(node, flow.id, calls_transfer=flow.calls_transfer, data_access=data_access)
    try:
        await with_consent_repair(
            node,
            lambda: client.validate_run(body, label=label.strip() or None),
            names={flow.id: flow.title},
        )
    except FlowsAPIError as exc:
        if exc.http_status in (400, 422):
            return exc
        raise
    return None


async def start(
    node: DOMNode, flow: Flow, body: Mapping[str, Any], label: str, data_access: Iterable[str]
) -> FlowRun:
    """Start a run of ``flow`` with ``body`` (asking the flow's consent the first time)."""
    client = flow_client(node, flow.id, calls_transfer=flow.calls_transfer, data_access=data_access)
    response = await with_consent_repair(
        node,
        lambda: client.run_flow(body, label=label.strip() or None),
        names={flow.id: flow.title},
    )
    return FlowRun.from_response(response)


async def refresh(node: DOMNode, run_id: str) -> FlowRun:
    flows = gtui(node).session.flows
    response = await with_consent_repair(node, lambda: flows.get_run(run_id))
    return FlowRun.from_response(response)


async def confirm_deletes(node: DOMNode, flow: Flow, steps: list[str], places: list[str]) -> bool:
    """Ask before a flow that deletes files runs: which of its steps delete, and the
    collections and folders the form gives it (a source prefilled from a pane is easy to
    send unread)."""
    worded = ", ".join(f"“{step}”" for step in steps)
    confirmed = await wait_for_screen(
        node.app,
        ConfirmScreen(
            "Start a flow that deletes files?",
            f"“{flow.title}” deletes files in its step{'s' if len(steps) > 1 else ''} {worded}. "
            "It is given these places:",
            places,
            yes="Start the run",
            no="Back to the form",
        ),
    )
    return bool(confirmed)


async def cancel(node: DOMNode, run: FlowRun) -> FlowRun | None:
    """Cancel a run once the user says yes; the run as the service then has it."""
    if run.is_finished:
        node.app.notify("This run has already ended.", timeout=3)
        return None
    name = run.label or run.flow_title or run.run_id
    confirmed = await wait_for_screen(
        node.app,
        ConfirmScreen(
            "Cancel the run?",
            f"“{name}” stops where it is. A transfer it started is canceled too; files already "
            "copied stay where they are.",
            yes="Cancel the run",
            no="Keep it running",
        ),
    )
    if not confirmed:
        return None
    app = gtui(node)
    try:
        response = await with_consent_repair(node, lambda: app.session.flows.cancel_run(run.run_id))
    except GlobusError as exc:
        app.report_error(exc, f"Canceling the run “{name}”")
        return None
    node.app.notify(f"Run “{name}” canceled.", timeout=3, markup=False)
    return FlowRun.from_response(response)


def consent_for(run: FlowRun, requirement: AuthorizationRequirement) -> AuthorizationRequirement:
    """The consent that lets an INACTIVE run go on: the flow's scope with what its action
    lacks nested (a collection's ``data_access`` under Transfer's), since a flow acts only
    through its own scope; other requirements as the service gives them."""
    collections = [
        match.group(1)
        for scope in requirement.required_scopes
        if (match := _DATA_ACCESS.match(scope.lstrip("*").split("[", 1)[0]))
    ]
    if not collections:
        return requirement
    scope = flow_run_scope(run.flow_id, data_access_collection_ids=collections)
    return AuthorizationRequirement(
        code="ConsentRequired",
        required_scopes=(scope,),
        session_message=requirement.session_message,
    )


async def resume(node: DOMNode, run: FlowRun) -> FlowRun | None:
    """Resume an INACTIVE run; first the consent it waits for, when it waits for one."""
    if run.status != "INACTIVE":
        node.app.notify("Only a run that waits (INACTIVE) can be resumed.", timeout=3)
        return None
    app = gtui(node)
    requirement = run.inactive_requirement()
    titles = {run.flow_id: run.flow_title} if run.flow_title else {}
    collections: list[str] = []
    if requirement is not None:
        needed = consent_for(run, requirement)
        collections = [
            match.group(1)
            for scope in requirement.required_scopes
            if (match := _DATA_ACCESS.match(scope.lstrip("*").split("[", 1)[0]))
        ]
        if not await ask_for_consent(node.app, app.session, needed, names=titles):
            return None
    client = flow_client(node, run.flow_id, data_access=collections)
    name = run.label or run.flow_title or run.run_id
    try:
        response = await with_consent_repair(
            node, lambda: client.resume_run(run.run_id), names=titles
        )
    except GlobusError as exc:
        app.report_error(exc, f"Resuming the run “{name}”")
        return None
    node.app.notify(f"Run “{name}” resumed.", timeout=3, markup=False)
    return FlowRun.from_response(response)


async def relabel(node: DOMNode, run: FlowRun) -> FlowRun | None:
    """A new label for the run (``update_run``)."""
    label = await wait_for_screen(
        node.app,
        PromptScreen(
            "Label this run",
            value=run.label,
            hint=f"At most {LABEL_LIMIT} characters.",
            check=check_label,
        ),
    )
    if label is None or label.strip() == run.label:
        return None
    app = gtui(node)
    try:
        response = await with_consent_repair(
            node, lambda: app.session.flows.update_run(run.run_id, label=label.strip())
        )
    except GlobusError as exc:
        app.report_error(exc, "Relabeling the run")
        return None
    return FlowRun.from_response(response)


async def owner_names(node: DOMNode, urns: Iterable[str], known: dict[str, str]) -> None:
    """Fill ``known`` with the username of each identity URN not in it yet (``you`` for the
    logged-in identity); principals that are not identities keep their text."""
    app = gtui(node)
    me = app.session.identity
    wanted: dict[str, str] = {}
    for urn in urns:
        if urn in known or not urn:
            continue
        identity = identity_id(urn)
        if me is not None and identity == me.id:
            known[urn] = "you"
        elif identity != urn:
            wanted[identity] = urn
        else:
            known[urn] = urn
    if not wanted:
        return
    try:
        response = await app.session.auth.get_identities(ids=list(wanted))
    except GlobusError:
        return
    for doc in response.documents("identities"):
        found = wanted.get(str(doc.get("id")))
        if found is not None and isinstance(doc.get("username"), str):
            known[found] = doc["username"]

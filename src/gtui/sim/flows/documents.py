"""A flow and a run as the Flows API answers them (field for field as the SDK's fixtures).

A run's ``details`` says where it stands: for an unfinished run the latest entry of its log
(what it is doing, or for an INACTIVE run why it waits), for a finished one the final entry
(``FlowSucceeded`` with the run's ``output``, ``FlowFailed``, ``FlowCanceled``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from gtui.sim.auth.clients import client_username
from gtui.sim.auth.scopes import flow_scope
from gtui.sim.flows.model import SUCCEEDED, Flow, Run
from gtui.sim.flows.roles import identity_urn

FLOWS_URL = "https://flows.globus.org/flows/"


def iso(moment: float | None) -> str | None:
    if moment is None:
        return None
    return datetime.fromtimestamp(moment, UTC).isoformat()


def flow_document(flow: Flow, user_role: str | None) -> dict[str, Any]:
    owner = identity_urn(flow.owner_id)
    return {
        "id": flow.flow_id,
        "title": flow.title,
        "subtitle": flow.subtitle,
        "description": flow.description,
        "keywords": list(flow.keywords),
        "definition": flow.definition,
        "input_schema": flow.input_schema,
        "globus_auth_scope": flow_scope(flow.flow_id),
        "globus_auth_username": client_username(flow.flow_id),
        "principal_urn": identity_urn(flow.flow_id),
        "synchronous": False,
        "log_supported": True,
        "types": ["Action"],
        "api_version": "1.0",
        "action_url": f"{FLOWS_URL}{flow.flow_id}",
        "flow_url": f"{FLOWS_URL}{flow.flow_id}",
        "created_at": iso(flow.created_at),
        "updated_at": iso(flow.updated_at),
        "created_by": owner,
        "flow_owner": owner,
        "flow_viewers": list(flow.viewers),
        "flow_starters": list(flow.starters),
        "flow_administrators": list(flow.administrators),
        "run_managers": list(flow.run_managers),
        "run_monitors": list(flow.run_monitors),
        "visible_to": list(flow.viewers),
        "runnable_by": list(flow.starters),
        "administered_by": list(flow.administrators),
        "subscription_id": flow.subscription_id,
        "authentication_policy_id": None,
        "user_role": user_role,
    }


def deleted_flow_document(flow: Flow, user_role: str | None, now: float) -> dict[str, Any]:
    """What ``DELETE /flows/{id}`` answers: the flow as it was, marked deleted."""
    return {**flow_document(flow, user_role), "DELETED": True, "deleted_at": iso(now)}


def run_details(run: Run, last_log: dict[str, Any] | None) -> dict[str, Any]:
    if run.status == SUCCEEDED:
        return {
            "code": "FlowSucceeded",
            "description": "The Flow run reached a successful completion state",
            "output": run.progress.get("output"),
        }
    if last_log is not None:
        return dict(last_log)
    return {
        "code": "FlowStarting",
        "description": "The Flow is starting execution",
        "details": {"input": run.progress.get("data")},
    }


def run_document(
    run: Run,
    user_role: str | None,
    last_log: dict[str, Any] | None,
    flow: Flow | None = None,
) -> dict[str, Any]:
    """The run; with ``flow``, its flow's description too (``include_flow_description``)."""
    managers = list(run.run_managers)
    monitors = list(run.run_monitors)
    document: dict[str, Any] = {
        "run_id": run.run_id,
        "action_id": run.run_id,
        "flow_id": run.flow_id,
        "flow_title": run.flow_title,
        "flow_last_updated": iso(run.flow_last_updated),
        "label": run.label,
        "tags": list(run.tags),
        "status": run.status,
        "display_status": run.status,
        "start_time": iso(run.start_time),
        "completion_time": iso(run.completion_time),
        "details": run_details(run, last_log),
        "run_owner": identity_urn(run.owner_id),
        "created_by": identity_urn(run.owner_id),
        "run_managers": managers,
        "run_monitors": monitors,
        "manage_by": managers,
        "monitor_by": monitors,
        "user_role": user_role,
        "activity_notification_policy": run.activity_notification_policy,
    }
    if flow is not None:
        document["flow_description"] = {
            "id": flow.flow_id,
            "title": flow.title,
            "subtitle": flow.subtitle,
            "description": flow.description,
            "keywords": list(flow.keywords),
            "globus_auth_scope": flow_scope(flow.flow_id),
            "flow_owner": identity_urn(flow.owner_id),
            "created_by": identity_urn(flow.owner_id),
            "created_at": iso(flow.created_at),
            "updated_at": iso(flow.updated_at),
        }
    return document

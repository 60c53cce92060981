"""The demo world's flows, made once when the Flows tables are created.

The demo user owns three flows that really move data: "Move" (a transfer, then a delete of
the source), "Two-stage transfer" (instrument → scratch → archive, a Choice between the hops)
and "Archive" (into the Tape Archive, which needs its ``data_access`` consent). Move may be
started by anyone logged in. The other user shares one flow with the demo user as a starter,
one only as a viewer, and keeps one private, so that role filters have something to tell
apart. Collection and path inputs use one schema shape (``format: globus-collection``) that
a client can offer a collection picker for.
"""

from __future__ import annotations

import copy
from typing import Any

from gtui.sim.flows.actions import DELETE_URL, TRANSFER_URL
from gtui.sim.flows.model import Flow
from gtui.sim.flows.roles import ALL_AUTHENTICATED, identity_urn
from gtui.sim.ids import (
    ARCHIVE_FLOW_ID,
    ARCHIVE_ID,
    DEMO_USER_ID,
    LAPTOP_ID,
    MOVE_FLOW_ID,
    OTHER_USER_ID,
    PRIVATE_FLOW_ID,
    SCRATCH_ID,
    SHARED_FLOW_ID,
    TWO_STAGE_FLOW_ID,
    VIEW_ONLY_FLOW_ID,
)

MADE_AT = 1_767_690_000.0  # 2026-01-06, when the demo's flows were made
SYNC_LEVELS = ["exists", "size", "mtime", "checksum"]


def collection_path(title: str, collection: str | None = None, path: str | None = None) -> Any:
    """The input shape of a collection and a path on it (with a default, if given)."""
    schema: dict[str, Any] = {
        "type": "object",
        "title": title,
        "format": "globus-collection",
        "properties": {
            "id": {"type": "string", "format": "uuid", "title": "Collection"},
            "path": {"type": "string", "title": "Path"},
        },
        "required": ["id", "path"],
        "additionalProperties": False,
    }
    if collection is not None and path is not None:
        schema["default"] = {"id": collection, "path": path}
    return schema


def _options() -> dict[str, Any]:
    return {
        "label": {
            "type": "string",
            "title": "Task label",
            "description": "The label of the transfer tasks the run makes",
            "maxLength": 64,
            "default": "Moved by a flow",
        },
        "verify_checksum": {"type": "boolean", "title": "Verify checksums", "default": True},
        "sync_level": {
            "type": "string",
            "title": "Skip files already there when they match by",
            "enum": SYNC_LEVELS,
            "default": "checksum",
        },
    }


def _transfer(
    source: str, destination: str, *, result: str, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    """An Action state copying ``source`` to ``destination`` (JSONPaths of the input)."""
    return {
        "Type": "Action",
        "ActionUrl": TRANSFER_URL,
        "Parameters": {
            "source_endpoint.$": f"{source}.id",
            "destination_endpoint.$": f"{destination}.id",
            "DATA": [
                {"source_path.$": f"{source}.path", "destination_path.$": f"{destination}.path"}
            ],
            "label.$": "$.label",
            "verify_checksum.$": "$.verify_checksum",
            "sync_level.$": "$.sync_level",
            **(extra or {}),
        },
        "ResultPath": result,
        "WaitTime": 86_400,
        "ExceptionOnActionFailure": True,
    }


def move_flow() -> Flow:
    definition = {
        "Comment": "Copy a file or folder, then delete the source once the copy succeeded",
        "StartAt": "Copy",
        "States": {
            "Copy": {
                **_transfer("$.source", "$.destination", result="$.CopyResult"),
                "Next": "Delete",
            },
            "Delete": {
                "Type": "Action",
                "ActionUrl": DELETE_URL,
                "Parameters": {
                    "endpoint.$": "$.source.id",
                    "DATA": [{"path.$": "$.source.path", "recursive": True}],
                    "recursive": True,
                    "label.$": "$.label",
                },
                "ResultPath": "$.DeleteResult",
                "WaitTime": 86_400,
                "ExceptionOnActionFailure": True,
                "End": True,
            },
        },
    }
    schema = {
        "type": "object",
        "title": "Move",
        "properties": {
            "source": collection_path("Source", LAPTOP_ID, "/~/"),
            "destination": collection_path("Destination", SCRATCH_ID, "/~/"),
            **_options(),
        },
        "required": ["source", "destination", "label", "verify_checksum", "sync_level"],
        "additionalProperties": False,
    }
    return Flow(
        MOVE_FLOW_ID,
        DEMO_USER_ID,
        "Move (copy, then delete the source)",
        definition,
        schema,
        MADE_AT,
        MADE_AT,
        subtitle="Copy files to another collection, then delete them where they were",
        description=(
            "Transfers a file or folder to the destination and, once every file has arrived,"
            " deletes it from the source."
        ),
        keywords=["move", "transfer", "delete"],
        starters=[ALL_AUTHENTICATED],
    )


def two_stage_flow() -> Flow:
    definition = {
        "Comment": "Instrument to scratch, then scratch to the archive",
        "StartAt": "ToScratch",
        "States": {
            "ToScratch": {
                **_transfer("$.source", "$.staging", result="$.FirstHop"),
                "Next": "CheckFirstHop",
            },
            "CheckFirstHop": {
                "Type": "Choice",
                "Choices": [
                    {"Variable": "$.FirstHop.status", "StringEquals": "SUCCEEDED", "Next": "Settle"}
                ],
                "Default": "FirstHopFailed",
            },
            "Settle": {"Type": "Wait", "SecondsPath": "$.settle_seconds", "Next": "ToArchive"},
            "ToArchive": {
                **_transfer("$.staging", "$.destination", result="$.SecondHop"),
                "End": True,
            },
            "FirstHopFailed": {
                "Type": "Fail",
                "Error": "FirstHopFailed",
                "Cause": "The copy to the staging collection did not succeed",
            },
        },
    }
    schema = {
        "type": "object",
        "title": "Two-stage transfer",
        "properties": {
            "source": collection_path("Instrument data", LAPTOP_ID, "/~/"),
            "staging": collection_path("Staging area", SCRATCH_ID, "/~/staging/"),
            "destination": collection_path("Archive", ARCHIVE_ID, "/~/"),
            **_options(),
            "settle_seconds": {
                "type": "integer",
                "title": "Wait between the two hops (seconds)",
                "minimum": 0,
                "maximum": 3600,
                "default": 0,
            },
        },
        "required": [
            "source",
            "staging",
            "destination",
            "label",
            "verify_checksum",
            "sync_level",
            "settle_seconds",
        ],
        "additionalProperties": False,
    }
    return Flow(
        TWO_STAGE_FLOW_ID,
        DEMO_USER_ID,
        "Two-stage transfer (instrument → scratch → archive)",
        definition,
        schema,
        MADE_AT,
        MADE_AT + 60,
        subtitle="Stage instrument data on scratch, then keep it in the archive",
        description="Copies to a staging collection first and, once that succeeded, onwards.",
        keywords=["instrument", "staging", "archive", "transfer"],
    )


def archive_flow() -> Flow:
    definition: dict[str, Any] = {
        "Comment": "Copy into the Tape Archive (needs its data_access consent)",
        "StartAt": "Archive",
        "States": {
            "Archive": {
                **_transfer(
                    "$.source",
                    "$.destination",
                    result="$.ArchiveResult",
                    extra={
                        "destination_endpoint": ARCHIVE_ID,
                        "DATA": [
                            {
                                "source_path.$": "$.source.path",
                                "destination_path.$": "$.archive_path",
                            }
                        ],
                    },
                ),
                "End": True,
            }
        },
    }
    definition["States"]["Archive"]["Parameters"].pop("destination_endpoint.$")
    options = _options()
    options["label"]["default"] = "Archived by a flow"
    schema = {
        "type": "object",
        "title": "Archive",
        "properties": {
            "source": collection_path("Source", LAPTOP_ID, "/~/"),
            "archive_path": {
                "type": "string",
                "title": "Path in the Tape Archive",
                "default": "/~/",
            },
            **options,
        },
        "required": ["source", "archive_path", "label", "verify_checksum", "sync_level"],
        "additionalProperties": False,
    }
    return Flow(
        ARCHIVE_FLOW_ID,
        DEMO_USER_ID,
        "Archive to tape",
        definition,
        schema,
        MADE_AT,
        MADE_AT + 120,
        subtitle="Keep a copy in the Tape Archive",
        description=(
            "Copies a file or folder into the Tape Archive, whose data needs your data_access"
            " consent: the run waits (INACTIVE) until you give it."
        ),
        keywords=["archive", "tape", "consent"],
    )


def _others_flow(
    flow_id: str, title: str, *, starters: list[str] | None = None, viewers: list[str] | None = None
) -> Flow:
    move = move_flow()
    return Flow(
        flow_id,
        OTHER_USER_ID,
        title,
        copy.deepcopy(move.definition),
        copy.deepcopy(move.input_schema),
        MADE_AT - 86_400,
        MADE_AT - 3600,
        subtitle="A flow of the HPC team",
        description="Made by the HPC cluster's administrators.",
        keywords=["hpc"],
        starters=starters or [],
        viewers=viewers or [],
    )


def demo_flows() -> list[Flow]:
    demo = identity_urn(DEMO_USER_ID)
    return [
        move_flow(),
        two_stage_flow(),
        archive_flow(),
        _others_flow(SHARED_FLOW_ID, "Tidy scratch (shared with you)", starters=[demo]),
        _others_flow(VIEW_ONLY_FLOW_ID, "Cluster housekeeping (view only)", viewers=[demo]),
        _others_flow(PRIVATE_FLOW_ID, "Cluster maintenance (private)"),
    ]

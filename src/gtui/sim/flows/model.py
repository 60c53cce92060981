"""A flow and a run as the Flows service keeps them (one row each in the service database).

A run keeps its own copy of the definition and input schema it started with: a flow updated
or deleted later changes nothing of the runs it already has. ``progress`` is the
interpreter's (``asl``), opaque here but for its ``status``, ``output``, ``error`` and
``state``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ACTIVE = "ACTIVE"
INACTIVE = "INACTIVE"
SUCCEEDED = "SUCCEEDED"
FAILED = "FAILED"
ENDED = "ENDED"
RUN_STATUSES = (ACTIVE, INACTIVE, SUCCEEDED, FAILED, ENDED)
FINISHED = frozenset({SUCCEEDED, FAILED, ENDED})


@dataclass
class Flow:
    flow_id: str
    owner_id: str
    title: str
    definition: dict[str, Any]
    input_schema: dict[str, Any]
    created_at: float
    updated_at: float
    subtitle: str = ""
    description: str = ""
    keywords: list[str] = field(default_factory=list)
    viewers: list[str] = field(default_factory=list)
    starters: list[str] = field(default_factory=list)
    administrators: list[str] = field(default_factory=list)
    run_managers: list[str] = field(default_factory=list)
    run_monitors: list[str] = field(default_factory=list)
    subscription_id: str | None = None


@dataclass
class Run:
    run_id: str
    flow_id: str
    owner_id: str
    label: str
    status: str
    start_time: float
    flow_title: str
    flow_last_updated: float
    definition: dict[str, Any]
    input_schema: dict[str, Any]
    progress: dict[str, Any]
    completion_time: float | None = None
    tags: list[str] = field(default_factory=list)
    run_managers: list[str] = field(default_factory=list)
    run_monitors: list[str] = field(default_factory=list)
    activity_notification_policy: dict[str, Any] = field(
        default_factory=lambda: {"status": [INACTIVE]}
    )

"""What the interpreter needs from the service around it, and nothing more.

The interpreter runs flow definitions; starting, polling and cancelling actions, and the
clock, belong to the Flows service. Keeping them behind this protocol lets the interpreter be
tested with an in-memory action provider and a virtual clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class ActionStatus:
    """One answer of an action provider about one action."""

    action_id: str
    status: str  # "ACTIVE" | "INACTIVE" | "SUCCEEDED" | "FAILED"
    details: Any = None  # the action's output (SUCCEEDED) or error detail (FAILED/INACTIVE)
    display_status: str | None = None
    required_scope: str | None = None  # set when INACTIVE because a consent is missing


@dataclass(frozen=True)
class RunInfo:
    """The run an action is started for (who owns it, what it is called)."""

    run_id: str
    flow_id: str
    owner_id: str  # identity id of the run's owner
    label: str


class ActionUnknown(Exception):
    """Raised by a port for an ActionUrl it does not serve."""


class ActionPorts(Protocol):
    """The action providers and the clock, as the service offers them."""

    async def start_action(
        self, action_url: str, parameters: dict[str, Any], run: RunInfo
    ) -> ActionStatus: ...

    async def action_status(
        self, action_url: str, action_id: str, run: RunInfo
    ) -> ActionStatus: ...

    async def cancel_action(self, action_url: str, action_id: str, run: RunInfo) -> None: ...

    def now(self) -> datetime:
        """Aware UTC time on the service's clock."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait on the service's clock (tests step it)."""
        ...

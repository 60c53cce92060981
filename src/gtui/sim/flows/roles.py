"""Who may do what with a flow or a run: the roles Globus Flows gives, from the principals a
caller is (their identity and their groups' URNs).

A flow's roles rank owner > administrator > starter > viewer, each holding the ones below it;
``public`` among the viewers lets anyone see it, ``all_authenticated_users`` among the viewers
or starters anyone logged in. A flow's ``run_managers`` and ``run_monitors`` manage or watch
every run of it. A run's own roles: its owner, its ``run_managers`` (may cancel, relabel,
release) and ``run_monitors`` (may watch).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gtui.sim.flows.model import Flow, Run

IDENTITY_URN = "urn:globus:auth:identity:"
GROUP_URN = "urn:globus:groups:id:"
PUBLIC = "public"
ALL_AUTHENTICATED = "all_authenticated_users"
PRINCIPAL = re.compile(
    r"^urn:globus:(auth:identity|groups:id):[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
)

FLOW_OWNER = "flow_owner"
FLOW_ADMINISTRATOR = "flow_administrator"
FLOW_STARTER = "flow_starter"
FLOW_VIEWER = "flow_viewer"
FLOW_RANKS = (FLOW_VIEWER, FLOW_STARTER, FLOW_ADMINISTRATOR, FLOW_OWNER)
FLOW_ROLE_FILTERS = (*FLOW_RANKS, "run_manager", "run_monitor")

RUN_OWNER = "run_owner"
RUN_MANAGER = "run_manager"
RUN_MONITOR = "run_monitor"
FLOW_RUN_MANAGER = "flow_run_manager"
FLOW_RUN_MONITOR = "flow_run_monitor"
RUN_RANKS = (RUN_OWNER, RUN_MANAGER, FLOW_RUN_MANAGER, RUN_MONITOR, FLOW_RUN_MONITOR)
MANAGING_RUN_ROLES = frozenset({RUN_OWNER, RUN_MANAGER, FLOW_RUN_MANAGER})


def identity_urn(identity_id: str) -> str:
    return f"{IDENTITY_URN}{identity_id}"


def group_urn(group_id: str) -> str:
    return f"{GROUP_URN}{group_id}"


@dataclass(frozen=True)
class Principals:
    """A caller as Flows' role lists name them."""

    identity_id: str
    urns: frozenset[str]

    def named_in(self, principals: list[str], *, anyone: str | None = None) -> bool:
        return any(p in self.urns or (anyone is not None and p == anyone) for p in principals)


def flow_role(flow: Flow, who: Principals) -> str | None:
    """The caller's strongest role on the flow, if any."""
    if who.identity_id == flow.owner_id:
        return FLOW_OWNER
    if who.named_in(flow.administrators):
        return FLOW_ADMINISTRATOR
    if who.named_in(flow.starters, anyone=ALL_AUTHENTICATED):
        return FLOW_STARTER
    if (
        who.named_in(flow.viewers, anyone=ALL_AUTHENTICATED)
        or PUBLIC in flow.viewers
        or who.named_in(flow.run_managers)
        or who.named_in(flow.run_monitors)
    ):
        return FLOW_VIEWER
    return None


def at_least(role: str | None, wanted: str) -> bool:
    """Whether ``role`` holds ``wanted`` (a stronger flow role holds the weaker ones)."""
    return role is not None and FLOW_RANKS.index(role) >= FLOW_RANKS.index(wanted)


def flow_roles(flow: Flow, who: Principals) -> set[str]:
    """Every role the caller holds on the flow, the ones a stronger role implies included,
    and ``run_manager``/``run_monitor`` when the flow names them so."""
    role = flow_role(flow, who)
    held = {r for r in FLOW_RANKS if at_least(role, r)}
    if who.named_in(flow.run_managers):
        held.add("run_manager")
    if who.named_in(flow.run_monitors):
        held.add("run_monitor")
    return held


def run_roles(run: Run, flow: Flow | None, who: Principals) -> set[str]:
    """Every role the caller holds on a run (its flow's run managers and monitors count)."""
    held: set[str] = set()
    if who.identity_id == run.owner_id:
        held.add(RUN_OWNER)
    if who.named_in(run.run_managers):
        held.add(RUN_MANAGER)
    if who.named_in(run.run_monitors):
        held.add(RUN_MONITOR)
    if flow is not None:
        if who.named_in(flow.run_managers):
            held.add(FLOW_RUN_MANAGER)
        if who.named_in(flow.run_monitors):
            held.add(FLOW_RUN_MONITOR)
    return held


def strongest_run_role(held: set[str]) -> str | None:
    return next((r for r in RUN_RANKS if r in held), None)

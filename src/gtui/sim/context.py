"""The state every route of the service shares, and how a route finds it from its request.

It has a module of its own so that the application (which builds it) and the route modules
(which read it) never import each other; the services it holds are named for typing only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from gtui.sim.faults import new_counts

if TYPE_CHECKING:
    from starlette.requests import Request

    from gtui.sim.auth.signing_key import SigningKey
    from gtui.sim.auth.tokens import AuthService
    from gtui.sim.clock import SimClock
    from gtui.sim.database import Database
    from gtui.sim.flows.service import FlowsService
    from gtui.sim.gcs.service import GCSService
    from gtui.sim.groups.service import GroupsService
    from gtui.sim.search.index import SearchIndex
    from gtui.sim.settings import SimSettings
    from gtui.sim.state_lock import StateLock
    from gtui.sim.timers.service import TimersService
    from gtui.sim.transfer.access_policy import AccessPolicy
    from gtui.sim.transfer.service import TransferService
    from gtui.sim.world import World


@dataclass
class SimContext:
    """The world, the settings, the database, the clock and the services of one run (on
    ``app.state.ctx``).

    ``transfer``, ``timers`` and ``flows`` are set by ``build_app``, before the first
    request: their engine, scheduler and runs live and die with the application. ``clock`` is
    the virtual time Timers schedule by and flows' runs wait by. ``access`` decides who may
    see, read and write what on a collection (roles and access rules,
    ``transfer/access_policy.py``); the Transfer routes set it.
    """

    settings: SimSettings
    world: World
    key: SigningKey
    auth: AuthService
    groups: GroupsService
    search: SearchIndex
    db: Database
    clock: SimClock
    transfer: TransferService | None = None
    timers: TimersService | None = None
    flows: FlowsService | None = None
    access: AccessPolicy | None = None
    gcs: GCSService | None = None
    fault_counts: dict[str, int] = field(default_factory=new_counts)
    lock: StateLock | None = None


def context_of(request: Request) -> SimContext:
    """The context of the application serving ``request``."""
    ctx: SimContext = request.app.state.ctx
    return ctx

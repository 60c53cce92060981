"""The Flows side of the embedded service: its store, the runs under way, their lifetime.

Flows lean on the other services through narrow doors: Auth says whether a run's owner holds
a consent and mints the tokens actions act with; Transfer is reached over HTTP for submits
(``acting_client.py``) and read in process for the tasks actions made.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from gtui.sim.acting_client import ActingClient
from gtui.sim.auth.scopes import FLOWS_CLIENT_ID, TRANSFER_ALL, data_access_scope, flow_scope
from gtui.sim.errors import SimAPIError
from gtui.sim.flows import asl
from gtui.sim.flows.action_documents import delete_collections, transfer_collections
from gtui.sim.flows.actions import TransferActions, action_kind
from gtui.sim.flows.demo import demo_flows
from gtui.sim.flows.model import ACTIVE, FINISHED, INACTIVE, Flow, Run
from gtui.sim.flows.runner import Runner, run_info
from gtui.sim.flows.store import FlowStore

if TYPE_CHECKING:
    from starlette.types import ASGIApp

    from gtui.sim.auth.tokens import AuthService
    from gtui.sim.clock import SimClock
    from gtui.sim.database import Database
    from gtui.sim.settings import SimSettings
    from gtui.sim.transfer.service import TransferService

"""The client the Flows service acts as when a run's action submits a task."""
BASE_URL = "http://flows.internal"
CONSENT_REQUIRED = "ConsentRequired"


class FlowsService:
    """Owns the flow store and the runner; ``start``/``stop`` run in the app's lifespan,
    after Transfer starts and before it stops (actions submit to Transfer)."""

    def __init__(
        self,
        settings: SimSettings,
        db: Database,
        clock: SimClock,
        auth: AuthService,
        transfer: TransferService,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.auth = auth
        self.transfer = transfer
        self.store = FlowStore(db)
        self.store.create_tables(on_create=_seed_demo_flows)
        self._acting: ActingClient | None = None
        self.ports: TransferActions | None = None
        self.runner: Runner | None = None

    async def start(self, app: ASGIApp) -> None:
        """Go on with the runs under way; actions reach Transfer through ``app``."""
        self._acting = ActingClient(app, self.auth, self.settings, FLOWS_CLIENT_ID, BASE_URL)
        self.ports = TransferActions(
            self._acting,
            self.store,
            self.clock,
            self.settings,
            self.auth.holds_consent,
            self.transfer.task_document,
        )
        self.runner = Runner(self.store, self.ports, self.clock)
        await self.runner.start()

    async def stop(self) -> None:
        """Stop driving runs (their saves stay valid: a restart goes on from them)."""
        try:
            if self.runner is not None:
                await self.runner.stop()
        finally:
            self.runner = None
            if self._acting is not None:
                await self._acting.close()
                self._acting = None

    def _running(self) -> tuple[TransferActions, Runner]:
        if self.ports is None or self.runner is None:
            raise SimAPIError(503, "SERVICE_UNAVAILABLE", "The Flows service is not running")
        return self.ports, self.runner

    # -- runs -------------------------------------------------------------------------------
    def start_run(self, flow: Flow, owner_id: str, request: dict[str, Any]) -> Run:
        """A new ACTIVE run of ``flow`` with the request's input, label and roles."""
        ports, runner = self._running()
        body = request["body"]
        now = self.clock.now()
        run = Run(
            run_id=str(uuid.uuid4()),
            flow_id=flow.flow_id,
            owner_id=owner_id,
            label=request.get("label") or flow.title[:64],
            status=ACTIVE,
            start_time=now,
            flow_title=flow.title,
            flow_last_updated=flow.updated_at,
            definition=flow.definition,
            input_schema=flow.input_schema,
            progress=asl.Interpreter(flow.definition, ports).begin(body),
            tags=list(request.get("tags") or []),
            run_managers=list(request.get("run_managers") or []),
            run_monitors=list(request.get("run_monitors") or []),
        )
        policy = request.get("activity_notification_policy")
        if isinstance(policy, dict):
            run.activity_notification_policy = policy
        self.store.add_run(run)
        runner.drive(run.run_id)
        return run

    async def cancel_run(self, run: Run) -> Run:
        """End a run that has not finished: its waiting action is cancelled too."""
        ports, runner = self._running()
        await runner.halt(run.run_id)
        current = self.store.run(run.run_id) or run
        if current.status in FINISHED:
            return current
        interpreter = asl.Interpreter(current.definition, ports)
        final = await interpreter.cancel(
            current.progress, run_info(current), runner.log_to(run.run_id)
        )
        self.store.change_run(run.run_id, runner.progress_changes(final))
        return self.store.run(run.run_id) or current

    def resume_run(self, run: Run) -> Run:
        """Make an INACTIVE run ACTIVE again; a 403 naming the consent while its owner
        still lacks one its waiting action needs."""
        ports, runner = self._running()
        missing = self.missing_consents(run)
        if missing:
            raise consent_required(run.flow_id, missing)
        if run.status == INACTIVE:
            interpreter = asl.Interpreter(run.definition, ports)
            progress = interpreter.resume(run.progress)
            self.store.change_run(run.run_id, runner.progress_changes(progress))
        runner.drive(run.run_id)
        return self.store.run(run.run_id) or run

    def missing_consents(self, run: Run) -> list[str]:
        """The collections whose ``data_access`` consent the run's waiting actions need and
        its owner does not hold."""
        if run.status != INACTIVE:
            return []
        missing: list[str] = []
        for stored in self.store.unfinished_actions(run.run_id):
            try:
                kind = action_kind(stored.action_url)
                get = transfer_collections if kind == "transfer" else delete_collections
                collections = get(stored.parameters)
            except (asl.ActionUnknown, ValueError):
                continue
            for collection in collections:
                if (
                    collection in self.settings.faults.consent_collections
                    and not self.auth.holds_consent(run.owner_id, data_access_scope(collection))
                    and collection not in missing
                ):
                    missing.append(collection)
        return missing


def consent_required(flow_id: str, missing: list[str]) -> SimAPIError:
    """The 403 a resume answers while a consent is missing: the flow's scope with Transfer's
    and the collections' ``data_access`` below it, which a client's consent repair asks for."""
    below = " ".join(f"*{data_access_scope(c)}" for c in missing)
    scope = f"{flow_scope(flow_id)}[{TRANSFER_ALL}[{below}]]"
    message = "Missing required data_access consent"
    return SimAPIError(
        403,
        CONSENT_REQUIRED,
        f"{message}: consent to it, then resume the run",
        authorization_parameters={"session_message": message, "required_scopes": [scope]},
    )


def _seed_demo_flows(conn: Any) -> None:
    for flow in demo_flows():
        FlowStore.insert_flow(conn, flow)

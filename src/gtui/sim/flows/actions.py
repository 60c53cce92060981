"""The action providers runs call, and the clock they wait by: the service's side of the
interpreter's ``ActionPorts``.

Two Transfer action providers are served, ``…/transfer`` and ``…/delete``: each action is a
real task submitted to the embedded Transfer over HTTP with a token minted for the run's
owner (``acting_client.py``), and reports what the task does (ACTIVE while it runs, then
SUCCEEDED or FAILED with the task document as ``details``). An action's id is the task's
``submission_id``, derived from the run, the parameters and how many such actions the run has
finished: a service killed after submitting but before the interpreter saved the id submits
again with the same id, and Transfer answers with the task it already made. The same id makes
a transient failure of the submit harmless: a 5xx, a 429 or a dropped connection (which may
have made the task) leaves the action ACTIVE (``Retrying``) and the next poll submits again,
until the state's ``WaitTime``; Transfer answers a repeat with the task it made
(``Duplicate``). The task's status is read in process, beside Transfer's store, so no fault
reaches it.

An action on a collection that needs ``data_access`` consent the owner does not hold starts
no task: it is INACTIVE with ``required_scope`` (the consent), and is asked again when the run
is resumed, submitting its task once the consent is there.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import httpx

from gtui.sim.auth.scopes import data_access_scope
from gtui.sim.flows import asl
from gtui.sim.flows.action_documents import (
    BadParameters,
    delete_collections,
    delete_document,
    transfer_collections,
    transfer_document,
)

if TYPE_CHECKING:
    from gtui.sim.acting_client import ActingClient
    from gtui.sim.clock import SimClock
    from gtui.sim.flows.store import FlowStore, StoredAction
    from gtui.sim.settings import SimSettings

log = logging.getLogger(__name__)

TRANSFER_URL = "https://transfer.actions.globus.org/transfer"
DELETE_URL = "https://transfer.actions.globus.org/delete"
# The names Globus's Transfer action providers had before (the SDK's fixtures still use them).
OLDER_URLS = {
    "https://actions.globus.org/transfer/transfer": TRANSFER_URL,
    "https://actions.globus.org/transfer/delete": DELETE_URL,
}
KNOWN_ACTION_URLS = frozenset({TRANSFER_URL, DELETE_URL, *OLDER_URLS})
_IDS = uuid.UUID("8f0b8d0e-3c55-4a43-9a51-52b1b7d1f6a4")  # namespace of the action ids
MAX_WAKE_SECONDS = 1.0

TaskDocument = Callable[[str, str], "dict[str, Any] | None"]
ConsentCheck = Callable[[str, str], bool]


def action_kind(action_url: str) -> str:
    """``transfer`` or ``delete``; ``ActionUnknown`` for a URL not served here."""
    url = OLDER_URLS.get(action_url, action_url)
    if url == TRANSFER_URL:
        return "transfer"
    if url == DELETE_URL:
        return "delete"
    raise asl.ActionUnknown(f"No action provider at {action_url}")


def action_key(action_url: str, parameters: dict[str, Any]) -> str:
    text = json.dumps([action_url, parameters], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


class TransferActions:
    """``ActionPorts`` for every run of the service (each call names its run)."""

    def __init__(
        self,
        acting: ActingClient,
        store: FlowStore,
        clock: SimClock,
        settings: SimSettings,
        holds_consent: ConsentCheck,
        task_document: TaskDocument,
    ) -> None:
        self.acting = acting
        self.store = store
        self.clock = clock
        self.settings = settings
        self.holds_consent = holds_consent
        self.task_document = task_document

    # -- the clock --------------------------------------------------------------------------
    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock.now(), UTC)

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` on the service's clock; a step of the clock ends it early."""
        target = self.clock.now() + seconds
        loop = asyncio.get_running_loop()
        while (remaining := target - self.clock.now()) > 0:
            woken = asyncio.Event()

            def wake(event: asyncio.Event = woken) -> None:
                with contextlib.suppress(RuntimeError):
                    loop.call_soon_threadsafe(event.set)

            unsubscribe = self.clock.subscribe(wake)
            try:
                timeout = min(self.clock.real_seconds(remaining), MAX_WAKE_SECONDS)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(woken.wait(), timeout=timeout)
            finally:
                unsubscribe()

    # -- actions ----------------------------------------------------------------------------
    async def start_action(
        self, action_url: str, parameters: dict[str, Any], run: asl.RunInfo
    ) -> asl.ActionStatus:
        kind = action_kind(action_url)
        key = action_key(action_url, parameters)
        done = await asyncio.to_thread(self.store.finished_actions, run.run_id, key)
        action_id = str(uuid.uuid5(_IDS, f"{run.run_id}/{key}/{done}"))
        await asyncio.to_thread(
            self.store.record_action,
            run.run_id,
            key,
            action_id,
            action_url,
            parameters,
            self.clock.now(),
        )
        try:
            (transfer_document if kind == "transfer" else delete_document)(parameters, action_id)
        except BadParameters as exc:
            return await self._finished(run, action_id, _unable(action_id, str(exc)))
        stored = await asyncio.to_thread(self.store.action, run.run_id, action_id)
        assert stored is not None
        return await self._progress(run, stored)

    async def action_status(
        self, action_url: str, action_id: str, run: asl.RunInfo
    ) -> asl.ActionStatus:
        action_kind(action_url)
        stored = await asyncio.to_thread(self.store.action, run.run_id, action_id)
        if stored is None:
            return asl.ActionStatus(
                action_id, "FAILED", {"code": "NotFound", "description": "No such action"}
            )
        return await self._progress(run, stored)

    async def cancel_action(self, action_url: str, action_id: str, run: asl.RunInfo) -> None:
        action_kind(action_url)
        stored = await asyncio.to_thread(self.store.action, run.run_id, action_id)
        if stored is None:
            return
        if stored.task_id is not None:
            try:
                await self.acting.transfer("POST", f"/task/{stored.task_id}/cancel", run.owner_id)
            except httpx.TransportError as exc:
                log.warning("could not cancel task %s: %s", stored.task_id, exc)
        await asyncio.to_thread(self.store.finish_action, run.run_id, action_id)

    # -- what an action is doing ------------------------------------------------------------
    async def _progress(self, run: asl.RunInfo, stored: StoredAction) -> asl.ActionStatus:
        """Submit the action's task if it has none yet (and may), then say how it goes."""
        kind = action_kind(stored.action_url)
        task_id = stored.task_id
        if task_id is None:
            missing = self._missing_consent(run.owner_id, kind, stored.parameters)
            if missing is not None:
                return _needs_consent(stored.action_id, missing)
            submitted = await self._submit(run, kind, stored)
            if isinstance(submitted, asl.ActionStatus):
                if submitted.status == "FAILED":
                    return await self._finished(run, stored.action_id, submitted)
                return submitted
            task_id = submitted
        task = await asyncio.to_thread(self.task_document, run.owner_id, task_id)
        if task is None:
            status = _unable(stored.action_id, f"The task {task_id} is gone")
            return await self._finished(run, stored.action_id, status)
        status = self._from_task(stored.action_id, run.owner_id, task)
        if status.status in ("SUCCEEDED", "FAILED"):
            return await self._finished(run, stored.action_id, status)
        return status

    async def _submit(
        self, run: asl.RunInfo, kind: str, stored: StoredAction
    ) -> str | asl.ActionStatus:
        """The task id Transfer gave the action's task, or what to answer instead."""
        make = transfer_document if kind == "transfer" else delete_document
        document = make(stored.parameters, stored.action_id)
        document.setdefault("label", run.label or f"Flow run {run.run_id}")
        try:
            answer = await self.acting.transfer("POST", f"/{kind}", run.owner_id, document)
        except httpx.TransportError as exc:
            # Transfer did not answer: the action is still to be submitted (same id).
            return asl.ActionStatus(
                stored.action_id, "ACTIVE", {"code": "Retrying", "description": str(exc)}
            )
        body = _json(answer)
        task_id = body.get("task_id")
        if answer.status_code in (200, 202) and isinstance(task_id, str):
            await asyncio.to_thread(self.store.set_task, run.run_id, stored.action_id, task_id)
            return task_id
        if answer.status_code == 403 and body.get("code") == "ConsentRequired":
            missing = self._missing_consent(run.owner_id, kind, stored.parameters)
            if missing is not None:
                return _needs_consent(stored.action_id, missing)
        if answer.status_code >= 500 or answer.status_code == 429:
            return asl.ActionStatus(
                stored.action_id,
                "ACTIVE",
                {"code": "Retrying", "description": str(body.get("message") or answer.status_code)},
            )
        return _unable(
            stored.action_id,
            str(body.get("message") or f"Transfer refused the task ({answer.status_code})"),
            code=str(body.get("code") or "ActionUnableToRun"),
        )

    def _collections(self, kind: str, parameters: dict[str, Any]) -> list[str]:
        return (transfer_collections if kind == "transfer" else delete_collections)(parameters)

    def _missing_consent(self, owner_id: str, kind: str, parameters: dict[str, Any]) -> str | None:
        """The first collection of the action whose ``data_access`` the owner lacks."""
        for collection in self._collections(kind, parameters):
            if collection in self.settings.faults.consent_collections and not self.holds_consent(
                owner_id, data_access_scope(collection)
            ):
                return collection
        return None

    def _from_task(self, action_id: str, owner_id: str, task: dict[str, Any]) -> asl.ActionStatus:
        status = str(task.get("status"))
        if status == "INACTIVE":
            ends = [task.get("source_endpoint_id"), task.get("destination_endpoint_id")]
            missing = next(
                (
                    c
                    for c in ends
                    if isinstance(c, str)
                    and c in self.settings.faults.consent_collections
                    and not self.holds_consent(owner_id, data_access_scope(c))
                ),
                None,
            )
            return asl.ActionStatus(
                action_id,
                "INACTIVE",
                task,
                display_status=str(task.get("nice_status") or "INACTIVE"),
                required_scope=data_access_scope(missing) if missing else None,
            )
        if status not in ("ACTIVE", "SUCCEEDED", "FAILED"):
            status = "ACTIVE"
        return asl.ActionStatus(action_id, status, task, display_status=status)

    async def _finished(
        self, run: asl.RunInfo, action_id: str, status: asl.ActionStatus
    ) -> asl.ActionStatus:
        await asyncio.to_thread(self.store.finish_action, run.run_id, action_id)
        return status


def _needs_consent(action_id: str, collection: str) -> asl.ActionStatus:
    scope = data_access_scope(collection)
    return asl.ActionStatus(
        action_id,
        "INACTIVE",
        {
            "code": "ConsentRequired",
            "description": (
                f"Missing required data_access consent for collection {collection}: consent"
                " to it, then resume the run"
            ),
            "required_scope": scope,
            "collection_id": collection,
        },
        display_status="INACTIVE",
        required_scope=scope,
    )


def _unable(action_id: str, description: str, code: str = "ActionUnableToRun") -> asl.ActionStatus:
    return asl.ActionStatus(
        action_id, "FAILED", {"code": code, "description": description}, display_status="FAILED"
    )


def _json(answer: httpx.Response) -> dict[str, Any]:
    try:
        body = answer.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}

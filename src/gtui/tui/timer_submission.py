"""Making a timer from the transfer dialog: the document, the consent it needs, the answer.

A timer starts its transfers while nobody is there to answer a consent dialog, so the
consent a collection needs (``data_access`` on a GCSv5 mapped collection) is asked for now,
under the Timers scope, the way globus-cli does before ``timer create transfer``.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from textual.dom import DOMNode

from gtui.core.consents import meets_scope_requirements
from gtui.core.errors import AuthorizationRequirement, GlobusError
from gtui.core.models import Collection
from gtui.core.scopes import transfer_timer_scope
from gtui.core.timer_data import OnceTimerSchedule, RecurringTimerSchedule, TransferTimer
from gtui.core.timer_models import Timer
from gtui.core.transfer_data import TransferData
from gtui.tui.context import gtui
from gtui.tui.schedule_input import ScheduleChoice
from gtui.tui.session_flows import ask_for_consent, with_consent_repair
from gtui.tui.timer_words import first_run_words

log = logging.getLogger(__name__)

# A timer runs the same document again and again: a fixed deadline would expire after the
# first runs, and each run's task is named after the timer and its run number instead.
LEFT_OUT_OF_BODY = ("label", "deadline", "submission_id", "skip_activation_check")


def timer_schedule(choice: ScheduleChoice) -> dict[str, Any]:
    """The service's schedule document for what the dialog chose."""
    if choice.interval_seconds is None:
        return OnceTimerSchedule(datetime=choice.start)
    end: dict[str, Any] | None = None
    if choice.end_count is not None:
        end = RecurringTimerSchedule.end_after_runs(choice.end_count)
    elif choice.end_time is not None:
        end = RecurringTimerSchedule.end_at(choice.end_time)
    return RecurringTimerSchedule(choice.interval_seconds, start=choice.start, end=end)


def timer_document(name: str, data: TransferData, choice: ScheduleChoice) -> TransferTimer:
    body = {k: v for k, v in data.items() if k not in LEFT_OUT_OF_BODY}
    return TransferTimer(name=name, schedule=timer_schedule(choice), body=body)


async def has_consent(node: DOMNode, scope: str) -> bool:
    """Whether the user already consented to ``scope`` (False when it cannot be told)."""
    session = gtui(node).session
    try:
        identity = session.identity or await session.fetch_identity()
        consents = await session.auth.get_consents(identity.id)
    except GlobusError as exc:
        log.info("could not read the consents (%s); asking for the timer's consent", exc)
        return False
    return meets_scope_requirements(consents, [scope])


async def ensure_timer_consent(node: DOMNode, collections: list[Collection]) -> bool:
    """Ask now for the consent the timer's collections need; True when it is held."""
    needing = [c.id for c in collections if c.requires_data_access]
    if not needing:
        return True
    scope = transfer_timer_scope(needing)
    if await has_consent(node, scope):
        return True
    requirement = AuthorizationRequirement(
        code="ConsentRequired",
        required_scopes=(scope,),
        session_message="A timer copies on your behalf later, so it needs this consent now.",
    )
    return await ask_for_consent(node.app, gtui(node).session, requirement)


async def create_timer(
    node: DOMNode,
    name: str,
    data: TransferData,
    choice: ScheduleChoice,
    collections: list[Collection],
) -> Timer | None:
    """Create the timer and say when its first run is; None when it was not created."""
    app = gtui(node)
    if not await ensure_timer_consent(node, collections):
        node.app.notify(
            "No timer was created: a collection of this transfer needs your consent.",
            severity="warning",
            timeout=6,
        )
        return None
    document = timer_document(name, data, choice)
    try:
        response = await with_consent_repair(
            node, lambda: app.session.timers.create_timer(document)
        )
        timer = Timer.from_document(response.document()["timer"])
    except GlobusError as exc:
        app.report_error(exc, "Creating the timer")
        return None
    app.timers.add(timer)
    now: datetime = app.clock()
    node.app.notify(
        f"Timer “{timer.name}” created: {first_run_words(timer, now)}. "
        "Its runs are on the Timers screen (5).",
        timeout=6,
        markup=False,
    )
    return timer

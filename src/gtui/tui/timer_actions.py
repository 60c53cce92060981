"""What the user does to a timer, from the Timers screen or its detail: pause, resume,
rename, delete (asked first), and repair a timer that lost a consent.

Each action reads the timer again afterwards, so the screens show what the service has.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from textual.dom import DOMNode

from gtui.core.errors import AuthorizationRequirement, GlobusError
from gtui.core.timer_models import Timer
from gtui.tui.context import gtui
from gtui.tui.screen_wait import wait_for_screen
from gtui.tui.screens.confirm import ConfirmScreen
from gtui.tui.screens.prompt import PromptScreen
from gtui.tui.session_flows import ask_for_consent, with_consent_repair
from gtui.tui.timer_words import is_paused, needs_consent

NAME_LIMIT = 128

TimerAction = Callable[[Any, Timer], Awaitable[bool]]
"""One of the actions below, as the screens look them up by name."""


async def _reread(node: DOMNode, timer: Timer) -> None:
    try:
        await gtui(node).timers.refresh(timer.job_id)
    except GlobusError as exc:
        gtui(node).report_error(exc, "Reading the timer again")


async def pause(node: DOMNode, timer: Timer) -> bool:
    if timer.status == "inactive":
        node.app.notify("This timer is already stopped.", timeout=3)
        return False
    app = gtui(node)
    try:
        await with_consent_repair(node, lambda: app.session.timers.pause_job(timer.job_id))
    except GlobusError as exc:
        app.report_error(exc, f"Pausing the timer “{timer.name}”")
        return False
    node.app.notify(f"Timer “{timer.name}” paused.", timeout=3, markup=False)
    await _reread(node, timer)
    return True


async def resume(node: DOMNode, timer: Timer, *, update_credentials: bool = False) -> bool:
    app = gtui(node)
    if needs_consent(timer) and not update_credentials:
        return await repair(node, timer)
    if timer.status != "inactive":
        node.app.notify("This timer is not paused.", timeout=3)
        return False
    try:
        await with_consent_repair(
            node,
            lambda: app.session.timers.resume_job(
                timer.job_id, update_credentials=update_credentials or None
            ),
        )
    except GlobusError as exc:
        app.report_error(exc, f"Resuming the timer “{timer.name}”")
        return False
    node.app.notify(f"Timer “{timer.name}” resumed.", timeout=3, markup=False)
    await _reread(node, timer)
    return True


async def repair(node: DOMNode, timer: Timer) -> bool:
    """The consent the timer lost, then resume it with its new credentials."""
    if not needs_consent(timer):
        hint = " Press r to resume it." if is_paused(timer) else ""
        node.app.notify(f"This timer is not waiting for a consent.{hint}", timeout=4)
        return False
    reason = timer.inactive_reason
    scopes = reason.required_scopes if reason is not None else ()
    if not scopes:
        node.app.notify(
            "The service did not say which consent this timer needs.", severity="warning"
        )
        return False
    requirement = AuthorizationRequirement(
        code="ConsentRequired",
        required_scopes=tuple(scopes),
        session_message=reason.message if reason is not None else None,
    )
    app = gtui(node)
    if not await ask_for_consent(node.app, app.session, requirement):
        return False
    return await resume(node, timer, update_credentials=True)


async def rename(node: DOMNode, timer: Timer) -> bool:
    def check(value: str) -> str | None:
        text = value.strip()
        if not text:
            return "A timer needs a name."
        if len(text) > NAME_LIMIT:
            return f"A name has at most {NAME_LIMIT} characters."
        return None

    name = await wait_for_screen(
        node.app, PromptScreen("Rename the timer", value=timer.name, check=check)
    )
    if not name or name.strip() == timer.name:
        return False
    app = gtui(node)
    try:
        await with_consent_repair(
            node, lambda: app.session.timers.update_job(timer.job_id, {"name": name.strip()})
        )
    except GlobusError as exc:
        app.report_error(exc, f"Renaming the timer “{timer.name}”")
        return False
    await _reread(node, timer)
    return True


async def delete(node: DOMNode, timer: Timer) -> bool:
    confirmed = await wait_for_screen(
        node.app,
        ConfirmScreen(
            "Delete the timer?",
            f"“{timer.name}” will start no more transfers. Its tasks so far stay in the task list.",
            yes="Delete",
        ),
    )
    if not confirmed:
        return False
    app = gtui(node)
    try:
        await with_consent_repair(node, lambda: app.session.timers.delete_job(timer.job_id))
    except GlobusError as exc:
        app.report_error(exc, f"Deleting the timer “{timer.name}”")
        return False
    app.timers.remove(timer.job_id)
    node.app.notify(f"Timer “{timer.name}” deleted.", timeout=3, markup=False)
    return True

"""Logging in from inside the app: the authorize URL, then a pasted code or a loopback redirect.

Over SSH (the usual place for gtui) there is no browser here: the URL is shown selectable and
copied with OSC 52, the user logs in on any machine and pastes the code Globus shows. With a
local browser the app opens it and listens on a loopback redirect, so nothing needs pasting.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from gtui.core.auth import NativeAppFlow
from gtui.core.errors import AuthorizationRequirement, GlobusError
from gtui.core.login_place import browser_is_local, grant_name
from gtui.core.loopback import LocalServerCodeReceiver
from gtui.core.session import GlobusSession
from gtui.tui.demo_login import approve_as_demo_user, can_approve_as_demo_user

PASTE_STEPS = (
    "1. Open the URL below in a browser, on this machine or any other "
    "(it is on your clipboard if your terminal allows OSC 52; F2 copies it again).\n"
    "2. Log in to Globus and allow gtui.\n"
    "3. Paste the code Globus shows into the box and press Enter."
)
LOCAL_STEPS = (
    "A browser window should have opened on the Globus login page (F3 opens it again). "
    "Log in there and come back: gtui finishes by itself.\n"
    "Browser on another machine? Press F4 to paste a code instead."
)
DEMO_STEP = (
    "\nDemo service on 127.0.0.1, no browser that reaches it? F6 (Approve as the demo user) "
    "approves here, as the demo user."
)


class LoginScreen(ModalScreen[bool]):
    """Run one native-app login; dismisses True once the new tokens are stored."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="login_cancel"),
        Binding("f2", "copy_url", "Copy URL", id="login_copy_url"),
        Binding("f3", "open_browser", "Open in browser", id="login_open_browser"),
        Binding("f4", "switch_method", "Paste a code / use the browser", id="login_switch"),
        Binding(
            "f6",
            "approve_demo",
            "Approve as the demo user (demo service only)",
            id="login_approve_demo",
        ),
    ]
    # Against the embedded demo service only (see gtui.tui.demo_login); over SSH its
    # authorize page on 127.0.0.1 cannot be opened in the user's own browser.
    offer_demo_approval: ClassVar[bool] = True

    def __init__(
        self,
        session: GlobusSession,
        *,
        title: str = "Log in to Globus",
        reason: str = "",
        scopes: Iterable[str] | None = None,
        requirement: AuthorizationRequirement | None = None,
        local: bool | None = None,
        id: str = "login",
    ) -> None:
        super().__init__(classes="dialog-screen", id=id)
        self.session = session
        self.title_text = title
        self.reason = reason
        self.scopes = list(scopes) if scopes is not None else None
        self.requirement = requirement
        self.local = browser_is_local() if local is None else local
        self.flow: NativeAppFlow | None = None
        self.receiver: LocalServerCodeReceiver | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog login"):
            yield Label(self.title_text, classes="dialog-title")
            if self.reason:
                yield Static(self.reason, id="login-reason", classes="dialog-message")
            yield Static("", id="login-steps", classes="dialog-message")
            yield Static("", id="login-url", classes="login-url", markup=False)
            yield Input(placeholder="paste the authorization code here", id="login-code")
            yield Static("", id="login-status", classes="dialog-hint", markup=False)
            with Vertical(classes="dialog-footer"):
                if self.demo_approval:
                    with Horizontal(classes="dialog-buttons"):
                        yield Button(
                            "Approve as the demo user (F6)",
                            id="login-demo",
                            variant="warning",
                            compact=True,
                        )
                with Horizontal(classes="dialog-buttons"):
                    yield Button("Copy URL", id="login-copy", compact=True)
                    yield Button("Open browser", id="login-open", compact=True)
                    yield Button("Log in", id="login-submit", variant="primary", compact=True)
                    yield Button("Cancel", id="login-cancel", compact=True)

    @property
    def demo_approval(self) -> bool:
        """Offered only against the embedded demo service (see ``gtui.tui.demo_login``)."""
        return self.offer_demo_approval and can_approve_as_demo_user(self.session)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "approve_demo":
            return self.demo_approval
        return True

    def on_mount(self) -> None:
        self._begin()

    async def on_unmount(self) -> None:
        await self._close_receiver()

    # -- the flow ---------------------------------------------------------------------------

    def _begin(self) -> None:
        self.run_worker(self._run_flow(), group="login", exclusive=True, exit_on_error=False)

    async def _run_flow(self) -> None:
        await self._close_receiver()
        session = self.session
        code_box = self.query_one("#login-code", Input)
        code_box.display = not self.local
        self.query_one("#login-submit", Button).display = not self.local
        steps = LOCAL_STEPS if self.local else PASTE_STEPS
        if self.demo_approval:
            steps += DEMO_STEP
        self.query_one("#login-steps", Static).update(steps)
        redirect_uri = None
        receiver = None
        if self.local:
            receiver = self.receiver = LocalServerCodeReceiver()
            redirect_uri = await receiver.start()
        flow = self.flow = session.login_flow(
            self.scopes,
            self.requirement,
            redirect_uri=redirect_uri,
            prefill_named_grant=grant_name(),
        )
        self.query_one("#login-url", Static).update(flow.authorize_url)
        if receiver is None:
            self.app.copy_to_clipboard(flow.authorize_url)
            self._status("Waiting for the code.")
            code_box.focus()
            return
        self.app.open_url(flow.authorize_url)
        self._status("Waiting for the browser…")
        try:
            code, state = await receiver.wait()
        except GlobusError as exc:
            self._status(f"{exc} Press F4 to paste a code, or Escape.", error=True)
            return
        await self._finish(code, state)

    async def _finish(self, code: str, state: str | None) -> None:
        if self.flow is None:
            return
        self._status("Logging in…")
        try:
            await self.session.complete_login(self.flow, code, state)
        except GlobusError as exc:
            self._status(f"The login did not complete: {exc}", error=True)
            return
        self.dismiss(True)

    async def _close_receiver(self) -> None:
        receiver, self.receiver = self.receiver, None
        if receiver is not None:
            with contextlib.suppress(Exception):
                await receiver.aclose()

    def _status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#login-status", Static)
        status.update(text)
        status.set_class(error, "-error")

    # -- input ------------------------------------------------------------------------------

    @on(Input.Submitted, "#login-code")
    def _code_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit_code()

    def _submit_code(self) -> None:
        code = self.query_one("#login-code", Input).value.strip()
        if not code:
            self._status("Paste the code Globus showed after you logged in.", error=True)
            return
        if self.flow is None:
            return
        self.run_worker(
            self._finish(code, self.flow.state), group="login", exclusive=True, exit_on_error=False
        )

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        actions = {
            "login-copy": self.action_copy_url,
            "login-open": self.action_open_browser,
            "login-submit": self._submit_code,
            "login-demo": self.action_approve_demo,
            "login-cancel": self.action_cancel,
        }
        handler = actions.get(event.button.id or "")
        if handler is not None:
            handler()

    def action_copy_url(self) -> None:
        if self.flow is not None:
            self.app.copy_to_clipboard(self.flow.authorize_url)
            self.notify("Login URL copied to the clipboard.", timeout=2)

    def action_open_browser(self) -> None:
        if self.flow is not None:
            self.app.open_url(self.flow.authorize_url)

    def action_approve_demo(self) -> None:
        if self.demo_approval and self.flow is not None:
            self.run_worker(
                self._approve_demo(), group="login", exclusive=True, exit_on_error=False
            )

    async def _approve_demo(self) -> None:
        if self.flow is None:
            return
        self._status("Approving as the demo user…")
        try:
            code, state = await approve_as_demo_user(self.session, self.flow)
        except GlobusError as exc:
            self._status(str(exc), error=True)
            return
        await self._finish(code, state)

    def action_switch_method(self) -> None:
        self.local = not self.local
        self._begin()

    def action_cancel(self) -> None:
        self.dismiss(False)

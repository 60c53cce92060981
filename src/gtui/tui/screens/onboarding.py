"""The first steps before the panes: set up the user's own client id, then log in.

Without a client id the screen says where to register a native app and takes the pasted id:
it must be a UUID that Globus Auth knows as a native app, and it is saved in ``config.toml``
(the user's comments kept) before the screen hands the new session to the app, which opens
the login dialog. With a client id but no login (the login dialog was cancelled), the screen
offers the login again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Input, Markdown, Static

from gtui.client_setup import (
    REGISTER_STEPS,
    ClientIdError,
    check_client_id,
    parse_client_id,
    save_client_id,
)
from gtui.config import ConfigError, config_path
from gtui.core.session import GlobusSession
from gtui.tui.widgets.key_bar import KeyBar
from gtui.tui.widgets.title_bar import TitleBar

log = logging.getLogger(__name__)

SET_UP_TEXT = """\
# Set up gtui for Globus

{reason}gtui logs in to Globus as an app that you register once (free, about a minute):

{steps}

gtui saves it as `client_id` in `{config}` and opens the Globus login (environment:
**{environment}**). To try gtui without an account, quit (Escape) and run `gtui --demo`.
"""

LOG_IN_TEXT = """\
# You are not logged in to Globus

{reason}

Press **Enter** to log in (the login dialog shows a URL to open in any browser), or
**Escape** to quit. Environment: **{environment}**.
"""

NewSession = Callable[[str], GlobusSession]


class OnboardingScreen(Screen[GlobusSession]):
    """No client id: take one and dismiss with its session. Not logged in: offer the login."""

    DEFAULT_CSS = """
    OnboardingScreen .onboarding {
        align: center middle;
        padding: 0 4;
    }
    OnboardingScreen .onboarding > * {
        width: 96;
        max-width: 100%;
    }
    OnboardingScreen Markdown {
        background: $panel;
        padding: 1 2 0 2;
        margin: 0;
    }
    OnboardingScreen #client-id {
        margin-top: 1;
    }
    OnboardingScreen #client-id-status {
        height: auto;
        padding: 0 1;
        color: $text-muted;
        &.-error {
            color: $text-error;
        }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.quit", "Quit", id="onboarding_quit"),
        Binding("enter,l", "log_in", "Log in", id="onboarding_log_in"),
    ]

    def __init__(
        self, environment: str, reason: str = "", *, new_session: NewSession | None = None
    ) -> None:
        super().__init__(id="onboarding")
        self.environment = environment
        self.reason = reason
        self.new_session = new_session

    @property
    def asks_for_client_id(self) -> bool:
        return self.new_session is not None

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with VerticalScroll(classes="onboarding"):
            if self.asks_for_client_id:
                steps = "\n".join(f"{n}. {step}" for n, step in enumerate(REGISTER_STEPS, 1))
                reason = f"{self.reason} " if self.reason else ""
                yield Markdown(
                    SET_UP_TEXT.format(
                        reason=reason,
                        steps=steps,
                        config=config_path(),
                        environment=self.environment,
                    )
                )
                yield Input(
                    placeholder="Client UUID, for example 1b7e2c3a-5d4f-4e6b-8a9c-0d1e2f3a4b5c",
                    id="client-id",
                )
                yield Static(
                    "Enter checks the id with Globus Auth, saves it and opens the login.",
                    id="client-id-status",
                    markup=False,
                )
            else:
                yield Markdown(
                    LOG_IN_TEXT.format(
                        reason=self.reason or "No saved login was found.",
                        environment=self.environment,
                    )
                )
        yield KeyBar()

    def on_mount(self) -> None:
        if self.asks_for_client_id:
            self.query_one("#client-id", Input).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # While the client id is asked for, Enter submits it and "l" is a letter of it.
        if action == "log_in":
            return not self.asks_for_client_id
        return True

    async def action_log_in(self) -> None:
        await self.run_action("app.log_in")

    # -- the client id ----------------------------------------------------------------------

    @on(Input.Submitted, "#client-id")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            client_id = parse_client_id(event.value)
        except ClientIdError as exc:
            self._status(str(exc), error=True)
            return
        self.run_worker(
            self._set_up(client_id), group="client-id", exclusive=True, exit_on_error=False
        )

    async def _set_up(self, client_id: str) -> None:
        assert self.new_session is not None
        field = self.query_one("#client-id", Input)
        field.disabled = True
        self._status("Checking the client id with Globus Auth…")
        session = self.new_session(client_id)
        try:
            await check_client_id(session)
            path = save_client_id(client_id)
        except (ClientIdError, ConfigError, OSError) as exc:
            await session.aclose()
            field.disabled = False
            field.focus()
            self._status(_one_sentence(exc), error=True)
            return
        log.info("client id %s saved in %s", client_id, path)
        self.dismiss(session)

    def _status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#client-id-status", Static)
        status.update(text)
        status.set_class(error, "-error")


def _one_sentence(exc: Exception) -> str:
    """What went wrong, said once (the errors of ``client_setup`` already are)."""
    if isinstance(exc, OSError):
        return f"The client id could not be saved in {config_path()}: {exc.strerror or exc}."
    return str(exc)

"""Shown when there is no usable login: says exactly how to log in."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Header, Markdown

from gtui.config import config_path
from gtui.tui.widgets.key_bar import KeyBar

TEXT = """\
# You are not logged in to Globus

{reason}

gtui talks to Globus on your behalf, so it needs you to log in once:

1. Register a *native app* at <https://app.globus.org/settings/developers> (or use your
   site's), and put its client id in `{config}`:

   ```toml
   [general]
   client_id = "YOUR-CLIENT-ID"
   ```

2. In a terminal, run

   ```
   gtui login
   ```

   It prints a URL: open it in any browser (on any machine), log in, and paste the code back.
   On a machine with a browser it opens it for you.

3. Start `gtui` again.

To try gtui without an account, run `gtui --demo`.

Environment: **{environment}**. Press **q** to quit.
"""


class LoginNeededScreen(Screen[None]):
    """How to log in (the login itself happens in ``gtui login``)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q,escape", "app.quit", "Quit", id="login_quit"),
    ]

    def __init__(self, environment: str, reason: str = "") -> None:
        super().__init__(id="login-needed")
        self.environment = environment
        self.reason = reason

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(classes="login-needed"):
            yield Markdown(
                TEXT.format(
                    reason=self.reason or "No saved login was found.",
                    config=config_path(),
                    environment=self.environment,
                )
            )
        yield KeyBar()

"""The transfer-options dialog that both F5 and a drag open before anything is submitted."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import ClassVar, Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from gtui.tui.context import gtui
from gtui.tui.schedule_input import ScheduleChoice
from gtui.tui.widgets.checkbox import Checkbox
from gtui.tui.widgets.schedule_fields import ScheduleFields

SyncName = Literal["exists", "size", "mtime", "checksum"]
SYNC_NAMES: dict[str, SyncName] = {
    "exists": "exists",
    "size": "size",
    "mtime": "mtime",
    "checksum": "checksum",
}
SYNC_CHOICES = (
    ("Always copy", "none"),
    ("Only if missing on the destination", "exists"),
    ("Only if the size differs", "size"),
    ("Only if the source is newer", "mtime"),
    ("Only if the checksums differ", "checksum"),
)
LABEL_LIMIT = 128
_DURATION = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class TransferChoices:
    """What the user chose; ``sync_level`` None means copy everything."""

    label: str
    sync_level: SyncName | None = "checksum"
    verify_checksum: bool = True
    preserve_timestamp: bool = False
    encrypt_data: bool = False
    skip_source_errors: bool = False
    fail_on_quota_errors: bool = False
    delete_destination_extra: bool = False
    deadline: datetime | None = None
    notify: bool = True
    schedule: ScheduleChoice | None = None
    """None: start one task now; else make a timer that starts the transfer on a schedule."""


def parse_deadline(text: str, now: datetime | None = None) -> datetime | None:
    """``12h``, ``2d``, ``30m``, ``1w`` from now, or an ISO date/time; empty means none."""
    text = text.strip()
    if not text:
        return None
    now = now or datetime.now(UTC)
    match = _DURATION.match(text)
    if match:
        amount, unit = int(match.group(1)), match.group(2).lower()
        step = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}[unit]
        return now + timedelta(**{step: amount})
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"“{text}” is not a deadline: use 12h, 2d, 30m or a date like 2026-12-01T18:00"
        ) from None
    parsed = parsed if parsed.tzinfo else parsed.astimezone()
    if parsed <= now:
        raise ValueError("The deadline is in the past.")
    return parsed.astimezone(UTC)


def short_name(display_name: str) -> str:
    """``HPC Cluster Scratch`` → ``scratch``: enough to tell collections apart in a label."""
    words = display_name.split()
    return words[-1].lower() if words else display_name


def default_label(
    source_name: str, source_path: str, items: list[str], dest_name: str, dest_path: str
) -> str:
    """``laptop:/projects/x → scratch:/home/demo/`` (the folder itself when there is one item)."""
    where = source_path if len(items) != 1 else source_path.rstrip("/") + "/" + items[0]
    label = f"{short_name(source_name)}:{where} → {short_name(dest_name)}:{dest_path}"
    return label if len(label) <= LABEL_LIMIT else label[: LABEL_LIMIT - 1] + "…"


class TransferOptionsScreen(ModalScreen[TransferChoices | None]):
    """Label, sync level, integrity and error options, deadline, notifications, and when:
    now, or on a schedule (a timer)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # Not a priority binding: Enter must reach the focused field after the keys typed
        # before it, or a label pasted and submitted in one burst arrives cut short.
        Binding("enter", "submit", "Start transfer", id="options_submit"),
        Binding("escape", "cancel", "Cancel", id="options_cancel"),
        # Moving between fields happens as the key arrives, so what is typed after Tab in the
        # same burst lands in the next field.
        Binding("tab", "app.focus_next", "Next option", show=False, priority=True),
        Binding("shift+tab", "app.focus_previous", "Previous option", show=False, priority=True),
    ]

    def __init__(
        self,
        summary: str,
        items: list[str],
        defaults: TransferChoices,
        *,
        delete_warning: str | None = None,
        repeat_every: str | None = None,
    ) -> None:
        """``delete_warning`` says exactly what "delete extra files" would delete, when that is
        known (a sync from the compare view); ``repeat_every`` opens the Schedule part on a
        repeating timer with that interval (keeping two folders in sync)."""
        super().__init__(classes="dialog-screen")
        self.summary = summary
        self.items = items
        self.defaults = defaults
        self.delete_warning = delete_warning
        self.repeat_every = repeat_every

    def compose(self) -> ComposeResult:
        d = self.defaults
        with VerticalScroll(classes="dialog transfer-options"):
            yield Label("Transfer", classes="dialog-title")
            yield Static(self.summary, classes="dialog-message", markup=False)
            shown = ", ".join(self.items[:8]) + (" …" if len(self.items) > 8 else "")
            yield Static(shown, classes="dialog-hint", markup=False)
            with Grid(classes="options-grid"):
                yield Label("Label")
                yield Input(d.label, id="label", max_length=LABEL_LIMIT, compact=True)
            # Right after the label, one Tab away: when is the choice made most often after it.
            yield ScheduleFields(
                classes="options-grid schedule-grid", id="schedule", repeat_every=self.repeat_every
            )
            with Grid(classes="options-grid after-schedule"):
                yield Label("Sync")
                yield Select(
                    SYNC_CHOICES,
                    value=d.sync_level or "none",
                    allow_blank=False,
                    id="sync",
                    compact=True,
                )
                yield Label("Deadline")
                yield Input(
                    "" if d.deadline is None else d.deadline.isoformat(),
                    placeholder="none — or 12h, 2d, 2026-12-01T18:00",
                    id="deadline",
                    compact=True,
                )
            with Grid(classes="checks-grid"):
                yield Checkbox(
                    "Verify checksums", d.verify_checksum, id="verify_checksum", compact=True
                )
                yield Checkbox(
                    "Preserve modification times",
                    d.preserve_timestamp,
                    id="preserve_timestamp",
                    compact=True,
                )
                yield Checkbox("Encrypt data", d.encrypt_data, id="encrypt_data", compact=True)
                yield Checkbox(
                    "Skip source errors",
                    d.skip_source_errors,
                    id="skip_source_errors",
                    compact=True,
                )
                yield Checkbox(
                    "Fail on quota errors",
                    d.fail_on_quota_errors,
                    id="fail_on_quota_errors",
                    compact=True,
                )
                yield Checkbox("Email notifications", d.notify, id="notify", compact=True)
            yield Checkbox(
                "Delete extra files on the destination",
                d.delete_destination_extra,
                id="delete_destination_extra",
                classes="wide-check",
                compact=True,
            )
            yield Static(
                self.delete_warning
                or "⚠ Files in the destination folder that are not in the source will be deleted.",
                id="delete-warning",
                classes="dialog-warning",
                markup=False,
            )
            with Horizontal(classes="dialog-buttons"):
                yield Static("", id="options-error", classes="dialog-hint -error")
                yield Button("Start transfer", id="start", variant="primary", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        self._show_warning()
        self.query_one("#label", Input).focus()
        if self.repeat_every:
            self._schedule_kind(ScheduleFields.Changed("repeat"))

    @on(Checkbox.Changed, "#delete_destination_extra")
    def _show_warning(self) -> None:
        extra = self.query_one("#delete_destination_extra", Checkbox).value
        self.query_one("#delete-warning").display = extra

    @on(ScheduleFields.Changed)
    def _schedule_kind(self, event: ScheduleFields.Changed) -> None:
        timer = event.kind != "now"
        self.query_one("#start", Button).label = "Create timer" if timer else "Start transfer"
        self.query_one("#deadline").disabled = timer
        self.query_one("#options-error", Static).update("")

    @on(Button.Pressed, "#start")
    def _start(self, event: Button.Pressed) -> None:
        event.stop()
        self._submit()

    @on(Button.Pressed, "#cancel")
    def _cancel(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    @on(Input.Submitted)
    def _field_submitted(self, event: Input.Submitted) -> None:
        """Enter in the label or the deadline: the field has every key typed before it."""
        event.stop()
        self._submit()

    def action_submit(self) -> None:
        """Enter where no widget of its own takes it (a checkbox): start the transfer."""
        self._submit()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def choices(self) -> TransferChoices:
        """The dialog's current values (raises ValueError for a bad deadline)."""

        def checked(name: str) -> bool:
            return self.query_one(f"#{name}", Checkbox).value

        schedule = self.query_one(ScheduleFields).choice(gtui(self).clock())
        sync = self.query_one("#sync", Select).value
        label = self.query_one("#label", Input).value.strip() or self.defaults.label
        return TransferChoices(
            label=label,
            sync_level=SYNC_NAMES.get(str(sync)),
            verify_checksum=checked("verify_checksum"),
            preserve_timestamp=checked("preserve_timestamp"),
            encrypt_data=checked("encrypt_data"),
            skip_source_errors=checked("skip_source_errors"),
            fail_on_quota_errors=checked("fail_on_quota_errors"),
            delete_destination_extra=checked("delete_destination_extra"),
            deadline=None if schedule else parse_deadline(self.query_one("#deadline", Input).value),
            notify=checked("notify"),
            schedule=schedule,
        )

    def _submit(self) -> None:
        try:
            choices = self.choices()
        except ValueError as exc:
            self.query_one("#options-error", Static).update(str(exc))
            return
        self.dismiss(choices)

"""Every key binding of the app, grouped as the help screen and the command palette show them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from textual.app import App
from textual.binding import Binding

from gtui.tui.actions import APP_ACTIONS

MOUSE_HELP = (
    ("click", "focus a pane, put the cursor on a row"),
    ("click left edge", "select or unselect a row"),
    ("double click", "open a folder / a task"),
    ("drag to the other pane", "copy (opens the transfer options, like F5)"),
    ("click a pane header", "choose the collection"),
    ("wheel", "scroll"),
)


KEY_HINTS: dict[str, tuple[tuple[str, str], ...]] = {
    "Collection picker": (
        ("type", "narrow the list (on Search all: search every collection)"),
        ("enter", "open the chosen collection in the pane"),
    ),
    "Confirm and prompt dialogs": (("enter", "accept the typed name or pattern"),),
    "Quick jump": (
        ("type", "match bookmarks, recent collections and recent folders"),
        ("↑ ↓ enter", "open the chosen place in the focused pane"),
        ("esc", "close"),
    ),
    "Transfer options": (
        ("Schedule", "now (one task), once at a time, or repeat (a timer)"),
        ("First run", "now · 02:00 · tomorrow 9:30 · in 2h · 2026-12-24 18:00 (local time)"),
        ("Every", "30m · 6h · 1d · 1w"),
    ),
    "Starting a flow": (
        ("tab", "next field; * marks the required ones"),
        ("enter on a collection", "choose it (prefilled from the panes)"),
        ("a list field", "values separated by commas"),
    ),
    "Share": (("tab", "move between the form, the access rules and the roles"),),
    "Flows": (("type after /", "narrow the flows, then search Flows"),),
    "Theme": (("↑ ↓", "preview a theme"), ("enter", "keep it (saved in config.toml)")),
    "Login and consent": (("enter", "log in with the pasted code"),),
}


def own_bindings(cls: type) -> list[Binding]:
    """The bindings ``cls`` and its gtui base classes declare (Textual merges them the same)."""
    found: list[Binding] = []
    for klass in reversed(cls.__mro__):
        if not klass.__module__.startswith("gtui."):
            continue
        found.extend(b for b in klass.__dict__.get("BINDINGS", ()) if isinstance(b, Binding))
    return found


def binding_groups(help_keys: Sequence[Binding] = ()) -> list[tuple[str, list[Binding]]]:
    """(group title, bindings) for each place keys live, in reading order; the help screen
    hands in its own keys."""
    from gtui.tui.activity_filters import ActivityFiltersScreen
    from gtui.tui.activity_list import ActivityList
    from gtui.tui.screens.activity import ActivityScreen
    from gtui.tui.screens.bookmarks import BookmarksScreen
    from gtui.tui.screens.browse import BrowseScreen
    from gtui.tui.screens.collection_picker import CollectionPickerScreen
    from gtui.tui.screens.compare import CompareScreen
    from gtui.tui.screens.confirm import ConfirmScreen
    from gtui.tui.screens.consent import ConsentScreen
    from gtui.tui.screens.flow_run import FlowRunScreen
    from gtui.tui.screens.flow_runs import FlowRunsScreen
    from gtui.tui.screens.flow_start import FlowStartScreen
    from gtui.tui.screens.flows import FlowsScreen
    from gtui.tui.screens.group_detail import GroupDetailScreen
    from gtui.tui.screens.groups import GroupsScreen
    from gtui.tui.screens.onboarding import OnboardingScreen
    from gtui.tui.screens.prompt import PromptScreen
    from gtui.tui.screens.search import SearchScreen
    from gtui.tui.screens.share import ShareScreen
    from gtui.tui.screens.task_detail import TaskDetailScreen
    from gtui.tui.screens.tasks import TasksScreen
    from gtui.tui.screens.theme import ThemeScreen
    from gtui.tui.screens.timer_detail import TimerDetailScreen
    from gtui.tui.screens.timers import TimersScreen
    from gtui.tui.screens.transfer_options import TransferOptionsScreen
    from gtui.tui.share_roles import REMOVE_ROLE
    from gtui.tui.widgets.checkbox import Checkbox
    from gtui.tui.widgets.compare_list import CompareList
    from gtui.tui.widgets.file_list import FileList
    from gtui.tui.widgets.file_pane import FilePane
    from gtui.tui.widgets.path_bar import PathBar
    from gtui.tui.widgets.task_queue import TaskQueue

    return [
        ("Files", own_bindings(FileList)),
        ("Panes", [*own_bindings(FilePane), *own_bindings(BrowseScreen)]),
        ("Path bar", own_bindings(PathBar)),
        ("Collection picker", own_bindings(CollectionPickerScreen)),
        ("Transfer options", own_bindings(TransferOptionsScreen)),
        ("Checkboxes", own_bindings(Checkbox)),
        (
            "Confirm and prompt dialogs",
            [*own_bindings(ConfirmScreen), *own_bindings(PromptScreen)],
        ),
        ("Task queue", own_bindings(TaskQueue)),
        ("Task detail", own_bindings(TaskDetailScreen)),
        ("Task list (2)", own_bindings(TasksScreen)),
        ("Bookmarks (ctrl+b)", own_bindings(BookmarksScreen)),
        ("Quick jump", []),
        ("Groups (3)", own_bindings(GroupsScreen)),
        ("Group detail", own_bindings(GroupDetailScreen)),
        ("Search (4)", own_bindings(SearchScreen)),
        ("Compare (= in the panes)", [*own_bindings(CompareScreen), *own_bindings(CompareList)]),
        ("Share (x in the panes)", [*own_bindings(ShareScreen), REMOVE_ROLE]),
        ("Timers (5)", own_bindings(TimersScreen)),
        ("Timer detail", own_bindings(TimerDetailScreen)),
        ("Flows (6)", own_bindings(FlowsScreen)),
        ("Starting a flow", own_bindings(FlowStartScreen)),
        ("Flow run", own_bindings(FlowRunScreen)),
        ("Flow runs", own_bindings(FlowRunsScreen)),
        ("Activity (7)", [*own_bindings(ActivityScreen), *own_bindings(ActivityList)]),
        ("Activity filter", own_bindings(ActivityFiltersScreen)),
        ("Theme", own_bindings(ThemeScreen)),
        ("Login and consent", own_bindings(ConsentScreen)),
        ("First start, not logged in", own_bindings(OnboardingScreen)),
        ("This help", list(help_keys)),
        (
            "Everywhere",
            [
                *(action.binding() for action in APP_ACTIONS if action.keys),
                Binding("ctrl+p", "command_palette", "Command palette"),
                Binding("ctrl+q", "quit", "Quit"),
            ],
        ),
    ]


def keys_of(app: App[Any], binding: Binding) -> str:
    """The keys a binding answers to now (a ``[keys]`` override wins), for display."""
    keymap = app._keymap  # Textual keeps the [keys] overrides here; no public reader exists
    keys = keymap.get(binding.id, binding.key) if binding.id else binding.key
    shown = []
    for key in keys.split(","):
        key = key.strip()
        shown.append(app.get_key_display(Binding(key, binding.action)))
    return " ".join(shown)


def iter_help_rows(
    app: App[Any], help_keys: Sequence[Binding] = ()
) -> Iterator[tuple[str, str, str]]:
    """(group, keys, description) rows: the bindings, then the keys a group's inputs handle."""
    for group, bindings in binding_groups(help_keys):
        for binding in bindings:
            yield group, keys_of(app, binding), binding.description or binding.action
        title = group.partition(" (")[0]
        for keys, description in KEY_HINTS.get(title, ()):
            yield group, keys, description

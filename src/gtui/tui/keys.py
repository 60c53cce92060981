"""Every key binding of the app, grouped as the help screen and the command palette show them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from textual.binding import Binding

MOUSE_HELP = (
    ("click", "focus a pane, put the cursor on a row"),
    ("click left edge", "select or unselect a row"),
    ("double click", "open a folder / a task"),
    ("drag to the other pane", "copy (opens the transfer options, like F5)"),
    ("click a pane header", "choose the collection"),
    ("wheel", "scroll"),
)


def binding_groups() -> list[tuple[str, list[Binding]]]:
    """(group title, bindings) for each place keys live, in reading order."""
    from gtui.tui.app import GtuiApp
    from gtui.tui.screens.browse import BrowseScreen
    from gtui.tui.screens.task_detail import TaskDetailScreen
    from gtui.tui.widgets.file_list import FileList
    from gtui.tui.widgets.path_bar import PathBar
    from gtui.tui.widgets.task_queue import TaskQueue

    def of(cls: Any) -> list[Binding]:
        return [b for b in cls.BINDINGS if isinstance(b, Binding)]

    return [
        ("Files", of(FileList)),
        ("Panes", of(BrowseScreen)),
        ("Path bar", of(PathBar)),
        ("Task queue", of(TaskQueue)),
        ("Task detail", of(TaskDetailScreen)),
        (
            "Everywhere",
            [
                *of(GtuiApp),
                Binding("ctrl+p", "command_palette", "Command palette"),
                Binding("ctrl+q", "quit", "Quit"),
            ],
        ),
    ]


def keys_of(app: Any, binding: Binding) -> str:
    """The keys a binding answers to now (a ``[keys]`` override wins), for display."""
    keymap = getattr(app, "_keymap", {}) or {}
    keys = keymap.get(binding.id, binding.key) if binding.id else binding.key
    shown = []
    for key in keys.split(","):
        key = key.strip()
        shown.append(app.get_key_display(Binding(key, binding.action)) if app else key)
    return " ".join(shown)


def iter_help_rows(app: Any) -> Iterator[tuple[str, str, str]]:
    """(group, keys, description) rows."""
    for group, bindings in binding_groups():
        for binding in bindings:
            yield group, keys_of(app, binding), binding.description or binding.action

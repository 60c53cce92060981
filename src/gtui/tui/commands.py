"""The command palette: every key-bound action of the current screen, of the focused list and
of the app, by name, so nothing needs remembering."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from textual.app import SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from gtui.tui.keys import keys_of


def _commands(
    app: Any, target: Any, bindings: list[Any], seen: set[str]
) -> Iterator[SystemCommand]:
    for binding in bindings:
        if not isinstance(binding, Binding) or not binding.description:
            continue
        name = binding.description
        if name in seen:
            continue
        seen.add(name)
        yield SystemCommand(
            name,
            binding.tooltip or f"key: {keys_of(app, binding)}",
            partial(target.run_action, binding.action),
        )


def commands_for(app: Any, screen: Screen[Any]) -> Iterator[SystemCommand]:
    """Palette entries for what the user can do right now."""
    from gtui.tui.screens.browse import BrowseScreen
    from gtui.tui.widgets.file_list import FileList
    from gtui.tui.widgets.task_queue import TaskQueue

    seen = {"Keys", "Quit"}
    yield from _commands(app, screen, list(type(screen).BINDINGS), seen)
    if isinstance(screen, BrowseScreen):
        yield from _commands(app, screen.active.file_list, list(FileList.BINDINGS), seen)
        queue = screen.query_one(TaskQueue)
        yield from _commands(app, queue, list(TaskQueue.BINDINGS), seen)
    yield SystemCommand("Show all keys", "F1 or ?", app.action_help)
    yield SystemCommand("Browse collections", "1", partial(app.switch_mode, "browse"))
    yield SystemCommand("Task list (full screen)", "2", partial(app.switch_mode, "tasks"))

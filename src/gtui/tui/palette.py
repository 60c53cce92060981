"""The command palette: the keys of what has the focus, of the screen and of the app, by name,
so nothing needs remembering."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import partial
from typing import Any

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widget import Widget

from gtui.tui.actions import APP_ACTIONS
from gtui.tui.keys import keys_of
from gtui.tui.screens.browse import BrowseScreen
from gtui.tui.widgets.task_queue import TaskQueue


def _binding_commands(
    app: App[Any], target: Widget, bindings: Iterable[BindingType], seen: set[str]
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


def commands_for(app: App[Any], screen: Screen[Any]) -> Iterator[SystemCommand]:
    """Palette entries for what the user can do right now: here first, then anywhere."""
    seen = {"Keys", "Quit"}
    yield from _binding_commands(app, screen, type(screen).BINDINGS, seen)
    if isinstance(screen, BrowseScreen):
        pane = screen.active
        yield from _binding_commands(app, pane, type(pane).BINDINGS, seen)
        yield from _binding_commands(app, pane.file_list, type(pane.file_list).BINDINGS, seen)
        queue = screen.query_one(TaskQueue)
        yield from _binding_commands(app, queue, TaskQueue.BINDINGS, seen)
    for action in APP_ACTIONS:
        if not action.palette:
            continue
        keys = keys_of(app, action.binding()) if action.keys else ""
        help_text = f"{keys} — {action.palette_help}" if keys else action.palette_help
        yield SystemCommand(action.palette, help_text, partial(app.run_action, action.action))

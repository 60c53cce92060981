"""Every app-wide action in one table: its keys, its words in the key bar and help, and how
the command palette offers it.

``GtuiApp.BINDINGS`` is made from this table, the palette lists it, and the help screen
shows it under "Everywhere", so an action is added (or renamed) in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding


@dataclass(frozen=True)
class AppAction:
    """One thing the user can do from any screen."""

    action: str
    id: str
    keys: str = ""
    """Default keys (``[keys]`` in config.toml rebinds them by ``id``); empty: palette only."""
    description: str = ""
    """What the key bar and the help call it."""
    show: bool = False
    """Shown in the key bar."""
    palette: str = ""
    """The command palette's title; empty: not in the palette."""
    palette_help: str = ""

    def binding(self) -> Binding:
        return Binding(self.keys, self.action, self.description, show=self.show, id=self.id)


APP_ACTIONS: tuple[AppAction, ...] = (
    AppAction(
        "switch_mode('browse')",
        "mode_browse",
        keys="1",
        description="Browse",
        palette="Browse collections",
        palette_help="the two panes and the queue",
    ),
    AppAction(
        "switch_mode('tasks')",
        "mode_tasks",
        keys="2",
        description="Tasks",
        palette="Task list (full screen)",
        palette_help="every recent task",
    ),
    AppAction(
        "switch_mode('groups')",
        "mode_groups",
        keys="3",
        description="Groups",
        palette="Groups",
        palette_help="my groups and their members",
    ),
    AppAction(
        "switch_mode('search')",
        "mode_search",
        keys="4",
        description="Search",
        palette="Search",
        palette_help="search a Globus Search index",
    ),
    AppAction(
        "switch_mode('timers')",
        "mode_timers",
        keys="5",
        description="Timers",
        palette="Timers",
        palette_help="scheduled and recurring transfers",
    ),
    AppAction(
        "switch_mode('flows')",
        "mode_flows",
        keys="6",
        description="Flows",
        palette="Flows",
        palette_help="start a flow from its form, follow its runs",
    ),
    AppAction(
        "switch_mode('activity')",
        "mode_activity",
        keys="7",
        description="Activity",
        palette="Activity",
        palette_help="every task, timer run and flow run, filtered and searched",
    ),
    AppAction(
        "quick_jump",
        "quick_jump",
        keys="ctrl+g",
        description="Jump",
        show=True,
        palette="Quick jump",
        palette_help="bookmarks, recent folders",
    ),
    AppAction(
        "bookmarks",
        "bookmarks",
        keys="ctrl+b",
        description="Bookmarks",
        show=True,
        palette="Bookmarks",
        palette_help="list, rename, delete",
    ),
    AppAction(
        "help",
        "help",
        keys="f1,question_mark",
        description="Keys",
        show=True,
        palette="Show all keys",
        palette_help="every key, by where it works",
    ),
    AppAction(
        "pick_theme",
        "pick_theme",
        keys="ctrl+t",
        description="Theme",
        palette="Theme…",
        palette_help="preview and keep a theme",
    ),
    AppAction("quit", "quit", keys="f10", description="Quit"),
    AppAction(
        "compare",
        "compare_folders",
        palette="Compare the two folders",
        palette_help="what differs between the panes, and a sync of it (=)",
    ),
    AppAction(
        "share",
        "share_folder",
        palette="Share this folder",
        palette_help="a guest collection and who may use it (x)",
    ),
    AppAction(
        "bookmark_here",
        "bookmark_here",
        palette="Bookmark this folder",
        palette_help="the focused pane's folder",
    ),
    AppAction("log_in", "log_in", palette="Log in again", palette_help="a new Globus login"),
    AppAction("log_out", "log_out", palette="Log out", palette_help="revoke and delete the tokens"),
)


def app_bindings() -> list[Binding]:
    """The bindings of every app-wide action that has keys."""
    return [action.binding() for action in APP_ACTIONS if action.keys]

"""A checkbox whose state reads without colour: ``[x]`` when on, ``[ ]`` when off.

Textual's draws ``▐X▌`` either way and tells on from off by colour alone (a green X or a dark
one), which some themes and every ``NO_COLOR`` terminal make unreadable. Space toggles it;
Enter is left to the form it sits in (submit), as in a web form.
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import Checkbox as TextualCheckbox

ON = "[x]"
OFF = "[ ]"


class Checkbox(TextualCheckbox, inherit_bindings=False):
    """Textual's checkbox, drawn with a glyph for each state, toggled by Space."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "toggle_button", "Toggle", show=False),
    ]

    # The glyph carries the state, so both are drawn readable: Textual's off state is
    # nearly the colour of the background it sits on.
    DEFAULT_CSS = """
    Checkbox > .toggle--button {
        color: $text-muted;
    }
    Checkbox.-on > .toggle--button {
        color: $text-success;
        text-style: bold;
    }
    """

    @property
    def _button(self) -> Content:
        return Content.assemble(
            (ON if self.value else OFF, self.get_visual_style("toggle--button"))
        )

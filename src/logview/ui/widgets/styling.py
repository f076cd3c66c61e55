"""Component styles as *partial* Rich styles.

A full component style carries the widget's background, which would paint over a highlighted
row or a selected option; a partial one carries only what the `.tcss` rule sets.
"""

from __future__ import annotations

from rich.style import Style
from textual.widget import Widget


class PartialStyles(Widget):
    """Mixin for widgets that paint `Text` with their component classes."""

    def _partial(self, name: str) -> Style:
        return self.get_component_rich_style(name, partial=True)

"""The line that stands in for the folded sidebar: the filters in force, compact
(`status 4xx,5xx · since 2h · search "token"`), and the key that shows the sidebar."""

from __future__ import annotations

from collections.abc import Mapping

from rich.text import Text
from textual.widgets import Static

from logview.model import Filters
from logview.session.summary import filter_parts
from logview.ui.widgets.styling import PartialStyles

HINT = "b filters"


class FilterLine(PartialStyles, Static):
    """One line: each filter's name dim, its value bold (values are the user's or the data's:
    plain text, never markup)."""

    COMPONENT_CLASSES = {"filter-line--name", "filter-line--value", "filter-line--hint"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.parts: list[tuple[str, str]] = []

    def show(self, filters: Filters, labels: Mapping[str, Mapping[str, str]] | None = None) -> None:
        parts = filter_parts(filters, labels)
        if parts != self.parts:
            self.parts = parts
            self.refresh()

    def plain(self) -> str:
        return self.render().plain

    def render(self) -> Text:
        style = self._partial
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        text.append(" ")
        if not self.parts:
            text.append("no filters", style=style("filter-line--name"))
        for index, (name, value) in enumerate(self.parts):
            if index:
                text.append(" · ", style=style("filter-line--name"))
            text.append(f"{name} ", style=style("filter-line--name"))
            text.append(value, style=style("filter-line--value"))
        width = self.size.width
        hint = Text(f" {HINT} ", style=style("filter-line--hint"))
        if width and text.cell_len + hint.cell_len + 2 <= width:
            text.append(" " * (width - text.cell_len - hint.cell_len))
            text.append_text(hint)
        return text

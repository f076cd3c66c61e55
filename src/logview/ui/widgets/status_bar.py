"""The top line: where the data comes from, what the connection is doing, and the counts.

Counts are plain numbers with labels (`shown 1,204 · loaded 5,000 · total 5,000`) so the eye
finds them without decoding a progress widget.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.widgets import Static

from logview.sanitize import clean_line
from logview.ui.widgets.styling import PartialStyles

# Connection states and the component class that colours them.
STATE_CLASSES = {
    "loading": "info",
    "live": "ok",
    "complete": "ok",
    "paused": "dim",
    "retrying": "warn",
    "error": "error",
    "capped": "warn",
    "cancelled": "warn",
}


@dataclass(frozen=True)
class StatusInfo:
    """Everything the status line shows; the app builds one whenever something changes."""

    label: str
    state: str  # a key of STATE_CLASSES
    state_text: str
    shown: int = 0
    loaded: int = 0
    total: int | None = None
    new_rows: int = 0


class StatusBar(PartialStyles, Static):
    """Source, connection state and counts on one line."""

    COMPONENT_CLASSES = {
        "status-bar--brand",
        "status-bar--label",
        "status-bar--key",
        "status-bar--value",
        "status-bar--ok",
        "status-bar--info",
        "status-bar--warn",
        "status-bar--error",
        "status-bar--dim",
    }

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.info: StatusInfo | None = None

    def show(self, info: StatusInfo) -> None:
        if info != self.info:
            self.info = info
            self.update(self._render_info(info))

    def plain(self) -> str:
        return "" if self.info is None else self._render_info(self.info).plain

    def _render_info(self, info: StatusInfo) -> Text:
        style = self._partial
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(" logview ", style=style("status-bar--brand"))
        text.append("  ")
        text.append(clean_line(info.label), style=style("status-bar--label"))
        text.append("   ")
        marker = {"live": "● ", "loading": "◌ ", "retrying": "⟳ ", "error": "✖ ", "paused": "‖ "}.get(info.state, "")
        text.append(marker + clean_line(info.state_text),
                    style=style(f"status-bar--{STATE_CLASSES.get(info.state, 'dim')}"))
        counts = Text(no_wrap=True)
        for key, value in (("shown", info.shown), ("loaded", info.loaded), ("total", info.total)):
            if value is None:
                continue
            counts.append(f"{key} ", style=style("status-bar--key"))
            counts.append(f"{value:,}", style=style("status-bar--value"))
            counts.append("   ")
        if info.new_rows:
            counts.append(f"+{info.new_rows:,} new ", style=style("status-bar--warn"))
        width = self.size.width or 160
        gap = width - text.cell_len - counts.cell_len
        text.append(" " * max(2, gap))
        text.append_text(counts)
        return text

    def on_resize(self) -> None:
        if self.info is not None:
            self.update(self._render_info(self.info))

"""The row of tabs above a viewer when the app shows several sources (one per profile)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.message import Message
from textual.widgets import Static

from logview.sanitize import clean_line
from logview.session.status_inputs import Trouble
from logview.ui.labels import fit_labels
from logview.ui.widgets.styling import PartialStyles


HINT = " [ and ] switch tabs"
MERGED_TAB = "all"  # the last tab's, merging every source's rows (if no source takes the name)


def merged_tab_label(labels: Sequence[str]) -> str:
    """The merged tab's label: `all`, or `all (merged)` when a source's label is `all` (a profile
    named `all` read `all   builder   all`, two tabs alike, found in a walk). The merged tab's rows
    keep their source's label: a row, or a saved envelope, labelled `all` is the profile's."""
    return next(label for label in (MERGED_TAB, f"{MERGED_TAB} (merged)", f"⊕ {MERGED_TAB} (merged)")
                if label not in labels)


class TabStrip(PartialStyles, Static):
    """` prod  staging  all   [ and ] switch tabs`, the viewer's own tab marked; a click picks
    a tab. Tabs carry no numbers: the digit keys toggle status filters, not tabs."""

    COMPONENT_CLASSES = {"tab-strip--active", "tab-strip--other", "tab-strip--hint", "tab-strip--trouble"}

    class Picked(Message):
        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, labels: Sequence[str], active: int, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.labels, self.active = list(labels), active
        self.troubles: list[Trouble | None] = [None] * len(self.labels)  # per tab: what is wrong there
        self._spans: list[tuple[int, int]] = []

    def show_troubles(self, troubles: Sequence[Trouble | None]) -> None:
        """Mark the tabs whose source is failing (`⚠`), so a stale tab is seen from any other."""
        if list(troubles) != self.troubles:
            self.troubles = list(troubles)
            self.refresh()

    def render(self) -> Text:
        """Every tab, then the hint; on a narrow line the hint goes first, then the labels are
        cut (in the middle, so that they stay distinct)."""
        width = self.size.width or 10_000
        labels = [clean_line(label) for label in self.labels]
        text = self._tabs(labels)
        if text.cell_len + len(HINT) <= width:
            text.append(HINT, style=self._partial("tab-strip--hint"))
            return text
        if text.cell_len > width:
            overhead = text.cell_len - sum(cell_len(label) for label in labels)
            text = self._tabs(fit_labels(labels, max(3, (width - overhead) // max(1, len(labels)))))
        return text

    def _tabs(self, labels: Sequence[str]) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        self._spans = []
        for index, label in enumerate(labels):
            start = text.cell_len
            style = "tab-strip--active" if index == self.active else "tab-strip--other"
            trouble = self.troubles[index] if index < len(self.troubles) else None
            text.append(" ", style=self._partial(style))
            if trouble:  # (in the terminal's 16 colours, its yellow on its green read 1.4:1: the tab's own there)
                on_green = self.app.native_ansi_color and index == self.active
                mark = Style() if on_green else self._partial("tab-strip--trouble")
                text.append("⚠ ", style=self._partial(style) + mark)
            text.append(f"{label} ", style=self._partial(style))
            self._spans.append((start, text.cell_len))
            text.append(" ")
        return text

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        for index, (start, end) in enumerate(self._spans):
            if start <= offset.x < end:
                self.post_message(self.Picked(index))

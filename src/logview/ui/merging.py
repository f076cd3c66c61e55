"""The merged timeline: every tab's loaded entries in one view, newest first, with a source column.

A mixin of `ViewerScreen`, active in the app's last tab when it shows several sources. It asks no
API anything: whenever a tab's rows change (checked every MERGE_EVERY_S, so a tab's live tail
shows here too), the view's store is rebuilt from the tabs' stores (`EntryStore.merge_from`,
column-wise, milliseconds), and the selected entry stays selected.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from logview.store import EntryStore

MERGE_EVERY_S = 0.5

if TYPE_CHECKING:
    from logview.ui.viewer import ViewerScreen

    _Base = ViewerScreen
else:
    _Base = object

Parts = Callable[[], Sequence[tuple[str, EntryStore]]]


class MergingMixin(_Base):
    """Keeps a merged view in step with the tabs it merges."""

    def init_merging_state(self, merge_of: Parts | None) -> None:
        self.merge_of = merge_of
        self._merged_signature: tuple[tuple[int, int, int], ...] | None = None
        self._merged_parts = np.zeros(0, dtype=np.int64)  # per row: which tab, and its ordinal there
        self._merged_ordinals = np.zeros(0, dtype=np.int64)

    @property
    def merged(self) -> bool:
        return self.merge_of is not None

    def start_merging(self) -> None:
        self.phase = "complete"
        self.merge_now()
        self.set_interval(MERGE_EVERY_S, self.merge_now)

    def merge_now(self, force: bool = False) -> None:
        """Rebuild from the tabs if any of them changed (or `force`)."""
        if self.merge_of is None or not self.table.is_attached:
            return
        parts = list(self.merge_of())
        signature = tuple((store.epoch, store.head, store.tail) for _, store in parts)
        if signature == self._merged_signature and not force:
            return
        self._merged_signature = signature
        selected = self._selected_origin()
        at_top = self.table.cursor_row == 0
        self._merged_parts, self._merged_ordinals = self.store.merge_from(parts)
        self.view.refilter(self.filters)
        self.table.refiltered(keep_place=False)
        if selected is not None and not at_top:  # the same entry again, wherever it is now
            row = self._row_of_origin(*selected)
            if row is not None:
                self.table.move_to_row(row)
        self.refresh_all()

    def origins_of(self, ordinals: np.ndarray) -> list[str]:
        """The source label of each of these rows (what a save writes with each entry)."""
        labels = self.store.origins.values
        return [labels[code] for code in self.store.column("origin", ordinals).tolist()]

    def _selected_origin(self) -> tuple[int, int] | None:
        ordinal = self.table.cursor_ordinal
        index = None if ordinal is None else ordinal - self.store.head
        if index is None or not 0 <= index < len(self._merged_parts):
            return None
        return int(self._merged_parts[index]), int(self._merged_ordinals[index])

    def _row_of_origin(self, part: int, ordinal: int) -> int | None:
        hits = np.flatnonzero((self._merged_parts == part) & (self._merged_ordinals == ordinal))
        if not len(hits):
            return None
        merged_ordinal = self.store.head + int(hits[0])
        return self.view.row_of(merged_ordinal) if self.view.contains(merged_ordinal) else None

"""`r` over a file keeps the user's place: the entry selected before is selected again once the reading
holds its line, at the same height on the screen (a log appended to and read again with `r` put the cursor
back on the newest row, the place reached in 100,000 rows lost: found in a walk).

The entry is known again by its line: the same bytes at the same place in the file, which an append leaves
as they were. A file rewritten otherwise has no such line, and the reading stays on the newest row, as it
does when `r` is pressed there. A move of the user's while the file is read is theirs: the place is let go.
"""

from __future__ import annotations

import msgspec
import numpy as np

from logview.store import EntryStore, FilteredView
from logview.ui.widgets.log_table import LogTable


class FilePlace(msgspec.Struct, frozen=True):
    offset: int  # where the line starts in the file
    line: bytes
    height: int  # the cursor's row on the screen

    @classmethod
    def of(cls, table: LogTable, store: EntryStore) -> FilePlace | None:
        """Where the user is in a file; None at the newest row (the reading shows the newest there again)."""
        ordinal = table.cursor_ordinal
        if ordinal is None or table.at_top or store.lines is None or (line := store.line(ordinal)) is None:
            return None
        starts, _ = store.line_span(ordinal, ordinal + 1)
        return cls(int(starts[0]), line, table.cursor_height)

    def back_to(self, table: LogTable, store: EntryStore, view: FilteredView, *, finished: bool) -> bool:
        """Select the line again once the rows read so far hold it; True when done with (selected, or not to be)."""
        if not table.at_top:  # (moved by the user since `r`)
            return True
        starts = store.span("start", store.head, store.tail)
        found = np.flatnonzero(starts == self.offset)
        if not len(found):  # (read in the file's order until its fields are: a line past it is read already)
            return finished or bool(len(starts)) and int(starts.max()) > self.offset
        ordinal = store.head + int(found[0])
        if store.line(ordinal) != self.line:
            return True
        if not view.contains(ordinal):  # (its fields not read yet, under a filter)
            return finished
        table.select_at_height(view.row_of(ordinal), self.height)
        return True

"""The entries a store holds in memory (fetched, not archived), kept out of its numpy columns.

Why not an object column: numpy fills an object array with pointers to None, 8 bytes of memory a
row for every row, also for the rows that hold no entry (archived rows, whose raw JSON is read
back from the archive: `archived.py`), and the search text cached beside each entry took another 8.
A row names its entry by a 4-byte index here instead (its `held` column; 0: none), and a column of
zeros costs no memory until it is written: a relaunch's million archived rows hold 16 MB less.

Append-only: an index is never given twice (a store's `clear` starts a new table), so a search in
a worker thread may cache texts by index while rows come and go.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from logview.model import LogEntry

HELD_DTYPE = np.int32  # (2**31 entries fetched in one store's life: never)


class HeldEntries:
    """Entries by index (from 1), with each one's search text once a search has made it."""

    def __init__(self) -> None:
        self.entries: list[LogEntry | None] = [None]  # (index 0: no entry)
        self.texts: list[str | None] = [None]

    def add(self, entries: Sequence[LogEntry]) -> np.ndarray:
        """Hold `entries`; their indices, in order."""
        first = len(self.entries)
        self.entries.extend(entries)
        self.texts.extend([None] * len(entries))
        return np.arange(first, first + len(entries), dtype=HELD_DTYPE)

    def take(self, indices: np.ndarray) -> list[LogEntry | None]:
        """The entries at `indices` (None at 0 and for those let go)."""
        return list(map(self.entries.__getitem__, indices.tolist()))

    def release(self, indices: np.ndarray) -> None:
        """Let go of the entries at `indices` (their rows are gone)."""
        entries, texts = self.entries, self.texts
        for index in indices[indices > 0].tolist():
            entries[index] = texts[index] = None

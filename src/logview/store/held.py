"""The entries a store holds in memory (fetched, not archived), kept out of its numpy columns.

Why not an object column: numpy fills an object array with pointers to None, 8 bytes of memory a
row for every row, also for the rows that hold no entry (archived rows, whose raw JSON is read
back from the archive: `archived.py`), and the search text cached beside each entry took another 8.
A row names its entry by a 4-byte index here instead (its `held` column; 0: none), and a column of
zeros costs no memory until it is written: a relaunch's million archived rows hold 16 MB less.

Append-only: an index is never given twice (a store's `clear` starts a new table), so a search in
a worker thread may cache texts by index while rows come and go.

Fetched entries go too once the archive holds them (`track`, `archived`: the archive's writer says
where each one is, `archive/writer.py`); their rows are read back from the archive from then on.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from itertools import chain, repeat
from operator import is_, is_not, methodcaller

import numpy as np

from logview.model import LogEntry
from logview.store.held_columns import MADE_WHEN_READ, HeldColumns
from logview.sources.page_columns import columns_of

HELD_DTYPE = np.int32  # (2**31 entries fetched in one store's life: never)
# The archive's words of where entries went, by id: each transaction's, in the order said (words
# waiting together are taken in one pass: `ui/feed_messages.merge_archived`).
Rowids = Sequence[Mapping[str, int]]
_VALUES = methodcaller("values")


class HeldEntries:
    """Entries by index (from 1), with each one's search text once a search has made it."""

    def __init__(self, *, track: bool = False) -> None:
        # (index 0: no entry; `MADE_WHEN_READ`: a typed page's, made of its columns when read, `entry`)
        self.entries: list[LogEntry | None] = [None]
        self.texts: list[str | None] = [None]
        self._columns = HeldColumns()
        # the entries the archive is yet to say it holds, by id (None: no archive takes them)
        self.unarchived: dict[str, int] | None = {} if track else None

    def track(self) -> None:
        """From now on, entries added are let go once `archived` says the archive holds them."""
        if self.unarchived is None:
            self.unarchived = {}

    def untrack(self) -> None:
        """The archive stopped: no entry waits for it any more (they stay held)."""
        self.unarchived = None

    def add(self, entries: Sequence[LogEntry]) -> np.ndarray:
        """Hold `entries`; their indices, in order."""
        first = len(self.entries)
        if not self._columns.add(first, entries, self.entries):
            self.entries.extend(entries)
        self.texts.extend([None] * len(entries))
        if self.unarchived is not None:
            columns = columns_of(entries)  # (a typed page's ids are a column already)
            ids = [entry.id for entry in entries] if columns is None else columns.ids
            self.unarchived.update(zip(ids, range(first, len(self.entries))))
        return np.arange(first, first + len(entries), dtype=HELD_DTYPE)

    def archived(self, rowids: Rowids, column: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Which rows of `column` (a store's `held` column) hold an entry the archive now holds
        at `rowids` (its words by id, each in turn), and each one's rowid; those entries
        are no longer waited for."""
        pending, entries, count = self.unarchived, self.entries, sum(map(len, rowids))
        if not pending or not count:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        # each entry's index, 0 for one not waited for (entries[0] is None, as is one let go: an
        # id a word before this one named too), a page's worth a column at a time, in C
        popped = list(map(pending.pop, chain.from_iterable(rowids), repeat(0)))
        alive = np.fromiter(map(is_not, map(entries.__getitem__, popped), repeat(None)), bool, count)
        indices = np.array(popped, dtype=HELD_DTYPE)[alive]
        order = np.argsort(indices, kind="stable")
        at = np.fromiter(chain.from_iterable(map(_VALUES, rowids)), np.int64, count)
        found, at = indices[order], at[alive][order]
        if not len(found):
            return np.zeros(0, dtype=np.int64), at
        # (the rows holding an index between the page's first and last: about a page's worth, of
        # the many added since; each looked up in the sorted indices, not sorted with them: `isin`)
        recent = np.flatnonzero((column >= found[0]) & (column <= found[-1]))
        within = column[recent]
        places = np.searchsorted(found, within)
        matched = found[places] == within
        return recent[matched], at[places[matched]]

    def entry(self, index: int) -> LogEntry | None:
        """The entry at `index` (None at 0 and once let go)."""
        found = self.entries[index]
        return found if found is not MADE_WHEN_READ else self._columns.make(index, self.entries)

    def take(self, indices: np.ndarray) -> list[LogEntry | None]:
        """The entries at `indices` (None at 0 and for those let go)."""
        found = list(map(self.entries.__getitem__, indices.tolist()))
        if any(map(is_, found, repeat(MADE_WHEN_READ))):
            found = list(map(self.entry, indices.tolist()))
        return found

    def release(self, indices: np.ndarray, *, archived: bool = False) -> None:
        """Let go of the entries at `indices` (their rows are gone, or `archived`: read back from
        the archive from now on, which `archived` no longer waits for: none to look up by id)."""
        entries, texts, pending = self.entries, self.texts, self.unarchived
        kept = indices[indices > 0].tolist()
        if pending and not archived:  # (those the archive has not said it holds yet: no longer waited for)
            for index in kept:
                if (entry := self.entry(index)) is not None and pending.get(entry.id) == index:
                    del pending[entry.id]
        self._columns.release(kept, entries, all_held=archived)  # (`archived` found each one held)
        deque(map(entries.__setitem__, kept, repeat(None)), maxlen=0)  # (each let go, in C)
        deque(map(texts.__setitem__, kept, repeat(None)), maxlen=0)

"""The entries a store holds in memory (fetched, not archived), kept out of its numpy columns.

Why not an object column: numpy fills an object array with pointers to None, 8 bytes of memory a
row for every row, also for the rows that hold no entry (archived rows, whose raw JSON is read
back from the archive: `archived.py`), and the search text cached beside each entry took another 8.
A row names its entry by a 4-byte index here instead (its `held` column; 0: none), and a column of
zeros costs no memory until it is written: a relaunch's million archived rows hold 16 MB less.

Append-only: an index is never given twice (a store's `clear` starts a new table), so a search in
a worker thread may cache texts by index while rows come and go.

Fetched entries go too once the archive holds them (`track`, `bind`, `archived`: the archive's
writer says where each one is, `archive/writer.py`); their rows are read back from the archive from
then on. Not by id: each page handed to the archive is bound to the indices its entries took here
(`bind`), and the archive's word names the pages and their rowids in the same order.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import repeat
from operator import is_, is_not
from typing import TYPE_CHECKING

import numpy as np

from logview.model import LogEntry
from logview.store.held_columns import MADE_WHEN_READ, HeldColumns, let_go

if TYPE_CHECKING:  # (a file's session never loads the archive, nor sqlite)
    from logview.archive.archiving import Handing, Word

HELD_DTYPE = np.int32  # (2**31 entries fetched in one store's life: never)
# The archive's words of where entries went: each transaction's pages and their rowids, in the order
# said (words waiting together are taken in one pass: `ui/feed_messages.merge_archived`).
Rowids = Sequence["Word"]
_NONE = np.zeros(0, dtype=np.int64)


class HeldEntries:
    """Entries by index (from 1), with each one's search text once a search has made it."""

    def __init__(self, *, track: bool = False) -> None:
        # (index 0: no entry; `MADE_WHEN_READ`: a typed page's, made of its columns when read, `entry`)
        self.entries: list[LogEntry | None] = [None]
        self.texts: list[str | None] = [None]
        self._columns = HeldColumns()
        self.tracking = track  # (False: no archive takes the entries: none is bound, none let go)

    def track(self) -> None:
        """From now on, entries added are let go once `archived` says the archive holds them."""
        self.tracking = True

    def untrack(self) -> None:
        """The archive stopped: no entry waits for it any more (they stay held)."""
        self.tracking = False

    def bind(self, handed: Sequence[tuple[int, Handing]], first: int) -> None:
        """The entries just added from index `first` on came in these pages handed to the archive
        (each: where its batch begins among them, its page, and each entry's place in that page,
        None: the page whole, in order): the archive's word on a page lets go of them by place."""
        added = len(self.entries) - first
        if not self.tracking or added <= 0:
            return
        for offset, (ticket, places) in handed:
            count = min(ticket.size if places is None else len(places), added - offset)
            if count <= 0:
                continue
            if ticket.table is not self:  # (a page bound here the first time: or again, after a `clear`)
                ticket.table, ticket.held = self, np.zeros(ticket.size, dtype=HELD_DTYPE)
            indices = np.arange(first + offset, first + offset + count, dtype=HELD_DTYPE)
            if places is None:
                ticket.held[:count] = indices
            else:
                ticket.held[np.array(places[:count], dtype=np.int64)] = indices

    def add(self, entries: Sequence[LogEntry]) -> np.ndarray:
        """Hold `entries`; their indices, in order."""
        first = len(self.entries)
        if not self._columns.add(first, entries, self.entries):
            self.entries.extend(entries)
        self.texts.extend([None] * len(entries))
        return np.arange(first, first + len(entries), dtype=HELD_DTYPE)

    def archived(self, words: Rowids, column: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Which rows of `column` (a store's `held` column) hold an entry the archive now holds
        (`words`: each transaction's pages and their entries' rowids, in turn), and each one's
        rowid; those entries are no longer waited for (a page's word is taken once)."""
        bound, rowids = [], []
        for tickets, placed in words if self.tracking else ():
            start = 0
            for ticket in tickets:
                if ticket.table is self:
                    bound.append(ticket.held)
                    rowids.append(_array(placed[start:start + ticket.size]))
                    ticket.table = ticket.held = None
                start += ticket.size
        if not bound:
            return _NONE, _NONE
        indices, at = np.concatenate(bound), np.concatenate(rowids)
        named = (indices > 0) & (at > 0)  # (an entry not bound here, or pruned at once: none)
        indices, at = indices[named], at[named]
        # (one let go meanwhile, dropped or cleared, is None: not let go again)
        alive = np.fromiter(map(is_not, map(self.entries.__getitem__, indices.tolist()), repeat(None)), bool, len(indices))
        order = np.argsort(indices[alive], kind="stable")
        found, at = indices[alive][order], at[alive][order]
        if not len(found):
            return _NONE, at
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
        the archive from now on). One the archive has not said it holds yet is not waited for
        any more: its word finds it let go (`archived`)."""
        kept = np.sort(indices[indices > 0])
        self._columns.release(kept, self.entries, all_held=archived)  # (`archived` found each one held)
        let_go(self.entries, kept)
        let_go(self.texts, kept)


def _array(rowids: Sequence[int]) -> np.ndarray:
    """A page's rowids as an array (a `range`: every entry was new, `ArchivedSource.store_rows`)."""
    if isinstance(rowids, range):
        return np.arange(rowids.start, rowids.stop, dtype=np.int64)
    return np.array(rowids, dtype=np.int64)

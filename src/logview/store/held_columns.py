"""Typed pages' entries held as their columns, each entry made when its row is first read.

A load of 100k Supermetrics entries reads a few of them (the rows on screen, the detail, a
search): the store holds the pages' columns (`sources/page_columns.py`) instead of an entry
object each, and `HeldEntries.entry` makes a row's entry of them when it is asked for (then
holds it, as any other). A row let go (archived, dropped) lets its text go, so a page's body goes
with its last row, as it went with its last entry; a batch's columns go with its last row."""

from __future__ import annotations

from bisect import bisect_right
from collections import deque
from collections.abc import Sequence
from itertools import repeat
from operator import is_not

import numpy as np

from logview.model import LogEntry
from logview.sources.page_columns import PageColumns, PageEntry, columns_of

MADE_WHEN_READ = PageEntry.__new__(PageEntry)  # a held row whose entry is made when read (no entry at all)


class HeldColumns:
    """The columns of the typed pages held, each from its first row's index on."""

    def __init__(self) -> None:
        self._starts: list[int] = []  # each part's first index
        self._parts: list[PageColumns | None] = []  # (None: every row of it let go)
        self._sizes: list[int] = []  # … its rows
        self._left: list[int] = []  # … those not let go yet

    def add(self, first: int, entries: Sequence[LogEntry], held: list[LogEntry | None]) -> bool:
        """Hold `entries` from index `first` as their columns, if they are a typed page's none of
        whose entries was made yet (`held` gets a mark for each); False: hold them as entries."""
        columns = columns_of(entries)
        if columns is None or entries.filled or not columns.ids:  # type: ignore[attr-defined]
            return False
        self._starts.append(first)
        self._parts.append(columns.part(None))  # (its own: a row let go lets its text go)
        self._sizes.append(len(columns.ids))
        self._left.append(len(columns.ids))
        held.extend([MADE_WHEN_READ] * len(columns.ids))
        return True

    def make(self, index: int, held: list[LogEntry | None]) -> LogEntry | None:
        """The entry of the row at `index` (marked `MADE_WHEN_READ` in `held`), made and held."""
        part = bisect_right(self._starts, index) - 1
        columns = self._parts[part]
        if columns is None:  # (every row of it let go meanwhile, by the loop: a search's thread asked)
            return None
        at = index - self._starts[part]
        if columns.texts[at] is None:  # (let go meanwhile)
            return None
        made = PageEntry(columns.ids[at], columns.times[at], columns.statuses[at],
                         (columns.texts[at], columns.events[at], columns.durations[at]), "supermetrics")
        if held[index] is MADE_WHEN_READ:  # (another thread may have made it meanwhile: one is kept)
            held[index] = made
        return held[index]  # (None: let go meanwhile)

    def release(self, indices: np.ndarray, held: list[LogEntry | None], *, all_held: bool = False) -> None:
        """The rows at `indices` (sorted) are about to be let go: a part none of whose rows is left
        goes (a page's worth at a time, in C). `all_held`: every one of them is held still (none let
        go before: the caller looked)."""
        if not self._starts or not len(indices):
            return
        rows = indices.astype(np.int64, copy=False)
        alive = np.ones(len(rows), bool) if all_held else \
            np.fromiter(map(is_not, map(held.__getitem__, rows.tolist()), repeat(None)), bool, len(rows))
        starts = np.array(self._starts, dtype=np.int64)
        parts = np.searchsorted(starts, rows, side="right") - 1
        within = (parts >= 0) & alive
        within[within] &= rows[within] < (starts + np.array(self._sizes, dtype=np.int64))[parts[within]]
        parts, rows = parts[within], rows[within]
        for part, count in enumerate(np.bincount(parts, minlength=len(starts)).tolist()):
            columns = self._parts[part]
            if not count or columns is None:
                continue
            self._left[part] -= count
            if not self._left[part]:
                self._parts[part] = None
            else:  # (each row's text let go: a page's body goes with its last row's, as its entries' did)
                let_go(columns.texts, rows[parts == part] - starts[part])


def let_go(items: list, at: np.ndarray) -> None:
    """`items[i] = None` for each `i` of `at` (sorted): each run of them at once where they come in
    runs (the rows of the pages a word of the archive names: ~5 ms per 100k, against ~25 ms one by
    one, most of it the indices as Python ints), one by one where they are scattered."""
    if not len(at):
        return
    breaks = np.flatnonzero(np.diff(at) != 1) + 1
    if len(breaks) > len(at) // 8:
        deque(map(items.__setitem__, at.tolist(), repeat(None)), maxlen=0)
        return
    for start, stop in zip(at[np.r_[0, breaks]].tolist(), (at[np.r_[breaks - 1, len(at) - 1]] + 1).tolist()):
        items[start:stop] = [None] * (stop - start)

"""The filtered rows the table shows: a sorted array of a store's ordinals, kept up to date
incrementally as the store grows at either end (a live tail, a backfill, a file being read), so
that arriving rows cost only themselves, and the cursor can stay on an ordinal (the user's place).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from logview.model import Filters
from logview.store.entries import EntryStore
from logview.store.rows import Moves
from logview.store.select import Selection


@dataclass(frozen=True)
class ViewChange:
    """What one `FilteredView.sync` did, in rows of the view.

    A change is applied by the table after the session made it, and other syncs may come between
    (the feed's `Finished` is taken before the viewer has the last page's `Loaded`): so a merge's
    change carries what the table needs to follow its row (`follow`), not the view's latest state."""

    prepended: int = 0
    appended: int = 0
    dropped: int = 0
    reset: bool = False
    reordered: bool = False  # rows arriving out of order were merged into place: see `follow`
    moves: tuple[int, int] = (0, 0)  # the store's move versions the merge went from and to
    before: np.ndarray | None = field(default=None, compare=False, repr=False)  # the index before it
    # the view's newest row before it, with the store's move version it is numbered as of: whether the
    # user was on it is asked of the view as it is when the change is applied (see `row_of_top`)
    top: tuple[int, int] | None = field(default=None, compare=False, repr=False)

    def row_of_top(self, view: FilteredView) -> int | None:
        """The row the view's newest row before this change shows on now (None: the view was empty):
        rows of later changes, not applied yet, may be above it too (two streams' rows came in two
        posts, the second synced before the first was applied: a relaunch opened under 6 newer rows)."""
        if self.top is None:
            return None
        ordinal, numbered_at = self.top
        return view.row_of(view.store.moves.follow(ordinal, numbered_at))

    def follow(self, moves: Moves, ordinal: int, numbered_at: int) -> tuple[int, int | None]:
        """Where the row at `ordinal` (numbered as the store was at version `numbered_at`) is now,
        numbered as the store is now (a later change may still wait to be applied: a row on screen
        is drawn by today's numbers), and the row it showed before this change: a merge's rows may
        land below the user's row (a relaunch's fill of what is newer than the archive comes newest
        first, each page older than the last), and only those above it move it. None: the ordinal
        was numbered after this change (by an earlier change applied, or the user's move), whose
        rows were counted then."""
        now = moves.follow(ordinal, numbered_at)
        if self.before is None or numbered_at > self.moves[0]:
            return now, None
        return now, int(np.searchsorted(self.before, moves.follow(ordinal, numbered_at, self.moves[0])))


class FilteredView:
    """The filtered rows the table shows, kept up to date incrementally as the store grows."""

    def __init__(self, store: EntryStore, filters: Filters | None = None,
                 options: Sequence[str] | None = None) -> None:
        self.store = store
        self.filters = filters or Filters()
        self.options: tuple[str, ...] = tuple(store.source.status_choices if options is None else options)
        self.refilter()

    def __len__(self) -> int:
        return self._hi - self._lo

    # The index lives in a buffer with room at both ends, so that the rows a big file or a long
    # tail adds cost only themselves: concatenating would copy the whole index every time.
    @property
    def index(self) -> np.ndarray:
        """The ordinals shown, ascending (a view: valid until the next change)."""
        return self._buffer[self._lo:self._hi]

    @index.setter
    def index(self, value: np.ndarray) -> None:
        self._buffer = np.asarray(value, dtype=self._ordinals)
        self._lo, self._hi = 0, len(self._buffer)

    @property
    def _ordinals(self) -> type:
        """A file's rows are numbered from 0 up (4 bytes each: 4 MB less for a million rows);
        a live tail numbers its new rows down from 0, for as long as it runs."""
        return np.int32 if self.store.lines is not None else np.int64

    def _extend(self, front: np.ndarray, back: np.ndarray) -> None:
        if self._lo < len(front) or len(self._buffer) - self._hi < len(back):
            size = len(self) + len(front) + len(back)
            # At least as many as the store has room for: a file's rows, whose count the store
            # foresaw, then fill one buffer instead of copying it each time it is full (the
            # pages not written yet take no memory).
            spare = max(64, size // 2, self.store.capacity - size)
            room = min(spare // 4, 4096) if len(front) else 0  # the tail prepends few rows
            grown = np.empty(size + spare, dtype=self._ordinals)
            start = room + len(front)
            grown[start:start + len(self)] = self.index
            self._buffer, self._lo, self._hi = grown, start, start + len(self)
        self._buffer[self._lo - len(front):self._lo] = front
        self._buffer[self._hi:self._hi + len(back)] = back
        self._lo -= len(front)
        self._hi += len(back)

    def refilter(self, filters: Filters | None = None, options: Sequence[str] | None = None) -> None:
        """Recompute from scratch (filters changed, or the store was cleared)."""
        if filters is not None:
            self.filters = filters
        if options is not None:
            self.options = tuple(options)
        selection = self.store.select(self.filters, self.options)
        self.index = selection.index
        self.option_counts = selection.option_counts
        self.others_total = selection.others_total
        store = self.store
        self._epoch, self._head, self._tail, self._ready = store.epoch, store.head, store.tail, store.ready
        self._cover = store.covered(self.filters)
        self._moves = store.moves.version

    def sync(self) -> ViewChange:
        """Take in what the store gained or lost since the last call."""
        store = self.store
        try:
            moved = store.moves.span_since(self._moves)
        except LookupError:  # more moves than the store remembers
            moved = (store.head, store.tail)
        if store.epoch != self._epoch:
            self.refilter()
            return ViewChange(reset=True)
        if moved is not None:
            return self._moved(*moved)
        front = back = np.empty(0, dtype=np.int64)
        prepended = appended = dropped = 0
        top = (self.ordinal(0), self._moves) if len(self) else None
        if store.tail < self._tail:  # the oldest rows were dropped (tail at the cap)
            keep = int(np.searchsorted(self.index, store.tail))
            dropped = len(self) - keep
            self._hi = self._lo + keep
            self._cover = min(self._cover, store.tail)
        if store.head < self._head:
            before = store.select(self.filters, self.options, store.head, self._head)
            front = before.index
            prepended = len(front)
            self._add_counts(before)
        cover = store.covered(self.filters)
        if cover > self._cover:
            # rows newly covered; in memory, these are the appended rows and their counts too
            after = store.select(self.filters, self.options, self._cover, cover)
            back = after.index
            appended = len(back)
        if store.ready > self._ready:
            if cover > self._cover and (self._cover, cover) == (self._ready, store.ready):
                self._add_counts(after)
            else:  # a file's columns arrived for rows already shown: count those rows
                self._add_counts(store.select(self.filters, self.options, self._ready, store.ready))
        if len(front) or len(back):
            self._extend(front, back)
        if store.tail < self._tail:  # counts of dropped rows are not known: recount
            counts = store.select(self.filters, self.options)
            self.option_counts, self.others_total = counts.option_counts, counts.others_total
        self._head, self._tail, self._ready, self._cover = store.head, store.tail, store.ready, cover
        return ViewChange(prepended, appended, dropped, top=top)

    def _moved(self, lo: int, hi: int) -> ViewChange:
        """Rows [lo, hi) were merged into place (and rows may have come and gone at the ends):
        recompute, and say how many rows the unmoved rows shifted by, so the table keeps its place."""
        old, old_head, moves = self.index.copy(), self._head, self._moves
        self.refilter()
        new, tail = self.index, self.store.tail
        anchor = hi if lo <= old_head else old_head  # the first row that kept its ordinal, from the top
        prepended = int(np.searchsorted(new, anchor)) - int(np.searchsorted(old, anchor))
        dropped = len(old) - int(np.searchsorted(old, tail))
        appended = len(new) - len(old) - prepended + dropped
        return ViewChange(max(0, prepended), max(0, appended), dropped, reordered=True,
                          moves=(moves, self._moves), before=old)

    def _add_counts(self, part: Selection) -> None:
        self.option_counts = self.option_counts + part.option_counts
        self.others_total += part.others_total

    def ordinal(self, row: int) -> int:
        return int(self.index[row])

    def row_of(self, ordinal: int) -> int:
        """The row showing `ordinal`, or the row where it would be (the next older one)."""
        index = self.index
        try:  # (as the index's own type: numpy casts the whole index to int64 for a Python int,
            # ~0.3 ms a call for a million rows, each time the table asks where its cursor is)
            key = index.dtype.type(ordinal)
        except OverflowError:  # (beyond a file's rows: numbered from 0, below 2**31)
            return 0 if ordinal < 0 else len(index)
        return int(index.searchsorted(key))

    def contains(self, ordinal: int) -> bool:
        row = self.row_of(ordinal)
        return row < len(self.index) and int(self.index[row]) == ordinal

    def next_problem(self, row: int, step: int) -> int | None:
        """The nearest row after (`step` 1) or before (`step` -1) `row` that is a warning/error."""
        if step > 0:
            candidates = self.index[row + 1:]
            hits = np.flatnonzero(self.store.problem_mask(candidates))
            return row + 1 + int(hits[0]) if len(hits) else None
        candidates = self.index[:max(0, row)]
        hits = np.flatnonzero(self.store.problem_mask(candidates))
        return int(hits[-1]) if len(hits) else None

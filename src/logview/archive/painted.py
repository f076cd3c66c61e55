"""Archived spans painted as columns: what the viewer's store takes from the archive instead of
an entry object per row (the raw JSON stays on disk; `store/archived.py` reads it back)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import msgspec

from logview.archive.columns import ArchivedColumns, joined
from logview.model import Filters

if TYPE_CHECKING:
    from logview.archive.coverage import Span
    from logview.archive.source import ArchivedSource
    from logview.sources.base import Source

FIRST_PAINT_ROWS = 2_000  # archived rows read first, at once: the first screen (a few ms)
READ_ROWS = 8_192  # rows per query after the first (each row is a tuple of Python objects until coded)
FIRST_PAINT_PAUSE_S = 0.15  # between the first chunk and reading the rest (see `SpanPainting`)
PAINT_ROWS = 65_536  # rows per `ArchivedRows` after the first (each costs the screen a refresh)


class ArchivedRows(msgspec.Struct, frozen=True):
    """Archived entries shown as columns, without an entry object each (`paint_columns`): the
    store reads an entry's raw JSON back through `reader` when it is shown. Otherwise what
    `EntriesLoaded` is for fetched entries; `expected`: at most how many rows the span still
    brings, these included (the store makes room for them at once)."""

    columns: ArchivedColumns
    reader: ArchivedSource
    pages: int
    loaded: int
    total: int | None
    expected: int | None = None


class SpanPainting:
    """A span's rows that `source.matches` keeps for `filters` (but the search), a chunk at a
    time. The first chunk is small and read at once, on the caller's thread (`first`: in time
    for the app's first paint); the rest is counted and read in a thread (`chunks`), each with
    at most how many rows are still to come, that chunk's included."""

    def __init__(self, archived: ArchivedSource, source: Source, filters: Filters, low: int | None,
                 high: int) -> None:
        self.archived, self.source, self.filters = archived, source, filters
        self.range = (low, high)
        self._chunks = archived.column_chunks(low, high, first=FIRST_PAINT_ROWS, then=READ_ROWS)
        self._read = 0
        self._first: ArchivedColumns | None = None
        self._begun = False

    def first(self) -> ArchivedColumns | None:
        """The first chunk's matching rows (maybe none); None if the span holds no rows."""
        assert not self._begun
        self._begun = True
        columns = next(self._chunks, None)
        if columns is None:
            return None
        self._read = len(columns)
        self._first = columns.take(columns.matching(self.source, self.filters))
        return self._first

    async def chunks(self) -> AsyncIterator[tuple[ArchivedColumns, int | None]]:
        """Every chunk (the first too, unless it was taken with `first` already)."""
        if not self._begun:
            if (first := self.first()) is not None and len(first):
                yield first, None
        if self._first is None:  # (an empty span)
            return
        if len(self._first):
            # the reading thread holds the GIL most of the time: let the first screen be drawn first
            await asyncio.sleep(FIRST_PAINT_PAUSE_S)
        low, high = self.range
        total = await asyncio.to_thread(self.archived.count_in, low, high)
        gathered: list[ArchivedColumns] = []
        ahead = total - self._read  # the rows still to come when `gathered` began
        while (columns := await asyncio.to_thread(next, self._chunks, None)) is not None:
            self._read += len(columns)
            if len(shown := columns.take(columns.matching(self.source, self.filters))):
                gathered.append(shown)
            if sum(map(len, gathered)) >= PAINT_ROWS:
                yield joined(gathered), ahead
                gathered, ahead = [], total - self._read
        if gathered:
            yield joined(gathered), ahead


def floor_ids(archived: ArchivedSource, span: Span, since_us: int | None) -> set[str]:
    """The ids archived at the time just below `span`, which a pager showing the span showed with it."""
    low, _ = span.shown_part(since_us, None)
    if span.start_us is None or low is None or low >= span.start_us:
        return set()
    return {entry.id for entry in archived.entries(low, low, timeless=False)}

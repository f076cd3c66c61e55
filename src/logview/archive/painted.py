"""Archived spans painted as columns: what the viewer's store takes from the archive instead of
an entry object per row (the raw JSON stays on disk; `store/archived.py` reads it back)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from logview.archive.columns import ArchivedColumns, joined
from logview.model import Filters

if TYPE_CHECKING:
    from logview.archive.source import ArchivedSource
    from logview.sources.base import Source

FIRST_PAINT_ROWS = 2_000  # archived rows read first, at once: the first screen (a few ms)
READ_ROWS = 8_192  # rows per query after the first (each row is a tuple of Python objects until coded)
FIRST_PAINT_PAUSE_S = 0.15  # between the first chunk and reading the rest (see `matching_chunks`)
PAINT_ROWS = 65_536  # rows per `ArchivedRows` after the first (each costs the screen a refresh)


@dataclass(frozen=True)
class ArchivedRows:
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


async def matching_chunks(archived: ArchivedSource, source: Source, filters: Filters, low: int | None,
                          high: int) -> AsyncIterator[tuple[ArchivedColumns, int | None]]:
    """The span's rows that `source.matches` keeps for `filters` (but the search), a chunk at a
    time; with at most how many rows are still to come, this chunk's included (None while not
    counted yet). The first chunk is small and read at once, on the event loop, so that it is
    in the app's first paint; the rest is counted and read in a thread."""
    chunks = archived.column_chunks(low, high, first=FIRST_PAINT_ROWS, then=READ_ROWS)
    columns = next(chunks, None)
    if columns is None:
        return
    read = len(columns)
    if len(shown := columns.take(columns.matching(source, filters))):
        yield shown, None
        # the reading thread holds the GIL most of the time: let the first screen be drawn first
        await asyncio.sleep(FIRST_PAINT_PAUSE_S)
    total = await asyncio.to_thread(archived.count_in, low, high)
    gathered: list[ArchivedColumns] = []
    ahead = total - read  # the rows still to come when `gathered` began
    while (columns := await asyncio.to_thread(next, chunks, None)) is not None:
        read += len(columns)
        if len(shown := columns.take(columns.matching(source, filters))):
            gathered.append(shown)
        if sum(map(len, gathered)) >= PAINT_ROWS:
            yield joined(gathered), ahead
            gathered, ahead = [], total - read
    if gathered:
        yield joined(gathered), ahead

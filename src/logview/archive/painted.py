"""Archived spans painted as columns: what the viewer's store takes from the archive instead of
an entry object per row (the raw JSON stays on disk; `store/archived.py` reads it back)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from logview.archive.columns import ArchivedColumns
from logview.model import Filters

if TYPE_CHECKING:
    from logview.archive.source import ArchivedSource
    from logview.sources.base import Source

FIRST_PAINT_ROWS = 2_000  # archived rows in the first `ArchivedRows` of a span (then CHUNK_ROWS each)


@dataclass(frozen=True)
class ArchivedRows:
    """Archived entries shown as columns, without an entry object each (`paint_columns`): the
    store reads an entry's raw JSON back through `reader` when it is shown. Otherwise what
    `EntriesLoaded` is for fetched entries; `expected`: at most how many rows the span brings."""

    columns: ArchivedColumns
    reader: ArchivedSource
    pages: int
    loaded: int
    total: int | None
    expected: int | None = None


async def matching_chunks(archived: ArchivedSource, source: Source, filters: Filters, low: int | None,
                          high: int) -> AsyncIterator[tuple[ArchivedColumns, int]]:
    """The span's rows that `source.matches` keeps for `filters` (but the search), a chunk at a
    time, read in a thread (a small first chunk: the first screen comes first); with how many
    rows the span holds in all."""
    expected = await asyncio.to_thread(archived.count_in, low, high)
    chunks = archived.column_chunks(low, high, first=FIRST_PAINT_ROWS)
    while (columns := await asyncio.to_thread(next, chunks, None)) is not None:
        columns = columns.take(columns.matching(source, filters))
        if len(columns):
            yield columns, expected

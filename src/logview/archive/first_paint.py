"""A relaunch's first screen from the archive, read before its pager is built.

The viewer paints a query's newest archived rows at once (a few ms: the coverage, then one query).
Reading them needs neither the client nor the pager, and `ArchivedPager` brings the API layer with
it (paging, contract checks, prefetching, turns: ~7 ms of imports and building on the way to the
first paint, where `--file` has none). So the rows are read here, painted, and only then is the
pager built; it goes on from them (`ArchivedPager(painted=…)`: their spans, the top span's painting
begun, the rows counted as shown).
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from logview.archive.coverage import query_key
from logview.archive.db import ArchiveError
from logview.archive.painted import ArchivedRows, SpanPainting
from logview.times import epoch_us

if TYPE_CHECKING:
    from logview.archive.coverage import Span
    from logview.archive.source import ArchivedSource
    from logview.model import Filters
    from logview.sources.base import Source


class FirstPaint:
    """What was read for the first paint. `spans`: the query's covered spans within the range (None:
    not read, the archive failed: the backfill reads them, and meets the failure); `painting`: the
    top span's, begun; `rows`: its first rows as the store takes them (None: none to paint now);
    `pending`: rows were found, so the head is known only once what is newer than them has come."""

    def __init__(self, spans: list[Span] | None, painting: SpanPainting | None = None,
                 rows: ArchivedRows | None = None, *, pending: bool = False) -> None:
        self.spans, self.painting, self.rows, self.pending = spans, painting, rows, pending

    @classmethod
    def read(cls, archived: ArchivedSource, source: Source, filters: Filters, *,
             max_entries: int | None) -> FirstPaint:
        """The newest archived rows of the query `filters` asks the server for (none for a search or a
        range with an end: those come as the backfill finds them), at most `max_entries`."""
        since, until = epoch_us(filters.since), epoch_us(filters.until)
        try:
            spans = archived.coverage_within(query_key(source.server_part(filters)), since, until)
            if not spans or until is not None or filters.search:
                return cls(spans)
            low, high = spans[0].shown_part(since, None)
            painting = SpanPainting(archived, source, filters, low, high)
            columns = painting.first()
        except (ArchiveError, sqlite3.Error, OSError):
            return cls(None)
        if not columns:
            return cls(spans, painting)
        count = len(columns) if max_entries is None else min(len(columns), max_entries)
        rows = ArchivedRows(columns.take(slice(0, count)), archived, 0, count, None) if count > 0 else None
        return cls(spans, painting, rows, pending=True)

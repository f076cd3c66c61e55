"""Entries without a usable time, fetched and archived: each shown once, wherever it came from.

Such an entry belongs to no time span, yet the server files it somewhere among the others, so a
request for a time range may bring it back, and the spans the archive calls complete may hold it.
The rules that keep every one of them, exactly once, in a query without a time range:

- every fetched range keeps its timeless entries (`keeping_timeless`: the pager's own filter would
  drop them as outside the range), and archives them, so a span complete in the archive holds the
  timeless entries the server filed inside it;
- one that was archived before this run is not shown as fetched (`TimelessLedger.fresh`); the
  archive shows all of those at the end of the walk (`TimelessLedger.archived`);
- one fetched twice in a run (two ranges meeting at a bound) is shown the first time.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from logview.model import Filters, LogEntry
from logview.sources.page_columns import columns_of

if TYPE_CHECKING:
    from logview.archive.source import ArchivedSource
    from logview.sources.base import Source


class _TimelessKept:
    """`source` whose local filter keeps an entry without a time when the filters' other parts
    would: what a pager fetching one range for the archive is given instead of the source."""

    def __init__(self, source: Source) -> None:
        self._source = source

    def __getattr__(self, name: str) -> Any:
        return getattr(self._source, name)

    def matches(self, entry: LogEntry, filters: Filters) -> bool:
        if entry.time is None and (filters.since is not None or filters.until is not None):
            filters = filters.model_copy(update={"since": None, "until": None})
        return self._source.matches(entry, filters)

    def keeps_everything(self, filters: Filters) -> bool:
        return self._source.keeps_everything(filters) and filters.since is None and filters.until is None


def keeping_timeless(source: Source) -> Source:
    return _TimelessKept(source)  # type: ignore[return-value]  # (the pager only calls its methods)


class TimelessLedger:
    """One walk's timeless entries: which the archive held before it began (`floor`: the
    archive's last row then), and which this walk has shown."""

    def __init__(self, archived: ArchivedSource) -> None:
        self._archived = archived
        self.floor = archived.last_rowid()
        self._shown: set[str] = set()

    def fresh(self, entries: Sequence[LogEntry]) -> Sequence[LogEntry]:
        """`entries` less the timeless ones archived before this walk or shown already by it."""
        if columns_of(entries) is not None:  # (a typed page's: every entry timed)
            return entries.copy()  # type: ignore[attr-defined]  # (a `ColumnEntries`'s, columns kept)
        timeless = [entry.id for entry in entries if entry.time is None]
        if not timeless:
            return list(entries)
        known = self._archived.archived_timeless(timeless, self.floor) | self._shown
        kept = [entry for entry in entries if entry.time is not None or entry.id not in known]
        self._shown.update(entry.id for entry in kept if entry.time is None)
        return kept

    def archived(self) -> Iterator[LogEntry]:
        """The timeless entries archived before this walk that it has not shown as fetched."""
        for entry in self._archived.timeless_entries(self.floor):
            if entry.id not in self._shown:
                yield entry

"""A typed page's entries with the page's columns beside them, from the parse to the store.

A typed Supermetrics page (`typed_page.py`) is read into columns: ids, times (datetimes and epoch
microseconds), statuses, events, durations and each entry's JSON text. What happens to a page on
its way to the screen reads a column or two of it: the pager's checks (ids distinct, times newest
first, new ids, the head, the cursor: `api/contract.py`, `api/paging.py`), the store's codes
(`store/codes.py`), the archive's hand-off (texts and times). Done column by column over lists
the parse made anyway, each is a few passes in C instead of an attribute read per entry.

`ColumnEntries` is a list of the entries (what every other reader takes: a batch is still a
`list[LogEntry]`) that carries those columns. Any change to the list but `extend` by another
`ColumnEntries` forgets the columns (`columns_of` is then None and the reader goes the entry way),
so the columns always describe exactly the entries held: a page cut, filtered or merged with
others is a plain list again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import compress
from operator import attrgetter, not_
from typing import Any, SupportsIndex

from logview.model import LogEntry

_COLUMNS = ("ids", "times", "times_us", "statuses", "events", "durations", "texts")


@dataclass(slots=True)
class PageColumns:
    """Per entry, in the entries' order: each is timed (a typed page's entries all are) and
    valid; `texts` the entry's JSON text as it came (`msgspec.Raw`)."""

    ids: list[str] = field(default_factory=list)
    times: list[datetime] = field(default_factory=list)
    times_us: list[int] = field(default_factory=list)
    statuses: list[int | None] = field(default_factory=list)
    events: list[str | None] = field(default_factory=list)
    durations: list[int | None] = field(default_factory=list)
    texts: list[Any] = field(default_factory=list)

    def extend(self, other: PageColumns) -> None:
        for name in _COLUMNS:
            getattr(self, name).extend(getattr(other, name))

    def head(self, count: int) -> PageColumns:
        return PageColumns(*(getattr(self, name)[:count] for name in _COLUMNS))

    def tail(self, start: int) -> PageColumns:
        return PageColumns(*(getattr(self, name)[start:] for name in _COLUMNS))

    def kept(self, mask: list[bool]) -> PageColumns:
        """The columns of the entries `mask` keeps."""
        return PageColumns(*(list(compress(getattr(self, name), mask)) for name in _COLUMNS))


class ColumnEntries(list):  # type: ignore[type-arg]
    """A list of entries with their page's columns (None once the list changed otherwise than
    by `extend` with another `ColumnEntries`). Empty: no entries, empty columns."""

    __slots__ = ("columns",)

    def __init__(self, entries: Sequence[LogEntry] = (), columns: PageColumns | None = None) -> None:
        super().__init__(entries)
        self.columns: PageColumns | None = columns if columns is not None else (None if entries else PageColumns())

    def extend(self, entries: Any) -> None:  # type: ignore[override]
        theirs = columns_of(entries)
        if self.columns is not None and theirs is not None:
            self.columns.extend(theirs)
        else:
            self.columns = None
        super().extend(entries)

    def without(self, left_out: list[bool]) -> ColumnEntries:
        """The entries `left_out` does not mark, with their columns (which must describe this
        list); as slices when those marked come first (a page's repeats, its newest tie group)."""
        assert self.columns is not None
        if False not in left_out:
            return ColumnEntries()
        start = left_out.index(False)
        if True not in left_out[start:]:
            return ColumnEntries(self[start:], self.columns.tail(start))
        kept = list(map(not_, left_out))
        return ColumnEntries(compress(self, kept), self.columns.kept(kept))

    def copy(self) -> ColumnEntries:  # type: ignore[override]
        columns = self.columns
        return ColumnEntries(self, None if columns is None else columns.head(len(self)))

    def _changed(name: str) -> Any:  # type: ignore[misc]  # (a mutator that forgets the columns)
        inherited = getattr(list, name)

        def changed(self: ColumnEntries, *args: Any) -> Any:
            self.columns = None
            return inherited(self, *args)
        changed.__name__ = name
        return changed

    append, insert, remove, pop, clear, reverse = map(_changed, ("append", "insert", "remove", "pop", "clear",
                                                                 "reverse"))
    __setitem__, __delitem__, __iadd__, __imul__ = map(_changed, ("__setitem__", "__delitem__", "__iadd__", "__imul__"))
    del _changed

    def sort(self, *, key: Any = None, reverse: bool = False) -> None:  # type: ignore[override]
        self.columns = None
        list.sort(self, key=key, reverse=reverse)


def columns_of(entries: object) -> PageColumns | None:
    """The columns of `entries` when it is a `ColumnEntries` whose columns still describe it."""
    if type(entries) is not ColumnEntries:
        return None
    columns = entries.columns
    return columns if columns is not None and len(columns.ids) == len(entries) else None


def first(entries: Sequence[LogEntry], count: SupportsIndex) -> Sequence[LogEntry]:
    """`entries[:count]`, keeping its columns (the last page of a capped load is cut)."""
    count = max(0, int(count))
    if count >= len(entries):
        return entries
    columns = columns_of(entries)
    return entries[:count] if columns is None else ColumnEntries(entries[:count], columns.head(count))


def oldest_time(entries: Sequence[LogEntry]) -> datetime | None:
    """The oldest time of `entries` (None: none has one), in C; a typed page's from its column."""
    columns = columns_of(entries)
    if columns is not None:
        return min(columns.times, default=None)
    times = list(map(_TIME, entries))
    if None in times:
        times = [moment for moment in times if moment is not None]
    return min(times, default=None)


_TIME = attrgetter("time")

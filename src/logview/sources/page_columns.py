"""A typed page's entries as columns, from the parse to the store, each entry made when asked for.

A typed Supermetrics page (`typed_page.py`) is read into columns: ids, times (datetimes and epoch
microseconds), statuses, events, durations and each entry's JSON text. What happens to a page on
its way to the screen reads a column or two of it: the pager's checks (ids distinct, times newest
first, new ids, the head, the cursor: `api/contract.py`, `api/paging.py`), the store's codes
(`store/codes.py`), the archive's hand-off (texts and times). Done column by column over lists
the parse made anyway, each is a few passes in C instead of an attribute read per entry.

`ColumnEntries` is a list of the entries (what every other reader takes: a batch is still a
`list[LogEntry]`) that carries those columns, and makes its entries (`PageEntry`s) only when one
is first read as a list's item: the store keeps the columns (`HeldEntries`), and makes the entry of
a row when the row is read (the ~45 on screen of a load of 100k). Any change to the list but
`extend` by another `ColumnEntries` forgets the columns (`columns_of` is then None and the reader
goes the entry way), so the columns always describe exactly the entries held: a page cut,
filtered or merged with others is a plain list again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import compress, repeat
from operator import attrgetter, not_
from threading import Lock
from typing import Any, SupportsIndex

from logview.jsonutil import load_json
from logview.model import LogEntry

_FILLING = Lock()
_COLUMNS = ("ids", "times", "times_us", "statuses", "events", "durations", "texts")
_RAW_SLOT = LogEntry.__dict__["raw"]  # the slot `raw` is kept in (PageEntry shadows its name)


def _raw(entry: LogEntry) -> Any:
    value = _RAW_SLOT.__get__(entry)
    if type(value) is tuple:  # (its JSON text, event, duration_ms): decoded once, when first read
        value = load_json(bytes(value[0]))
        _RAW_SLOT.__set__(entry, value)
    return value


class PageEntry(LogEntry):
    """An entry of a typed page: until `raw` is first read, its slot holds the entry's JSON text
    and the two fields its columns need beyond the entry's own (`undecoded`); then the value
    `load_json` reads of that text. Equal to the `LogEntry` the exact parse makes of it."""

    __slots__ = ()

    raw = property(_raw, _RAW_SLOT.__set__)  # (set in C: a page's entries are made by `map`)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LogEntry):
            return NotImplemented
        return (self.id, self.time, self.status, self.raw, self.source, self.invalid) == (
            other.id, other.time, other.status, other.raw, other.source, other.invalid)

    __hash__ = None  # type: ignore[assignment]  # (as a LogEntry's: its fields may change)


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

    def part(self, start: int | None, stop: int | None = None) -> PageColumns:
        return PageColumns(*(getattr(self, name)[start:stop] for name in _COLUMNS))

    def kept(self, mask: list[bool]) -> PageColumns:
        """The columns of the entries `mask` keeps."""
        return PageColumns(*(list(compress(getattr(self, name), mask)) for name in _COLUMNS))

    def entries(self, start: int = 0, stop: int | None = None) -> list[LogEntry]:
        """The entries of rows [start, stop), made anew."""
        part = self if start == 0 and stop is None else self.part(start, stop)
        return list(map(PageEntry, part.ids, part.times, part.statuses,
                        zip(part.texts, part.events, part.durations), repeat("supermetrics")))


class ColumnEntries(list):  # type: ignore[type-arg]
    """A list of entries with their page's columns (None once the list changed otherwise than
    by `extend` with another `ColumnEntries`). Made of `columns` alone, it holds no entry until
    one is read (`filled`); made of `entries`, their columns must be given. Empty: no entries,
    empty columns."""

    __slots__ = ("columns", "filled")

    def __init__(self, entries: Sequence[LogEntry] = (), columns: PageColumns | None = None) -> None:
        super().__init__(entries)
        self.filled = bool(entries)  # (the list's own items are the entries)
        self.columns: PageColumns | None = columns if columns is not None else (None if entries else PageColumns())

    def fill(self) -> ColumnEntries:
        """Make the entries the columns describe the list's items (once, whichever thread asks:
        the archive's writer thread reads a page's entries too)."""
        if not self.filled:
            with _FILLING:
                if not self.filled:
                    if self.columns is not None and self.columns.ids:
                        list.extend(self, self.columns.entries())
                    self.filled = True  # (only now: its length is the list's own from here)
        return self

    def __len__(self) -> int:
        return list.__len__(self) if self.filled or self.columns is None else len(self.columns.ids)

    def extend(self, entries: Any) -> None:  # type: ignore[override]
        theirs = columns_of(entries)
        if self.columns is not None and theirs is not None and not self.filled and not entries.filled:
            self.columns.extend(theirs)  # (neither holds entries yet: nor does the whole)
            return
        self.fill()
        if self.columns is not None and theirs is not None:
            self.columns.extend(theirs)
        else:
            self.columns = None
        list.extend(self, entries)

    def without(self, left_out: list[bool]) -> ColumnEntries:
        """The entries `left_out` does not mark, with their columns (which must describe this
        list); as slices when those marked come first (a page's repeats, its newest tie group)."""
        assert self.columns is not None
        if False not in left_out:
            return ColumnEntries()
        start = left_out.index(False)
        if True not in left_out[start:]:
            return self._part(start, None)
        kept = list(map(not_, left_out))
        columns = self.columns.kept(kept)
        return ColumnEntries(compress(self, kept), columns) if self.filled else ColumnEntries(columns=columns)

    def _part(self, start: int, stop: int | None) -> ColumnEntries:
        assert self.columns is not None
        columns = self.columns.part(start, stop)
        if not self.filled:
            return ColumnEntries(columns=columns)
        return ColumnEntries(list.__getitem__(self, slice(start, stop)), columns) if columns.ids else ColumnEntries()

    def copy(self) -> ColumnEntries:  # type: ignore[override]
        if self.columns is None:
            return ColumnEntries(self, None)
        return self._part(0, len(self))

    def _filling(name: str, forgets: bool) -> Any:  # type: ignore[misc]  # (the entries made first)
        inherited = getattr(list, name)

        def filling(self: ColumnEntries, *args: Any, **kwargs: Any) -> Any:
            self.fill()
            if forgets:  # (a change: the columns no longer describe the list)
                self.columns = None
            return inherited(self, *args, **kwargs)
        filling.__name__ = name
        return filling

    append, insert, remove, pop, clear, reverse, sort = map(_filling, (
        "append", "insert", "remove", "pop", "clear", "reverse", "sort"), repeat(True))
    __setitem__, __delitem__, __iadd__, __imul__ = map(_filling, (
        "__setitem__", "__delitem__", "__iadd__", "__imul__"), repeat(True))
    # (reading an item, or the list as a whole, makes the entries: C code reading a list's items
    # directly would see none; it reads them through these, a list subclass's being overridden)
    __getitem__, __iter__, __reversed__, __contains__, index, count, __eq__, __ne__, __lt__, __le__, __gt__, \
        __ge__, __add__, __mul__, __rmul__, __repr__, __reduce_ex__ = map(_filling, (
            "__getitem__", "__iter__", "__reversed__", "__contains__", "index", "count", "__eq__", "__ne__",
            "__lt__", "__le__", "__gt__", "__ge__", "__add__", "__mul__", "__rmul__", "__repr__", "__reduce_ex__"),
            repeat(False))
    del _filling

    def __radd__(self, other: list[Any]) -> list[Any]:
        return list(other) + list(self.fill().__iter__())

    def __bool__(self) -> bool:
        return len(self) > 0


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
    return entries[:count] if columns_of(entries) is None else entries._part(0, count)  # type: ignore[attr-defined]


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

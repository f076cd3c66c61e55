"""A typed page's entries as columns, from the parse to the store, each entry made when asked for.

A typed Supermetrics page (`typed_page.py`) is read into columns: ids, times (datetimes and epoch
microseconds), statuses, events, durations and each entry's JSON text. What happens to a page on
its way to the screen reads a column or two of it: the pager's checks (ids distinct, times newest
first, new ids, the head, the cursor: `api/contract.py`, `api/paging.py`), the store's codes
(`store/codes.py`), the archive's hand-off (texts and times). Done column by column over lists
the parse made anyway, each is a few passes in C instead of an attribute read per entry.

`ColumnEntries` is a sequence of the entries (what every other reader takes: a batch is a
`Sequence[LogEntry]`, read by iteration, `len` and indexing) that carries those columns, and makes
its entries (`PageEntry`s) only when one is first read: the store keeps the columns
(`HeldEntries`), and makes the entry of a row when the row is read (the ~45 on screen of a load of
100k). Any change but `extend` by another `ColumnEntries` forgets the columns (`columns_of` is then
None and the reader goes the entry way), so the columns always describe exactly the entries held:
a page cut, filtered or merged with others is a plain list again. It is no `list` subclass, so no
C code can read its (unfilled) storage behind its back; a reader that needs a real list makes one
(`list(entries)`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator, MutableSequence, Sequence, Sized
from datetime import datetime
from itertools import compress, repeat
from operator import attrgetter, not_
from threading import Lock
from typing import Any, SupportsIndex, overload

import msgspec

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


class PageColumns(msgspec.Struct):
    """Per entry, in the entries' order: each is timed (a typed page's entries all are) and
    valid; `texts` the entry's JSON text as it came (`msgspec.Raw`)."""

    ids: list[str] = msgspec.field(default_factory=list)
    times: list[datetime] = msgspec.field(default_factory=list)
    times_us: list[int] = msgspec.field(default_factory=list)
    statuses: list[int | None] = msgspec.field(default_factory=list)
    events: list[str | None] = msgspec.field(default_factory=list)
    durations: list[int | None] = msgspec.field(default_factory=list)
    texts: list[Any] = msgspec.field(default_factory=list)

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


class ColumnEntries(MutableSequence[LogEntry]):
    """A sequence of entries with their page's columns (None once it changed otherwise than by
    `extend` with another `ColumnEntries`). Made of `columns` alone, it holds no entry until one is
    read (`filled`); made of `entries`, their columns must be given. Empty: no entries, empty
    columns.

    Not a `list`, on purpose: it holds its entries in a list of its own (`_items`, empty until
    filled). C code that takes a list subclass for a list may read its items directly, and see
    none of an unfilled page's (`orjson.dumps` wrote `[]`); this one is read through its methods
    alone, each of which fills it first, and `json.dumps` or `orjson.dumps` of it fails (TypeError)
    rather than write `[]`. Where a real list is wanted, say so: `list(entries)`. A slice is a
    plain list (no columns)."""

    __slots__ = ("_items", "columns", "filled")

    def __init__(self, entries: Iterable[LogEntry] = (), columns: PageColumns | None = None) -> None:
        self._items: list[LogEntry] = list(entries)
        self.filled = bool(self._items)  # (its items are the entries; unfilled, `_items` is empty)
        self.columns: PageColumns | None = columns if columns is not None else (None if self._items else PageColumns())

    def fill(self) -> ColumnEntries:
        """Make the entries the columns describe its items (once, whichever thread asks: the
        archive's writer thread reads a page's entries too)."""
        if not self.filled:
            with _FILLING:
                if not self.filled:
                    if self.columns is not None and self.columns.ids:
                        self._items = self.columns.entries()  # (was empty: unfilled)
                    self.filled = True  # (only now: its length is its items' from here)
        return self

    def _changing(self) -> list[LogEntry]:
        """Its items, filled, about to change otherwise than by a `ColumnEntries`' `extend`: the
        columns no longer describe them."""
        self.fill()
        self.columns = None
        return self._items

    def __len__(self) -> int:
        return len(self._items) if self.filled or self.columns is None else len(self.columns.ids)

    def __bool__(self) -> bool:
        return len(self) > 0

    # -- reading: each fills first --------------------------------------------------------
    @overload
    def __getitem__(self, index: int) -> LogEntry: ...
    @overload
    def __getitem__(self, index: slice) -> list[LogEntry]: ...
    def __getitem__(self, index: int | slice) -> LogEntry | list[LogEntry]:
        return (self._items if self.filled else self.fill()._items)[index]

    def __iter__(self) -> Iterator[LogEntry]:
        return iter(self._items if self.filled else self.fill()._items)

    def __reversed__(self) -> Iterator[LogEntry]:
        return reversed(self.fill()._items)

    def __contains__(self, entry: object) -> bool:
        return entry in self.fill()._items

    def index(self, entry: Any, start: SupportsIndex = 0, stop: SupportsIndex = sys.maxsize) -> int:
        return self.fill()._items.index(entry, start, stop)

    def count(self, entry: Any) -> int:
        return self.fill()._items.count(entry)

    def __eq__(self, other: object) -> bool:
        """Equal to a list, or a `ColumnEntries`, of equal entries (its columns aside)."""
        if type(other) is ColumnEntries:
            other = other.fill()._items
        elif not isinstance(other, list):
            return NotImplemented
        return self.fill()._items == other

    __hash__ = None  # type: ignore[assignment]

    def __add__(self, other: Iterable[LogEntry]) -> list[LogEntry]:
        if not isinstance(other, (list, ColumnEntries)):
            return NotImplemented
        return [*self, *other]

    def __radd__(self, other: Iterable[LogEntry]) -> list[LogEntry]:
        if not isinstance(other, list):
            return NotImplemented
        return [*other, *self]

    def __mul__(self, times: SupportsIndex) -> list[LogEntry]:
        return self.fill()._items * times

    __rmul__ = __mul__

    def __repr__(self) -> str:
        return f"ColumnEntries({self.fill()._items!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled (and `copy.copy`-ed) with its columns, unfilled as it is."""
        return ColumnEntries, (self._items if self.filled else (), self.columns)

    # -- changing: each but `extend` by another `ColumnEntries` forgets the columns ------------
    def extend(self, entries: Iterable[LogEntry]) -> None:
        if isinstance(entries, Sized) and not len(entries):
            return  # (nothing added: the columns stay, unfilled; an empty batch made a 100k load build every entry)
        theirs = columns_of(entries)
        if self.columns is not None and theirs is not None and not self.filled and not entries.filled:  # type: ignore[attr-defined]
            self.columns.extend(theirs)  # (neither holds entries yet: nor does the whole)
            return
        self.fill()
        if self.columns is not None and theirs is not None:
            self.columns.extend(theirs)
        else:
            self.columns = None
        self._items.extend(entries)

    def __iadd__(self, entries: Iterable[LogEntry]) -> ColumnEntries:  # type: ignore[override,misc]
        self.extend(entries)
        return self

    def __imul__(self, times: SupportsIndex) -> ColumnEntries:
        self._changing().__imul__(times)
        return self

    @overload
    def __setitem__(self, index: int, entry: LogEntry) -> None: ...
    @overload
    def __setitem__(self, index: slice, entry: Iterable[LogEntry]) -> None: ...
    def __setitem__(self, index: Any, entry: Any) -> None:
        self._changing()[index] = entry

    def __delitem__(self, index: int | slice) -> None:
        del self._changing()[index]

    def insert(self, index: int, entry: LogEntry) -> None:
        self._changing().insert(index, entry)

    def append(self, entry: LogEntry) -> None:
        self._changing().append(entry)

    def pop(self, index: int = -1) -> LogEntry:
        return self._changing().pop(index)

    def remove(self, entry: LogEntry) -> None:
        self._changing().remove(entry)

    def clear(self) -> None:
        self._changing().clear()

    def reverse(self) -> None:
        self._changing().reverse()

    def sort(self, *, key: Callable[[LogEntry], Any] | None = None, reverse: bool = False) -> None:
        self._changing().sort(key=key, reverse=reverse)  # type: ignore[arg-type]

    # -- parts that keep the columns -------------------------------------------------------
    def without(self, left_out: list[bool]) -> ColumnEntries:
        """The entries `left_out` does not mark, with their columns (which must describe these
        entries); as slices when those marked come first (a page's repeats, its newest tie group)."""
        assert self.columns is not None
        if False not in left_out:
            return ColumnEntries()
        start = left_out.index(False)
        if True not in left_out[start:]:
            return self._part(start, None)
        kept = list(map(not_, left_out))
        columns = self.columns.kept(kept)
        return ColumnEntries(compress(self._items, kept), columns) if self.filled else ColumnEntries(columns=columns)

    def _part(self, start: int, stop: int | None) -> ColumnEntries:
        assert self.columns is not None
        columns = self.columns.part(start, stop)
        if not self.filled:
            return ColumnEntries(columns=columns)
        return ColumnEntries(self._items[start:stop], columns) if columns.ids else ColumnEntries()

    def copy(self) -> ColumnEntries:
        if self.columns is None:
            return ColumnEntries(self._items, None)
        return self._part(0, len(self))

    __copy__ = copy


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

"""Columnar entry store for the viewer (numpy; no Textual).

Why columnar: a Python object per row on the hot path makes filtering 100k entries take seconds.
Here every filterable field is a numpy column — time as int64 microseconds, status, credential,
event and tool as small-int category codes (`codes.py`) — and a filter is an index array built
from boolean masks (`select.py`). The entries themselves (with their raw JSON) sit in an object
column that only the detail pane, the visible table rows and exports read.

Rows are kept newest first and addressed by ordinals (`rows.py`), whatever order they come in
(`order.py`); a `FilteredView` (`view.py`) is a sorted array of ordinals, so it stays valid across
prepends and appends.

Archived rows (`append_archived`) hold no entry either: their columns come from the archive's,
and each entry is rebuilt from its raw JSON there when it is read (`archived.py`); fetched rows
may come before and after them.

A store over a file (`lines` given) holds no entries at all: each row is a line's byte offset
and length, and an entry is read back and parsed when it is shown (a small cache keeps scrolling
cheap). Rows exist as soon as the file's lines are indexed; their filter columns arrive later from
a background reader (`file_ingest.py`), so `ready` (≤ `tail`) marks how far the columns go.
Filters that need columns cover `[head, ready)`; with none but search, every row is covered.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from logview.files.columns import NO_TIME, ColumnChunk
from logview.files.lines import LineChunk, LineFile
from logview.model import SEV_WARN, Filters, LogEntry
from logview.sources.base import Source
from logview.sources.page_columns import first
from logview.categories import Categories, CodeMap
from logview.store.archived import Backings, EntryList, RawReader, add_archived, let_go_archived, read_archived
from logview.store.codes import Codes
from logview.store.file_ingest import add_lines, fill_read_columns, put_newest_first
from logview.store.file_rows import line_columns  # entries left in the file
from logview.store.held import HELD_DTYPE, HeldEntries, Rowids
from logview.store.line_entries import LineEntries
from logview.store.merge import merge_rows
from logview.store.order import settle_appended, settle_prepended
from logview.store.rows import FrozenColumns, RowBuffer
from logview.store.search import FileSearchJob, RowSearch, SearchJob
from logview.store.select import Selection, compile_filters, needs_columns, select_range
from logview.times import epoch_us

if TYPE_CHECKING:  # (a file's session never loads the archive, nor sqlite)
    from logview.archive.columns import ArchivedColumns

# per entry appended, the reader that can read it again (None: held in memory), and its rowid there
ReadBack = tuple[Sequence[RawReader | None], Sequence[int]]

_FILTER_COLUMNS: dict[str, Any] = {
    "time": np.int64,
    # category codes: 2 bytes a row until a field has more distinct values (see `Codes.widen`)
    "status": np.uint16,
    "credential": np.uint16,
    "event": np.uint16,
    "tool": np.uint16,
    "error": np.uint16,  # the entry's error group (`Source.error_group`), 0 for none
    "duration": np.float64,  # milliseconds, NaN when absent or not a duration
    "invalid": np.bool_,
    "hit": np.bool_,  # the search in force matches the row (see `search.py`)
}
# entries held in memory (`held`: an index into `HeldEntries`, see `held.py`) or in an archive (`archived.py`)
_ENTRY_COLUMNS: dict[str, Any] = {"held": HELD_DTYPE, "rowid": np.int64, "backing": np.uint8}


class EntryStore(RowBuffer):
    """Entries newest first, as columns; `head <= ordinal < tail` addresses the live rows."""

    def __init__(self, source: Source, max_entries: int | None = None, capacity: int = 1024,
                 lines: LineFile | None = None) -> None:
        super().__init__({**_FILTER_COLUMNS, **(line_columns(lines) if lines is not None else _ENTRY_COLUMNS)},
                         capacity, grows_by_appending=lines is not None)
        self.source = source
        self.max_entries = max_entries
        self.lines = lines
        self.codes = Codes(source)
        self.backings = Backings()
        self.held = HeldEntries()  # the entries in memory (a store over a file holds none)
        self.search = RowSearch(self, source, lines, self.backings, lambda: self.held)
        self.line_entries = LineEntries(source, lines) if lines is not None else None  # (a file's rows)
        self._code_map = CodeMap()  # a file reader's category codes → ours
        self.epoch = 0  # bumped by clear(): ordinals from before mean nothing after
        self.dropped_total = 0  # rows dropped from the old end to respect max_entries
        self._sorted: tuple[int, int, np.ndarray] | None = None  # (epoch, head, places): `newest_first`

    # The category tables, by field (the facet pickers and the analytics read them).
    statuses = property(lambda self: self.codes.statuses, doc="Categories of `status`")
    credentials = property(lambda self: self.codes.credentials, doc="Categories of `credential_id`")
    events = property(lambda self: self.codes.events, doc="Categories of `event`")
    tools = property(lambda self: self.codes.tools, doc="Categories of the tool")
    errors = property(lambda self: self.codes.errors, doc="Categories of the error group")
    origins = property(lambda self: self.codes.origins, doc="Categories of a merged row's tab")

    def categories(self, field: str) -> Categories:
        return self.codes.table(field)

    @property
    def search_needle(self) -> str | None:
        return self.search.needle

    # -- ingest ---------------------------------------------------------------------------
    def _write(self, lo: int, entries: Sequence[LogEntry], read_back: ReadBack | None = None) -> None:
        n = len(entries)
        coded = self.codes.encode(entries)
        self.codes.widen(self)
        start, stop = lo + self.offset, lo + n + self.offset
        for name, values in coded.items():
            self.cols[name][start:stop] = values
        if read_back is None:
            self.cols["held"][start:stop] = self.held.add(entries)
            self.cols["backing"][start:stop] = 0
        else:  # (only the entries no reader can read again are held)
            readers, rowids = read_back
            backing = np.fromiter((0 if r is None else self.backings.code(r) for r in readers[:n]), np.uint8, n)
            kept = np.flatnonzero(backing == 0)
            held = np.zeros(n, dtype=HELD_DTYPE)
            held[kept] = self.held.add([entries[i] for i in kept.tolist()])
            self.cols["held"][start:stop] = held
            self.cols["backing"][start:stop] = backing
            self.cols["rowid"][start:stop] = rowids[:n]
        if self.search.needle is not None:
            self.search.evaluate(self.search.needle, lo, lo + n)

    def append(self, entries: Sequence[LogEntry], read_back: ReadBack | None = None, settle: bool = True) -> int:
        """Add entries older than all held ones (a backfill page). Returns how many were kept:
        at `max_entries` the store is full and older entries are not taken. `read_back`: for
        each entry, the reader that reads it again at its rowid (None: none can), then only its
        columns are kept, as for an archived row. `settle` False: rows out of time order are
        left so until `settle` (one sort for many calls)."""
        if self.max_entries is not None:
            entries = first(entries, self.max_entries - len(self))
        if not entries:
            return 0
        self.reserve(0, len(entries))
        self._write(self.tail, entries, read_back)
        self.tail += len(entries)
        self.ready = self.tail
        if settle:
            settle_appended(self, self.tail - len(entries))  # out of order: merged into place
        return len(entries)

    def settle(self) -> None:
        """Put rows appended without `settle` in time order."""
        settle_appended(self, self.head)

    def append_archived(self, columns: ArchivedColumns, reader: RawReader, expected: int | None = None,
                        settle: bool = True) -> int:
        """Add archived entries older than all held ones as columns only, their raw JSON left in
        `reader`'s archive. `expected`: at most how many rows this and the following calls bring
        (room is made for them at once, not by doubling). Returns how many were kept (`max_entries`
        applies). `settle` False: as for `append`."""
        n = len(columns) if self.max_entries is None else min(len(columns), max(0, self.max_entries - len(self)))
        if not n:
            return 0
        if expected is not None and expected > n:
            cap = expected if self.max_entries is None else min(expected, self.max_entries - len(self))
            self.reserve(0, cap, exact=True)
        lo = add_archived(self, self.codes, self.backings, columns, reader, n)
        if self.search.needle is not None:
            self.search.evaluate(self.search.needle, lo, lo + n)
        if settle:
            settle_appended(self, lo)
        return n

    # -- a merged view ----------------------------------------------------------------------
    def merge_from(self, parts: Sequence[tuple[str, EntryStore]], left_out: frozenset[str] = frozenset(),
                   sources: Sequence[Hashable | None] = ()) -> tuple[np.ndarray, np.ndarray]:
        """Become every loaded row of `parts` (labelled in-memory stores; those labelled in
        `left_out` add none; those of one source in `sources` each entry once), newest first, each
        row's part in the `origin` column (see `merge.py`). Like `clear`, it starts a new epoch.
        Returns, per new row, the index of its part and its ordinal there."""
        assert self.lines is None and all(part.lines is None for _, part in parts)
        self.backings.clear()
        merged = merge_rows(self.codes, self.backings,
                            [(label, part, part.codes, part.backings, part.held) for label, part in parts],
                            left_out, sources)
        n = len(merged)
        self.column_types["origin"] = np.uint16
        self.reset_rows(max(1024, n + n // 4), front_room=max(128, n // 16))
        self.epoch += 1
        self.dropped_total = 0
        self.codes.widen(self)
        start = self.offset
        self.held = HeldEntries()
        for name, values in merged.columns.items():
            self.cols[name][start:start + n] = values
        in_memory = np.flatnonzero(merged.columns["backing"] == 0)
        self.cols["held"][start + in_memory] = self.held.add(merged.entries[in_memory].tolist())
        self.tail = self.ready = n
        self.search.needle = None
        self.codes.update_severity()
        return merged.parts, merged.ordinals

    # -- a file's rows (see `file_ingest.py`) ---------------------------------------------
    def append_lines(self, chunk: LineChunk) -> int:
        """Add a file's next lines as rows (older than all held ones); their columns come later
        through `fill_columns`. Returns how many were kept (`max_entries` still applies)."""
        assert self.lines is not None, "append_lines is for a store over a file"
        lo = self.tail
        n = add_lines(self, chunk, self.max_entries)
        if n and self.search.needle is not None:
            self.search.evaluate(self.search.needle, lo, lo + n)
        return n

    def fill_columns(self, *chunks: ColumnChunk) -> int:
        """Columns for the next rows from `ready` (consecutive chunks of a `ColumnReader`'s
        output, in order). Returns how many rows they covered (fewer when the cap cut the file short)."""
        return fill_read_columns(self, self.codes, self._code_map, chunks)

    def newest_first(self, lines: int | None = None) -> bool:
        """Once a file's columns are all read, keep its first `lines` rows (`put_newest_first`) and put them newest
        first if the file was written in another order (`files.order`). Like `clear`, a move starts
        a new epoch (a view recomputes itself); returns whether the rows moved."""
        assert self.line_entries is not None, "newest_first is for a store over a file"
        places = put_newest_first(self, lines)
        if places is None:
            return False
        self.epoch += 1
        self._sorted = (self.epoch, self.head, places)
        self.line_entries.forget()
        return True

    def sorted_place(self, ordinal: int) -> int | None:
        """Where the row at `ordinal` went when `newest_first` last moved the rows, if that is
        what started this epoch (a table keeps its entry, not its place); else None."""
        if self._sorted is None or self._sorted[0] != self.epoch:
            return None
        _, head, places = self._sorted
        return head + int(places[ordinal - head]) if head <= ordinal < head + len(places) else None

    def line_span(self, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
        """Byte offsets and lengths of rows [lo, hi) of a file store."""
        return self.span("start", lo, hi).astype(np.int64), self.span("length", lo, hi).copy()

    def prepend(self, entries: Sequence[LogEntry]) -> int:
        """Add entries newer than all held ones (a tail batch, newest first). Beyond
        `max_entries` the oldest rows are dropped; returns how many were dropped."""
        if not entries:
            return 0
        n = len(entries)
        self.reserve(n, 0)
        self._write(self.head - n, entries)
        self.head -= n
        settle_prepended(self, self.head + n)  # older than rows already held: merged into place
        excess = len(self) - self.max_entries if self.max_entries is not None else 0
        if excess > 0:
            self._drop_oldest(excess)
            return excess
        return 0

    def archived(self, rowids: Rowids, reader: RawReader) -> int:
        """The rows whose entries `reader`'s archive now holds (`rowids`: its words, each its
        pages and their rowids, in turn: see `HeldEntries.bind`) let go of them, and are read back from the archive from
        now on, as a relaunch's rows are. A row read from one of those rowids already showed the
        id's older answer, just replaced in the archive (`archive/rows.py`): it goes (`take_out`:
        one row an id). Returns how many let go of their entry."""
        return let_go_archived(self, self.held, self.backings, rowids, reader)

    def _drop_oldest(self, count: int) -> None:
        new_tail = self.tail - count
        held = self.span("held", new_tail, self.tail)
        self.held.release(held)  # free the raw entries
        held[:] = 0
        self.tail = new_tail
        self.ready = min(self.ready, self.tail)
        self.dropped_total += count

    def clear(self) -> None:
        """Forget every row (a re-query). Category codes are kept so pickers keep their values."""
        self.reset_rows(1024, 128)
        self.epoch += 1
        self.dropped_total = 0
        if self.line_entries is not None:
            self.line_entries.forget()
        self.backings.clear()
        # (a search still running keeps the old table: its indices are its own)
        self.held = HeldEntries(track=self.held.tracking)
        self._code_map.clear()  # a new file reader numbers its categories afresh

    def close(self) -> None:
        if self.lines is not None:
            self.lines.close()

    # -- reading --------------------------------------------------------------------------
    def entry(self, ordinal: int) -> LogEntry:
        if self.line_entries is None:
            held = int(self.cols["held"][ordinal + self.offset])
            found = self.held.entry(held) if held else None
            return found if found is not None else read_archived(self, self.backings, ordinal)
        index = ordinal + self.offset
        return self.line_entries.entry(ordinal, int(self.cols["start"][index]), int(self.cols["length"][index]))

    def line(self, ordinal: int) -> bytes | None:
        """A file row's line exactly as in the file (None for a store in memory)."""
        if self.lines is None:
            return None
        index = ordinal + self.offset
        return self.lines.read(int(self.cols["start"][index]), int(self.cols["length"][index]))

    def entries(self, ordinals: np.ndarray) -> Sequence[LogEntry]:
        """The entries of these rows: a list, or for archived rows an `EntryList` that reads
        them from the archive only as they are taken (in whatever thread takes them)."""
        if self.lines is None:
            backings = self.column("backing", ordinals)
            entries = self.held.take(self.column("held", ordinals))
            if not backings.any():
                return entries  # type: ignore[return-value]  # (all held)
            return EntryList(np.fromiter(entries, dtype=object, count=len(entries)), self.column("rowid", ordinals),
                             backings, self.backings.readers)
        return [self.entry(int(ordinal)) for ordinal in ordinals]

    def time_us(self, ordinal: int) -> int | None:
        if ordinal >= self.ready:  # a file row whose columns are not read yet
            moment = self.entry(ordinal).time
            return None if moment is None else epoch_us(moment)
        value = int(self.cols["time"][ordinal + self.offset])
        return None if value == NO_TIME else value

    def frozen_columns(self, names: Iterable[str]) -> FrozenColumns:
        """The arrays behind `names` as they are now, for reading rows that exist now from
        another thread while this store goes on growing: rows are written once, and growing
        (or widening a code column, or `clear`) swaps in new arrays, leaving these intact."""
        return self.freeze(names, self.codes.severity)

    def severity_of(self, ordinals: np.ndarray) -> np.ndarray:
        """The severity (SEV_*) of each row's status."""
        return self.codes.severity[self.column("status", ordinals)]

    def problem_mask(self, ordinals: np.ndarray) -> np.ndarray:
        """True for rows whose status is a warning or an error, and for invalid entries."""
        return (self.severity_of(ordinals) >= SEV_WARN) | self.column("invalid", ordinals)

    def status_counts(self) -> dict[Any, int]:
        """Loaded rows per distinct status value (for tests and the benchmark)."""
        counts = np.bincount(self.span("status", self.head, self.ready), minlength=len(self.statuses))
        return {value: int(count) for value, count in zip(self.statuses.values, counts) if count}

    # -- filtering ------------------------------------------------------------------------
    def status_lut(self, wanted: Iterable[str]) -> np.ndarray:
        return self.codes.status_lut(wanted)

    def covered(self, filters: Filters) -> int:
        """The end of the rows `filters` can be decided on: all rows, or those with columns."""
        return self.ready if needs_columns(filters) else self.tail

    def select(self, filters: Filters, options: Sequence[str] | None = None,
               lo: int | None = None, hi: int | None = None) -> Selection:
        """Rows matching `filters` (all of them, like `Source.matches`) within [lo, hi)."""
        options = self.source.status_choices if options is None else options
        lo = self.head if lo is None else max(lo, self.head)
        hi = self.tail if hi is None else min(hi, self.tail)
        compiled = compile_filters(self.codes, filters)
        if compiled.needle is not None and compiled.needle != self.search.needle:
            self.search.set(compiled.needle)
        return select_range(self, self.codes, compiled, lo, max(lo, hi), options,
                            np.int32 if self.lines is not None else np.int64)

    # -- search (see `search.py`) ---------------------------------------------------------
    def set_search(self, needle: str | None) -> None:
        """Evaluate a search over every row now (fine for small stores; see `search_job`)."""
        self.search.set(needle)

    def search_job(self, needle: str) -> SearchJob | FileSearchJob:
        """A snapshot to search in a worker thread; hand it back with `finish_search`."""
        return self.search.job(needle)

    def finish_search(self, job: SearchJob | FileSearchJob) -> bool:
        """Adopt a finished job's results (False if the store was cleared meanwhile)."""
        return self.search.finish(job)

    def facet_values(self, field: str) -> list[str]:
        """Distinct string values seen in `credential_id`, `event`, `tool` or as error groups, sorted."""
        return sorted(v for v in self.categories(field).values if isinstance(v, str))

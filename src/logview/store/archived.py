"""Rows whose entries stay in the local archive: a store holds their columns and their archive
rowid, and reads the raw JSON back when an entry is shown, copied, saved or searched.

Why: a fetched entry costs a Python object tree (~1 KB); a million archived ones would cost a
gigabyte and most of a minute to build. As `--file` keeps a line's offset, a store keeps an
archived row's `rowid` and which archive it is in (`backing`, 0 for an entry held in memory), and
rebuilds the entry with its API's parser (exactly as when it was fetched). A small cache keeps
scrolling cheap; a miss reads the rows around it too, in one query.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Protocol, overload

import numpy as np

from logview.files.mixed import FILE_CHANGED
from logview.jsonutil import InvalidJSON, load_json
from logview.model import LogEntry, SourceKind
from logview.sources.base import Source, may_hold_surrogates
from logview.store.codes import Codes
from logview.store.held import HeldEntries, Rowids
from logview.store.order import take_out
from logview.store.rows import RowBuffer

if TYPE_CHECKING:  # (a file's session never loads the archive, nor sqlite)
    from logview.archive.columns import ArchivedColumns

ARCHIVED_CACHE = 1024  # entries rebuilt from the archive kept (a few screens of scrolling)
READ_AROUND = (16, 48)  # rows before and after a missed one read with it (scrolling goes on)
BULK_ROWS = 5_000  # archived entries rebuilt per query when many are wanted (a save)
GONE = "no longer in the archive (pruned or cleared since it was shown)"
# what a row whose entry could not be read back is marked with (a reader may name its own: `gone`)
GONE_REASONS = frozenset({GONE, FILE_CHANGED})
# Archive facets → the store's coded columns.
FACET_COLUMNS = {"status": "status", "credential_id": "credential", "event": "event", "tool": "tool",
                 "error_group": "error"}


class RawReader(Protocol):
    """Where archived rows are read back from (`archive.ArchivedSource`; a mixed file's lines,
    `files.mixed.EnvelopeLines`, are read back the same way, by their offsets)."""

    @property
    def api_source(self) -> Source: ...

    def raw_found(self, rowids: Sequence[int]) -> dict[int, bytes]: ...


def rebuild(reader: RawReader, rowids: Sequence[int]) -> list[LogEntry]:
    """The entries at `rowids`, as their API's parser made them when they were fetched; a row
    gone from the archive meanwhile comes back as an invalid entry saying so."""
    found = reader.raw_found(rowids)
    source = reader.api_source
    values = []
    for rowid in rowids:
        blob = found.get(int(rowid))
        try:
            values.append(None if blob is None else load_json(blob))
        except InvalidJSON:  # only a file changed behind logview's back: kept, and shown invalid
            values.append(bytes(blob).decode("utf-8", "replace"))  # type: ignore[arg-type]
    entries = source.entries_from_raws(values, surrogates=any(map(may_hold_surrogates, found.values())))
    gone = getattr(reader, "gone", GONE)
    named = getattr(reader, "row_name", lambda rowid: f"archived row {rowid}")
    for i, rowid in enumerate(rowids):
        if int(rowid) not in found:
            entries[i] = gone_entry(named(int(rowid)), source.kind, gone)
    return entries


def gone_entry(name: str, kind: SourceKind, why: str) -> LogEntry:
    """The row `name` (`archived row 12`, `the line at byte 4,096`) whose entry can no longer be
    read back (`why`: GONE, FILE_CHANGED), as an invalid entry saying so."""
    return LogEntry(id=name, time=None, status=None, raw={}, source=kind, invalid=why)


class Backings:
    """The archives a store's rows are read from (`backing` k is `readers[k - 1]`), and a cache
    of the entries rebuilt lately. Used on the UI thread only (a worker reads through `EntryList`)."""

    def __init__(self) -> None:
        self.readers: list[RawReader] = []
        self._cache: OrderedDict[tuple[int, int], LogEntry] = OrderedDict()

    def code(self, reader: RawReader) -> int:
        for index, known in enumerate(self.readers):
            if known is reader:
                return index + 1
        if len(self.readers) >= 255:
            raise OverflowError("a store reads from at most 255 archives")
        self.readers.append(reader)
        return len(self.readers)

    def clear(self) -> None:
        self.readers.clear()
        self._cache.clear()

    def cached(self, backing: int, rowid: int) -> LogEntry | None:
        found = self._cache.get((backing, rowid))
        if found is not None:
            self._cache.move_to_end((backing, rowid))
        return found

    def forget(self, backing: int, rowids: np.ndarray) -> None:
        """The entries at these rows were replaced in the archive: read them again when next asked."""
        for rowid in rowids.tolist():
            self._cache.pop((backing, rowid), None)

    def read(self, backings: np.ndarray, rowids: np.ndarray) -> list[LogEntry]:
        """The entries of these archived rows (each backing read in one go), kept in the cache."""
        entries: list[LogEntry | None] = [None] * len(rowids)
        for backing in sorted(set(backings.tolist())):  # (not np.unique: it loads numpy.ma, 26 ms before a first paint)
            rows = np.flatnonzero(backings == backing)
            for row, entry in zip(rows.tolist(), rebuild(self.readers[backing - 1], rowids[rows].tolist())):
                entries[row] = entry
                self._cache[(backing, int(rowids[row]))] = entry
        while len(self._cache) > ARCHIVED_CACHE:
            self._cache.popitem(last=False)
        return entries  # type: ignore[return-value]


class EntryList(Sequence[LogEntry]):
    """Rows' entries as they were when asked for, read from the archive only when taken: a save
    of a million archived rows takes them a chunk at a time in its worker thread."""

    def __init__(self, entries: np.ndarray, rowids: np.ndarray, backings: np.ndarray,
                 readers: list[RawReader]) -> None:
        self._entries, self._rowids, self._backings = entries, rowids, backings
        self._readers = list(readers)

    def __len__(self) -> int:
        return len(self._entries)

    @overload
    def __getitem__(self, index: int) -> LogEntry: ...

    @overload
    def __getitem__(self, index: slice) -> list[LogEntry]: ...

    def __getitem__(self, index: int | slice) -> LogEntry | list[LogEntry]:
        if isinstance(index, slice):
            return self._take(*index.indices(len(self)))
        if not -len(self) <= index < len(self):
            raise IndexError(index)
        return self._take(index % len(self), index % len(self) + 1, 1)[0]

    def __iter__(self) -> Iterator[LogEntry]:
        for start in range(0, len(self), BULK_ROWS):
            yield from self._take(start, min(len(self), start + BULK_ROWS), 1)

    def _take(self, start: int, stop: int, step: int) -> list[LogEntry]:
        entries = self._entries[start:stop:step].tolist()
        backings, rowids = self._backings[start:stop:step], self._rowids[start:stop:step]
        for backing in np.unique(backings[backings > 0]).tolist():
            rows = np.flatnonzero(backings == backing)
            for row, entry in zip(rows.tolist(), rebuild(self._readers[backing - 1], rowids[rows].tolist())):
                entries[row] = entry
        return entries


def facet_codes(columns: ArchivedColumns, tables: dict, count: int) -> dict[str, np.ndarray]:
    """The first `count` rows' facets in the store's codes (`tables`: its `Categories` by
    column), new values coded as they come: one lookup per distinct value, then one take."""
    coded = {}
    for facet_name, column in FACET_COLUMNS.items():
        facet = columns.facets[facet_name]
        table = tables[column]
        lookup = np.fromiter((table.code(value) for value in facet.values), np.int32, len(facet.values))
        coded[column] = lookup[facet.codes[:count]]
    return coded


# -- archived rows in a store's row buffer (functions of it, as `file_ingest.py`'s and `order.py`'s are,
# called by `EntryStore.append_archived`, `archived` and `entry`, which keep what is the store's own)
def add_archived(rows: RowBuffer, codes: Codes, backings: Backings, columns: ArchivedColumns, reader: RawReader,
                 n: int) -> int:
    """Write the first `n` rows of `columns` after the tail, as columns only (their raw JSON left
    in `reader`'s archive); returns where they begin."""
    rows.reserve(0, n)
    coded = facet_codes(columns, codes.by_field(), n)
    codes.widen(rows)
    codes.update_severity()
    lo, hi = rows.tail, rows.tail + n
    start, stop = lo + rows.offset, hi + rows.offset
    cols = rows.cols
    for name, values in coded.items():
        cols[name][start:stop] = values
    cols["time"][start:stop] = columns.time_us[:n]
    cols["duration"][start:stop] = columns.duration_ms[:n]
    cols["invalid"][start:stop] = columns.invalid[:n]
    cols["rowid"][start:stop] = columns.rowid[:n]
    cols["backing"][start:stop] = backings.code(reader)
    if cols["held"][start:stop].any():  # (rows past the tail hold none: their pages stay unwritten)
        cols["held"][start:stop] = 0
    rows.tail = rows.ready = hi
    return lo


def let_go_archived(rows: RowBuffer, held_entries: HeldEntries, backings: Backings, rowids: Rowids,
                    reader: RawReader) -> int:
    """`EntryStore.archived`: the rows whose entries `reader`'s archive now holds let go of them
    (read back from there from now on), and a row showing an id's older answer goes."""
    held = rows.span("held", rows.head, rows.tail)
    let_go, at = held_entries.archived(rowids, held)
    code, rowid = backings.code(reader), rows.span("rowid", rows.head, rows.tail)
    older = np.zeros(0, dtype=np.int64)  # (a new row's rowid is past all the archive had: only a replaced one's is met)
    if len(at) and len(rowid) and int(at.min()) <= int(rowid.max()):
        older = np.flatnonzero((rows.span("backing", rows.head, rows.tail) == code) & np.isin(rowid, at))
        backings.forget(code, rowid[older])
    rowid[let_go] = at
    rows.span("backing", rows.head, rows.tail)[let_go] = code
    held_entries.release(held[let_go], archived=True)
    held[let_go] = 0
    if len(older):  # (an archived row holds no entry)
        take_out(rows, older + rows.head)
    return len(let_go)


def read_archived(rows: RowBuffer, backings: Backings, ordinal: int) -> LogEntry:
    """The entry of the archived row at `ordinal`, from the cache or read back."""
    index = ordinal + rows.offset
    backing, rowid = int(rows.cols["backing"][index]), int(rows.cols["rowid"][index])
    found = backings.cached(backing, rowid)
    if found is None:  # read the rows around it too: scrolling goes on from here
        around = np.arange(max(rows.head, ordinal - READ_AROUND[0]), min(rows.tail, ordinal + READ_AROUND[1]))
        around = around[rows.column("backing", around) > 0]
        backings.read(rows.column("backing", around), rows.column("rowid", around))
        found = backings.cached(backing, rowid)
        assert found is not None
    return found

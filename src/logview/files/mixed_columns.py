"""A mixed file's lines read fast for the viewer: each line's columns, not its entry.

Reading every envelope the exact way (`envelope.read_envelopes`: `load_json` of the line, then its
API's parser) took ~16 µs a line: a million envelopes, 16 s. Here a block of lines is decoded by
msgspec in one call into envelopes whose entry is left as its bytes (`mixed._Envelope`), and each
API's entries go to the typed column reader of a plain file (`columns.ColumnReader`: Structs
decoding only the fields the columns need, the exact per-line reading for any entry that is not
plainly valid). Its columns are those the exact reading gives (`tests/file_invariants.py`), so a
row made of them is the row made of the entry.

A line takes the exact way (`mixed.envelope_batch`) whenever msgspec might read it unlike
`load_json`: not framed by braces, not valid UTF-8 (msgspec does not check the bytes of an entry
it keeps as bytes), a line msgspec refuses (a lone surrogate escaped in its source, nesting deeper
than it goes: `load_json` goes as deep), one too long to be read back (no `place`); and so does a
row whose error group the merged view finds by the other API's rule (`MixedSource.error_group`
tells by the status), which the column reader would not know. Held equal to the exact way by
`tests/test_mixed_columns.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

import msgspec
import numpy as np

from logview.files.columns import NO_TIME, ColumnChunk, ColumnReader
from logview.files.envelope import PARSERS, UNREADABLE_SOURCE, envelope_line, unreadable_line
from logview.files.mixed import MAX_SOURCES, _Envelope, envelope_batch
from logview.files.lines import LineChunk
from logview.files.plain_lines import suspect_lines
from logview.model import LogEntry
from logview.times import epoch_us

_DECODE_LINES = msgspec.json.Decoder(_Envelope).decode_lines
_DECODE_ONE = msgspec.json.Decoder(_Envelope).decode
_DECODE_ERRORS = (msgspec.DecodeError, RecursionError)
_API, _SOURCE, _ENTRY = attrgetter("api"), attrgetter("source"), attrgetter("entry")
_OPEN, _CLOSE = ord("{"), ord("}")
FEW_VALUES = 1024  # a facet lists all its reader's values up to this many
# the reader's facet for each of the store's coded columns (`store.archived.FACET_COLUMNS`)
_FACETS = {"status": "status", "credential_id": "credential", "event": "event", "tool": "tool",
           "error_group": "error"}


@dataclass(frozen=True)
class Facet:
    """A column as codes: `values[codes[i]]` is row i's value (as `archive.columns.Facet`)."""

    codes: np.ndarray
    values: list[Any]


@dataclass(frozen=True)
class RowColumns:
    """Rows as a store takes archived ones (`EntryStore.append_archived`, as `ArchivedColumns`):
    `rowid` is each line's place, read back by `mixed.EnvelopeLines`."""

    rowid: np.ndarray
    time_us: np.ndarray
    duration_ms: np.ndarray
    invalid: np.ndarray
    facets: dict[str, Facet]

    def __len__(self) -> int:
        return len(self.rowid)

    def take(self, rows: np.ndarray | slice) -> RowColumns:
        return RowColumns(self.rowid[rows], self.time_us[rows], self.duration_ms[rows], self.invalid[rows],
                          {name: Facet(facet.codes[rows], facet.values) for name, facet in self.facets.items()})


@dataclass
class ReadBatch:
    """Consecutive lines of a mixed file: each one's place (None: too long to be read back),
    source and time (µs, NO_TIME for none; for the order of the groups, `TimelineGroups`). A line
    read the exact way has its entry in `entries` (and `readable`: whether it can be read back
    from the file, else it is held); the others have their columns, per API, in `columns`."""

    places: list[int | None]
    sources: list[str]
    times: np.ndarray
    entries: dict[int, LogEntry] = field(default_factory=dict)
    readable: dict[int, bool] = field(default_factory=dict)
    columns: dict[str, tuple[np.ndarray, RowColumns]] = field(default_factory=dict)  # api: (rows, columns)

    def __len__(self) -> int:
        return len(self.places)


class MixedColumnReader:
    """Reads a mixed file's lines a batch at a time; keep one per file (the column readers' codes
    and the sources met so far go on across batches). `fast` False: every line the exact way."""

    def __init__(self, fast: bool = True) -> None:
        self.fast = fast
        self._readers = {api: ColumnReader(source) for api, source in PARSERS.items()}
        self._sources: dict[str, None] = {}

    def read(self, places: list[int | None], lines: list[bytes]) -> ReadBatch:
        n = len(lines)
        batch = ReadBatch(places, [UNREADABLE_SOURCE] * n, np.full(n, NO_TIME, dtype=np.int64))
        envelopes, exact = self._envelopes(places, lines) if self.fast else ([], list(range(n)))
        # (each field of all the envelopes at once: a loop over them cost as much as their decoding)
        rows = np.setdiff1d(np.arange(n), exact) if exact else np.arange(n)
        apis = np.array(list(map(_API, envelopes)), dtype=str)
        raws = np.fromiter(map(_ENTRY, envelopes), dtype=object, count=len(envelopes))
        if exact:
            for i, source in zip(rows.tolist(), map(_SOURCE, envelopes)):
                batch.sources[i] = source
        else:
            batch.sources = list(map(_SOURCE, envelopes))
        for api, reader in self._readers.items():
            mine = apis == api
            if not mine.any():
                continue
            chunk = reader.read_chunk(_joined(raws[mine].tolist()))
            other_rule = self._other_rule(api, chunk)
            kept = np.flatnonzero(~other_rule)
            at = rows[mine]
            exact += at[other_rule].tolist()
            at = at[kept]
            batch.times[at] = chunk.time[kept]
            batch.columns[api] = at, self._archived(reader, chunk, [places[i] for i in at.tolist()], kept)
        if exact:
            exact.sort()
            read = envelope_batch([places[i] for i in exact], [lines[i] for i in exact], read_back=True)
            for i, source, entry, readable in zip(exact, read.sources, read.entries, read.readable):
                self._exactly(batch, i, source, entry, readable)
        self._limit_sources(batch, lines)
        return batch

    @staticmethod
    def _exactly(batch: ReadBatch, row: int, source: str, entry: LogEntry, readable: bool) -> None:
        batch.sources[row], batch.entries[row], batch.readable[row] = source, entry, readable
        batch.times[row] = NO_TIME if entry.time is None else epoch_us(entry.time)

    def _envelopes(self, places: list[int | None], lines: list[bytes]) -> tuple[list[_Envelope], list[int]]:
        """The envelopes msgspec reads as `load_json` would, in order; and the lines (their
        indices) to be read the exact way instead. Which lines are fit is found for the whole
        batch with numpy (`plain_lines.suspect_lines`, as for a plain file's chunk)."""
        joined = b"\n".join(lines)
        lengths = np.fromiter(map(len, lines), dtype=np.int64, count=len(lines))
        first = np.cumsum(lengths + 1) - lengths - 1
        last = first + lengths - 1
        data = np.frombuffer(joined, dtype=np.uint8)
        fit = (data[first] == _OPEN) & (data[last] == _CLOSE) & ~suspect_lines(joined, data, first, last)
        if None in places:  # (too long to be read back)
            fit &= np.array([at is not None for at in places], dtype=bool)
        exact = np.flatnonzero(~fit).tolist()
        # (framed lines: msgspec's stream of values is one value a line, see `typed.py`)
        block = b"\n".join([lines[i] for i in np.flatnonzero(fit).tolist()]) if exact else joined
        try:
            found = _DECODE_LINES(block)
            if len(found) == len(lines) - len(exact):
                return found, exact
        except _DECODE_ERRORS:
            pass
        envelopes: list[_Envelope] = []
        for i in np.flatnonzero(fit).tolist():  # (a line msgspec refuses: each on its own)
            envelope = _decoded(lines[i])
            if envelope is None:
                exact.append(i)
            else:
                envelopes.append(envelope)
        return envelopes, sorted(exact)

    def _other_rule(self, api: str, chunk: ColumnChunk) -> np.ndarray:
        """The rows whose error group the merged view may find by the other API's rule: by the
        Supermetrics one for an int status, or a null one beside a `log_time`; else the Aitronos one."""
        statuses = self._readers[api].tables["status"].values
        is_int = np.array([type(value) is int for value in statuses], dtype=bool)[chunk.codes["status"]]
        if api == "aitronos":
            return is_int | (chunk.codes["status"] == 0)  # (null: whether a `log_time` is there is not known)
        # a valid Supermetrics entry has its `log_time`; a broken one may not
        unsure = chunk.invalid | (chunk.time == NO_TIME)
        return ~is_int & ((chunk.codes["status"] != 0) | unsure)

    @staticmethod
    def _archived(reader: ColumnReader, chunk: ColumnChunk, places: list[int | None], kept: np.ndarray
                  ) -> RowColumns:
        """Rows `kept` of `chunk` as a store takes archived rows: each facet's codes over the
        reader's values, or over those this batch uses alone when the reader has many (a store
        looks up each value a facet lists)."""
        facets = {}
        for name, column in _FACETS.items():
            codes, values = chunk.codes[column][kept], reader.tables[column].values
            if len(values) <= FEW_VALUES:
                facets[name] = Facet(codes, list(values))
            else:
                used, local = np.unique(codes, return_inverse=True)
                facets[name] = Facet(local.reshape(-1), [values[code] for code in used.tolist()])
        return RowColumns(np.array(places, dtype=np.int64), chunk.time[kept], chunk.duration[kept],
                          chunk.invalid[kept], facets)

    def _limit_sources(self, batch: ReadBatch, lines: list[bytes]) -> None:
        """Each source becomes a store of its own: a line naming one more than MAX_SOURCES is shown
        invalid, as a line that names none (`UNREADABLE_SOURCE`)."""
        known = self._sources
        if known.keys() >= set(batch.sources):
            return
        for i, source in enumerate(batch.sources):
            if source in known:
                continue
            if len(known) < MAX_SOURCES:
                known[source] = None
                continue
            entry = batch.entries.get(i)
            if entry is None:  # (read as columns: its entry, the exact way)
                entry = envelope_batch([batch.places[i]], [lines[i]], read_back=False).entries[0]
                self._drop_columns(batch, i)
            line = envelope_line(source, entry)
            self._exactly(batch, i, UNREADABLE_SOURCE, unreadable_line(line, entry.raw, (
                f"one source more than the {MAX_SOURCES} a file may name")), False)
            known[UNREADABLE_SOURCE] = None

    @staticmethod
    def _drop_columns(batch: ReadBatch, row: int) -> None:
        for api, (rows, columns) in batch.columns.items():
            keep = rows != row
            if not keep.all():
                batch.columns[api] = rows[keep], columns.take(keep)


def _joined(entries: list[msgspec.Raw]) -> LineChunk:
    """Entries (their bytes) as a chunk of lines for `ColumnReader.read_chunk`: one join, no bytes
    object a line."""
    lengths = np.fromiter(map(len, entries), dtype=np.int64, count=len(entries))
    ends = np.cumsum(lengths + 1)
    return LineChunk(ends - lengths - 1, lengths, int(ends[-1]), int(ends[-1]), b"\n".join(entries))


def _decoded(line: bytes) -> _Envelope | None:
    try:
        return _DECODE_ONE(line)
    except _DECODE_ERRORS:
        return None



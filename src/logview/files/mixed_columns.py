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
from typing import Any

import msgspec
import numpy as np

from logview.files.columns import NO_TIME, ColumnChunk, ColumnReader
from logview.files.envelope import PARSERS, UNREADABLE_SOURCE, envelope_line, unreadable_line
from logview.files.mixed import MAX_SOURCES, _Envelope, envelope_batch
from logview.files.plain_lines import is_utf8
from logview.model import LogEntry
from logview.times import epoch_us

_DECODE_LINES = msgspec.json.Decoder(_Envelope).decode_lines
_DECODE_ONE = msgspec.json.Decoder(_Envelope).decode
_DECODE_ERRORS = (msgspec.DecodeError, RecursionError)
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
        envelopes = self._envelopes(places, lines) if self.fast else [None] * n
        batch = ReadBatch(places, [UNREADABLE_SOURCE] * n, np.full(n, NO_TIME, dtype=np.int64))
        exact = [i for i, envelope in enumerate(envelopes) if envelope is None]
        for api, reader in self._readers.items():
            rows = [i for i, envelope in enumerate(envelopes) if envelope is not None and envelope.api == api]
            if not rows:
                continue
            chunk = reader.read([bytes(envelopes[i].entry) for i in rows])  # type: ignore[union-attr]
            other_rule = self._other_rule(api, chunk)
            exact += [rows[i] for i in np.flatnonzero(other_rule).tolist()]
            kept = np.flatnonzero(~other_rule)
            at = np.array(rows, dtype=np.int64)[kept]
            for i in at.tolist():
                batch.sources[i] = envelopes[i].source  # type: ignore[union-attr]
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

    def _envelopes(self, places: list[int | None], lines: list[bytes]) -> list[_Envelope | None]:
        """Each line's envelope as msgspec reads it, where it reads it as `load_json` would; None
        for a line to be read the exact way."""
        joined = b"\n".join(lines)
        fit = [line.startswith(b"{") and line.endswith(b"}") for line in lines]
        if None in places:  # (too long to be read back)
            fit = [ok and at is not None for ok, at in zip(fit, places)]
        if not joined.isascii():
            fit = [ok and (line.isascii() or is_utf8(line)) for ok, line in zip(fit, lines)]
        found: list[_Envelope | None] = [None] * len(lines)
        rows = [i for i, ok in enumerate(fit) if ok]
        # (framed lines: msgspec's stream of values is one value a line, see `typed.py`)
        block = joined if len(rows) == len(lines) else b"\n".join([lines[i] for i in rows])
        try:
            decoded = _DECODE_LINES(block)
        except _DECODE_ERRORS:
            decoded = []
        if len(decoded) == len(rows):
            for i, envelope in zip(rows, decoded):
                found[i] = envelope
        else:  # (a line msgspec refuses: each on its own)
            for i in rows:
                found[i] = _decoded(lines[i])
        return found

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
        """Rows `kept` of `chunk` as a store takes archived rows: each facet's codes over the values
        this batch uses alone (a file's distinct values may be many)."""
        facets = {}
        for name, column in _FACETS.items():
            codes = chunk.codes[column][kept]
            used, local = np.unique(codes, return_inverse=True)
            values = reader.tables[column].values
            facets[name] = Facet(local.reshape(-1).astype(np.int32), [values[code] for code in used.tolist()])
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


def _decoded(line: bytes) -> _Envelope | None:
    try:
        return _DECODE_ONE(line)
    except _DECODE_ERRORS:
        return None



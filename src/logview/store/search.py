"""Search over a store's rows: which rows hold a case-insensitive substring in any value.

Each row's result sits in the store's `hit` column, so a search is paid once and re-filtering is a
mask. Small stores are searched at once; a big one hands a `SearchJob` (rows in memory) or a
`FileSearchJob` (a scan of the file's bytes, see `files.search`) to a worker thread, which owns
copies of what it reads, and the result is adopted back with `finish`. An entry's search text is
made once and kept beside it (`held.py`), for the next search.

Archived rows (see `archived.py`) are searched in their raw JSON, read from the archive a chunk
at a time and scanned as a file's lines are (`files.search`: the same answers as for `--file`,
and no text kept in memory for them).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec
import numpy as np

from logview.files.lines import LineFile
from logview.files.memory import release_free_memory
from logview.files.search import search_lines
from logview.sources.base import Source, searchable_text
from logview.store.archived import Backings, RawReader
from logview.store.held import HeldEntries
from logview.store.rows import RowBuffer

ARCHIVED_SEARCH_ROWS = 20_000  # archived rows read from the archive per scan


class _Blobs:
    """Raw entries joined as the lines of one block, read like a `LineFile` by `search_lines`."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def read(self, start: int, length: int) -> bytes:
        return self.data[start:start + length]


def search_archived(reader: RawReader, rowids: np.ndarray, invalid: np.ndarray, needle: str,
                    cancelled: Callable[[], bool] | None = None) -> np.ndarray:
    """Which of these archived rows hold `needle` in a value (a row gone from the archive: no)."""
    hits = np.zeros(len(rowids), dtype=bool)
    for start in range(0, len(rowids), ARCHIVED_SEARCH_ROWS):
        if cancelled and cancelled():
            break
        part = rowids[start:start + ARCHIVED_SEARCH_ROWS].tolist()
        found = reader.raw_found(part)
        blobs = [found.get(rowid, b"") for rowid in part]
        lengths = np.fromiter(map(len, blobs), np.int64, len(blobs))
        starts = np.concatenate([[0], np.cumsum(lengths + 1)[:-1]])  # (one byte between rows)
        block: Any = _Blobs(b"\n".join(blobs))  # (read like a LineFile)
        hits[start:start + len(part)] = search_lines(block, reader.api_source, starts, lengths, needle,
                                                     invalid[start:start + len(part)], cancelled)
    return hits


class SearchJob(msgspec.Struct):
    """A search over a snapshot of the store, safe to run in a thread (it owns its arrays)."""

    needle: str
    epoch: int
    lo: int
    hi: int
    held: np.ndarray  # the rows' indices in `table` (0: an archived row)
    table: HeldEntries  # (append-only: indices stay valid while the store changes)
    backings: np.ndarray  # archived rows: which archive, their rowid
    rowids: np.ndarray
    invalid: np.ndarray
    readers: list[RawReader]
    hits: np.ndarray | None = None
    moves: int = 0  # the store's `moves.version` when the job was made
    lost: np.ndarray | None = None  # rows whose entry was let go meanwhile (archived): not searched

    def run(self, cancelled: Callable[[], bool] | None = None) -> None:
        backings, entries, texts = self.backings, self.table.entries, self.table.texts
        in_memory = np.flatnonzero(self.held > 0)
        held = self.held[in_memory].tolist()
        for i in held:
            if texts[i] is None and (entry := self.table.entry(i)) is not None:  # (None: its row is gone)
                texts[i] = searchable_text(entry.raw)
        needle = self.needle
        hits = np.zeros(len(self.held), dtype=bool)
        hits[in_memory] = np.fromiter((needle in (texts[i] or "") for i in held), dtype=bool, count=len(held))
        self.lost = in_memory[np.fromiter((entries[i] is None for i in held), dtype=bool, count=len(held))]
        for backing in np.unique(backings[backings > 0]).tolist():
            rows = np.flatnonzero(backings == backing)
            hits[rows] = search_archived(self.readers[backing - 1], self.rowids[rows], self.invalid[rows], needle,
                                         cancelled)
        if not (cancelled and cancelled()):
            self.hits = hits


class FileSearchJob(msgspec.Struct):
    """A search of a file store's rows [lo, hi): a scan of the file's bytes (see files.search)."""

    needle: str
    epoch: int
    lo: int
    hi: int
    lines: LineFile
    source: Source
    starts: np.ndarray
    lengths: np.ndarray
    invalid: np.ndarray
    hits: np.ndarray | None = None
    moves: int = 0  # the store's `moves.version` when the job was made

    def run(self, cancelled: Callable[[], bool] | None = None) -> None:
        hits = search_lines(self.lines, self.source, self.starts, self.lengths, self.needle,
                            self.invalid, cancelled)
        # (its blocks' arrays, freed, stayed the process's: a search of the Aitronos 1M file left the
        # viewer at ~220 MiB, from ~110, for good; found in a walk)
        release_free_memory()
        if not (cancelled and cancelled()):
            self.hits = hits


class RowSearch:
    """The search in force over one store's rows (`needle`), kept up to date as rows arrive."""

    def __init__(self, rows: RowBuffer, source: Source, lines: LineFile | None, backings: Backings,
                 held: Callable[[], HeldEntries]) -> None:
        self.rows, self.source, self.lines, self.backings = rows, source, lines, backings
        self._held = held  # the store's entries in memory (a new table after each `clear`)
        self.needle: str | None = None

    def evaluate(self, needle: str, lo: int, hi: int) -> None:
        """Search rows [lo, hi) now, into the `hit` column."""
        if hi <= lo:
            return
        rows = self.rows
        if self.lines is not None:
            job = self._file_job(needle, lo, hi)
            job.run()
            rows.span("hit", lo, hi)[:] = job.hits
            return
        job = self._memory_job(needle, lo, hi, copy=False)
        job.run()
        rows.span("hit", lo, hi)[:] = job.hits

    def _file_job(self, needle: str, lo: int, hi: int) -> FileSearchJob:
        assert self.lines is not None
        rows = self.rows
        starts, lengths = rows.span("start", lo, hi).copy(), rows.span("length", lo, hi).copy()
        invalid = np.zeros(hi - lo, dtype=bool)  # rows known to be invalid are checked exactly
        known = max(lo, min(hi, rows.ready))
        invalid[:known - lo] = rows.span("invalid", lo, known)
        return FileSearchJob(needle, rows.epoch, lo, hi, self.lines, self.source, starts, lengths, invalid,
                             moves=rows.moves.version)

    def set(self, needle: str | None) -> None:
        """Search every row now (fine for small stores; see `job`)."""
        self.needle = needle
        if needle is not None:
            self.evaluate(needle, self.rows.head, self.rows.tail)

    def job(self, needle: str) -> SearchJob | FileSearchJob:
        """A snapshot to search in a worker thread; hand it back with `finish`."""
        rows = self.rows
        if self.lines is not None:
            return self._file_job(needle, rows.head, rows.tail)
        return self._memory_job(needle, rows.head, rows.tail, copy=True)

    def _memory_job(self, needle: str, lo: int, hi: int, *, copy: bool) -> SearchJob:
        rows = self.rows
        held = rows.span("held", lo, hi)
        if copy:  # (for a worker thread: the store goes on changing)
            held = held.copy()
        return SearchJob(needle, rows.epoch, lo, hi, held, self._held(), rows.span("backing", lo, hi).copy(),
                         rows.span("rowid", lo, hi).copy(), rows.span("invalid", lo, hi).copy(),
                         list(self.backings.readers), moves=rows.moves.version)

    def finish(self, job: SearchJob | FileSearchJob) -> bool:
        """Adopt a finished job's results; rows that arrived meanwhile are searched now.
        False if the store was cleared in between (the job is stale)."""
        rows = self.rows
        if job.epoch != rows.epoch or job.hits is None:
            return False
        lo, hi = max(job.lo, rows.head), min(job.hi, rows.tail)
        if hi > lo:
            rows.span("hit", lo, hi)[:] = job.hits[lo - job.lo:hi - job.lo]
        if isinstance(job, SearchJob) and job.lost is not None and len(job.lost):  # (read from the archive now)
            self.evaluate(job.needle, max(lo, job.lo + int(job.lost[0])), min(hi, job.lo + int(job.lost[-1]) + 1))
        self.needle = job.needle
        if rows.head < lo:
            self.evaluate(job.needle, rows.head, min(lo, rows.tail))
        if hi < rows.tail:
            self.evaluate(job.needle, max(hi, rows.head), rows.tail)
        try:  # rows merged into place meanwhile took another row's results: search them again
            moved = rows.moves.span_since(job.moves)
        except LookupError:
            moved = (rows.head, rows.tail)
        if moved is not None:
            self.evaluate(job.needle, max(moved[0], rows.head), min(moved[1], rows.tail))
        return True

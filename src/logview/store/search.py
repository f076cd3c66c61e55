"""Search over a store's rows: which rows hold a case-insensitive substring in any value.

Each row's result sits in the store's `hit` column, so a search is paid once and re-filtering is a
mask. Small stores are searched at once; a big one hands a `SearchJob` (rows in memory) or a
`FileSearchJob` (a scan of the file's bytes, see `files.search`) to a worker thread, which owns
copies of what it reads, and the result is adopted back with `finish`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from logview.files.lines import LineFile
from logview.files.search import search_lines
from logview.sources.base import Source, searchable_text
from logview.store.rows import RowBuffer


@dataclass
class SearchJob:
    """A search over a snapshot of the store, safe to run in a thread (it owns its arrays)."""

    needle: str
    epoch: int
    lo: int
    hi: int
    entries: np.ndarray
    texts: np.ndarray
    hits: np.ndarray | None = None

    def run(self, cancelled: Callable[[], bool] | None = None) -> None:
        texts, entries = self.texts, self.entries
        for i in range(len(texts)):
            if texts[i] is None:
                texts[i] = searchable_text(entries[i].raw)
        needle = self.needle
        self.hits = np.fromiter((needle in text for text in texts), dtype=bool, count=len(texts))


@dataclass
class FileSearchJob:
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

    def run(self, cancelled: Callable[[], bool] | None = None) -> None:
        hits = search_lines(self.lines, self.source, self.starts, self.lengths, self.needle,
                            self.invalid, cancelled)
        if not (cancelled and cancelled()):
            self.hits = hits


class RowSearch:
    """The search in force over one store's rows (`needle`), kept up to date as rows arrive."""

    def __init__(self, rows: RowBuffer, source: Source, lines: LineFile | None) -> None:
        self.rows, self.source, self.lines = rows, source, lines
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
        job = SearchJob(needle, rows.epoch, lo, hi, rows.span("entry", lo, hi), rows.span("text", lo, hi))
        job.run()  # writes texts in place (these are views)
        rows.span("hit", lo, hi)[:] = job.hits

    def _file_job(self, needle: str, lo: int, hi: int) -> FileSearchJob:
        assert self.lines is not None
        rows = self.rows
        starts, lengths = rows.span("start", lo, hi).copy(), rows.span("length", lo, hi).copy()
        invalid = np.zeros(hi - lo, dtype=bool)  # rows known to be invalid are checked exactly
        known = max(lo, min(hi, rows.ready))
        invalid[:known - lo] = rows.span("invalid", lo, known)
        return FileSearchJob(needle, rows.epoch, lo, hi, self.lines, self.source, starts, lengths, invalid)

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
        return SearchJob(needle, rows.epoch, rows.head, rows.tail,
                         rows.span("entry", rows.head, rows.tail).copy(),
                         rows.span("text", rows.head, rows.tail).copy())

    def finish(self, job: SearchJob | FileSearchJob) -> bool:
        """Adopt a finished job's results; rows that arrived meanwhile are searched now.
        False if the store was cleared in between (the job is stale)."""
        rows = self.rows
        if job.epoch != rows.epoch or job.hits is None:
            return False
        lo, hi = max(job.lo, rows.head), min(job.hi, rows.tail)
        if hi > lo:
            cut = slice(lo - job.lo, hi - job.lo)
            if isinstance(job, SearchJob):
                rows.span("text", lo, hi)[:] = job.texts[cut]
            rows.span("hit", lo, hi)[:] = job.hits[cut]
        self.needle = job.needle
        if rows.head < lo:
            self.evaluate(job.needle, rows.head, min(lo, rows.tail))
        if hi < rows.tail:
            self.evaluate(job.needle, max(hi, rows.head), rows.tail)
        return True

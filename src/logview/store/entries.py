"""Columnar entry store and filter engine for the viewer (numpy; no Textual).

Why columnar: a Python object per row on the hot path makes filtering 100k entries take seconds.
Here every filterable field is a numpy column — time as int64 microseconds, status, credential,
event and tool as small-int category codes — and a filter is an index array built from boolean
masks (`np.flatnonzero`). The entries themselves (with their raw JSON) sit in an object column
that only the detail pane, the visible table rows and exports read.

Rows are kept newest first in a double-ended buffer addressed by *ordinals*: backfill appends
older entries after the tail, live tail prepends newer ones before the head, and an ordinal never
changes while its row lives. A `FilteredView` is a sorted array of ordinals, so it stays valid
across prepends/appends and can be updated incrementally; the table keeps its cursor on an
ordinal, which is what keeps the user's place when rows arrive.

Filtering here is exactly `Source.matches` (a property test holds it to that), vectorised.

A store over a file (`lines` given) holds no entries at all: each row is a line's byte offset and
length, and an entry is read back and parsed when it is shown (a small cache keeps scrolling
cheap). Rows exist as soon as the file's lines are indexed; their filter columns arrive later from
a background reader, so `ready` (≤ `tail`) marks how far the columns go. Filters that need columns
cover `[head, ready)`; with none but search, every row is covered.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from logview.store.categories import Categories
from logview.files.columns import NO_TIME, ColumnChunk
from logview.files.lines import LineChunk, LineFile
from logview.files.search import search_lines
from logview.model import (SEV_ERROR, SEV_INFO, SEV_OK, SEV_UNKNOWN, SEV_WARN, Filters, LogEntry,  # noqa: F401
                           severity)
from logview.sources.base import Source, duration_ms, searchable_text
from logview.files.jsonl import entry_from_line
from logview.times import epoch_us

ENTRY_CACHE = 1024  # parsed entries kept for a file store (a few screens of scrolling)
CODE_FIELDS = ("status", "credential", "event", "tool", "error")

# The filters decided on a row's columns (a file's rows have them only once read); search is not.
COLUMN_FILTERS = ("statuses", "since", "until", "credential", "event", "tool", "error", "origin")


def needs_columns(filters: Filters) -> bool:
    return any(getattr(filters, name) not in (None, ()) for name in COLUMN_FILTERS)


@dataclass(frozen=True)
class Selection:
    """The result of a filter: the ordinals shown, newest first, and the sidebar's counts."""

    index: np.ndarray  # int64 ordinals, ascending (= newest first)
    option_counts: np.ndarray  # per status option, among rows matching every *other* filter
    others_total: int  # rows matching every filter but the status one


@dataclass
class _Compiled:
    status_lut: np.ndarray | None
    since: int | None
    until: int | None
    credential: int | None  # -1: a value that never occurred, so nothing matches
    event: int | None
    tool: int | None
    error: int | None
    origin: int | None
    needle: str | None
    needs_columns: bool  # see `needs_columns`


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
    """A search of a file store's rows [lo, hi): a scan of the file's bytes (see filesearch)."""

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


_FILTER_COLUMNS: dict[str, Any] = {
    "time": np.int64,
    # category codes: 2 bytes a row until a field has more distinct values (see `_code_room`)
    "status": np.uint16,
    "credential": np.uint16,
    "event": np.uint16,
    "tool": np.uint16,
    "error": np.uint16,  # the entry's error group (`Source.error_group`), 0 for none
    "duration": np.float64,  # milliseconds, NaN when absent or not a duration
    "invalid": np.bool_,
    "hit": np.bool_,
}
_ENTRY_COLUMNS: dict[str, Any] = {"entry": object, "text": object}  # entries held in memory
_LINE_COLUMNS: dict[str, Any] = {"start": np.int64, "length": np.int32}  # entries left in the file


class EntryStore:
    """Entries newest first, as columns; `head <= ordinal < tail` addresses the live rows."""

    def __init__(self, source: Source, max_entries: int | None = None, capacity: int = 1024,
                 lines: LineFile | None = None) -> None:
        self.source = source
        self.max_entries = max_entries
        self.lines = lines
        self._columns = {**_FILTER_COLUMNS, **(_LINE_COLUMNS if lines is not None else _ENTRY_COLUMNS)}
        self._entry_cache: OrderedDict[int, LogEntry] = OrderedDict()
        self._code_maps: dict[str, np.ndarray] = {}  # a file reader's category codes → ours
        self.statuses = Categories(strings_only=False)
        self.credentials = Categories()
        self.events = Categories()
        self.tools = Categories()
        self.errors = Categories()
        self.origins = Categories()  # a merged store's parts, by label (see `merge_from`)
        self._severity = np.zeros(1, dtype=np.int8)  # per status category
        self._luts: dict[tuple[str, ...], np.ndarray] = {}
        self.search_needle: str | None = None
        self.epoch = 0  # bumped by clear(): ordinals from before mean nothing after
        self.dropped_total = 0  # rows dropped from the old end to respect max_entries
        self._allocate(max(16, capacity), front_room=max(8, capacity // 8))

    # -- buffer management ----------------------------------------------------------------
    def _allocate(self, capacity: int, front_room: int) -> None:
        self._cols = {name: np.zeros(capacity, dtype=dtype) if dtype is not object
                      else np.empty(capacity, dtype=object) for name, dtype in self._columns.items()}
        self._offset = front_room  # buffer index of ordinal 0
        self.head = 0
        self.tail = 0
        self.ready = 0  # rows below this have their filter columns (always `tail` in memory)

    def _reserve(self, front: int, back: int, exact: bool = False) -> None:
        """Make room for `front` rows before the head and `back` after the tail."""
        capacity = len(self._cols["time"])
        start, stop = self.head + self._offset, self.tail + self._offset
        if start >= front and capacity - stop >= back:
            return
        size = stop - start
        # A file only appends, and its size is known from the first chunk: grow in small steps.
        growth = 1.0 if exact else 1.25 if self.lines is not None else 2.0
        new_capacity = max(capacity, int(growth * (size + front + back)), 1024)
        spare = new_capacity - size - front - back
        new_start = front + (spare // 4 if front else spare // 16)
        for name, column in self._cols.items():
            grown = np.zeros(new_capacity, dtype=column.dtype) if column.dtype != object \
                else np.empty(new_capacity, dtype=object)
            grown[new_start:new_start + size] = column[start:stop]
            self._cols[name] = grown
        self._offset = new_start - self.head

    def __len__(self) -> int:
        return self.tail - self.head

    def _slice(self, name: str, lo: int, hi: int) -> np.ndarray:
        return self._cols[name][lo + self._offset:hi + self._offset]

    def column(self, name: str, ordinals: np.ndarray) -> np.ndarray:
        """Gather one column for an array of ordinals."""
        return self._cols[name][ordinals + self._offset]

    # -- ingest ---------------------------------------------------------------------------
    def _write(self, lo: int, entries: Sequence[LogEntry]) -> None:
        n = len(entries)
        hi = lo + n
        status_code, cred_code = self.statuses.code, self.credentials.code
        event_code, tool_code, error_code = self.events.code, self.tools.code, self.errors.code
        error_group = self.source.error_group
        times = np.empty(n, dtype=np.int64)
        statuses = np.empty(n, dtype=np.int32)
        creds = np.empty(n, dtype=np.int32)
        events = np.empty(n, dtype=np.int32)
        tools = np.empty(n, dtype=np.int32)
        errors = np.empty(n, dtype=np.int32)
        durations = np.empty(n, dtype=np.float64)
        invalid = np.empty(n, dtype=np.bool_)
        for i, entry in enumerate(entries):
            moment = entry.time
            times[i] = NO_TIME if moment is None else epoch_us(moment)
            statuses[i] = status_code(entry.status)
            raw = entry.raw if isinstance(entry.raw, dict) else {}
            creds[i] = cred_code(raw.get("credential_id"))
            events[i] = event_code(raw.get("event"))
            tools[i] = tool_code(raw.get("tool"))
            errors[i] = error_code(error_group(entry.status, raw))
            duration = duration_ms(raw)
            durations[i] = np.nan if duration is None else duration
            invalid[i] = entry.invalid is not None
        self._code_room()
        start, stop = lo + self._offset, hi + self._offset
        cols = self._cols
        cols["time"][start:stop] = times
        cols["status"][start:stop] = statuses
        cols["credential"][start:stop] = creds
        cols["event"][start:stop] = events
        cols["tool"][start:stop] = tools
        cols["error"][start:stop] = errors
        cols["duration"][start:stop] = durations
        cols["invalid"][start:stop] = invalid
        cols["entry"][start:stop] = np.fromiter(entries, dtype=object, count=n)
        cols["text"][start:stop] = None
        if self.search_needle is not None:
            self._search_range(self.search_needle, lo, hi)
        self._update_severity()

    def _code_room(self) -> None:
        """Widen a code column to 4 bytes once its field has more distinct values than 2 fit."""
        for name, categories in zip(CODE_FIELDS, self._categories()):
            column = self._cols[name]
            if len(categories) > np.iinfo(column.dtype).max:
                self._cols[name] = column.astype(np.int32)

    def _categories(self) -> tuple[Categories, ...]:
        """The category table of each of CODE_FIELDS, in that order."""
        return self.statuses, self.credentials, self.events, self.tools, self.errors

    def categories(self, field: str) -> Categories:
        if field == "origin":
            return self.origins
        return dict(zip(CODE_FIELDS, self._categories()))[field]

    def _update_severity(self) -> None:
        if len(self.statuses) > len(self._severity):
            self._severity = np.array([severity(v) for v in self.statuses.values], dtype=np.int8)

    def append(self, entries: Sequence[LogEntry]) -> int:
        """Add entries older than all held ones (a backfill page). Returns how many were kept:
        at `max_entries` the store is full and older entries are not taken."""
        if self.max_entries is not None:
            entries = entries[: max(0, self.max_entries - len(self))]
        if not entries:
            return 0
        self._reserve(0, len(entries))
        self._write(self.tail, entries)
        self.tail += len(entries)
        self.ready = self.tail
        return len(entries)

    # -- a merged view ----------------------------------------------------------------------
    def merge_from(self, parts: Sequence[tuple[str, EntryStore]]) -> tuple[np.ndarray, np.ndarray]:
        """Become every loaded row of `parts` (labelled in-memory stores), newest first, each
        row's part in the `origin` column. Column-wise: codes are translated through one lookup
        per part and field, the rows put in order with one stable sort by time (timeless rows
        last), so even a few hundred thousand rows take milliseconds, never a pass in Python.
        Like `clear`, it starts a new epoch. Returns, per new row, the index of its part and its
        ordinal there (to find a row again after the next merge)."""
        assert self.lines is None and all(part.lines is None for _, part in parts)
        pieces: dict[str, list[np.ndarray]] = {name: [] for name in (*CODE_FIELDS, "time", "duration", "invalid",
                                                                     "entry", "origin", "part", "ordinal")}
        mine = dict(zip(CODE_FIELDS, self._categories()))
        for index, (label, part) in enumerate(parts):
            lo, hi = part.head, part.tail
            pieces["origin"].append(np.full(hi - lo, self.origins.code(label), dtype=np.int32))
            pieces["part"].append(np.full(hi - lo, index, dtype=np.int64))
            pieces["ordinal"].append(np.arange(lo, hi, dtype=np.int64))
            for name in ("time", "duration", "invalid", "entry"):
                pieces[name].append(part._slice(name, lo, hi))
            theirs = dict(zip(CODE_FIELDS, part._categories()))
            for name in CODE_FIELDS:
                lookup = np.fromiter((mine[name].code(v) for v in theirs[name].values), dtype=np.int32,
                                     count=len(theirs[name]))
                pieces[name].append(lookup[part._slice(name, lo, hi)])
        joined = {name: np.concatenate(arrays) if arrays else np.zeros(0) for name, arrays in pieces.items()}
        times = joined["time"]
        order = np.argsort(np.where(times == NO_TIME, np.iinfo(np.int64).max, -times), kind="stable")
        n = len(order)
        self._columns = {**self._columns, "origin": np.uint16}
        self._allocate(max(1024, n + n // 4), front_room=max(128, n // 16))
        self.epoch += 1
        self.dropped_total = 0
        self._code_room()
        start = self._offset
        for name in (*CODE_FIELDS, "time", "duration", "invalid", "entry", "origin"):
            self._cols[name][start:start + n] = joined[name][order]
        self._cols["text"][start:start + n] = None
        self.tail = self.ready = n
        self.search_needle = None
        self._update_severity()
        return joined["part"][order], joined["ordinal"][order]

    # -- a file's rows ----------------------------------------------------------------------
    def append_lines(self, chunk: LineChunk) -> int:
        """Add a file's next lines as rows (older than all held ones); their columns come later
        through `fill_columns`. Returns how many were kept (`max_entries` still applies)."""
        assert self.lines is not None, "append_lines is for a store over a file"
        n = len(chunk.starts)
        if self.max_entries is not None:
            n = min(n, max(0, self.max_entries - len(self)))
        if not n:
            return 0
        if not len(self) and chunk.scanned:
            # Size the columns once, from the first chunk's lines per byte (+5%): growing by
            # doubling would leave up to half of a million-row store's memory unused.
            expected = int(1.05 * chunk.size * len(chunk.starts) / chunk.scanned) + 64
            self._reserve(0, expected if self.max_entries is None else min(expected, self.max_entries),
                          exact=True)
        self._reserve(0, n)
        lo, hi = self.tail, self.tail + n
        start, stop = lo + self._offset, hi + self._offset
        cols = self._cols
        cols["start"][start:stop] = chunk.starts[:n]
        cols["length"][start:stop] = chunk.lengths[:n]
        cols["time"][start:stop] = NO_TIME
        for name in CODE_FIELDS:
            cols[name][start:stop] = 0
        cols["duration"][start:stop] = np.nan
        cols["invalid"][start:stop] = False
        self.tail = hi
        if self.search_needle is not None:
            self._search_range(self.search_needle, lo, hi)
        return n

    def fill_columns(self, chunk: ColumnChunk) -> int:
        """Columns for the next `len(chunk)` rows from `ready` (a `ColumnReader`'s output, in
        order). Returns how many rows it covered (fewer when the cap cut the file short)."""
        categories = dict(zip(CODE_FIELDS, self._categories()))
        for name, values in chunk.new_values.items():
            known = self._code_maps.get(name, np.zeros(1, dtype=np.int32))
            added = np.fromiter((categories[name].code(v) for v in values), dtype=np.int32, count=len(values))
            self._code_maps[name] = np.concatenate([known, added]) if len(added) else known
        self._code_room()
        n = min(len(chunk), self.tail - self.ready)
        start, stop = self.ready + self._offset, self.ready + n + self._offset
        cols = self._cols
        cols["time"][start:stop] = chunk.time[:n]
        for name, codes in chunk.codes.items():
            cols[name][start:stop] = self._code_maps[name][codes[:n]]
        cols["duration"][start:stop] = chunk.duration[:n]
        cols["invalid"][start:stop] = chunk.invalid[:n]
        self.ready += n
        self._update_severity()
        return n

    def line_span(self, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
        """Byte offsets and lengths of rows [lo, hi) of a file store."""
        return self._slice("start", lo, hi).copy(), self._slice("length", lo, hi).copy()

    def prepend(self, entries: Sequence[LogEntry]) -> int:
        """Add entries newer than all held ones (a tail batch, newest first). Beyond
        `max_entries` the oldest rows are dropped; returns how many were dropped."""
        if not entries:
            return 0
        n = len(entries)
        self._reserve(n, 0)
        self._write(self.head - n, entries)
        self.head -= n
        excess = len(self) - self.max_entries if self.max_entries is not None else 0
        if excess > 0:
            self._drop_oldest(excess)
            return excess
        return 0

    def _drop_oldest(self, count: int) -> None:
        new_tail = self.tail - count
        self._slice("entry", new_tail, self.tail)[:] = None  # free the raw entries
        self._slice("text", new_tail, self.tail)[:] = None
        self.tail = new_tail
        self.ready = min(self.ready, self.tail)
        self.dropped_total += count

    def clear(self) -> None:
        """Forget every row (a re-query). Category codes are kept so pickers keep their values."""
        self._allocate(1024, 128)
        self.epoch += 1
        self.dropped_total = 0
        self._entry_cache.clear()
        self._code_maps.clear()  # a new file reader numbers its categories afresh

    def close(self) -> None:
        if self.lines is not None:
            self.lines.close()

    # -- reading --------------------------------------------------------------------------
    def entry(self, ordinal: int) -> LogEntry:
        if self.lines is None:
            return self._cols["entry"][ordinal + self._offset]
        cache = self._entry_cache
        found = cache.get(ordinal)
        if found is None:
            found = cache[ordinal] = entry_from_line(self.source, self.line(ordinal) or b"")
            if len(cache) > ENTRY_CACHE:
                cache.popitem(last=False)
        else:
            cache.move_to_end(ordinal)
        return found

    def line(self, ordinal: int) -> bytes | None:
        """A file row's line exactly as in the file (None for a store in memory)."""
        if self.lines is None:
            return None
        index = ordinal + self._offset
        return self.lines.read(int(self._cols["start"][index]), int(self._cols["length"][index]))

    def entries(self, ordinals: np.ndarray) -> list[LogEntry]:
        if self.lines is None:
            return self.column("entry", ordinals).tolist()
        return [self.entry(int(ordinal)) for ordinal in ordinals]

    def time_us(self, ordinal: int) -> int | None:
        if ordinal >= self.ready:  # a file row whose columns are not read yet
            moment = self.entry(ordinal).time
            return None if moment is None else epoch_us(moment)
        value = int(self._cols["time"][ordinal + self._offset])
        return None if value == NO_TIME else value

    def frozen_columns(self, names: Iterable[str]) -> FrozenColumns:
        """The arrays behind `names` as they are now, for reading rows that exist now from
        another thread while this store goes on growing: rows are written once, and growing
        (or widening a code column, or `clear`) swaps in new arrays, leaving these intact."""
        return FrozenColumns({name: self._cols[name] for name in names}, self._offset, self.ready,
                             self._severity)

    def severity_of(self, ordinals: np.ndarray) -> np.ndarray:
        """The severity (SEV_*) of each row's status."""
        return self._severity[self.column("status", ordinals)]

    def problem_mask(self, ordinals: np.ndarray) -> np.ndarray:
        """True for rows whose status is a warning or an error, and for invalid entries."""
        return (self.severity_of(ordinals) >= SEV_WARN) | self.column("invalid", ordinals)

    def status_counts(self) -> dict[Any, int]:
        """Loaded rows per distinct status value (for tests and the benchmark)."""
        counts = np.bincount(self._slice("status", self.head, self.ready), minlength=len(self.statuses))
        return {value: int(count) for value, count in zip(self.statuses.values, counts) if count}

    # -- filtering ------------------------------------------------------------------------
    def status_lut(self, wanted: Iterable[str]) -> np.ndarray:
        """Per status category: does it match any of `wanted` (per `Source.status_matches`)."""
        key = tuple(wanted)
        lut = self._luts.get(key)
        known = len(self.statuses)
        if lut is None or len(lut) < known:
            start = 0 if lut is None else len(lut)
            matches = self.source.status_matches
            extra = np.fromiter(
                (any(matches(value, w) for w in key) for value in self.statuses.values[start:known]),
                dtype=bool, count=known - start,
            )
            lut = extra if lut is None else np.concatenate([lut, extra])
            self._luts[key] = lut
        return lut

    def _compile(self, filters: Filters) -> _Compiled:
        def code(categories: Categories, value: str | None) -> int | None:
            if value is None:
                return None
            found = categories.lookup(value)
            return -1 if found is None else found

        since, until = epoch_us(filters.since), epoch_us(filters.until)
        needle = filters.search.lower() if filters.search else None
        if needle is not None and needle != self.search_needle:
            self.set_search(needle)
        return _Compiled(
            status_lut=self.status_lut(filters.statuses) if filters.statuses else None,
            since=since,
            until=until,
            credential=code(self.credentials, filters.credential),
            event=code(self.events, filters.event),
            tool=code(self.tools, filters.tool),
            error=code(self.errors, filters.error),
            origin=code(self.origins, filters.origin),
            needle=needle,
            needs_columns=needs_columns(filters),
        )

    def _others_mask(self, f: _Compiled, lo: int, hi: int) -> np.ndarray | None:
        """Every filter except status over [lo, hi); None means "all rows"."""
        mask: np.ndarray | None = None

        def add(part: np.ndarray) -> None:
            nonlocal mask
            mask = part if mask is None else mask & part

        if f.since is not None:
            add(self._slice("time", lo, hi) >= f.since)
        if f.until is not None:
            times = self._slice("time", lo, hi)
            add((times <= f.until) & (times != NO_TIME))
        if f.credential is not None:
            add(self._slice("credential", lo, hi) == f.credential)
        if f.event is not None:
            add(self._slice("event", lo, hi) == f.event)
        if f.tool is not None:
            add(self._slice("tool", lo, hi) == f.tool)
        if f.error is not None:
            add(self._slice("error", lo, hi) == f.error)
        if f.origin is not None:
            add(self._slice("origin", lo, hi) == f.origin if "origin" in self._cols else np.zeros(hi - lo, bool))
        if f.needle is not None:
            add(self._slice("hit", lo, hi).copy())
        return mask

    def covered(self, filters: Filters) -> int:
        """The end of the rows `filters` can be decided on: all rows, or those with columns."""
        return self.ready if needs_columns(filters) else self.tail

    def _select_range(self, f: _Compiled, lo: int, hi: int, options: Sequence[str]) -> Selection:
        """Rows in [lo, hi) that match (within the covered rows) and the counts (within `ready`)."""
        cover = max(lo, min(hi, self.ready if f.needs_columns else self.tail))
        counted = max(lo, min(hi, self.ready))
        others = self._others_mask(f, lo, max(cover, counted))
        statuses = self._slice("status", lo, counted)
        if others is None:
            relevant = statuses
        else:
            relevant = statuses[others[:counted - lo]]
        per_category = np.bincount(relevant, minlength=len(self.statuses))
        counts = np.array([int(per_category[self.status_lut((o,))].sum()) for o in options], dtype=np.int64)
        mask = None if others is None else others[:cover - lo]
        if f.status_lut is not None:
            status_mask = f.status_lut[self._slice("status", lo, cover)]
            mask = status_mask if mask is None else mask & status_mask
        index = np.arange(lo, cover, dtype=np.int64) if mask is None else np.flatnonzero(mask) + lo
        return Selection(index, counts, int(len(relevant)))

    def select(self, filters: Filters, options: Sequence[str] | None = None,
               lo: int | None = None, hi: int | None = None) -> Selection:
        """Rows matching `filters` (all of them, like `Source.matches`) within [lo, hi)."""
        options = self.source.status_choices if options is None else options
        lo = self.head if lo is None else max(lo, self.head)
        hi = self.tail if hi is None else min(hi, self.tail)
        return self._select_range(self._compile(filters), lo, max(lo, hi), options)

    # -- search ---------------------------------------------------------------------------
    def _search_range(self, needle: str, lo: int, hi: int) -> None:
        if hi <= lo:
            return
        if self.lines is not None:
            job = self._file_search_job(needle, lo, hi)
            job.run()
            self._slice("hit", lo, hi)[:] = job.hits
            return
        entries, texts = self._slice("entry", lo, hi), self._slice("text", lo, hi)
        job = SearchJob(needle, self.epoch, lo, hi, entries, texts)
        job.run()  # writes texts in place (these are views)
        self._slice("hit", lo, hi)[:] = job.hits

    def _file_search_job(self, needle: str, lo: int, hi: int) -> FileSearchJob:
        assert self.lines is not None
        starts, lengths = self.line_span(lo, hi)
        invalid = np.zeros(hi - lo, dtype=bool)  # rows known to be invalid are checked exactly
        known = max(lo, min(hi, self.ready))
        invalid[:known - lo] = self._slice("invalid", lo, known)
        return FileSearchJob(needle, self.epoch, lo, hi, self.lines, self.source, starts, lengths, invalid)

    def set_search(self, needle: str | None) -> None:
        """Evaluate a search over every row now (fine for small stores; see `search_job`)."""
        self.search_needle = needle
        if needle is not None:
            self._search_range(needle, self.head, self.tail)

    def search_job(self, needle: str) -> SearchJob | FileSearchJob:
        """A snapshot to search in a worker thread; hand it back with `finish_search`."""
        if self.lines is not None:
            return self._file_search_job(needle, self.head, self.tail)
        return SearchJob(needle, self.epoch, self.head, self.tail,
                         self._slice("entry", self.head, self.tail).copy(),
                         self._slice("text", self.head, self.tail).copy())

    def finish_search(self, job: SearchJob | FileSearchJob) -> bool:
        """Adopt a finished job's results; rows that arrived meanwhile are searched now.
        False if the store was cleared in between (the job is stale)."""
        if job.epoch != self.epoch or job.hits is None:
            return False
        lo, hi = max(job.lo, self.head), min(job.hi, self.tail)
        if hi > lo:
            cut = slice(lo - job.lo, hi - job.lo)
            if isinstance(job, SearchJob):
                self._slice("text", lo, hi)[:] = job.texts[cut]
            self._slice("hit", lo, hi)[:] = job.hits[cut]
        self.search_needle = job.needle
        if self.head < lo:
            self._search_range(job.needle, self.head, min(lo, self.tail))
        if hi < self.tail:
            self._search_range(job.needle, max(hi, self.head), self.tail)
        return True

    def facet_values(self, field: str) -> list[str]:
        """Distinct string values seen in `credential_id`, `event`, `tool` or as error groups, sorted."""
        categories = self.categories(field)
        return sorted(v for v in categories.values if isinstance(v, str))


@dataclass(frozen=True)
class FrozenColumns:
    """Columns captured by `EntryStore.frozen_columns`; `column` reads them like the store."""

    arrays: dict[str, np.ndarray]
    offset: int
    ready: int  # rows below this had their filter columns when captured
    severity_lut: np.ndarray  # per status category

    def column(self, name: str, ordinals: np.ndarray) -> np.ndarray:
        """The column at `ordinals`; a view, not a copy, when they are one run (no filter)."""
        if len(ordinals) and int(ordinals[-1]) - int(ordinals[0]) + 1 == len(ordinals):
            start = int(ordinals[0]) + self.offset
            return self.arrays[name][start:start + len(ordinals)]
        return self.arrays[name][ordinals + self.offset]


@dataclass(frozen=True)
class ViewChange:
    """What one `FilteredView.sync` did, in rows of the view."""

    prepended: int = 0
    appended: int = 0
    dropped: int = 0
    reset: bool = False


class FilteredView:
    """The filtered rows the table shows, kept up to date incrementally as the store grows."""

    def __init__(self, store: EntryStore, filters: Filters | None = None,
                 options: Sequence[str] | None = None) -> None:
        self.store = store
        self.filters = filters or Filters()
        self.options: tuple[str, ...] = tuple(store.source.status_choices if options is None else options)
        self.refilter()

    def __len__(self) -> int:
        return self._hi - self._lo

    # The index lives in a buffer with room at both ends, so that the rows a big file or a long
    # tail adds cost only themselves: concatenating would copy the whole index every time.
    @property
    def index(self) -> np.ndarray:
        """The ordinals shown, ascending (a view: valid until the next change)."""
        return self._buffer[self._lo:self._hi]

    @index.setter
    def index(self, value: np.ndarray) -> None:
        self._buffer = np.asarray(value, dtype=np.int64)
        self._lo, self._hi = 0, len(self._buffer)

    def _extend(self, front: np.ndarray, back: np.ndarray) -> None:
        if self._lo < len(front) or len(self._buffer) - self._hi < len(back):
            size = len(self) + len(front) + len(back)
            spare = max(64, size // 2)
            room = min(spare // 4, 4096) if len(front) else 0  # the tail prepends few rows
            grown = np.empty(size + spare, dtype=np.int64)
            start = room + len(front)
            grown[start:start + len(self)] = self.index
            self._buffer, self._lo, self._hi = grown, start, start + len(self)
        self._buffer[self._lo - len(front):self._lo] = front
        self._buffer[self._hi:self._hi + len(back)] = back
        self._lo -= len(front)
        self._hi += len(back)

    def refilter(self, filters: Filters | None = None, options: Sequence[str] | None = None) -> None:
        """Recompute from scratch (filters changed, or the store was cleared)."""
        if filters is not None:
            self.filters = filters
        if options is not None:
            self.options = tuple(options)
        selection = self.store.select(self.filters, self.options)
        self.index = selection.index
        self.option_counts = selection.option_counts
        self.others_total = selection.others_total
        store = self.store
        self._epoch, self._head, self._tail, self._ready = store.epoch, store.head, store.tail, store.ready
        self._cover = store.covered(self.filters)

    def sync(self) -> ViewChange:
        """Take in what the store gained or lost since the last call."""
        store = self.store
        if store.epoch != self._epoch:
            self.refilter()
            return ViewChange(reset=True)
        front = back = np.empty(0, dtype=np.int64)
        prepended = appended = dropped = 0
        if store.tail < self._tail:  # the oldest rows were dropped (tail at the cap)
            keep = int(np.searchsorted(self.index, store.tail))
            dropped = len(self) - keep
            self._hi = self._lo + keep
            self._cover = min(self._cover, store.tail)
        if store.head < self._head:
            before = store.select(self.filters, self.options, store.head, self._head)
            front = before.index
            prepended = len(front)
            self._add_counts(before)
        cover = store.covered(self.filters)
        if cover > self._cover:
            # rows newly covered; in memory, these are the appended rows and their counts too
            after = store.select(self.filters, self.options, self._cover, cover)
            back = after.index
            appended = len(back)
        if store.ready > self._ready:
            if cover > self._cover and (self._cover, cover) == (self._ready, store.ready):
                self._add_counts(after)
            else:  # a file's columns arrived for rows already shown: count those rows
                self._add_counts(store.select(self.filters, self.options, self._ready, store.ready))
        if len(front) or len(back):
            self._extend(front, back)
        if store.tail < self._tail:  # counts of dropped rows are not known: recount
            counts = store.select(self.filters, self.options)
            self.option_counts, self.others_total = counts.option_counts, counts.others_total
        self._head, self._tail, self._ready, self._cover = store.head, store.tail, store.ready, cover
        return ViewChange(prepended, appended, dropped)

    def _add_counts(self, part: Selection) -> None:
        self.option_counts = self.option_counts + part.option_counts
        self.others_total += part.others_total

    def ordinal(self, row: int) -> int:
        return int(self.index[row])

    def row_of(self, ordinal: int) -> int:
        """The row showing `ordinal`, or the row where it would be (the next older one)."""
        return int(np.searchsorted(self.index, ordinal))

    def contains(self, ordinal: int) -> bool:
        row = self.row_of(ordinal)
        return row < len(self.index) and int(self.index[row]) == ordinal

    def next_problem(self, row: int, step: int) -> int | None:
        """The nearest row after (`step` 1) or before (`step` -1) `row` that is a warning/error."""
        if step > 0:
            candidates = self.index[row + 1:]
            hits = np.flatnonzero(self.store.problem_mask(candidates))
            return row + 1 + int(hits[0]) if len(hits) else None
        candidates = self.index[:max(0, row)]
        hits = np.flatnonzero(self.store.problem_mask(candidates))
        return int(hits[-1]) if len(hits) else None

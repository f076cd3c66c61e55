"""Patterns over the filtered rows: volume over time, per-group counts and latencies, error groups.

All of it is computed on the store's columns with numpy, never per entry in Python, so a million
rows take tens of milliseconds. The viewer gathers the columns it needs on the UI thread (one
fancy-index per column: the store may grow meanwhile, so a worker must not read it) and computes
in a worker thread from that snapshot (`Snapshot`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from logview.files.columns import NO_TIME
from logview.store.entries import EntryStore
from logview.store.rows import FrozenColumns
from logview.model import SEV_ERROR, SEV_INFO, SEV_OK, SEV_UNKNOWN, SEV_WARN

# Status classes, bottom to top of a histogram bar (the order a stacked bar is drawn in).
CLASSES = ("ok", "info", "other", "warn", "error")
_CLASS_OF_SEVERITY = np.zeros(5, dtype=np.int64)
_CLASS_OF_SEVERITY[[SEV_OK, SEV_INFO, SEV_UNKNOWN, SEV_WARN, SEV_ERROR]] = [0, 1, 2, 3, 4]
INVALID_CLASS = CLASSES.index("error")

US = {"s": 1_000_000, "m": 60_000_000, "h": 3_600_000_000, "d": 86_400_000_000}
# Bucket widths a person reads at a glance, smallest first.
BUCKETS_US = tuple(n * US[unit] for n, unit in (
    (1, "s"), (2, "s"), (5, "s"), (10, "s"), (15, "s"), (30, "s"),
    (1, "m"), (2, "m"), (5, "m"), (10, "m"), (15, "m"), (30, "m"),
    (1, "h"), (2, "h"), (3, "h"), (6, "h"), (12, "h"),
    (1, "d"), (2, "d"), (7, "d"), (14, "d"), (30, "d"), (91, "d"), (365, "d"),
))
PERCENTILES = (50, 95, 99)
TOP_GROUPS = 200  # groups listed (and whose percentiles are computed), most entries first


@dataclass(frozen=True)
class Snapshot:
    """The columns of the filtered rows, copied out of the store (safe to use in a thread)."""

    time: np.ndarray  # int64 µs, NO_TIME when unknown
    klass: np.ndarray  # int64 index into CLASSES
    problem: np.ndarray  # bool: a warning, an error or an invalid entry
    invalid: np.ndarray  # bool: an entry that is not a valid log entry (a line not JSON, a schema broken)
    duration: np.ndarray  # float64 ms, NaN when absent
    groups: dict[str, np.ndarray]  # field → category codes
    values: dict[str, list[Any]]  # field → the value of each code (code 0: none)

    @classmethod
    def take(cls, store: EntryStore, index: np.ndarray, fields: tuple[str, ...]) -> Snapshot:
        """Gather `fields`' codes (and time, status class, duration) for the rows `index`."""
        return cls.capture(store, index, fields).gather()

    @staticmethod
    def capture(store: EntryStore, index: np.ndarray, fields: tuple[str, ...]) -> Capture:
        """What `gather` needs, taken on the thread that owns the store (cheap: the index, and
        references to the column arrays); `gather` may then run in a worker. Unfiltered rows are
        one run, taken as its two ends: the copy of a million ordinals into fresh memory took the
        UI thread ~60 ms at a histogram's first open (its second took 0.4 ms)."""
        names = ("time", "status", "invalid", "duration", *fields)
        n = len(index)
        run = n > 0 and int(index[-1]) - int(index[0]) + 1 == n  # (ascending: one run, no gaps)
        rows = range(int(index[0]), int(index[0]) + n) if run else np.array(index, dtype=np.int64)
        return Capture(rows, store.frozen_columns(names), fields,
                       {field: list(store.categories(field).values) for field in fields})

    def __len__(self) -> int:
        return len(self.time)


@dataclass(frozen=True)
class Capture:
    """A snapshot not yet gathered (see `Snapshot.capture`)."""

    index: np.ndarray | range  # (a range: the rows are one run, `FrozenColumns.column` reads it as views)
    columns: FrozenColumns
    fields: tuple[str, ...]
    values: dict[str, list[Any]]

    def gather(self) -> Snapshot:
        columns = self.columns
        index = self.index  # (a file's rows not read yet wait)
        if isinstance(index, range):
            covered = index[: max(0, columns.ready - index.start)] or np.empty(0, dtype=np.int64)
        else:
            covered = index[index < columns.ready]
        severity = columns.severity_lut[columns.column("status", covered)]
        invalid = columns.column("invalid", covered)
        klass = _CLASS_OF_SEVERITY[severity]
        klass[invalid] = INVALID_CLASS
        return Snapshot(
            time=columns.column("time", covered),
            klass=klass,
            problem=(severity >= SEV_WARN) | invalid,
            invalid=invalid,
            duration=columns.column("duration", covered),
            groups={field: columns.column(field, covered) for field in self.fields},  # uint16: radix-sortable
            values=self.values,
        )


# -- volume over time -----------------------------------------------------------------------

@dataclass(frozen=True)
class Histogram:
    """Entries per time bucket and status class: `counts[bucket, class]`, oldest bucket first."""

    start_us: int  # where the first bucket starts
    bucket_us: int  # its width (a day's bucket over a change of the clocks is 23 or 25 hours: see `edges`)
    counts: np.ndarray  # int64, shape (buckets, len(CLASSES))
    timeless: int  # rows without a usable time (not in any bucket)
    edges: np.ndarray | None = None  # µs, buckets + 1: where each starts and the last ends (None: every one bucket_us)

    def __len__(self) -> int:
        return len(self.counts)

    @property
    def totals(self) -> np.ndarray:
        return self.counts.sum(axis=1)

    def bucket_span(self, bucket: int) -> tuple[int, int]:
        """[start, end] of a bucket in µs, both inclusive (as a date filter takes them)."""
        if self.edges is not None:
            return int(self.edges[bucket]), int(self.edges[bucket + 1]) - 1
        start = self.start_us + bucket * self.bucket_us
        return start, start + self.bucket_us - 1

    def bucket_of(self, moment_us: int) -> int:
        """The bucket holding `moment_us` (the nearest at either end)."""
        if self.edges is not None:
            bucket = int(np.searchsorted(self.edges, moment_us, side="right")) - 1
        else:
            bucket = (moment_us - self.start_us) // self.bucket_us
        return max(0, min(len(self) - 1, bucket))


def bucket_width(span_us: int, max_buckets: int) -> int:
    """The smallest readable width that fits `span_us` into at most `max_buckets` buckets."""
    for width in BUCKETS_US:
        if math.ceil((span_us + 1) / width) <= max_buckets:
            return width
    year = BUCKETS_US[-1]
    return year * math.ceil((span_us + 1) / (year * max_buckets))


def _local_offset_us(moment_us: int) -> int:
    """The local time zone's offset from UTC at `moment_us`, so days start at local midnight."""
    moment = datetime.fromtimestamp(moment_us / 1_000_000).astimezone()
    offset = moment.utcoffset()
    return 0 if offset is None else offset // _ONE_US


_ONE_US = timedelta(microseconds=1)
_WALL_EPOCH = datetime(1970, 1, 1)


def _edges(lo: int, hi: int, width: int) -> np.ndarray:
    """Where the buckets from the one holding `lo` to the one holding `hi` start, and the last ends.
    From an hour up they are counted on the local clock: days start at local midnight past a change
    of the clocks too (the offset at `lo` for all put the days after New York's 2 Nov at 23:00 the
    day before, each bar named after the wrong day: found in a walk)."""
    if width < US["h"]:
        start = lo // width * width
        return start + width * np.arange((hi - start) // width + 2, dtype=np.int64)
    first = (lo + _local_offset_us(lo)) // width * width  # (on the local clock)
    count = (hi + _local_offset_us(hi) - first) // width + 1
    try:
        edges = np.array([_utc_of_local(first + k * width) for k in range(count + 1)], dtype=np.int64)
    except (OverflowError, OSError, ValueError):  # (a clock the platform cannot read: the offset at lo for all)
        return first - _local_offset_us(lo) + width * np.arange(count + 1, dtype=np.int64)
    edges = np.maximum.accumulate(edges)  # (a midnight the clocks skip, in a few zones: never out of order)
    edges[0], edges[-1] = min(int(edges[0]), lo), max(int(edges[-1]), hi + 1)
    return edges


def _utc_of_local(wall_us: int) -> int:
    """The moment (µs) the local clock reads `wall_us` (µs since 1970-01-01 on that clock); of a time it
    reads twice, the first."""
    offset = (_WALL_EPOCH + wall_us * _ONE_US).astimezone().utcoffset()
    return wall_us - (0 if offset is None else offset // _ONE_US)


def histogram(snapshot: Snapshot, max_buckets: int, *, since_us: int | None = None,
              until_us: int | None = None) -> Histogram:
    """Bucket the snapshot's rows over [since, until] (default: the rows' own first and last
    times), with a bucket width from `BUCKETS_US` that gives at most `max_buckets` buckets."""
    max_buckets = max(1, max_buckets)
    times = snapshot.time
    timed = times != NO_TIME
    timeless = int(len(times) - np.count_nonzero(timed))
    times, klass = times[timed], snapshot.klass[timed]
    lo = since_us if since_us is not None else (int(times.min()) if len(times) else None)
    hi = until_us if until_us is not None else (int(times.max()) if len(times) else None)
    if lo is None or hi is None or hi < lo:
        return Histogram(0, US["s"], np.zeros((0, len(CLASSES)), dtype=np.int64), timeless)
    width = bucket_width(hi - lo, max_buckets)
    while True:  # aligning the start to a bucket edge can take one bucket more: then widen
        edges = _edges(lo, hi, width)
        buckets = len(edges) - 1
        if buckets <= max_buckets:
            break
        width = bucket_width(max(hi - lo, width) + width, max_buckets)
    start = int(edges[0])
    even = bool((np.diff(edges) == width).all())
    inside = (times >= start) & (times < edges[-1])
    slot = (times[inside] - start) // width if even else np.searchsorted(edges, times[inside], side="right") - 1
    flat = np.bincount(slot * len(CLASSES) + klass[inside], minlength=int(buckets) * len(CLASSES))
    return Histogram(start, int(width), flat.reshape(buckets, len(CLASSES)), timeless, None if even else edges)


# -- per group --------------------------------------------------------------------------------

@dataclass(frozen=True)
class GroupStats:
    """One value of a field (a tool, a credential, an event) among the filtered rows."""

    value: Any  # None: entries without this field
    count: int
    problems: int
    percentiles: tuple[float | None, ...]  # duration at PERCENTILES, None without durations

    @property
    def problem_rate(self) -> float:
        return self.problems / self.count if self.count else 0.0


def group_stats(snapshot: Snapshot, field: str, top: int = TOP_GROUPS) -> list[GroupStats]:
    """Per value of `field`: entries, problems and duration percentiles; most entries first."""
    codes = snapshot.groups[field]
    values = snapshot.values[field]
    size = max(len(values), int(codes.max()) + 1 if len(codes) else 0)
    counts = np.bincount(codes, minlength=size)
    problems = np.bincount(codes[snapshot.problem], minlength=size)
    chosen = [int(c) for c in np.argsort(-counts, kind="stable")[:top] if counts[c]]
    timed = ~np.isnan(snapshot.duration)
    timed_codes, durations = codes[timed], snapshot.duration[timed]
    order = np.argsort(timed_codes, kind="stable")  # a radix sort for small ints: cheap
    bounds = np.searchsorted(timed_codes[order], np.arange(size + 1))
    result = []
    for code in chosen:
        group = durations[order[bounds[code]:bounds[code + 1]]]
        percentiles = percentiles_of(group) if len(group) else (None,) * len(PERCENTILES)
        result.append(GroupStats(values[code] if code < len(values) else None, int(counts[code]),
                                 int(problems[code]), percentiles))
    return result


def percentiles_of(values: np.ndarray) -> tuple[float | None, ...]:
    """`np.percentile(values, PERCENTILES)` (linear interpolation), from one `np.partition`:
    a fraction of the work, and one numpy call where `np.percentile` makes dozens — each of which
    must win the GIL back from the UI thread."""
    last = len(values) - 1
    positions = [q / 100 * last for q in PERCENTILES]
    ranks = sorted({math.floor(p) for p in positions} | {math.ceil(p) for p in positions})
    parted = np.partition(values, ranks)
    result: list[float | None] = []
    for position in positions:
        low, high = float(parted[math.floor(position)]), float(parted[math.ceil(position)])
        result.append(low + (high - low) * (position - math.floor(position)))
    return tuple(result)


@dataclass(frozen=True)
class ErrorGroup:
    """Failures of one kind (`Source.error_group`) among the filtered rows."""

    group: str
    count: int
    newest_us: int | None  # the time of its newest entry


@dataclass(frozen=True)
class Ungrouped:
    """Failures that no error group listed holds: the invalid entries (a line that is not JSON, an entry
    without an error), or the others (an Aitronos status that is a number). Counted as failed, so
    the error groups alone fell short of the failures, and nothing said what the rest was (a walk).
    `unlisted`: the error groups past the TOP_GROUPS listed, whose failures these are (0: none of them)."""

    invalid: bool
    count: int
    newest_us: int | None  # the time of its newest entry that has one
    unlisted: int = 0


def error_summary(snapshot: Snapshot, top: int = TOP_GROUPS) -> tuple[list[ErrorGroup], list[Ungrouped]]:
    """The error groups listed (`error_groups`) and the failures outside them, from one count of the
    groups' codes (the stats panel counted them twice, ~6 ms per million entries each)."""
    counted = _error_codes(snapshot, top)
    return _listed_groups(snapshot, counted), _ungrouped_failures(snapshot, counted)


def _ungrouped_failures(snapshot: Snapshot, counted: _CountedCodes) -> list[Ungrouped]:
    """The snapshot's failures outside every error group listed: the invalid ones, the others, then those of
    the smaller groups past the `top` listed (261 groups of one entry each listed 200, 61 failures unsaid)."""
    codes = snapshot.groups["error"]
    outside = snapshot.problem & (codes == 0)
    counts, _, listed = counted
    past = counts.astype(bool)
    past[listed] = False
    kinds = ((True, outside & snapshot.invalid, 0), (False, outside & ~snapshot.invalid, 0),
             (False, past[codes], int(np.count_nonzero(past))))
    found = []
    for invalid, chosen, unlisted in kinds:
        times = snapshot.time[chosen]
        times = times[times != NO_TIME]
        if count := int(np.count_nonzero(chosen)):
            found.append(Ungrouped(invalid, count, int(times.max()) if len(times) else None, unlisted))
    return found


_CountedCodes = tuple[np.ndarray, np.ndarray, list[int]]  # (`_error_codes`)


def _error_codes(snapshot: Snapshot, top: int) -> _CountedCodes:
    """Per error group's code: its entries and the time of its newest; and the `top` codes listed, most
    entries first (code 0, no group, counts none)."""
    codes = snapshot.groups["error"]
    has_group = codes > 0
    codes, times = codes[has_group], snapshot.time[has_group]
    size = max(len(snapshot.values["error"]), int(codes.max()) + 1 if len(codes) else 1)
    counts = np.bincount(codes, minlength=size)
    newest = np.full(size, NO_TIME, dtype=np.int64)
    np.maximum.at(newest, codes, times)
    return counts, newest, [int(c) for c in np.argsort(-counts, kind="stable")[:top] if counts[c]]


def error_groups(snapshot: Snapshot, top: int = TOP_GROUPS) -> list[ErrorGroup]:
    """The error groups of the snapshot, most frequent first (the `top` of them)."""
    return _listed_groups(snapshot, _error_codes(snapshot, top))


def _listed_groups(snapshot: Snapshot, counted: _CountedCodes) -> list[ErrorGroup]:
    values = snapshot.values["error"]
    counts, newest, chosen = counted
    return [ErrorGroup(str(values[code]), int(counts[code]), None if newest[code] == NO_TIME else int(newest[code]))
            for code in chosen]

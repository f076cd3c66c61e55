"""Turn raw JSONL lines into the store's filter columns, in bulk, off the UI thread.

A line whose fields have their documented types is decoded by a typed msgspec Struct that makes
Python objects of those fields alone (`typed.py`); its columns are then built for the whole chunk
at once (times with numpy, `stamps.py`; codes with one dict lookup a value). Any other line is read
the exact way, as before: one `orjson` parse, and model validation (pydantic, ~4 µs a line) only
for lines whose fields do not have their documented types (`Source.plainly_valid`). A clean
million-line file never pays for that, while a hostile one still gets the exact verdict.

Category codes here are the reader's own (a worker thread must not touch the store's tables); each
chunk carries the values first seen in it so the store can translate codes with one array lookup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from collections.abc import Callable
from itertools import repeat
from typing import Any

import numpy as np
import orjson

from logview.categories import Categories
from logview.sources.base import DURATION_LIMIT, TOOL_KEYS, Source, duration_ms, first_named
from logview.files.jsonl import entry_from_line
from logview.files.stamps import StampTexts
from logview.files.lines import LineChunk
from logview.files.typed import SHAPES, TypedDecoder, Undecidable, decode_each, group_input, group_key, group_rows
from logview.times import epoch_us, parse_api_time

NO_TIME = np.iinfo(np.int64).min  # an entry without a usable time
FIELDS = ("status", "credential", "event", "tool", "error")
NAME_FIELDS = ("credential", "event", "tool")
RAW_KEYS = {"credential": ("credential_id",), "event": ("event",), "tool": TOOL_KEYS}
TIME_CACHE_LIMIT = 20_000  # distinct time strings remembered (second-resolution logs repeat a lot)
# Error groups remembered by what makes them: an Aitronos key holds the error's JSON, which often
# differs line by line (ids, numbers), so a large cache would hold ~20 MiB of them for few hits.
GROUP_CACHE_LIMIT = 2_000
# Only a whole `YYYY-MM-DDTHH:MM:SS` second parses like its `.mmmZ` forms plus the milliseconds:
# `2025-01-01T00:00+01` is a time, `2025-01-01T00:00+01.123Z` is not.
_SECOND = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d", re.ASCII)
_UNSEEN = object()
NAN = float("nan")
_OPEN, _CLOSE = ord("{"), ord("}")
_LONG_DIGITS = re.compile(rb"\d{19}")  # where `load_json` may read numbers unlike orjson (a superset)
# A chunk of columns is read from this many bytes: its numpy work is a few dozen calls whatever its
# size, and each call releases the interpreter, then waits for the UI thread's turn to win it back
# (up to a switch interval while the UI is busy): 1 MB chunks took up to twice as long in the app as
# 8 MB. 4 MB: each chunk read costs its bytes about three times over in memory while it is read.
CHUNK_BYTES = 4 << 20
# ...decoded this many bytes at a time: one msgspec call holds the interpreter throughout (a few
# ms), and only one block's Structs are alive at once.
DECODE_BYTES = 1 << 20


@dataclass
class ColumnChunk:
    """Columns for a run of consecutive lines; codes are the reader's (see `new_values`)."""

    time: np.ndarray  # int64 µs since the epoch, NO_TIME when absent
    codes: dict[str, np.ndarray]  # int32 per field in FIELDS
    duration: np.ndarray  # float64 ms, NaN when absent (`sources.base.duration_ms`)
    invalid: np.ndarray  # bool
    new_values: dict[str, list[Any]] = field(default_factory=dict)  # values coded first here, in code order

    def __len__(self) -> int:
        return len(self.time)

    @classmethod
    def join(cls, chunks: list[ColumnChunk]) -> ColumnChunk:
        """Consecutive chunks from one reader as one."""
        if len(chunks) == 1:
            return chunks[0]
        return cls(
            time=np.concatenate([c.time for c in chunks]),
            codes={name: np.concatenate([c.codes[name] for c in chunks]) for name in chunks[0].codes},
            duration=np.concatenate([c.duration for c in chunks]),
            invalid=np.concatenate([c.invalid for c in chunks]),
            new_values={name: [v for c in chunks for v in c.new_values.get(name, [])] for name in FIELDS},
        )


@dataclass
class _Gathered:
    """What the blocks of a chunk leave for the bulk work: Python values, codes, exact lines."""

    stamps: StampTexts = field(default_factory=StampTexts)
    durations: list[np.ndarray] = field(default_factory=list)  # as given, a block each (`_durations`)
    codes: dict[str, list[int]] = field(default_factory=lambda: {name: [] for name in FIELDS[:4]})
    groups: list[Any] = field(default_factory=list)
    exact: list[tuple[int, int, float, bool]] = field(default_factory=list)  # (row, time, duration, invalid)


def _blocks(lengths: np.ndarray) -> list[tuple[int, int]]:
    """Runs of lines [lo, hi) of about DECODE_BYTES each (a longer line alone)."""
    n = len(lengths)
    if not n:
        return []
    ends = np.cumsum(lengths + 1)
    if ends[-1] <= DECODE_BYTES:
        return [(0, n)]
    cuts = np.searchsorted(ends, np.arange(DECODE_BYTES, int(ends[-1]), DECODE_BYTES), side="right")
    bounds = [0, *sorted(set(cuts.tolist()) - {0, n}), n]
    return list(zip(bounds[:-1], bounds[1:]))


def _second_us(second: str) -> int | None:
    """The time of a whole second (NO_TIME if it is none); None when `second` is not shaped like
    one, so that its `.mmmZ` forms are parsed whole."""
    if not _SECOND.fullmatch(second):
        return None
    moment = parse_api_time(second + "Z")
    return NO_TIME if moment is None else epoch_us(moment)


class ColumnReader:
    """Reads chunks of lines into columns; keep one per file (codes continue across chunks)."""

    chunk_bytes = CHUNK_BYTES  # what a chunk given to `read_chunk` is best scanned from

    def __init__(self, source: Source) -> None:
        self.source = source
        self._codes = {name: Categories(strings_only=name != "status") for name in FIELDS}
        self._times: dict[str, int] = {}  # whole time strings
        self._seconds: dict[str, int | None] = {}  # a second's base; None: not a whole second
        self._groups: dict[tuple[Any, ...], Any] = {}  # error groups by what they are made of
        self._lookups: dict[str, dict[Any, int]] = {name: {None: 0} for name in FIELDS}  # see `_code`
        self._status_groups = np.zeros(0, dtype=bool)  # per status code: may it make an error group
        self._decoder = TypedDecoder(source)
        shape = self._decoder.shape
        self._by_codes = shape is not None and shape.GROUPED_BY_STATUS_AND_EVENT
        # stands in for the fields of a line read the exact way (its columns are overwritten)
        shape = SHAPES.get(source.kind, SHAPES["supermetrics"])
        self._placeholder = shape(id="", stamp="")

    def _time_us(self, value: Any) -> int:
        """`epoch_us(parse_api_time(value))`, with NO_TIME for None, made cheap for the common
        shapes: a string seen before, or `YYYY-MM-DDTHH:MM:SS.mmmZ` whose second was seen before."""
        if type(value) is not str:
            moment = parse_api_time(value)
            return NO_TIME if moment is None else epoch_us(moment)
        cache, seconds = self._times, self._seconds
        if len(cache) >= TIME_CACHE_LIMIT:
            cache.clear()
        if len(value) == 24 and value[19] == "." and value[23] == "Z":
            millis = value[20:23]
            if millis.isascii() and millis.isdigit():
                second = value[:19]
                base = seconds.get(second, _UNSEEN)
                if base is _UNSEEN:
                    if len(seconds) >= TIME_CACHE_LIMIT:
                        seconds.clear()
                    base = seconds[second] = _second_us(second)
                if base is not None:
                    return base if base == NO_TIME else base + 1000 * int(millis)
        moment = parse_api_time(value)
        result = cache[value] = NO_TIME if moment is None else epoch_us(moment)
        return result


    def read(self, lines: list[bytes]) -> ColumnChunk:
        """The columns of `lines` (each without its line break)."""
        n = len(lines)
        lengths = np.fromiter(map(len, lines), dtype=np.int64, count=n)
        framed = np.fromiter((line[:1] == b"{" and line[-1:] == b"}" for line in lines), dtype=bool, count=n)
        return self._read(lengths, framed, lambda lo, hi: b"\n".join(lines[lo:hi]), lambda lo, hi: lines[lo:hi])

    def read_chunk(self, chunk: LineChunk, count: int | None = None,
                   between: Callable[[], None] | None = None) -> ColumnChunk:
        """The columns of a chunk's lines (scanned `with_data`), its first `count` only if given;
        `between` is called between the blocks decoded (a chance for the reader to pause)."""
        assert chunk.data is not None
        raw = chunk.data
        n = len(chunk.starts) if count is None else min(count, len(chunk.starts))
        first = chunk.starts[:n] - chunk.base
        lengths = chunk.lengths[:n].astype(np.int64)
        last = first + lengths - 1
        data = np.frombuffer(raw, dtype=np.uint8)
        framed = (data[first] == _OPEN) & (data[last] == _CLOSE) if n else np.zeros(0, dtype=bool)

        def lines_of(lo: int, hi: int) -> list[bytes]:
            return [raw[s:e + 1] for s, e in zip(first[lo:hi].tolist(), last[lo:hi].tolist())]

        return self._read(lengths, framed, lambda lo, hi: raw[int(first[lo]):int(last[hi - 1]) + 1], lines_of, between)

    def _read(self, lengths: np.ndarray, framed: np.ndarray, block_of: Callable[[int, int], bytes],
              lines_of: Callable[[int, int], list[bytes]], between: Callable[[], None] | None = None) -> ColumnChunk:
        """Typed decoding where the lines allow it (`typed.py`), a block of about DECODE_BYTES
        in one call when all its lines are framed by braces, else line by line; the exact
        per-line reading for the lines that do not decode. Whatever needs Python objects is done
        block by block (the Structs of one block alive at a time); then each column in bulk, in
        few numpy calls for the whole chunk (each call may wait for the UI thread's turn)."""
        n = len(lengths)
        columns = _Gathered()
        unframed = np.flatnonzero(~framed).tolist()
        for lo, hi in _blocks(lengths):
            if lo and between is not None:
                between()
            self._read_block(lo, hi, block_of, lines_of, columns,
                             any(lo <= i < hi for i in unframed) if unframed else False)
        times, parsed = columns.stamps.parse()
        time_us, stamps = self._time_us, columns.stamps
        for i in np.flatnonzero(~parsed).tolist():
            times[i] = time_us(stamps.text(i))
        durations = _valid_durations(np.concatenate(columns.durations) if n else np.zeros(0))
        invalid = times == NO_TIME
        for i, moment, duration, bad in columns.exact:  # what the exact reading says
            times[i], durations[i], invalid[i] = moment, duration, bad
        codes = {name: np.array(values, dtype=np.int32) if values else np.zeros(n, dtype=np.int32)
                 for name, values in columns.codes.items()}
        groups = columns.groups
        if self._by_codes:
            self._groups_by_codes(groups, codes["status"], codes["event"], [i for i, *_ in columns.exact])
        codes["error"] = np.array(_code(self._codes["error"], self._lookups["error"], groups), dtype=np.int32)
        tables = self._codes
        return ColumnChunk(time=times, codes=codes, duration=durations, invalid=invalid,
                           new_values={name: table.take_new() for name, table in tables.items()})

    def _read_block(self, lo: int, hi: int, block_of: Callable[[int, int], bytes],
                    lines_of: Callable[[int, int], list[bytes]], columns: _Gathered, unframed: bool) -> None:
        """Lines [lo, hi): their fields as Python objects, coded (all but the error groups of
        Supermetrics, found from the codes later) and gathered into `columns`."""
        decoder, n = self._decoder, hi - lo
        fields = None if unframed or decoder.decode is None else decoder.decode_block(block_of(lo, hi), n)
        slow: list[int] = []
        lines = None
        if fields is None:
            lines = lines_of(lo, hi)
            if decoder.decode is None:
                fields, slow = [None] * n, list(range(n))
            else:
                fields, slow = decode_each(decoder.decode, lines)
            for i in slow:
                fields[i] = self._placeholder
        columns.stamps.add([f.stamp for f in fields])
        columns.durations.append(_durations([f.duration_ms for f in fields]))
        statuses = [f.status for f in fields]
        credentials = [f.credential_id for f in fields]  # (a name that is not a string is coded 0)
        events = [f.event for f in fields]
        tools = [f.tool if f.tool is not None else f.tool_key if f.tool_key is not None else f.tool_name
                 for f in fields]  # the first alias present names the tool (`sources.base.tool_of`)
        groups: list[Any] = [None] * n
        for i in () if self._by_codes else group_rows(fields):
            try:
                groups[i] = self._group(fields[i])
            except Undecidable:
                slow.append(i)
                lines = lines_of(lo, hi) if lines is None else lines
        del fields  # (a block's Structs go before the next block's come)
        for i in slow:  # what the exact reading says, in place of the placeholder's
            moment, statuses[i], credentials[i], events[i], tools[i], groups[i], duration, bad = \
                self._exact(lines[i])
            columns.exact.append((lo + i, moment, duration, bad))
        tables, lookups = self._codes, self._lookups
        for name, values in zip(FIELDS[:4], (statuses, credentials, events, tools)):
            columns.codes[name] += _code(tables[name], lookups[name], values)
        columns.groups += groups

    def _groups_by_codes(self, groups: list[Any], statuses: np.ndarray, events: np.ndarray, slow: list[int]) -> None:
        """Fill in the error groups of lines whose group follows from their status and event
        codes alone (`typed.SupermetricsFields`): one `error_group` call per pair."""
        status_values, event_values = self._codes["status"].values, self._codes["event"].values
        if len(self._status_groups) < len(status_values):  # may a status make a group at all?
            self._status_groups = np.array([type(v) is int and v >= 400 for v in status_values], dtype=bool)
        may = self._status_groups[statuses]
        may[slow] = False  # (their groups are the exact reading's)
        rows = np.flatnonzero(may)
        if not len(rows):
            return
        pairs, inverse = np.unique(statuses[rows].astype(np.int64) << 32 | events[rows], return_inverse=True)
        found = [self._group_of(status_values[int(pair) >> 32], event_values[int(pair) & 0xFFFFFFFF])
                 for pair in pairs.tolist()]
        for row, index in zip(rows.tolist(), inverse.tolist()):
            groups[row] = found[index]

    def _group_of(self, status: Any, event: Any) -> Any:
        key = (status, event)
        found = self._groups.get(key, _UNSEEN)
        if found is _UNSEEN:
            if len(self._groups) >= GROUP_CACHE_LIMIT:
                self._groups.clear()
            found = self._groups[key] = self.source.error_group(*group_input(key))
        return found

    def _group(self, fields: Any) -> Any:
        key = group_key(fields)
        try:
            found = self._groups.get(key, _UNSEEN)
        except TypeError:  # an object as the error message: not a key, asked every time
            return self.source.error_group(*group_input(key))
        if found is _UNSEEN:
            if len(self._groups) >= GROUP_CACHE_LIMIT:
                self._groups.clear()
            found = self._groups[key] = self.source.error_group(*group_input(key))
        return found

    def _exact(self, line: bytes) -> tuple[int, Any, Any, Any, Any, Any, float, bool]:
        """One line's columns by parsing it into an entry's fields, as `entry_from_line` reads
        it: (time, status, credential, event, tool, error group, duration, invalid)."""
        source = self.source
        # orjson alone, unlike `load_json`, turns integers beyond 64 bits into floats: harmless
        # for a plainly valid entry (no column holds such a number), but a misfit entry keeps an
        # out-of-range integer status, so a misfit line with a long digit run is parsed exactly.
        try:
            raw = orjson.loads(line)
        except orjson.JSONDecodeError:
            raw = None
        if type(raw) is dict and source.plainly_valid(raw):
            moment = self._time_us(raw[source.time_field])
            status, bad = raw.get("status"), moment == NO_TIME  # the only check `plainly_valid` leaves
        else:
            entry = (entry_from_line(source, line) if raw is None or _LONG_DIGITS.search(line)
                     else source.entry_from_raw(raw))
            moment = NO_TIME if entry.time is None else epoch_us(entry.time)
            status, bad = entry.status, entry.invalid is not None
            # not `raw`: orjson refuses some JSON that `load_json` reads (NaN, lone surrogates)
            raw = entry.raw if type(entry.raw) is dict else {}
        names = []
        for name in NAME_FIELDS:
            value = first_named(raw, RAW_KEYS[name])  # the first alias present names the value
            names.append(value if type(value) is str else None)
        duration = duration_ms(raw)
        return (moment, status, *names, source.error_group(status, raw), NAN if duration is None else duration, bad)


def _durations(values: list[Any]) -> np.ndarray:
    """The durations given, as doubles (None → NaN; an int as `float()` rounds it)."""
    try:
        return np.array(values, dtype=np.float64)
    except OverflowError:  # an integer beyond a double
        return np.array([NAN if v is None or v >= DURATION_LIMIT else float(v) for v in values], dtype=np.float64)


def _valid_durations(durations: np.ndarray) -> np.ndarray:
    """`duration_ms` per row (NaN where there is none): a real, non-negative number below
    DURATION_LIMIT, as `sources.base.duration_ms` takes it."""
    durations[~((durations >= 0) & (durations < DURATION_LIMIT))] = NAN
    return durations


def _code(table: Categories, lookup: dict[Any, int], values: list[Any]) -> list[int]:
    """The codes of `values` (None, and a name that is not a string: 0), new values coded in the
    order they first occur. `lookup`: the table's codes and None → 0, kept up to date here."""
    if values.count(None) == len(values):  # a field this file does not have
        return [0] * len(values)
    try:
        codes = list(map(lookup.get, values))
    except TypeError:  # an unhashable value (an object where a name was expected)
        codes = [None] * len(values)
    if None in codes:  # a value not coded before (or not a name, whose code is 0)
        code = table.code
        for i, value in enumerate(values):
            if codes[i] is None:
                codes[i] = found = code(value)
                if found:
                    lookup[value] = found
    return codes

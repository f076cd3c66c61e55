"""Turn raw JSONL lines into the store's filter columns, in bulk, off the UI thread.

A line whose fields have their documented types is decoded by a typed msgspec Struct that makes
Python objects of those fields alone (`typed.py`); its columns are then built for the whole chunk
at once (times with numpy, `stamps.py`; codes with one dict lookup a value, straight into numpy,
`coding.py`; error groups once per distinct key, `groups.py`): this thread holds the interpreter
for any Python loop, and the UI thread waits for it, so a loop per line costs twice. Which lines
msgspec may read a block at a time is found per chunk (`plain_lines.py`). Any other line is read
the exact way, as before: one `orjson` parse, and model validation (pydantic, ~4 µs a line) only
for lines whose fields do not have their documented types (`Source.plainly_valid`). A clean
million-line file never pays for that, while a hostile one still gets the exact verdict.

Category codes here are the reader's own (a worker thread must not touch the store's tables); each
chunk carries the values first seen in it so the store can translate codes with one array lookup.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

import msgspec
import numpy as np
import orjson

from logview.categories import Categories
from logview.files.coding import (
    NAN,
    codes_in_order,
    codes_of,
    durations_of,
    valid_durations,
)
from logview.files.groups import ErrorGroups
from logview.files.jsonl import entry_from_line
from logview.files.lines import LineChunk
from logview.files.plain_lines import suspect_lines
from logview.files.stamps import StampTexts
from logview.files.typed import SHAPES, TypedDecoder, decode_each
from logview.sources.base import TOOL_KEYS, Source, duration_ms, first_named
from logview.times import epoch_us, parse_api_time

NO_TIME = np.iinfo(np.int64).min  # an entry without a usable time
FIELDS = ("status", "credential", "event", "tool", "error")
NAME_FIELDS = ("credential", "event", "tool")
RAW_KEYS = {"credential": ("credential_id",), "event": ("event",), "tool": TOOL_KEYS}
# The Struct fields whose values the decoder learns (`TypedDecoder.learn`), by column
_LEARNED = {"status": "status", "credential": "credential_id", "event": "event", "tool": "tool"}
TIME_CACHE_LIMIT = 20_000  # distinct time strings remembered (second-resolution logs repeat a lot)
# Only a whole `YYYY-MM-DDTHH:MM:SS` second parses like its `.mmmZ` forms plus the milliseconds:
# `2025-01-01T00:00+01` is a time, `2025-01-01T00:00+01.123Z` is not.
_SECOND = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d", re.ASCII)
_UNSEEN = object()
# A field no line of a block holds (coded 0 at once: not a list of None made, then compared)
_ABSENT: list[Any] = []
_OPEN, _CLOSE = ord("{"), ord("}")
_LONG_DIGITS = re.compile(rb"\d{19}")  # where `load_json` may read numbers unlike orjson (a superset)
# A chunk of columns is read from this many bytes: its numpy work is a few dozen calls whatever its
# size, and each call releases the interpreter, then waits for the UI thread's turn to win it back
# (up to a switch interval while the UI is busy): 1 MB chunks took up to twice as long in the app as
# 8 MB. Each chunk read costs its bytes about three times over in memory while it is read, at the
# peak of a big file's read (beside the child): 2 MiB, not 4, held the viewer 6-7 MiB lower at the
# same rows read (Aitronos 1M), for 1-2% more reading CPU in process and no slower a whole file.
CHUNK_BYTES = 2 << 20
# ...decoded this many bytes at a time: one msgspec call holds the interpreter throughout (about a
# ms), and only one block's Structs are alive at once. Small enough that they (up to 2.3× the bytes
# decoded, for Supermetrics) stay in a core's cache while their fields are taken out and freed:
# 2-10% less CPU per line than 1 MiB blocks.
DECODE_BYTES = 256 << 10
# Chunks read as one (`read_chunks`) make their times from the texts gathered at least every this
# many rows: 8 bytes a row held instead of a text's 25, and the parse's temporaries (~100 bytes a
# row) those of fewer rows: the child's segment of 16k Aitronos rows peaked ~0.3 MiB higher than
# when it read chunk by chunk. A parse a chunk instead cost the child 3–5% more CPU.
TIMES_EVERY_ROWS = 1 << 13


class ColumnChunk(msgspec.Struct):
    """Columns for a run of consecutive lines; codes are the reader's (see `new_values`)."""

    time: np.ndarray  # int64 µs since the epoch, NO_TIME when absent
    codes: dict[str, np.ndarray]  # int32 per field in FIELDS
    duration: np.ndarray  # float64 ms, NaN when absent (`sources.base.duration_ms`)
    invalid: np.ndarray  # bool
    new_values: dict[str, list[Any]] = msgspec.field(default_factory=dict)  # values coded first here, in code order
    # The columns of every row after these are read already (the child's, once it has ended): the
    # store may fault in their pages now, beside the work of taking them (`file_ingest.py`).
    rest_read: bool = False

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


class _Gathered(msgspec.Struct):
    """What the blocks of a chunk (or of consecutive chunks) leave for the bulk work: times,
    durations and codes a block each, the error groups found so far (sparse) and the exact reading
    of the lines that need it."""

    stamps: StampTexts = msgspec.field(default_factory=StampTexts)  # the time texts not made times yet
    times: list[np.ndarray] = msgspec.field(default_factory=list)  # ...and the times made of those before
    durations: list[np.ndarray] = msgspec.field(default_factory=list)  # as given (`coding.durations_of`)
    codes: dict[str, list[np.ndarray]] = msgspec.field(default_factory=lambda: {name: [] for name in FIELDS[:4]})
    group_rows: list[int] = msgspec.field(default_factory=list)  # rows whose error group is found
    groups: list[Any] = msgspec.field(default_factory=list)  # ...and their groups
    exact: list[tuple[int, int, float, bool]] = msgspec.field(default_factory=list)  # (row, time, duration, invalid)
    rows: int = 0  # lines gathered (of one chunk, or of several read as one)


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
        self._groups = ErrorGroups(source)
        self._lookups: dict[str, dict[Any, int]] = {name: {None: 0} for name in FIELDS}  # see `coding.codes_of`
        self._decoder = TypedDecoder(source)
        shape = self._decoder.shape
        self._by_codes = shape is not None and shape.GROUPED_BY_STATUS_AND_EVENT
        # stands in for the fields of a line read the exact way (its columns are overwritten)
        shape = SHAPES.get(source.kind, SHAPES["supermetrics"])
        self._placeholder = shape(id="", stamp="")
        self._gathered: _Gathered | None = None  # the lines `gather`ed whose columns are still to be made

    @property
    def tables(self) -> dict[str, Categories]:
        """The reader's codes, per field in FIELDS (another reader's chunks can be put in them)."""
        return self._codes

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
        columns = _Gathered()
        self._gather(lengths, framed, lambda lo, hi: b"\n".join(lines[lo:hi]), lambda lo, hi: lines[lo:hi], columns)
        return self._columns(columns)

    def read_chunk(self, chunk: LineChunk, count: int | None = None,
                   between: Callable[[], None] | None = None) -> ColumnChunk:
        """The columns of a chunk's lines (scanned `with_data`), its first `count` only if given,
        after those of the chunks gathered before it (`gather`), all as one chunk; `between` is
        called between the blocks decoded (a chance for the reader to pause)."""
        self.gather(chunk, count, between)
        return self.columns_gathered()

    def read_chunks(self, chunks: Iterable[LineChunk]) -> ColumnChunk:
        """The columns of consecutive chunks' lines as one chunk (`gather`)."""
        for chunk in chunks:
            self.gather(chunk)
            del chunk  # (its bytes may be read over by the next: `lines.ReadBuffer`)
        return self.columns_gathered()

    def gather(self, chunk: LineChunk, count: int | None = None, between: Callable[[], None] | None = None) -> None:
        """A chunk's lines (its first `count`) decoded and coded now, their columns made with those
        of the chunks gathered after it, as one chunk, by `columns_gathered` or `read_chunk`: their
        times, codes and error groups worked out once for all. That work is a few dozen numpy calls
        whatever the rows (~0.25 ms): 7–9% of the CPU of reading 1 MiB chunks one by one (the
        child's), 1–2% of 4 MiB ones; each call gives the interpreter's lock up, to the UI thread
        if it wants it (the viewer's reader)."""
        columns = self._gathered = self._gathered if self._gathered is not None else _Gathered()
        self._gather_chunk(chunk, count, between, columns)
        if columns.stamps.count >= TIMES_EVERY_ROWS:
            self._make_times(columns)

    def columns_gathered(self) -> ColumnChunk:
        """The columns of the lines gathered since the last chunk of columns made (`gather`)."""
        columns, self._gathered = self._gathered if self._gathered is not None else _Gathered(), None
        return self._columns(columns)

    def _gather_chunk(self, chunk: LineChunk, count: int | None, between: Callable[[], None] | None,
                      columns: _Gathered) -> None:
        """A chunk's lines (its first `count`) decoded and coded into `columns`, after those there."""
        assert chunk.data is not None
        raw = chunk.data
        n = len(chunk.starts) if count is None else min(count, len(chunk.starts))
        first = chunk.starts[:n] - chunk.base
        lengths = chunk.lengths[:n].astype(np.int64)
        last = first + lengths - 1
        data = np.frombuffer(raw, dtype=np.uint8)
        if n:  # (the lines msgspec may read a block at a time, checked for the whole chunk at once)
            plain = (data[first] == _OPEN) & (data[last] == _CLOSE) & ~suspect_lines(raw, data, first, last)
        else:
            plain = np.zeros(0, dtype=bool)
        view = memoryview(raw)  # (a block is decoded where it lies, not copied out)

        def lines_of(lo: int, hi: int) -> list[bytes]:  # (bytes, whatever `raw` is: read exactly as a file's lines)
            return [view[s:e + 1].tobytes() for s, e in zip(first[lo:hi].tolist(), last[lo:hi].tolist())]

        self._gather(lengths, plain, lambda lo, hi: view[int(first[lo]):int(last[hi - 1]) + 1], lines_of,
                     columns, between, checked=True)

    def _gather(self, lengths: np.ndarray, plain: np.ndarray, block_of: Callable[[int, int], bytes | memoryview],
                lines_of: Callable[[int, int], list[bytes]], columns: _Gathered,
                between: Callable[[], None] | None = None, checked: bool = False) -> None:
        """Typed decoding where the lines allow it (`typed.py`), a block of about DECODE_BYTES
        in one call when all its lines are `plain` (framed by braces; `checked` if found fit for
        msgspec too), else line by line; the exact per-line reading for the lines that do not
        decode. Whatever needs Python objects is done here block by block (the Structs of one
        block alive at a time), each column at C speed; the rest in `_columns`."""
        for lo, hi in _blocks(lengths):
            if lo and between is not None:
                between()
            self._read_block(lo, hi, block_of, lines_of, columns, bool(plain[lo:hi].all()), checked)
        columns.rows += len(lengths)

    def _columns(self, columns: _Gathered) -> ColumnChunk:
        """The columns of the lines gathered, in few numpy calls for all of them (each call may
        wait for the UI thread's turn)."""
        # (what is gathered goes as each column is made from it: several chunks' worth, for the child)
        n = columns.rows
        self._make_times(columns)
        times = (columns.times[0] if len(columns.times) == 1 else np.concatenate(columns.times) if columns.times
                 else np.zeros(0, dtype=np.int64))
        columns.times.clear()
        durations = valid_durations(np.concatenate(columns.durations) if n else np.zeros(0))
        columns.durations.clear()
        invalid = times == NO_TIME
        for i, moment, duration, bad in columns.exact:  # what the exact reading says
            times[i], durations[i], invalid[i] = moment, duration, bad
        codes = {}
        for name, arrays in columns.codes.items():
            codes[name] = np.concatenate(arrays) if arrays else np.zeros(n, dtype=np.int32)
            arrays.clear()
        codes["error"] = self._error_codes(n, columns, codes)
        tables = self._codes
        return ColumnChunk(time=times, codes=codes, duration=durations, invalid=invalid,
                           new_values={name: table.take_new() for name, table in tables.items()})

    def _make_times(self, columns: _Gathered) -> None:
        """The times of the texts gathered since the last call, made and put with those before."""
        stamps = columns.stamps
        if not stamps.count:
            return
        times, parsed = stamps.parse()
        time_us = self._time_us
        for i in np.flatnonzero(~parsed).tolist():
            times[i] = time_us(stamps.text(i))
        columns.times.append(times)
        columns.stamps = StampTexts()

    def _error_codes(self, n: int, columns: _Gathered, codes: dict[str, np.ndarray]) -> np.ndarray:
        """The error group codes of a chunk, given in the order the groups first occur: the
        groups found block by block, and for Supermetrics those that follow from the codes."""
        rows, groups = columns.group_rows, columns.groups
        found = len(rows)
        if self._by_codes:
            pair_rows, inverse, first_rows, pair_groups = self._groups.by_codes(
                self._codes["status"].values, self._codes["event"].values, codes["status"], codes["event"],
                [i for i, *_ in columns.exact])
            rows, groups = rows + first_rows.tolist(), groups + pair_groups
        item_codes = codes_in_order(self._codes["error"], self._lookups["error"], rows, groups)
        error = np.zeros(n, dtype=np.int32)
        error[rows[:found]] = item_codes[:found]
        if self._by_codes and len(pair_rows):
            error[pair_rows] = item_codes[found:][inverse]
        return error

    def _read_block(self, lo: int, hi: int, block_of: Callable[[int, int], bytes | memoryview],
                    lines_of: Callable[[int, int], list[bytes]], columns: _Gathered, plain: bool,
                    checked: bool) -> None:
        """Lines [lo, hi): their fields as Python objects, coded (all but the error groups of
        Supermetrics, found from the codes later) and gathered into `columns`."""
        decoder, n = self._decoder, hi - lo
        row = columns.rows + lo  # (the block's first row among those gathered)
        fields = decoder.decode_block(block_of(lo, hi), n, checked) if plain and decoder.decode else None
        typed, documented = fields is not None, fields is not None and decoder.last_documented
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
        # (a list comprehension reads a Struct's field faster than `operator.attrgetter`)
        columns.stamps.add([f.stamp for f in fields])
        columns.durations.append(durations_of([f.duration_ms for f in fields]))
        statuses = [f.status for f in fields]
        events = [f.event for f in fields]
        if documented:  # (no credential, no tool: `shapes.DOCUMENTED`)
            credentials = tools = _ABSENT
        else:
            credentials = [f.credential_id for f in fields]  # (a name that is not a string is coded 0)
            tools = [f.tool if f.tool is not None else f.tool_key if f.tool_key is not None else f.tool_name
                     for f in fields]  # the first alias present names the tool (`sources.base.tool_of`)
        if not self._by_codes:
            rows, groups = self._groups.by_fields(fields, slow)
            columns.group_rows += [row + i for i in rows]
            columns.groups += groups
        del fields  # (a block's Structs go before the next block's come)
        for i in slow:  # what the exact reading says, in place of the placeholder's
            moment, statuses[i], credentials[i], events[i], tools[i], group, duration, bad = self._exact(lines[i])
            columns.exact.append((row + i, moment, duration, bad))
            columns.group_rows.append(row + i)
            columns.groups.append(group)
        tables, lookups = self._codes, self._lookups
        for name, values in zip(FIELDS[:4], (statuses, credentials, events, tools)):
            columns.codes[name].append(np.zeros(n, dtype=np.int32) if values is _ABSENT
                                       else codes_of(tables[name], lookups[name], values))
        if typed and not decoder.last_learned:  # (the values met so far, for the next blocks)
            decoder.learn({attribute: lookups[name] for name, attribute in _LEARNED.items()})

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

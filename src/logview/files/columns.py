"""Turn raw JSONL lines into the store's filter columns, in bulk, off the UI thread.

Per line: one `orjson` parse and a handful of dict lookups. Model validation (pydantic, ~4 µs a
line) runs only for lines whose fields do not have their documented types (`Source.plainly_valid`),
so a clean million-line file never pays for it while a hostile one still gets the exact verdict.

Category codes here are the reader's own (a worker thread must not touch the store's tables); each
chunk carries the values first seen in it so the store can translate codes with one array lookup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import orjson

from logview.categories import Categories
from logview.sources.base import DURATION_LIMIT, TOOL_KEYS, Source
from logview.files.jsonl import entry_from_line
from logview.times import epoch_us, parse_api_time

NO_TIME = np.iinfo(np.int64).min  # an entry without a usable time
FIELDS = ("status", "credential", "event", "tool", "error")
NAME_FIELDS = ("credential", "event", "tool")
RAW_KEYS = {"credential": ("credential_id",), "event": ("event",), "tool": TOOL_KEYS}
TIME_CACHE_LIMIT = 20_000  # distinct time strings remembered (second-resolution logs repeat a lot)
# Only a whole `YYYY-MM-DDTHH:MM:SS` second parses like its `.mmmZ` forms plus the milliseconds:
# `2025-01-01T00:00+01` is a time, `2025-01-01T00:00+01.123Z` is not.
_SECOND = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d", re.ASCII)
_UNSEEN = object()
_LONG_DIGITS = re.compile(rb"\d{19}")  # where `load_json` may read numbers unlike orjson (a superset)


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


def _second_us(second: str) -> int | None:
    """The time of a whole second (NO_TIME if it is none); None when `second` is not shaped like
    one, so that its `.mmmZ` forms are parsed whole."""
    if not _SECOND.fullmatch(second):
        return None
    moment = parse_api_time(second + "Z")
    return NO_TIME if moment is None else epoch_us(moment)


class ColumnReader:
    """Reads chunks of lines into columns; keep one per file (codes continue across chunks)."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self._codes = {name: Categories(strings_only=name != "status") for name in FIELDS}
        self._times: dict[str, int] = {}  # whole time strings
        self._seconds: dict[str, int | None] = {}  # a second's base; None: not a whole second

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
        # The hot loop of opening a big file: locals and inlined lookups are deliberate.
        source = self.source
        time_field = source.time_field
        plainly_valid = source.plainly_valid
        tables = self._codes
        status_index, status_code = tables["status"].index, tables["status"].code
        name_tables = [(tables[name].index, tables[name].code, RAW_KEYS[name]) for name in NAME_FIELDS]
        n = len(lines)
        times = np.empty(n, dtype=np.int64)
        statuses = np.empty(n, dtype=np.int32)
        names = [np.zeros(n, dtype=np.int32) for _ in NAME_FIELDS]
        errors = np.zeros(n, dtype=np.int32)
        durations = np.full(n, np.nan, dtype=np.float64)
        error_group, error_code = source.error_group, tables["error"].code
        invalid = np.zeros(n, dtype=np.bool_)
        time_cache, time_us = self._times, self._time_us
        # orjson alone, unlike `load_json`, turns integers beyond 64 bits into floats: harmless
        # for a plainly valid entry (no column holds such a number), but a misfit entry keeps an
        # out-of-range integer status, so a misfit line with a long digit run is parsed exactly.
        loads = orjson.loads
        for i, line in enumerate(lines):
            try:
                raw = loads(line)
            except orjson.JSONDecodeError:
                raw = None
            if type(raw) is dict and plainly_valid(raw):
                stamp = raw[time_field]
                moment = time_cache.get(stamp)
                if moment is None:
                    moment = time_us(stamp)
                status = raw.get("status")
                bad = moment == NO_TIME  # the only check `plainly_valid` leaves to us
            else:
                entry = (entry_from_line(source, line) if raw is None or _LONG_DIGITS.search(line)
                         else source.entry_from_raw(raw))
                moment = NO_TIME if entry.time is None else epoch_us(entry.time)
                status, bad = entry.status, entry.invalid is not None
                # not `raw`: orjson refuses some JSON that `load_json` reads (NaN, lone surrogates)
                raw = entry.raw if type(entry.raw) is dict else {}
            times[i] = moment
            code = status_index.get(status)
            statuses[i] = status_code(status) if code is None else code
            for column, (index, make_code, keys) in zip(names, name_tables):
                for key in keys:  # the first alias present names the value (`sources.base.first_named`)
                    value = raw.get(key)
                    if value is not None:
                        break
                if value is not None:
                    code = index.get(value) if type(value) is str else 0
                    column[i] = make_code(value) if code is None else code
            group = error_group(status, raw)
            if group is not None:
                errors[i] = error_code(group)
            duration = raw.get("duration_ms")
            if duration is not None:
                kind = type(duration)
                if (kind is int or kind is float) and 0 <= duration < DURATION_LIMIT:  # = `duration_ms`
                    durations[i] = duration
            if bad:
                invalid[i] = True
        return ColumnChunk(
            time=times,
            codes={"status": statuses, **dict(zip(NAME_FIELDS, names)), "error": errors},
            duration=durations,
            invalid=invalid,
            new_values={name: codes.take_new() for name, codes in self._codes.items()},
        )

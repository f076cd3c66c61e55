"""A store's category tables: each filterable field's distinct values as small-int codes, and
what is derived per code (how alarming each status is, which statuses an option matches).

Codes are what the columns hold: comparing a 2-byte code is what makes filtering a million rows
a few numpy passes. The tables only grow, so codes stay valid across a re-query (pickers keep
their values) and a lookup table computed per code is extended, never rebuilt.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

import numpy as np

from logview.files.columns import NO_TIME
from logview.model import LogEntry, severity
from logview.sources.base import Source, duration_ms, tool_of
from logview.categories import Categories
from logview.store.rows import RowBuffer
from logview.times import epoch_us

CODE_FIELDS = ("status", "credential", "event", "tool", "error")
NAN = float("nan")
TIME_CACHE_LIMIT = 20_000  # distinct entry times remembered with their microseconds


class Codes:
    """The category table of every coded field, plus the merged view's `origin`."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.statuses = Categories(strings_only=False)
        self.credentials = Categories()
        self.events = Categories()
        self.tools = Categories()
        self.errors = Categories()  # error groups (`Source.error_group`)
        self.origins = Categories()  # a merged store's parts, by label
        self.severity = np.zeros(1, dtype=np.int8)  # per status code
        self._luts: dict[tuple[str, ...], np.ndarray] = {}
        self._moments: dict[datetime, int] = {}  # entry times seen lately, as epoch microseconds

    def tables(self) -> tuple[Categories, ...]:
        """The table of each of CODE_FIELDS, in that order."""
        return self.statuses, self.credentials, self.events, self.tools, self.errors

    def by_field(self) -> dict[str, Categories]:
        return dict(zip(CODE_FIELDS, self.tables()))

    def table(self, field: str) -> Categories:
        return self.origins if field == "origin" else self.by_field()[field]

    def encode(self, entries: Sequence[LogEntry]) -> dict[str, np.ndarray]:
        """The filter columns of `entries`: times, codes (new values get new codes), durations."""
        # The hot loop of every page taken in: locals and inlined lookups are deliberate (a
        # known value costs one dict lookup; `Categories.code` only for what is new or odd).
        status_index, status_code = self.statuses.index, self.statuses.code
        names = [(table.index, table.code) for table in (self.credentials, self.events, self.tools)]
        error_index, error_code = self.errors.index, self.errors.code
        error_group = self.source.error_group
        moments = self._moments
        if len(moments) >= TIME_CACHE_LIMIT:
            moments.clear()
        times: list[int] = []
        statuses: list[int] = []
        creds: list[int] = []
        events: list[int] = []
        tools: list[int] = []
        errors: list[int] = []
        durations: list[float] = []
        name_columns = (creds.append, events.append, tools.append)
        for entry in entries:
            moment = entry.time
            if moment is None:
                times.append(NO_TIME)
            else:  # (a page's entries share their datetimes: see `sources.base.api_time`)
                found = moments.get(moment)
                times.append(found if found is not None else moments.setdefault(moment, epoch_us(moment)))
            status = entry.status
            code = status_index.get(status)
            statuses.append(status_code(status) if code is None else code)
            raw = entry.raw
            if type(raw) is not dict:
                raw = {}
            get = raw.get
            for add, (index, make_code), value in zip(name_columns, names,
                                                      (get("credential_id"), get("event"), tool_of(raw))):
                code = (index.get(value) if type(value) is str else 0) if value is not None else 0
                add(make_code(value) if code is None else code)
            group = error_group(status, raw)
            if group is None:
                errors.append(0)
            else:
                code = error_index.get(group)
                errors.append(error_code(group) if code is None else code)
            duration = duration_ms(raw)
            durations.append(NAN if duration is None else duration)
        self.update_severity()
        return {"time": np.array(times, dtype=np.int64), "status": np.array(statuses, dtype=np.int32),
                "credential": np.array(creds, dtype=np.int32), "event": np.array(events, dtype=np.int32),
                "tool": np.array(tools, dtype=np.int32), "error": np.array(errors, dtype=np.int32),
                "duration": np.array(durations, dtype=np.float64),
                "invalid": np.array([entry.invalid is not None for entry in entries], dtype=np.bool_)}

    def widen(self, rows: RowBuffer) -> None:
        """Widen a code column to 4 bytes once its field has more distinct values than 2 fit."""
        for name, categories in zip(CODE_FIELDS, self.tables()):
            column = rows.cols[name]
            if len(categories) > np.iinfo(column.dtype).max:
                rows.cols[name] = column.astype(np.int32)

    def update_severity(self) -> None:
        if len(self.statuses) > len(self.severity):
            self.severity = np.array([severity(v) for v in self.statuses.values], dtype=np.int8)

    def status_lut(self, wanted: Iterable[str]) -> np.ndarray:
        """Per status code: does it match any of `wanted` (per `Source.status_matches`)."""
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

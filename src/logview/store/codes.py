"""A store's category tables: each filterable field's distinct values as small-int codes, and
what is derived per code (how alarming each status is, which statuses an option matches).

Codes are what the columns hold: comparing a 2-byte code is what makes filtering a million rows
a few numpy passes. The tables only grow, so codes stay valid across a re-query (pickers keep
their values) and a lookup table computed per code is extended, never rebuilt.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from logview.files.columns import NO_TIME
from logview.model import LogEntry, severity
from logview.sources.base import Source, duration_ms, tool_of
from logview.categories import Categories
from logview.store.rows import RowBuffer
from logview.times import epoch_us

CODE_FIELDS = ("status", "credential", "event", "tool", "error")


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

    def tables(self) -> tuple[Categories, ...]:
        """The table of each of CODE_FIELDS, in that order."""
        return self.statuses, self.credentials, self.events, self.tools, self.errors

    def by_field(self) -> dict[str, Categories]:
        return dict(zip(CODE_FIELDS, self.tables()))

    def table(self, field: str) -> Categories:
        return self.origins if field == "origin" else self.by_field()[field]

    def encode(self, entries: Sequence[LogEntry]) -> dict[str, np.ndarray]:
        """The filter columns of `entries`: times, codes (new values get new codes), durations."""
        n = len(entries)
        status_code, cred_code = self.statuses.code, self.credentials.code
        event_code, tool_code, error_code = self.events.code, self.tools.code, self.errors.code
        error_group = self.source.error_group
        times = np.empty(n, dtype=np.int64)
        statuses, creds, events, tools, errors = (np.empty(n, dtype=np.int32) for _ in range(5))
        durations = np.empty(n, dtype=np.float64)
        invalid = np.empty(n, dtype=np.bool_)
        for i, entry in enumerate(entries):
            moment = entry.time
            times[i] = NO_TIME if moment is None else epoch_us(moment)
            statuses[i] = status_code(entry.status)
            raw = entry.raw if isinstance(entry.raw, dict) else {}
            creds[i] = cred_code(raw.get("credential_id"))
            events[i] = event_code(raw.get("event"))
            tools[i] = tool_code(tool_of(raw))
            errors[i] = error_code(error_group(entry.status, raw))
            duration = duration_ms(raw)
            durations[i] = np.nan if duration is None else duration
            invalid[i] = entry.invalid is not None
        self.update_severity()
        return {"time": times, "status": statuses, "credential": creds, "event": events, "tool": tools,
                "error": errors, "duration": durations, "invalid": invalid}

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

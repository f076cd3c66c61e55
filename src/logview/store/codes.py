"""A store's category tables: each filterable field's distinct values as small-int codes, and
what is derived per code (how alarming each status is, which statuses an option matches).

Codes are what the columns hold: comparing a 2-byte code is what makes filtering a million rows
a few numpy passes. The tables only grow, so codes stay valid across a re-query (pickers keep
their values) and a lookup table computed per code is extended, never rebuilt.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import numpy as np

from logview.files.columns import NO_TIME
from logview.model import LogEntry, severity
from logview.sources.base import DURATION_LIMIT, TOOL_KEYS, Source
from logview.categories import Categories
from logview.store.rows import RowBuffer
from logview.times import epoch_us

CODE_FIELDS = ("status", "credential", "event", "tool", "error")
NAN = float("nan")
TIME_CACHE_LIMIT = 20_000  # distinct entry times remembered with their microseconds
_NO_FIELDS: dict[str, Any] = {}  # what an entry that is not an object has (only ever read)


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
        """The filter columns of `entries`: times, codes (new values get new codes), durations.

        Column by column, not entry by entry: each field of the batch is gathered by one list
        comprehension and coded by dict lookups, and only values not met before (and absent
        ones) take a second look. Exactly what coding each entry on its own gives (held equal by
        `tests/test_codes_bulk.py`)."""
        raws = [entry.raw if type(entry.raw) is dict else _NO_FIELDS for entry in entries]
        statuses = [entry.status for entry in entries]
        status_codes = _coded(statuses, self.statuses)
        names = {name: _coded(values, table, strings_only=True) for name, values, table in (
            ("credential", [raw.get("credential_id") for raw in raws], self.credentials),
            ("event", [raw.get("event") for raw in raws], self.events),
            ("tool", _first_named(raws, TOOL_KEYS), self.tools))}
        errors = _coded(self.source.error_groups(statuses, raws), self.errors)
        durations = [value if (type(value) is int or type(value) is float) and 0 <= value < DURATION_LIMIT
                     else NAN for value in [raw.get("duration_ms") for raw in raws]]  # (`duration_ms`)
        self.update_severity()
        return {"time": np.array(self._times([entry.time for entry in entries]), dtype=np.int64),
                "status": np.array(status_codes, dtype=np.int32),
                **{name: np.array(codes, dtype=np.int32) for name, codes in names.items()},
                "error": np.array(errors, dtype=np.int32),
                "duration": np.array(durations, dtype=np.float64),
                "invalid": np.array([entry.invalid is not None for entry in entries], dtype=np.bool_)}

    def _times(self, moments: list[datetime | None]) -> list[int]:
        """Epoch microseconds per time (NO_TIME for none); a page's entries share their datetimes
        (see `sources.base.api_time`), so most are one dict lookup."""
        known = self._moments
        if len(known) >= TIME_CACHE_LIMIT:
            known.clear()
        get = known.get
        found = [NO_TIME if moment is None else get(moment) for moment in moments]
        if None in found:  # a time not met before: its microseconds once for all its entries
            for row, (micros, moment) in enumerate(zip(found, moments)):
                if micros is None:
                    micros = get(moment)
                    found[row] = micros if micros is not None else known.setdefault(moment, epoch_us(moment))
        return found  # type: ignore[return-value]

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


def _coded(values: list[Any], table: Categories, strings_only: bool = False) -> list[int]:
    """`[table.code(value) for value in values]`, a dict lookup for each known value.
    `strings_only`: names, where any value but a string codes as absent (0), as
    `Categories.code` has it."""
    get = table.index.get
    if strings_only:
        codes = [get(value) if type(value) is str else 0 for value in values]
    else:
        codes = [0 if value is None else get(value) for value in values]
    if None in codes:  # a value not met before
        code = table.code
        codes = [found if found is not None else code(value) for found, value in zip(codes, values)]
    return codes  # type: ignore[return-value]


def _first_named(raws: list[dict[str, Any]], keys: tuple[str, ...]) -> list[Any]:
    """`first_named(raw, keys)` of each raw entry, one key at a time over all of them."""
    first, *others = keys
    values = [raw.get(first) for raw in raws]
    for key in others:
        if None in values:
            values = [value if value is not None else raw.get(key) for value, raw in zip(values, raws)]
    return values

"""A store's category tables: each filterable field's distinct values as small-int codes, and
what is derived per code (how alarming each status is, which statuses an option matches).

Codes are what the columns hold: comparing a 2-byte code is what makes filtering a million rows
a few numpy passes. The tables only grow, so codes stay valid across a re-query (pickers keep
their values) and a lookup table computed per code is extended, never rebuilt.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from itertools import repeat
from operator import attrgetter, itemgetter
from typing import Any

import numpy as np

from logview.categories import Categories
from logview.files.columns import NO_TIME
from logview.files.groups import group_input
from logview.model import LogEntry, severity
from logview.sources.base import DURATION_LIMIT, TOOL_KEYS, Source
from logview.sources.page_columns import PageColumns, columns_of
from logview.sources.typed_page import column_raws, undecoded
from logview.store.rows import RowBuffer
from logview.times import epoch_us_remembered

CODE_FIELDS = ("status", "credential", "event", "tool", "error")
NAN = float("nan")
_NO_FIELDS: dict[str, Any] = {}  # what an entry that is not an object has (only ever read)
_DICT = frozenset((dict,))
_STATUS, _TIME, _INVALID = (attrgetter(name) for name in ("status", "time", "invalid"))
_EVENT, _DURATION = itemgetter(1), itemgetter(2)  # of a typed page's entry (`typed_page.undecoded`)
_NONE: list[Any] = []  # a field no entry of the batch has


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
        """The filter columns of `entries`: times, codes (new values get new codes), durations.

        Column by column, not entry by entry: each field of the batch is gathered by one list
        comprehension and coded by dict lookups, and only values not met before (and absent
        ones) take a second look. Exactly what coding each entry on its own gives (held equal by
        `tests/test_codes_bulk.py`). A typed page's entries are coded from their columns."""
        columns = columns_of(entries)
        if columns is not None:
            return self._encode_columns(columns)
        statuses = list(map(_STATUS, entries))
        status_codes = _coded(statuses, self.statuses)
        typed = undecoded(entries)  # (a typed page's entries: no raw value is decoded for its columns)
        if typed is not None:
            events, durations = list(map(_EVENT, typed)), list(map(_DURATION, typed))
            credentials = tools = _NONE  # (`SupermetricsDocumented`: none of these keys; code 0)
        else:
            raws = column_raws(entries)  # (no raw value decoded for its columns)
            if not _DICT.issuperset(map(type, raws)):  # (an entry that is not an object has no fields)
                raws = [raw if type(raw) is dict else _NO_FIELDS for raw in raws]
            credentials, events = _field(raws, "credential_id"), _field(raws, "event")
            tools, durations = _first_named(raws, TOOL_KEYS), _field(raws, "duration_ms")
        names = {name: [0] * len(statuses) if values is _NONE else _coded(values, table, strings_only=True)
                 for name, values, table in (("credential", credentials, self.credentials),
                                             ("event", events, self.events), ("tool", tools, self.tools))}
        self.update_severity()
        columns = {"time": np.array(self._times(list(map(_TIME, entries))), dtype=np.int64),
                   "status": np.array(status_codes, dtype=np.int32),
                   **{name: np.array(codes, dtype=np.int32) for name, codes in names.items()},
                   "duration": _durations(durations),
                   "invalid": _invalid(list(map(_INVALID, entries)))}
        columns["error"] = self._by_status_and_event(statuses, events, columns["status"], columns["event"]) \
            if typed is not None else np.array(_coded(self.source.error_groups(statuses, raws), self.errors), np.int32)
        return columns

    def _encode_columns(self, columns: PageColumns) -> dict[str, np.ndarray]:
        """`encode` of a typed page's entries (`page_columns.py`), from the columns the parse
        made: each entry timed and valid, no credential or tool (`SupermetricsDocumented`)."""
        statuses, events, count = columns.statuses, columns.events, len(columns.ids)
        status_codes = np.array(_coded(statuses, self.statuses), dtype=np.int32)
        event_codes = np.array(_coded(events, self.events, strings_only=True), dtype=np.int32)
        self.update_severity()
        return {"time": np.array(columns.times_us, dtype=np.int64), "status": status_codes,
                "credential": np.zeros(count, np.int32), "event": event_codes,
                "tool": np.zeros(count, np.int32), "duration": _durations(columns.durations),
                "invalid": np.zeros(count, dtype=np.bool_),
                "error": self._by_status_and_event(statuses, events, status_codes, event_codes)}

    def _by_status_and_event(self, statuses: list[Any], events: list[Any], status_codes: np.ndarray,
                             event_codes: np.ndarray) -> np.ndarray:
        """The error group codes of entries whose group is made of their status and event alone
        (Supermetrics'; event text or None): the source asked once per distinct pair of codes,
        the groups coded in order of first appearance, as `_coded` codes them."""
        pairs = status_codes.astype(np.int64) * (int(event_codes.max(initial=0)) + 1) + event_codes
        _, firsts, inverse = np.unique(pairs, return_index=True, return_inverse=True)
        order = np.argsort(firsts)  # (each pair by where it first appears)
        group = self.source.error_group
        groups = [group(*group_input((statuses[row], events[row]))) for row in firsts[order].tolist()]
        codes = np.empty(len(firsts), dtype=np.int32)
        codes[order] = _coded(groups, self.errors)
        return codes[inverse]

    def _times(self, moments: list[datetime | None]) -> list[int]:
        """Epoch microseconds per time (NO_TIME for none): each distinct time's once, remembered
        (`epoch_us_remembered`: a page's entries share their datetimes, see `sources.api_times`,
        and an archive's writer asked for the same ones a moment before)."""
        found = epoch_us_remembered(moments)
        if None in moments:  # (an entry without a time: rare)
            found = [NO_TIME if value is None else value for value in found]
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
    """`[table.code(value) for value in values]`: the values not met before coded first, in order
    of first appearance, then a dict lookup each (in C: `map`). `strings_only`: names, where any
    value but a string codes as absent (0), as `Categories.code` has it (and never indexes)."""
    index = table.index
    try:
        new = set(values).difference(index)
    except TypeError:  # an unhashable value (a dict where a name was expected): one at a time
        return list(map(table.code, values))
    new.discard(None)
    if strings_only:
        new = {value for value in new if type(value) is str}
    if new:
        code = table.code
        ordered = sorted(new, key=values.index) if len(new) <= _FEW else dict.fromkeys(
            value for value in values if value in new)
        for value in ordered:
            code(value)
    return list(map(index.get, values, repeat(0)))


_FEW = 32  # new values put in order by searching for each (beyond: one pass over all values)


def _field(raws: list[dict[str, Any]], key: str) -> list[Any]:
    """`[raw.get(key) for raw in raws]`, in C (`map`)."""
    return list(map(dict.get, raws, repeat(key)))


def _first_named(raws: list[dict[str, Any]], keys: tuple[str, ...]) -> list[Any]:
    """`first_named(raw, keys)` of each raw entry, one key at a time over all of them."""
    first, *others = keys
    values = _field(raws, first)
    for key in others:
        if None in values:
            found = _field(raws, key)
            values = found if values.count(None) == len(values) else [  # (most entries name no tool at all)
                value if value is not None else other for value, other in zip(values, found)]
    return values


def _invalid(reasons: list[str | None]) -> np.ndarray:
    """Which entries are invalid (have a reason): for most pages, none."""
    if reasons.count(None) == len(reasons):
        return np.zeros(len(reasons), dtype=np.bool_)
    return np.array([reason is not None for reason in reasons], dtype=np.bool_)


_NUMBERS = frozenset((int, float, type(None)))


def _durations(values: list[Any]) -> np.ndarray:
    """`duration_ms` of each entry as a float, NaN where absent or not a duration (`duration_ms`):
    numpy converts a page of numbers and nulls (null is NaN) at once; anything else goes one by one."""
    if _NUMBERS.issuperset(map(type, values)):  # (bool is not a number here, nor a `LiteralNumber`)
        try:
            found = np.array(values, dtype=np.float64)
        except OverflowError:  # an integer beyond a double
            pass
        else:
            found[~((found >= 0) & (found < DURATION_LIMIT))] = NAN
            return found
    return np.array([value if (type(value) is int or type(value) is float) and 0 <= value < DURATION_LIMIT
                     else NAN for value in values], dtype=np.float64)

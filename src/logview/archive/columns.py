"""A source's archived entries read in bulk as columns, for a columnar store (no entry objects).

Straight from SQL, in chunks: numpy arrays for numbers, category codes for the text facets (each
facet's distinct values are few), so a million rows cost arrays, not a million objects. The raw
JSON stays in the archive; `ArchivedSource.raw` reads the rows a view draws.

The facets hold what the viewer's store would take from the entry itself: the archive's text
columns write a number or an object as text (`"5"`), where the store codes only strings, and a
status beyond 64 bits as text where the entry may hold the number; so a value that may stand for
one of those is checked against the entry (`FacetCoder.repair`), rare as they are.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

import msgspec
import numpy as np

from logview.files.columns import NO_TIME
from logview.jsonutil import InvalidJSON, load_json
from logview.model import Filters
from logview.archive.inserting import has_escaped_surrogate
from logview.archive.scans import time_range
from logview.sources.base import Source, connector_of, tool_of
from logview.times import epoch_us

CHUNK_ROWS = 65_536
FACETS = ("status", "event", "tool", "connector", "credential_id", "error_group")
_NAMES = {"event": lambda raw: raw.get("event"), "tool": tool_of,  # the facets a store codes as names
          "credential_id": lambda raw: raw.get("credential_id")}
_FIELDS = {**_NAMES, "connector": connector_of}  # (the archive's text for each, `rows.entry_row`)
_NOT_JSON_TEXT = {"True", "False", "nan", "inf", "-inf"}  # str() of values that JSON would not read back


class Facet(msgspec.Struct):
    """A text column as codes: `values[codes[i]]` is row i's value; code 0 is always None."""

    codes: np.ndarray  # int32
    values: list[Any] = msgspec.field(default_factory=lambda: [None])

    def value(self, row: int) -> Any:
        return self.values[self.codes[row]]


class ArchivedColumns(msgspec.Struct):
    """Rows newest first (time, then the order they were archived). `time_us` is NO_TIME for an
    entry without a usable time (they come last); `duration_ms` NaN where there is none. The
    status facet's values are what `LogEntry.status` holds: an int for an HTTP status, else text."""

    rowid: np.ndarray  # int64: the archive's row, for `ArchivedSource.raw`
    time_us: np.ndarray  # int64
    duration_ms: np.ndarray  # float64
    invalid: np.ndarray  # bool: the entry broke its schema
    facets: dict[str, Facet]  # FACETS: status, event, tool, connector, credential_id, error_group

    def __len__(self) -> int:
        return len(self.rowid)

    def take(self, rows: np.ndarray | slice) -> ArchivedColumns:
        """These rows only (a mask, an index array or a slice), codes still meaning the same values."""
        return ArchivedColumns(self.rowid[rows], self.time_us[rows], self.duration_ms[rows], self.invalid[rows],
                               {name: Facet(facet.codes[rows], facet.values) for name, facet in self.facets.items()})

    def newest_us(self) -> int | None:
        timed = self.time_us[self.time_us != NO_TIME]
        return int(timed.max()) if len(timed) else None

    def matching(self, source: Source, filters: Filters) -> np.ndarray:
        """Which rows `source.matches` would keep for `filters` (all but the search, which needs
        the raw entry: the caller checks it)."""
        keep = np.ones(len(self), dtype=bool)
        if filters.statuses:
            statuses = self.facets["status"].values
            lut = np.array([any(source.status_matches(v, wanted) for wanted in filters.statuses) for v in statuses])
            keep &= lut[self.facets["status"].codes]
        if filters.since is not None:
            keep &= self.time_us >= epoch_us(filters.since)
        if filters.until is not None:
            keep &= (self.time_us <= epoch_us(filters.until)) & (self.time_us != NO_TIME)
        for name, wanted in (("credential_id", filters.credential), ("event", filters.event),
                             ("tool", filters.tool), ("error_group", filters.error)):
            if wanted is not None:
                values = self.facets[name].values
                keep &= self.facets[name].codes == (values.index(wanted) if wanted in values else -1)
        return keep


# No NULL among the numbers (sentinels instead), so numpy reads them straight from the rows.
COLUMNS_SQL = (f"rowid, ifnull(time_us, {NO_TIME}), ifnull(duration_ms, -1.0), invalid IS NOT NULL, "
               "coalesce(status_code, status), " + ", ".join(FACETS[1:]))
_QUERY = f"SELECT {COLUMNS_SQL} FROM entries WHERE source = ?{{range}} ORDER BY time_us DESC, rowid ASC"


class FacetCoder:
    """Turns rows of `COLUMNS_SQL` into `ArchivedColumns`, one chunk after another, each facet's
    codes going on across the chunks (a chunk's `values` are every value coded so far)."""

    def __init__(self, raw_of: Callable[[list[int]], dict[int, bytes]], source: Source) -> None:
        self._indexes: list[dict[Any, int]] = [{None: 0} for _ in FACETS]
        self._raw_of = raw_of  # rowid → raw JSON, for the rows `repair` must look at
        self._source = source  # … and the parser that made their entries
        self._doubtful: dict[str, set[int]] = {name: set() for name in FACETS}  # codes to check

    def chunk(self, rows: list[tuple[Any, ...]]) -> ArchivedColumns:
        count = len(rows)
        if not count:
            return self.empty()
        rowids, times, durations, invalid, *texts = zip(*rows)
        duration = np.fromiter(durations, np.float64, count)
        duration[duration < 0] = np.nan  # (durations are never negative: -1 stands for none)
        codes = {}
        for name, values, index in zip(FACETS, texts, self._indexes):
            for value in set(values):  # a facet has few distinct values: codes by a lookup each
                if value not in index:
                    index[value] = len(index)
                    if _doubtful(name, value):
                        self._doubtful[name].add(index[value])
            codes[name] = np.fromiter(map(index.__getitem__, values), np.int32, count)
        rowid = np.fromiter(rowids, np.int64, count)
        self.repair(rowid, codes)
        return ArchivedColumns(rowid, np.fromiter(times, np.int64, count), duration,
                               np.fromiter(invalid, np.bool_, count),
                               {name: Facet(codes[name], list(index)) for name, index in zip(FACETS, self._indexes)})

    def empty(self) -> ArchivedColumns:
        return ArchivedColumns(np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.float64),
                               np.empty(0, np.bool_),
                               {name: Facet(np.empty(0, np.int32), list(index))
                                for name, index in zip(FACETS, self._indexes)})

    def repair(self, rowid: np.ndarray, codes: dict[str, np.ndarray]) -> None:
        """Rows whose facet text may stand for a number or an object, or hold a lone surrogate
        the archive wrote escaped (`inserting.storable`), get the entry's own value: None (code 0) for
        a name that is no string, the number for a status, the text with its surrogate."""
        for name, doubtful in self._doubtful.items():
            rows = np.flatnonzero(np.isin(codes[name], list(doubtful))) if doubtful else ()
            if not len(rows):
                continue
            found = self._raw_of(rowid[rows].tolist())
            index = self._indexes[FACETS.index(name)]
            for row in rows.tolist():
                try:
                    raw = load_json(found[int(rowid[row])])
                except (InvalidJSON, KeyError):  # (pruned meanwhile: as archived)
                    continue
                codes[name][row] = index.setdefault(self._entry_value(name, raw), len(index))

    def _entry_value(self, name: str, raw: Any) -> Any:
        """The facet `name` of the entry whose raw value is `raw`, as the viewer's store codes it."""
        fields = raw if type(raw) is dict else {}
        if name in _FIELDS:
            value = _FIELDS[name](fields)
            return value if type(value) is str else None
        status = self._source.entry_from_raw(raw).status
        if name == "status":
            return status
        return self._source.error_group(None if isinstance(status, bool) else status, fields)


def _doubtful(name: str, value: Any) -> bool:
    """Whether a facet's archived text may not be the entry's own value (`FacetCoder.repair`)."""
    if isinstance(value, str) and has_escaped_surrogate(value):
        return True
    if name in _NAMES:
        return _may_not_be_text(value)
    return name == "status" and _huge(value)


def _huge(value: Any) -> bool:
    """A status the archive wrote as text for want of a 64-bit integer (the entry may hold the number)."""
    return isinstance(value, str) and value.lstrip("-").isdigit() and value.isascii() \
        and not -(2**63) <= int(value) < 2**63


def _may_not_be_text(value: Any) -> bool:
    """Whether the archive may have written `value` for a non-string (`rows._text`: str() of a
    number or bool, compact JSON of an object or list)."""
    if not isinstance(value, str) or value in _NOT_JSON_TEXT:
        return value is not None
    if not value or value[0] not in "-0123456789[{tfn":
        return False
    try:
        return not isinstance(load_json(value), str)
    except InvalidJSON:
        return False


def read_columns(db: sqlite3.Connection, source_id: int | None, source: Source, since_us: int | None = None,
                 until_us: int | None = None) -> ArchivedColumns:
    condition, params = time_range(since_us, until_us)
    coder = FacetCoder(lambda rowids: raw_rows(db, source_id, rowids), source)
    chunks: list[ArchivedColumns] = []
    if source_id is not None:
        cursor = db.execute(_QUERY.format(range=condition), (source_id, *params))
        while rows := cursor.fetchmany(CHUNK_ROWS):
            chunks.append(coder.chunk(rows))
    return joined(chunks) if chunks else coder.empty()


def joined(chunks: list[ArchivedColumns]) -> ArchivedColumns:
    """Consecutive chunks of one `FacetCoder` as one (the last chunk knows every value)."""
    last = chunks[-1]
    return ArchivedColumns(*(np.concatenate([getattr(c, name) for c in chunks])
                             for name in ("rowid", "time_us", "duration_ms", "invalid")),
                           {name: Facet(np.concatenate([c.facets[name].codes for c in chunks]), facet.values)
                            for name, facet in last.facets.items()})


RAW_CHUNK = 500  # rowids per query (below SQLite's limit on parameters)


def raw_rows(db: sqlite3.Connection, source_id: int | None, rowids: list[int]) -> dict[int, bytes]:
    """The stored JSON of those of `rowids` still archived (a pruned row is left out)."""
    found: dict[int, bytes] = {}
    wanted = list(dict.fromkeys(rowids))
    for start in range(0, len(wanted), RAW_CHUNK):
        part = wanted[start:start + RAW_CHUNK]
        marks = ",".join("?" * len(part))
        # `+source`: not by an index on the source (SQLite's planner may take one and visit
        # every row of the source), but each row by its rowid
        found.update(db.execute(f"SELECT rowid, raw FROM entries WHERE rowid IN ({marks}) AND +source = ?",
                                (*part, source_id)).fetchall())
    return found

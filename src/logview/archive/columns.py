"""A source's archived entries read in bulk as columns, for a columnar store (no entry objects).

Straight from SQL, in chunks: numpy arrays for numbers, category codes for the text facets (each
facet's distinct values are few), so a million rows cost arrays, not a million objects. The raw
JSON stays in the archive; `ArchivedSource.raw` reads the rows a view draws.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from logview.files.columns import NO_TIME

CHUNK_ROWS = 65_536
FACETS = ("status", "event", "tool", "connector", "credential_id", "error_group")


@dataclass
class Facet:
    """A text column as codes: `values[codes[i]]` is row i's value; code 0 is always None."""

    codes: np.ndarray  # int32
    values: list[Any] = field(default_factory=lambda: [None])

    def value(self, row: int) -> Any:
        return self.values[self.codes[row]]


@dataclass
class ArchivedColumns:
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


# No NULL among the numbers (sentinels instead), so numpy reads them straight from the rows.
_QUERY = (f"SELECT rowid, ifnull(time_us, {NO_TIME}), ifnull(duration_ms, -1.0), invalid IS NOT NULL, "
          "coalesce(status_code, status), " + ", ".join(FACETS[1:])
          + " FROM entries WHERE source = ?{range} ORDER BY time_us DESC, rowid DESC")


def time_range(since_us: int | None, until_us: int | None) -> tuple[str, list[int]]:
    """The SQL condition (after `source = ?`) and parameters for an inclusive time range."""
    condition, params = "", []
    if since_us is not None:
        condition, params = condition + " AND time_us >= ?", [*params, since_us]
    if until_us is not None:
        condition, params = condition + " AND time_us <= ?", [*params, until_us]
    return condition, params


def read_columns(db: sqlite3.Connection, source_id: int | None, since_us: int | None = None,
                 until_us: int | None = None) -> ArchivedColumns:
    condition, params = time_range(since_us, until_us)
    chunks: list[tuple[np.ndarray, ...]] = []
    indexes: list[dict[Any, int]] = [{None: 0} for _ in FACETS]
    if source_id is not None:
        cursor = db.execute(_QUERY.format(range=condition), (source_id, *params))
        while rows := cursor.fetchmany(CHUNK_ROWS):
            chunks.append(_chunk(rows, indexes))
    columns = [np.concatenate(parts) if parts else np.empty(0, dtype)
               for parts, dtype in zip(zip(*chunks) if chunks else [()] * (4 + len(FACETS)),
                                       (np.int64, np.int64, np.float64, np.bool_, *[np.int32] * len(FACETS)))]
    facets = {name: Facet(codes, list(index)) for name, codes, index in zip(FACETS, columns[4:], indexes)}
    return ArchivedColumns(columns[0], columns[1], columns[2], columns[3], facets)


def _chunk(rows: list[tuple[Any, ...]], indexes: list[dict[Any, int]]) -> tuple[np.ndarray, ...]:
    count = len(rows)
    rowids, times, durations, invalid, *texts = zip(*rows)
    duration = np.fromiter(durations, np.float64, count)
    duration[duration < 0] = np.nan  # (durations are never negative: -1 stands for none)
    coded = []
    for values, index in zip(texts, indexes):
        for value in set(values):  # a facet has few distinct values: codes by a lookup each
            index.setdefault(value, len(index))
        coded.append(np.fromiter(map(index.__getitem__, values), np.int32, count))
    return (np.fromiter(rowids, np.int64, count), np.fromiter(times, np.int64, count), duration,
            np.fromiter(invalid, np.bool_, count), *coded)

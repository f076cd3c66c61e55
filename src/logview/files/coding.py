"""A block of field values turned into a column, at C speed for the usual case: every value coded
before (one dict lookup a value, straight into numpy) or the field absent from every line.

Used by the column reader (`columns.py`) a block of lines at a time; codes are the reader's own
and are given to new values in the order they first occur, as coding line by line would.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from logview.categories import Categories
from logview.sources.base import DURATION_LIMIT

NAN = float("nan")


def codes_of(table: Categories, lookup: dict[Any, int], values: list[Any]) -> np.ndarray:
    """The int32 codes of `values` (None, and a name that is not a string: 0), new values coded in
    the order they first occur. `lookup`: the table's codes and None → 0, kept up to date here."""
    n = len(values)
    if values == [None] * n:  # a field this file does not have (`==` sees the same object at once)
        return np.zeros(n, dtype=np.int32)
    try:  # a value not coded before is None here, which numpy refuses: then the slow way
        return np.fromiter(map(lookup.get, values), dtype=np.int32, count=n)
    except TypeError:  # (or an unhashable value: an object where a name was expected)
        pass
    try:
        codes = list(map(lookup.get, values))
    except TypeError:
        codes = [None] * n
    code = table.code
    for i in [i for i, found in enumerate(codes) if found is None]:
        value = values[i]
        codes[i] = found = code(value)
        if found:
            lookup[value] = found
    return np.array(codes, dtype=np.int32)


def durations_of(values: list[Any]) -> np.ndarray:
    """The durations given, as doubles (None → NaN; an int as `float()` rounds it)."""
    try:
        return np.fromiter(values, dtype=np.float64, count=len(values))
    except OverflowError:  # an integer beyond a double
        return np.array([NAN if v is None or v >= DURATION_LIMIT else float(v) for v in values], dtype=np.float64)


def valid_durations(durations: np.ndarray) -> np.ndarray:
    """`duration_ms` per row (NaN where there is none): a real, non-negative number below
    DURATION_LIMIT, as `sources.base.duration_ms` takes it."""
    durations[~((durations >= 0) & (durations < DURATION_LIMIT))] = NAN
    return durations


def codes_in_order(table: Categories, lookup: dict[Any, int], rows: list[int], values: list[Any]) -> np.ndarray:
    """The codes of `values`, one each, found at distinct `rows` (in any order): new values are
    coded in the order of their rows, as coding row by row would."""
    codes = np.zeros(len(rows), dtype=np.int32)
    if rows:
        order = np.argsort(np.array(rows, dtype=np.int64), kind="stable")
        codes[order] = codes_of(table, lookup, [values[i] for i in order.tolist()])
    return codes

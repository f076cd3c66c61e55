"""The columnar row buffer under every entry store: numpy columns addressed by *ordinal*.

Rows are kept newest first in a double-ended buffer: a backfill appends older rows after the
tail, the live tail prepends newer ones before the head, and an ordinal never changes while its
row lives (`head <= ordinal < tail`), unless rows that arrived out of order were merged into
place (`Moves` says which). Growing swaps in new arrays, so arrays captured earlier
(`FrozenColumns`) stay valid for reading rows that existed then.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from typing import Any

import msgspec
import numpy as np


class Moves:
    """Where rows were merged into place (`order.py`): each move permuted the rows of one span of
    ordinals. A row that moved keeps no ordinal; whoever holds ordinals (a view, a cursor, a
    search in a thread) asks what moved since the version it knew, and where a row went."""

    KEPT = 8  # moves remembered; a holder further behind starts afresh

    def __init__(self) -> None:
        self.version = 0
        self._log: deque[tuple[int, int, np.ndarray]] = deque(maxlen=self.KEPT)  # (version, lo, new of old)

    def record(self, lo: int, order: np.ndarray) -> None:
        """Rows [lo, lo + len(order)) were permuted: the row now at lo + i was at lo + order[i]."""
        new_of_old = np.empty(len(order), dtype=np.int64)
        new_of_old[order] = np.arange(len(order))
        self.version += 1
        self._log.append((self.version, lo, new_of_old))

    def span_since(self, version: int) -> tuple[int, int] | None:
        """The ordinals any move after `version` touched, as one span; None if none moved.
        Raises LookupError when `version` is older than the moves remembered."""
        if version >= self.version:
            return None
        if self.version - version > len(self._log):
            raise LookupError("moves forgotten")
        moved = [(lo, lo + len(new)) for v, lo, new in self._log if v > version]
        return min(lo for lo, _ in moved), max(hi for _, hi in moved)

    def follow(self, ordinal: int, version: int, until: int | None = None) -> int:
        """Where the row at `ordinal` (as of `version`) is now, or was at version `until`."""
        for v, lo, new_of_old in self._log:
            if version < v <= (self.version if until is None else until) and lo <= ordinal < lo + len(new_of_old):
                ordinal = lo + int(new_of_old[ordinal - lo])
        return ordinal


class RowBuffer:
    """Named numpy columns with room at both ends."""

    def __init__(self, columns: dict[str, Any], capacity: int, *, grows_by_appending: bool = False) -> None:
        self.column_types = dict(columns)
        self.moves = Moves()
        # A file only appends, and its size is known from its first chunk: grow in small steps.
        self._growth = 1.25 if grows_by_appending else 2.0
        self.reset_rows(max(16, capacity), front_room=max(8, capacity // 8))

    def reset_rows(self, capacity: int, front_room: int) -> None:
        """Empty columns of `capacity` rows, the first `front_room` of them kept for prepends."""
        self.cols = {name: np.zeros(capacity, dtype=dtype) if dtype is not object
                     else np.empty(capacity, dtype=object) for name, dtype in self.column_types.items()}
        self.offset = front_room  # buffer index of ordinal 0
        self.head = 0
        self.tail = 0
        self.ready = 0  # rows below this have their filter columns (always `tail` in memory)

    @property
    def fields_read(self) -> int:
        """Rows whose filter columns are read: all of them, but a big file's while it is read."""
        return self.ready - self.head

    def reserve(self, front: int, back: int, exact: bool = False) -> None:
        """Make room for `front` rows before the head and `back` after the tail."""
        capacity = self.capacity
        start, stop = self.head + self.offset, self.tail + self.offset
        if start >= front and capacity - stop >= back:
            return
        size = stop - start
        growth = 1.0 if exact else self._growth
        new_capacity = max(capacity, int(growth * (size + front + back)), 1024)
        spare = new_capacity - size - front - back
        new_start = front + (spare // 4 if front else spare // 16)
        for name, column in self.cols.items():
            grown = np.zeros(new_capacity, dtype=column.dtype) if column.dtype != object \
                else np.empty(new_capacity, dtype=object)
            grown[new_start:new_start + size] = column[start:stop]
            self.cols[name] = grown
        self.offset = new_start - self.head

    def __len__(self) -> int:
        return self.tail - self.head

    @property
    def capacity(self) -> int:
        """Rows the columns have room for, at both ends."""
        return len(self.cols["time"])

    def span(self, name: str, lo: int, hi: int) -> np.ndarray:
        """Column `name` for ordinals [lo, hi): a view, writable."""
        return self.cols[name][lo + self.offset:hi + self.offset]

    def column(self, name: str, ordinals: np.ndarray) -> np.ndarray:
        """Gather one column for an array of ordinals."""
        return self.cols[name][ordinals + self.offset]

    def freeze(self, names: Iterable[str], severity_lut: np.ndarray) -> FrozenColumns:
        return FrozenColumns({name: self.cols[name] for name in names}, self.offset, self.ready, severity_lut)


class FrozenColumns(msgspec.Struct, frozen=True):
    """Columns captured by `EntryStore.frozen_columns`; `column` reads them like the store."""

    arrays: dict[str, np.ndarray]
    offset: int
    ready: int  # rows below this had their filter columns when captured
    severity_lut: np.ndarray  # per status category

    def column(self, name: str, ordinals: np.ndarray) -> np.ndarray:
        """The column at `ordinals`; a view, not a copy, when they are one run (no filter)."""
        if len(ordinals) and int(ordinals[-1]) - int(ordinals[0]) + 1 == len(ordinals):
            start = int(ordinals[0]) + self.offset
            return self.arrays[name][start:start + len(ordinals)]
        return self.arrays[name][ordinals + self.offset]
